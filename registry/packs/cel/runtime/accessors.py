"""Timestamp accessors (``getFullYear`` ... ``getMilliseconds``, with an optional fixed offset) and
duration accessors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _ovl, _utc
from registry.packs.cel.values import duration_to_us


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
