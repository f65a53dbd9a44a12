"""The trust list: the public label signing keys, as a JWKS with our members, optionally registry-signed.

Each key is an RFC 7518 EC P-256 JWK (``kty``, ``crv``, ``x``, ``y``; plus ``kid``, ``alg`` ES256,
``use`` sig) with ``certifier``, ``scope``, ``state``, ``usage_from``, ``usage_until`` and
``verify_until``; a withdrawn key also ``withdrawn_from``, the time from which the labels it signed
are refused (absent: all of them). Withdrawn keys stay listed so that a verifier can say "withdrawn"
rather than "unknown". A kid is a hint: :meth:`TrustList.candidates` gives every key with that kid. Schema:
``schemas/trust-list-1.0.json``; decisions: docs/adr/0009-label-token.md.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import jsonschema_rs
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from issuance.errors import TrustListError
from issuance.keys import KeyScope, KeyState, SigningKey, kid_of, spki_der, withdrawal_refuses
from registry.accreditation import Accreditation, Recorded, Scope, effective_scopes
from registry.canonical import canonical_json
from registry.errors import InputError, Location
from registry.packs import TrustedKeys, b64url_decode, b64url_encode, key_id
from registry.resources import load_schema
from registry.schemas import pointer_of
from registry.yamlpos import escape_pointer_token

FORMAT = "pcf-registry/trust-list/1.0"
SIGNING_DOMAIN = b"pcf-registry/trust-list/1.0\n"  # signed before the canonical JSON: not a pack signature
DEFAULT_VALIDITY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """One trust-list key with its public key object ready for verifying."""

    kid: str
    certifier: str
    scope: KeyScope
    state: KeyState
    usage_from: datetime
    usage_until: datetime
    verify_until: datetime | None
    public_key: ec.EllipticCurvePublicKey = field(repr=False, compare=False)
    withdrawn_from: datetime | None = None  # withdrawn: labels issued from then on are refused (None: all)

    @classmethod
    def from_signing_key(cls, key: SigningKey) -> TrustedKey:
        return cls(
            key.kid,
            key.certifier,
            key.scope,
            key.state,
            key.usage_from,
            key.usage_until,
            key.verify_until,
            key.public_key_object(),
            key.withdrawn_from,
        )

    def refuses(self, issued_at: datetime) -> bool:
        """Whether the key's withdrawal refuses a label issued at ``issued_at``."""
        return withdrawal_refuses(self.state, self.withdrawn_from, issued_at)


class TrustList:
    """Trusted label keys by kid (several keys may share a truncated kid)."""

    def __init__(
        self,
        keys: Iterable[TrustedKey],
        *,
        status_base: str,
        issuer: str = "",
        issued_at: datetime | None = None,
        expires_at: datetime | None = None,
        accreditations: Iterable[Recorded] = (),
        accreditation_required: bool = False,
    ) -> None:
        self.status_base = status_base.rstrip("/")
        # issue 13: every accreditation version with the time it came into force; with ``accreditation_required``
        # a certifier without any is not accredited, else only certifiers with one are checked
        self.accreditations = list(accreditations)
        self.accreditation_required = accreditation_required
        self.accredited = {r.accreditation.certifier for r in self.accreditations}
        self.issuer = issuer
        self.issued_at = issued_at
        self.expires_at = expires_at
        self._by_kid: dict[str, list[TrustedKey]] = {}
        for key in keys:
            self._by_kid.setdefault(key.kid, []).append(key)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_kid.values())

    def candidates(self, kid: str) -> list[TrustedKey]:
        """The keys with this kid (a hint: all are tried); the list itself, not a copy - do not change it."""
        return self._by_kid.get(kid) or []

    def keys(self) -> list[TrustedKey]:
        return [k for group in self._by_kid.values() for k in group]

    def status_uri(self, certifier: str, list_number: int) -> str:
        return f"{self.status_base}/{certifier}/{list_number}"

    def checks_accreditation_of(self, certifier: str) -> bool:
        return self.accreditation_required or certifier in self.accredited

    @classmethod
    def from_signing_keys(
        cls,
        keys: Iterable[SigningKey],
        *,
        status_base: str,
        issuer: str = "",
        accreditations: Iterable[Recorded] = (),
        accreditation_required: bool = False,
    ) -> TrustList:
        """A trust list straight from key records (the registry's own view, no JSON round trip)."""
        return cls(
            (TrustedKey.from_signing_key(k) for k in keys),
            status_base=status_base,
            issuer=issuer,
            accreditations=accreditations,
            accreditation_required=accreditation_required,
        )

    @classmethod
    def from_json(
        cls,
        doc: Any,
        *,
        registry_keys: TrustedKeys,
        now: datetime | None = None,
        seen_issued_at: datetime | None = None,
    ) -> TrustList:
        """Parse a trust list strictly; :class:`TrustListError` with a JSON pointer for anything wrong.

        ``registry_keys`` is the pinned trust root: at least one signature by one of them must verify
        over the whole list, so an unsigned list, a badly signed one or one with a key added after
        signing is never used. With ``now``, an expired list (or one issued in the future) is refused.
        ``seen_issued_at`` is the issue time of the newest list this verifier accepted before: an older
        one is refused (reason ``rollback``: it could bring back a key withdrawn since).
        """
        _check_shape(doc)
        _check_signatures(doc, registry_keys)
        issued_at, expires_at = _time(doc["issued_at"], "/issued_at"), _time(doc["expires_at"], "/expires_at")
        if seen_issued_at is not None and issued_at < seen_issued_at:
            raise TrustListError(
                f"the trust list of {doc['issued_at']} is older than the one of {_stamp(seen_issued_at)} already "
                "seen here: refused (an older list may still trust a key withdrawn since); fetch a fresh one",
                Location(pointer="/issued_at"),
                reason="rollback",
            )
        if now is not None and not issued_at <= now < expires_at:
            raise TrustListError(
                f"the trust list is valid from {doc['issued_at']} to {doc['expires_at']}; fetch a fresh one",
                Location(pointer="/expires_at"),
                reason="expired" if now >= expires_at else "not_yet_valid",
            )
        keys = [_parse_key(jwk, f"/keys/{i}") for i, jwk in enumerate(doc["keys"])]
        section = doc.get("accreditation") or {"required": False, "grants": []}
        grants = [_parse_grant(g, f"/accreditation/grants/{i}") for i, g in enumerate(section["grants"])]
        return cls(
            keys,
            status_base=doc["status_base"],
            issuer=doc["issuer"],
            issued_at=issued_at,
            expires_at=expires_at,
            accreditations=grants,
            accreditation_required=section["required"],
        )


