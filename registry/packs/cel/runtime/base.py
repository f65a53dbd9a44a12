"""What the runtime helpers share: the type sets they test against, overload and overflow errors,
CEL map lookup and UTC normalisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.values import INT_MAX, INT_MIN, UINT_MAX, CelType, CelUint, format_value, type_name

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
