"""Registering and revoking a standards body's Ed25519 pack-signing keys.

Shared by ``pcfreg keys register`` (operator) and the API (the publisher itself).
Rotation is: register the new key, publish with it, revoke the old one; packs signed
by a revoked key stay stored and served with their envelopes, but new uploads signed
only by it are refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session

from registry.errors import InputError, Location
from registry.packs import SignatureError, TrustedKeys, public_jwk
from registry.storage import repo
from registry.storage.models import PublisherKey, PublisherKeyCreate


def register_public_jwk(
    session: Session, org_id: str, jwk: Any, *, now: datetime, source: str | None = None
) -> tuple[PublisherKey, bool]:
    """Store one public Ed25519 JWK for ``org_id``; returns the row and whether it is new.

    The same key registered again by the same organisation is not an error; a key
    registered by another organisation is a Conflict.
    """
    if not isinstance(jwk, dict) or "keys" in jwk:
        raise InputError("expected one public JWK (not a key set)", Location(source))
    matches = TrustedKeys.from_json(jwk).get(str(jwk.get("kid")))  # refuses private or non-Ed25519 keys
    if len(matches) != 1:
        raise InputError(
            "the JWK's kid does not match its key (kid = hex of SHA-256(key)[:8])", Location(source, pointer="/kid")
        )
    public = public_jwk(Ed25519PublicKey.from_public_bytes(matches[0].public), publisher=org_id)
    repo.get_organisation(session, org_id)
    try:
        existing = repo.get_publisher_key(session, public["kid"])
    except repo.NotFound:
        existing = None
    if existing is not None:
        if existing.org_id != org_id:
            raise repo.Conflict(f"key {public['kid']} is registered to another organisation")
        if existing.revoked_at is not None:
            raise repo.Conflict(f"key {public['kid']} was revoked; generate a new key")
        return existing, False
    row = repo.add_publisher_key(
        session, PublisherKeyCreate(keyid=public["kid"], org_id=org_id, public_jwk=public), now=now
    )
    return row, True


def trusted_keys(session: Session, org_id: str) -> TrustedKeys:
    """The organisation's registered (unrevoked) keys, as the keys a signed upload of it is checked against."""
    keys = repo.list_publisher_keys(session, org_id)
    if not keys:
        raise SignatureError(
            f"{org_id} has no registered signing key, so no pack or factor set signature of it can be checked; "
            f"register one (POST /v1/publishers/{org_id}/keys, or an operator's pcfreg keys register)"
        )
    jwks = {"keys": [{**k.public_jwk, "publisher": org_id} for k in keys]}
    return TrustedKeys.from_json(jwks)


def key_json(row: PublisherKey) -> dict[str, Any]:
    return {
        **row.public_jwk,
        "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }
