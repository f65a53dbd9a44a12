"""Declarations validated per second on one core, from bytes to result.

Compares, in the same run:
  * pcf-registry: orjson + jsonschema-rs + the pack compiled to one Python function;
  * a naive baseline: json + Python jsonschema + every rule interpreted by cel-python.

Run: python bench/validate.py [--pack ID] [--seconds S]
Targets (issue 2): at least 20,000 declarations/s/core and 50x the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from registry.catalog import Catalog

NOW = datetime(2026, 6, 30, tzinfo=UTC)


def rate(fn: Any, seconds: float) -> float:
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        n += 50
        if time.perf_counter() >= deadline:
            return n / (time.perf_counter() - start)


def baseline(catalog: Catalog, ref: str) -> Any:
    import celpy
    import jsonschema

    from registry.schemas import _registry, _schema  # noqa: F401
    from registry.resources import DECLARATION_SCHEMA_ID, EXTENSION_SCHEMA_ID, PACT_V3_SCHEMA_ID
    from registry.engine import _constants
    from referencing import Registry, Resource

    resources = [(uri, Resource.from_contents(_schema(uri))) for uri in
                 (DECLARATION_SCHEMA_ID, EXTENSION_SCHEMA_ID, PACT_V3_SCHEMA_ID)]
    validator = jsonschema.Draft202012Validator(
        _schema(DECLARATION_SCHEMA_ID), registry=Registry().with_resources(resources),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    from registry.cel.reference import interpreted_program  # celpy with our extension functions

    compiled = catalog.compiled(ref)
    constants = _constants(compiled.resolved)
    programs = []
    for cr in compiled.rules:
        rule = cr.rule
        check = rule.check or f"has(ext.attestations) && ext.attestations.exists(a, a.ruleId == {rule.id!r})"
        programs.append((interpreted_program(rule.when) if rule.when else None, interpreted_program(check)))

    def run(data: bytes) -> int:
        doc = json.loads(data)
        errors = list(validator.iter_errors(doc))
        ext = next((e["data"] for e in doc.get("extensions", []) if e.get("dataSchema") == EXTENSION_SCHEMA_ID), {})
        activation = {"pf": doc, "pcf": doc["pcf"], "ext": ext, "now": NOW, **constants}
        failures = 0
        for when, check in programs:
            if when is not None and when(activation) is not True:
                continue
            if check(activation) is not True:
                failures += 1
        return failures + len(errors)

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default="example-standards-body/aluminium-ingot")
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    catalog = Catalog.bundled()
    compiled = catalog.compiled(args.pack)
    example = compiled.resolved.example
    assert example is not None
    data = orjson.dumps(example)
    assert compiled.validate(orjson.loads(data), now=NOW).conformant

    def ours() -> None:
        compiled.validate(orjson.loads(data), now=NOW)

    fast = rate(ours, args.seconds)
    print(f"pack {compiled.ref.ref}: {len(compiled.rules)} compiled rules, declaration {len(data)} bytes")
    print(f"pcf-registry (orjson + jsonschema-rs + compiled rules): {fast:,.0f} declarations/s on one core "
          f"({1e6 / fast:.1f} us each; target >= 20,000/s)")
    try:
        slow_fn = baseline(catalog, args.pack)
    except ImportError as e:
        print(f"baseline unavailable: {e}")
        return
    slow = rate(lambda: slow_fn(data), max(1.0, args.seconds / 3))
    print(f"baseline (json + jsonschema + cel-python interpreted): {slow:,.0f} declarations/s "
          f"({1e6 / slow:.0f} us each)")
    print(f"speed-up: {fast / slow:,.0f}x (target >= 50x)")


if __name__ == "__main__":
    main()