# --- building -----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def key_jwk(key: SigningKey) -> dict[str, Any]:
    """The trust-list JWK of one key record."""
    numbers = key.public_key_object().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x.to_bytes(32, "big")),
        "y": _b64(numbers.y.to_bytes(32, "big")),
        "kid": key.kid,
        "alg": "ES256",
        "use": "sig",
        "certifier": key.certifier,
        "scope": {"schemes": list(key.scope.schemes), "categories": list(key.scope.categories)},
        "state": key.state.value,
        "usage_from": _stamp(key.usage_from),
        "usage_until": _stamp(key.usage_until),
        "verify_until": _stamp(key.verify_until) if key.verify_until is not None else None,
    } | ({"withdrawn_from": _stamp(key.withdrawn_from)} if key.withdrawn_from is not None else {})


def grant_json(rec: Recorded) -> dict[str, Any]:
    """The trust-list entry of one accreditation version."""
    a = rec.accreditation
    return {
        "id": a.id,
        "version": a.version,
        "certifier": a.certifier,
        "change": a.change.value,
        "state": a.state.value,
        "recorded_at": _stamp(rec.recorded_at),
        "valid_from": a.valid_from.isoformat(),
        "valid_until": a.valid_until.isoformat(),
        "scope": a.scope.to_json(),
        "digest": rec.digest,
    }


def build_trust_list(
    keys: Iterable[SigningKey],
    *,
    now: datetime,
    issuer: str,
    status_base: str,
    valid_for: timedelta = DEFAULT_VALIDITY,
    accreditations: Iterable[Recorded] | None = None,
    accreditation_required: bool = False,
) -> dict[str, Any]:
    """The trust list document of ``keys`` (all states), issued at ``now`` and valid for ``valid_for``;
    with ``accreditations`` (or ``accreditation_required``), the accreditation section (issue 13)."""
    ordered = sorted(keys, key=lambda k: (k.certifier, k.usage_from, k.kid))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "issuer": issuer,
        "issued_at": _stamp(now),
        "expires_at": _stamp(now + valid_for),
        "status_base": status_base.rstrip("/"),
        "keys": [key_jwk(k) for k in ordered],
    }
    if accreditations is not None or accreditation_required:
        grants = sorted(accreditations or (), key=lambda r: (r.accreditation.id, r.accreditation.version))
        doc["accreditation"] = {"required": accreditation_required, "grants": [grant_json(r) for r in grants]}
        accredited = {r.accreditation.certifier for r in grants}
        for key, jwk in zip(ordered, doc["keys"], strict=True):
            if accreditation_required or key.certifier in accredited:  # the key follows the accreditation
                timeline = effective_scopes(key.scope.schemes, key.scope.categories, key.certifier, grants)
                jwk["effective_scope"] = [scope.to_json() for scope in timeline]
    _check_shape(doc)  # never hand out what a verifier would refuse
    return doc


def _signing_payload(doc: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "signatures"}
    try:
        return SIGNING_DOMAIN + canonical_json(body)
    except InputError as e:
        raise TrustListError(f"the trust list cannot be canonicalised: {e.message}", reason="malformed") from e


