"""Shared by the API tests: a running service and its credentials."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from registry.api.app import ServiceContext
from registry.service.bootstrap import IssuedSecret
from registry.storage.models import CredentialKind


@dataclass
class Service:
    client: TestClient
    ctx: ServiceContext
    data_dir: Path
    creds: dict[str, IssuedSecret]
    backend: str

    def token(self, org: str) -> str:
        cred = self.creds[org]
        r = self.client.post(
            "/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(cred.client_id, cred.secret)
        )
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def headers(self, org: str) -> dict[str, str]:
        cred = self.creds[org]
        if cred.kind == CredentialKind.API_KEY.value:
            return {"X-API-Key": f"{cred.client_id}.{cred.secret}"}
        return {"Authorization": f"Bearer {self.token(org)}"}


def problem(r: Any, status: int) -> dict[str, Any]:
    """Assert ``r`` is an RFC 9457 problem with ``status``; returns its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["type"].startswith("https://pcf-registry.org/problems/")
    assert body["instance"] == f"urn:request:{r.headers['x-request-id']}"
    return body
