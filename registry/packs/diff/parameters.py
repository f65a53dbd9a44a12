"""Parameters: values compared in the direction their ``limit`` annotation gives, wording as patch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from registry.packs.diff.changes import ChangeKind
from registry.packs.diff.common import Collector, Side, as_decimal, json_key, ptr, same, show
from registry.packs.diff.versions import Bump

Classified = tuple[ChangeKind, Bump, str]


def _param_def(raw: Any) -> dict[str, Any]:
    return dict(raw) if isinstance(raw, dict) else {"value": raw}


def param_defs(side: Side) -> dict[str, dict[str, Any]]:
    """Per parameter: its nearest definition (object form), with ``limit`` inherited by name."""
    defs: dict[str, dict[str, Any]] = {}
    limits: dict[str, str] = {}
    for data in side.chain:
        for name, raw in data.get("parameters", {}).items():
            d = _param_def(raw)
            defs[name] = d
            if "limit" in d:
                limits[name] = d["limit"]
    out: dict[str, dict[str, Any]] = {}
    for name, value in side.resolved.parameters.items():
        d = dict(defs.get(name, {}))
        d["value"] = value
        d.pop("limit", None)
        if name in limits:
            d["limit"] = limits[name]
        out[name] = d
    return out


# classification of a changed value


def _ordered(value: Any) -> Decimal | datetime | None:
    """A value a limit can compare: a number, a decimal string, an ISO date or date-time."""
    d = as_decimal(value)
    if d is not None:
        return d
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _compare(old: Any, new: Any) -> int | None:
    """-1/0/1 if ``new`` is lower/equal/higher than ``old``; None if they do not compare."""
    if type(old) is not type(new):
        return None
    a, b = _ordered(old), _ordered(new)
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return -1 if b < a else 1 if b > a else 0
    if isinstance(a, datetime) and isinstance(b, datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None  # a date against a date-time with a zone
        return -1 if b < a else 1 if b > a else 0
    return None


def _classify_bound(name: str, old: Any, new: Any, limit: str | None) -> Classified:
    """``limit: max`` (lowering tightens) or ``limit: min`` (raising tightens)."""
    cmp = _compare(old, new)
    if cmp is None or cmp == 0:
        if cmp == 0:
            reason = "the same value written differently, which rules may read differently"
        else:
            reason = f"the values do not compare as limit: {limit}, so the direction is unknown"
        return ChangeKind.PARAMETER_CHANGED, Bump.MAJOR, f"{name} changed from {show(old)} to {show(new)}; {reason}"
    word = "lowered" if cmp < 0 else "raised"
    what = "an upper limit" if limit == "max" else "a lower limit"
    text = f"{name} {word} from {show(old)} to {show(new)} ({what}: "
    if (cmp < 0) == (limit == "max"):
        return ChangeKind.THRESHOLD_TIGHTENED, Bump.MAJOR, text + "stricter)"
    return ChangeKind.THRESHOLD_LOOSENED, Bump.MINOR, text + "more lenient)"


def _classify_allowed(name: str, old: Any, new: Any, limit: str | None) -> Classified:
    """``limit: allowed``: an accepted set (a scalar is a set of one); losing an item tightens."""
    old_items = old if isinstance(old, list) else [old]
    new_items = new if isinstance(new, list) else [new]
    old_keys, new_keys = {json_key(x) for x in old_items}, {json_key(x) for x in new_items}
    removed = [x for x in old_items if json_key(x) not in new_keys]
    added = [x for x in new_items if json_key(x) not in old_keys]
    parts = []
    if removed:
        parts.append("no longer accepts " + ", ".join(show(x) for x in removed))
    if added:
        parts.append("now accepts " + ", ".join(show(x) for x in added))
    if removed:
        return ChangeKind.THRESHOLD_TIGHTENED, Bump.MAJOR, f"{name} " + "; ".join(parts) + " (stricter)"
    if added:
        return ChangeKind.THRESHOLD_LOOSENED, Bump.MINOR, f"{name} " + "; ".join(parts) + " (more lenient)"
    return ChangeKind.PARAMETER_CHANGED, Bump.PATCH, f"{name}: the same accepted items, reordered"


def _classify_unannotated(name: str, old: Any, new: Any, limit: str | None) -> Classified:
    message = f"{name} changed from {show(old)} to {show(new)}; it has no limit annotation, so the direction is unknown"
    return ChangeKind.PARAMETER_CHANGED, Bump.MAJOR, message


_BY_LIMIT: dict[str | None, Callable[[str, Any, Any, str | None], Classified]] = {
    "max": _classify_bound,
    "min": _classify_bound,
    "allowed": _classify_allowed,
}


def _classify_value(name: str, old: Any, new: Any, limit: str | None) -> Classified:
    return _BY_LIMIT.get(limit, _classify_unannotated)(name, old, new, limit)


# one parameter


def _diff_value(col: Collector, name: str, o: dict[str, Any], n: dict[str, Any]) -> None:
    if same(o["value"], n["value"]):
        return
    ol, nl = o.get("limit"), n.get("limit")
    if ol is not None and nl is not None and ol != nl:
        kind, bump = ChangeKind.PARAMETER_CHANGED, Bump.MAJOR
        message = (
            f"{name} changed from {show(o['value'])} to {show(n['value'])} and its limit from {ol} "
            f"to {nl}; direction unknown"
        )
    else:
        kind, bump, message = _classify_value(name, o["value"], n["value"], nl or ol)
    col.add(kind, bump, ptr("parameters", name), o["value"], n["value"], message)


def _diff_wording(col: Collector, name: str, o: dict[str, Any], n: dict[str, Any]) -> None:
    ot = {k: v for k, v in o.items() if k != "value"}
    nt = {k: v for k, v in n.items() if k != "value"}
    if not same(ot, nt):
        keys = sorted(k for k in ot.keys() | nt.keys() if k not in ot or k not in nt or not same(ot[k], nt[k]))
        col.patch(ptr("parameters", name), ot, nt, f"parameter {name}: {', '.join(keys)} changed")


def diff_parameters(col: Collector, old_side: Side, new_side: Side) -> None:
    old, new = param_defs(old_side), param_defs(new_side)
    for name in sorted(old.keys() | new.keys()):
        p = ptr("parameters", name)
        if name not in old:
            message = f"parameter {name} added (rules that read it are listed as rule changes)"
            col.add(ChangeKind.PARAMETER_ADDED, Bump.PATCH, p, None, new[name]["value"], message)
        elif name not in new:
            message = f"parameter {name} removed (rules that read it are listed as rule changes)"
            col.add(ChangeKind.PARAMETER_REMOVED, Bump.PATCH, p, old[name]["value"], None, message)
        else:
            _diff_value(col, name, old[name], new[name])
            _diff_wording(col, name, old[name], new[name])
