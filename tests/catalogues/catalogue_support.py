"""Test catalogues (no tests here). Every figure in them is TEST DATA, set for these tests and sourced from
nothing: no catalogue is shipped (gradingcatalogues/README.md)."""

from __future__ import annotations

import copy
from typing import Any

AL = "example-standards-body/aluminium-ingot"
TEXT = {"en": "Test", "zh": "测试"}
SOURCE = {"title": "TEST DATA: a made-up regulation for the tests", "locator": "Table 1 (test)"}


def fixed_category(**overrides: Any) -> dict[str, Any]:
    category: dict[str, Any] = {
        "id": "aluminium-ingot",
        "title": {"en": "Primary aluminium ingot", "zh": "原铝锭"},
        "match": {"packs": [AL]},
        "metric": "pcfExcludingBiogenicUptake",
        "declaredUnit": {"amount": "1000", "unit": "kilogram"},
        "unit": "kg CO2e per tonne",
        "basis": {
            "kind": "fixed",
            "source": SOURCE,
            "bands": [
                {"grade": "1", "max": "5000"},
                {"grade": "2", "max": "15000"},
                {"grade": "3"},
            ],
        },
    }
    return category | overrides


def benchmark_category(**overrides: Any) -> dict[str, Any]:
    category = fixed_category(id="aluminium-benchmark", match={"hs": ["7601"], "regions": ["CN"]})
    category["basis"] = {
        "kind": "benchmark_share",
        "benchmark": {"value": "16000", "name": TEXT, "source": SOURCE},
        "bands": [{"grade": "T1", "max_share": "0.5"}, {"grade": "T2", "max_share": "0.9"}, {"grade": "T3"}],
    }
    return category | overrides


def percentile_category(**overrides: Any) -> dict[str, Any]:
    category = fixed_category(id="aluminium-percentiles")
    category["basis"] = {
        "kind": "percentiles",
        "cutoff": "2026-06-30",
        "population": {"labels": 10, "companies": 5},
        "bands": [
            {"grade": "A", "percentile": "25", "max": "1000"},
            {"grade": "B", "percentile": "75", "max": "2000"},
            {"grade": "C"},
        ],
    }
    return category | overrides


def catalogue(*categories: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "pcf-registry/gradingcatalogue/1.0",
        "id": "example-standards-body/test-grades",
        "version": "1.0.0",
        "title": {"en": "Test grades", "zh": "测试等级"},
        "publisher": {
            "id": "example-standards-body",
            "name": {"en": "Example body", "zh": "示例机构"},
            "role": "scheme-owner",
        },
        "effective": {"from": "2026-01-01"},
        "transition": {"policy": "keep-until-expiry"},
        "categories": list(categories) or [fixed_category()],
    }
    return copy.deepcopy(doc | overrides)
