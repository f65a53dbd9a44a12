"""Every third-party PACT, iLEAP, Catena-X and Battery Pass file through ``pcfreg validate`` and ``pcfreg convert``.

The files, their sources and licences are in ``tests/fixtures/third-party/pact/SOURCES.md``;
what each must give is in ``expectations.json`` beside them (exit codes, findings that must be
among the results, and per footprint the v3 declared unit, its amount and the GWP).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from registry import cli

CORPUS = Path(__file__).parent.parent / "fixtures" / "third-party" / "pact"
EXPECTATIONS: list[dict[str, Any]] = json.loads((CORPUS / "expectations.json").read_text(encoding="utf-8"))["files"]
AT = ["--at", "2026-06-30T00:00:00Z"]


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli.main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or "")), result.output
    assert result.exit_code != 3, result.output  # never an internal error on real data
    return result


def _listed(body: Any) -> list[dict[str, Any]]:
    return body if isinstance(body, list) else [body]


def test_every_file_has_expectations_and_a_source() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.json") if p.name != "expectations.json")
    assert sorted(e["file"] for e in EXPECTATIONS) == files
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    missing = [name for name in files if name not in sources]
    assert not missing, f"not in SOURCES.md: {missing}"


@pytest.mark.parametrize("expected", EXPECTATIONS, ids=[e["file"] for e in EXPECTATIONS])
def test_validate(expected: dict[str, Any]) -> None:
    want = expected["validate"]
    result = run("validate", str(CORPUS / expected["file"]), "--format", "json", *AT)
    assert result.exit_code == want["exit"], result.output
    if expected["kind"] == "not-pact":
        assert result.stdout == ""
        assert result.stderr.count("pcfreg: ") == 1  # one error, not one per missing property
        for text in want["stderr"]:
            assert text in result.stderr
        return
    outcomes = _listed(json.loads(result.stdout))
    assert [o.get("pointer", "") for o in outcomes] == want["items"]
    for outcome in outcomes:
        assert outcome["pack"]["id"] == want["pack"]
        found = {(f["rule_id"], f["path"]) for f in outcome["findings"]}
        assert {tuple(f) for f in want["findings"]} <= found
        assert not {tuple(f) for f in want.get("absent", [])} & found
        per_fault = [(f["rule_id"], f["path"], f["message"]) for f in outcome["findings"]]
        assert len(per_fault) == len(set(per_fault)), "a fault reported twice"


@pytest.mark.parametrize("expected", EXPECTATIONS, ids=[e["file"] for e in EXPECTATIONS])
def test_convert_to_pact_v3(expected: dict[str, Any]) -> None:
    want = expected["convert"]
    result = run("convert", str(CORPUS / expected["file"]), "--to", "pact-v3")
    assert result.exit_code == want["exit"], result.stderr
    if expected["kind"] == "not-pact":
        assert result.stdout == ""  # never written back as "PACT v3"
        assert "not a PACT v2 or v3 ProductFootprint" in result.stderr
        return
    documents = _listed(json.loads(result.stdout))
    assert [d["specVersion"] for d in documents] == ["3.0.0"] * len(documents)
    pcfs = [d["pcf"] for d in documents]
    assert [p.get("declaredUnitOfMeasurement") for p in pcfs] == want["declaredUnit"]
    assert [p.get("declaredUnitAmount") for p in pcfs] == want["declaredUnitAmount"]
    assert [p.get("pcfExcludingBiogenicUptake") for p in pcfs] == want["pcfExcludingBiogenicUptake"]
