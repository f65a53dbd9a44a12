"""Arithmetic with CEL typing: int64/uint64 overflow is an error, double division is IEEE 754."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _i64, _ovl, _u64
from registry.packs.cel.values import INT_MAX, INT_MIN, CelUint, check_duration


def _ts_plus(ts: datetime, d: timedelta) -> datetime:
    try:
        return ts + d
    except OverflowError:
        raise CelEvalError("timestamp out of range") from None


def add(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if ta is tb:
        if ta is int:
            return _i64(a + b)
        if ta is float or ta is str or ta is bytes:
            return a + b
        if ta is list or ta is tuple:
            return [*a, *b]
        if ta is CelUint:
            return _u64(a + b)
        if ta is timedelta:
            return check_duration(a + b)
    elif (ta is list or ta is tuple) and (tb is list or tb is tuple):
        return [*a, *b]
    elif ta is datetime and tb is timedelta:
        return _ts_plus(a, b)
    elif ta is timedelta and tb is datetime:
        return _ts_plus(b, a)
    raise _ovl("_+_", a, b)


def sub(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if ta is tb:
        if ta is int:
            return _i64(a - b)
        if ta is float:
            return a - b
        if ta is CelUint:
            return _u64(a - b)
        if ta is timedelta:
            return check_duration(a - b)
        if ta is datetime:
            try:
                return check_duration(a - b)
            except TypeError:
                raise _ovl("_-_", a, b) from None
    elif ta is datetime and tb is timedelta:
        try:
            return a - b
        except OverflowError:
            raise CelEvalError("timestamp out of range") from None
    raise _ovl("_-_", a, b)


def mul(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return _i64(a * b)
        if ta is float:
            return a * b
        if ta is CelUint:
            return _u64(a * b)
    raise _ovl("_*_", a, b)


def div(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return idiv(a, b)
        if ta is float:
            return fdiv(a, b)
        if ta is CelUint:
            if b == 0:
                raise CelEvalError("division by zero")
            return CelUint(a // b)
    raise _ovl("_/_", a, b)


def mod(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return imod(a, b)
        if ta is CelUint:
            if b == 0:
                raise CelEvalError("modulus by zero")
            return CelUint(a % b)
    raise _ovl("_%_", a, b)


def neg(a: Any) -> Any:
    ta = type(a)
    if ta is int:
        return _i64(-a)
    if ta is float:
        return -a
    raise _ovl("-_", a)


def iadd(a: int, b: int) -> int:
    r = a + b
    if INT_MIN <= r <= INT_MAX:
        return r
    raise CelEvalError("int64 overflow")


def isub(a: int, b: int) -> int:
    r = a - b
    if INT_MIN <= r <= INT_MAX:
        return r
    raise CelEvalError("int64 overflow")


def imul(a: int, b: int) -> int:
    r = a * b
    if INT_MIN <= r <= INT_MAX:
        return r
    raise CelEvalError("int64 overflow")


def idiv(a: int, b: int) -> int:
    """Truncating int64 division."""
    if b == 0:
        raise CelEvalError("division by zero")
    q = abs(a) // abs(b)
    return _i64(-q if (a < 0) != (b < 0) else q)


def imod(a: int, b: int) -> int:
    """Truncating int64 remainder (sign of the dividend)."""
    if b == 0:
        raise CelEvalError("modulus by zero")
    if a == INT_MIN and b == -1:
        raise CelEvalError("int64 overflow")
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def ineg(a: int) -> int:
    if a == INT_MIN:
        raise CelEvalError("int64 overflow")
    return -a


def fdiv(a: float, b: float) -> float:
    """IEEE 754 division: x/0.0 is +-inf, 0.0/0.0 is NaN."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
