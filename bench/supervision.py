"""Supervision figures, in process: drawing a sample, and the region lookup every stored validation,
audit and label now pays.

  * draw_sample over N label ids (SHA-256 per id, then a sort), for N = 10,000 / 100,000 / 1,000,000
  * region_of per declaration (the aluminium example), per call after the first

Run: python bench/supervision.py
No target is set in the brief; the figures are printed for the record.
"""

from __future__ import annotations

import time

from registry.packs.catalog import Catalog
from registry.supervision import draw_sample, region_of


def _draws() -> None:
    for n in (10_000, 100_000, 1_000_000):
        ids = [f"L{i:015d}" for i in range(n)]
        start = time.perf_counter()
        draw_sample(ids, 100, "bench-seed")
        print(f"draw 100 of {n:>9,} ids: {time.perf_counter() - start:8.3f} s")


def _regions() -> None:
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    region_of(example)  # loads the ISO 3166 tables once
    rounds = 200_000
    start = time.perf_counter()
    for _ in range(rounds):
        region_of(example)
    per = (time.perf_counter() - start) / rounds
    print(f"region_of: {per * 1e6:.2f} us per declaration")


if __name__ == "__main__":
    _draws()
    _regions()
