"""The ``recalculation`` member: what a pack asks of a recalculation from activity data.

Major when a declaration that passed may now fail: an inventory becomes required, a fail bound
is added or lowered, a required factor set is added. Any other change (warn bounds, fallbacks,
a fail bound raised or dropped, sets no longer required) is minor: it moves warnings or loosens.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from registry.packs.diff.changes import ChangeKind
from registry.packs.diff.common import Collector, Side, same
from registry.packs.diff.versions import Bump


def _fail(raw: dict[str, Any]) -> Decimal | None:
    value = raw.get("deviation", {}).get("failPercent")
    return None if value is None else Decimal(str(value))


def _stricter(o: dict[str, Any], n: dict[str, Any]) -> list[str]:
    reasons: list[str] = []
    if n.get("requireInventory") and not o.get("requireInventory"):
        reasons.append("an inventory is now required")
    of, nf = _fail(o), _fail(n)
    if nf is not None and (of is None or nf < of):
        reasons.append(f"the deviation fail bound is now {nf} % (was {of if of is not None else 'none'})")
    added = set(n.get("requireFactorSets", ())) - set(o.get("requireFactorSets", ()))
    if added:
        reasons.append(f"factor sets now required: {', '.join(sorted(added))}")
    return reasons


def diff_recalculation(col: Collector, old: Side, new: Side) -> None:
    o, n = old.resolved.recalculation or {}, new.resolved.recalculation or {}
    if same(o, n):
        return
    reasons = _stricter(o, n)
    if reasons:
        col.add(ChangeKind.RECALCULATION_CHANGED, Bump.MAJOR, "/recalculation", o or None, n or None,
                "recalculation demands tightened: " + "; ".join(reasons))  # fmt: skip
        return
    col.add(ChangeKind.RECALCULATION_CHANGED, Bump.MINOR, "/recalculation", o or None, n or None,
            "recalculation demands changed (warnings or looser bounds only)")  # fmt: skip
