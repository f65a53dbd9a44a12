"""What the factor-set tests share, importable by name (``from factor_support import ...``) from any test folder."""

from __future__ import annotations

from typing import Any

from registry.resources import factorsets_dir

BUNDLED = sorted(factorsets_dir().glob("*/*.json"))


def small_set_document() -> dict[str, Any]:
    """A two-record emission-factor set citing the bundled AR6 table (figures made up for tests)."""
    return {
        "format": "pcf-registry/factorset/1.0",
        "kind": "emission-factors",
        "id": "test-body/fuels",
        "version": "1.0.0",
        "title": {"en": "Test fuels", "zh": "测试燃料"},
        "publisher": {"id": "test-body", "name": "Test body"},
        "licence": {"spdx": "CC0-1.0", "redistributable": True},
        "sources": [{"id": "s1", "title": "A test table", "url": "https://example.org/table"}],
        "gwp": "pcf-registry/ipcc-ar6-gwp100@1.0.0",
        "effective": {"from": "2025-01-01", "until": "2027-01-01"},
        "period": {"from": "2024-01-01", "to": "2024-12-31"},
        "status": "published",
        "regions": [{"id": "grid:test-north", "name": {"en": "North", "zh": "北"}, "members": ["CN-BJ", "CN-TJ"]}],
        "records": [
            {
                "id": "gas-kwh",
                "name": {"en": "Natural gas, per kWh", "zh": "天然气，每千瓦时"},
                "activity": "fuel.natural-gas.combustion",
                "unit": "kWh",
                "value": "0.1955",
                "gases": {"CO2": "0.19", "CH4": "0.0001", "N2O": "0.00001"},
                "boundary": "combustion",
                "region": "GB",
                "year": 2024,
                "source": {"ref": "s1", "locator": "Table 1, row 1"},
            },
            {
                "id": "grid-north",
                "name": {"en": "Grid, north", "zh": "北部电网"},
                "activity": "electricity.grid-average",
                "unit": "kWh",
                "value": "0.6",
                "gasesCovered": ["CO2"],
                "boundary": "consumption",
                "region": "grid:test-north",
                "year": 2024,
                "source": {"ref": "s1", "locator": "Table 2"},
            },
        ],
    }
