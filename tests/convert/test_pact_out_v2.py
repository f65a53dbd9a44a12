"""PACT v2.3 export (registry/convert/pact_out/: to_pact_v2), the inverse of the v2 -> v3 upgrade."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import uuid
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from registry.convert.pact_out import V2_RULE_IDS, to_pact_v2
from registry.declarations.pact_upgrade import upgrade_v2_to_v3
from registry.errors import InputError
from registry.findings import Finding, Severity
from registry.packs.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pact"
PACKS = [p.ref for p in Catalog.bundled().packs()]
P = "convert.pact-v2."

# v2.3-required values that a shipped example cannot supply (no UN CPC code anywhere; no
# standard that crossSectoralStandardsUsed can name): left absent, so the v2.3 schema reports them.
UNSUPPLIED = {
    "example-standards-body/core@1.0.0": ["/productCategoryCpc"],
    "example-standards-body/core@1.1.0": ["/productCategoryCpc"],
    "example-standards-body/gb-t-24067@1.0.0": ["/productCategoryCpc"],
    "example-standards-body/iso-14067@1.0.0": ["/productCategoryCpc"],
    "example-standards-body/pact-v3@1.0.0": ["/productCategoryCpc"],
    "example-standards-body/ev-traction-battery@1.0.0": ["/pcf/crossSectoralStandardsUsed"],
}

# Later versions of the shipped packs carry the same examples as the version they follow.
_SAME_EXAMPLE = {
    "example-standards-body/core@1.2.0": "example-standards-body/core@1.1.0",
    **{
        f"example-standards-body/{name}@1.1.0": f"example-standards-body/{name}@1.0.0"
        for name in (
            "aluminium-ingot",
            "ev-traction-battery",
            "gb-t-24067",
            "hot-rolled-steel",
            "iso-14067",
            "pact-v3",
            "passenger-car-tyre",
            "pv-module",
        )
    },
    # 1.2.0 (recalculation) adds an example inventory beside the same example declaration.
    **{
        f"example-standards-body/{name}@1.2.0": f"example-standards-body/{name}@1.0.0"
        for name in ("aluminium-ingot", "ev-traction-battery", "hot-rolled-steel", "passenger-car-tyre", "pv-module")
    },
    # 1.2.1 changes citations only.
    "example-standards-body/aluminium-ingot@1.2.1": "example-standards-body/aluminium-ingot@1.0.0",
}
UNSUPPLIED.update({new: UNSUPPLIED[old] for new, old in _SAME_EXAMPLE.items() if old in UNSUPPLIED})

# Where a v3 value lives in v2 when only its name changed (the test's own statement of the mapping).
RENAMED = {
    "/pcf/declaredUnitOfMeasurement": "/pcf/declaredUnit",
    "/pcf/declaredUnitAmount": "/pcf/unitaryProductAmount",
    "/pcf/pcfExcludingBiogenicUptake": "/pcf/pCfExcludingBiogenic",
    "/pcf/pcfIncludingBiogenicUptake": "/pcf/pCfIncludingBiogenic",
    "/pcf/landUseChangeGhgEmissions": "/pcf/dLucGhgEmissions",
    "/pcf/landCarbonLeakage": "/pcf/iLucGhgEmissions",
    "/pcf/biogenicNonCO2Emissions": "/pcf/otherBiogenicGhgEmissions",
    "/pcf/biogenicCO2Uptake": "/pcf/biogenicCarbonWithdrawal",
    "/pcf/ipccCharacterizationFactors": "/pcf/ipccCharacterizationFactorsSources",
    "/pcf/verification": "/pcf/assurance",
}

# Round trip v2 -> v3 (upgrade) -> v2 (export): every pointer where the result differs from the input.
V2_ROUND_TRIP_LOST = {
    "v2.0-recycled-pet-flakes.json": [
        "~/specVersion",
        "~/version",
        "-/updated",
        "-/pcf/uncertaintyAssessmentDescription",
        "+/pcf/productMassPerDeclaredUnit",
        "+/pcf/pCfIncludingBiogenic",
        "+/pcf/crossSectoralStandards",
    ],
    "v2.2-bio-pe-granulate.json": [
        "~/specVersion",
        "~/version",
        "-/pcf/landManagementGhgEmissions",
        "-/pcf/biogenicAccountingMethodology",
        "-/pcf/dqi",
        "-/pcf/assurance/level",
        "-/pcf/assurance/boundary",
        "+/pcf/productMassPerDeclaredUnit",
        "+/pcf/crossSectoralStandards",
    ],
    "v2.3-mineral-wool-board.json": [
        "~/version",
        "-/statusComment",
        "-/pcf/landManagementGhgEmissions",
        "-/pcf/biogenicAccountingMethodology",
        "-/pcf/uncertaintyAssessmentDescription",
        "-/pcf/dqi",
        "-/pcf/assurance/level",
        "-/pcf/assurance/boundary",
    ],
}

# Round trip v3 (shipped example) -> v2 (export) -> v3 (upgrade).
_V3_ONLY_LOST = [
    "-/pcf/landManagementBiogenicCO2Emissions",
    "-/pcf/landManagementBiogenicCO2Removals",
    "-/pcf/technologicalCO2Removals",
    "-/pcf/ccsTechnologicalCO2Capture",
    "-/pcf/ccsTechnologicalCO2CaptureIncluded",
    "-/pcf/dqi",
]
_TYRE_RESCALED = [
    "~/pcf/pcfExcludingBiogenicUptake",
    "~/pcf/pcfIncludingBiogenicUptake",
    "~/pcf/fossilGhgEmissions",
    "~/pcf/fossilCarbonContent",
    "~/pcf/biogenicCarbonContent",
    "~/pcf/landUseChangeGhgEmissions",
    "~/pcf/biogenicCO2Uptake",
    "~/pcf/biogenicNonCO2Emissions",
]
V3_ROUND_TRIP_LOST = {
    "example-standards-body/aluminium-ingot@1.0.0": ["~/productClassifications", *_V3_ONLY_LOST],
    "example-standards-body/core@1.0.0": _V3_ONLY_LOST,
    "example-standards-body/core@1.1.0": _V3_ONLY_LOST,
    "example-standards-body/ev-traction-battery@1.0.0": [
        "+/productClassifications",
        "-/pcf/outboundLogisticsGhgEmissions",
        *_V3_ONLY_LOST,
    ],
    "example-standards-body/gb-t-24067@1.0.0": _V3_ONLY_LOST,
    "example-standards-body/hot-rolled-steel@1.0.0": ["~/productClassifications", *_V3_ONLY_LOST],
    "example-standards-body/iso-14067@1.0.0": _V3_ONLY_LOST,
    "example-standards-body/pact-v3@1.0.0": _V3_ONLY_LOST,
    "example-standards-body/passenger-car-tyre@1.0.0": [
        "+/productClassifications",
        "~/pcf/declaredUnitOfMeasurement",
        "~/pcf/declaredUnitAmount",
        "~/pcf/crossSectoralStandards",
        *_TYRE_RESCALED,
        *_V3_ONLY_LOST,
    ],
    "example-standards-body/pv-module@1.0.0": [
        "+/productClassifications",
        "~/pcf/crossSectoralStandards",
        *_V3_ONLY_LOST,
    ],
}
V3_ROUND_TRIP_LOST.update({new: V3_ROUND_TRIP_LOST[old] for new, old in _SAME_EXAMPLE.items()})


# --- helpers ------------------------------------------------------------------------------------
def _checker() -> FormatChecker:
    checker = FormatChecker()
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

    @checker.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
    def _date_time(value: object) -> bool:
        if isinstance(value, str):
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return bool(stamp.match(value))
        return True

    @checker.checks("uuid", raises=ValueError)  # type: ignore[untyped-decorator]
    def _uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    return checker


@cache
def validator(version: str) -> Draft202012Validator:
    schema = json.loads((ROOT / f"schemas/pact/pact-productfootprint-v{version}.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=_checker())


def schema_errors(version: str, doc: Any) -> list[tuple[str, str]]:
    """(pointer, keyword); for a missing required property the pointer names the property."""
    out = []
    for e in validator(version).iter_errors(doc):
        pointer = ptr(*e.absolute_path)
        if e.validator == "required":
            pointer += ptr(re.findall(r"'([^']+)' is a required property", e.message)[0])
        out.append((pointer, str(e.validator)))
    return sorted(out)


def ptr(*parts: object) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


_MISSING = object()


def resolve(doc: Any, pointer: str) -> Any:
    node = doc
    for raw in pointer.split("/")[1:] if pointer else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def leaves(doc: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(doc, dict) and doc:
        return [kv for k, v in doc.items() for kv in leaves(v, prefix + ptr(k))]
    if isinstance(doc, list) and doc:
        return [kv for i, v in enumerate(doc) for kv in leaves(v, prefix + ptr(i))]
    return [(prefix, doc)]


def diff(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Pointers where b differs from a: '-' removed, '+' added, '~' changed (arrays of another length: changed)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"-{prefix}{ptr(k)}" for k in a if k not in b] + [f"+{prefix}{ptr(k)}" for k in b if k not in a]
        return out + [d for k in a if k in b for d in diff(a[k], b[k], prefix + ptr(k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in diff(x, y, prefix + ptr(i))]
    return [] if type(a) is type(b) and a == b else [f"~{prefix}"]


def v2_pointer(v3: str) -> str:
    for old, new in RENAMED.items():
        if v3 == old or v3.startswith(old + "/"):
            return new + v3[len(old) :]
    return v3


def same_value(v3: Any, v2: Any) -> bool:
    """Equal, or a v3 decimal string written as the v2 JSON number of the same value."""
    if type(v3) is type(v2) and v3 == v2:
        return True
    if isinstance(v3, str) and isinstance(v2, int | float) and not isinstance(v2, bool):
        return Decimal(v3) == Decimal(repr(v2))
    return False


# Findings that say where an input value went (the others fill in values v3 did not have).
_ACCOUNTING = {P + k for k in ("converted", "remapped", "merged", "dropped", "unscaled", "extra", "extension-dropped")}


def unaccounted(v3: Any, v2: Any, findings: tuple[Finding, ...]) -> list[str]:
    paths = {f.path for f in findings if f.rule_id in _ACCOUNTING}
    problems = []
    for pointer, value in leaves(v3):
        if any(pointer == p or pointer.startswith(p + "/") for p in paths):
            continue
        if not same_value(value, resolve(v2, v2_pointer(pointer))):
            problems.append(f"{pointer} = {value!r}")
    return problems


def check_findings(v3: Any, v2: Any, findings: tuple[Finding, ...]) -> None:
    for f in findings:
        if f.severity is Severity.ERROR:
            assert f.rule_id.startswith(P + "schema."), f
            continue
        assert f.severity is Severity.INFO and f.rule_id in V2_RULE_IDS, f
        assert f.message and f.message == f.message.strip(), f
        if f.rule_id in _ACCOUNTING:
            assert f.path not in ("", "/pcf"), f  # would account for too much
            assert resolve(v3, f.path) is not _MISSING, f
        if f.rule_id not in (P + "dropped", P + "missing", P + "extension-dropped") and f.source_path is not None:
            assert resolve(v2, f.source_path) is not _MISSING, f
        if f.rule_id != P + "extra":
            assert f.clauses, f


def example(catalog: Catalog, ref: str) -> dict[str, Any]:
    found = catalog.resolve(ref).example
    assert found is not None
    return copy.deepcopy(found)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def rules(findings: tuple[Finding, ...]) -> list[tuple[str, str, str | None]]:
    return [(f.rule_id.removeprefix(P), f.path, f.source_path) for f in findings]


# --- shipped examples ---------------------------------------------------------------------------
@pytest.mark.parametrize("ref", PACKS)
def test_examples_export_to_v2_3(catalog: Catalog, ref: str) -> None:
    doc = example(catalog, ref)
    before = copy.deepcopy(doc)
    result = to_pact_v2(doc, keep_extension=True)
    assert doc == before
    out = result.document
    assert out["specVersion"] == "2.3.0"
    errors = schema_errors("2.3", out)
    # the only schema violations are the announced ones: required values no definition could supply
    assert errors == [(p, "required") for p in UNSUPPLIED.get(ref, [])]
    assert sorted(f.source_path or "" for f in result.findings if f.rule_id == P + "missing") == [p for p, _ in errors]
    assert [(f.path, f.rule_id) for f in result.findings if f.severity is Severity.ERROR] == [
        (p, P + "schema.required") for p, _ in errors
    ]
    check_findings(doc, out, result.findings)


@pytest.mark.parametrize("ref", PACKS)
def test_every_v3_leaf_carries_over_or_has_a_finding(catalog: Catalog, ref: str) -> None:
    doc = example(catalog, ref)
    result = to_pact_v2(doc, keep_extension=True)
    assert unaccounted(doc, result.document, result.findings) == []


@pytest.mark.parametrize("ref", PACKS)
def test_v3_round_trip_loses_exactly_the_listed_fields(catalog: Catalog, ref: str) -> None:
    doc = example(catalog, ref)
    back, _ = upgrade_v2_to_v3(to_pact_v2(doc, keep_extension=True).document)
    assert sorted(diff(doc, back)) == sorted(V3_ROUND_TRIP_LOST[ref])
    for change in V3_ROUND_TRIP_LOST[ref]:
        if change in _TYRE_RESCALED:  # divided by the non-terminating mass and multiplied back
            old, new = Decimal(resolve(doc, change[1:])), Decimal(resolve(back, change[1:]))
            assert abs(new - old) <= abs(old) * Decimal("1e-30")


# --- v2 fixtures ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", V2_ROUND_TRIP_LOST)
def test_v2_round_trip_loses_exactly_the_listed_fields(name: str) -> None:
    v2 = fixture(name)
    v3, _ = upgrade_v2_to_v3(v2)
    result = to_pact_v2(v3, keep_extension=True)
    assert sorted(diff(v2, result.document)) == sorted(V2_ROUND_TRIP_LOST[name])
    assert schema_errors("2.3", result.document) == []
    assert not [f for f in result.findings if f.severity is Severity.ERROR]
    assert unaccounted(v3, result.document, result.findings) == []
    check_findings(v3, result.document, result.findings)


@pytest.mark.parametrize("name", V2_ROUND_TRIP_LOST)
def test_upgraded_fixture_round_trip_v3_v2_v3_loses_only_dqi(name: str) -> None:
    v3, _ = upgrade_v2_to_v3(fixture(name))
    back, _ = upgrade_v2_to_v3(to_pact_v2(v3, keep_extension=True).document)
    assert diff(v3, back) == (["-/pcf/dqi"] if "dqi" in v3["pcf"] else [])


@pytest.mark.parametrize("ref", PACKS)
def test_exported_example_round_trip_v2_v3_v2_loses_only_net_land_management(catalog: Catalog, ref: str) -> None:
    v2 = to_pact_v2(example(catalog, ref), keep_extension=True).document
    assert "landManagementGhgEmissions" in v2["pcf"]  # the net value, which the upgrade cannot split
    v3, _ = upgrade_v2_to_v3(v2)
    assert diff(v2, to_pact_v2(v3, keep_extension=True).document) == ["-/pcf/landManagementGhgEmissions"]


def test_rescaled_values_are_divided_back_exactly() -> None:
    v2 = fixture("v2.2-bio-pe-granulate.json")
    v3, _ = upgrade_v2_to_v3(v2)
    assert v3["pcf"]["pcfExcludingBiogenicUptake"] == "28.75"  # 1.15 x 25
    result = to_pact_v2(v3, keep_extension=True)
    for key in ("pCfExcludingBiogenic", "biogenicCarbonWithdrawal", "biogenicCarbonContent", "iLucGhgEmissions"):
        assert result.document["pcf"][key] == v2["pcf"][key]
    converted = {f.path: f.message for f in result.findings if f.rule_id == P + "converted"}
    assert "per 25 kilogram to per 1 kilogram: 1.15" in converted["/pcf/pcfExcludingBiogenicUptake"]
    remapped = {f.path for f in result.findings if f.rule_id == P + "remapped"}
    assert remapped == {"/pcf/landCarbonLeakage", "/pcf/biogenicNonCO2Emissions"}


_decimal = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
_amount = st.decimals(min_value=Decimal("0.001"), max_value=10**5, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=200)
@given(value=_decimal, amount=_amount)
def test_v2_values_survive_the_round_trip(value: Decimal, amount: Decimal) -> None:
    v2 = fixture("v2.0-recycled-pet-flakes.json")
    v2["pcf"]["pCfExcludingBiogenic"] = format(value, "f")
    v2["pcf"]["unitaryProductAmount"] = format(amount, "f")
    v3, _ = upgrade_v2_to_v3(v2)
    back = to_pact_v2(v3, keep_extension=True).document
    assert Decimal(back["pcf"]["pCfExcludingBiogenic"]) == value
    assert back["pcf"]["unitaryProductAmount"] == v2["pcf"]["unitaryProductAmount"]


# --- the mapping, field by field -----------------------------------------------------------------
def test_piece_becomes_kilogram_through_the_product_mass(catalog: Catalog) -> None:
    doc = example(catalog, "example-standards-body/passenger-car-tyre")
    assert (doc["pcf"]["declaredUnitOfMeasurement"], doc["pcf"]["productMassPerDeclaredUnit"]) == ("piece", "8.9")
    result = to_pact_v2(doc, keep_extension=True)
    pcf = result.document["pcf"]
    assert (pcf["declaredUnit"], pcf["unitaryProductAmount"], pcf["productMassPerDeclaredUnit"]) == (
        "kilogram",
        "8.9",
        "1",
    )
    assert abs(Decimal(pcf["pCfExcludingBiogenic"]) * Decimal("8.9") - Decimal("309.50")) < Decimal("1e-30")
    assert "rounded" in next(f.message for f in result.findings if f.path == "/pcf/pcfExcludingBiogenicUptake")


@pytest.mark.parametrize(("unit", "mass"), [("hour", "0"), ("megabit second", "0"), ("piece", "0"), ("piece", "heavy")])
def test_units_v2_cannot_express_are_refused(core_example: dict[str, Any], unit: str, mass: str) -> None:
    core_example["pcf"]["declaredUnitOfMeasurement"] = unit
    core_example["pcf"]["productMassPerDeclaredUnit"] = mass
    with pytest.raises(InputError) as info:
        to_pact_v2(core_example, keep_extension=True)
    assert info.value.location.pointer == "/pcf/declaredUnitOfMeasurement"
    assert unit in str(info.value)


@pytest.mark.parametrize(
    ("factors", "expected"),
    [(["AR6"], "AR6"), (["AR5", "AR6"], "AR5"), (["AR7", "AR6"], "AR6"), (["AR4", "AR6"], None), (["AR7"], None)],
)
def test_characterization_factors(core_example: dict[str, Any], factors: list[str], expected: str | None) -> None:
    core_example["pcf"]["ipccCharacterizationFactors"] = factors
    result = to_pact_v2(core_example, keep_extension=True)
    pcf = result.document["pcf"]
    assert pcf["ipccCharacterizationFactorsSources"] == factors
    assert pcf.get("characterizationFactors") == expected
    rule = "derived" if expected else "missing"
    assert (rule, "/pcf/ipccCharacterizationFactors", "/pcf/characterizationFactors") in rules(result.findings)


@pytest.mark.parametrize(
    ("standards", "kept", "used", "dropped"),
    [
        (["PAS2050", "ISO14067"], ["ISO14067"], ["ISO Standard 14067"], [0]),
        (
            ["GHGP-Product", "ISO14040-44", "PACT-3.0"],
            ["GHGP-Product", "ISO14040-44", "PACT-3.0"],
            ["GHG Protocol Product standard", "ISO Standard 14044"],
            [],
        ),
        (["PEF"], ["PEF"], None, []),
        (["PAS2050"], None, None, [0]),
    ],
)
def test_cross_sectoral_standards(
    core_example: dict[str, Any],
    standards: list[str],
    kept: list[str] | None,
    used: list[str] | None,
    dropped: list[int],
) -> None:
    core_example["pcf"]["crossSectoralStandards"] = standards
    result = to_pact_v2(core_example, keep_extension=True)
    pcf = result.document["pcf"]
    assert pcf.get("crossSectoralStandards") == kept
    assert pcf.get("crossSectoralStandardsUsed") == used
    assert unaccounted(core_example, result.document, result.findings) == []
    drops = [f.path for f in result.findings if f.rule_id == P + "dropped" and "crossSectoral" in f.path]
    assert drops == [f"/pcf/crossSectoralStandards/{i}" for i in dropped]


@pytest.mark.parametrize(
    ("classes", "ext_cpc", "cpc", "left", "rule"),
    [
        (["urn:cpc:0151"], None, "0151", None, "converted"),
        (["urn:x:y", "URN:CPC:0151"], None, "0151", ["urn:x:y"], "converted"),
        (["urn:cpc:0151", "urn:x:y"], None, "0151", ["urn:x:y"], "converted"),
        (
            ["urn:pact:productclassification:un-cpc:41431"],
            ["1"],
            "41431",
            ["urn:pact:productclassification:un-cpc:41431"],
            "derived",
        ),
        (None, ["46420"], "46420", None, "derived"),
        (["urn:x:y"], None, None, ["urn:x:y"], "missing"),
    ],
)
def test_product_category_cpc(
    core_example: dict[str, Any],
    classes: list[str] | None,
    ext_cpc: list[str] | None,
    cpc: str | None,
    left: list[str] | None,
    rule: str,
) -> None:
    if classes is not None:
        core_example["productClassifications"] = classes
    if ext_cpc is not None:
        core_example["extensions"][0]["data"]["classifications"] = {"cpc": ext_cpc}
    result = to_pact_v2(core_example, keep_extension=True)
    assert result.document.get("productCategoryCpc") == cpc
    assert result.document.get("productClassifications") == left
    assert next(r for r in rules(result.findings) if r[2] == "/productCategoryCpc")[0] == rule
    assert unaccounted(core_example, result.document, result.findings) == []


@pytest.mark.parametrize(
    ("coverage", "expected", "rule"),
    [
        ("product level", "product level", None),
        ("PCF calculation model", "PCF system", "converted"),
        ("PCF program", None, "dropped"),
    ],
)
def test_verification_becomes_assurance(
    core_example: dict[str, Any], coverage: str, expected: str | None, rule: str | None
) -> None:
    core_example["pcf"]["verification"] = {"coverage": coverage, "providerName": "Verifier", "extra": 1}
    result = to_pact_v2(core_example, keep_extension=True)
    assurance = result.document["pcf"]["assurance"]
    assert assurance["assurance"] is True and assurance["providerName"] == "Verifier" and assurance["extra"] == 1
    assert assurance.get("coverage") == expected
    found = [r for r in rules(result.findings) if r[1] == "/pcf/verification/coverage"]
    assert [r[0] for r in found] == ([rule] if rule else [])
    assert ("extra", "/pcf/verification/extra", "/pcf/assurance/extra") in rules(result.findings)
    assert [p for p, _ in schema_errors("2.3", result.document) if p.startswith("/pcf")] == []


def test_verification_without_provider_is_missing_it(core_example: dict[str, Any]) -> None:
    core_example["pcf"]["verification"] = {"coverage": "product level"}
    result = to_pact_v2(core_example, keep_extension=True)
    assert ("missing", "/pcf/verification", "/pcf/assurance/providerName") in rules(result.findings)
    assert ("/pcf/assurance/providerName", "required") in schema_errors("2.3", result.document)


def test_land_management_is_netted_and_rescaled(core_example: dict[str, Any]) -> None:
    pcf = core_example["pcf"]
    pcf["declaredUnitAmount"] = "2"
    pcf.update(
        landManagementFossilGhgEmissions="1",
        landManagementBiogenicCO2Emissions="2",
        landManagementBiogenicCO2Removals="-4",
    )
    result = to_pact_v2(core_example, keep_extension=True)
    assert result.document["pcf"]["landManagementGhgEmissions"] == "-0.5"
    merged = [f.path for f in result.findings if f.rule_id == P + "merged"]
    assert merged == [
        f"/pcf/{k}"
        for k in (
            "landManagementFossilGhgEmissions",
            "landManagementBiogenicCO2Emissions",
            "landManagementBiogenicCO2Removals",
        )
    ]


@pytest.mark.parametrize(
    ("text", "number", "noted"), [("0.8", 0.8, False), ("5", 5, False), ("0.10000000000000000000001", 0.1, True)]
)
def test_percentages_become_json_numbers(core_example: dict[str, Any], text: str, number: float, noted: bool) -> None:
    core_example["pcf"]["primaryDataShare"] = text
    result = to_pact_v2(core_example, keep_extension=True)
    value = result.document["pcf"]["primaryDataShare"]
    assert value == number and isinstance(value, type(number))
    assert any(f.path == "/pcf/primaryDataShare" for f in result.findings) is noted


def test_required_v2_strings_and_flags_are_defaulted_or_derived(core_example: dict[str, Any]) -> None:
    for key in ("boundaryProcessesDescription", "exemptedEmissionsDescription", "packagingEmissionsIncluded"):
        core_example["pcf"].pop(key, None)
    core_example.pop("comment")
    core_example["pcf"]["packagingGhgEmissions"] = "0.1"
    result = to_pact_v2(core_example, keep_extension=True)
    doc, found = result.document, rules(result.findings)
    assert doc["comment"] == "" and ("defaulted", "/comment", "/comment") in found
    assert doc["pcf"]["boundaryProcessesDescription"] == "" and doc["pcf"]["exemptedEmissionsDescription"] == ""
    assert doc["pcf"]["packagingEmissionsIncluded"] is True
    assert ("derived", "/pcf/packagingGhgEmissions", "/pcf/packagingEmissionsIncluded") in found
    del core_example["pcf"]["packagingGhgEmissions"]
    again = to_pact_v2(core_example, keep_extension=True)
    assert "packagingEmissionsIncluded" not in again.document["pcf"]
    assert ("missing", "/pcf", "/pcf/packagingEmissionsIncluded") in rules(again.findings)


def test_nulls_are_undefined(core_example: dict[str, Any]) -> None:
    core_example["comment"] = None
    core_example["pcf"]["landUseChangeGhgEmissions"] = None
    result = to_pact_v2(core_example, keep_extension=True)
    assert "dLucGhgEmissions" not in result.document["pcf"] and result.document["comment"] == ""
    nulls = [f.path for f in result.findings if "null" in f.message]
    assert nulls == ["/comment", "/pcf/landUseChangeGhgEmissions"]


def test_extension_kept_or_dropped(core_example: dict[str, Any]) -> None:
    core_example["pcf"]["declaredUnitAmount"] = "2"
    kept = to_pact_v2(core_example, keep_extension=True)
    assert kept.document["extensions"] == core_example["extensions"]
    notes = [f for f in kept.findings if f.rule_id == P + "unscaled"]
    assert [f.path for f in notes] == ["/extensions/0/data"] and "per 2 kilogram" in notes[0].message
    dropped = to_pact_v2(core_example, keep_extension=False)
    assert "extensions" not in dropped.document
    assert [r for r in rules(dropped.findings) if r[0] in ("unscaled", "extension-dropped")] == [
        ("extension-dropped", "/extensions/0", "")
    ]


def test_properties_that_are_not_v3_fields_are_kept(core_example: dict[str, Any]) -> None:
    core_example["x-note"] = {"a": 1}
    core_example["pcf"]["declaredUnit"] = "liter"  # collides with the mapped v2 field: mapped value wins
    result = to_pact_v2(core_example, keep_extension=True)
    assert result.document["x-note"] == {"a": 1} and result.document["pcf"]["declaredUnit"] == "kilogram"
    assert ("extra", "/x-note", "/x-note") in rules(result.findings)
    assert ("dropped", "/pcf/declaredUnit", "/pcf/declaredUnit") in rules(result.findings)


@pytest.mark.parametrize(
    ("doc", "pointer"), [([], ""), ({"specVersion": "2.2.0", "pcf": {}}, "/specVersion"), ({"pcf": "x"}, "/pcf")]
)
def test_refused_input(doc: Any, pointer: str) -> None:
    with pytest.raises(InputError) as info:
        to_pact_v2(doc, keep_extension=True)
    assert info.value.location.pointer == pointer


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
_KEYS = [
    "declaredUnitOfMeasurement",
    "declaredUnitAmount",
    "pcfExcludingBiogenicUptake",
    "productMassPerDeclaredUnit",
    "ipccCharacterizationFactors",
    "crossSectoralStandards",
    "verification",
    "dqi",
    "landManagementFossilGhgEmissions",
    "primaryDataShare",
    "packagingGhgEmissions",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(_KEYS), value=_json | st.sampled_from(["piece", "hour", "0", "-1", "2.5"]), keep=st.booleans()
)
def test_damaged_declarations_only_raise_input_error(
    core_example: dict[str, Any], key: str, value: Any, keep: bool
) -> None:
    doc = copy.deepcopy(core_example)
    doc["pcf"][key] = value
    try:
        result = to_pact_v2(doc, keep_extension=keep)
    except InputError as e:
        assert e.location.pointer and e.location.pointer.startswith("/pcf")
        return
    assert isinstance(result.document, dict) and result.document["specVersion"] == "2.3.0"
    json.dumps(result.document)


_ROOT_KEYS = ["productClassifications", "extensions", "comment", "companyIds", "specVersion"]
_EXT_KEYS = ["classifications", "stages", "modules", "productParameters"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["root", "extension"]), index=st.integers(0, 4), value=_json, keep=st.booleans())
def test_damaged_roots_and_extensions_only_raise_input_error(
    core_example: dict[str, Any], where: str, index: int, value: Any, keep: bool
) -> None:
    doc = copy.deepcopy(core_example)
    doc["pcf"]["declaredUnitAmount"] = "2"  # so that the extension's values are looked at
    if where == "root":
        doc[_ROOT_KEYS[index]] = value
    else:
        doc["extensions"][0]["data"][_EXT_KEYS[index % len(_EXT_KEYS)]] = value
    try:
        result = to_pact_v2(doc, keep_extension=keep)
    except InputError as e:
        assert e.location.pointer == "/specVersion"
        return
    json.dumps(result.document)
