"""Recognitions per second on one core: one declaration against every scheme of the crosswalks.

Measures ``recognise()`` alone (the declaration is validated once beforehand, as the CLI does),
then with ``to_json()``, for a declaration from a base pack and the example of a product pack.
Crosswalk loading (schema checks, relations and plans for every scheme pair) is timed once.

Run: python bench/recognise.py [--seconds S] [--pack ID]
Target (issue brief): 10,000 recognitions/s/core against all schemes.
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from datetime import UTC, datetime
from typing import Any

from registry.crosswalk import audit_from_declaration, checking_rules, load_crosswalks_from, recognise
from registry.crosswalk.loader import load_crosswalks
from registry.packs.catalog import Catalog
from registry.packs.validate import validate_document
from registry.resources import crosswalks_dir

NOW = datetime(2026, 6, 30, tzinfo=UTC)


def rate(fn: Any, seconds: float) -> tuple[float, float]:
    """Calls per wall-clock second and per CPU second of this process (the per-core figure)."""
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(100):
            fn()
        n += 100
        if time.perf_counter() >= deadline:
            return n / (time.perf_counter() - start), n / max(time.process_time() - cpu, 1e-9)


def rates(fn: Any, seconds: float, rounds: int = 5) -> tuple[float, float]:
    """Best wall-clock rate and best CPU-time rate over short rounds (least disturbed by other load)."""
    measured = [rate(fn, seconds / rounds) for _ in range(rounds)]
    return max(m[0] for m in measured), max(m[1] for m in measured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--pack", default="example-standards-body/aluminium-ingot")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    start = time.perf_counter()
    load_crosswalks_from(crosswalks_dir())
    print(f"crosswalk load (validate, relate every pair, build plans): {1000 * (time.perf_counter() - start):.1f} ms")

    cw = load_crosswalks()
    catalog = Catalog.bundled()
    resolved = catalog.resolve(args.pack)
    document: dict[str, Any] = copy.deepcopy(resolved.example or {})
    result = validate_document(catalog, document, pack=resolved.ref, now=NOW)
    assert result.conformant, result.findings
    audit = audit_from_declaration(cw, document)
    assert audit is not None, "the example declaration has no attestations"
    targets = len(cw.schemes)

    def once() -> Any:
        rules = checking_rules(resolved.rules)
        return recognise(cw, document, pack=result.pack, audit=audit, chain=resolved.chain, pack_rules=rules)

    def with_json() -> Any:
        return once().to_json()

    sample = once()
    gaps = sum(len(s.gaps) + len(s.conflicts) for s in sample.schemes)
    print(f"declaration: {resolved.ref}, source scheme {sample.source_scheme}")
    print(f"{targets} target schemes, {gaps} gaps and conflicts in all")
    w1, c1 = rates(once, args.seconds)
    w2, c2 = rates(with_json, args.seconds)
    print(f"recognise():           {c1:>8,.0f}/CPU-s ({1e6 / c1:.1f} us), wall {w1:>8,.0f}/s")
    print(f"                       {c1 * targets:,.0f} scheme verdicts per CPU-second")
    print(f"recognise().to_json(): {c2:>8,.0f}/CPU-s ({1e6 / c2:.1f} us), wall {w2:>8,.0f}/s")
    verdict = "met" if c1 >= 10_000 else "NOT met"
    print(f"load average {os.getloadavg()[0]:.2f}; target 10,000/s/core: {verdict} (best round, CPU time)")


if __name__ == "__main__":
    main()
