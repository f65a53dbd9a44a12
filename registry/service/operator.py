"""Operator actions behind ``pcfreg orgs`` and ``pcfreg credentials``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..signing import TrustedKeys
from ..storage import repo
from ..storage.db import make_engine, migrate, session_scope
from ..storage.models import CredentialCreate, CredentialKind, OrganisationCreate, OrgKind
from ..storage.settings import StorageSettings, database_url_for
from .bootstrap import IssuedSecret


def _engine(data_dir: Path) -> Any:
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url_for(StorageSettings(data_dir=data_dir)))
    migrate(engine)
    return engine


def create_org(data_dir: Path, org_id: str, name: str, kind: str) -> None:
    with session_scope(_engine(data_dir)) as s:
        repo.create_organisation(s, OrganisationCreate(id=org_id, name=name, kind=OrgKind(kind)), now=datetime.now(UTC))


def list_orgs(data_dir: Path) -> list[dict[str, str]]:
    with session_scope(_engine(data_dir), write=False) as s:
        return [{"id": o.id, "kind": o.kind.value, "name": o.name} for o in repo.list_organisations(s)]


def create_credential(data_dir: Path, org_id: str, kind: str, label: str) -> IssuedSecret:
    with session_scope(_engine(data_dir)) as s:
        issued = repo.create_credential(
            s, CredentialCreate(org_id=org_id, kind=CredentialKind(kind), label=label), now=datetime.now(UTC)
        )
        return IssuedSecret(org_id, kind, issued.credential.client_id, issued.secret)


def register_key(data_dir: Path, org_id: str, public_path: Path) -> str:
    """Add a publisher's Ed25519 public key (one JWK in a file); returns its key id."""
    from ..errors import InputError, Location
    from ..signing import key_id, public_jwk
    from ..storage.models import PublisherKeyCreate
    from ..validate import parse_json, read_input

    jwk = parse_json(read_input(str(public_path)), file=str(public_path))
    if not isinstance(jwk, dict) or "keys" in jwk:
        raise InputError("expected one public JWK (not a key set)", Location(str(public_path)))
    matches = TrustedKeys.from_json(jwk).get(str(jwk.get("kid")))  # refuses private or non-Ed25519 keys
    if len(matches) != 1:
        raise InputError("the JWK has no usable kid", Location(str(public_path)))
    key = matches[0]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = public_jwk(Ed25519PublicKey.from_public_bytes(key.public), publisher=org_id)
    assert public["kid"] == key_id(key.public)
    with session_scope(_engine(data_dir)) as s:
        repo.get_organisation(s, org_id)
        repo.add_publisher_key(
            s, PublisherKeyCreate(keyid=public["kid"], org_id=org_id, public_jwk=public), now=datetime.now(UTC)
        )
    return public["kid"]
