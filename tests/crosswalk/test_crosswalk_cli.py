"""`pcfreg crosswalk list|show` and `pcfreg recognise`: exit codes, formats, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cw_support import ALUMINIUM, DIGEST, example

from registry import cli
from registry.crosswalk.schemas import RECOGNITION_SCHEMA_ID, schema_errors
from registry.packs.catalog import Catalog

AT = ["--at", "2026-06-30T00:00:00Z"]


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli.main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


@pytest.fixture
def decl(tmp_path: Path, catalog: Catalog) -> Path:
    path = tmp_path / "al.json"
    path.write_text(json.dumps(example(catalog, ALUMINIUM)), encoding="utf-8")
    return path


def test_list_and_show() -> None:
    listed = run("crosswalk", "list", "--format", "json")
    assert listed.exit_code == 0
    assert {s["id"] for s in json.loads(listed.stdout)} >= {"iso-14067", "pef", "catena-x", "kr-cfl"}
    text = run("crosswalk", "list")
    assert text.exit_code == 0 and "example-standards-body/gb-t-24067" in text.stdout
    shown = run("crosswalk", "show", "iso-14067", "catena-x", "--format", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["b"]["id"] == "catena-x"
    page = run("crosswalk", "show", "iso-14067", "pef", "--format", "html")
    assert page.exit_code == 0 and page.stdout.startswith("<!DOCTYPE html>")
    plain = run("crosswalk", "show", "pact-v3", "pef")
    assert plain.exit_code == 0 and "[unchecked]" in plain.stdout


def test_show_unknown_scheme_exit_2() -> None:
    result = run("crosswalk", "show", "iso-14067", "iso-9001")
    assert result.exit_code == 2 and "unknown scheme 'iso-9001'" in result.stderr


def test_recognise_json_from_the_declarations_attestations(decl: Path) -> None:
    result = run("recognise", str(decl), "--format", "json", *AT)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert schema_errors(RECOGNITION_SCHEMA_ID, body) == []
    assert body["audit"]["origin"] == "declaration" and body["source_scheme"] == "gb-t-24067"
    assert body["pack"]["id"] == ALUMINIUM


def test_recognise_with_an_audit_file_and_schemes(decl: Path, tmp_path: Path) -> None:
    audit = tmp_path / "audit.json"
    audit.write_text(json.dumps({"certifier": "demo-certifier", "date": "2026-03-01T00:00:00Z",
                                 "evidence_digest": DIGEST, "attestations": [
                                     {"requirement": "verification.statement", "statement": "Issued."}]}))  # fmt: skip
    result = run(
        "recognise", str(decl), "--audit", str(audit), "--schemes", "ghgp-product,pef", "--format", "json", *AT
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [s["scheme"] for s in body["schemes"]] == ["ghgp-product", "pef"]
    assert body["audit"]["origin"] == "audit-record"
    assert all(g["requirement"] != "verification.statement" for s in body["schemes"] for g in s["gaps"])
    page = run("recognise", str(decl), "--audit", str(audit), "--format", "html", *AT)
    assert page.exit_code == 0 and "</html>" in page.stdout


def test_recognise_refuses_a_non_conformant_declaration(tmp_path: Path, catalog: Catalog) -> None:
    doc = example(catalog, ALUMINIUM)
    doc["pcf"]["exemptedEmissionsPercent"] = "9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = run("recognise", str(path), "--format", "json", *AT)
    assert result.exit_code == 1
    assert "core.cut-off.limit" in {f["rule_id"] for f in json.loads(result.stdout)["findings"]}
    assert "not conformant" in result.stderr


@pytest.mark.parametrize(
    ("audit_text", "needle"),
    [
        ('{"certifier": "x",\n "date": "2026-03-01T00:00:00Z",\n "evidence_digest": "sha256:1",\n "attestations": []}',
         "line 3"),
        ("{not json", "not valid YAML"),
        (json.dumps({"certifier": "x", "date": "2026-03-01T00:00:00Z", "evidence_digest": DIGEST,
                     "attestations": [{"requirement": "no.such"}]}), "/attestations/0/requirement"),
    ],
)  # fmt: skip
def test_recognise_bad_audit_exit_2(decl: Path, tmp_path: Path, audit_text: str, needle: str) -> None:
    audit = tmp_path / "audit.json"
    audit.write_text(audit_text)
    result = run("recognise", str(decl), "--audit", str(audit), *AT)
    assert result.exit_code == 2 and needle in result.stderr and str(audit) in result.stderr


def test_recognise_unusable_inputs_exit_2(decl: Path, tmp_path: Path, catalog: Catalog) -> None:
    assert run("recognise", str(decl), "--schemes", "pef,nope", *AT).exit_code == 2
    assert run("recognise", str(decl), "--schemes", ",", *AT).exit_code == 2
    assert run("recognise", str(tmp_path / "missing.json"), *AT).exit_code == 2
    doc = example(catalog, ALUMINIUM)
    doc["extensions"][0]["data"]["attestations"] = []
    doc["pcf"]["productOrSectorSpecificRules"][0]["ruleNames"] = ["example-standards-body/core@1.0.0"]
    path = tmp_path / "no-attestations.json"
    path.write_text(json.dumps(doc))
    result = run("recognise", str(path), *AT)
    assert result.exit_code == 2 and "no audit record" in result.stderr
