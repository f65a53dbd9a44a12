from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from storage_support import NOW, add_org

from registry.errors import InputError
from registry.storage import hashing, repo
from registry.storage.db import session_scope
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import (
    CredentialCreate,
    CredentialKind,
    CredentialPublic,
    OrganisationCreate,
    OrgKind,
    PublisherKeyCreate,
)

JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}


def test_organisations_create_get_list(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s, "zeta-certifier", OrgKind.CERTIFIER)
        add_org(s, "alpha-body")
    with session_scope(engine) as s:
        org = repo.get_organisation(s, "zeta-certifier")
        assert (org.name, org.kind, org.created_at) == ("Zeta-Certifier", OrgKind.CERTIFIER, NOW)
        assert [o.id for o in repo.list_organisations(s)] == ["alpha-body", "zeta-certifier"]
        assert [o.id for o in repo.list_organisations(s, kind=OrgKind.CERTIFIER)] == ["zeta-certifier"]
        assert [o.id for o in repo.list_organisations(s, limit=1, offset=1)] == ["zeta-certifier"]
        with pytest.raises(NotFound):
            repo.get_organisation(s, "nobody")


def test_duplicate_organisation_is_conflict(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s, "acme")
    with pytest.raises(Conflict), session_scope(engine) as s:
        add_org(s, "acme")


@pytest.mark.parametrize("bad", ["Acme", "-acme", "acme-", "a" * 65, "ac_me", ""])
def test_organisation_id_is_namespace_like(bad: str) -> None:
    with pytest.raises(ValidationError):
        OrganisationCreate(id=bad, name="x", kind=OrgKind.PLATFORM)


def test_credential_lifecycle(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s, "cert-co", OrgKind.CERTIFIER)
        issued = repo.create_credential(
            s, CredentialCreate(org_id="cert-co", kind=CredentialKind.CLIENT_SECRET), now=NOW
        )
        api_key = repo.create_credential(
            s, CredentialCreate(org_id="cert-co", kind=CredentialKind.API_KEY, label="ci"), now=NOW + timedelta(1)
        )
    cid, secret = issued.credential.client_id, issued.secret
    assert cid.startswith("cli_") and api_key.credential.client_id.startswith("key_")
    assert secret not in repr(issued) and secret not in issued.credential.secret_hash
    assert issued.credential.secret_hash.startswith("scrypt$")
    assert "secret_hash" not in CredentialPublic.model_validate(issued.credential, from_attributes=True).model_dump()

    with session_scope(engine) as s:
        org = repo.verify_credential(s, cid, secret)
        assert org is not None and org.id == "cert-co"
        assert repo.verify_credential(s, cid, secret + "x") is None
        assert repo.verify_credential(s, cid, "") is None
        assert repo.verify_credential(s, "cli_unknown", secret) is None
        assert repo.verify_credential(s, api_key.credential.client_id, secret) is None  # another's secret

        used = NOW + timedelta(minutes=5)
        repo.mark_credential_used(s, cid, now=used)
        assert repo.get_credential(s, cid).last_used_at == used
        assert [c.client_id for c in repo.list_credentials(s, "cert-co")] == [cid, api_key.credential.client_id]

        with pytest.raises(NotFound):
            repo.revoke_credential(s, cid, org_id="someone-else")
        revoked = repo.revoke_credential(s, cid, now=NOW + timedelta(hours=1))
        repo.revoke_credential(s, cid, now=NOW + timedelta(hours=2))  # idempotent, keeps the first time
        assert revoked.revoked_at == NOW + timedelta(hours=1)
    with session_scope(engine) as s:
        assert repo.verify_credential(s, cid, secret) is None
        assert repo.verify_credential(s, api_key.credential.client_id, api_key.secret) is not None
        with pytest.raises(NotFound):
            repo.mark_credential_used(s, "cli_unknown")


