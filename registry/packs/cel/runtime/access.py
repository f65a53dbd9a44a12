"""Member selection, ``has()``, indexing, ``in`` and map literals: maps are looked up, never attributes."""

from __future__ import annotations

from typing import Any

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _MISSING, _map_get, _no_such_key, _ovl
from registry.packs.cel.runtime.compare import eq
from registry.packs.cel.values import CelUint, format_value, map_key_class, type_name


def sel(m: Any, k: str) -> Any:
    """``m.k`` - member selection is a map lookup, never attribute access."""
    if type(m) is dict:
        try:
            return m[k]
        except KeyError:
            raise CelEvalError(f"no such key: {k}") from None
    raise CelEvalError(f"cannot select field '{k}' from a value of type {type_name(m)}")


def sel_s(m: Any, k: str) -> Any:
    if type(m) is dict:
        v = m.get(k, _MISSING)
        if v is _MISSING:
            return CelEvalError(f"no such key: {k}")
        return v
    if type(m) is CelEvalError:
        return m
    return CelEvalError(f"cannot select field '{k}' from a value of type {type_name(m)}")


def has(m: Any, k: str) -> bool:
    """``has(m.k)``."""
    if type(m) is dict:
        return k in m
    raise CelEvalError(f"has() cannot test field '{k}' of a value of type {type_name(m)}")


def has_s(m: Any, k: str) -> Any:
    if type(m) is dict:
        return k in m
    if type(m) is CelEvalError:
        return m
    return CelEvalError(f"has() cannot test field '{k}' of a value of type {type_name(m)}")


def nhas_s(m: Any, k: str) -> Any:
    """``!has(m.k)``, safe variant."""
    if type(m) is dict:
        return k not in m
    if type(m) is CelEvalError:
        return m
    return CelEvalError(f"has() cannot test field '{k}' of a value of type {type_name(m)}")


def idx(c: Any, i: Any) -> Any:
    """``c[i]`` for lists (int, uint or integral double index) and maps."""
    tc = type(c)
    if tc is dict and type(i) is str:
        try:
            return c[i]
        except KeyError:
            raise _no_such_key(i) from None
    if tc is list or tc is tuple:
        ti = type(i)
        if ti is int or ti is CelUint or (ti is float and i.is_integer()):
            n = int(i)
        else:
            raise _ovl("_[_]", c, i)
        if 0 <= n < len(c):
            return c[n]
        raise CelEvalError(f"index out of range: {format_value(i)} (size {len(c)})")
    if tc is dict:
        v = _map_get(c, i)
        if v is _MISSING:
            raise _no_such_key(i)
        return v
    raise _ovl("_[_]", c, i)


def in_(x: Any, c: Any) -> bool:
    """``x in c``: list membership by CEL equality, or map key presence."""
    tc = type(c)
    tx = type(x)
    if tc is dict:
        if tx is str:
            return x in c
        return _map_get(c, x) is not _MISSING
    if tc is list or tc is tuple:
        if tx is str:
            return x in c  # str == non-str is False, exactly as in CEL
        return any(eq(x, e) for e in c)
    raise _ovl("@in", x, c)


def mkmap(*kv: Any) -> dict[Any, Any]:
    """A map literal with keys only known at run time."""
    m: dict[Any, Any] = {}
    seen: set[tuple[str, Any]] = set()
    for j in range(0, len(kv), 2):
        k = kv[j]
        identity = map_key_class(k)
        if identity is None:
            raise CelEvalError(f"unsupported map key type {type_name(k)}")
        if identity in seen:
            raise CelEvalError(f"duplicate map key: {format_value(k)}")
        seen.add(identity)
        m[k] = kv[j + 1]
    kinds = {identity[0] for identity in seen}
    if "b" in kinds and "n" in kinds:
        raise CelEvalError("unsupported map literal: mixes bool and numeric keys")
    return m
