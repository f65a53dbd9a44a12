"""ILCD+EPD XML to declaration: the official example, v1.2- and A1-style variants, errors."""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from registry.convert import Conversion
from registry.convert.ilcd import GWP_SCHEMA_ID, ilcd_to_declaration
from registry.convert.ilcd_findings import RULE_IDS
from registry.convert.ilcd_modules import system_boundary
from registry.convert.ilcd_read import Sourced, plain_decimal
from registry.declarations.declaration import prepare
from registry.errors import InputError
from registry.findings import Finding, Severity
from registry.packs.catalog import Catalog
from registry.packs.validate import validate_document

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ilcd"
OFFICIAL = FIXTURES / "official" / "EPDv1.3_example_57a4ae65-d305-421e-b21f-a3f0c35b8abe.xml"
OFFICIAL_FLOW = FIXTURES / "official" / "a7432abd-0881-4977-a817-f8aaf627fb91.xml"
V12 = FIXTURES / "v1.2" / "process.xml"
V12_FLOW = FIXTURES / "v1.2" / "flow.xml"
A1 = FIXTURES / "a1" / "process.xml"
NOW = datetime(2026, 6, 30, tzinfo=UTC)
CORE = "example-standards-body/core"

NS = {
    "process": "http://lca.jrc.it/ILCD/Process",
    "common": "http://lca.jrc.it/ILCD/Common",
    "flow": "http://lca.jrc.it/ILCD/Flow",
    "epd": "http://www.iai.kit.edu/EPD/2013",
    "epd2": "http://www.indata.network/EPD/2019",
    "epd24": "http://www.indata.network/EPD/2024",
}
GWP_UUIDS = {  # EF 3.0 (the official example)
    "total": "6a37f984-a4b3-458a-a20a-64418c145fa2",
    "fossil": "5f635281-343e-44fb-83df-1971b155e6b6",
    "biogenic": "2356e1ab-0185-4db5-86e5-16de51c7485c",
    "luluc": "4331bbdb-978a-490d-8707-eeb047f01a55",
}
PLAIN_DECIMAL = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


def convert(process: Path | bytes, flow: Path | bytes | None = None, **kwargs: Any) -> Conversion:
    data = process.read_bytes() if isinstance(process, Path) else process
    flow_data = flow.read_bytes() if isinstance(flow, Path) else flow
    return ilcd_to_declaration(data, flow=flow_data, source="in.xml", now=NOW, **kwargs)


@pytest.fixture(scope="module")
def official() -> Conversion:
    return convert(OFFICIAL, OFFICIAL_FLOW)


@pytest.fixture(scope="module")
def v12() -> Conversion:
    return convert(V12, V12_FLOW)


def by_rule(conversion: Conversion, rule: str) -> list[Finding]:
    return [f for f in conversion.findings if f.rule_id == rule]


def at(conversion: Conversion, path: str) -> list[Finding]:
    return [f for f in conversion.findings if f.path == path]


def pointer(document: Any, path: str) -> Any:
    node = document
    for token in path.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _steps(path: str) -> list[str]:
    """Split an XPath on '/' outside predicates."""
    steps, depth, quote, current = [], 0, "", ""
    for ch in path[1:]:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "/" and depth == 0:
            steps.append(current)
            current = ""
            continue
        current += ch
    return [*steps, current]


def resolve(source_path: str, process: bytes, flow: bytes | None) -> list[Any]:
    """Evaluate a finding's source path (data set namespace unprefixed) with lxml."""
    is_flow = source_path.startswith("/flowDataSet")
    tree = etree.fromstring(flow if is_flow and flow else process)
    default = "flow" if is_flow else "process"
    steps = []
    for step in _steps(source_path):
        name = re.match(r"^[^\[]*", step)
        assert name is not None
        needs_prefix = ":" not in name.group(0) and not step.startswith("@")
        steps.append(f"{default}:{step}" if needs_prefix else step)
    result = tree.getroottree().xpath("/" + "/".join(steps), namespaces=NS)
    assert isinstance(result, list)
    return result


def lcia_amount(process: bytes, uuid: str, module: str, scenario: str | None = None) -> str:
    """An epd:amount's text, read from the XML independently of the converter."""
    tree = etree.fromstring(process)
    scen = f"[@epd:scenario='{scenario}']" if scenario else "[not(@epd:scenario)]"
    path = (
        f"//process:LCIAResult[process:referenceToLCIAMethodDataSet/@refObjectId='{uuid}']"
        f"/common:other/epd:amount[@epd:module='{module}']{scen}/text()"
    )
    found = tree.xpath(path, namespaces=NS)
    assert isinstance(found, list) and len(found) == 1
    return str(found[0]).strip()


