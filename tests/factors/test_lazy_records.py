"""A loaded factor set builds a record the first time it is asked for (issue 12, load < 1 s), and
gives the same records, digest and resolutions as a set built all at once."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
import pytest

from registry.factors import FactorLibrary, factor_set_from_data, parse_factor_set


def _doc() -> dict[str, Any]:
    rec = {
        "id": "a",
        "name": {"en": "A", "zh": "甲"},
        "activity": "fuel.a",
        "unit": "kWh",
        "value": "0.1955",
        "gases": {"CO2": "0.19", "CH4": "0.0001"},
        "region": "GB",
        "year": 2025,
        "source": {"ref": "s1", "locator": "row 1"},
        "notes": 'text with "},{" inside',
    }
    records = [rec, dict(rec, id="b", value="2", activity="fuel.b"), dict(rec, id="a", value="3")]  # "a" twice
    return {
        "format": "pcf-registry/factorset/1.0",
        "kind": "emission-factors",
        "id": "test/lazy",
        "version": "1.0.0",
        "title": {"en": "Lazy", "zh": "延迟"},
        "publisher": {"id": "test", "name": "Test"},
        "licence": {"spdx": "CC0-1.0", "redistributable": True},
        "sources": [{"id": "s1", "title": "T", "url": "https://example.org/t"}],
        "effective": {"from": "2025-01-01"},
        "status": "published",
        "records": records,
    }


def test_loading_builds_no_record_until_one_is_asked_for() -> None:
    fs = parse_factor_set(orjson.dumps(_doc()))
    index: Any = fs.by_id
    assert index._built == {} and len(fs.by_id) == 2 and "b" in fs.by_id and "zz" not in fs.by_id
    assert fs.by_id["b"].value == Decimal("2") and set(index._built) == {"b"}
    assert fs.by_id.get("zz") is None
    with pytest.raises(KeyError):
        fs.by_id["zz"]


def test_the_same_set_as_one_built_at_once() -> None:
    lazy = parse_factor_set(orjson.dumps(_doc()))
    eager = factor_set_from_data(copy.deepcopy(_doc()))
    assert lazy.by_id["a"] is lazy.by_id["a"]
    assert lazy.records == eager.records and lazy == eager and lazy.digest() == eager.digest()
    assert [r.id for r in lazy.records] == ["a", "b", "a"]  # duplicates kept for the meta check
    assert lazy.by_id["a"].value == eager.by_id["a"].value == Decimal("3")  # the last of a duplicated id
    assert lazy.by_id["a"].gases == {"CO2": Decimal("0.19"), "CH4": Decimal("0.0001")}
    on = date(2025, 6, 1)
    assert FactorLibrary([lazy]).resolve("test/lazy@1.0.0#b", on=on).record == eager.by_id["b"]
    assert list(lazy.by_id) == list(eager.by_id) == ["a", "b"]
