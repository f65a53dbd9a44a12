"""Recalculation through packs (CEL ``recalc``, deviation bounds, embedded inventories), the CLI and pack diffs."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from accounting_support import GRID_GB, inventory, line
from click.testing import CliRunner

from registry import cli
from registry.accounting import SCHEMA_ID, inventory_from_data
from registry.packs import Catalog, diff_packs

AL = "example-standards-body/aluminium-ingot@1.2.0"
AT = ["--at", "2026-06-30T00:00:00Z"]
NOW = datetime(2026, 6, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.bundled()


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli.main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


@pytest.fixture
def files(tmp_path: Path, catalog: Catalog) -> tuple[Path, Path]:
    resolved = catalog.resolve(AL)
    decl, inv = tmp_path / "decl.json", tmp_path / "inv.json"
    decl.write_text(json.dumps(resolved.example))
    inv.write_text(json.dumps(resolved.example_inventory))
    return decl, inv


def test_packs_example_inventory(files: tuple[Path, Path]) -> None:
    result = run("packs", "example", AL, "--inventory")
    assert result.exit_code == 0 and json.loads(result.stdout) == json.loads(files[1].read_text())
    missing = run("packs", "example", "example-standards-body/aluminium-ingot@1.0.0", "--inventory")
    assert missing.exit_code == 2 and "has no example inventory" in missing.stderr


def test_recalc_json_is_the_one_result_object(files: tuple[Path, Path]) -> None:
    decl, inv = files
    result = run("recalc", str(decl), "--inventory", str(inv), "--format", "json", *AT)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["validation"]["conformant"] is True and body["validation"]["pack"]["version"] == "1.2.0"
    r = body["recalculation"]
    assert r["complete"] and r["total"] == "14599.57749214" and r["deviationPercent"]["total"] == "0.003"
    assert r["primaryDataShare"] == "72.50"
    assert r["setsUsed"] == [
        "pcf-registry/ipcc-ar6-gwp100@1.0.0",
        "pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0",
    ]
    assert r["lines"][0]["factor"].endswith("#1_102_1025_15_1") and r["lines"][0]["kgCO2e"] == "8342.79486102"


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_recalc_text_and_html(files: tuple[Path, Path], fmt: str) -> None:
    decl, inv = files
    result = run("recalc", str(decl), "--inventory", str(inv), "--format", fmt, *AT)
    assert result.exit_code == 0 and "14599.57749214" in result.stdout


def test_recalc_bad_inventory_is_unusable_input(files: tuple[Path, Path], tmp_path: Path) -> None:
    decl, inv = files
    doc = json.loads(inv.read_text())
    doc["lines"][2]["quantity"] = "lots"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run("recalc", str(decl), "--inventory", str(bad), *AT)
    assert result.exit_code == 2 and "/lines/2/quantity" in result.stderr


def test_recalc_unresolved_factor_exits_1(files: tuple[Path, Path], tmp_path: Path) -> None:
    decl, inv = files
    doc = json.loads(inv.read_text())
    doc["lines"][0]["factor"] = "pcf-registry/uk-desnz-ghg-conversion-factors@2024.0.0#1_102_1025_15_1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run("recalc", str(decl), "--inventory", str(bad), "--format", "json", *AT)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["recalculation"]["findings"]
    assert [(f["rule_id"], f["path"]) for f in findings if f["severity"] == "error"] == [
        ("recalc.factor.unresolved", "/lines/0/factor")
    ]


def test_validate_with_inventory(files: tuple[Path, Path], tmp_path: Path) -> None:
    decl, inv = files
    ok = run("validate", str(decl), "--inventory", str(inv), "--format", "json", *AT)
    assert ok.exit_code == 0, ok.output
    doc = json.loads(decl.read_text())
    for key in ("pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake", "fossilGhgEmissions"):
        doc["pcf"][key] = "16000"
    doc["extensions"][0]["data"]["stages"]["values"]["production"] = "13050"
    far = tmp_path / "far.json"
    far.write_text(json.dumps(doc))
    warned = run("validate", str(far), "--inventory", str(inv), "--format", "json", *AT)
    rules = {(f["rule_id"], f["path"]) for f in json.loads(warned.stdout)["findings"] if f["severity"] == "warning"}
    assert ("recalc.deviation", "/pcf/pcfExcludingBiogenicUptake") in rules
    assert run("validate", str(decl), str(far), "--inventory", str(inv)).exit_code == 2


def test_embedded_inventory_is_recomputed_with_pointers_into_the_extension(catalog: Catalog) -> None:
    resolved = catalog.resolve(AL)
    doc = copy.deepcopy(resolved.example)
    inv = copy.deepcopy(resolved.example_inventory)
    inv["lines"][3]["unit"] = "kWh"
    doc["extensions"].append({"specVersion": "2.0.0", "dataSchema": SCHEMA_ID, "data": inv})
    result, recalc = catalog.compiled(AL).validate_with_recalc(doc, now=NOW)
    assert recalc is not None and not recalc.complete
    assert ("recalc.unit.unconvertible", "/extensions/1/data/lines/3/unit") in {
        (f.rule_id, f.path) for f in result.findings
    }
    inv["lines"][3]["quantity"] = "x"
    result = catalog.compiled(AL).validate(doc, now=NOW)
    assert ("recalc.inventory.schema", "/extensions/1/data/lines/3/quantity") in {
        (f.rule_id, f.path) for f in result.findings
    }


def test_no_inventory_means_no_recalc_and_cel_sees_null(catalog: Catalog) -> None:
    resolved = catalog.resolve(AL)
    result, recalc = catalog.compiled(AL).validate_with_recalc(copy.deepcopy(resolved.example), now=NOW)
    assert recalc is None and result.conformant
    assert not [f for f in result.findings if f.rule_id.startswith(("recalc.", "aluminium-ingot.recalc"))]


def _pack_with(recalculation: dict[str, Any] | None, rules: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "pcf-registry/rulepack/1.0", "id": "test-body/recalc", "version": "1.0.0",
        "title": {"en": "t", "zh": "t"}, "publisher": {"id": "test-body", "name": "T"}, "status": "published",
        "effective": {"from": "2025-01-01"}, "rules": rules,
    }  # fmt: skip
    if recalculation is not None:
        data["recalculation"] = recalculation
    return data


def test_cel_reads_recalc(catalog: Catalog) -> None:
    from registry.packs import pack_from_data

    rules = [{
        "id": "t.stage", "title": "t", "severity": "error", "clauses": ["t"], "path": "/pcf",
        "when": "recalc != null",
        "check": "recalc.stage('production') == 17.7 && recalc.stage('use') == 0.0 && size(recalc.lines) == 1"
                 " && recalc.lines[0].factor.endsWith('#7_400_4000_5_1') && recalc.total > 17.0",
        "message": "stage is ${recalc.stage('production')}",
    }]  # fmt: skip
    pack = pack_from_data(_pack_with({"requireInventory": True}, rules))
    compiled = Catalog([*catalog.packs(), pack]).compiled(pack.ref)
    doc = {"id": "d1", "pcf": {"pcfExcludingBiogenicUptake": "17.7"}}
    without = compiled.validate(doc, now=NOW)
    assert [f.rule_id for f in without.findings if f.rule_id.startswith(("recalc", "t."))] == [
        "recalc.inventory.required"
    ]
    with_inv = compiled.validate(doc, now=NOW, inventory=inventory_from_data(inventory(line(factor=GRID_GB))))
    assert "t.stage" not in [f.rule_id for f in with_inv.findings]
    other = compiled.validate(doc, now=NOW, inventory=inventory_from_data(inventory(line(quantity="200"))))
    assert [f.message for f in other.findings if f.rule_id == "t.stage"] == ["stage is 35.4"]


def test_reference_amount_divides_every_line(catalog: Catalog) -> None:
    from registry.accounting import bundled_library, recalculate

    doc = inventory(line(quantity="1000"), referenceAmount="4")
    r = recalculate({}, inventory_from_data(doc), bundled_library(), on=NOW.date())
    assert r.total == 44.25 and r.lines[0].kg == 44.25 and r.reference_amount == 4


@pytest.mark.parametrize(
    ("old", "new", "bump"),
    [
        (None, {"deviation": {"warnPercent": "5"}}, "minor"),
        (None, {"requireInventory": True}, "major"),
        ({"deviation": {"failPercent": "10"}}, {"deviation": {"failPercent": "5"}}, "major"),
        ({"deviation": {"failPercent": "5"}}, {"deviation": {"failPercent": "10"}}, "minor"),
        ({}, {"requireFactorSets": ["a/b"]}, "major"),
    ],
)
def test_recalculation_changes_in_pack_diffs(old: Any, new: Any, bump: str) -> None:
    from registry.packs import pack_from_data, resolve

    a, b = _pack_with(old, []), _pack_with(new, [])
    b["version"] = "2.0.0"
    pa, pb = pack_from_data(a), pack_from_data(b)
    diff = diff_packs(resolve(pa, lambda r: pa), resolve(pb, lambda r: pb))
    kinds = [(c.kind.value, c.bump.value) for c in diff.changes]
    assert ("recalculation-changed", bump) in kinds


def test_bundled_120_bump_is_enough() -> None:
    result = run("packs", "diff", "example-standards-body/aluminium-ingot@1.1.0", AL, "--check")
    assert result.exit_code == 0, result.output