# --- fixtures ---------------------------------------------------------------------------------
def test_official_fixtures_are_verbatim_copies() -> None:
    assert hashlib.sha256(OFFICIAL.read_bytes()).hexdigest() == (
        "78476ee519b243088a226b013beb2d7b810d824a177070fcedb43011daa21a50"
    )
    assert hashlib.sha256(OFFICIAL_FLOW.read_bytes()).hexdigest() == (
        "b01faef8dbf8639cf541cf3235f3c8391cf2754f1f0319ad3aeb6c5ef4436a20"
    )
    assert (FIXTURES / "LICENSE-Apache-2.0.txt").read_text().lstrip().startswith("Apache License")


# --- the official example -----------------------------------------------------------------------
def test_official_identity_and_product(official: Conversion) -> None:
    doc = official.document
    assert doc["id"] == "57a4ae65-d305-421e-b21f-a3f0c35b8abe"
    assert doc["specVersion"] == "3.0.0"
    assert doc["precedingPfIds"] == ["b669fa88-5c80-4cc2-9eae-9f23c816e343"]
    assert doc["created"] == "2026-06-30T00:00:00Z" and doc["status"] == "Active"
    assert doc["productNameCompany"] == "Wood panel"
    assert doc["companyName"] == "Wood Products S.A."
    assert doc["companyIds"] == ["urn:uuid:9c5cd1fd-7cfa-49ba-a6d3-1f04b55b9e3b"]
    assert doc["productIds"][0] == "urn:uuid:a7432abd-0881-4977-a817-f8aaf627fb91"
    assert "urn:gtin:3234567890126" in doc["productIds"]
    # published 2020-05-08, valid through 2024-05-08; reference year 2020: PACT allows 2021-01-01 to 2024-01-01
    assert doc["validityPeriodStart"] == "2021-01-01T00:00:00Z"
    assert doc["validityPeriodEnd"] == "2024-01-01T00:00:00Z"
    assert "00.02.042" in doc["comment"] and "EPD042812-01" in doc["comment"]


def test_official_carbon_footprint(official: Conversion) -> None:
    pcf = official.document["pcf"]
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == ("kilogram", "1.0")
    assert pcf["productMassPerDeclaredUnit"] == "1.0"
    assert (pcf["biogenicCarbonContent"], pcf["packagingBiogenicCarbonContent"]) == ("0.96", "0.042")
    assert (pcf["referencePeriodStart"], pcf["referencePeriodEnd"]) == ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z")
    assert pcf["geographyCountry"] == "PL"
    assert pcf["ipccCharacterizationFactors"] == ["AR5"]
    assert pcf["crossSectoralStandards"] == ["EN 15804+A2"]
    rules = pcf["productOrSectorSpecificRules"]
    assert rules == [
        {"operator": "Other", "ruleNames": ["Wood Products PCR"], "otherOperatorName": "The Swift® EPD Program"}
    ]


def test_official_totals_come_from_a1_a3_exactly(official: Conversion) -> None:
    process = OFFICIAL.read_bytes()
    total, fossil, luluc = (lcia_amount(process, GWP_UUIDS[k], "A1-A3") for k in ("total", "fossil", "luluc"))
    pcf = official.document["pcf"]
    assert pcf["pcfIncludingBiogenicUptake"] == total
    assert pcf["fossilGhgEmissions"] == fossil
    assert Decimal(pcf["pcfExcludingBiogenicUptake"]) == Decimal(fossil) + Decimal(luluc)
    assert "doubtful" in at(official, "/pcf/pcfExcludingBiogenicUptake")[0].message


def test_official_modules_keep_decimal_text_and_take_the_default_scenario(official: Conversion) -> None:
    process = OFFICIAL.read_bytes()
    ext = official.document["extensions"][0]["data"]
    gwp = official.document["extensions"][1]
    assert gwp["dataSchema"] == GWP_SCHEMA_ID
    scenario = {"A1-A3": None, "A4": "Transport to Gdansk", "C3": "100% recycling", "C4": "100% recycling"}
    scenario["D"] = "100% recycling"
    assert set(ext["modules"]) == set(scenario)
    for module, name in scenario.items():
        assert ext["modules"][module] == lcia_amount(process, GWP_UUIDS["total"], module, name)
        for kind in ("fossil", "biogenic", "luluc"):
            assert gwp["data"]["modules"][module][kind] == lcia_amount(process, GWP_UUIDS[kind], module, name)
    dropped = [f for f in by_rule(official, "ilcd.convert.dropped") if "Transport to Berlin" in f.message]
    assert {f.path for f in dropped} == {"/extensions/0/data/modules/A4"} | {
        f"/extensions/1/data/modules/A4/{k}" for k in ("fossil", "biogenic", "luluc")
    }


def test_official_system_boundary(official: Conversion) -> None:
    assert official.document["extensions"][0]["data"]["systemBoundary"] == "cradle-to-gate"
    (finding,) = at(official, "/extensions/0/data/systemBoundary")
    assert "beyond the gate" in finding.message and "C4" in finding.message