def test_credential_for_unknown_org_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound), session_scope(engine) as s:
        repo.create_credential(s, CredentialCreate(org_id="ghost", kind=CredentialKind.API_KEY))


def test_check_secret_refuses_malformed_hashes() -> None:
    stored = hashing.hash_secret("s3cret")
    assert hashing.check_secret("s3cret", stored)
    assert not hashing.check_secret("s3cret", "")
    assert not hashing.check_secret("s3cret", "bcrypt$x$y$z$a$b")
    assert not hashing.check_secret("s3cret", stored.replace("scrypt$16384", "scrypt$notanumber"))
    assert not hashing.check_secret("s3cret", stored.replace("scrypt$16384", f"scrypt${2**30}"))  # maxmem
    assert hashing.hash_secret("s3cret") != stored  # salted


def test_dummy_hash_costs_a_real_check() -> None:
    """Unknown client ids run scrypt with today's parameters too (no timing oracle)."""
    params = f"scrypt${hashing.SCRYPT_N}${hashing.SCRYPT_R}${hashing.SCRYPT_P}$"
    assert hashing.DUMMY_HASH.startswith(params)
    _, _, _, _, salt, digest = hashing.DUMMY_HASH.split("$")
    assert len(hashing._unb64(salt)) == 16 and len(hashing._unb64(digest)) == hashing.SCRYPT_LEN
    assert not hashing.check_secret("anything", hashing.DUMMY_HASH)


def test_publisher_keys(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s, "esb")
        add_org(s, "other")
        repo.add_publisher_key(s, PublisherKeyCreate(keyid="0123456789abcdef", org_id="esb", public_jwk=JWK), now=NOW)
        repo.add_publisher_key(
            s, PublisherKeyCreate(keyid="fedcba9876543210", org_id="esb", public_jwk=JWK), now=NOW + timedelta(1)
        )
    with session_scope(engine) as s:
        key = repo.get_publisher_key(s, "0123456789abcdef")
        assert key.public_jwk == JWK and key.org_id == "esb" and key.created_at == NOW
        assert [k.keyid for k in repo.list_publisher_keys(s, "esb")] == ["0123456789abcdef", "fedcba9876543210"]
        assert repo.list_publisher_keys(s, "other") == []
        with pytest.raises(NotFound):
            repo.revoke_publisher_key(s, "0123456789abcdef", org_id="other")
        repo.revoke_publisher_key(s, "0123456789abcdef", org_id="esb", now=NOW)
        assert [k.keyid for k in repo.list_publisher_keys(s, "esb")] == ["fedcba9876543210"]
        assert len(repo.list_publisher_keys(s, "esb", include_revoked=True)) == 2
        with pytest.raises(NotFound):
            repo.get_publisher_key(s, "0000000000000000")
        with pytest.raises(Conflict):
            repo.add_publisher_key(s, PublisherKeyCreate(keyid="fedcba9876543210", org_id="esb", public_jwk=JWK))
        with pytest.raises(NotFound):
            repo.add_publisher_key(s, PublisherKeyCreate(keyid="1111111111111111", org_id="ghost", public_jwk=JWK))
    with pytest.raises(ValidationError):
        PublisherKeyCreate(keyid="0123456789ABCDEF", org_id="esb", public_jwk=JWK)


def test_naive_time_is_refused(engine: Engine) -> None:
    with pytest.raises(InputError), session_scope(engine) as s:
        repo.create_organisation(
            s, OrganisationCreate(id="naive", name="n", kind=OrgKind.ADMIN), now=datetime(2026, 1, 1)
        )


def test_aware_timestamps_round_trip_as_utc(engine: Engine) -> None:
    beijing = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC).astimezone(timezone(timedelta(hours=8)))
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id="tz", name="tz", kind=OrgKind.ADMIN), now=beijing)
    with session_scope(engine) as s:
        stored = repo.get_organisation(s, "tz").created_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == beijing and stored.microsecond == 123456
