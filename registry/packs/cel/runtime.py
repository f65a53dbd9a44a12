"""Runtime helpers called by compiled CEL code, and the namespace it is evaluated in.

Every helper is exported into :data:`GLOBALS` under a ``_c_`` prefixed name. Helpers
accept any Python value and raise only :class:`CelEvalError`; that is what lets the
compiler promise that generated code raises nothing else.

Helpers whose name ends in ``_s`` are *safe* variants used by the compiler for
error-absorbing ``&&``/``||``: instead of raising they *return* the
:class:`CelEvalError` instance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.values import (
    DURATION_MAX_US,
    INT_MAX,
    INT_MIN,
    TYPES,
    UINT_MAX,
    CelType,
    CelUint,
    cel_type_of,
    check_duration,
    duration_to_us,
    format_double_go,
    format_duration,
    format_timestamp,
    format_value,
    map_key_class,
    parse_duration,
    parse_timestamp,
    timestamp_from_us,
    timestamp_to_us,
    type_name,
)

_MISSING: Final = object()
_NUM: Final = frozenset({int, float, CelUint})
_ORDERED_SAME: Final = frozenset({str, bytes, bool, datetime, timedelta})
_SCALAR: Final = frozenset({str, int, float, bool, bytes, type(None), datetime, timedelta, CelUint, CelType})
_KNOWN: Final = _SCALAR | {list, tuple, dict}


def _ovl(op: str, *args: Any) -> CelEvalError:
    kinds = ", ".join(type_name(a) for a in args)
    return CelEvalError(f"no matching overload for '{op}' applied to ({kinds})")


def _i64(r: int) -> int:
    if INT_MIN <= r <= INT_MAX:
        return r
    raise CelEvalError("int64 overflow")


def _u64(r: int) -> CelUint:
    if 0 <= r <= UINT_MAX:
        return CelUint(r)
    raise CelEvalError("uint64 overflow")


def _no_such_key(k: Any) -> CelEvalError:
    return CelEvalError(f"no such key: {format_value(k)}")


# --------------------------------------------------------------------------- maps


def _map_get(m: dict[Any, Any], k: Any) -> Any:
    """CEL map lookup: returns the value or _MISSING; raises for unsupported key types.

    Python treats True == 1 == 1.0 as the same dict key; CEL only unifies the numeric
    types, so a hit across bool/number is rejected here.
    """
    tk = type(k)
    if tk is str:
        return m.get(k, _MISSING)
    if tk is int or tk is float or tk is CelUint:
        v = m.get(k, _MISSING)
        if v is not _MISSING and any(type(x) is bool and x == k for x in m):
            return _MISSING
        return v
    if tk is bool:
        v = m.get(k, _MISSING)
        if v is not _MISSING and not any(x is k for x in m):
            return _MISSING
        return v
    if tk in _KNOWN:
        return _MISSING
    raise CelEvalError(f"unsupported map key type {type_name(k)}")


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


# --------------------------------------------------------------------------- logic


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


# --------------------------------------------------------------------------- equality


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


# --------------------------------------------------------------------------- arithmetic


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


# --------------------------------------------------------------------------- conversions

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


def _utc(v: datetime) -> datetime:
    off = v.utcoffset()
    if off is None:
        raise CelEvalError("timestamp values must be timezone-aware")
    if off:
        try:
            return v.astimezone(UTC)
        except OverflowError:
            raise CelEvalError("timestamp out of range") from None
    return v


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


# --------------------------------------------------------------------------- functions


def size(v: Any) -> int:
    t = type(v)
    if t is str or t is list or t is tuple or t is dict or t is bytes:
        return len(v)
    raise _ovl("size", v)


def contains(s: Any, sub: Any) -> bool:
    if type(s) is str and type(sub) is str:
        return sub in s
    raise _ovl("contains", s, sub)


def startsWith(s: Any, p: Any) -> bool:
    if type(s) is str and type(p) is str:
        return s.startswith(p)
    raise _ovl("startsWith", s, p)


def endsWith(s: Any, p: Any) -> bool:
    if type(s) is str and type(p) is str:
        return s.endswith(p)
    raise _ovl("endsWith", s, p)


_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Go's unicode.IsSpace, which cel-go's trim() uses.
_SPACE: Final = (
    "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def lowerAscii(s: Any) -> str:
    if type(s) is str:
        return s.translate(_ASCII_LOWER)
    raise _ovl("lowerAscii", s)


def upperAscii(s: Any) -> str:
    if type(s) is str:
        return s.translate(_ASCII_UPPER)
    raise _ovl("upperAscii", s)


def trim(s: Any) -> str:
    if type(s) is str:
        return s.strip(_SPACE)
    raise _ovl("trim", s)


# Regular expressions: compiled by the compiler (a pattern must be a constant), looked up
# here by pattern text. RE2 guarantees linear-time matching.
try:
    import re2 as _re2mod
    from re2 import _re2 as _re2low

    _RE2_OPTIONS: Any = _re2mod.Options()
    _RE2_OPTIONS.never_capture = True
    _RE2_OPTIONS.log_errors = False
    _UNANCHORED: Any = _re2low.RE2.Anchor.UNANCHORED
except ImportError:  # pragma: no cover - google-re2 is a hard dependency
    _re2low = None

_REGEXES: dict[str, Any] = {}


def compile_regex(pattern: str) -> None:
    """Compile and register a pattern; raises ValueError with RE2's message if invalid."""
    if pattern in _REGEXES:
        return
    try:
        encoded = pattern.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("pattern is not valid Unicode") from None
    rx = _re2low.RE2(encoded, _RE2_OPTIONS)
    if not rx.ok():
        err = rx.error()
        raise ValueError(err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err))
    _REGEXES[pattern] = rx