def test_official_passes_schema_checks_but_for_what_ilcd_cannot_carry(official: Conversion) -> None:
    prepared = prepare(copy.deepcopy(official.document))
    assert {(f.rule_id, f.path) for f in prepared.findings} == {
        ("declaration.schema.required", "/pcf/fossilCarbonContent"),
        ("declaration.schema.required", "/pcf/exemptedEmissionsPercent"),
    }
    missing = {f.path for f in by_rule(official, "ilcd.convert.missing")}
    assert {"/pcf/fossilCarbonContent", "/pcf/exemptedEmissionsPercent"} <= missing


def test_official_with_the_two_missing_values_supplied_is_schema_valid(official: Conversion) -> None:
    doc = copy.deepcopy(official.document)
    doc["pcf"]["fossilCarbonContent"] = "0"
    doc["pcf"]["exemptedEmissionsPercent"] = "0"
    prepared = prepare(doc)
    assert prepared.schema_valid and prepared.findings == []
    assert prepared.extension_pointer == "/extensions/0/data"


def _half_unit(text: str) -> Decimal:
    """Half a unit in the last published digit: what rounding may have taken."""
    return Decimal(5).scaleb(Decimal(text).as_tuple().exponent - 1)  # type: ignore[operator]


def test_core_pack_reports_the_gwp_sum_per_module(official: Conversion, catalog: Catalog) -> None:
    doc = copy.deepcopy(official.document)
    result = validate_document(catalog, doc, pack=f"{CORE}@1.1.0", now=NOW)
    found = {f.path: f for f in result.findings if f.rule_id == "core.modules.gwp-sum"}
    totals = doc["extensions"][0]["data"]["modules"]
    terms = doc["extensions"][1]["data"]["modules"]
    expected = set()
    for module, total in totals.items():
        texts = [terms[module][k] for k in ("fossil", "biogenic", "luluc")]
        parts = [Decimal(t) for t in texts]
        rounding = sum(_half_unit(t) for t in [total, *texts])
        if abs(Decimal(total) - sum(parts)) > Decimal("0.01") * sum(abs(p) for p in parts) + rounding:
            expected.add(f"/extensions/0/data/modules/{module}")
    assert "/extensions/0/data/modules/A1-A3" in expected
    assert set(found) == expected
    a1_a3 = found["/extensions/0/data/modules/A1-A3"]
    assert a1_a3.severity is Severity.WARNING
    assert a1_a3.message.startswith("module A1-A3: GWP-total is 15.559479677163699")
    assert "[unchecked]" in a1_a3.clauses[0]


def test_every_finding_is_info_with_a_pointer_and_a_resolvable_source_path() -> None:
    cases = [(OFFICIAL, OFFICIAL_FLOW, {}), (V12, V12_FLOW, {}), (A1, None, {"declared_unit": "kilogram"})]
    for process, flow, kwargs in cases:
        conversion = convert(process, flow, **kwargs)
        process_bytes, flow_bytes = process.read_bytes(), flow.read_bytes() if flow else None
        for f in conversion.findings:
            stated = f.path == "/pcf/declaredUnitOfMeasurement" and "declared_unit" in kwargs
            warned = stated or f.rule_id == "ilcd.convert.adjusted"
            assert f.severity is (Severity.WARNING if warned else Severity.INFO) and f.rule_id in RULE_IDS
            assert f.path == "" or f.path.startswith("/")
            assert f.source_path is not None
            assert resolve(f.source_path, process_bytes, flow_bytes), f
            if f.rule_id in ("ilcd.convert.converted", "ilcd.convert.remapped", "ilcd.convert.derived"):
                pointer(conversion.document, f.path)  # the value is where the finding says


def test_source_path_of_a_module_value_names_its_amount(official: Conversion) -> None:
    (finding,) = [f for f in at(official, "/pcf/fossilGhgEmissions")]
    assert finding.source_path == (
        "/processDataSet/LCIAResults/LCIAResult[8]/common:other/epd:amount[@epd:module='A1-A3']"
    )
    (node,) = resolve(finding.source_path or "", OFFICIAL.read_bytes(), None)
    assert node.text == official.document["pcf"]["fossilGhgEmissions"]


# --- a v1.2-style data set (EF 3.1, GWP-GHG, exponents, empty modules) ---------------------------
def test_v12_unit_mass_and_carbon_from_an_area_flow(v12: Conversion) -> None:
    pcf = v12.document["pcf"]
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == ("square meter", "1")
    assert pcf["productMassPerDeclaredUnit"] == "8.5"
    assert (pcf["biogenicCarbonContent"], pcf["packagingBiogenicCarbonContent"]) == ("0", "0.015")


def test_v12_indicator_set_ghg_and_ipcc(v12: Conversion) -> None:
    pcf = v12.document["pcf"]
    assert pcf["pcfExcludingBiogenicUptake"] == "2.8512"  # GWP-GHG of A1-A3
    assert pcf["pcfIncludingBiogenicUptake"] == "2.7462"
    assert pcf["ipccCharacterizationFactors"] == ["AR6"]
    assert "[unchecked]" in at(v12, "/pcf/ipccCharacterizationFactors")[0].message
    assert pcf["crossSectoralStandards"] == ["EN 15804+A2", "ISO 14025"]
    assert v12.document["extensions"][1]["data"]["indicatorSet"] == "EN 15804+A2 (EF 3.1)"


