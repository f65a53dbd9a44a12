"""CEL values as Python objects, and their textual forms.

=====================  ==========================================
CEL type               Python representation
=====================  ==========================================
null_type              ``None``
bool                   ``bool``
int                    ``int`` (int64 range; overflow is an error)
uint                   :class:`CelUint` (an ``int`` subclass)
double                 ``float``
string                 ``str``
bytes                  ``bytes``
list                   ``list`` or ``tuple``
map                    ``dict``
google.protobuf.Timestamp  timezone-aware ``datetime`` (UTC)
google.protobuf.Duration   ``timedelta``
type                   :class:`CelType`
=====================  ==========================================
"""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from registry.packs.cel.errors import CelEvalError

INT_MIN: Final = -(1 << 63)
INT_MAX: Final = (1 << 63) - 1
UINT_MAX: Final = (1 << 64) - 1

# google.protobuf.Duration range: +-10000 years, in microseconds (our resolution).
DURATION_MAX_US: Final = 315_576_000_000 * 1_000_000 + 999_999
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US_PER_S: Final = 1_000_000


class CelUint(int):
    """A CEL ``uint``. Arithmetic on it goes through the runtime helpers."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"CelUint({int(self)})"


class CelType:
    """A CEL type value, e.g. the result of ``type(1)`` or the identifier ``int``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return type(other) is CelType and other.name == self.name

    def __hash__(self) -> int:
        return hash(("CelType", self.name))

    def __repr__(self) -> str:
        return f"CelType({self.name!r})"


TYPE_NAMES: Final = (
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "google.protobuf.Timestamp",
    "google.protobuf.Duration",
)
TYPES: Final = {name: CelType(name) for name in TYPE_NAMES}

_PY_TYPE_NAMES: Final[dict[type, str]] = {
    bool: "bool",
    int: "int",
    CelUint: "uint",
    float: "double",
    str: "string",
    bytes: "bytes",
    list: "list",
    tuple: "list",
    dict: "map",
    type(None): "null_type",
    datetime: "google.protobuf.Timestamp",
    timedelta: "google.protobuf.Duration",
    CelType: "type",
}


def type_name(value: Any) -> str:
    """The CEL type name of a value, for messages and ``type()``."""
    name = _PY_TYPE_NAMES.get(type(value))
    if name is None:
        return f"unsupported Python type {type(value).__name__}"
    return name


def cel_type_of(value: Any) -> CelType:
    name = _PY_TYPE_NAMES.get(type(value))
    if name is None:
        raise CelEvalError(f"unsupported value of Python type {type(value).__name__}")
    return TYPES[name]


# --------------------------------------------------------------------------- timestamps


def timestamp_from_us(us: int) -> datetime:
    try:
        return EPOCH + timedelta(microseconds=us)
    except OverflowError:
        raise CelEvalError("timestamp out of range") from None


def timestamp_to_us(ts: datetime) -> int:
    d = ts - EPOCH
    return (d.days * 86_400 + d.seconds) * _US_PER_S + d.microseconds


def duration_to_us(d: timedelta) -> int:
    return (d.days * 86_400 + d.seconds) * _US_PER_S + d.microseconds


def check_duration(d: timedelta) -> timedelta:
    if abs(duration_to_us(d)) > DURATION_MAX_US:
        raise CelEvalError("duration out of range")
    return d


_RFC3339: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,9}))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)


_RFC3339_UTC_SECONDS: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def parse_timestamp(text: str) -> datetime:
    """RFC 3339 with a mandatory offset, e.g. ``2026-01-01T00:00:00Z``. Fractions beyond
    microseconds are truncated. The result is in UTC."""
    if len(text) == 20 and _RFC3339_UTC_SECONDS.fullmatch(text):
        # the common shape; fromisoformat (C) is exact for it once the shape is checked
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise CelEvalError(f"invalid timestamp {text!r}") from None
    m = _RFC3339.fullmatch(text)
    if m is None:
        raise CelEvalError(f"invalid timestamp {text!r}: expected RFC 3339")
    year, month, day, hour, minute, second, frac, sign, oh, om = m.groups()
    micro = int((frac + "00000")[:6]) if frac else 0
    try:
        ts = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, UTC)
        if sign is not None:
            offset = timedelta(hours=int(oh), minutes=int(om))
            if int(oh) > 23 or int(om) > 59:
                raise ValueError("bad offset")
            ts = ts - offset if sign == "+" else ts + offset
    except (ValueError, OverflowError):
        raise CelEvalError(f"invalid timestamp {text!r}") from None
    return ts


def format_timestamp(ts: datetime) -> str:
    if ts.utcoffset():
        ts = ts.astimezone(UTC)
    text = f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}T{ts.hour:02d}:{ts.minute:02d}:{ts.second:02d}"
    if ts.microsecond:
        text += f".{ts.microsecond:06d}".rstrip("0")
    return text + "Z"


