"""Recognition results: per target scheme a status, the gaps (with what closes them) and conflicts.

``Recognition.to_json()`` gives exactly ``{"schemes": [...], "source_scheme": ..., "pack": {...},
"audit": {...}}`` (schemas/recognition-1.0.json). Clauses of unchecked facts end in [unchecked].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from registry.crosswalk.audit import AuditRecord
from registry.crosswalk.model import UNCHECKED, Remedy
from registry.findings import PackRef


class Status(StrEnum):
    RECOGNISED = "recognised"
    WITH_GAPS = "recognised-with-gaps"
    NOT_RECOGNISED = "not-recognised"
    UNDETERMINED = "undetermined"  # most of the target's requirements are unknown to the crosswalk


def decide(gaps: int, conflicts: int, unknown: int, weighed: int) -> Status:
    """The verdict for one target scheme.

    A conflict refuses recognition whatever else is unknown (one requirement this audit cannot meet
    is enough). Otherwise, when more than half of the requirements the verdict weighs are unknown to
    the crosswalk (the scheme's text was not seen), the verdict is ``undetermined``: "recognised with
    gaps" would read as if the few known rows were the scheme, and every unknown row is a gap anyway.
    """
    if conflicts:
        return Status.NOT_RECOGNISED
    if unknown * 2 > weighed:
        return Status.UNDETERMINED
    return Status.WITH_GAPS if gaps else Status.RECOGNISED


def _cited(clause: str, checked: bool) -> str:
    return clause if checked else f"{clause} {UNCHECKED}"


@dataclass(frozen=True, slots=True)
class Gap:
    """A target requirement the audit does not yet show met, and what closes it."""

    requirement: str
    title: str
    missing: str
    closable_by: Remedy
    clause: str
    checked: bool
    basis: str
    unknown: bool = False  # the target's requirement itself is not known
    rank: int = 0  # the requirement's place in the vocabulary, for ordering
    _json: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # gaps are shared between recognitions: build the JSON once
        json = {
            "requirement": self.requirement,
            "title": self.title,
            "missing": self.missing,
            "closable_by": self.closable_by.value,
            "clause": self.cited,
            "checked": self.checked,
            "basis": self.basis,
        }
        object.__setattr__(self, "_json", json)

    @property
    def cited(self) -> str:
        return _cited(self.clause, self.checked)

    def to_json(self) -> dict[str, Any]:
        return dict(self._json)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A target requirement this audit cannot meet (another assessment or product scope needed)."""

    requirement: str
    title: str
    conflict: str
    clause: str
    checked: bool
    basis: str
    rank: int = 0
    _json: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        json = {
            "requirement": self.requirement,
            "title": self.title,
            "conflict": self.conflict,
            "clause": self.cited,
            "checked": self.checked,
            "basis": self.basis,
        }
        object.__setattr__(self, "_json", json)

    @property
    def cited(self) -> str:
        return _cited(self.clause, self.checked)

    def to_json(self) -> dict[str, Any]:
        return dict(self._json)


Finding = Gap | Conflict


@dataclass(frozen=True, slots=True)
class SchemeRecognition:
    """The outcome for one target scheme. ``weighed`` counts the target's requirements the verdict
    rests on (those the scheme addresses, known or not), ``unchecked`` those of them whose row was not
    checked against the scheme's text, ``unknown`` those whose requirement is not known at all."""

    scheme: str
    short: str
    title: str
    status: Status
    gaps: tuple[Gap, ...]
    conflicts: tuple[Conflict, ...]
    unchecked: int = 0
    weighed: int = 0
    unknown: int = 0

    @property
    def checked(self) -> int:
        """Rows the verdict rests on that were checked against the scheme's own text."""
        return self.weighed - self.unchecked

    def rows_text(self) -> str:
        """E.g. "rests on 39 rows: 3 of 39 checked against the scheme's text, 34 unknown"."""
        text = f"rests on {self.weighed} rows: {self.checked} of {self.weighed} checked against the scheme's text"
        return f"{text}, {self.unknown} unknown" if self.unknown else text

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "status": self.status.value,
            "rows": {"weighed": self.weighed, "checked": self.checked, "unknown": self.unknown},
            "gaps": [g.to_json() for g in self.gaps],
            "conflicts": [c.to_json() for c in self.conflicts],
        }


@dataclass(frozen=True, slots=True)
class Recognition:
    schemes: tuple[SchemeRecognition, ...]
    source_scheme: str | None
    pack: PackRef
    audit: AuditRecord

    def to_json(self) -> dict[str, Any]:
        return {
            "schemes": [s.to_json() for s in self.schemes],
            "source_scheme": self.source_scheme,
            "pack": {"id": self.pack.id, "version": self.pack.version, "digest": self.pack.digest},
            "audit": self.audit.to_json(),
        }