def test_v12_exponents_are_converted_exactly(v12: Conversion) -> None:
    modules = v12.document["extensions"][0]["data"]["modules"]
    terms = v12.document["extensions"][1]["data"]["modules"]
    assert modules["A4"] == "0.08155"  # 8.155E-2
    assert terms["A1-A3"]["biogenic"] == "-0.105"  # -1.05E-1
    assert terms["A4"]["luluc"] == "0.00005"  # 5E-5
    assert modules["C1"] == "0" and modules["D"] == "-0.3402"
    for module, values in terms.items():
        assert PLAIN_DECIMAL.match(modules[module])
        assert all(PLAIN_DECIMAL.match(v) for v in values.values())


def test_v12_empty_modules_are_not_declared_not_zero(v12: Conversion) -> None:
    modules = v12.document["extensions"][0]["data"]["modules"]
    terms = v12.document["extensions"][1]["data"]["modules"]
    for b in (f"B{i}" for i in range(1, 8)):
        assert b not in modules and b not in terms
        (finding,) = at(v12, f"/extensions/0/data/modules/{b}")
        assert finding.rule_id == "ilcd.convert.not-declared" and "not zero" in finding.message
        assert finding.source_path is not None and finding.source_path.endswith(f"epd:amount[@epd:module='{b}']")
    unknown = [f for f in by_rule(v12, "ilcd.convert.dropped") if "'B1-B7'" in f.message]
    assert len(unknown) == 1


def test_v12_consistent_sums_give_no_gwp_warning(v12: Conversion, catalog: Catalog) -> None:
    result = validate_document(catalog, copy.deepcopy(v12.document), pack=f"{CORE}@1.1.0", now=NOW)
    assert [f for f in result.findings if f.rule_id == "core.modules.gwp-sum"] == []


def test_v12_product_description_falls_back_to_the_english_name(v12: Conversion) -> None:
    assert v12.document["productDescription"] == "Gypsum plasterboard 12.5 mm"
    assert v12.document["companyIds"] == ["urn:uuid:5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"]
    assert v12.document["validityPeriodEnd"] == "2026-01-01T00:00:00Z"  # valid until 2027, PACT: 3 years after 2022


def test_declared_amount_scales_flow_properties() -> None:
    process = V12.read_bytes().replace(b"<meanAmount>1</meanAmount>", b"<meanAmount>2.5</meanAmount>")
    conversion = convert(process, V12_FLOW)
    pcf = conversion.document["pcf"]
    assert pcf["declaredUnitAmount"] == "2.5"
    assert Decimal(pcf["productMassPerDeclaredUnit"]) == Decimal("8.5") * Decimal("2.5")
    assert Decimal(pcf["packagingBiogenicCarbonContent"]) == Decimal("0.015") * Decimal("2.5")
    assert at(conversion, "/pcf/productMassPerDeclaredUnit")[0].rule_id == "ilcd.convert.derived"


# --- an EN 15804+A1, v1.1-style data set without flow -------------------------------------------
def test_a1_without_flow_or_declared_unit_says_what_to_supply() -> None:
    with pytest.raises(InputError) as info:
        convert(A1)
    message = info.value.message
    assert "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918" in message
    assert "--flow" in message and "--declared-unit" in message and "declared_unit=" in message
    assert info.value.location.file == "in.xml"


def test_a1_with_declared_unit() -> None:
    conversion = convert(A1, declared_unit="1 cubic meter")
    doc = conversion.document
    assert (doc["pcf"]["declaredUnitOfMeasurement"], doc["pcf"]["declaredUnitAmount"]) == ("cubic meter", "1.0")
    modules = doc["extensions"][0]["data"]["modules"]
    assert modules == {"A1": "231", "A2": "4.5", "A3": "0.5", "C4": "3.2", "D": "-1.1"}
    assert Decimal(doc["pcf"]["pcfIncludingBiogenicUptake"]) == Decimal(231) + Decimal("4.5") + Decimal("0.5")
    assert len(doc["extensions"]) == 1  # no sub-indicators: no GWP extension
    assert doc["pcf"]["geographyRegionOrSubregion"] == "Europe"
    assert "[unchecked]" in at(conversion, "/pcf/geographyRegionOrSubregion")[0].message
    assert "precedingPfIds" not in doc and at(conversion, "/precedingPfIds")[0].rule_id == "ilcd.convert.dropped"
    assert "companyName" not in doc and at(conversion, "/companyName")[0].rule_id == "ilcd.convert.missing"
    (a4,) = at(conversion, "/extensions/0/data/modules/A4")
    assert a4.rule_id == "ilcd.convert.not-declared" and "GWP (EN 15804+A1)" in a4.message
    assert "ipccCharacterizationFactors" not in doc["pcf"]


