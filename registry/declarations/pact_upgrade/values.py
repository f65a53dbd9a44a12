"""JSON values in the PACT v2 -> v3 upgrade: pointers, copies, message renderings and exact decimals."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal, localcontext
from typing import Any

from registry.declarations.pact_upgrade.tables import PACT_STANDARD, STANDARD_SPELLINGS, TS3, V2_DECIMAL, V3_STANDARDS


def ptr(*parts: object) -> str:
    """RFC 6901 JSON pointer from reference tokens."""
    return "".join(["/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts])


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def show(value: object, limit: int = 80) -> str:
    """A short JSON rendering of a value for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PLAIN_NAME = re.compile(r"^[A-Za-z_$@][\w$@.:-]*$")


def name_of(key: object) -> str:
    """A property name for messages: as is when plain, JSON-quoted otherwise."""
    return key if isinstance(key, str) and _PLAIN_NAME.match(key) else show(key)


def clone(value: Any) -> Any:
    """Deep copy of a JSON-like value (objects become dicts, arrays lists)."""
    if isinstance(value, Mapping):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clone(v) for v in value]
    return value


def number_to_decimal(value: object) -> str | None:
    """A JSON number as a plain decimal string of the same value ("1e-05" -> "0.00001").

    None when the value is not a finite number (booleans are not numbers).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # beyond Python's int->str digit limit
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return format(Decimal(repr(value)), "f")
    return None


def parse_decimal(value: object) -> Decimal | None:
    """A v2 Decimal (dotted-decimal JSON string) as a Decimal; None otherwise."""
    if isinstance(value, str) and V2_DECIMAL.match(value):
        return Decimal(value)
    return None


def format_decimal(value: Decimal) -> str:
    """Plain decimal string without exponent or trailing fractional zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0", ""):
        text = "0"
    return text


def exact(op: str, a: Decimal, b: Decimal) -> Decimal:
    """a*b or a+b without rounding (the context is made wide enough)."""
    da, db = a.as_tuple(), b.as_tuple()
    ea = da.exponent if isinstance(da.exponent, int) else 0
    eb = db.exponent if isinstance(db.exponent, int) else 0
    digits = len(da.digits) + len(db.digits) + abs(ea - eb) + 4
    with localcontext() as ctx:
        ctx.prec = max(28, digits)
        return a * b if op == "*" else a + b


def map_standard(value: str) -> str:
    """The v3 spelling of a cross-sectoral standard; unknown values are kept as they are."""
    key = " ".join(value.split()).lower()
    mapped = STANDARD_SPELLINGS.get(key)
    if mapped is not None:
        return mapped
    m = PACT_STANDARD.match(key)
    if m:
        candidate = f"PACT-{int(m.group(1))}.{int(m.group(2) or 0)}"
        if candidate in V3_STANDARDS:
            return candidate
    return value


def v3_clause(where: str, key: object) -> str:
    """Citation of the v3 definition of property ``key`` of the object at ``where``."""
    owner = {
        "": "ProductFootprint",
        "/pcf": "CarbonFootprint",
        "/pcf/dqi": "DataQualityIndicators",
        "/pcf/verification": "Verification",
    }.get(where, "ProductFootprint")
    return f"{TS3}, {owner}.{key}"


def ordered(values: dict[Any, Any], order: tuple[str, ...]) -> dict[Any, Any]:
    out = {k: values[k] for k in order if k in values}
    out.update((k, v) for k, v in values.items() if k not in out)
    return out


def json_key(value: Any) -> str:
    """JSON identity: ``False``, ``0`` and ``0.0`` are different values here, unlike in Python."""
    return json.dumps(value, sort_keys=True)


def json_index(values: list[Any], value: Any) -> int | None:
    key = json_key(value)
    return next((i for i, v in enumerate(values) if json_key(v) == key), None)
