"""Issue 11: explicit nulls in real PACT v2 files.

PACT v3.0 (Data Model, "Undefined Properties"): a property set to null is undefined, and a
Required property "MUST NOT be null"; the v2 texts say "undefined" without saying how it is
written. An optional v2 property given as null is read as absent (one info finding each), a
required one stays an error that names the property.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from registry import cli
from registry.declarations import prepare, upgrade_v2_to_v3

CORPUS = Path(__file__).parent / "fixtures" / "third-party" / "pact"
AT = ["--at", "2026-06-30T00:00:00Z"]
NULL = "pact.upgrade.null"


def _real(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    return data


def test_optional_nulls_of_a_real_v2_file_are_read_as_absent_one_finding_each() -> None:
    doc = _real("ileap-go-demo-toc.json")  # way-platform/ileap-go demo data: five optional nulls
    nulls = sorted(k for k, v in doc.items() if v is None)
    assert nulls == ["precedingPfIds", "statusComment", "updated", "validityPeriodEnd", "validityPeriodStart"]
    upgraded, findings = upgrade_v2_to_v3(doc)
    notes = [f for f in findings if f.rule_id == NULL]
    assert sorted(str(f.source_path) for f in notes) == [f"/{k}" for k in nulls]
    assert {f.path for f in notes} == {""}  # the root of the result: none of them has a place in it
    assert all(f.severity.value == "info" and f.clauses for f in notes)
    assert all("treated as absent" in f.message for f in notes)
    assert not [k for k, v in upgraded.items() if v is None]
    assert doc["validityPeriodEnd"] is None  # the input is not changed
    schema = [f for f in prepare(doc).findings if f.rule_id.startswith("declaration.schema.")]
    assert schema == []


def test_nested_optional_nulls_are_read_as_absent() -> None:
    doc = _real("ileap-go-demo-liter.json")  # pcf.assurance with six null members, and "extensions": null
    _, findings = upgrade_v2_to_v3(doc)
    paths = {f.source_path for f in findings if f.rule_id == NULL}
    assert {"/extensions", "/pcf/assurance/level", "/pcf/assurance/completedAt"} <= paths
    schema = [f for f in prepare(doc).findings if f.rule_id.startswith("declaration.schema.")]
    assert schema == []


def test_a_null_for_a_required_property_stays_an_error_naming_it() -> None:
    doc = _real("ileap-go-demo-toc.json")
    doc["companyName"] = None
    doc["pcf"]["referencePeriodStart"] = None
    findings = prepare(doc).findings
    required = ("/companyName", "/pcf/referencePeriodStart")
    assert not [f for f in findings if f.rule_id == NULL and f.source_path in required]
    errors = {f.path: f for f in findings if f.severity.value == "error"}
    for pointer, name in (("/companyName", "companyName"), ("/pcf/referencePeriodStart", "referencePeriodStart")):
        assert errors[pointer].rule_id == "declaration.schema.type"
        assert errors[pointer].message.startswith(f"{name} is null")
        assert "required property may not be null" in errors[pointer].message


def test_a_null_array_item_is_named_with_its_index() -> None:
    doc = _real("ileap-go-demo-toc.json")
    doc["companyIds"] = [None]
    errors = [f for f in prepare(doc).findings if f.path == "/companyIds/0"]
    assert len(errors) == 1 and errors[0].message.startswith("companyIds[0] is null")


def test_an_empty_rule_set_as_v2_asks_is_omitted_on_upgrade() -> None:
    doc = _real("ileap-go-demo-hoc-kg.json")  # "productOrSectorSpecificRules": [] (v2.3: "this set MUST be empty")
    assert doc["pcf"]["productOrSectorSpecificRules"] == []
    upgraded, findings = upgrade_v2_to_v3(doc)
    assert "productOrSectorSpecificRules" not in upgraded["pcf"]
    note = [f for f in findings if f.source_path == "/pcf/productOrSectorSpecificRules"]
    assert len(note) == 1 and note[0].rule_id == "pact.upgrade.dropped"
    assert not [f for f in prepare(doc).findings if f.path == "/pcf/productOrSectorSpecificRules"]


def test_validate_and_convert_a_real_file_with_nulls() -> None:
    path = str(CORPUS / "ileap-go-demo-shipment-tkm.json")
    result = CliRunner().invoke(cli.main, ["validate", path, "--format", "json", *AT])
    body = json.loads(result.stdout)
    errors = [(f["rule_id"], f["path"]) for f in body["findings"] if f["severity"] == "error"]
    # only what the v2 data truly lack is left (what one tkm weighs, the biogenic total)
    assert sorted(errors) == [
        ("pact.upgrade.missing", "/pcf/pcfIncludingBiogenicUptake"),
        ("pact.upgrade.missing", "/pcf/productMassPerDeclaredUnit"),
    ]
    converted = CliRunner().invoke(cli.main, ["convert", path, "--to", "pact-v3"])
    out = json.loads(converted.stdout)
    assert "validityPeriodEnd" not in out and "updated" not in out
