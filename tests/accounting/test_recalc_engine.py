"""The recalculation engine: numbers, unit chains, totals, PDS and DQR, and a finding for every fault."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from accounting_support import GRID_GB, HGV, build_library, inventory, line

from registry.accounting import (
    InventoryError,
    RecalcPolicy,
    RegionFallback,
    Resolver,
    inventory_from_data,
    parse_inventory,
    policy_findings,
    recalculate,
)
from registry.factors import FactorLibrary

ON = date(2026, 1, 1)


@pytest.fixture(scope="module")
def library() -> FactorLibrary:
    """The bundled sets and a small test set (made-up figures, with parts and quality)."""
    return build_library()


DECL = {"id": "d1", "pcf": {"pcfExcludingBiogenicUptake": "20"}}


def run(library: FactorLibrary, doc: dict[str, Any], decl: Any = DECL, **kw: Any) -> Any:
    return recalculate(decl, inventory_from_data(doc), library, on=ON, **kw)


def rules(result: Any) -> list[tuple[str, str]]:
    return [(f.rule_id, f.path) for f in result.findings]


def test_exact_line_result_with_unit_chain(library: FactorLibrary) -> None:
    r = run(
        library,
        inventory(
            line(quantity="0.1", unit="MWh"),
            line(id="l2", quantity="3", unit="t*km", factor=HGV, allocation="0.5", primary=False),
        ),
    )
    first, second = r.lines
    assert first.kg == Decimal("17.70000") and [s.to_json() for s in first.chain] == [
        {"from": "MWh", "to": "kWh", "factor": "1000"}
    ]
    assert first.factor == GRID_GB and first.factor_value == Decimal("0.17700")
    assert second.kg == Decimal("0.152445") and second.chain == ()
    assert r.total == Decimal("17.852445")
    assert r.stages == {"production": Decimal("17.852445")}
    assert r.findings == ()
    assert r.to_json()["lines"][0]["share"] == "0.991461"


def test_primary_share_dqr_and_parts_are_emissions_weighted(library: FactorLibrary) -> None:
    doc = inventory(
        line(id="w", kind="material", quantity="10", unit="kg", factor="test-body/parts@1.0.0#wood", stage="A1"),
        line(id="e", quantity="20", unit="kWh", factor="test-body/parts#grid-north", primary=False, stage="A3"),
        region="CN-BJ", year=2025,
    )  # fmt: skip
    r = run(library, doc, {"id": "d1", "pcf": {"pcfExcludingBiogenicUptake": "44", "fossilGhgEmissions": "25"}})
    assert r.findings == ()
    assert (r.total, r.fossil, r.biogenic, r.land_use, r.unsplit) == (40, 25, 10, 5, 0)
    assert r.stages == {"A1": 20, "A3": 20}
    assert r.primary_data_share == 50
    assert r.dqr == {"technological": 2, "geographical": 3, "temporal": 4}
    assert r.dqr_coverage == 100
    assert r.deviation["total"] == 10 and r.deviation["fossil"] == 0


def test_supplier_footprint_is_an_upstream_factor(library: FactorLibrary) -> None:
    supplier = {"id": "pf-1", "version": 2, "digest": "sha256:" + "a" * 64, "value": "3", "unit": "kilogram",
                "primaryDataShare": "40"}  # fmt: skip
    r = run(library, inventory(line(kind="supplier-footprint", factor=None, supplierFootprint=supplier,
                                    quantity="2000", unit="g")))  # fmt: skip
    (only,) = r.lines
    assert only.kg == 6 and only.factor == "pact:pf-1@2" and r.primary_data_share == 40
    assert [s.to_json() for s in only.chain] == [{"from": "g", "to": "kilogram", "factor": "0.001"}]


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("not a ref", "malformed"),
        ("nobody/nothing@1.0.0#x", "unknown-set"),
        ("pcf-registry/uk-desnz-ghg-conversion-factors@9.0.0#7_400_4000_5_1", "unknown-version"),
        ("pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0#nope", "unknown-factor"),
    ],
)
def test_unresolved_reference_is_a_finding_never_a_fallback(library: FactorLibrary, ref: str, reason: str) -> None:
    r = run(library, inventory(line(), line(id="bad", factor=ref)))
    assert rules(r) == [("recalc.factor.unresolved", "/lines/1/factor")]
    assert reason in r.findings[0].message
    assert r.lines[1].kg is None and not r.complete
    assert r.total == Decimal("17.70000")  # the good line only; nothing stands in for the bad one


def test_not_in_effect_on_the_date(library: FactorLibrary) -> None:
    r = recalculate(DECL, inventory_from_data(inventory(line())), library, on=date(2024, 6, 1))
    assert rules(r) == [("recalc.factor.unresolved", "/lines/0/factor")] and "not-in-effect" in r.findings[0].message


def test_unconvertible_and_unknown_units(library: FactorLibrary) -> None:
    r = run(library, inventory(line(unit="kg"), line(id="l2", unit="furlongs per fortnight squared")))
    assert rules(r) == [("recalc.unit.unconvertible", "/lines/0/unit"), ("recalc.unit.unconvertible", "/lines/1/unit")]
    assert r.total == 0


def test_region_and_year_mismatch_are_findings(library: FactorLibrary) -> None:
    r = run(library, inventory(line(region="CN"), line(id="l2", year=2023), line(id="l3", region="GB-ENG")))
    assert rules(r) == [("recalc.factor.region", "/lines/0/factor"), ("recalc.factor.year", "/lines/1/factor")]
    assert "GB" in r.findings[0].message and "CN" in r.findings[0].message
    assert r.total == Decimal("53.10000")  # the factor referenced is used, and flagged


def test_named_grid_covers_its_members(library: FactorLibrary) -> None:
    ok = run(library, inventory(line(factor="test-body/parts@1.0.0#grid-north", region="CN-TJ")))
    bad = run(library, inventory(line(factor="test-body/parts@1.0.0#grid-north", region="CN-SH")))
    assert ok.findings == () and rules(bad) == [("recalc.factor.region", "/lines/0/factor")]


def test_pack_named_fallback_is_reported(library: FactorLibrary) -> None:
    policy = RecalcPolicy(region_fallbacks=(RegionFallback("uk-for-cn", "CN", "GB", "no CN factor bundled"),))
    r = run(library, inventory(line(region="CN-XJ")), policy=policy)
    assert rules(r) == [("recalc.factor.fallback", "/lines/0/factor")]
    assert "uk-for-cn" in r.findings[0].message and r.lines[0].fallback == "uk-for-cn"


def test_base_pointer_prefixes_findings(library: FactorLibrary) -> None:
    r = run(library, inventory(line(factor="x")), base_pointer="/extensions/1/data")
    assert rules(r) == [("recalc.factor.unresolved", "/extensions/1/data/lines/0/factor")]


def test_duplicate_line_ids_and_declaration_mismatch(library: FactorLibrary) -> None:
    r = run(library, inventory(line(), line(), declaration={"id": "other"}))
    assert rules(r) == [("recalc.line.duplicate-id", "/lines/1/id"), ("recalc.declaration.mismatch", "/declaration/id")]


def test_stage_deviation_against_extension(library: FactorLibrary) -> None:
    decl = {"id": "d1", "pcf": {"pcfExcludingBiogenicUptake": "17.7"}, "extensions": [{
        "dataSchema": "https://pcf-registry.org/schemas/declaration-extension-1.0.json",
        "data": {"stages": {"basis": "pcfExcludingBiogenicUptake", "values": {"production": "19.47"}}}}]}  # fmt: skip
    r = run(library, inventory(line()), decl)
    assert r.deviation == {"total": 0, "stage:production": 10}


def test_policy_deviation_thresholds(library: FactorLibrary) -> None:
    policy = RecalcPolicy(warn_percent=Decimal(5), fail_percent=Decimal(10))
    within = run(library, inventory(line()), {"pcf": {"pcfExcludingBiogenicUptake": "18.5"}})
    warn = run(library, inventory(line()), {"pcf": {"pcfExcludingBiogenicUptake": "19"}})
    fail = run(library, inventory(line()), {"pcf": {"pcfExcludingBiogenicUptake": "15.9"}})
    assert policy_findings(within, policy, "p@1") == []
    assert [(f.rule_id, f.severity.value, f.path) for f in policy_findings(warn, policy, "p@1")] == [
        ("recalc.deviation", "warning", "/pcf/pcfExcludingBiogenicUptake")
    ]
    assert [f.severity.value for f in policy_findings(fail, policy, "p@1")] == ["error"]


def test_policy_requires_inventory_and_sets(library: FactorLibrary) -> None:
    policy = RecalcPolicy(require_inventory=True, require_factor_sets=("test-body/parts",))
    assert [f.rule_id for f in policy_findings(None, policy, "p@1")] == ["recalc.inventory.required"]
    r = run(library, inventory(line()))
    assert [(f.rule_id, f.path) for f in policy_findings(r, policy, "p@1")] == [
        ("recalc.factor-set.required", "/lines/0/factor")
    ]


def test_resolver_resolves_each_reference_once(library: FactorLibrary) -> None:
    resolver = Resolver(library)
    run(library, inventory(line(), line(id="l2")))
    run(resolver.library, inventory(line()))
    recalculate(DECL, inventory_from_data(inventory(line(), line(id="l2"))), resolver, on=ON)
    assert list(resolver.cache) == [(GRID_GB, ON)]


@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        (lambda d: d["lines"][0].pop("unit"), "/lines/0/unit"),
        (lambda d: d["lines"][0].update(quantity="12,5"), "/lines/0/quantity"),
        (lambda d: d["lines"][0].update(allocation="1.5"), "/lines/0/allocation"),
        (lambda d: d["lines"][0].update(kind="magic"), "/lines/0/kind"),
        (lambda d: d["lines"][0].pop("factor"), "/lines/0"),
        (
            lambda d: d["lines"][0].update(evidence=[{"type": "invoice", "digest": "md5:1"}]),
            "/lines/0/evidence/0/digest",
        ),
        (lambda d: d.update(lines=[]), "/lines"),
    ],
)
def test_bad_inventory_names_the_pointer(edit: Any, pointer: str) -> None:
    doc = inventory(line())
    edit(doc)
    with pytest.raises(InventoryError) as e:
        inventory_from_data(doc)
    assert pointer in [p.location.pointer for p in e.value.problems]


def test_not_json_and_not_an_inventory() -> None:
    with pytest.raises(InventoryError) as e:
        parse_inventory(b"{", file="inv.json")
    assert e.value.location.file == "inv.json"
    with pytest.raises(InventoryError) as e:
        inventory_from_data({"format": "other"})
    assert e.value.location.pointer == "/format"