# --- declared unit ---------------------------------------------------------------------------------
@pytest.mark.parametrize("stated", ["kilogram", "kg", "1 kilogram", "1.0 KG", "1e0 kg"])
def test_declared_unit_agreeing_with_the_flow(stated: str) -> None:
    assert convert(OFFICIAL, OFFICIAL_FLOW, declared_unit=stated).document["pcf"]["declaredUnitOfMeasurement"] == (
        "kilogram"
    )


@pytest.mark.parametrize(
    ("stated", "words"),
    [
        ("square meter", "contradicts the flow data set"),
        ("2 kilogram", "has amount 2"),
        ("3 furlongs", "not understood"),
        ("", "not understood"),
    ],
)
def test_declared_unit_refused(stated: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        convert(OFFICIAL, OFFICIAL_FLOW, declared_unit=stated)


def test_flow_whose_unit_pact_lacks() -> None:
    length = b"838aaa23-0117-11db-92e3-0800200c9a66"
    flow = V12_FLOW.read_bytes().replace(b"93a60a56-a3c8-19da-a746-0800200c9a66", length)
    with pytest.raises(InputError, match=r"Length .* no PACT v3 declaredUnitOfMeasurement"):
        convert(V12, flow)
    conversion = convert(V12, flow, declared_unit="piece")
    assert conversion.document["pcf"]["declaredUnitOfMeasurement"] == "piece"
    assert at(conversion, "/pcf/declaredUnitOfMeasurement")[0].rule_id == "ilcd.convert.defaulted"


def test_flow_of_another_product_is_refused() -> None:
    with pytest.raises(InputError, match="but the process's reference flow is"):
        convert(OFFICIAL, V12_FLOW)


def test_process_where_the_flow_is_expected() -> None:
    with pytest.raises(InputError, match="root element is <processDataSet>"):
        convert(OFFICIAL, OFFICIAL)


# --- indicators, scenarios, numbers ---------------------------------------------------------------
def test_indicator_recognised_by_name_when_the_uuid_is_unknown() -> None:
    process = OFFICIAL.read_bytes().replace(GWP_UUIDS["fossil"].encode(), b"00000000-1111-4222-8333-444444444444")
    conversion = convert(process, OFFICIAL_FLOW)
    (named,) = by_rule(conversion, "ilcd.convert.matched-by-name")
    assert "GWP-fossil" in named.message and named.path == "/extensions/1/data/modules"
    assert conversion.document["pcf"]["fossilGhgEmissions"] == lcia_amount(
        process, "00000000-1111-4222-8333-444444444444", "A1-A3"
    )


def test_without_a_default_scenario_scenario_modules_are_left_out() -> None:
    process = OFFICIAL.read_bytes().replace(b'epd:default="true" ', b"")
    conversion = convert(process, OFFICIAL_FLOW)
    assert set(conversion.document["extensions"][0]["data"]["modules"]) == {"A1-A3"}
    assert any("no scenario is marked default" in f.message for f in at(conversion, "/extensions/0/data/modules/A4"))


def test_other_unit_than_kg_co2_eq_is_not_carried() -> None:
    process = A1.read_bytes().replace(b"1ebf3012-d0db-4de2-aefd-ef30cedb0be1", b"00000000-0000-4000-8000-000000000000")
    process = process.replace("kg CO2-Äqv.".encode(), b"t CO2")
    conversion = convert(process, declared_unit="kilogram")
    assert "modules" not in conversion.document["extensions"][0]["data"]
    assert any("not kg CO2 eq" in f.message for f in by_rule(conversion, "ilcd.convert.dropped"))


@pytest.mark.parametrize("bad", [b"1,5", b"NaN", b"INF", b"1.5.2", b"1E+999", b"0x10"])
def test_malformed_gwp_number_names_line_and_element(bad: str) -> None:
    process = A1.read_bytes().replace(b'"A2">4.5<', b'"A2">' + bad + b"<")
    with pytest.raises(InputError) as info:
        convert(process, declared_unit="kilogram")
    error = info.value
    assert "GWP (EN 15804+A1) for module A2" in error.message
    assert error.location.line is not None and error.location.line > 1
    assert error.location.pointer is not None and "epd:module='A2'" in error.location.pointer


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-(10**30), max_value=10**30))
def test_number_text_converts_exactly(value: Decimal) -> None:
    for text in (str(value), f"{value:e}", f"{value:E}", format(value, "f")):
        plain = plain_decimal(Sourced(text, "/x", 1), source="in.xml", what="n")
        assert PLAIN_DECIMAL.match(plain)
        assert Decimal(plain) == Decimal(text)


def test_plain_number_text_is_kept_verbatim() -> None:
    for text in ("15.559479677163699", "-0.5", "0", "+1.50", "0.000"):
        assert plain_decimal(Sourced(text, "/x", 1), source="in.xml", what="n") == text


