"""Booleans: checked truth values, ``!``, the ends of error-absorbing ``||``/``&&``, and ``try``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _ovl
from registry.packs.cel.values import type_name


def b(v: Any) -> bool:
    """Check that a value is a bool (for ``?:``, ``!`` and macro predicates)."""
    if v is True or v is False:
        return v
    if type(v) is CelEvalError:
        raise v
    raise CelEvalError(f"expected bool, got {type_name(v)}")


def not_(v: Any) -> bool:
    if v is True:
        return False
    if v is False:
        return True
    raise _ovl("!_", v)


def not_s(v: Any) -> Any:
    if v is True:
        return False
    if v is False:
        return True
    if type(v) is CelEvalError:
        return v
    return _ovl("!_", v)


def orn(guards: tuple[Any, ...], r: Any) -> bool:
    """End of ``g1 || ... || r`` once no guard was true: guards are values or errors."""
    if r is True:
        return True
    for g in guards:
        if g is not False:
            raise g if type(g) is CelEvalError else _ovl("_||_", g)
    if r is False:
        return False
    raise _ovl("_||_", r)


def andn(guards: tuple[Any, ...], r: Any) -> bool:
    """End of ``g1 && ... && r`` once no guard was false: guards are values or errors."""
    if r is False:
        return False
    for g in guards:
        if g is not True:
            raise g if type(g) is CelEvalError else _ovl("_&&_", g)
    if r is True:
        return True
    raise _ovl("_&&_", r)


def try_(f: Callable[[], Any]) -> Any:
    """Evaluate a thunk, returning a CelEvalError instead of raising it."""
    try:
        return f()
    except CelEvalError as e:
        return e
