"""Benchmark: compiled CEL (registry.packs.cel) vs cel-python's interpreter, ns per evaluation.

    python bench/cel_expr.py [--quick]

Each rule is evaluated on the same activation by both engines; results must agree.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import celpy

from registry.packs.cel import Env, compile_expression, compile_to_python

PARAMS = {"cutOffPercent": 5.0, "ipccReports": ["AR5", "AR6"]}
PCF = {
    "exemptedEmissionsPercent": "2.5",
    "pcfExcludingBiogenicUptake": "10.004",
    "referencePeriodStart": "2025-01-01T00:00:00Z",
    "referencePeriodEnd": "2026-01-01T00:00:00Z",
    "ipccCharacterizationFactors": ["AR4", "AR6"],
    "declaredUnit": "kilogram",
    "unitaryProductAmount": "1.0",
}
EXT = {"stages": {"a1a3": "6.0", "a4": "2.0", "a5": "2.0"}}
ACTIVATION: dict[str, Any] = {
    "pcf": PCF,
    "ext": EXT,
    "pf": {"productIds": ["urn:gtin:4012345000009"]},
    "now": datetime(2026, 6, 1, tzinfo=UTC),
}

RULES = [
    (
        "cutoff",
        "!has(pcf.exemptedEmissionsPercent) || double(pcf.exemptedEmissionsPercent) <= params.cutOffPercent",
    ),
    (
        "stage-sum",
        "math.abs(sum(ext.stages.map(k, double(ext.stages[k]))) - "
        "double(pcf.pcfExcludingBiogenicUptake)) <= "
        "0.01 * math.abs(double(pcf.pcfExcludingBiogenicUptake))",
    ),
    ("period", "timestamp(pcf.referencePeriodEnd) > timestamp(pcf.referencePeriodStart)"),
    ("ipcc", "pcf.ipccCharacterizationFactors.exists(r, r in params.ipccReports)"),
    ("enum", 'pcf.declaredUnit in ["liter", "kilogram", "cubic meter", "kilowatt hour"]'),
    ("positive", "double(pcf.unitaryProductAmount) > 0.0"),
    ("ids", 'pf.productIds.all(id, id.startsWith("urn:"))'),
    ("not-future", "timestamp(pcf.referencePeriodEnd) <= now"),
]


def per_call_ns(fn: Callable[[], Any], min_time: float, repeats: int = 7) -> float:
    """Best-of-`repeats` time per call; each repeat runs at least `min_time` seconds."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            break
        n *= 2
    best = elapsed / n
    for _ in range(repeats - 1):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e9


def celpy_value(value: Any) -> Any:
    if isinstance(value, celpy.celtypes.BoolType):
        return bool(value)
    if isinstance(value, celpy.celtypes.DoubleType):
        return float(value)
    if isinstance(value, celpy.celtypes.IntType):
        return int(value)
    return value


def _celpy_abs(_namespace: Any, x: Any) -> Any:
    return type(x)(abs(x))


def _celpy_sum(values: Any) -> Any:
    total: Any = celpy.celtypes.IntType(0)
    for v in values:
        total = v if not total else total + v
    return total


# cel-python has neither the math extension nor our sum(): give it equivalents so the
# comparison runs the same rules. `math` is bound to an empty map so `math.abs(x)`
# dispatches to abs(math, x).
CELPY_FUNCTIONS = {"abs": _celpy_abs, "sum": _celpy_sum}


def main() -> None:
    quick = "--quick" in sys.argv
    min_time = 0.02 if quick else 0.1
    env = Env(frozenset({"pf", "pcf", "ext", "now"}), {"params": PARAMS})

    cel_env = celpy.Environment()
    cel_activation = {k: celpy.json_to_cel(v) for k, v in ACTIVATION.items()}
    cel_activation["params"] = celpy.json_to_cel(PARAMS)
    cel_activation["now"] = celpy.celtypes.TimestampType(ACTIVATION["now"])
    cel_activation["math"] = celpy.celtypes.MapType({})

    print(f"{'rule':<12}{'compiled ns':>12}{'cel-python ns':>15}{'speed-up':>10}")
    total_ours = total_theirs = 0.0
    for name, source in RULES:
        fn = compile_expression(source, env)
        ours_value = fn(ACTIVATION)
        ours = per_call_ns(lambda fn=fn: fn(ACTIVATION), min_time)
        program = cel_env.program(cel_env.compile(source), CELPY_FUNCTIONS)
        theirs_value = celpy_value(program.evaluate(cel_activation))
        if ours_value != theirs_value:
            raise SystemExit(f"{name}: results differ: {ours_value!r} vs {theirs_value!r}")
        theirs = per_call_ns(lambda p=program: p.evaluate(cel_activation), min_time / 5)
        total_ours += ours
        total_theirs += theirs
        print(f"{name:<12}{ours:>12.0f}{theirs:>15.0f}{theirs / ours:>9.0f}x")
    print(f"{'all rules':<12}{total_ours:>12.0f}{total_theirs:>15.0f}{total_theirs / total_ours:>9.0f}x")

    # The engine binds variables as lambda parameters; measure that too (no dict lookups).
    sources = [s for _, s in RULES]
    body = ", ".join(f"({compile_to_python(s, env)})" for s in sources)
    from registry.packs.cel import GLOBALS

    batch = eval(f"lambda pf, pcf, ext, now: ({body})", GLOBALS)
    args = (ACTIVATION["pf"], PCF, EXT, ACTIVATION["now"])
    batch_ns = per_call_ns(lambda: batch(*args), min_time)
    print(f"{len(sources)} rules as one lambda: {batch_ns:.0f} ns per declaration")


if __name__ == "__main__":
    main()
