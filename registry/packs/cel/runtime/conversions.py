"""Type conversions: ``int``, ``uint``, ``double``, ``string``, ``bytes``, ``bool``, ``dyn``, ``type``,
``timestamp``, ``duration``, and the constructors of timestamp and duration literals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _i64, _ovl, _u64, _utc
from registry.packs.cel.values import (
    CelType,
    CelUint,
    cel_type_of,
    check_duration,
    format_double_go,
    format_duration,
    format_timestamp,
    format_value,
    parse_duration,
    parse_timestamp,
    timestamp_from_us,
    timestamp_to_us,
)

_TWO63: Final = 9223372036854775808.0
_TWO64: Final = 18446744073709551616.0


def int_(v: Any) -> int:
    t = type(v)
    if t is int:
        return v  # type: ignore[no-any-return]
    if t is float:
        if -_TWO63 < v < _TWO63:
            return int(v)
        raise CelEvalError(f"int() argument {format_value(v)} is out of the int64 range")
    if t is str:
        digits = v[1:] if v[:1] in ("+", "-") else v
        if digits.isdigit() and digits.isascii() and len(v) < 30:
            return _i64(int(v))
        raise CelEvalError(f"cannot convert string {v!r} to int")
    if t is CelUint:
        return _i64(int(v))
    if t is datetime:
        return timestamp_to_us(v) // 1_000_000
    raise _ovl("int", v)


def uint(v: Any) -> CelUint:
    t = type(v)
    if t is CelUint:
        return v  # type: ignore[no-any-return]
    if t is int:
        return _u64(v)
    if t is float:
        if 0.0 <= v < _TWO64:
            return CelUint(int(v))
        raise CelEvalError(f"uint() argument {format_value(v)} is out of the uint64 range")
    if t is str:
        digits = v[1:] if v[:1] == "+" else v
        if digits.isdigit() and digits.isascii() and len(v) < 30:
            return _u64(int(v))
        raise CelEvalError(f"cannot convert string {v!r} to uint")
    raise _ovl("uint", v)


def double(v: Any) -> float:
    t = type(v)
    if t is str:
        # Python's float() also accepts "1_000", surrounding whitespace and non-ASCII
        # digits; on ASCII text without "_" and without outer whitespace it accepts
        # exactly CEL's decimal syntax plus inf/infinity/nan (which CEL accepts too).
        try:
            f = float(v)
        except ValueError:
            raise CelEvalError(f"cannot convert string {v!r} to double") from None
        # float() strips only whitespace, and accepted nothing else below " ", so "no outer
        # whitespace" is "strip() changes nothing".
        if v.isascii() and "_" not in v and v.strip() == v:
            return f
        raise CelEvalError(f"cannot convert string {v!r} to double")
    if t is float:
        return v  # type: ignore[no-any-return]
    if t is int or t is CelUint:
        try:
            return float(v)
        except OverflowError:  # only a host value beyond int64 can get here
            raise CelEvalError("double() argument is out of range") from None
    raise _ovl("double", v)


def double_memo(memo: dict[str, float], v: Any) -> float:
    """``double(v)``, remembering the strings converted in ``memo`` (a dict that lives for
    one evaluation: the compiled pack function creates it). The conversion is a function
    of the string alone; a string that does not convert is never stored, so it raises
    each time, exactly as ``double``."""
    if type(v) is not str:
        return double(v)
    f = memo.get(v)
    if f is not None:
        return f
    # the str case of double(), inline
    try:
        f = float(v)
    except ValueError:
        raise CelEvalError(f"cannot convert string {v!r} to double") from None
    if v.isascii() and "_" not in v and v.strip() == v:
        memo[v] = f
        return f
    raise CelEvalError(f"cannot convert string {v!r} to double")


def string(v: Any) -> str:
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if t is bool:
        return "true" if v else "false"
    if t is int or t is CelUint:
        return str(int(v))
    if t is float:
        return format_double_go(v)
    if t is bytes:
        try:
            return v.decode("utf-8")  # type: ignore[no-any-return]
        except UnicodeDecodeError:
            raise CelEvalError("string() argument is not valid UTF-8") from None
    if t is datetime:
        return format_timestamp(v)
    if t is timedelta:
        return format_duration(v)
    raise _ovl("string", v)


def bytes_(v: Any) -> bytes:
    t = type(v)
    if t is bytes:
        return v  # type: ignore[no-any-return]
    if t is str:
        try:
            return v.encode("utf-8")  # type: ignore[no-any-return]
        except UnicodeEncodeError:
            raise CelEvalError("bytes() argument is not valid Unicode") from None
    raise _ovl("bytes", v)


_BOOL_TEXT: Final = {
    "1": True,
    "t": True,
    "T": True,
    "true": True,
    "TRUE": True,
    "True": True,
    "0": False,
    "f": False,
    "F": False,
    "false": False,
    "FALSE": False,
    "False": False,
}


def bool_(v: Any) -> bool:
    if v is True or v is False:
        return v
    if type(v) is str:
        r = _BOOL_TEXT.get(v)
        if r is not None:
            return r
        raise CelEvalError(f"cannot convert string {v!r} to bool")
    raise _ovl("bool", v)


def dyn(v: Any) -> Any:
    return v


def typeof(v: Any) -> CelType:
    return cel_type_of(v)


def timestamp(v: Any) -> datetime:
    t = type(v)
    if t is str:
        return parse_timestamp(v)
    if t is datetime:
        return _utc(v)
    if t is int:
        if -62135596800 <= v <= 253402300799:
            return timestamp_from_us(v * 1_000_000)
        raise CelEvalError("timestamp out of range")
    raise _ovl("timestamp", v)


def duration(v: Any) -> timedelta:
    t = type(v)
    if t is str:
        return parse_duration(v)
    if t is timedelta:
        return check_duration(v)
    raise _ovl("duration", v)


def mkts(us: int) -> datetime:
    return timestamp_from_us(us)


def mkdur(us: int) -> timedelta:
    return timedelta(microseconds=us)
