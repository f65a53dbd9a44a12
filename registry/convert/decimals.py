"""Decimal strings as PACT v3 writes them, and exact arithmetic on them."""

from __future__ import annotations

import re
from decimal import Decimal, Inexact, localcontext

_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_decimal(value: object) -> Decimal | None:
    """A dotted-decimal JSON string (no exponent) as a Decimal; None otherwise."""
    return Decimal(value) if isinstance(value, str) and _DECIMAL.match(value) else None


def plain(value: Decimal) -> str:
    """Decimal string without exponent or trailing fractional zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0", "") else text


def divide(a: Decimal, b: Decimal) -> tuple[Decimal, bool]:
    """a / b, and whether it is exact (else rounded to at least 34 significant digits)."""
    da, db = a.as_tuple(), b.as_tuple()
    with localcontext() as ctx:
        ctx.prec = max(34, len(da.digits) + len(db.digits) + 4)
        ctx.clear_flags()
        quotient = a / b
        return quotient, not ctx.flags[Inexact]


def json_number(text: str) -> int | float | None:
    """A v3 decimal string as the JSON number v2 uses; None if it is not a decimal string."""
    value = parse_decimal(text)
    if value is None:
        return None
    return int(value) if "." not in text else float(value)
