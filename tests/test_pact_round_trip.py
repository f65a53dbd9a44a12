"""Round trip: ``pcfreg pact pull`` from the registry's own PACT host, served by ``pcfreg serve --dev-cert``.

The host side (``/auth/token``, ``/3/footprints``, ``/3/events``, sharing) comes from branch i16-host;
in a tree without it this module is skipped and says so. The request round trip also needs the host's
``POST /3/events`` route to hand answer events to ``pact_requests.record_request_answer`` (ADR 0018).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pact_fake_host import conforms, serving_registry

from registry import cli
from registry.packs import Catalog, validate_document
from registry.storage import repo
from registry.storage.db import make_engine, session_scope
from registry.storage.settings import StorageSettings, database_url_for

pytest.importorskip("registry.service.pact_host", reason="the PACT host (branch i16-host) is not in this tree")


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(cli.main, list(args), env=env)
    assert "Traceback" not in (result.output + (result.stderr or "")), result.output
    return result


def _stored_validation(data: Path, declaration: dict[str, Any]) -> str:
    """A conformant validation of ``declaration`` by demo-certifier, stored in the host's data directory."""
    now = datetime.now(UTC)
    result = validate_document(Catalog.bundled(), declaration, pack=None, now=now)
    assert result.conformant
    engine = make_engine(database_url_for(StorageSettings(data_dir=data)))
    with session_scope(engine) as s:
        vid = repo.insert_validation(s, org_id="demo-certifier", result=result, declaration=declaration, now=now).id
    engine.dispose()
    return vid


def test_pull_from_the_registrys_own_host_over_https(tmp_path: Path) -> None:
    host, buyer = tmp_path / "host-data", str(tmp_path / "buyer-data")
    assert run("init", "--data-dir", str(host)).exit_code == 0
    buyer_org = ("orgs", "create", "buyer", "--name", "Buyer", "--kind", "platform", "--data-dir")
    assert run(*buyer_org, str(host)).exit_code == 0
    made = run("credentials", "create", "--org", "buyer", "--data-dir", str(host))
    client_id, secret = re.search(r"client_id (\S+)\s+client_secret (\S+)", made.stdout).groups()  # type: ignore[union-attr]
    example = Catalog.bundled().resolve("example-standards-body/pact-v3").example
    assert example is not None
    vid = _stored_validation(host, example)
    shared = run("pact", "share", vid, "--client", client_id, "--org", "demo-certifier", "--data-dir", str(host))
    assert shared.exit_code == 0, shared.output
    assert run(*buyer_org, buyer).exit_code == 0

    with serving_registry(host, "--dev-cert") as (base, _):
        pulled = run("pact", "pull", base, "--client-id", client_id, "--org", "buyer", "--data-dir", buyer,
                     "--ca-file", str(host / "tls" / "dev-cert.pem"), "--json",
                     env={"PCFREG_PACT_CLIENT_SECRET": secret})  # fmt: skip
        plain = run("pact", "pull", base.replace("https://", "http://"), "--client-id", client_id, "--org", "buyer",
                    "--data-dir", buyer, "--json", env={"PCFREG_PACT_CLIENT_SECRET": secret})  # fmt: skip
    report = json.loads(pulled.stdout)
    conforms(report)
    assert pulled.exit_code == 0, pulled.output
    assert report["complete"] and report["discovered"] and report["stored"] == 1
    (footprint,) = report["footprints"]
    assert footprint["footprint_id"] == example["id"] and footprint["conformant"] is True
    assert plain.exit_code == 5 and json.loads(plain.stdout)["stopped"]["code"] == "partner-unreachable"


def _credential(data: Path, org: str) -> tuple[str, str]:
    assert run("orgs", "create", org, "--name", org, "--kind", "platform", "--data-dir", str(data)).exit_code == 0
    made = run("credentials", "create", "--org", org, "--data-dir", str(data))
    found = re.search(r"client_id (\S+)\s+client_secret (\S+)", made.stdout)
    assert found, made.output
    return found[1], found[2]


def _wait_for_answer(buyer: Path, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120  # the supplier's delivery loop retries with back-off
    while True:
        listed = json.loads(run("pact", "requests", "--org", "buyer", "--data-dir", str(buyer)).stdout)
        (row,) = [r for r in listed if r["request_id"] == request_id]
        if row["state"] not in ("pending", "sent"):
            return row  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, row
        time.sleep(0.5)


def test_request_answered_by_another_registrys_host(tmp_path: Path) -> None:
    """Registry B asks registry A (both pcfreg serve --dev-cert) for a footprint; A's RequestFulfilledEvent
    arrives at B's /3/events, whose route hands it to record_request_answer, which stores it."""
    supplier, buyer = tmp_path / "supplier", tmp_path / "buyer"
    for data in (supplier, buyer):
        assert run("init", "--data-dir", str(data)).exit_code == 0
    buyer_at_supplier = _credential(supplier, "buyer")  # B calls A with this
    supplier_at_buyer = _credential(buyer, "supplier")  # A answers B with this
    example = Catalog.bundled().resolve("example-standards-body/pact-v3").example
    assert example is not None
    vid = _stored_validation(supplier, example)
    share = ("pact", "share", vid, "--client", buyer_at_supplier[0], "--org", "demo-certifier")
    assert run(*share, "--data-dir", str(supplier)).exit_code == 0
    assert (
        run("orgs", "create", "buyer", "--name", "Buyer", "--kind", "platform", "--data-dir", str(buyer)).exit_code == 0
    )

    with serving_registry(buyer, "--dev-cert") as (buyer_base, _):
        partner = run("pact", "partner", buyer_at_supplier[0], "--url", buyer_base,
                      "--remote-client-id", supplier_at_buyer[0], "--data-dir", str(supplier),
                      env={"PCFREG_PACT_REMOTE_SECRET": supplier_at_buyer[1]})  # fmt: skip
        assert partner.exit_code == 0, partner.output
        trust_buyer = {"SSL_CERT_FILE": str(buyer / "tls" / "dev-cert.pem")}
        with serving_registry(supplier, "--dev-cert", env=trust_buyer) as (supplier_base, _):
            sent = run("pact", "request", supplier_base, "--client-id", buyer_at_supplier[0], "--org", "buyer",
                       "--product-id", example["productIds"][0], "--source", buyer_base, "--data-dir", str(buyer),
                       "--ca-file", str(supplier / "tls" / "dev-cert.pem"), "--json",
                       env={"PCFREG_PACT_CLIENT_SECRET": buyer_at_supplier[1]})  # fmt: skip
            assert sent.exit_code == 0, sent.output
            row = _wait_for_answer(buyer, json.loads(sent.stdout)["request_id"])
    conforms(row, "Request")
    assert row["state"] == "fulfilled", row
    (footprint,) = row["answer"]["footprints"]
    assert footprint["status"] == "stored" and footprint["footprint_id"] == example["id"]
