"""Registry extensions (ADR 0002): ``sum(list)``, ``addYears(timestamp, int)``, ``isDecimal(string)``,
and exact arithmetic on decimal strings: ``decimalSum(list<string>)``, ``decimalDiff(string, string)``,
``halfUnit(string)`` (half a unit in the last published digit, what rounding may have taken),
``recalc.stage(name)`` (a stage total of a recalculation, 0.0 when no line is in that stage)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, localcontext
from typing import Any, Final

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _i64, _ovl, _u64, _utc
from registry.packs.cel.values import CelUint, format_value


def sum_(v: Any) -> Any:
    """``sum(list)``: ints stay int, any double makes the sum a double (added left to
    right), all-uint stays uint; the empty list sums to int 0."""
    if type(v) is not list and type(v) is not tuple:
        raise _ovl("sum", v)
    has_float = False
    all_uint = True
    for x in v:
        t = type(x)
        if t is float:
            has_float = True
        elif t is int:
            all_uint = False
        elif t is not CelUint:
            raise CelEvalError(f"sum() list element {format_value(x)} is not a number")
    if has_float:
        acc = 0.0
        first = True
        try:
            for x in v:
                if first:
                    acc = float(x)
                    first = False
                else:
                    acc += float(x)
        except OverflowError:  # a host int beyond the double range
            raise CelEvalError("sum() element is out of range") from None
        return acc
    total = 0
    for x in v:
        total += x
    if all_uint and v:
        return _u64(total)
    return _i64(total)


def addYears(ts: Any, n: Any) -> datetime:
    """Add calendar years; Feb 29 becomes Feb 28 in a non-leap target year."""
    if type(ts) is not datetime or type(n) is not int:
        raise _ovl("addYears", ts, n)
    start = _utc(ts)
    year = start.year + n
    if not 1 <= year <= 9999:
        raise CelEvalError("timestamp out of range")
    try:
        return start.replace(year=year)
    except ValueError:
        return start.replace(year=year, day=28)


_DECIMAL_TEXT: Final = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def isDecimal(s: Any) -> bool:
    if type(s) is not str:
        raise _ovl("isDecimal", s)
    return _DECIMAL_TEXT.fullmatch(s) is not None


def stage(recalc: Any, name: Any) -> Any:
    """``recalc.stage("A3")``: kg CO2e recomputed for one stage; 0.0 when no line is in it."""
    if type(recalc) is not dict or type(name) is not str or type(recalc.get("stages")) is not dict:
        raise _ovl("stage", recalc, name)
    return recalc["stages"].get(name, 0.0)


def _decimal(s: Any, fn: str) -> Decimal:
    if type(s) is not str or _DECIMAL_TEXT.fullmatch(s) is None:
        raise CelEvalError(f"{fn}(): {format_value(s)} is not a decimal string")
    return Decimal(s)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return "0" if value == 0 else text


def decimalSum(v: Any) -> str:
    """The exact sum of decimal strings, as a decimal string ("1.6521", never "1.6521000000000001")."""
    if type(v) is not list and type(v) is not tuple:
        raise _ovl("decimalSum", v)
    with localcontext() as ctx:
        ctx.prec = 200
        total = sum((_decimal(x, "decimalSum") for x in v), Decimal(0))
    return _plain(total)


def decimalDiff(a: Any, b: Any) -> float:
    """``a - b`` computed exactly on the decimal strings, then given as a double."""
    if type(a) is not str or type(b) is not str:
        raise _ovl("decimalDiff", a, b)
    with localcontext() as ctx:
        ctx.prec = 200
        return float(_decimal(a, "decimalDiff") - _decimal(b, "decimalDiff"))


def halfUnit(s: Any) -> float:
    """Half a unit in the last digit of a published decimal: "1.7" -> 0.05, "42" -> 0.5."""
    if type(s) is not str:
        raise _ovl("halfUnit", s)
    exponent = _decimal(s, "halfUnit").as_tuple().exponent
    assert isinstance(exponent, int)  # a finite decimal string
    return float(Decimal(5).scaleb(exponent - 1))
