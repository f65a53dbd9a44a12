"""CEL equality (heterogeneous, numbers across int/uint/double) and ordering."""

from __future__ import annotations

from typing import Any

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _KNOWN, _MISSING, _NUM, _ORDERED_SAME, _SCALAR, _map_get, _ovl


def eq(a: Any, b: Any) -> bool:
    """CEL ``==``: heterogeneous; numbers compare by value across int/uint/double; values
    of other differing types are unequal; NaN is unequal to everything."""
    ta = type(a)
    tb = type(b)
    if ta is tb:
        if ta is str or ta is int or ta is float:
            return bool(a == b)
        if ta is list or ta is tuple:
            return _list_eq(a, b)
        if ta is dict:
            return _map_eq(a, b)
        if ta in _SCALAR:
            return bool(a == b)
    elif ta in _NUM and tb in _NUM:
        return bool(a == b)
    elif (ta is list or ta is tuple) and (tb is list or tb is tuple):
        return _list_eq(a, b)
    elif ta in _KNOWN and tb in _KNOWN:
        return False
    raise _ovl("_==_", a, b)


def ne(a: Any, b: Any) -> bool:
    return not eq(a, b)


def _list_eq(a: Any, b: Any) -> bool:
    if len(a) != len(b):
        return False
    try:
        return all(eq(x, y) for x, y in zip(a, b, strict=True))
    except RecursionError:
        raise CelEvalError("values are nested too deeply to compare") from None


def _map_eq(a: dict[Any, Any], b: dict[Any, Any]) -> bool:
    if len(a) != len(b):
        return False
    try:
        for k, v in a.items():
            w = _map_get(b, k)
            if w is _MISSING or not eq(v, w):
                return False
    except RecursionError:
        raise CelEvalError("values are nested too deeply to compare") from None
    return True


def _ordered(op: str, a: Any, b: Any) -> None:
    ta = type(a)
    tb = type(b)
    if (ta in _NUM and tb in _NUM) or (ta is tb and ta in _ORDERED_SAME):
        return
    raise _ovl(op, a, b)


def lt(a: Any, b: Any) -> bool:
    _ordered("_<_", a, b)
    try:
        return bool(a < b)
    except TypeError:  # naive vs aware datetime
        raise _ovl("_<_", a, b) from None


def le(a: Any, b: Any) -> bool:
    _ordered("_<=_", a, b)
    try:
        return bool(a <= b)
    except TypeError:
        raise _ovl("_<=_", a, b) from None


def gt(a: Any, b: Any) -> bool:
    _ordered("_>_", a, b)
    try:
        return bool(a > b)
    except TypeError:
        raise _ovl("_>_", a, b) from None


def ge(a: Any, b: Any) -> bool:
    _ordered("_>=_", a, b)
    try:
        return bool(a >= b)
    except TypeError:
        raise _ovl("_>=_", a, b) from None
