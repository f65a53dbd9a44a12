"""Accounting test helpers: a small test factor set (made-up figures, parts and quality)."""

from __future__ import annotations

import copy
from typing import Any

from registry.accounting import bundled_library
from registry.factors import FactorLibrary, factor_set_from_data

DESNZ = "pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0"
GRID_GB = f"{DESNZ}#7_400_4000_5_1"  # 0.17700 kg CO2e per kWh
HGV = f"{DESNZ}#27_304_3140_14_1"  # 0.10163 kg CO2e per t*km


def factor_set_document() -> dict[str, Any]:
    return {
        "format": "pcf-registry/factorset/1.0",
        "kind": "emission-factors",
        "id": "test-body/parts",
        "version": "1.0.0",
        "title": {"en": "Test", "zh": "测试"},
        "publisher": {"id": "test-body", "name": "Test body"},
        "licence": {"spdx": "CC0-1.0", "redistributable": True},
        "sources": [{"id": "s1", "title": "A test table", "url": "https://example.org/table"}],
        "effective": {"from": "2025-01-01"},
        "status": "published",
        "regions": [{"id": "grid:north", "name": {"en": "North", "zh": "北"}, "members": ["CN-BJ", "CN-TJ"]}],
        "records": [
            {
                "id": "wood", "name": {"en": "Wood", "zh": "木"}, "activity": "material.wood", "unit": "kg",
                "value": "2", "co2eParts": {"fossil": "0.5", "biogenic": "1", "landUse": "0.5"},
                "quality": {"technological": 1, "geographical": 2, "temporal": 3},
                "region": "CN", "year": 2025, "source": {"ref": "s1", "locator": "row 1"},
            },
            {
                "id": "grid-north", "name": {"en": "Grid north", "zh": "北部电网"}, "activity": "electricity.grid",
                "unit": "kWh", "value": "1", "co2eParts": {"fossil": "1"},
                "quality": {"technological": 3, "geographical": 4, "temporal": 5},
                "region": "grid:north", "year": 2025, "source": {"ref": "s1", "locator": "row 2"},
            },
        ],
    }  # fmt: skip


def build_library() -> FactorLibrary:
    lib = FactorLibrary(bundled_library())
    lib.add(factor_set_from_data(factor_set_document()))
    return lib


def line(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": "l1", "stage": "production", "kind": "energy", "quantity": "100", "unit": "kWh",
                           "factor": GRID_GB, "primary": True}  # fmt: skip
    out.update(kw)
    return {k: v for k, v in out.items() if v is not None}


def inventory(*lines: dict[str, Any], **top: Any) -> dict[str, Any]:
    return copy.deepcopy({"format": "pcf-registry/inventory/1.0", **top, "lines": list(lines)})