def matches(s: Any, pattern: str) -> bool:
    if type(s) is not str:
        raise _ovl("matches", s, pattern)
    rx = _REGEXES.get(pattern)
    if rx is None:
        try:
            compile_regex(pattern)
        except ValueError as e:
            raise CelEvalError(f"invalid regular expression: {e}") from None
        rx = _REGEXES[pattern]
    try:
        data = s.encode("utf-8")
    except UnicodeEncodeError:
        raise CelEvalError("matches() argument is not valid Unicode") from None
    return bool(rx.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0)


# --------------------------------------------------------------------------- time accessors


def _local(v: Any, off: int, name: str) -> datetime:
    if type(v) is not datetime:
        raise _ovl(name, v)
    ts = _utc(v)
    if off:
        try:
            ts = ts + timedelta(minutes=off)
        except OverflowError:
            raise CelEvalError("timestamp out of range") from None
    return ts


def _dur_part(v: timedelta, unit_us: int) -> int:
    us = duration_to_us(v)
    q = abs(us) // unit_us
    return -q if us < 0 else q


def getFullYear(v: Any, off: int = 0) -> int:
    return _local(v, off, "getFullYear").year


def getMonth(v: Any, off: int = 0) -> int:
    return _local(v, off, "getMonth").month - 1


def getDate(v: Any, off: int = 0) -> int:
    return _local(v, off, "getDate").day


def getDayOfMonth(v: Any, off: int = 0) -> int:
    return _local(v, off, "getDayOfMonth").day - 1


def getDayOfYear(v: Any, off: int = 0) -> int:
    return _local(v, off, "getDayOfYear").timetuple().tm_yday - 1


def getDayOfWeek(v: Any, off: int = 0) -> int:
    return (_local(v, off, "getDayOfWeek").weekday() + 1) % 7


def getHours(v: Any, off: int = 0) -> int:
    if type(v) is timedelta and not off:
        return _dur_part(v, 3_600_000_000)
    return _local(v, off, "getHours").hour


def getMinutes(v: Any, off: int = 0) -> int:
    if type(v) is timedelta and not off:
        return _dur_part(v, 60_000_000)
    return _local(v, off, "getMinutes").minute


def getSeconds(v: Any, off: int = 0) -> int:
    if type(v) is timedelta and not off:
        return _dur_part(v, 1_000_000)
    return _local(v, off, "getSeconds").second


