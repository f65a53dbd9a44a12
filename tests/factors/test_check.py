"""The meta check: each rule fires on the fault it names, at the right pointer, and only there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from registry.factors import FactorSet, check_factor_set


def _rules(fs: FactorSet, bundled: dict[str, FactorSet], **kw: Any) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.path, f.severity.value) for f in check_factor_set(fs, bundled.get, **kw)}


def test_small_set_is_clean(make_set: Callable[..., FactorSet], bundled: dict[str, FactorSet]) -> None:
    assert _rules(make_set(), bundled) == set()


CASES: list[tuple[str, Callable[[dict[str, Any]], None], tuple[str, str, str]]] = [
    (
        "unknown unit",
        lambda d: d["records"][0].update(unit="kWhh"),
        ("factorset.unit.unknown", "/records/0/unit", "error"),
    ),
    (
        "gases do not add up",
        lambda d: d["records"][0].update(value="0.3"),
        ("factorset.gwp.sum", "/records/0/value", "error"),
    ),
    (
        "gas not in the GWP table",
        lambda d: d["records"][0]["gases"].update({"XYZ-1": "0.1"}),
        ("factorset.gwp.unknown-gas", "/records/0/gases/XYZ-1", "error"),
    ),
    (
        "GWP table not held",
        lambda d: d.update(gwp="pcf-registry/ipcc-ar4-gwp100@1.0.0"),
        ("factorset.gwp.unresolved", "/gwp", "error"),
    ),
    ("gases but no GWP table", lambda d: d.pop("gwp"), ("factorset.gwp.missing", "/records/0/gases", "error")),
    (
        "co2eByGas does not add up",
        lambda d: d["records"][1].update(co2eByGas={"CO2": "0.5", "CH4": "0.01"}),
        ("factorset.co2e-by-gas.sum", "/records/1/value", "error"),
    ),
    (
        "parts do not add up",
        lambda d: d["records"][1].update(co2eParts={"fossil": "0.5", "biogenic": "0", "landUse": "0"}),
        ("factorset.parts.sum", "/records/1/value", "error"),
    ),
    (
        "unknown country",
        lambda d: d["records"][0].update(region="XX"),
        ("factorset.region.unknown", "/records/0/region", "error"),
    ),
    (
        "undeclared grid",
        lambda d: d["records"][1].update(region="grid:test-south"),
        ("factorset.region.unknown", "/records/1/region", "error"),
    ),
    (
        "grid member not a code",
        lambda d: d["regions"][0]["members"].append("CN-ZZ"),
        ("factorset.region.unknown", "/regions/0/members/2", "error"),
    ),
    (
        "duplicate id",
        lambda d: d["records"][1].update(id="gas-kwh"),
        ("factorset.record.duplicate-id", "/records/1/id", "error"),
    ),
    (
        "duplicate key",
        lambda d: d["records"].append({**d["records"][1], "id": "grid-north-2"}),
        ("factorset.record.duplicate-key", "/records/2", "error"),
    ),
    (
        "unknown source",
        lambda d: d["records"][1]["source"].update(ref="s2"),
        ("factorset.source.unknown", "/records/1/source/ref", "error"),
    ),
    (
        "not redistributable",
        lambda d: d["licence"].update(redistributable=False),
        ("factorset.licence.not-redistributable", "/licence/redistributable", "error"),
    ),
    (
        "until before from",
        lambda d: d["effective"].update(until="2024-01-01"),
        ("factorset.effective.order", "/effective/until", "error"),
    ),
    (
        "year outside the period",
        lambda d: d["records"][1].update(year=2020),
        ("factorset.record.year-outside-period", "/records/1/year", "warning"),
    ),
    (
        "negative factor",
        lambda d: d["records"][1].update(value="-0.6"),
        ("factorset.value.negative", "/records/1/value", "warning"),
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_fires_where_the_fault_is(
    edit: Callable[[dict[str, Any]], None],
    expected: tuple[str, str, str],
    make_set: Callable[..., FactorSet],
    bundled: dict[str, FactorSet],
) -> None:
    assert _rules(make_set(edit), bundled) == {expected}


def test_within_tolerance_is_accepted(make_set: Callable[..., FactorSet], bundled: dict[str, FactorSet]) -> None:
    # AR6: CO2 1, CH4 27.9, N2O 273 -> 0.19 + 0.00279 + 0.00273 = 0.19552; 0.196 is 0.24 % away
    assert _rules(make_set(lambda d: d["records"][0].update(value="0.196")), bundled) == set()
    assert ("factorset.gwp.sum", "/records/0/value", "error") in _rules(
        make_set(lambda d: d.update(tolerance="0.001") or d["records"][0].update(value="0.196")), bundled
    )


def test_private_import_only_warns_about_the_licence(
    make_set: Callable[..., FactorSet], bundled: dict[str, FactorSet]
) -> None:
    fs = make_set(lambda d: d["licence"].update(redistributable=False))
    assert _rules(fs, bundled, for_publication=False) == {
        ("factorset.licence.not-redistributable", "/licence/redistributable", "warning")
    }


def test_gwp_table_shape(bundled: dict[str, FactorSet], make_set: Callable[..., FactorSet]) -> None:
    def as_table(d: dict[str, Any]) -> None:
        d["kind"] = "gwp-table"

    rules = {r for r, _, _ in _rules(make_set(as_table), bundled)}
    assert {"factorset.gwp-table.cites-gwp", "factorset.gwp-table.unit", "factorset.gwp-table.boundary"} <= rules
