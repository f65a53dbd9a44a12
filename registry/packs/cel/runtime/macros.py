"""Comprehension macros: ``all``, ``exists``, ``exists_one``, ``map``, ``filter``.

``all_``, ``exists`` and ``exists_eq`` test the range's type inline and catch errors per element
themselves: they run for every declaration, so they do not call ``it`` on the common path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.access import sel
from registry.packs.cel.runtime.base import _ovl
from registry.packs.cel.runtime.logic import b
from registry.packs.cel.values import type_name


def it(r: Any) -> Any:
    """The range of a comprehension macro: a list, or a map (iterating its keys)."""
    t = type(r)
    if t is list or t is tuple or t is dict:
        return r
    raise CelEvalError(f"cannot iterate over a value of type {type_name(r)}")


def all_(r: Any, f: Callable[[Any], Any]) -> bool:
    """``r.all(x, p)``: false if any predicate is false (errors elsewhere are ignored),
    else an error if any predicate failed, else true."""
    t = type(r)
    if t is not list and t is not tuple and t is not dict:
        it(r)  # raises
    err: CelEvalError | None = None
    for x in r:
        try:
            v = f(x)
        except CelEvalError as e:
            err = err or e
            continue
        if v is False:
            return False
        if v is not True and err is None:
            err = _ovl("all", v)
    if err is not None:
        raise err
    return True


def exists(r: Any, f: Callable[[Any], Any]) -> bool:
    t = type(r)
    if t is not list and t is not tuple and t is not dict:
        it(r)  # raises
    err: CelEvalError | None = None
    for x in r:
        try:
            v = f(x)
        except CelEvalError as e:
            err = err or e
            continue
        if v is True:
            return True
        if v is not False and err is None:
            err = _ovl("exists", v)
    if err is not None:
        raise err
    return False


def exists_eq(r: Any, key: str, value: str) -> bool:
    """``exists(r, lambda x: value == sel(x, key))`` without a call per element."""
    t = type(r)
    if t is not list and t is not tuple and t is not dict:
        it(r)  # raises
    err: CelEvalError | None = None
    for x in r:
        if type(x) is dict and key in x:
            v = value == x[key]
        else:
            try:
                v = value == sel(x, key)
            except CelEvalError as e:
                err = err or e
                continue
        if v is True:
            return True
        if v is not False and err is None:
            err = _ovl("exists", v)
    if err is not None:
        raise err
    return False


def exists_one(r: Any, f: Callable[[Any], Any]) -> bool:
    n = 0
    for x in it(r):
        if b(f(x)):
            n += 1
    return n == 1


def one(values: list[bool]) -> bool:
    return values.count(True) == 1


def map_(r: Any, f: Callable[[Any], Any]) -> list[Any]:
    return [f(x) for x in it(r)]


def map3(r: Any, p: Callable[[Any], Any], f: Callable[[Any], Any]) -> list[Any]:
    return [f(x) for x in it(r) if b(p(x))]


def filter_(r: Any, p: Callable[[Any], Any]) -> list[Any]:
    return [x for x in it(r) if b(p(x))]