# --- structure errors ---------------------------------------------------------------------------------
def test_missing_reference_flow() -> None:
    process = OFFICIAL.read_bytes().replace(b"<referenceToReferenceFlow>42</referenceToReferenceFlow>", b"")
    with pytest.raises(InputError, match="the reference flow is missing"):
        convert(process, OFFICIAL_FLOW)


def test_reference_flow_matching_no_exchange() -> None:
    process = OFFICIAL.read_bytes().replace(b">42</referenceToReferenceFlow>", b">99</referenceToReferenceFlow>")
    with pytest.raises(InputError, match="'99' matches no exchange"):
        convert(process, OFFICIAL_FLOW)


def test_uuid_that_is_not_a_uuid() -> None:
    process = OFFICIAL.read_bytes().replace(b"<common:UUID>57a4ae65", b"<common:UUID>zz-57a4ae65")
    with pytest.raises(InputError, match="not a UUID"):
        convert(process, OFFICIAL_FLOW)


def test_system_boundary_from_modules() -> None:
    grave = {"A1-A3", "A4", "A5", "C1", "C2", "C3", "C4", "D"} | {f"B{i}" for i in range(1, 8)}
    assert system_boundary(grave) == "cradle-to-grave"
    assert system_boundary(grave - {"B6"}) == "cradle-to-gate"
    assert system_boundary({"A1", "A2", "A3", "D"}) == "cradle-to-gate"
    assert system_boundary({"A3"}) == "gate-to-gate"
    assert system_boundary({"C4"}) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_process_gives_a_conversion_or_an_input_error(data: st.DataObject) -> None:
    original = V12.read_bytes()
    start = data.draw(st.integers(0, len(original) - 1))
    length = data.draw(st.integers(1, 40))
    replacement = data.draw(st.binary(max_size=40))
    damaged = original[:start] + replacement + original[start + length :]
    try:
        conversion = ilcd_to_declaration(damaged, flow=V12_FLOW.read_bytes(), source="in.xml", now=NOW)
    except InputError as e:
        assert e.location.file in ("in.xml", "<flow data set>")
    else:
        assert isinstance(conversion.document, dict)


@pytest.mark.parametrize("name", ["official", "v12"])
def test_gwp_sub_indicator_extension_follows_its_schema(name: str, request: pytest.FixtureRequest) -> None:
    import jsonschema

    from registry.resources import load_schema

    conversion: Conversion = request.getfixturevalue(name)
    schema = load_schema("en15804-gwp-1.0.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    found = [e for e in conversion.document["extensions"] if e["dataSchema"] == schema["$id"]]
    assert len(found) == 1
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(found[0]["data"]))
    assert errors == []
    assert set(found[0]["data"]["modules"]) <= set(conversion.document["extensions"][0]["data"]["modules"])


# --- issue 11: the declared amount is meanAmount x the reference property's meanValue -----------------
def _flow_of_1000_kg() -> bytes:
    """The official flow with its reference property (Mass) at 1000.0: one unit of the flow is 1000 kg."""
    return OFFICIAL_FLOW.read_bytes().replace(b"<f:meanValue>1.0</f:meanValue>", b"<f:meanValue>1000.0</f:meanValue>")


def test_declared_amount_multiplies_mean_amount_by_the_reference_mean_value() -> None:
    conversion = convert(OFFICIAL, _flow_of_1000_kg())
    pcf = conversion.document["pcf"]
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == ("kilogram", "1000.00")
    assert pcf["productMassPerDeclaredUnit"] == "1000.00"
    assert pcf["biogenicCarbonContent"] == "0.96"  # per unit of the flow, and the declared unit is one unit
    steps = [f for f in at(conversion, "/pcf/declaredUnitAmount") if f.rule_id == "ilcd.convert.derived"]
    assert len(steps) == 3
    assert steps[0].source_path is not None and steps[0].source_path.endswith("/meanAmount")
    assert "1.0" in steps[0].message
    assert steps[1].source_path is not None and steps[1].source_path.startswith("/flowDataSet")
    assert steps[1].source_path.endswith("meanValue") and "1000.0" in steps[1].message
    assert "1.0 x 1000.0 = 1000.00 kilogram" in steps[2].message


def test_declared_amount_with_two_units_of_a_1000_kg_flow_is_exact() -> None:
    process = OFFICIAL.read_bytes().replace(b"<meanAmount>1.0</meanAmount>", b"<meanAmount>0.1</meanAmount>")
    flow = OFFICIAL_FLOW.read_bytes().replace(b"<f:meanValue>1.0</f:meanValue>", b"<f:meanValue>0.3</f:meanValue>")
    pcf = convert(process, flow).document["pcf"]
    assert pcf["declaredUnitAmount"] == "0.03"  # not 0.030000000000000002
    assert Decimal(pcf["biogenicCarbonContent"]) == Decimal("0.096")


def test_stated_amount_is_compared_with_the_derived_declared_amount() -> None:
    assert convert(OFFICIAL, _flow_of_1000_kg(), declared_unit="1000 kg").document["pcf"]["declaredUnitAmount"] == (
        "1000.00"
    )
    with pytest.raises(InputError, match=r"1000\.00 kilogram"):
        convert(OFFICIAL, _flow_of_1000_kg(), declared_unit="1 kg")


