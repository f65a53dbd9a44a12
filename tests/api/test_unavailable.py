"""When the database cannot be reached, every route that needs it answers 503 problem+json."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from api_support import problem
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.api.auth import TokenIssuer
from registry.api.deps import ServiceContext
from registry.service.principal import Principal
from registry.storage.db import make_engine


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture(scope="module")
def down() -> Iterator[tuple[TestClient, ServiceContext]]:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/gone?connect_timeout=2")
    ctx = ServiceContext(engine=engine, tokens=TokenIssuer(b"k" * 32))
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        yield client, ctx
    engine.dispose()


def test_reads_and_writes_answer_503(down: tuple[TestClient, ServiceContext]) -> None:
    client, ctx = down
    assert client.get("/healthz").status_code == 200  # liveness does not need the database
    assert problem(client.get("/readyz"), 503)["type"].endswith("/storage-unavailable")
    problem(client.get("/v1/rulepacks"), 503)
    problem(client.get("/v1/rulepacks/example-standards-body/core"), 503)
    form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
    problem(client.post("/v1/auth/token", data=form), 503)
    token, _ = ctx.tokens.issue(Principal("demo-certifier", "certifier", "c", "token"), ctx.clock())
    body = problem(client.get("/v1/validations", headers={"Authorization": f"Bearer {token}"}), 503)
    assert "database unavailable" in body["detail"]
