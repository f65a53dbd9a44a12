"""PACT v2 -> v3 upgrade (registry/declarations/pact_upgrade/, docs/pact-v2-to-v3-mapping.md)."""

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
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from registry.declarations.pact_upgrade import RULE_IDS, spec_major, upgrade_v2_to_v3
from registry.errors import InputError
from registry.findings import Finding, Severity

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pact"
SCHEMAS = ROOT / "schemas" / "pact"
MAPPING_DOC = ROOT / "docs" / "pact-v2-to-v3-mapping.md"

FIXTURE_VERSIONS = {
    "v2.0-recycled-pet-flakes.json": "2.0",
    "v2.2-bio-pe-granulate.json": "2.2",
    "v2.3-mineral-wool-board.json": "2.3",
}

# v3-required fields that a v2-valid document may lack and that are not always derivable
# (docs/pact-v2-to-v3-mapping.md, "What v3 requires that v2 may lack").
NOT_DERIVABLE = {"productMassPerDeclaredUnit", "pcfIncludingBiogenicUptake"}

# --- schema validation with format checking ------------------------------------------
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    # jsonschema checks date-time and uri only with optional packages; check them here.
    @checker.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    @checker.checks("uri")  # type: ignore[untyped-decorator]
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(_URI.match(value))

    return checker


