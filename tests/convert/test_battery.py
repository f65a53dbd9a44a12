"""EU Battery Regulation carbon footprint declaration (registry/convert/battery.py, schemas/battery-cf-1.0.json)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from registry.convert.battery import ASPECT_MODEL, FUNCTIONAL_UNIT, to_battery_cf
from registry.errors import InputError
from registry.findings import Finding, Severity
from registry.packs.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
EV = "example-standards-body/ev-traction-battery"
EXT = "/extensions/0/data"
PARAMS = EXT + "/productParameters"
R = "convert.battery-cf."
PER_UNIT = [
    "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicUptake",
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "landUseChangeGhgEmissions",
    "biogenicNonCO2Emissions",
    "outboundLogisticsGhgEmissions",
    "productMassPerDeclaredUnit",
]


def _checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))

    @checker.checks("uri")  # type: ignore[untyped-decorator]
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value))

    return checker


@cache
def validator() -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / "battery-cf-1.0.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_checker())


def schema_errors(doc: Any) -> list[str]:
    return sorted(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(doc))


@pytest.fixture
def ev(catalog: Catalog) -> dict[str, Any]:
    found = catalog.resolve(EV).example
    assert found is not None
    return copy.deepcopy(found)


def params(doc: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = doc["extensions"][0]["data"]["productParameters"]
    return data


def stages(doc: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = doc["extensions"][0]["data"]["stages"]["values"]
    return values


def rules(findings: tuple[Finding, ...]) -> list[tuple[str, str, str]]:
    return [(f.severity.value, f.rule_id.removeprefix(R), f.path) for f in findings]


def refused(doc: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as info:
        to_battery_cf(doc)
    return info.value


def test_ev_example(ev: dict[str, Any]) -> None:
    before = copy.deepcopy(ev)
    result = to_battery_cf(ev)
    assert ev == before
    out = result.document
    assert schema_errors(out) == []
    assert out["batteryCarbonFootprint"] == 0.06
    assert out["carbonFootprintPerLifecycleStage"] == [
        {"lifecycleStage": "RawMaterialExtraction", "carbonFootprint": 0.0441},
        {"lifecycleStage": "MainProduction", "carbonFootprint": 0.0132},
        {"lifecycleStage": "Distribution", "carbonFootprint": 0.0009},
        {"lifecycleStage": "Recycling", "carbonFootprint": 0.0018},
    ]
    assert out["carbonFootprintStudy"] == params(ev)["publicStudyUrl"]
    assert out["absoluteCarbonFootprint"] == 6075  # 0.0600 x 101,250 kWh, as the example's comment says
    assert "carbonFootprintPerformanceClass" not in out
    decl = out["declaration"]
    assert decl["aspectModel"] == ASPECT_MODEL and decl["functionalUnit"] == FUNCTIONAL_UNIT
    assert decl["manufacturer"] == {"name": ev["companyName"], "identifiers": ev["companyIds"]}
    assert decl["batteryModel"] == {
        "identifier": "ETB-75-NMC811-A",
        "name": ev["productNameCompany"],
        "productIds": ev["productIds"],
        "batteryCategory": "electric-vehicle",
    }
    assert decl["manufacturingPlant"] == {
        "identifier": "ETB-HU-01",
        "name": "Example Traction Batteries Debrecen plant",
        "country": "HU",
        "subdivision": "HU-HB",
    }
    assert decl["euDeclarationOfConformityId"] == "ETB-DOC-2025-0042"
    assert decl["totalEnergyOverServiceLifeKWh"] == 101250
    assert decl["productFootprintId"] == ev["id"]
    assert (decl["referencePeriodStart"], decl["referencePeriodEnd"]) == (
        ev["pcf"]["referencePeriodStart"],
        ev["pcf"]["referencePeriodEnd"],
    )
    assert rules(result.findings) == [
        ("info", "derived", "/pcf/pcfExcludingBiogenicUptake"),
        ("info", "omitted", PARAMS + "/carbonFootprintPerformanceClass"),
        ("info", "derived", PARAMS + "/totalEnergyKWh"),
    ]


def test_stage_values_add_up_to_the_total(ev: dict[str, Any]) -> None:
    out = to_battery_cf(ev).document
    total = sum(Decimal(repr(s["carbonFootprint"])) for s in out["carbonFootprintPerLifecycleStage"])
    assert total == Decimal(repr(out["batteryCarbonFootprint"]))


def test_regulation_citations_are_marked_unchecked(ev: dict[str, Any]) -> None:
    ev["pcf"].pop("geographyCountry")
    del ev["extensions"][0]["data"]["site"]
    for key in ("batteryModel", "euDeclarationOfConformityId", "totalEnergyKWh"):
        del params(ev)[key]
    stages(ev)["use"] = "0"
    findings = to_battery_cf(ev).findings
    cited = [c for f in findings for c in f.clauses if "2023/1542" in c]
    assert len(cited) >= 6
    assert all(c.endswith("[unchecked]") for c in cited)


def test_per_piece_is_divided_by_the_total_energy(ev: dict[str, Any]) -> None:
    energy = Decimal(params(ev)["totalEnergyKWh"])
    ev["pcf"]["declaredUnitOfMeasurement"] = "piece"
    for key in PER_UNIT:
        ev["pcf"][key] = str(Decimal(ev["pcf"][key]) * energy)
    for name, value in stages(ev).items():
        stages(ev)[name] = str(Decimal(value) * energy)
    result = to_battery_cf(ev)
    assert result.document["batteryCarbonFootprint"] == 0.06
    assert [s["carbonFootprint"] for s in result.document["carbonFootprintPerLifecycleStage"]] == [
        0.0441,
        0.0132,
        0.0009,
        0.0018,
    ]
    assert result.document["absoluteCarbonFootprint"] == 6075
    assert ("info", "derived", "/pcf/declaredUnitOfMeasurement") in rules(result.findings)
    assert schema_errors(result.document) == []


def test_declared_amount_other_than_one(ev: dict[str, Any]) -> None:
    ev["pcf"]["declaredUnitAmount"] = "2"
    ev["pcf"]["pcfExcludingBiogenicUptake"] = "0.1200"
    for name, value in stages(ev).items():
        stages(ev)[name] = str(Decimal(value) * 2)
    out = to_battery_cf(ev).document
    assert out["batteryCarbonFootprint"] == 0.06
    assert out["carbonFootprintPerLifecycleStage"][0]["carbonFootprint"] == 0.0441


def test_kwh_without_total_energy_is_flagged(ev: dict[str, Any]) -> None:
    del params(ev)["totalEnergyKWh"]
    result = to_battery_cf(ev)
    assert "absoluteCarbonFootprint" not in result.document
    assert "totalEnergyOverServiceLifeKWh" not in result.document["declaration"]
    assert ("warning", "assumed", "/pcf/declaredUnitOfMeasurement") in rules(result.findings)
    assert schema_errors(result.document) == []


def test_performance_class_when_declared(ev: dict[str, Any]) -> None:
    params(ev)["carbonFootprintPerformanceClass"] = "B"
    result = to_battery_cf(ev)
    assert result.document["carbonFootprintPerformanceClass"] == "B"
    note = next(f for f in result.findings if f.path == PARAMS + "/carbonFootprintPerformanceClass")
    assert note.rule_id == R + "assumed" and "[unchecked]" in note.message


def test_missing_declaration_items_are_warnings(ev: dict[str, Any]) -> None:
    del ev["extensions"][0]["data"]["site"]
    del params(ev)["euDeclarationOfConformityId"]
    del params(ev)["batteryModel"]
    del stages(ev)["distribution"]
    result = to_battery_cf(ev)
    decl = result.document["declaration"]
    assert decl["manufacturingPlant"] == {"country": "HU"}  # from the footprint's geography
    assert "euDeclarationOfConformityId" not in decl and "identifier" not in decl["batteryModel"]
    warnings = {(r, p) for s, r, p in rules(result.findings) if s == "warning"}
    assert warnings == {
        ("derived", "/pcf"),
        ("omitted", PARAMS + "/euDeclarationOfConformityId"),
        ("omitted", PARAMS + "/batteryModel"),
        ("omitted", EXT + "/stages/values"),
        ("stage-sum", EXT + "/stages/values"),
    }
    assert [s["lifecycleStage"] for s in result.document["carbonFootprintPerLifecycleStage"]] == [
        "RawMaterialExtraction",
        "MainProduction",
        "Recycling",
    ]
    assert schema_errors(result.document) == []


def test_use_stage_of_zero_is_dropped(ev: dict[str, Any]) -> None:
    stages(ev)["use"] = "0.0"
    result = to_battery_cf(ev)
    assert ("info", "dropped", EXT + "/stages/values/use") in rules(result.findings)
    assert len(result.document["carbonFootprintPerLifecycleStage"]) == 4


def _set(doc: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = pointer.split("/")[1:]
    node: Any = doc
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    key: Any = int(last) if isinstance(node, list) else last
    if value is _DELETE:
        del node[key]
    else:
        node[key] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("pointer", "value", "refused_at"),
    [
        ("/pcf/declaredUnitOfMeasurement", "kilogram", "/pcf/declaredUnitOfMeasurement"),
        ("/pcf/declaredUnitAmount", "0", "/pcf/declaredUnitAmount"),
        (PARAMS + "/totalEnergyKWh", "lots", PARAMS + "/totalEnergyKWh"),
        (PARAMS + "/publicStudyUrl", _DELETE, PARAMS + "/publicStudyUrl"),
        (PARAMS + "/publicStudyUrl", "ftp://example.org/study", PARAMS + "/publicStudyUrl"),
        (EXT + "/stages", _DELETE, EXT + "/stages"),
        (EXT + "/stages/values", {}, EXT + "/stages/values"),
        (EXT + "/stages/values/use", "0.002", EXT + "/stages/values/use"),
        (EXT + "/stages/values/production", "1e-2", EXT + "/stages/values/production"),
        (EXT + "/stages/basis", "fossilGhgEmissions", EXT + "/stages/basis"),
        ("/pcf/pcfExcludingBiogenicUptake", 0.06, "/pcf/pcfExcludingBiogenicUptake"),
        ("/extensions", _DELETE, "/extensions"),
    ],
)
def test_what_cannot_be_expressed_is_refused(ev: dict[str, Any], pointer: str, value: Any, refused_at: str) -> None:
    _set(ev, pointer, value)
    error = refused(ev)
    assert error.location.pointer == refused_at
    assert error.message


def test_piece_without_total_energy_is_refused(ev: dict[str, Any]) -> None:
    ev["pcf"]["declaredUnitOfMeasurement"] = "piece"
    del params(ev)["totalEnergyKWh"]
    error = refused(ev)
    assert error.location.pointer == PARAMS + "/totalEnergyKWh" and "piece" in error.message


def test_v2_input_is_refused() -> None:
    assert refused({"specVersion": "2.3.0", "pcf": {}}).location.pointer == "/specVersion"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
_POINTERS = [
    "/pcf",
    "/pcf/declaredUnitAmount",
    "/pcf/pcfIncludingBiogenicUptake",
    "/companyIds",
    "/productNameCompany",
    EXT + "/site",
    EXT + "/stages",
    EXT + "/stages/values",
    EXT + "/stages/values/end-of-life",
    EXT + "/productParameters",
    PARAMS + "/batteryModel",
    PARAMS + "/totalEnergyKWh",
    "/extensions/0",
    "/extensions/0/data",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(pointer=st.sampled_from(_POINTERS), value=_json)
def test_damaged_declarations_only_raise_input_error(ev: dict[str, Any], pointer: str, value: Any) -> None:
    doc = copy.deepcopy(ev)
    _set(doc, pointer, value)
    try:
        result = to_battery_cf(doc)
    except InputError as e:
        assert e.location.pointer is not None
        return
    json.dumps(result.document)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert len(errors) == len(schema_errors(result.document))