_DURATION_PART: Final = re.compile(r"([0-9]*)(?:\.([0-9]*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_UNIT_NS: Final = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


def parse_duration(text: str) -> timedelta:
    """Go ``time.ParseDuration`` syntax: ``"3600s"``, ``"1h30m"``, ``"-1.5h"``, ``"0"``.
    Units ns, us (or µs), ms, s, m, h. Range +-10000 years; resolution microseconds
    (finer parts are truncated)."""
    s = text
    negative = False
    if s[:1] in ("+", "-"):
        negative = s[0] == "-"
        s = s[1:]
    if s == "0":
        return timedelta(0)
    if not s:
        raise CelEvalError(f"invalid duration {text!r}")
    total_ns = 0
    pos = 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if m is None or (not m.group(1) and not m.group(2)):
            raise CelEvalError(f"invalid duration {text!r}")
        whole, frac, unit = m.groups()
        scale = _UNIT_NS[unit]
        total_ns += int(whole or "0") * scale
        if frac:
            total_ns += int(frac) * scale // 10 ** len(frac)
        pos = m.end()
        if total_ns > DURATION_MAX_US * 1000 + 999:
            raise CelEvalError(f"duration {text!r} out of range")
    us = total_ns // 1000
    return timedelta(microseconds=-us if negative else us)


def format_duration(d: timedelta) -> str:
    us = duration_to_us(d)
    sign = "-" if us < 0 else ""
    whole, frac = divmod(abs(us), _US_PER_S)
    text = f"{sign}{whole}"
    if frac:
        text += f".{frac:06d}".rstrip("0")
    return text + "s"


# --------------------------------------------------------------------------- numbers


def format_double_go(v: float) -> str:
    """``string(double)``: Go's ``%g`` with the shortest round-trip digits (as cel-go)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0.0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    sign = "-" if v < 0 else ""
    # repr() gives the shortest digits that round-trip; Decimal splits them exactly.
    _, digit_tuple, exponent = Decimal(repr(abs(v))).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    dp = len(digits) + exponent  # position of the decimal point within `digits`
    digits = digits.rstrip("0") or "0"
    exp = dp - 1
    if exp < -4 or exp >= 6:
        text = digits[0]
        if len(digits) > 1:
            text += "." + digits[1:]
        return f"{sign}{text}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return f"{sign}{digits}{'0' * (dp - len(digits))}"
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def format_double_short(v: float) -> str:
    """Shortest round-trip text without a trailing ``.0``: 5.0 -> "5", 0.1 -> "0.1"."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    text = repr(v)
    if len(_SIGNIFICANT.sub("", text.split("e")[0])) > 15:
        # Binary noise in the 16th/17th digit (0.1 + 0.2 -> 0.30000000000000004): a message shows
        # the 15 digits a double carries for sure, as ordinary decimal arithmetic would.
        text = f"{v:.15g}"
    if text.endswith(".0"):
        text = text[:-2]
    return text


_SIGNIFICANT = re.compile(r"^[-0.]+|\.")


# --------------------------------------------------------------------------- formatting


def format_value(value: Any) -> str:
    """Render a CEL value for human-readable messages."""
    t = type(value)
    if t is str:
        return str(value)
    try:
        return _format_nested(value)
    except RecursionError:
        return "[...]" if t is list or t is tuple else "{...}"


def _format_nested(value: Any) -> str:
    t = type(value)
    if t is str:
        return json.dumps(value, ensure_ascii=False)
    if t is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    if t is int or t is CelUint:
        return str(int(value))
    if t is float:
        return format_double_short(value)
    if t is bytes:
        return base64.b64encode(value).decode("ascii")
    if t is list or t is tuple:
        return "[" + ", ".join(_format_nested(v) for v in value) + "]"
    if t is dict:
        return "{" + ", ".join(f"{_format_key(k)}: {_format_nested(v)}" for k, v in value.items()) + "}"
    if t is datetime:
        return format_timestamp(value)
    if t is timedelta:
        return format_duration(value)
    if t is CelType:
        return str(value.name)
    return repr(value)


def _format_key(key: Any) -> str:
    if type(key) is str:
        return json.dumps(key, ensure_ascii=False)
    return json.dumps(_format_nested(key), ensure_ascii=False)


def map_key_class(key: Any) -> tuple[str, Any] | None:
    """Identity of a map key under CEL equality (int and uint keys unify, bool does not
    unify with numbers); None for a type that cannot be a map key."""
    t = type(key)
    if t is str:
        return ("s", key)
    if t is bool:
        return ("b", key)
    if t is int or t is CelUint:
        return ("n", int(key))
    return None


# --------------------------------------------------------------------------- constants


class ConstantError(Exception):
    """A compile-time constant is not JSON-like (reported as a compile error)."""


def constant_to_cel(value: Any, path: str) -> Any:
    """Convert a JSON-like compile-time constant to a CEL value (lists become tuples)."""
    t = type(value)
    if value is None or t is bool or t is str or t is float or t is bytes:
        return value
    if t is int:
        if not INT_MIN <= value <= INT_MAX:
            raise ConstantError(f"constant {path} is outside the int64 range")
        return value
    if t is CelUint:
        return value
    if t is list or t is tuple:
        return tuple(constant_to_cel(v, f"{path}[{i}]") for i, v in enumerate(value))
    if t is dict:
        out: dict[Any, Any] = {}
        kinds: set[str] = set()
        for k, v in value.items():
            tk = type(k)
            if tk is str:
                kinds.add("string")
            elif tk is bool:
                kinds.add("bool")
            elif tk is int or tk is CelUint:
                kinds.add("number")
            else:
                raise ConstantError(f"constant {path} has a key of unsupported type {tk.__name__}")
            out[k] = constant_to_cel(v, f"{path}.{k}")
        if {"bool", "number"} <= kinds:
            raise ConstantError(f"constant {path} mixes bool and numeric keys")
        return out
    if t is datetime and value.tzinfo is not None:
        return value.astimezone(UTC)
    if t is timedelta:
        return value
    raise ConstantError(f"constant {path} has unsupported type {t.__name__}")
