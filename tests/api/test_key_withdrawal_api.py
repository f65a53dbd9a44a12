"""Withdrawing a label signing key after a compromise, over the API and the CLI (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from api_support import Service, problem
from click.testing import CliRunner

from registry import cli


def _active_kid(service: Service, certifier: str) -> str:
    keys = service.client.get("/v1/trust-list").json()["keys"]
    return str(next(k["kid"] for k in keys if k["certifier"] == certifier and k["state"] == "active"))


def test_withdraw_from_a_time_shows_in_the_next_trust_list(service: Service) -> None:
    old = _active_kid(service, "demo-certifier")
    mine = service.headers("demo-certifier")
    path = f"/v1/certifiers/demo-certifier/keys/{old}:withdraw"
    problem(service.client.post(path, json={}, headers=service.headers("other-certifier")), 403)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert "future" in problem(service.client.post(path, json={"refuse_from": future}, headers=mine), 422)["detail"]
    problem(service.client.post(path, json={"refuse_from": "2026-06-30T13:00:00"}, headers=mine), 422)  # no zone
    problem(service.client.post("/v1/certifiers/demo-certifier/keys/NOTAKID:withdraw", json={}, headers=mine), 422)

    assert service.client.post("/v1/certifiers/demo-certifier/keys:rotate", headers=mine).status_code == 201
    r = service.client.post(path, json={"refuse_from": "2026-06-30T13:00:00Z"}, headers=mine)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn" and r.json()["withdrawn_from"].startswith("2026-06-30T13:00:00")
    listed = next(k for k in service.client.get("/v1/trust-list").json()["keys"] if k["kid"] == old)
    assert listed["state"] == "withdrawn" and listed["withdrawn_from"] == "2026-06-30T13:00:00Z"


def test_cli_withdraw(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init", "--data-dir", data]).exit_code == 0
    trust = runner.invoke(cli.main, ["trust", "export", "--data-dir", data])
    import json

    kid = json.loads(trust.stdout)["keys"][0]["kid"]
    naive = runner.invoke(cli.main, ["keys", "withdraw", kid, "--certifier", "demo-certifier", "--from", "2026-01-01"])
    assert naive.exit_code == 2 and "time zone" in naive.stderr
    args = ["keys", "withdraw", kid, "--certifier", "demo-certifier", "--from", "2026-01-01T00:00:00Z"]
    done = runner.invoke(cli.main, [*args, "--data-dir", data])
    assert done.exit_code == 0 and "from 2026-01-01T00:00:00Z on are refused" in done.stdout
    after = json.loads(runner.invoke(cli.main, ["trust", "export", "--data-dir", data]).stdout)
    assert after["keys"][0]["state"] == "withdrawn" and after["keys"][0]["withdrawn_from"] == "2026-01-01T00:00:00Z"