# --- issue 11: a unit stated by the user over what the files say is a warning ------------------------
def test_stated_unit_without_the_flow_is_a_warning() -> None:
    (finding,) = at(convert(A1, declared_unit="1 cubic meter"), "/pcf/declaredUnitOfMeasurement")
    assert finding.rule_id == "ilcd.convert.defaulted" and finding.severity is Severity.WARNING


def test_stated_unit_over_a_flow_property_pact_lacks_is_a_warning() -> None:
    length = b"838aaa23-0117-11db-92e3-0800200c9a66"
    flow = V12_FLOW.read_bytes().replace(b"93a60a56-a3c8-19da-a746-0800200c9a66", length)
    (finding,) = at(convert(V12, flow, declared_unit="piece"), "/pcf/declaredUnitOfMeasurement")
    assert finding.severity is Severity.WARNING


# --- issue 11: validity periods that the pact-v3 pack accepts --------------------------------------------
PACT_PACK = "example-standards-body/pact-v3"


@pytest.mark.parametrize("name", ["official", "v12"])
def test_converted_validity_passes_the_pact_v3_pack(
    name: str, request: pytest.FixtureRequest, catalog: Catalog
) -> None:
    conversion: Conversion = request.getfixturevalue(name)
    result = validate_document(catalog, copy.deepcopy(conversion.document), pack=PACT_PACK, now=NOW)
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("pact-v3.validity")] == []


def test_validity_changes_are_reported_as_warnings_citing_pact(official: Conversion) -> None:
    start = [f for f in by_rule(official, "ilcd.convert.adjusted") if f.path == "/validityPeriodStart"]
    end = [f for f in by_rule(official, "ilcd.convert.adjusted") if f.path == "/validityPeriodEnd"]
    assert len(start) == 1 and len(end) == 1
    assert start[0].severity is Severity.WARNING and end[0].severity is Severity.WARNING
    assert "2020-05-08" in start[0].message and "2021-01-01" in start[0].message
    assert "2024-05-09" in end[0].message and "3 years" in end[0].message
    assert any("validityPeriodEnd" in c for c in end[0].clauses)


def test_validity_entirely_after_what_pact_allows_is_left_out(catalog: Catalog) -> None:
    process = OFFICIAL.read_bytes().replace(
        b"<common:referenceYear>2020</common:referenceYear>", b"<common:referenceYear>2015</common:referenceYear>"
    )
    conversion = convert(process, OFFICIAL_FLOW)
    doc = conversion.document
    assert "validityPeriodStart" not in doc and "validityPeriodEnd" not in doc
    (dropped,) = [f for f in by_rule(conversion, "ilcd.convert.adjusted") if f.path == "/validityPeriodStart"]
    assert dropped.severity is Severity.WARNING and "2019-01-01" in dropped.message
    result = validate_document(catalog, copy.deepcopy(doc), pack=PACT_PACK, now=NOW)
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("pact-v3.validity")] == []


def test_validity_years_agree_with_the_pact_v3_pack(catalog: Catalog) -> None:
    from registry.convert.ilcd_validity import PACT_VALIDITY_YEARS

    pack = catalog.compiled(PACT_PACK)
    assert pack.resolved.parameters["validityYears"] == PACT_VALIDITY_YEARS


# --- issue 11: GWP indicators by UUID, then by name and unit in seven languages ---------------------
THIRD_PARTY = Path(__file__).parent.parent / "fixtures" / "third-party" / "ilcd"


def test_german_gwp_without_uuid_is_recognised_by_name_and_unit() -> None:
    """InData's sample_EPD.xml: 'Treibhauspotential (GWP 100)', 'kg CO2-Äqv.', no method UUID."""
    conversion = convert(THIRD_PARTY / "indata-sample_EPD.xml", declared_unit="1 kg")
    doc = conversion.document
    assert doc["pcf"]["pcfIncludingBiogenicUptake"] == "42"
    assert doc["extensions"][0]["data"]["modules"]["A1-A3"] == "42"
    (named,) = by_rule(conversion, "ilcd.convert.matched-by-name")
    assert "Treibhauspotential (GWP 100)" in named.message and "de" in named.message
    assert not any("Treibhauspotential" in f.message for f in by_rule(conversion, "ilcd.convert.dropped"))


def test_every_gwp_indicator_says_how_it_was_matched(official: Conversion) -> None:
    by_uuid = by_rule(official, "ilcd.convert.matched-by-uuid")
    assert len(by_uuid) == 4
    assert any(GWP_UUIDS["luluc"] in f.message and "GWP-luluc" in f.message for f in by_uuid)


