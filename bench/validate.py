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

from registry.packs.catalog import Catalog

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


def _celpy_functions() -> dict[str, Any]:
    """Our extension functions for cel-python (math.* are rewritten to plain names)."""
    import calendar
    import re

    import celpy.celtypes as ct

    def cel_sum(xs: Any) -> Any:
        total: Any = ct.IntType(0)
        for x in xs:
            total = total + x if type(total) is type(x) else ct.DoubleType(float(total) + float(x))
        return total

    def cel_abs(x: Any) -> Any:
        return type(x)(abs(x))

    def greatest(*xs: Any) -> Any:
        return max(xs[0] if len(xs) == 1 else xs)

    def least(*xs: Any) -> Any:
        return min(xs[0] if len(xs) == 1 else xs)

    def add_years(ts: Any, n: Any) -> Any:
        year = ts.year + int(n)
        day = min(ts.day, calendar.monthrange(year, ts.month)[1])
        return ct.TimestampType(ts.replace(year=year, day=day))

    decimal = re.compile(r"^[+-]?\d+(\.\d+)?$")
    return {
        "sum": cel_sum,
        "abs": cel_abs,
        "greatest": greatest,
        "least": least,
        "addYears": add_years,
        "isDecimal": lambda s: ct.BoolType(bool(decimal.match(str(s)))),
    }


def baseline(catalog: Catalog, ref: str) -> Any:
    """json + Python jsonschema + each rule interpreted by cel-python, per document."""
    import celpy
    import jsonschema
    from referencing import Registry, Resource

    from registry.packs.engine import _constants
    from registry.resources import DECLARATION_SCHEMA_ID, EXTENSION_SCHEMA_ID, PACT_V3_SCHEMA_ID
    from registry.schemas import _schema

    resources = [
        (uri, Resource.from_contents(_schema(uri)))
        for uri in (DECLARATION_SCHEMA_ID, EXTENSION_SCHEMA_ID, PACT_V3_SCHEMA_ID)
    ]
    validator = jsonschema.Draft202012Validator(
        _schema(DECLARATION_SCHEMA_ID),
        registry=Registry().with_resources(resources),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    env = celpy.Environment()
    functions = _celpy_functions()

    def program(src: str) -> Any:
        src = src.replace("math.abs(", "abs(").replace("math.greatest(", "greatest(")
        return env.program(env.compile(src.replace("math.least(", "least(")), functions=functions)

    compiled = catalog.compiled(ref)
    constants = _constants(compiled.resolved)
    programs = []
    for cr in compiled.rules:
        rule = cr.rule
        check = rule.check or f"has(ext.attestations) && ext.attestations.exists(a, a.ruleId == {rule.id!r})"
        item = {"item": celpy.json_to_cel(cr.item)} if cr.item is not None else {}
        programs.append((program(rule.when) if rule.when else None, program(check), item))
    fixed = {k: celpy.json_to_cel(v) for k, v in constants.items()}
    now = celpy.celtypes.TimestampType(NOW)

    def run(data: bytes) -> int:
        doc = json.loads(data)
        errors = list(validator.iter_errors(doc))
        ext = next((e["data"] for e in doc.get("extensions", []) if e.get("dataSchema") == EXTENSION_SCHEMA_ID), {})
        activation = {
            "pf": celpy.json_to_cel(doc),
            "pcf": celpy.json_to_cel(doc["pcf"]),
            "ext": celpy.json_to_cel(ext),
            "now": now,
            "recalc": None,  # no inventory: rules reading recalc see null
            **fixed,
        }
        failures = 0
        for when, check, item in programs:
            act = {**activation, **item}
            if when is not None and bool(when.evaluate(act)) is not True:
                continue
            if bool(check.evaluate(act)) is not True:
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
    print(
        f"pcf-registry (orjson + jsonschema-rs + compiled rules): {fast:,.0f} declarations/s on one core "
        f"({1e6 / fast:.1f} us each; target >= 20,000/s)"
    )
    try:
        slow_fn = baseline(catalog, args.pack)
    except ImportError as e:
        print(f"baseline unavailable: {e}")
        return
    failures = slow_fn(data)
    ours_count = len(compiled.validate(orjson.loads(data), now=NOW).findings)
    assert failures == ours_count, f"baseline finds {failures} failing rules, pcf-registry {ours_count}"
    slow = rate(lambda: slow_fn(data), max(1.0, args.seconds / 3))
    print(
        f"baseline (json + jsonschema + cel-python interpreted): {slow:,.0f} declarations/s ({1e6 / slow:.0f} us each)"
    )
    print(f"speed-up: {fast / slow:,.0f}x (target >= 50x)")


if __name__ == "__main__":
    main()
