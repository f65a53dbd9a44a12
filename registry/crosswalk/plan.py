"""Recognition plans, computed once per (source scheme, target scheme) when the crosswalks load.

A plan lists the target's requirements (those it addresses) with a test bound to the target's
value and the finding that stands when no fact of the study is known: nothing when the source
scheme already asks at least as much, a recalculation when its convention rules the target's
out, otherwise what closes an open requirement. Only findings that quote a study's fact are built
during recognition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from registry.crosswalk.kinds import Compared, Relation
from registry.crosswalk.model import Crosswalks, Entry, EntryStatus, Remedy, Requirement, Scheme
from registry.crosswalk.result import Conflict, Finding, Gap


class Inference(StrEnum):
    """What the source scheme alone tells about a target requirement."""

    MET = "met"  # the source asks at least as much (or is the target itself); a pack rule must check it
    UNMET = "unmet"  # the source's convention rules the target's out
    OPEN = "open"  # the source asks less, differently, or nothing
    TARGET_UNKNOWN = "target-unknown"  # what the target asks is not known


MEMO_LIMIT = 4096  # verdicts kept per step; facts repeat across declarations (AR6, cradle-to-gate ...)


@dataclass(frozen=True, slots=True)
class Step:
    requirement: Requirement
    entry: Entry
    test: Callable[[Any], bool | None] | None  # None when the target's value is unknown
    silent: Finding | None  # the finding when no fact is known; None: met by the source scheme
    target: Scheme
    unproven: Gap | None = None  # when the source scheme meets it but no rule of the pack checks it
    memo: dict[tuple[Any, str], tuple[Finding | None, bool]] = field(default_factory=dict, compare=False, repr=False)

    def judge(self, fact: tuple[Any, str]) -> tuple[Finding | None, bool]:
        """The finding for a study's (fact, basis), None when it meets the target, and whether the
        source scheme decided (the fact was too general to tell); memoised."""
        try:
            return self.memo[fact]
        except KeyError:
            pass
        assert self.test is not None
        verdict = self.test(fact[0])
        if verdict is None:  # the fact is too general: what the source scheme tells stands
            found = (self.silent, True)
        else:
            found = (None if verdict else fact_finding(self.target, self, fact[0], fact[1]), False)
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        self.memo[fact] = found
        return found

    def unchecked_by(self, pack_rules: frozenset[str]) -> Gap | None:
        """The gap that stands when the source scheme meets the requirement but none of the pack's
        rules checks it; None when one does (or the source scheme does not meet it)."""
        if self.unproven is None or not self.requirement.checked_by.isdisjoint(pack_rules):
            return None
        return self.unproven


@dataclass(frozen=True, slots=True)
class Plan:
    """``steps`` depend on the study's facts; ``fixed`` are the gaps on requirements whose target
    value is unknown, the same for every study (only an attestation closes them)."""

    target: Scheme
    source: Scheme | None
    steps: tuple[Step, ...]
    fixed: tuple[Gap, ...]
    unchecked: int
    weighed: int
    unknown: int = 0


def infer(compared: Compared, source: Entry | None, target: Entry, same: bool) -> Inference:
    if target.status is EntryStatus.UNKNOWN:  # even under its own scheme: the crosswalk does not know it
        return Inference.TARGET_UNKNOWN
    if same:
        return Inference.MET
    if source is None:
        return Inference.OPEN
    if compared.relation in (Relation.EQUIVALENT, Relation.LOOSER):
        return Inference.MET
    if compared.relation is Relation.CONFLICTING and not compared.compatible:
        return Inference.UNMET
    return Inference.OPEN


def finding(
    requirement: Requirement,
    entry: Entry,
    remedy: Remedy,
    text: str,
    basis: str,
    checked: bool | None = None,
    *,
    unknown: bool = False,
) -> Finding:
    """A gap, or a conflict when only a reassessment could close it."""
    ok = entry.checked if checked is None else checked
    if remedy is Remedy.REASSESSMENT:
        text = f"{text}; not closable from this audit"
        return Conflict(requirement.id, requirement.title, text, entry.clause, ok, basis, requirement.rank)
    if requirement.hint and remedy is not Remedy.EVIDENCE:
        text = f"{text}; {requirement.hint}"
    return Gap(requirement.id, requirement.title, text, remedy, entry.clause, ok, basis, unknown, requirement.rank)


def fact_finding(target: Scheme, step: Step, fact: Any, basis: str) -> Finding:
    r, entry = step.requirement, step.entry
    text = f"{r.title}: found {r.kind.show_fact(fact)}; {target.short}: {entry.shown(r)}"
    return finding(r, entry, r.unmet, text, basis)


def _silent(
    inference: Inference, r: Requirement, entry: Entry, source: Scheme | None, target: Scheme
) -> Finding | None:
    if inference is Inference.MET:
        return None
    if inference is Inference.TARGET_UNKNOWN:
        text = f"{r.title}: what {target.short} requires is not known here; confirm against its text"
        return finding(r, entry, Remedy.EVIDENCE, text, f"{target.id}: requirement unknown", unknown=True)
    wanted = entry.shown(r)
    if inference is Inference.UNMET and source is not None:
        held = source.entries[r.id]
        text = f"{r.title}: the study follows {source.short} ({held.shown(r)}); {target.short}: {wanted}"
        return finding(r, entry, r.unmet, text, f"source scheme {source.id}", entry.checked and held.checked)
    text = f"{r.title}: not shown by the declaration or the audit; {target.short}: {wanted}"
    return finding(r, entry, r.undetermined, text, "not stated")


def _unproven(inference: Inference, r: Requirement, entry: Entry, source: Scheme | None, target: Scheme) -> Gap | None:
    """A requirement the source scheme asks at least as much of: met only if a rule of the pack checks it."""
    if inference is not Inference.MET or source is None:
        return None
    held = source.entries[r.id].shown(r)
    text = (
        f"{r.title}: {source.short} asks for it ({held}), but no rule of the source pack checks it; "
        f"{target.short}: {entry.shown(r)}; show it with evidence"
    )
    found = finding(r, entry, Remedy.EVIDENCE, text, f"source scheme {source.id} (not checked by the pack)")
    assert isinstance(found, Gap)  # evidence never makes a conflict
    return found


def _test(requirement: Requirement, value: Any) -> Callable[[Any], bool | None]:
    kind = requirement.kind

    def test(fact: Any) -> bool | None:
        return kind.decides(value, fact)

    return test


def _plan(cw: Crosswalks, source_id: str | None, target_id: str) -> Plan:
    target = cw.schemes[target_id]
    source = cw.schemes[source_id] if source_id is not None else None
    steps: list[Step] = []
    for i, r in enumerate(cw.requirements):
        entry = target.entries[r.id]
        if entry.status is EntryStatus.NOT_ADDRESSED or (
            entry.status is EntryStatus.VALUE and r.kind.trivial(entry.value)
        ):
            continue
        held = source.entries[r.id] if source is not None else None
        compared = cw.relations[(source_id, target_id)][i] if source_id is not None else Compared(Relation.UNKNOWN)
        inference = infer(compared, held, entry, source_id == target_id)
        test = _test(r, entry.value) if entry.status is EntryStatus.VALUE else None
        silent = _silent(inference, r, entry, source, target)
        steps.append(Step(r, entry, test, silent, target, _unproven(inference, r, entry, source, target)))
    unchecked = sum(1 for s in steps if not s.entry.checked)
    unknown = sum(1 for s in steps if s.entry.status is EntryStatus.UNKNOWN)
    fixed = tuple(s.silent for s in steps if s.test is None and isinstance(s.silent, Gap))
    live = tuple(s for s in steps if s.test is not None or not isinstance(s.silent, Gap))
    return Plan(target, source, live, fixed, unchecked, len(steps), unknown)


def build_plans(cw: Crosswalks) -> None:
    """Fill ``cw.plans`` for every (source or None, target) pair."""
    for source in (None, *cw.schemes):
        for target in cw.schemes:
            cw.plans[(source, target)] = _plan(cw, source, target)