@cache
def validator(version: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"pact-productfootprint-v{version}.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=_format_checker())


def schema_errors(version: str, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(version).iter_errors(doc)]


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


# --- JSON pointers and leaves --------------------------------------------------------
def ptr(*parts: object) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


_MISSING = object()


def resolve(doc: Any, pointer: str) -> Any:
    if pointer == "":
        return doc
    node = doc
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def leaves(doc: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every scalar, empty array and empty object of a JSON value, with its pointer."""
    if isinstance(doc, dict) and doc:
        return [kv for k, v in doc.items() for kv in leaves(v, prefix + ptr(k))]
    if isinstance(doc, list) and doc:
        return [kv for i, v in enumerate(doc) for kv in leaves(v, prefix + ptr(i))]
    return [(prefix, doc)]


# The test's own statement of the pure renames (v2 pointer prefix -> v3 pointer prefix),
# independent of the module's tables.
RENAMED = {
    "/pcf/declaredUnit": "/pcf/declaredUnitOfMeasurement",
    "/pcf/unitaryProductAmount": "/pcf/declaredUnitAmount",
    "/pcf/pCfExcludingBiogenic": "/pcf/pcfExcludingBiogenicUptake",
    "/pcf/pCfIncludingBiogenic": "/pcf/pcfIncludingBiogenicUptake",
    "/pcf/dLucGhgEmissions": "/pcf/landUseChangeGhgEmissions",
    "/pcf/iLucGhgEmissions": "/pcf/landCarbonLeakage",
    "/pcf/otherBiogenicGhgEmissions": "/pcf/biogenicNonCO2Emissions",
    "/pcf/biogenicCarbonWithdrawal": "/pcf/biogenicCO2Uptake",
    "/pcf/ipccCharacterizationFactorsSources": "/pcf/ipccCharacterizationFactors",
    "/pcf/assurance": "/pcf/verification",
}


def v3_pointer(v2_pointer: str) -> str:
    for old, new in RENAMED.items():
        if v2_pointer == old or v2_pointer.startswith(old + "/"):
            return new + v2_pointer[len(old) :]
    return v2_pointer


def same_value(v2: Any, v3: Any) -> bool:
    """Equal, or a JSON number written as the decimal string of the same value."""
    if v2 is v3 or (type(v2) is type(v3) and v2 == v3):
        return True
    if isinstance(v2, int | float) and not isinstance(v2, bool) and isinstance(v3, str):
        try:
            return Decimal(repr(v2)) == Decimal(v3)
        except ArithmeticError:
            return False
    return False


def unaccounted_leaves(v2: Any, v3: Any, findings: list[Finding]) -> list[str]:
    """v2 leaves that neither carry over exactly nor are named by a finding."""
    # A finding on a field also accounts for everything inside it (a dropped object, an
    # extra property, a malformed array copied as a whole).
    sources = {f.source_path for f in findings}
    containers = {f.source_path for f in findings if f.source_path}
    problems = []
    for pointer, value in leaves(v2):
        if pointer in sources:
            continue
        if any(pointer.startswith(c + "/") for c in containers):
            continue
        found = resolve(v3, v3_pointer(pointer))
        if same_value(value, found):
            continue
        if value in ([], {}) and type(found) is type(value):
            continue  # an empty array/object has nothing to lose, even if merged into

        problems.append(f"{pointer} = {value!r}")
    return problems


def check_findings(v3: Any, findings: list[Finding]) -> None:
    for f in findings:
        assert f.severity is Severity.INFO, f
        assert f.rule_id in RULE_IDS, f
        assert f.source_path is not None, f
        assert f.source_path not in ("", "/pcf"), f  # would account for too much
        assert f.message and f.message == f.message.strip(), f
        assert f.path == "" or f.path.startswith("/"), f
        if f.rule_id != "pact.upgrade.missing":
            assert resolve(v3, f.path) is not _MISSING, f"{f.path} not in result: {f}"
        if f.rule_id != "pact.upgrade.extra":
            assert f.clauses, f
        # the message names the v2 field (the last non-index token of source_path)
        tokens = [t for t in f.source_path.split("/")[1:] if not t.isdigit()]
        if tokens and f.rule_id != "pact.upgrade.extra":
            name = tokens[-1].replace("~1", "/").replace("~0", "~")
            assert name in f.message, f


# --- fixtures ----------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "version"), FIXTURE_VERSIONS.items())
def test_fixture_is_valid_v2(name: str, version: str) -> None:
    doc = load(name)
    assert doc["specVersion"].startswith(version)
    assert schema_errors(version, doc) == []


@pytest.mark.parametrize("name", FIXTURE_VERSIONS)
def test_fixture_upgrades_to_valid_v3(name: str) -> None:
    doc = load(name)
    out, findings = upgrade_v2_to_v3(doc)
    assert schema_errors("3.0", out) == []
    assert out["specVersion"] == "3.0.0"
    check_findings(out, findings)


@pytest.mark.parametrize("name", FIXTURE_VERSIONS)
def test_every_v2_leaf_carries_over_or_has_a_finding(name: str) -> None:
    doc = load(name)
    out, findings = upgrade_v2_to_v3(doc)
    assert unaccounted_leaves(doc, out, findings) == []


@pytest.mark.parametrize("name", FIXTURE_VERSIONS)
def test_deterministic_and_input_untouched(name: str) -> None:
    doc = load(name)
    before = copy.deepcopy(doc)
    out1, findings1 = upgrade_v2_to_v3(doc)
    out2, findings2 = upgrade_v2_to_v3(doc)
    assert doc == before
    assert out1 == out2
    assert list(out1) == list(out2)
    assert [f.to_json() for f in findings1] == [f.to_json() for f in findings2]
    # the result shares no mutable objects with the input
    out1["pcf"]["crossSectoralStandards"].append("X")
    out1["companyIds"].append("urn:x")
    assert doc == before


def test_rule_ids_are_documented() -> None:
    text = MAPPING_DOC.read_text(encoding="utf-8")
    for rule_id in RULE_IDS:
        assert f"`{rule_id}`" in text


def test_v2_2_fixture_is_rescaled_to_the_v3_declared_unit() -> None:
    """25 kg bag: v2 values per 1 kg, v3 values per declared unit of 25 kg (ADR-36)."""
    out, findings = upgrade_v2_to_v3(load("v2.2-bio-pe-granulate.json"))
    pcf = out["pcf"]
    assert pcf["declaredUnitOfMeasurement"] == "kilogram"
    assert pcf["declaredUnitAmount"] == "25"
    assert pcf["productMassPerDeclaredUnit"] == "25"
    assert pcf["pcfExcludingBiogenicUptake"] == "28.75"
    assert pcf["pcfIncludingBiogenicUptake"] == "-49.75"
    assert pcf["biogenicCO2Uptake"] == "-78.5"
    assert pcf["landUseChangeGhgEmissions"] == "3"
    assert pcf["landCarbonLeakage"] == "0.5"
    assert pcf["biogenicNonCO2Emissions"] == "0.75"
    assert pcf["fossilCarbonContent"] == "0"
    assert pcf["exemptedEmissionsPercent"] == "1.2"  # a percentage: not rescaled
    assert pcf["dqi"] == {"technologicalDQR": "1.6", "geographicalDQR": "1.9", "temporalDQR": "1.2"}
    assert pcf["verification"] == {
        "coverage": "product level",
        "providerName": "Example Assurance Ltd",
        "completedAt": "2024-04-30T00:00:00Z",
        "standardName": "ISO 14064-3",
    }
    assert "landManagementGhgEmissions" not in pcf
    by_source = {f.source_path: f for f in findings}
    f = by_source["/pcf/pCfExcludingBiogenic"]
    assert f.rule_id == "pact.upgrade.converted"
    assert f.path == "/pcf/pcfExcludingBiogenicUptake"
    assert "pcfExcludingBiogenicUptake" in f.message and "28.75" in f.message
    assert by_source["/pcf/landManagementGhgEmissions"].rule_id == "pact.upgrade.dropped"
    assert by_source["/pcf/landManagementGhgEmissions"].path == "/pcf"


def test_v2_0_fixture_details() -> None:
    out, findings = upgrade_v2_to_v3(load("v2.0-recycled-pet-flakes.json"))
    assert out["productClassifications"] == ["urn:cpc:39280"]
    assert "version" not in out and "updated" not in out
    pcf = out["pcf"]
    assert pcf["crossSectoralStandards"] == ["GHGP-Product", "ISO14067"]
    assert pcf["ipccCharacterizationFactors"] == ["AR5"]
    assert pcf["productMassPerDeclaredUnit"] == "1"
    assert pcf["pcfIncludingBiogenicUptake"] == "0.62"
    assert pcf["primaryDataShare"] == "37.5"
    rules = {(f.rule_id, f.path) for f in findings}
    assert ("pact.upgrade.defaulted", "/pcf/productMassPerDeclaredUnit") in rules
    assert ("pact.upgrade.derived", "/pcf/pcfIncludingBiogenicUptake") in rules
    assert ("pact.upgrade.dropped", "") in rules


def test_v2_3_fixture_details() -> None:
    doc = load("v2.3-mineral-wool-board.json")
    out, findings = upgrade_v2_to_v3(doc)
    assert out["productClassifications"] == [
        "urn:pact:catalog.skane-insulation.example.com:category-id:INS-100",
        "urn:cpc:37990",
    ]
    assert out["extensions"] == doc["extensions"]
    pcf = out["pcf"]
    assert pcf["crossSectoralStandards"] == ["ISO14067", "PACT-2.0"]
    assert pcf["verification"]["coverage"] == "PCF calculation model"
    assert pcf["exemptedEmissionsPercent"] == "0.0"
    assert pcf["productMassPerDeclaredUnit"] == "3.5"
    merged = [f for f in findings if f.source_path == "/pcf/crossSectoralStandardsUsed/0"]
    assert [(f.rule_id, f.path) for f in merged] == [("pact.upgrade.merged", "/pcf/crossSectoralStandards/0")]
    assert list(out) == [
        "id",
        "specVersion",
        "precedingPfIds",
        "created",
        "status",
        "validityPeriodStart",
        "validityPeriodEnd",
        "companyName",
        "companyIds",
        "productDescription",
        "productIds",
        "productClassifications",
        "productNameCompany",
        "comment",
        "pcf",
        "extensions",
    ]


# --- spec_major -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "major"),
    [
        ("2.0.0", 2),
        ("2.3.0", 2),
        ("2.0.0-20230101", 2),
        ("2.3", 2),
        ("3.0.1", 3),
        ("3.0.0", 3),
        ("1.0.1", None),
        ("4.0.0", None),
        ("v2", None),
        ("", None),
        ("2", None),
        (2, None),
        (None, None),
    ],
)
def test_spec_major(version: Any, major: int | None) -> None:
    assert spec_major({"specVersion": version}) == major


def test_spec_major_without_spec_version() -> None:
    # only specVersion counts: v2 field names are no evidence
    assert spec_major({"pcf": {"pCfExcludingBiogenic": "1"}}) is None
    assert spec_major({}) is None


# --- focused behaviour --------------------------------------------------------------
def minimal_v2(**pcf: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "specVersion": "2.3.0",
        "pcf": {
            "declaredUnit": "liter",
            "unitaryProductAmount": "1",
            "pCfExcludingBiogenic": "2",
            "pCfIncludingBiogenic": "2",
            "productMassPerDeclaredUnit": "0.8",
        },
    }
    base["pcf"].update(pcf)
    return base


def findings_for(doc: dict[str, Any], source: str) -> list[Finding]:
    return [f for f in upgrade_v2_to_v3(doc)[1] if f.source_path == source]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e-05, "0.00001"),
        (37.5, "37.5"),
        (0, "0"),
        (100, "100"),
        (2.0, "2.0"),
        (0.1, "0.1"),
        (1.5e-10, "0.00000000015"),
        (1e16, "10000000000000000"),
    ],
)
def test_numbers_become_plain_decimal_strings(value: float, text: str) -> None:
    out, findings = upgrade_v2_to_v3(minimal_v2(primaryDataShare=value))
    assert out["pcf"]["primaryDataShare"] == text
    assert "e" not in text.lower()
    # same value, new representation: no finding
    assert not [f for f in findings if f.source_path == "/pcf/primaryDataShare"]


def test_non_numbers_are_left_for_v3_validation() -> None:
    out, _ = upgrade_v2_to_v3(minimal_v2(exemptedEmissionsPercent=True, primaryDataShare="7"))
    assert out["pcf"]["exemptedEmissionsPercent"] is True
    assert out["pcf"]["primaryDataShare"] == "7"


def test_pure_renames_give_no_findings() -> None:
    doc = minimal_v2(dLucGhgEmissions="0.1", biogenicCarbonWithdrawal="-0.5")
    out, findings = upgrade_v2_to_v3(doc)
    pcf = out["pcf"]
    assert pcf["declaredUnitOfMeasurement"] == "liter"
    assert pcf["declaredUnitAmount"] == "1"
    assert pcf["pcfExcludingBiogenicUptake"] == "2"
    assert pcf["landUseChangeGhgEmissions"] == "0.1"
    assert pcf["biogenicCO2Uptake"] == "-0.5"
    assert [f.source_path for f in findings] == ["/specVersion"]


def test_rescaling_is_exact() -> None:
    doc = minimal_v2(
        unitaryProductAmount="12.5",
        pCfExcludingBiogenic="0.1234567890123456789012345678901",
        productMassPerDeclaredUnit="0.789",
        fossilGhgEmissions="1e3",
    )
    out, findings = upgrade_v2_to_v3(doc)
    pcf = out["pcf"]
    assert pcf["pcfExcludingBiogenicUptake"] == "1.54320986265432098626543209862625"
    assert pcf["productMassPerDeclaredUnit"] == "9.8625"
    assert pcf["declaredUnitAmount"] == "12.5"
    assert pcf["fossilGhgEmissions"] == "1e3"  # not a v2 decimal: copied unchanged
    unscaled = [f for f in findings if f.rule_id == "pact.upgrade.unscaled"]
    assert [f.source_path for f in unscaled] == ["/pcf/fossilGhgEmissions"]


def test_unparseable_amount_leaves_values_unscaled() -> None:
    out, findings = upgrade_v2_to_v3(minimal_v2(unitaryProductAmount="twelve"))
    assert out["pcf"]["pcfExcludingBiogenicUptake"] == "2"
    (f,) = [f for f in findings if f.rule_id == "pact.upgrade.unscaled"]
    assert f.path == "/pcf/declaredUnitAmount"
    assert f.source_path == "/pcf/unitaryProductAmount"


def test_kilogram_mass_is_defaulted_other_units_are_missing() -> None:
    doc = minimal_v2(declaredUnit="kilogram")
    del doc["pcf"]["productMassPerDeclaredUnit"]
    out, _ = upgrade_v2_to_v3(doc)
    assert out["pcf"]["productMassPerDeclaredUnit"] == "1"
    (f,) = findings_for(doc, "/pcf/productMassPerDeclaredUnit")
    assert f.rule_id == "pact.upgrade.defaulted"

    doc["pcf"]["unitaryProductAmount"] = "2000"
    assert upgrade_v2_to_v3(doc)[0]["pcf"]["productMassPerDeclaredUnit"] == "2000"

    for unit in ("liter", "megajoule", "kilowatt hour", "ton kilometer"):
        doc["pcf"]["declaredUnit"] = unit
        out, _ = upgrade_v2_to_v3(doc)
        assert "productMassPerDeclaredUnit" not in out["pcf"]
        (f,) = findings_for(doc, "/pcf/productMassPerDeclaredUnit")
        assert f.rule_id == "pact.upgrade.missing"
        errors = schema_errors("3.0", out)
        assert "pcf: 'productMassPerDeclaredUnit' is a required property" in errors


def test_pcf_including_biogenic_is_derived_only_when_derivable() -> None:
    doc = minimal_v2(biogenicCarbonWithdrawal="-0.75", unitaryProductAmount="2")
    del doc["pcf"]["pCfIncludingBiogenic"]
    out, _ = upgrade_v2_to_v3(doc)
    assert out["pcf"]["pcfIncludingBiogenicUptake"] == "2.5"  # (2 - 0.75) x 2
    (f,) = findings_for(doc, "/pcf/pCfIncludingBiogenic")
    assert f.rule_id == "pact.upgrade.derived"
    assert f.path == "/pcf/pcfIncludingBiogenicUptake"

    del doc["pcf"]["biogenicCarbonWithdrawal"]
    out, _ = upgrade_v2_to_v3(doc)
    assert "pcfIncludingBiogenicUptake" not in out["pcf"]
    (f,) = findings_for(doc, "/pcf/pCfIncludingBiogenic")
    assert f.rule_id == "pact.upgrade.missing"


@pytest.mark.parametrize(
    ("used", "new", "expected"),
    [
        (["GHG Protocol Product standard"], None, ["GHGP-Product"]),
        (["ISO Standard 14067", "ISO Standard 14044"], None, ["ISO14067", "ISO14040-44"]),
        (["ISO Standard 14067"], ["ISO14067"], ["ISO14067"]),
        (
            None,
            ["GHGP Product", "PACT Methodology 2.0", "PAS2050"],
            ["GHGP-Product", "PACT-2.0", "PAS2050"],
        ),
        (
            None,
            ["ISO 14067", "pact methodology 3.0", "PACT Framework v2.1"],
            ["ISO14067", "PACT-3.0", "PACT Framework v2.1"],
        ),
        (["GHG Protocol Product standard"], ["PEF"], ["PEF", "GHGP-Product"]),
        (["ISO Standard 14044"], ["ISO 14040-44", "ISO14040-44"], ["ISO14040-44"]),
    ],
)
def test_cross_sectoral_standards(used: list[str] | None, new: list[str] | None, expected: list[str]) -> None:
    doc = minimal_v2()
    if used is not None:
        doc["pcf"]["crossSectoralStandardsUsed"] = used
    if new is not None:
        doc["pcf"]["crossSectoralStandards"] = new
    out, findings = upgrade_v2_to_v3(doc)
    assert out["pcf"]["crossSectoralStandards"] == expected
    assert "crossSectoralStandardsUsed" not in out["pcf"]
    assert unaccounted_leaves(doc, out, findings) == []


@pytest.mark.parametrize(
    ("sources", "factor", "expected", "rule"),
    [
        (["AR6"], "AR6", ["AR6"], "pact.upgrade.merged"),
        (["AR6"], "AR5", ["AR6", "AR5"], "pact.upgrade.merged"),
        (None, "AR5", ["AR5"], "pact.upgrade.converted"),
    ],
)
def test_characterization_factors(sources: list[str] | None, factor: str, expected: list[str], rule: str) -> None:
    doc = minimal_v2(characterizationFactors=factor)
    if sources is not None:
        doc["pcf"]["ipccCharacterizationFactorsSources"] = sources
    out, _ = upgrade_v2_to_v3(doc)
    assert out["pcf"]["ipccCharacterizationFactors"] == expected
    (f,) = findings_for(doc, "/pcf/characterizationFactors")
    assert f.rule_id == rule


@pytest.mark.parametrize(
    ("cpc", "classes", "expected", "rule"),
    [
        ("0151", None, ["urn:cpc:0151"], "pact.upgrade.converted"),
        ("0151", ["urn:gtin:1"], ["urn:gtin:1", "urn:cpc:0151"], "pact.upgrade.converted"),
        ("0151", ["URN:CPC:0151"], ["URN:CPC:0151"], "pact.upgrade.merged"),
        ("cereals", None, None, "pact.upgrade.dropped"),
        ("123456", ["urn:x:1"], ["urn:x:1"], "pact.upgrade.dropped"),
    ],
)
def test_product_category_cpc(cpc: str, classes: list[str] | None, expected: list[str] | None, rule: str) -> None:
    doc = minimal_v2()
    doc["productCategoryCpc"] = cpc
    if classes is not None:
        doc["productClassifications"] = classes
    out, _ = upgrade_v2_to_v3(doc)
    assert out.get("productClassifications") == expected
    assert "productCategoryCpc" not in out
    (f,) = findings_for(doc, "/productCategoryCpc")
    assert f.rule_id == rule


@pytest.mark.parametrize(
    ("coverage", "expected", "rule"),
    [
        ("product level", "product level", None),
        ("PCF system", "PCF calculation model", "pact.upgrade.converted"),
        ("corporate level", None, "pact.upgrade.dropped"),
        ("product line", None, "pact.upgrade.dropped"),
        ("galaxy level", "galaxy level", None),  # malformed: left for v3 validation
    ],
)
def test_assurance_coverage(coverage: str, expected: str | None, rule: str | None) -> None:
    doc = minimal_v2(assurance={"assurance": True, "coverage": coverage, "providerName": "A"})
    out, _ = upgrade_v2_to_v3(doc)
    assert out["pcf"]["verification"].get("coverage") == expected
    assert out["pcf"]["verification"]["providerName"] == "A"
    assert [f.rule_id for f in findings_for(doc, "/pcf/assurance/coverage")] == ([rule] if rule else [])


def test_assurance_false_means_no_verification() -> None:
    doc = minimal_v2(assurance={"assurance": False, "providerName": "A", "level": "limited"})
    out, findings = upgrade_v2_to_v3(doc)
    assert "verification" not in out["pcf"] and "assurance" not in out["pcf"]
    (f,) = findings_for(doc, "/pcf/assurance")
    assert f.rule_id == "pact.upgrade.dropped" and f.path == "/pcf"
    assert unaccounted_leaves(doc, out, findings) == []


def test_assurance_without_flag_as_in_2_0_0() -> None:
    doc = minimal_v2(assurance={"providerName": "A"})
    out, findings = upgrade_v2_to_v3(doc)
    assert out["pcf"]["verification"] == {"providerName": "A"}
    assert not [f for f in findings if (f.source_path or "").startswith("/pcf/assurance")]


def test_dqi_with_only_dropped_indicators_is_omitted() -> None:
    doc = minimal_v2(dqi={"coveragePercent": 42.0})
    out, _ = upgrade_v2_to_v3(doc)
    assert "dqi" not in out["pcf"]
    (f,) = findings_for(doc, "/pcf/dqi/coveragePercent")
    assert f.rule_id == "pact.upgrade.dropped" and f.path == "/pcf"


def test_dqi_scale_note() -> None:
    doc = minimal_v2(dqi={"technologicalDQR": 3, "temporalDQR": 1.25, "geographicalDQR": 2})
    out, _ = upgrade_v2_to_v3(doc)
    assert out["pcf"]["dqi"] == {
        "technologicalDQR": "3",
        "geographicalDQR": "2",
        "temporalDQR": "1.25",
    }
    (f,) = findings_for(doc, "/pcf/dqi/temporalDQR")
    assert f.rule_id == "pact.upgrade.remapped"
    assert "1 to 3" in f.message and "1 to 5" in f.message


def test_extra_properties_are_kept_with_a_finding() -> None:
    doc = minimal_v2(pcfExcludingBiogenic="9", recycledCarbonContent="0.1")
    doc["x-acme/ref~1"] = {"a": [1]}
    out, findings = upgrade_v2_to_v3(doc)
    assert out["x-acme/ref~1"] == {"a": [1]}
    assert out["pcf"]["pcfExcludingBiogenic"] == "9"
    assert out["pcf"]["recycledCarbonContent"] == "0.1"
    extra = {f.source_path: f for f in findings if f.rule_id == "pact.upgrade.extra"}
    assert set(extra) == {
        "/x-acme~1ref~01",
        "/pcf/pcfExcludingBiogenic",
        "/pcf/recycledCarbonContent",
    }
    assert extra["/x-acme~1ref~01"].path == "/x-acme~1ref~01"
    assert "defined in PACT v3" in extra["/pcf/recycledCarbonContent"].message
    assert "not a PACT v2 or v3 field" in extra["/pcf/pcfExcludingBiogenic"].message
    assert unaccounted_leaves(doc, out, findings) == []


def test_extra_property_colliding_with_a_mapped_field() -> None:
    doc = minimal_v2(declaredUnitOfMeasurement="kilogram", declaredUnitAmount="1")
    out, _ = upgrade_v2_to_v3(doc)
    assert out["pcf"]["declaredUnitOfMeasurement"] == "liter"  # the mapped value wins
    (f,) = findings_for(doc, "/pcf/declaredUnitOfMeasurement")
    assert f.rule_id == "pact.upgrade.dropped"
    (f,) = findings_for(doc, "/pcf/declaredUnitAmount")
    assert f.rule_id == "pact.upgrade.merged"


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ([], ""),
        ("pcf", ""),
        (None, ""),
        ({"specVersion": "2.3.0", "pcf": []}, "/pcf"),
        ({"specVersion": "2.3.0", "pcf": None}, "/pcf"),
        ({"specVersion": "3.0.0", "pcf": {}}, "/specVersion"),
        ({"specVersion": "1.0.1", "pcf": {}}, "/specVersion"),
    ],
)
def test_input_errors(doc: Any, pointer: str) -> None:
    with pytest.raises(InputError) as info:
        upgrade_v2_to_v3(doc)
    assert info.value.location.pointer == pointer


def test_lenient_with_missing_or_malformed_spec_version() -> None:
    out, findings = upgrade_v2_to_v3({"pcf": {}})
    assert out["specVersion"] == "3.0.0"
    assert findings[0].rule_id == "pact.upgrade.defaulted"
    out, findings = upgrade_v2_to_v3({"specVersion": 2, "pcf": {}})
    assert out["specVersion"] == "3.0.0"
    assert findings[0].rule_id == "pact.upgrade.converted"


# --- property tests ---------------------------------------------------------------------
V2_ROOT_KEYS = [
    "id", "specVersion", "precedingPfIds", "version", "created", "updated", "status",
    "statusComment", "validityPeriodStart", "validityPeriodEnd", "companyName", "companyIds",
    "productDescription", "productIds", "productClassifications", "productCategoryCpc",
    "productNameCompany", "comment", "extensions", "declaredUnitAmount", "x",
]  # fmt: skip
V2_PCF_KEYS = [
    "declaredUnit", "unitaryProductAmount", "productMassPerDeclaredUnit",
    "pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions",
    "fossilCarbonContent", "biogenicCarbonContent", "dLucGhgEmissions",
    "landManagementGhgEmissions", "otherBiogenicGhgEmissions", "iLucGhgEmissions",
    "biogenicCarbonWithdrawal", "aircraftGhgEmissions", "characterizationFactors",
    "ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed",
    "crossSectoralStandards", "productOrSectorSpecificRules", "biogenicAccountingMethodology",
    "boundaryProcessesDescription", "referencePeriodStart", "referencePeriodEnd",
    "geographyCountry", "secondaryEmissionFactorSources", "exemptedEmissionsPercent",
    "exemptedEmissionsDescription", "packagingEmissionsIncluded", "packagingGhgEmissions",
    "allocationRulesDescription", "uncertaintyAssessmentDescription", "primaryDataShare",
    "declaredUnitOfMeasurement", "pcfIncludingBiogenicUptake", "verification", "y",
]  # fmt: skip
DQI_KEYS = [
    "coveragePercent", "technologicalDQR", "temporalDQR", "geographicalDQR",
    "completenessDQR", "reliabilityDQR", "z",
]  # fmt: skip
ASSURANCE_KEYS = [
    "assurance", "coverage", "level", "boundary", "providerName", "completedAt",
    "standardName", "comments", "z",
]  # fmt: skip

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
    | st.sampled_from(["1", "0", "-2.5", "12", "AR5", "PCF system", "kilogram", "0151"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_only_raises_input_error(value: Any) -> None:
    try:
        out, findings = upgrade_v2_to_v3(value)
    except InputError:
        return
    check_findings(out, findings)


def keyed(keys: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects in which each of ``keys`` may appear (about half of them do)."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, values))


# field values: null and plausible PACT strings more often than arbitrary JSON
field_values = st.none() | st.sampled_from(["AR5", "1", "0151", "kilogram"]) | json_values

random_v2 = st.builds(
    lambda root, pcf, dqi, assurance, spec: {
        **root,
        **({"specVersion": spec} if spec is not None else {}),
        "pcf": {**pcf, **({"dqi": dqi} if dqi is not None else {}), **assurance},
    },
    keyed(V2_ROOT_KEYS, field_values),
    keyed(V2_PCF_KEYS, field_values),
    st.none() | keyed(DQI_KEYS, field_values) | json_values,
    st.just({}) | keyed(ASSURANCE_KEYS, field_values).map(lambda a: {"assurance": a}),
    st.none() | st.sampled_from(["2.0.0", "2.3.0", "2.2.1-20240410", "3.0.0", "x"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_v2)
@example({"pcf": {"crossSectoralStandardsUsed": ["GHGP-Product", None], "crossSectoralStandards": []}})
@example({"pcf": {"crossSectoralStandardsUsed": "ISO14067", "crossSectoralStandards": ["PEF", "PEF"]}})
@example(
    {
        "productClassifications": None,
        "productCategoryCpc": "0151",
        "pcf": {"ipccCharacterizationFactorsSources": None, "characterizationFactors": "AR5"},
    }
)
@example({"pcf": {"assurance": {"assurance": None, "coverage": "product line", "level": 1}}})
@example({"pcf": {"dqi": {"coveragePercent": 1, "x": 2}, "unitaryProductAmount": "0"}})
@example({"pcf": {"crossSectoralStandards": [False, False, None, 0]}})  # dedup shifts positions; 0 is not False
def test_random_v2_keys_are_handled(doc: dict[str, Any]) -> None:
    before = copy.deepcopy(doc)
    try:
        out, findings = upgrade_v2_to_v3(doc)
    except InputError:
        return
    assert doc == before
    check_findings(out, findings)
    assert unaccounted_leaves(doc, out, findings) == []


# v2-schema-valid documents built from the fixtures: optional fields dropped, values varied.
def required(version: str, where: str) -> set[str]:
    schema = validator(version).schema
    node = schema if where == "root" else schema["$defs"][where]
    return set(node["required"])


def decimal_strings(min_value: int = -1000, max_value: int = 1000) -> st.SearchStrategy[str]:
    return st.decimals(min_value=min_value, max_value=max_value, places=4, allow_nan=False, allow_infinity=False).map(
        lambda d: format(d, "f")
    )


DECIMAL_FIELDS = [
    "productMassPerDeclaredUnit", "pCfExcludingBiogenic", "pCfIncludingBiogenic",
    "fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent", "dLucGhgEmissions",
    "landManagementGhgEmissions", "otherBiogenicGhgEmissions", "iLucGhgEmissions",
    "biogenicCarbonWithdrawal", "aircraftGhgEmissions", "packagingGhgEmissions",
]  # fmt: skip
GEOGRAPHY = ["geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision"]


@st.composite
def valid_v2(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(FIXTURE_VERSIONS)))
    version = FIXTURE_VERSIONS[name]
    doc = load(name)
    pcf = doc["pcf"]
    for key in sorted(set(doc) - required(version, "root")):
        if draw(st.booleans()):
            del doc[key]
    for key in sorted(set(pcf) - required(version, "CarbonFootprint") - set(GEOGRAPHY)):
        if draw(st.integers(0, 2)) == 0:
            del pcf[key]
    geography = draw(st.sampled_from([None, *GEOGRAPHY]))
    for key in GEOGRAPHY:
        pcf.pop(key, None)
    if geography is not None:
        pcf[geography] = {
            "geographyRegionOrSubregion": "Western Europe",
            "geographyCountry": "FR",
            "geographyCountrySubdivision": "FR-IDF",
        }[geography]
    pcf["declaredUnit"] = draw(
        st.sampled_from(validator(version).schema["$defs"]["CarbonFootprint"]["properties"]
                        ["declaredUnit"]["enum"])
    )  # fmt: skip
    pcf["unitaryProductAmount"] = draw(
        st.sampled_from(["1", "1.0", "25", "0.5", "12.5", "0", "-3", "n/a"]) | decimal_strings(0, 10**6)
    )
    for key in DECIMAL_FIELDS:
        if key in pcf or (draw(st.integers(0, 4)) == 0 and key != "productMassPerDeclaredUnit"):
            pcf[key] = draw(decimal_strings() | st.sampled_from(["0", "-0.0", "x", "1.5e3"]))
    percent = st.floats(0, 100, allow_subnormal=True) | st.integers(0, 100) | st.just(1e-05)
    pcf["exemptedEmissionsPercent"] = draw(percent)
    if "primaryDataShare" in pcf:
        pcf["primaryDataShare"] = draw(percent)
    if "dqi" in pcf:
        for key in pcf["dqi"]:
            pcf["dqi"][key] = draw(percent if key == "coveragePercent" else st.floats(1, 3) | st.integers(1, 3))
    if "assurance" in pcf:
        assurance = pcf["assurance"]
        assurance["assurance"] = draw(st.booleans())
        coverage = draw(st.sampled_from([None, "corporate level", "product line", "PCF system", "product level"]))
        assurance.pop("coverage", None)
        if coverage:
            assurance["coverage"] = coverage
    pcf["characterizationFactors"] = draw(st.sampled_from(["AR5", "AR6"]))
    pcf["ipccCharacterizationFactorsSources"] = draw(
        st.lists(st.sampled_from(["AR4", "AR5", "AR6"]), min_size=1, max_size=3, unique=True)
    )
    pcf["crossSectoralStandardsUsed"] = draw(
        st.lists(
            st.sampled_from(
                ["GHG Protocol Product standard", "ISO Standard 14067", "ISO Standard 14044"]
            ),
            min_size=1, max_size=3, unique=True,
        )
    )  # fmt: skip
    if version == "2.3" and draw(st.booleans()):
        pcf["crossSectoralStandards"] = draw(
            st.lists(
                st.sampled_from(["ISO14067", "ISO14083", "ISO14040-44", "GHGP-Product", "PEF",
                                 "PACT-1.0", "PACT-2.0", "PACT-3.0"]),
                min_size=1, max_size=4, unique=True,
            )
        )  # fmt: skip
    doc["productCategoryCpc"] = draw(st.sampled_from(["0151", "34710", "x-9", "123456", "7"]))
    if draw(st.booleans()):
        doc["productClassifications"] = draw(
            st.sampled_from([["urn:cpc:0151"], ["urn:x:1", "urn:cpc:7"], ["URN:CPC:34710"]])
        )
    return version, doc


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_v2())
def test_valid_v2_upgrades_to_valid_v3(case: tuple[str, dict[str, Any]]) -> None:
    version, doc = case
    assert schema_errors(version, doc) == []
    out, findings = upgrade_v2_to_v3(doc)
    missing = {f.path.rsplit("/", 1)[-1] for f in findings if f.rule_id == "pact.upgrade.missing"}
    assert missing <= NOT_DERIVABLE
    allowed = {f"pcf: '{name}' is a required property" for name in missing}
    assert set(schema_errors("3.0", out)) == allowed
    check_findings(out, findings)
    assert unaccounted_leaves(doc, out, findings) == []
    for key in ("exemptedEmissionsPercent", "primaryDataShare"):
        if key in out["pcf"]:
            assert re.fullmatch(r"[+-]?\d+(\.\d+)?", out["pcf"][key])
    for key, value in out["pcf"].get("dqi", {}).items():
        assert re.fullmatch(r"\d+(\.\d+)?", value), key