@pytest.mark.parametrize(
    ("name", "unit", "kind"),
    [
        ("Globales Erwärmungspotenzial - fossil (GWP-fossil)", "kg CO2-Äqv.", "fossil"),
        ("Potentiel de réchauffement climatique - biogénique", "kg éq CO2", "biogenic"),
        ("Potencial de calentamiento global - uso del suelo", "kg CO2 eq", "luluc"),
        ("Potenziale di riscaldamento globale - fossile", "kg CO2 eq", "fossil"),
        ("Aardopwarmingspotentieel - fossiel", "kg CO2-eq", "fossil"),
        ("全球变暖潜势 - 化石", "kg CO2当量", "fossil"),
    ],
)
def test_gwp_part_recognised_in_other_languages(name: str, unit: str, kind: str) -> None:
    process = OFFICIAL.read_bytes().replace(GWP_UUIDS[kind].encode(), b"00000000-1111-4222-8333-444444444444")
    tree = etree.fromstring(process)
    (result,) = tree.xpath(
        "//process:LCIAResult[process:referenceToLCIAMethodDataSet/@refObjectId='00000000-1111-4222-8333-444444444444']",
        namespaces=NS,
    )
    for short in result.xpath("process:referenceToLCIAMethodDataSet/common:shortDescription", namespaces=NS):
        short.text = name
    for group in result.xpath(".//epd:referenceToUnitGroupDataSet", namespaces=NS):
        group.set("refObjectId", "99999999-1111-4222-8333-444444444444")
        for short in group.xpath("common:shortDescription", namespaces=NS):
            short.text = unit
    conversion = convert(etree.tostring(tree), OFFICIAL_FLOW)
    (named,) = by_rule(conversion, "ilcd.convert.matched-by-name")
    assert name in named.message
    terms = conversion.document["extensions"][1]["data"]["modules"]["A1-A3"]
    assert terms[kind] == lcia_amount(OFFICIAL.read_bytes(), GWP_UUIDS[kind], "A1-A3")


def test_gwp_lookalike_that_cannot_be_placed_is_reported_as_such() -> None:
    process = OFFICIAL.read_bytes().replace(GWP_UUIDS["luluc"].encode(), b"00000000-1111-4222-8333-444444444444")
    process = process.replace(
        b"Global Warming Potential - land use and land use change (GWP-luluc)",
        b"Climate change - fossil and biogenic",
    )
    conversion = convert(process, OFFICIAL_FLOW)
    (unplaced,) = by_rule(conversion, "ilcd.convert.unplaced-gwp")
    assert unplaced.severity is Severity.WARNING and "cannot be placed" in unplaced.message
    assert not any("not a GWP indicator" in f.message and "Climate change" in f.message for f in conversion.findings)


# --- issue 11: the GWP sum in exact decimals, within the precision of the published figures ---------
def _with_module(doc: dict[str, Any], total: str, fossil: str, biogenic: str, luluc: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["extensions"][0]["data"]["modules"] = {"A1-A3": total}
    out["extensions"][1]["data"]["modules"] = {"A1-A3": {"fossil": fossil, "biogenic": biogenic, "luluc": luluc}}
    return out


@pytest.mark.parametrize("version", ["1.1.0", "1.2.0"])
def test_gwp_sum_tolerates_the_rounding_of_published_figures(v12: Conversion, catalog: Catalog, version: str) -> None:
    # A real steel EPD's module C3 (EPDItaly0091): 1.7 against 1.6 + 0.0485 + 0.0036 = 1.6521
    doc = _with_module(v12.document, "1.7", "1.6", "0.0485", "0.0036")
    result = validate_document(catalog, doc, pack=f"{CORE}@{version}", now=NOW)
    assert [f for f in result.findings if f.rule_id == "core.modules.gwp-sum"] == []


@pytest.mark.parametrize("version", ["1.1.0", "1.2.0"])
def test_gwp_sum_beyond_the_rounding_is_reported_in_exact_decimals(
    v12: Conversion, catalog: Catalog, version: str
) -> None:
    doc = _with_module(v12.document, "1.9", "1.6", "0.0485", "0.0036")
    result = validate_document(catalog, doc, pack=f"{CORE}@{version}", now=NOW)
    (finding,) = [f for f in result.findings if f.rule_id == "core.modules.gwp-sum"]
    assert "add up to 1.6521 " in finding.message and "1.6521000000000001" not in finding.message


def test_validity_ending_before_the_reference_period_ends_is_left_out(catalog: Catalog) -> None:
    process = OFFICIAL.read_bytes().replace(
        b"<epd24:expirationDateOfEPD>2024-05-08</epd24:expirationDateOfEPD>",
        b"<epd24:expirationDateOfEPD>2020-10-01</epd24:expirationDateOfEPD>",
    )
    conversion = convert(process, OFFICIAL_FLOW)
    assert "validityPeriodStart" not in conversion.document and "validityPeriodEnd" not in conversion.document
    assert any("left out" in f.message for f in by_rule(conversion, "ilcd.convert.adjusted"))
    result = validate_document(catalog, copy.deepcopy(conversion.document), pack=PACT_PACK, now=NOW)
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("pact-v3.validity")] == []
