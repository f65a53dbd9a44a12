"""A running registry per backend: SQLite always, PostgreSQL when reachable (a fresh database each run)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from api_support import Service
from fastapi.testclient import TestClient

from registry.api.app import build_context, create_app
from registry.service.bootstrap import IssuedSecret, init_data_dir
from registry.service.ratelimit import FailureLimiter
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import CredentialCreate, CredentialKind, OrganisationCreate, OrgKind
from registry.storage.settings import StorageSettings

PG_ADMIN = os.environ.get("PCFREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as e:
        return f"PostgreSQL not reachable at 127.0.0.1:5432: {' '.join(str(e).split())}"
    return None


def _extra_org(engine: Any, org_id: str, kind: OrgKind, cred_kind: CredentialKind) -> IssuedSecret:
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id=org_id, name=org_id, kind=kind), now=now)
        issued = repo.create_credential(s, CredentialCreate(org_id=org_id, kind=cred_kind), now=now)
    return IssuedSecret(org_id, cred_kind.value, issued.credential.client_id, issued.secret)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    database_url = None
    dbname = None
    if request.param == "postgresql":
        reason = _pg_reason()
        if reason:
            pytest.skip(reason)
        dbname = f"pcfreg_api_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"
    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    report = init_data_dir(StorageSettings(data_dir=data_dir, database_url=database_url), now=datetime.now(UTC))
    ctx = build_context(data_dir, database_url=database_url)
    # Every test here calls from one address ("testclient") and many send bogus credentials on purpose;
    # the failure limits themselves are tested in test_auth_hardening.py with a limiter of their own.
    ctx.limiter = FailureLimiter({"client": 1_000_000, "address": 1_000_000})
    creds = {c.org_id: c for c in report.credentials}
    creds["other-body"] = _extra_org(ctx.engine, "other-body", OrgKind.STANDARDS_BODY, CredentialKind.CLIENT_SECRET)
    creds["other-certifier"] = _extra_org(
        ctx.engine, "other-certifier", OrgKind.CERTIFIER, CredentialKind.CLIENT_SECRET
    )
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        yield Service(client, ctx, data_dir, creds, request.param)
    ctx.engine.dispose()
    if dbname:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