def getMilliseconds(v: Any, off: int = 0) -> int:
    if type(v) is timedelta and not off:
        us = duration_to_us(v)
        ms = (abs(us) // 1000) % 1000
        return -ms if us < 0 else ms
    return _local(v, off, "getMilliseconds").microsecond // 1000


# --------------------------------------------------------------------------- math extension


def _numbers(name: str, args: tuple[Any, ...]) -> tuple[Any, ...] | list[Any]:
    items: tuple[Any, ...] | list[Any] = args
    if len(args) == 1 and type(args[0]) in (list, tuple):
        items = args[0]
    if not items:
        raise CelEvalError(f"{name}() requires at least one argument")
    for x in items:
        if type(x) not in _NUM:
            raise _ovl(name, x)
    return items


def greatest(*args: Any) -> Any:
    items = _numbers("math.greatest", args)
    best = items[0]
    for x in items:
        if x != x:
            return x
        if x > best:
            best = x
    return best


def least(*args: Any) -> Any:
    items = _numbers("math.least", args)
    best = items[0]
    for x in items:
        if x != x:
            return x
        if x < best:
            best = x
    return best


def abs_(v: Any) -> Any:
    t = type(v)
    if t is float:
        return abs(v)
    if t is int:
        return _i64(abs(v))
    if t is CelUint:
        return v
    raise _ovl("math.abs", v)


def _double_arg(name: str, v: Any) -> float:
    if type(v) is not float:
        raise _ovl(name, v)
    return float(v)


def ceil(v: Any) -> float:
    x = _double_arg("math.ceil", v)
    return float(math.ceil(x)) if math.isfinite(x) else x


def floor(v: Any) -> float:
    x = _double_arg("math.floor", v)
    return float(math.floor(x)) if math.isfinite(x) else x


def trunc(v: Any) -> float:
    x = _double_arg("math.trunc", v)
    return float(math.trunc(x)) if math.isfinite(x) else x


def round_(v: Any) -> float:
    """Round half away from zero."""
    x = _double_arg("math.round", v)
    if not math.isfinite(x):
        return x
    a = abs(x)
    f = math.floor(a)
    r = float(f + 1 if a - f >= 0.5 else f)
    return math.copysign(r, x)


def isNaN(v: Any) -> bool:
    return math.isnan(_double_arg("math.isNaN", v))


def isInf(v: Any) -> bool:
    return math.isinf(_double_arg("math.isInf", v))


def isFinite(v: Any) -> bool:
    return math.isfinite(_double_arg("math.isFinite", v))


# --------------------------------------------------------------------------- registry extensions


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


# --------------------------------------------------------------------------- macros


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


# --------------------------------------------------------------------------- namespace

_HELPERS: Final[dict[str, Any]] = {
    # access
    "sel": sel,
    "sel_s": sel_s,
    "has": has,
    "has_s": has_s,
    "nhas_s": nhas_s,
    "idx": idx,
    "in": in_,
    "mkmap": mkmap,
    # logic
    "b": b,
    "not": not_,
    "not_s": not_s,
    "orn": orn,
    "andn": andn,
    "try": try_,
    # comparison
    "eq": eq,
    "ne": ne,
    "lt": lt,
    "le": le,
    "gt": gt,
    "ge": ge,
    # arithmetic
    "add": add,
    "sub": sub,
    "mul": mul,
    "div": div,
    "mod": mod,
    "neg": neg,
    "iadd": iadd,
    "isub": isub,
    "imul": imul,
    "idiv": idiv,
    "imod": imod,
    "ineg": ineg,
    "fdiv": fdiv,
    # conversions
    "int": int_,
    "uint": uint,
    "double": double,
    "string": string,
    "bytes": bytes_,
    "bool": bool_,
    "dyn": dyn,
    "typeof": typeof,
    "timestamp": timestamp,
    "duration": duration,
    "mkts": mkts,
    "mkdur": mkdur,
    "U": CelUint,
    # functions
    "size": size,
    "contains": contains,
    "startsWith": startsWith,
    "endsWith": endsWith,
    "matches": matches,
    "lowerAscii": lowerAscii,
    "upperAscii": upperAscii,
    "trim": trim,
    "getFullYear": getFullYear,
    "getMonth": getMonth,
    "getDate": getDate,
    "getDayOfMonth": getDayOfMonth,
    "getDayOfYear": getDayOfYear,
    "getDayOfWeek": getDayOfWeek,
    "getHours": getHours,
    "getMinutes": getMinutes,
    "getSeconds": getSeconds,
    "getMilliseconds": getMilliseconds,
    "greatest": greatest,
    "least": least,
    "abs": abs_,
    "ceil": ceil,
    "floor": floor,
    "trunc": trunc,
    "round": round_,
    "isNaN": isNaN,
    "isInf": isInf,
    "isFinite": isFinite,
    "sum": sum_,
    "addYears": addYears,
    "isDecimal": isDecimal,
    # macros
    "it": it,
    "all": all_,
    "exists": exists,
    "exists_one": exists_one,
    "one": one,
    "map": map_,
    "map3": map3,
    "filter": filter_,
    # Python builtins used by inlined fast paths (the generated code cannot name
    # builtins itself: __builtins__ is empty).
    "len": len,
    "pyall": all,
    "pyany": any,
    "pyabs": abs,
    # values
    "INF": math.inf,
    "NAN": math.nan,
    "CelEvalError": CelEvalError,
    "format": format_value,
}

TYPE_GLOBALS: Final[dict[str, str]] = {
    "int": "_c_T_int",
    "uint": "_c_T_uint",
    "double": "_c_T_double",
    "bool": "_c_T_bool",
    "string": "_c_T_string",
    "bytes": "_c_T_bytes",
    "list": "_c_T_list",
    "map": "_c_T_map",
    "null_type": "_c_T_null_type",
    "type": "_c_T_type",
    "google.protobuf.Timestamp": "_c_T_timestamp",
    "google.protobuf.Duration": "_c_T_duration",
}

GLOBALS: Final[dict[str, Any]] = {
    "__builtins__": {},
    **{"_c_" + name: fn for name, fn in _HELPERS.items()},
    **{glob: TYPES[name] for name, glob in TYPE_GLOBALS.items()},
}

# Names generated code binds itself: macro variables and temporaries. No helper may
# look like one of them.
LOCAL_NAME: Final = re.compile(r"_c_v_[A-Za-z0-9_]+|_c_t[0-9]+")
assert not any(LOCAL_NAME.fullmatch(k) for k in GLOBALS)
assert DURATION_MAX_US > 0
