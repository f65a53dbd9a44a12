"""``pcfreg accreditations`` and ``pcfreg label issue`` outside a certifier's accreditation (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from registry import cli
from registry.packs.catalog import Catalog
from registry.service.bootstrap import DEMO_ACCREDITATION_BODY, accreditation_key_path

GTIN = "09506000134352"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("accred") / "pcfreg-data"
    assert run("init", "--data-dir", str(d)).exit_code == 0
    made = run(
        "orgs", "create", "cli-certifier", "--name", "CLI Certifier", "--kind", "certifier", "--data-dir", str(d)
    )
    assert made.exit_code == 0, made.output
    body = run("orgs", "create", "cli-body", "--name", "CLI Body", "--kind", "accreditation-body", "--data-dir", str(d))
    assert body.exit_code == 0 and "accreditation-body" in body.output
    key = run(
        "keys", "rotate", "--certifier", "cli-certifier", "--scheme", "gb-t-24067",
        "--category", "example-standards-body/", "--data-dir", str(d),
    )  # fmt: skip
    assert key.exit_code == 0, key.output
    return d


@pytest.fixture(scope="module")
def declaration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decl") / "al.json"
    path.write_text(json.dumps(Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example))
    return path


def _doc(tmp: Path, name: str, regions: list[str], **extra: Any) -> Path:
    doc = {
        "format": "pcf-registry/accreditation/1.0",
        "id": f"{DEMO_ACCREDITATION_BODY}/{name}",
        "version": 1,
        "certifier": "cli-certifier",
        "change": "grant",
        "state": "active",
        "scope": {"schemes": ["gb-t-24067"], "categories": ["cpc:41431"], "regions": regions},
        "valid_from": "2026-01-01",
        "valid_until": "2031-01-01",
    } | extra
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


def _issue(data: Path, declaration: Path) -> Result:
    return run(
        "label", "issue", str(declaration), "--certifier", "cli-certifier", "--gtin", GTIN,
        "--format", "json", "--data-dir", str(data),
    )  # fmt: skip


def _sign_and_submit(data: Path, doc: Path, tmp: Path) -> Result:
    key = str(accreditation_key_path(data))
    signed = tmp / (doc.stem + ".signed.json")
    r = run("accreditations", "sign", str(doc), "--key", key, "--signer", DEMO_ACCREDITATION_BODY, "--out", str(signed))
    assert r.exit_code == 0, r.output
    return run("accreditations", "submit", str(signed), "--data-dir", str(data))


def test_issuing_outside_the_accreditation_exits_5_naming_what_it_lacks(
    data: Path, declaration: Path, tmp_path: Path
) -> None:
    none = _issue(data, declaration)
    assert none.exit_code == 5 and "lacks accreditation" in none.stderr and none.stdout == ""
    germany = _sign_and_submit(data, _doc(tmp_path, "cli-de", ["DE"]), tmp_path)
    assert germany.exit_code == 0 and "stored: demo-accreditation-body/cli-de@1 grant -> active" in germany.stdout
    refused = _issue(data, declaration)
    assert refused.exit_code == 5 and "lacks region: CN" in refused.stderr
    assert _sign_and_submit(data, _doc(tmp_path, "cli-cn", ["CN"]), tmp_path).exit_code == 0
    issued = _issue(data, declaration)
    assert issued.exit_code == 0, issued.stderr
    listed = run("accreditations", "list", "--certifier", "cli-certifier", "--data-dir", str(data))
    assert "demo-accreditation-body/cli-cn@1  cli-certifier  active" in listed.stdout
    rows = json.loads(run("accreditations", "list", "--json", "--data-dir", str(data)).stdout)
    assert {r["id"] for r in rows} >= {f"{DEMO_ACCREDITATION_BODY}/demo-certifier", f"{DEMO_ACCREDITATION_BODY}/cli-cn"}


def test_a_bad_document_or_a_wrong_signer_is_refused_with_where(data: Path, tmp_path: Path) -> None:
    bad = _doc(tmp_path, "cli-bad", ["china"])
    key = str(accreditation_key_path(data))
    r = run("accreditations", "sign", str(bad), "--key", key, "--signer", DEMO_ACCREDITATION_BODY)
    assert r.exit_code == 2 and "/scope/regions/0" in r.stderr
    good = _doc(tmp_path, "cli-ok", ["CN"])
    r = run("accreditations", "sign", str(good), "--key", key, "--signer", "cli-body")
    assert r.exit_code == 2 and "may not sign for namespace" in r.stderr
    # signed by the demo body's key, but for cli-body's namespace: its registered keys (none) cannot check it
    doc = json.loads(good.read_text()) | {"id": "cli-body/x"}
    good.write_text(json.dumps(doc))
    signed = run("accreditations", "sign", str(good), "--key", key, "--signer", "cli-body")
    assert signed.exit_code == 0
    out = tmp_path / "x.json"
    out.write_text(signed.stdout)
    r = run("accreditations", "submit", str(out), "--data-dir", str(data))
    assert r.exit_code == 2 and "cli-body has no registered signing key" in r.stderr
