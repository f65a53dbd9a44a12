"""Comparing two schemes requirement by requirement; every relation is computed from typed values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.crosswalk.kinds import Relation
from registry.crosswalk.model import Crosswalks, Entry, EntryStatus, Requirement, Scheme


@dataclass(frozen=True, slots=True)
class Side:
    """One scheme's entry as shown in a comparison row."""

    shown: str
    status: EntryStatus
    clause: str
    checked: bool
    cited: str
    note: str | None
    raw: Any

    @classmethod
    def of(cls, requirement: Requirement, entry: Entry) -> Side:
        return cls(
            entry.shown(requirement), entry.status, entry.clause, entry.checked, entry.cited, entry.note, entry.raw
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status.value,
            "shown": self.shown,
            "clause": self.cited,
            "checked": self.checked,
        }
        if self.status is EntryStatus.VALUE:
            out["value"] = self.raw
        if self.note is not None:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Row:
    """How B's requirement stands to A's (``stricter``: an A-conformant study may not meet B)."""

    requirement: str
    topic: str
    title: str
    relation: Relation
    compatible: bool
    a: Side
    b: Side

    @property
    def checked(self) -> bool:
        return self.a.checked and self.b.checked

    def to_json(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "topic": self.topic,
            "title": self.title,
            "relation": self.relation.value,
            "compatible": self.compatible,
            "checked": self.checked,
            "a": self.a.to_json(),
            "b": self.b.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    a: Scheme
    b: Scheme
    rows: tuple[Row, ...]

    def counts(self) -> dict[str, int]:
        return {r.value: sum(1 for row in self.rows if row.relation is r) for r in Relation}

    def to_json(self) -> dict[str, Any]:
        return {
            "a": {"id": self.a.id, "title": self.a.title, "version": self.a.version},
            "b": {"id": self.b.id, "title": self.b.title, "version": self.b.version},
            "reading": "relation says how B's requirement stands to A's",
            "counts": self.counts(),
            "rows": [row.to_json() for row in self.rows],
        }


def compare(crosswalks: Crosswalks, a: str, b: str) -> Comparison:
    """Scheme ``b`` against scheme ``a``, one row per requirement of the vocabulary."""
    sa, sb = crosswalks.scheme(a), crosswalks.scheme(b)
    relations = crosswalks.relations[(a, b)]
    rows = tuple(
        Row(
            r.id,
            r.topic,
            r.title,
            Relation.EQUIVALENT if a == b else rel.relation,
            rel.compatible,
            Side.of(r, sa.entries[r.id]),
            Side.of(r, sb.entries[r.id]),
        )
        for r, rel in zip(crosswalks.requirements, relations, strict=True)
    )
    return Comparison(sa, sb, rows)
