"""diff A B of factor sets: added, removed, changed with the relative change (registry/factors/diff.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from registry.factors import FactorSet, diff_sets, render_text


def _v2(doc: dict[str, Any]) -> None:
    doc["version"] = "1.1.0"
    doc["records"][0]["value"] = "0.2150"
    doc["records"][0].pop("gases")
    del doc["records"][1]
    doc["records"].append({**doc["records"][0], "id": "gas-m3", "unit": "m^3", "value": "2.0"})


def test_added_removed_changed(make_set: Callable[..., FactorSet]) -> None:
    diff = diff_sets(make_set(), make_set(_v2))
    assert (diff.old, diff.new) == ("test-body/fuels@1.0.0", "test-body/fuels@1.1.0")
    assert diff.added == ("gas-m3",)
    assert diff.removed == ("grid-north",)
    [change] = diff.changed
    assert change.id == "gas-kwh"
    assert change.members == ("gases", "value")
    assert change.relative_change == (Decimal("0.2150") - Decimal("0.1955")) / Decimal("0.1955")
    out = diff.to_json()
    assert out["changed"][0]["old"] == "0.1955" and out["changed"][0]["new"] == "0.2150"
    assert out["changed"][0]["relativeChange"].startswith("0.0997442455")
    assert "9.9744 %" in render_text(diff)


def test_same_set_has_no_differences(make_set: Callable[..., FactorSet]) -> None:
    diff = diff_sets(make_set(), make_set())
    assert diff.empty
    assert "no differences" in render_text(diff)


def test_header_changes_are_named_and_zero_old_value_has_no_ratio(make_set: Callable[..., FactorSet]) -> None:
    def zero(doc: dict[str, Any]) -> None:
        doc["records"][1]["value"] = "0"

    def licence(doc: dict[str, Any]) -> None:
        doc["records"][1]["value"] = "0.5"
        doc["licence"] = {"spdx": "CC-BY-4.0", "redistributable": True}

    diff = diff_sets(make_set(zero), make_set(licence))
    assert diff.header == ("licence",)
    [change] = diff.changed
    assert change.relative_change is None
    assert diff.to_json()["changed"][0]["relativeChange"] is None
