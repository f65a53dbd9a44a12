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
