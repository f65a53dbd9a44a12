"""``diff A B`` of two factor sets: factors added, removed and changed, with the relative change.

Records are matched by factor id (stable across a set's versions). A changed record lists each
member that differs (as written in the document) and, when its value changed, the relative change
``(new - old) / old`` as an exact decimal (None when the old value is zero). Header members
that differ (licence, sources, effective dates, GWP table ...) are listed by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from registry.factors.model import FactorRecord, FactorSet, decimal_text

_IGNORED_HEADER = frozenset({"version", "status"})


@dataclass(frozen=True)
class FactorChange:
    """One factor whose record differs between the two versions."""

    id: str
    members: tuple[str, ...]
    old_value: Decimal
    new_value: Decimal

    @property
    def relative_change(self) -> Decimal | None:
        if self.old_value == self.new_value:
            return Decimal(0)
        if self.old_value == 0:
            return None
        return (self.new_value - self.old_value) / self.old_value

    def to_json(self) -> dict[str, Any]:
        rel = self.relative_change
        return {
            "id": self.id,
            "members": list(self.members),
            "old": decimal_text(self.old_value),
            "new": decimal_text(self.new_value),
            "relativeChange": None if rel is None else decimal_text(rel.normalize()),
        }


@dataclass(frozen=True)
class FactorSetDiff:
    """What changed from ``old`` to ``new`` (two versions of a set, or any two sets)."""

    old: str
    new: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[FactorChange, ...]
    header: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.header)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [c.to_json() for c in self.changed],
            "header": list(self.header),
        }


def _members(a: FactorRecord, b: FactorRecord) -> tuple[str, ...]:
    old, new = a.to_json(), b.to_json()
    return tuple(sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k)))


def diff_sets(old: FactorSet, new: FactorSet) -> FactorSetDiff:
    """Every factor added, removed or changed from ``old`` to ``new``, in ``new``'s (then ``old``'s) order."""
    changed = []
    for record in new.records:
        before = old.by_id.get(record.id)
        if before is not None and (members := _members(before, record)):
            changed.append(FactorChange(record.id, members, before.value, record.value))
    header_keys = (old.header.keys() | new.header.keys()) - _IGNORED_HEADER
    return FactorSetDiff(
        old=old.ref,
        new=new.ref,
        added=tuple(r.id for r in new.records if r.id not in old.by_id),
        removed=tuple(r.id for r in old.records if r.id not in new.by_id),
        changed=tuple(changed),
        header=tuple(sorted(k for k in header_keys if old.header.get(k) != new.header.get(k))),
    )


def render_text(diff: FactorSetDiff) -> str:
    """The diff as the CLI prints it: one line per factor, relative changes in per cent."""
    lines = [f"{diff.old} -> {diff.new}"]
    lines += [f"  added    {i}" for i in diff.added]
    lines += [f"  removed  {i}" for i in diff.removed]
    for c in diff.changed:
        rel = c.relative_change
        pct = "n/a (old value 0)" if rel is None else f"{decimal_text(round(rel * 100, 4).normalize())} %"
        what = ", ".join(c.members)
        lines.append(f"  changed  {c.id}  {decimal_text(c.old_value)} -> {decimal_text(c.new_value)} ({pct}) [{what}]")
    if diff.header:
        lines.append(f"  header   {', '.join(diff.header)}")
    counts = f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"
    lines.append(f"  {counts}" if not diff.empty else "  no differences")
    return "\n".join(lines)