def sign_trust_list(doc: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of ``doc`` with one more registry signature (Ed25519, replacing one by the same key)."""
    _check_shape(doc)
    raw = key.public_key().public_bytes_raw()
    entry = {"keyid": key_id(raw), "alg": "Ed25519", "sig": b64url_encode(key.sign(_signing_payload(doc)))}
    others = [s for s in doc.get("signatures", []) if s["keyid"] != entry["keyid"]]
    return {**doc, "signatures": [*others, entry]}


# --- parsing ------------------------------------------------------------------------------------


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(dict(load_schema("trust-list-1.0.json")))


def _check_shape(doc: Any) -> None:
    if not isinstance(doc, Mapping):
        raise TrustListError("a trust list is a JSON object", Location(pointer=""))
    if doc.get("format") != FORMAT:
        raise TrustListError(
            f"format is {doc.get('format')!r}; this verifier reads {FORMAT!r}", Location(pointer="/format")
        )
    try:
        errors = list(_validator().iter_errors(doc))
    except (ValueError, TypeError, OverflowError) as e:
        raise TrustListError(f"the trust list is not JSON data: {e}", Location(pointer="")) from e
    if errors:
        first = min(errors, key=lambda err: pointer_of(err.instance_path))
        pointer = pointer_of(first.instance_path)
        if type(first.kind).__name__ == "Required" and isinstance(first.kind.property, str):
            pointer += "/" + escape_pointer_token(first.kind.property)
        message = f"the trust list does not match its schema ({len(errors)} problem(s)): {first.message}"
        raise TrustListError(message, Location(pointer=pointer))


def _check_signatures(doc: Mapping[str, Any], registry_keys: TrustedKeys) -> None:
    entries = doc.get("signatures") or []
    if not entries:
        raise TrustListError("the trust list is not signed", Location(pointer="/signatures"), reason="unsigned")
    payload = _signing_payload(doc)
    for entry in entries:
        try:
            signature = b64url_decode(entry["sig"])
        except ValueError:
            continue
        if any(k.verifies(signature, payload) for k in registry_keys.get(entry["keyid"])):
            return
    raise TrustListError(
        "no signature on the trust list verifies with a trusted registry key",
        Location(pointer="/signatures"),
        reason="bad_signature",
    )


def _time(text: str, pointer: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as e:
        raise TrustListError(f"{text!r} is not a valid UTC time", Location(pointer=pointer)) from e


def _coordinate(jwk: Mapping[str, Any], name: str, pointer: str) -> int:
    try:
        raw = b64url_decode(jwk[name])
    except ValueError as e:
        raise TrustListError(f"{name} is not canonical base64url: {e}", Location(pointer=f"{pointer}/{name}")) from e
    return int.from_bytes(raw, "big")


def _parse_key(jwk: Mapping[str, Any], pointer: str) -> TrustedKey:
    x, y = _coordinate(jwk, "x", pointer), _coordinate(jwk, "y", pointer)
    try:
        public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError as e:
        raise TrustListError("x, y is not a point on P-256", Location(pointer=f"{pointer}/x"), reason="bad_key") from e
    if kid_of(public) != jwk["kid"]:
        message = f"kid {jwk['kid']} does not match the key, whose kid is {kid_of(public)}"
        raise TrustListError(message, Location(pointer=f"{pointer}/kid"), reason="kid_mismatch")
    usage_from, usage_until = (
        _time(jwk["usage_from"], f"{pointer}/usage_from"),
        _time(jwk["usage_until"], f"{pointer}/usage_until"),
    )
    if usage_until < usage_from:
        raise TrustListError("usage_until is before usage_from", Location(pointer=f"{pointer}/usage_until"))
    verify_until = _time(jwk["verify_until"], f"{pointer}/verify_until") if jwk["verify_until"] else None
    try:
        scope = KeyScope(schemes=tuple(jwk["scope"]["schemes"]), categories=tuple(jwk["scope"]["categories"]))
    except ValidationError as e:
        message = f"scope is invalid: {e.errors()[0]['msg']}"
        raise TrustListError(message, Location(pointer=f"{pointer}/scope"), reason="bad_key") from e
    state = KeyState(jwk["state"])
    withdrawn_from = _time(jwk["withdrawn_from"], f"{pointer}/withdrawn_from") if jwk.get("withdrawn_from") else None
    return TrustedKey(
        jwk["kid"], jwk["certifier"], scope, state, usage_from, usage_until, verify_until, public, withdrawn_from
    )


def _parse_grant(entry: Mapping[str, Any], pointer: str) -> Recorded:
    """One accreditation version of the trust list (its shape already checked by the schema)."""
    from datetime import date

    try:
        accreditation = Accreditation(
            id=entry["id"],
            version=entry["version"],
            certifier=entry["certifier"],
            change=entry["change"],
            state=entry["state"],
            scope=Scope(**entry["scope"]),
            valid_from=date.fromisoformat(entry["valid_from"]),
            valid_until=date.fromisoformat(entry["valid_until"]),
        )
    except (ValidationError, ValueError) as e:
        raise TrustListError(f"accreditation entry is invalid: {e}", Location(pointer=pointer)) from e
    return Recorded(accreditation, entry["digest"], _time(entry["recorded_at"], f"{pointer}/recorded_at"))


def trusted_spki(key: TrustedKey) -> bytes:
    """DER SubjectPublicKeyInfo of a trusted key (for export, e.g. to WebCrypto)."""
    return spki_der(key.public_key)
