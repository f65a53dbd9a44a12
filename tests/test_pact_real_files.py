"""Issue 11: what real PACT files need (v2 per liter, no product pack, envelopes, not-PACT input, findings)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import cli
from registry.declarations import prepare, unwrap
from registry.errors import NotAFootprint, PackError, PackSelectionError
from registry.packs import Catalog, validate_document, validate_items
from registry.packs.rulepack import pack_from_data

FIXTURES = Path(__file__).parent / "fixtures" / "pact"
NOW = datetime(2026, 6, 30, tzinfo=UTC)
AT = ["--at", "2026-06-30T00:00:00Z"]
MASS = "/pcf/productMassPerDeclaredUnit"
KEYS = ("data", "pfs", "specversion", "specVersion", "pcf", "id", "type", "x")


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli.main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


def _v2(name: str = "v2.2-bio-pe-granulate.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def _per_liter() -> dict[str, Any]:
    """A real-shaped PACT v2.2 footprint whose declared unit is not a mass (12 liter)."""
    doc = _v2()
    doc["pcf"]["declaredUnit"] = "liter"
    doc["pcf"]["unitaryProductAmount"] = "12"
    doc["pcf"].pop("productMassPerDeclaredUnit", None)
    return doc


def _v3(catalog: Catalog) -> dict[str, Any]:
    example = catalog.resolve("example-standards-body/pact-v3").example
    assert example is not None
    return copy.deepcopy(example)


# --- 1. v2 per liter: the upgrade says what it could not derive ------------------------------


def test_v2_per_liter_mass_is_the_upgrades_finding_not_a_schema_error() -> None:
    findings = prepare(_per_liter()).findings
    at_mass = [f for f in findings if f.path == MASS]
    assert [(f.rule_id, f.severity.value) for f in at_mass] == [("pact.upgrade.missing", "error")]
    message = at_mass[0].message
    assert "liter is not a mass" in message and "add productMassPerDeclaredUnit" in message
    assert "12 liter" in message


def test_a_pack_may_say_it_does_not_need_the_mass(catalog: Catalog) -> None:
    base = catalog.get("example-standards-body/core@1.0.0").data
    pack = copy.deepcopy(base)
    pack.update(id="example-standards-body/no-mass", abstract=False, extends=["example-standards-body/core@1.0.0"])
    pack["parameters"] = {"productMassRequired": {"value": False, "description": "logistics: mass not needed"}}
    pack["rules"], pack["tests"] = [], []
    pack.pop("example", None)
    custom = Catalog([*catalog.packs(), pack_from_data(pack, source="no-mass.yaml")])
    result = validate_document(custom, _per_liter(), pack="example-standards-body/no-mass", now=NOW)
    at_mass = [f for f in result.findings if f.path == MASS]
    assert [(f.rule_id, f.severity.value) for f in at_mass] == [("pact.upgrade.missing", "warning")]
    required = validate_document(catalog, _per_liter(), pack="example-standards-body/core@1.0.0", now=NOW)
    assert [f.severity.value for f in required.findings if f.path == MASS] == ["error"]


def test_convert_reports_the_missing_mass_once_as_the_upgrades_error(tmp_path: Path) -> None:
    path = tmp_path / "per-liter.json"
    path.write_text(json.dumps(_per_liter()))
    result = run("convert", str(path), "--to", "pact-v3")
    assert result.exit_code == 1
    at_mass = [line for line in result.stderr.splitlines() if f" {MASS} " in line]
    assert len(at_mass) == 1 and at_mass[0].startswith("error   pact.upgrade.missing")


def test_product_mass_parameter_must_be_a_boolean(catalog: Catalog) -> None:
    pack = copy.deepcopy(catalog.get("example-standards-body/core@1.0.0").data)
    pack.update(id="example-standards-body/bad-mass", extends=["example-standards-body/core@1.0.0"])
    pack["parameters"] = {"productMassRequired": "no"}
    pack["rules"], pack["tests"] = [], []
    with pytest.raises(PackError) as info:
        pack_from_data(pack, source="bad-mass.yaml")
    assert "productMassRequired" in str(info.value)


# --- 2. no product pack: the base pack of the declaration's format -----------------------------


def test_no_product_pack_validates_v3_against_pact_v3_and_says_so(catalog: Catalog) -> None:
    result = validate_document(catalog, _v3(catalog), pack=None, now=NOW)
    assert result.pack.id == "example-standards-body/pact-v3"
    notes = [f for f in result.findings if f.rule_id == "declaration.pack.base"]
    assert len(notes) == 1 and "pact-v3" in notes[0].message and notes[0].severity.value == "warning"


def test_no_product_pack_validates_v2_against_core(catalog: Catalog) -> None:
    result = validate_document(catalog, _v2(), pack=None, now=NOW)
    assert result.pack.id == "example-standards-body/core"
    assert any(f.rule_id == "declaration.pack.base" for f in result.findings)


def test_cli_validate_without_pack_works_on_a_real_file(tmp_path: Path) -> None:
    result = run("validate", str(FIXTURES / "v2.3-mineral-wool-board.json"), *AT)
    assert result.exit_code in (0, 1), result.output
    assert "declaration.pack.base" in result.stdout


def test_the_hint_lists_the_base_packs_too(catalog: Catalog) -> None:
    with pytest.raises(PackSelectionError) as info:
        catalog.select(_v2(), now=NOW)
    assert "example-standards-body/pact-v3@1.0.0 (base pack)" in info.value.candidates
    assert "example-standards-body/core@1.0.0 (base pack)" in info.value.candidates


# --- 3. envelopes ----------------------------------------------------------------------------


def test_envelopes_are_recognised_with_pointers() -> None:
    pf = _v2()
    assert [i.pointer for i in unwrap({"data": pf}).items] == ["/data"]
    assert [i.pointer for i in unwrap({"data": [pf, pf]}).items] == ["/data/0", "/data/1"]
    event = {"specversion": "1.0", "type": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"}
    event["data"] = {"requestEventId": "x", "pfs": [pf]}  # type: ignore[assignment]
    assert [i.pointer for i in unwrap(event).items] == ["/data/pfs/0"]
    assert [i.pointer for i in unwrap([pf, pf]).items] == ["/0", "/1"]
    bare = unwrap(pf)
    assert bare.envelope is None and [i.pointer for i in bare.items] == [""]


def test_each_footprint_of_an_envelope_is_validated_and_named(catalog: Catalog) -> None:
    outcomes = validate_items(catalog, {"data": [_v2(), _v3(catalog)]}, pack=None, now=NOW)
    assert [o.pointer for o in outcomes] == ["/data/0", "/data/1"]
    assert outcomes[0].id == _v2()["id"]
    for o in outcomes:
        assert o.result is not None
        notes = [f for f in o.result.findings if f.rule_id == "declaration.envelope"]
        assert len(notes) == 1 and o.pointer in notes[0].message


def test_cli_validate_envelope_json_carries_pointer_and_id(tmp_path: Path) -> None:
    path = tmp_path / "response.json"
    path.write_text(json.dumps({"data": [_v2(), _v2("v2.3-mineral-wool-board.json")]}))
    result = run("validate", str(path), "--format", "json", *AT)
    body = json.loads(result.stdout)
    assert [(b["pointer"], b["id"]) for b in body] == [
        ("/data/0", _v2()["id"]),
        ("/data/1", _v2("v2.3-mineral-wool-board.json")["id"]),
    ]
    text = run("validate", str(path), *AT)
    assert f"{path}#/data/0" in text.stdout and f"{path}#/data/1" in text.stdout


def test_cli_convert_converts_an_array_item_by_item(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([_v2(), _v2("v2.3-mineral-wool-board.json")]))
    result = run("convert", str(path), "--to", "pact-v3")
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.stdout)
    assert isinstance(out, list) and [d["specVersion"] for d in out] == ["3.0.0", "3.0.0"]
    assert "/0: " in result.stderr and "/1: " in result.stderr


# --- 4. not a PACT footprint ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ({"companyName": "x", "pcf": {}}, "no specVersion"),
        ({"specVersion": "1.0.0", "pcf": {}}, "PACT 1.x"),
        ({"specVersion": "urn:io.catenax.pcf:datamodel:version:7.0.0"}, "not a PACT version"),
        ({"openepd_version": "0.1", "declared_unit": {"qty": 1}}, "openEPD"),
        ({"processInformation": {}}, "ILCD"),
    ],
)
def test_not_pact_is_one_error(catalog: Catalog, document: dict[str, Any], said: str) -> None:
    with pytest.raises(NotAFootprint) as info:
        validate_document(catalog, document, pack="example-standards-body/core@1.0.0", now=NOW)
    assert said in info.value.message
    assert info.value.to_dict()["rule_id"] == "declaration.not-pact"


def test_cli_not_pact_exit_2_one_message(tmp_path: Path) -> None:
    path = tmp_path / "cx.json"
    path.write_text(json.dumps({"general": [], "productLifeCycleStagesAndEmissions": []}))
    result = run("validate", str(path), *AT)
    assert result.exit_code == 2
    assert "not a PACT v2 or v3 ProductFootprint" in result.stderr and "required" not in result.stderr
    converted = run("convert", str(path), "--to", "pact-v3")
    assert converted.exit_code == 2 and converted.stdout == ""


# --- 5. findings people can read ----------------------------------------------------------------


def test_a_number_for_a_decimal_string_is_reported_once(catalog: Catalog) -> None:
    doc = _v3(catalog)
    doc["pcf"]["fossilGhgEmissions"] = 0.5
    findings = prepare(doc).findings
    assert [(f.rule_id, f.path) for f in findings] == [("declaration.schema.type", "/pcf/fossilGhgEmissions")]
    assert findings[0].message == '0.5 is a JSON number; PACT writes decimals as strings ("0.5")'


def test_one_of_failure_names_the_clashing_properties(catalog: Catalog) -> None:
    doc = _v3(catalog)
    doc["pcf"]["geographyCountry"] = "DE"
    doc["pcf"]["geographyRegionOrSubregion"] = "Europe"
    findings = [f for f in prepare(doc).findings if f.rule_id == "declaration.schema.oneOf"]
    assert len(findings) == 1
    message = findings[0].message
    assert "geographyRegionOrSubregion and geographyCountry are mutually exclusive" in message
    assert len(message) < 200 and "{" not in message


def test_jsonl_results_carry_the_declaration_id(tmp_path: Path) -> None:
    first, second = _v2(), _v2("v2.3-mineral-wool-board.json")
    path = tmp_path / "many.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    result = run("validate", str(path), "--pack", "example-standards-body/core@1.0.0", "--format", "json", *AT)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["id"]) for r in records] == [(1, first["id"]), (2, second["id"])]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
    max_leaves=16,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_files_give_only_outcomes(catalog: Catalog, value: Any) -> None:
    """Any JSON, enveloped or not: each footprint gives a result or one of our errors, never an exception."""
    for outcome in validate_items(catalog, value, pack=None, now=NOW):
        assert (outcome.result is None) != (outcome.error is None)
