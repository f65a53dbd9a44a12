"""Crosswalks as data: requirements, scheme entries, and the relations computed once when they load.

``Crosswalks`` holds the vocabulary and every scheme; on construction it relates every pair of
schemes per requirement. ``plans`` (per source and target scheme) is filled by :mod:`.plan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from registry.crosswalk.kinds import Compared, Kind, Relation
from registry.errors import InputError

UNCHECKED = "[unchecked]"


class Remedy(StrEnum):
    """What closes a gap: documents, a recomputed footprint, or nothing from this audit."""

    EVIDENCE = "evidence"
    RECALCULATION = "recalculation"
    REASSESSMENT = "reassessment"


class EntryStatus(StrEnum):
    VALUE = "value"
    NOT_ADDRESSED = "not-addressed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    topic: str
    title: str
    description: str
    kind: Kind
    declaration: tuple[str, ...]
    unmet: Remedy
    undetermined: Remedy
    hint: str | None = None
    rules: tuple[tuple[str, Any], ...] = ()  # (pack rule id, the fact its attestation states, as JSON)
    rank: int = 0  # place in the vocabulary
    checked_by: frozenset[str] = frozenset()  # pack rule ids whose passing shows the source scheme's value met


@dataclass(frozen=True, slots=True)
class Entry:
    """One scheme's position on one requirement, with the clause it comes from."""

    status: EntryStatus
    clause: str
    checked: bool
    value: Any = None  # parsed by the requirement's kind when status is VALUE
    raw: Any = None  # the value as written
    note: str | None = None

    @property
    def cited(self) -> str:
        """The clause, marked when the fact was not checked against the source text."""
        return self.clause if self.checked else f"{self.clause} {UNCHECKED}"

    def shown(self, requirement: Requirement) -> str:
        if self.status is EntryStatus.VALUE:
            return requirement.kind.show(self.value)
        return self.status.value


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    checked: bool
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Scheme:
    id: str
    short: str
    title: str
    version: str
    publisher: str
    packs: tuple[str, ...]
    entries: Mapping[str, Entry]
    sources: tuple[Source, ...] = ()
    url: str | None = None
    file: str | None = None
    # what happens to its labels when a certifier's accreditation is suspended or withdrawn (issue 13);
    # None: the scheme states nothing, the registry's default applies (registry.accreditation.policy)
    accreditation_policy: str | None = None


def relate(requirement: Requirement, a: Entry, b: Entry) -> Compared:
    """How entry ``b`` stands to entry ``a`` for one requirement."""
    if a.status is EntryStatus.UNKNOWN or b.status is EntryStatus.UNKNOWN:
        return Compared(Relation.UNKNOWN)
    silent_a, silent_b = a.status is EntryStatus.NOT_ADDRESSED, b.status is EntryStatus.NOT_ADDRESSED
    if silent_a and silent_b:
        return Compared(Relation.EQUIVALENT)
    if silent_a or silent_b:
        return Compared(Relation.NOT_ADDRESSED)
    return requirement.kind.compare(a.value, b.value)


@dataclass
class Crosswalks:
    """The vocabulary and the schemes, with relations and recognition plans precomputed."""

    requirements: tuple[Requirement, ...]
    schemes: Mapping[str, Scheme]
    by_id: dict[str, Requirement] = field(init=False)
    rule_facts: dict[str, tuple[Requirement, Any]] = field(init=False)
    pack_schemes: dict[str, str] = field(init=False)
    relations: dict[tuple[str, str], tuple[Compared, ...]] = field(init=False)
    plans: dict[tuple[str | None, str], Any] = field(init=False, default_factory=dict)  # filled by plan.py
    derived: dict[str, Any] = field(init=False, default_factory=dict)  # other data computed once (facts.py)

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.requirements}
        self.rule_facts = {rule: (r, fact) for r in self.requirements for rule, fact in r.rules}
        self.pack_schemes = {pack: s.id for s in self.schemes.values() for pack in s.packs}
        self.relations = {
            (a, b): tuple(
                relate(r, self.schemes[a].entries[r.id], self.schemes[b].entries[r.id]) for r in self.requirements
            )
            for a in self.schemes
            for b in self.schemes
        }

    def scheme(self, scheme_id: str) -> Scheme:
        found = self.schemes.get(scheme_id)
        if found is None:
            raise InputError(f"unknown scheme {scheme_id!r} (known: {', '.join(self.schemes)})")
        return found

    def requirement(self, requirement_id: str) -> Requirement:
        found = self.by_id.get(requirement_id)
        if found is None:
            raise InputError(f"unknown crosswalk requirement {requirement_id!r}")
        return found

    def scheme_for_chain(self, chain: Sequence[str]) -> str | None:
        """The scheme of the nearest pack in an extends chain (refs, bases first) that a scheme lists."""
        for ref in reversed(chain):
            scheme = self.pack_schemes.get(ref.partition("@")[0])
            if scheme is not None:
                return scheme
        return None

    def select(self, scheme_ids: Iterable[str] | None) -> tuple[Scheme, ...]:
        if scheme_ids is None:
            return tuple(self.schemes.values())
        return tuple(self.scheme(s) for s in dict.fromkeys(scheme_ids))
