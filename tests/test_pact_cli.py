"""``pcfreg pact pull|request|requests`` and ``pcfreg serve``'s TLS options, as a user runs them."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pact_fake_host import CLIENT_ID, CLIENT_SECRET, HostState, conforms, footprints, serving
from sqlmodel import Session, select

from registry import cli
from registry.storage.db import make_engine
from registry.storage.models import Validation
from registry.storage.settings import StorageSettings, database_url_for

ORG = "buyer-co"


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(cli.main, list(args), env=env)
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


@pytest.fixture
def data(tmp_path: Path) -> str:
    path = str(tmp_path / "data")
    made = run("orgs", "create", ORG, "--name", "Buyer", "--kind", "platform", "--data-dir", path)
    assert made.exit_code == 0, made.stderr
    return path


def _pull(base: str, data: str, *more: str) -> Any:
    return run("pact", "pull", base, "--client-id", CLIENT_ID, "--org", ORG, "--data-dir", data, *more,
               env={"PCFREG_PACT_CLIENT_SECRET": CLIENT_SECRET})  # fmt: skip


def test_pull_stores_then_finds_them_stored(data: str) -> None:
    state = HostState(footprints=footprints(3))
    with serving(state) as host:
        first = _pull(host.base, data, "--json", "--product-id", "urn:a", "--limit", "2")
        second = _pull(host.base, data)
    assert first.exit_code == 0, first.output
    body = json.loads(first.stdout)
    assert body["complete"] and body["stored"] == 3 and body["pages"] == 2 and body["stopped"] is None
    assert all(f["digest"].startswith("sha256:") and f["validation_id"] for f in body["footprints"])
    assert state.queries[0]["productId"] == ["urn:a"] and state.queries[0]["limit"] == ["2"]
    assert second.exit_code == 0 and "0 stored, 3 already stored, 0 refused" in second.stdout
    conforms(body)
    engine = make_engine(database_url_for(StorageSettings(data_dir=Path(data))))
    with Session(engine) as s:
        rows = list(s.exec(select(Validation)))
    assert len(rows) == 3
    for row in rows:
        conforms(row.result["supplier"], "Supplier")


def test_pull_that_stops_on_page_2_exits_5_and_says_where(data: str) -> None:
    state = HostState(footprints=footprints(4), fail_page=2)
    with serving(state) as host:
        done = _pull(host.base, data)
    assert done.exit_code == 5
    with serving(HostState(footprints=footprints(4), fail_page=2)) as host:
        conforms(json.loads(_pull(host.base, data, "--json").stdout))
    assert "2 stored" in done.stdout and "STOPPED at page 2" in done.stdout and "partner-http-error" in done.stdout


def test_pull_of_a_malformed_or_not_conformant_footprint(data: str) -> None:
    bad = footprints(2)
    bad[1]["pcf"]["pcfExcludingBiogenicUptake"] = "9.99"  # no longer the sum of its parts
    with serving(HostState(footprints=bad)) as host:
        not_conformant = _pull(host.base, data, "--json")
    assert not_conformant.exit_code == 1
    assert json.loads(not_conformant.stdout)["not_conformant"] == 1
    with serving(HostState(footprints=[{"id": 1}])) as host:
        malformed = _pull(host.base, data)
    assert malformed.exit_code == 5 and "REFUSED" in malformed.stdout and "partner-bad-footprint" in malformed.stdout
    conforms(json.loads(not_conformant.stdout))


def test_pull_refuses_unusable_input(tmp_path: Path, data: str) -> None:
    missing = _pull("http://127.0.0.1:9", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "run pcfreg init" in missing.stderr
    unknown = run("pact", "pull", "http://127.0.0.1:9", "--client-id", "c", "--client-secret", "s",
                  "--org", "nobody", "--data-dir", data)  # fmt: skip
    assert unknown.exit_code == 2 and "nobody" in unknown.stderr
    not_url = _pull("ftp://x", data)
    assert not_url.exit_code == 2 and "not an http(s) URL" in not_url.stderr
    plain = _pull("http://supplier.example", data)
    assert plain.exit_code == 2 and "HTTPS only" in plain.stderr


def test_request_then_requests(data: str) -> None:
    state = HostState(footprints=footprints(1), answer_requests=False)
    with serving(state) as host:
        sent = run("pact", "request", host.base, "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
                   "--org", ORG, "--data-dir", data, "--product-id", "urn:p", "--source", "https://me.example",
                   "--json")  # fmt: skip
    assert sent.exit_code == 0, sent.output
    request_id = json.loads(sent.stdout)["request_id"]
    conforms(json.loads(sent.stdout), "RequestSent")
    assert state.events[0]["id"] == request_id and state.events[0]["source"] == "https://me.example"
    listed = run("pact", "requests", "--org", ORG, "--data-dir", data)
    (row,) = json.loads(listed.stdout)
    conforms(row, "Request")
    assert row["request_id"] == request_id and row["state"] == "sent" and row["criteria"] == {"productId": ["urn:p"]}
    no_source = run("pact", "request", host.base, "--client-id", "c", "--client-secret", "s", "--org", ORG,
                    "--data-dir", data, "--product-id", "urn:p", env={"PCFREG_PUBLIC_URL": ""})  # fmt: skip
    assert no_source.exit_code == 2 and "--source" in no_source.stderr


def test_serve_refuses_half_a_tls_pair(tmp_path: Path) -> None:
    data = tmp_path / "d"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    half = run("serve", "--data-dir", str(data), "--port", port, "--tls-cert", "x.pem")
    assert half.exit_code == 2
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    bad = run("serve", "--data-dir", str(data), "--port", port, "--tls-cert", str(junk), "--tls-key", str(junk))
    assert bad.exit_code == 2 and "not a PEM certificate and its private key" in bad.stderr
    both = run("serve", "--data-dir", str(data), "--port", port, "--dev-cert", "--tls-cert", str(junk),
               "--tls-key", str(junk))  # fmt: skip
    assert both.exit_code == 2 and "either --dev-cert" in both.stderr
    assert not data.exists()  # nothing made when it cannot serve
