"""Authentication that cannot be used to block the service (issue 10).

* credential checks (scrypt) run outside any database transaction, so they hold no write lock;
* failed attempts are limited per client id and per source address: 429 with Retry-After;
* a revoked credential's tokens and API keys stop working within seconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_support import Service, problem
from fastapi.testclient import TestClient

from registry.service.ratelimit import FailureLimiter
from registry.storage import hashing


@pytest.fixture
def clock(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """A clock the test moves: ``clock[0] += timedelta(...)``."""
    now = [datetime.now(UTC)]
    monkeypatch.setattr(service.ctx, "clock", lambda: now[0])
    yield now


def _token(client: TestClient, client_id: str, secret: str) -> Any:
    return client.post("/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))


def test_secret_check_holds_no_write_lock(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """While scrypt runs for a token request, another writer can take SQLite's write lock at once."""
    if service.backend != "sqlite":
        pytest.skip("the write lock this checks is SQLite's (BEGIN IMMEDIATE)")
    db = service.data_dir / "pcfreg.db"
    outcomes: list[str] = []
    real = hashing._scrypt

    def scrypt_while_writing(*args: Any) -> bytes:
        other = sqlite3.connect(db, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            outcomes.append("free")
        except sqlite3.OperationalError as e:
            outcomes.append(str(e))
        finally:
            other.close()
        return real(*args)

    monkeypatch.setattr(hashing, "_scrypt", scrypt_while_writing)
    cred = service.creds["demo-certifier"]
    assert _token(service.client, cred.client_id, "wrong").status_code == 401
    assert _token(service.client, cred.client_id, cred.secret).status_code == 200
    platform = service.creds["demo-platform"]
    bogus_key = {"X-API-Key": f"{platform.client_id}.wrong"}
    assert service.client.get("/v1/validations", headers=bogus_key).status_code == 401
    assert outcomes == ["free", "free", "free"]


def test_failures_limited_per_client_id(
    service: Service, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.ctx, "limiter", FailureLimiter({"client": 3, "address": 3}, window=60), raising=False)
    cred = service.creds["demo-certifier"]
    for _ in range(3):
        problem(_token(service.client, cred.client_id, "wrong"), 401)
    # from another address too, and even with the right secret: the id is locked for the window
    elsewhere = TestClient(service.client.app, client=("192.0.2.7", 4000), raise_server_exceptions=False)
    refused = _token(elsewhere, cred.client_id, cred.secret)
    body = problem(refused, 429)
    assert body["error"] == "slow_down" or body["type"].endswith("/too-many-attempts")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    clock[0] += timedelta(seconds=61)
    assert _token(elsewhere, cred.client_id, cred.secret).status_code == 200


def test_failures_limited_per_source_address(
    service: Service, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.ctx, "limiter", FailureLimiter({"client": 3, "address": 3}, window=60), raising=False)
    attacker = TestClient(service.client.app, client=("198.51.100.9", 4000), raise_server_exceptions=False)
    for i in range(3):  # a different (unknown) client id each time
        problem(_token(attacker, f"cli_guess{i}", "wrong"), 401)
    refused = problem(_token(attacker, "cli_guess9", "wrong"), 429)
    assert "address" in refused["detail"]
    platform = service.creds["demo-platform"]
    bogus_key = {"X-API-Key": f"{platform.client_id}.wrong"}
    problem(attacker.get("/v1/validations", headers=bogus_key), 429)
    # another address is not affected; a genuine client keeps working
    assert service.token("demo-certifier")


# ------------------------------------------------------------------ credential life cycle


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _new_credential(service: Service, org: str, kind: str = "client-secret") -> dict[str, Any]:
    r = service.client.post(
        f"/v1/orgs/{org}/credentials", json={"kind": kind, "label": "test"}, headers=service.headers(org)
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert body["org_id"] == org and body["kind"] == kind and body["revoked_at"] is None
    return body


def test_revoked_credential_tokens_stop_working(service: Service) -> None:
    new = _new_credential(service, "demo-certifier")
    token = _token(service.client, new["client_id"], new["secret"]).json()["access_token"]
    assert service.client.get("/v1/validations", headers=_bearer(token)).status_code == 200
    listed = service.client.get("/v1/orgs/demo-certifier/credentials", headers=service.headers("demo-certifier"))
    assert new["client_id"] in [c["client_id"] for c in listed.json()]
    assert all("secret" not in c and "secret_hash" not in c for c in listed.json())
    r = service.client.post(
        f"/v1/orgs/demo-certifier/credentials/{new['client_id']}:revoke", headers=service.headers("demo-certifier")
    )
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    body = problem(service.client.get("/v1/validations", headers=_bearer(token)), 401)
    assert body["type"].endswith("/credential-revoked")
    problem(_token(service.client, new["client_id"], new["secret"]), 401)


def test_revocation_elsewhere_reaches_this_worker_within_seconds(service: Service, clock: list[datetime]) -> None:
    """Revoked by another worker (here: straight in storage): refused once the cached answer is 5 s old."""
    from registry.storage import repo
    from registry.storage.db import session_scope

    new = _new_credential(service, "demo-certifier")
    token = _token(service.client, new["client_id"], new["secret"]).json()["access_token"]
    assert service.client.get("/v1/validations", headers=_bearer(token)).status_code == 200
    with session_scope(service.ctx.engine) as s:
        repo.revoke_credential(s, new["client_id"], now=clock[0])
    clock[0] += timedelta(seconds=5)
    problem(service.client.get("/v1/validations", headers=_bearer(token)), 401)


def test_rotated_api_key_and_client_secret(service: Service) -> None:
    key = _new_credential(service, "demo-platform", "api-key")
    assert key["secret"].startswith(key["client_id"] + ".")
    headers = {"X-API-Key": key["secret"]}
    assert service.client.get("/v1/validations", headers=headers).status_code == 200
    r = service.client.post(
        f"/v1/orgs/demo-platform/credentials/{key['client_id']}:rotate", headers=service.headers("demo-platform")
    )
    assert r.status_code == 201 and r.json()["kind"] == "api-key" and r.json()["client_id"] != key["client_id"]
    problem(service.client.get("/v1/validations", headers=headers), 401)
    assert service.client.get("/v1/validations", headers={"X-API-Key": r.json()["secret"]}).status_code == 200
    again = service.client.post(
        f"/v1/orgs/demo-platform/credentials/{key['client_id']}:rotate", headers=service.headers("demo-platform")
    )
    problem(again, 409)


def test_credentials_are_the_organisations_own(service: Service) -> None:
    mine = service.client.get("/v1/orgs/demo-certifier/credentials", headers=service.headers("demo-certifier"))
    victim = mine.json()[0]["client_id"]
    other = service.headers("other-certifier")
    problem(service.client.get("/v1/orgs/demo-certifier/credentials", headers=other), 403)
    problem(service.client.post(f"/v1/orgs/demo-certifier/credentials/{victim}:revoke", headers=other), 403)
    problem(service.client.post(f"/v1/orgs/other-certifier/credentials/{victim}:revoke", headers=other), 404)
    admin = service.client.get("/v1/orgs/demo-certifier/credentials", headers=service.headers("registry-admin"))
    assert admin.status_code == 200 and victim in [c["client_id"] for c in admin.json()]
    problem(service.client.get("/v1/orgs/Not_An_Org/credentials", headers=service.headers("registry-admin")), 422)
