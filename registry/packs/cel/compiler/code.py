"""A compiled fragment (:class:`Code`): Python source plus what is statically known about it.

Static types (``static_types.py``) are CEL type names, plus ``DYN`` for "unknown until run time".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from registry.packs.cel.compiler import static_types as T
from registry.packs.cel.runtime import TYPE_GLOBALS
from registry.packs.cel.values import CelType, CelUint, duration_to_us, timestamp_to_us, type_name

NOCONST: Final = object()


@dataclass(slots=True)
class Code:
    src: str
    ty: str = T.DYN
    fallible: bool = True
    const: Any = NOCONST
    safe: str | None = None  # never raises: the value or a CelEvalError instance
    walrus: bool = False  # contains an assignment expression
    elem: str = T.DYN  # element type when ty is T.LIST

    @property
    def is_const(self) -> bool:
        return self.const is not NOCONST


def literal(value: Any) -> str:
    """Python source for a CEL value. Only repr() of str/int/float/bool/None/bytes and
    references to runtime helpers; never text taken from the CEL source as code."""
    t = type(value)
    if value is None or t is bool:
        return repr(value)
    if t is int:
        return repr(value) if value >= 0 else f"({value!r})"
    if t is float:
        if math.isnan(value):
            return "_c_NAN"
        if math.isinf(value):
            return "_c_INF" if value > 0 else "(-_c_INF)"
        text = repr(value)
        return f"({text})" if text.startswith("-") else text
    if t is str or t is bytes:
        return repr(value)
    if t is CelUint:
        return f"_c_U({int(value)!r})"
    if t is list or t is tuple:
        if not value:
            return "()"
        return "(" + ", ".join(literal(v) for v in value) + ",)"
    if t is dict:
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if t is datetime:
        return f"_c_mkts({timestamp_to_us(value)!r})"
    if t is timedelta:
        return f"_c_mkdur({duration_to_us(value)!r})"
    if t is CelType:
        return TYPE_GLOBALS[value.name]
    raise TypeError(f"cannot emit a literal of type {t.__name__}")  # pragma: no cover


def const_code(value: Any) -> Code:
    ty = type_name(value)
    elem = T.DYN
    if ty == T.LIST and value:
        kinds = {type_name(v) for v in value}
        if len(kinds) == 1:
            elem = kinds.pop()
    return Code(literal(value), ty, False, value, literal(value), False, elem)


def compat(static: str, *allowed: str) -> bool:
    """Whether a value of static type ``static`` may be one of ``allowed`` at run time."""
    return static == T.DYN or static in allowed
