"""Benchmark: recalculations of a 50-line inventory per second on one core (target >= 5,000/s).

    python bench/recalc.py [--quick]

The inventory mixes every bundled DESNZ factor with unit conversions (MWh -> kWh, kg -> t,
g -> kg ...), allocation shares and primary/secondary flags. The cold unit cache and the first
resolution of each reference are excluded (one warm-up run), as the issue asks; parsing the
inventory (schema check) is timed separately.
"""

from __future__ import annotations

import sys
import time
from datetime import date

import orjson

from registry.accounting import Resolver, bundled_library, parse_inventory, recalculate

SET = "pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0"
ALT_UNITS = {"kWh": "MWh", "t": "kg", "L": "L", "m^3": "L", "t*km": "kg*km"}


def inventory(n: int = 50) -> bytes:
    library = bundled_library()
    records = next(s for s in library if s.ref == SET).records
    lines = []
    for i in range(n):
        r = records[i % len(records)]
        unit = ALT_UNITS.get(r.unit, r.unit) if i % 2 else r.unit
        lines.append({
            "id": f"l{i}", "stage": ("A1", "A2", "A3")[i % 3], "kind": "material", "quantity": f"{i + 1}.25",
            "unit": unit, "allocation": "0.8", "factor": f"{SET}#{r.id}", "primary": i % 4 == 0,
        })  # fmt: skip
    return orjson.dumps({"format": "pcf-registry/inventory/1.0", "region": "GB", "year": 2025, "lines": lines})


def main() -> None:
    quick = "--quick" in sys.argv
    data = inventory()
    declaration = {"id": "bench", "pcf": {"pcfExcludingBiogenicUptake": "123456.789"}}
    on = date(2026, 1, 1)
    resolver = Resolver(bundled_library())
    inv = parse_inventory(data)
    warm = recalculate(declaration, inv, resolver, on=on)  # cold unit cache and first resolutions
    assert warm.complete and not warm.findings, warm.findings
    n = 2_000 if quick else 20_000
    t0 = time.perf_counter()
    for _ in range(n):
        recalculate(declaration, inv, resolver, on=on)
    dt = time.perf_counter() - t0
    print(f"recalculate, 50-line inventory: {n / dt:,.0f}/s ({dt / n * 1e6:.1f} us each; target >= 5,000/s)")
    m = 200 if quick else 2_000
    t0 = time.perf_counter()
    for _ in range(m):
        parse_inventory(data)
    dt = time.perf_counter() - t0
    print(f"parse + schema-check the same inventory: {m / dt:,.0f}/s ({dt / m * 1e6:.1f} us each)")
    t0 = time.perf_counter()
    for _ in range(m):
        recalculate(declaration, inv, resolver, on=on).to_json()
    dt = time.perf_counter() - t0
    print(f"recalculate + result to JSON: {m / dt:,.0f}/s")


if __name__ == "__main__":
    main()
