"""cel-go's math extension: ``greatest``, ``least``, ``abs``, ``ceil``, ``floor``, ``trunc``, ``round``,
``isNaN``, ``isInf``, ``isFinite``."""

from __future__ import annotations

import math
from typing import Any

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _NUM, _i64, _ovl
from registry.packs.cel.values import CelUint


def _numbers(name: str, args: tuple[Any, ...]) -> tuple[Any, ...] | list[Any]:
    items: tuple[Any, ...] | list[Any] = args
    if len(args) == 1 and type(args[0]) in (list, tuple):
        items = args[0]
    if not items:
        raise CelEvalError(f"{name}() requires at least one argument")
    for x in items:
        if type(x) not in _NUM:
            raise _ovl(name, x)
    return items


def greatest(*args: Any) -> Any:
    items = _numbers("math.greatest", args)
    best = items[0]
    for x in items:
        if x != x:
            return x
        if x > best:
            best = x
    return best


def least(*args: Any) -> Any:
    items = _numbers("math.least", args)
    best = items[0]
    for x in items:
        if x != x:
            return x
        if x < best:
            best = x
    return best


def abs_(v: Any) -> Any:
    t = type(v)
    if t is float:
        return abs(v)
    if t is int:
        return _i64(abs(v))
    if t is CelUint:
        return v
    raise _ovl("math.abs", v)


def _double_arg(name: str, v: Any) -> float:
    if type(v) is not float:
        raise _ovl(name, v)
    return float(v)


def ceil(v: Any) -> float:
    x = _double_arg("math.ceil", v)
    return float(math.ceil(x)) if math.isfinite(x) else x


def floor(v: Any) -> float:
    x = _double_arg("math.floor", v)
    return float(math.floor(x)) if math.isfinite(x) else x


def trunc(v: Any) -> float:
    x = _double_arg("math.trunc", v)
    return float(math.trunc(x)) if math.isfinite(x) else x


def round_(v: Any) -> float:
    """Round half away from zero."""
    x = _double_arg("math.round", v)
    if not math.isfinite(x):
        return x
    a = abs(x)
    f = math.floor(a)
    r = float(f + 1 if a - f >= 0.5 else f)
    return math.copysign(r, x)


def isNaN(v: Any) -> bool:
    return math.isnan(_double_arg("math.isNaN", v))


def isInf(v: Any) -> bool:
    return math.isinf(_double_arg("math.isInf", v))


def isFinite(v: Any) -> bool:
    return math.isfinite(_double_arg("math.isFinite", v))
