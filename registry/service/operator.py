"""Operator actions behind ``pcfreg orgs`` and ``pcfreg credentials``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry.service import credentials
from registry.service.bootstrap import IssuedSecret
from registry.service.principal import Principal
from registry.storage import repo
from registry.storage.db import make_engine, migrate, session_scope
from registry.storage.models import CredentialCreate, CredentialKind, OrganisationCreate, OrgKind
from registry.storage.settings import StorageSettings, database_url_for


def _engine(data_dir: Path, *, background_checkpoints: bool = False) -> Any:
    data_dir.mkdir(parents=True, exist_ok=True)
    url = database_url_for(StorageSettings(data_dir=data_dir))
    engine = make_engine(url, background_checkpoints=background_checkpoints)
    migrate(engine)
    return engine


def create_org(data_dir: Path, org_id: str, name: str, kind: str, jurisdiction: Sequence[str] = ()) -> None:
    """Create an organisation; a regulator needs its jurisdiction (ISO 3166-1/-2 regions), no other kind has one."""
    from registry.errors import InputError, Location
    from registry.service.supervision import create_regulator

    now = datetime.now(UTC)
    with session_scope(_engine(data_dir)) as s:
        if OrgKind(kind) is OrgKind.REGULATOR:
            create_regulator(s, org_id, name, jurisdiction, now=now)
            return
        if jurisdiction:
            raise InputError(f"only a regulator has a jurisdiction, not a {kind}", Location(pointer="/jurisdiction"))
        repo.create_organisation(s, OrganisationCreate(id=org_id, name=name, kind=OrgKind(kind)), now=now)


def list_orgs(data_dir: Path) -> list[dict[str, str]]:
    with session_scope(_engine(data_dir), write=False) as s:
        return [{"id": o.id, "kind": o.kind.value, "name": o.name} for o in repo.list_organisations(s)]


def set_contact(data_dir: Path, org_id: str, parts: dict[str, str]) -> dict[str, str] | None:
    """Replace an organisation's public contact; the contact as stored (None: none)."""
    from registry.service.contacts import contact_of, parse_contact
    from registry.service.contacts import set_contact as store_contact

    contact = parse_contact(parts)
    with session_scope(_engine(data_dir)) as s:
        stored = contact_of(store_contact(s, OPERATOR, org_id, contact, now=datetime.now(UTC)))
        return stored.to_json() if stored else None


def create_credential(data_dir: Path, org_id: str, kind: str, label: str) -> IssuedSecret:
    with session_scope(_engine(data_dir)) as s:
        issued = repo.create_credential(
            s, CredentialCreate(org_id=org_id, kind=CredentialKind(kind), label=label), now=datetime.now(UTC)
        )
        return IssuedSecret(org_id, kind, issued.credential.client_id, issued.secret)


# The operator at the data directory acts as the registry's admin.
OPERATOR = Principal(org_id="registry-admin", kind="admin", client_id="pcfreg-operator", via="cli")


def list_credentials(data_dir: Path, org_id: str) -> list[dict[str, Any]]:
    with session_scope(_engine(data_dir), write=False) as s:
        return [credentials.credential_public(c) for c in credentials.list_credentials(s, OPERATOR, org_id)]


def revoke_credential(data_dir: Path, org_id: str, client_id: str) -> dict[str, Any]:
    with session_scope(_engine(data_dir)) as s:
        return credentials.credential_public(credentials.revoke(s, OPERATOR, org_id, client_id, now=datetime.now(UTC)))


def rotate_credential(data_dir: Path, org_id: str, client_id: str) -> credentials.NewCredential:
    with session_scope(_engine(data_dir)) as s:
        return credentials.rotate(s, OPERATOR, org_id, client_id, now=datetime.now(UTC))


def register_key(data_dir: Path, org_id: str, public_path: Path) -> str:
    """Add a publisher's Ed25519 public key (one JWK in a file); returns its key id."""
    from registry.inputs import parse_json, read_input
    from registry.service.publisher_keys import register_public_jwk

    jwk = parse_json(read_input(str(public_path)), file=str(public_path))
    with session_scope(_engine(data_dir)) as s:
        row, _ = register_public_jwk(s, org_id, jwk, now=datetime.now(UTC), source=str(public_path))
        return row.keyid


def submit_accreditation(data_dir: Path, envelope_path: Path) -> dict[str, Any]:
    """Store a signed accreditation version (the operator passes on what the body signed; the body's
    signature is checked against its registered keys as for any submission)."""
    from registry.inputs import parse_json, read_input
    from registry.service import accreditations

    envelope = parse_json(read_input(str(envelope_path)), file=str(envelope_path))
    with session_scope(_engine(data_dir)) as s:
        done = accreditations.submit(s, OPERATOR, envelope, now=datetime.now(UTC))
        out = accreditations.version_json(done.row)
        return out | {"created": done.created, "labels_changed": [label.id for label in done.labels]}


def list_accreditations(data_dir: Path, certifier: str | None) -> list[dict[str, Any]]:
    from registry.service import accreditations
    from registry.storage import accreditations as store

    with session_scope(_engine(data_dir), write=False) as s:
        return [accreditations.version_json(r) for r in store.versions(s, certifier_id=certifier)]
