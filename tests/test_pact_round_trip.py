"""Round trip: ``pcfreg pact pull`` from the registry's own PACT host, served by ``pcfreg serve --dev-cert``.

The host side (``/auth/token``, ``/3/footprints``, sharing) comes from branch i16-host; in a tree
without it this module is skipped and says so.
"""

from __future__ import annotations

import json
import re
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
