"""The transition rule "re-grade by a date", enforced (issue 13, docs/grading-catalogues.md).

When the newest version in force of a catalogue says ``regrade-by`` D, every label graded under an earlier
version must get a grade under the current one. :func:`plan_regrades` says, for each such label, the grade the
current version gives it from what the label's record holds (pack, product codes, region, the value it states
and its declared unit), or why it cannot be re-graded from that record. :func:`grading_standing` says where a
label stands on a day: ``current``, ``regraded``, ``kept`` (keep-until-expiry), ``regrade-due`` (D not yet
passed), or ``outdated`` (D passed and no grade under the current version): the flag is computed from the date,
like expiry, so a registry whose operator never re-grades still shows every overdue label as outdated.

Pure: the labels, the catalogues (published or deprecated, never withdrawn ones) and the day are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from registry.catalogues.model import Catalogue
from registry.catalogues.select import transition_of
from registry.errors import InputError


@dataclass(frozen=True)
class GradedLabel:
    """What a label's record holds that a re-grade reads. ``catalogue`` and ``grade`` are the label's current
    grading: its latest re-grade's, else its token's."""

    label_id: str
    certifier: str
    pack_id: str
    region: str | None
    hs_codes: tuple[str, ...]
    value: str
    declared_unit: str  # "<amount> <PACT unit>", as the token states it
    catalogue: str  # id@version
    grade: str


class Outcome(StrEnum):
    REGRADE = "regrade"  # the current version gives the label a grade (possibly the same letter)
    CANNOT = "cannot_regrade"  # the record does not let the current version grade it: it stays as it is


@dataclass(frozen=True)
class RegradeStep:
    label_id: str
    certifier: str
    previous: str  # id@version graded under
    previous_grade: str
    current: str  # id@version now in force
    by: date
    overdue: bool
    outcome: Outcome
    grade: str | None = None
    category: str | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label_id": self.label_id,
            "certifier": self.certifier,
            "outcome": self.outcome.value,
            "previous": {"catalogue": self.previous, "grade": self.previous_grade},
            "current": self.current,
            "by": self.by.isoformat(),
            "overdue": self.overdue,
        }
        if self.outcome is Outcome.REGRADE:
            out |= {"grade": self.grade, "category": self.category}
        else:
            out["problem"] = self.problem
        return out


def _find(catalogues: Iterable[Catalogue], ref: str) -> Catalogue | None:
    return next((c for c in catalogues if c.ref == ref), None)


def plan_regrades(labels: Iterable[GradedLabel], catalogues: Sequence[Catalogue], on: date) -> list[RegradeStep]:
    """A step for each label whose catalogue's newest version in force on ``on`` says ``regrade-by``; labels
    whose grading is current, or kept until expiry, have none."""
    steps = []
    for label in labels:
        rule = transition_of(label.catalogue, catalogues, on)
        if rule is None or rule["policy"] != "regrade-by":
            continue
        current = _find(catalogues, rule["current"])
        assert current is not None  # transition_of named it from this list
        base = RegradeStep(
            label.label_id,
            label.certifier,
            label.catalogue,
            label.grade,
            current.ref,
            date.fromisoformat(rule["by"]),
            bool(rule["overdue"]),
            Outcome.CANNOT,
        )
        steps.append(_regrade(label, base, current, _find(catalogues, label.catalogue)))
    return steps


def _regrade(label: GradedLabel, base: RegradeStep, current: Catalogue, before: Catalogue | None) -> RegradeStep:
    from dataclasses import replace

    category = current.category_for(label.pack_id, label.hs_codes, label.region)
    if category is None:
        return replace(base, problem=f"no category of {current.ref} grades this label's pack, product and region")
    old = before.category_for(label.pack_id, label.hs_codes, label.region) if before is not None else None
    if old is not None and old.metric != category.metric:
        problem = f"the label states {old.metric}; {current.ref} grades {category.metric}: re-issue it to re-grade"
        return replace(base, category=category.id, problem=problem)
    amount, _, unit = label.declared_unit.partition(" ")
    per = category.declared_unit_differs(amount, unit)
    if per is not None:
        problem = f"the label is per {label.declared_unit}; {current.ref} grades per {per}: re-issue it to re-grade"
        return replace(base, category=category.id, problem=problem)
    from issuance import grade_by_catalogue  # the placing issuing uses (imported here: a light package face)

    stated = {"pcf": {category.metric: label.value}}
    try:
        grade = grade_by_catalogue(
            category.bands, category.metric, category.unit, stated, catalogue_ref=current.ref
        ).grade
    except InputError as e:
        return replace(base, category=category.id, problem=e.message)
    return replace(base, outcome=Outcome.REGRADE, grade=grade, category=category.id)


def grading_standing(
    catalogue: str | None,
    regrade: Mapping[str, Any] | None,
    catalogues: Sequence[Catalogue],
    on: date,
    *,
    withdrawn: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """Where a catalogue-graded label's grade stands on ``on`` (None for a label without a catalogue grade):
    the catalogue and grade in force for it (its re-grade's, else its token's), ``status`` and, for a
    transition, the version now current and its date. ``withdrawn`` maps a withdrawn version's ref to its
    reason and time: a label graded under one says so (it keeps the grade its token signs)."""
    if catalogue is None:
        return None
    ref = str(regrade["catalogue"]) if regrade else catalogue
    out: dict[str, Any] = {"catalogue": ref, "grade": regrade["grade"] if regrade else None}
    if regrade:
        out["regraded_at"] = regrade["at"]
    rule = transition_of(ref, catalogues, on)
    if rule is None:
        out["status"] = "regraded" if regrade else "current"
    elif rule["policy"] == "keep-until-expiry":
        out |= {"status": "kept", "current": rule["current"]}
    else:
        out |= {"status": "outdated" if rule["overdue"] else "regrade-due", "current": rule["current"]}
        out["by"] = rule["by"]
    if withdrawn and ref in withdrawn:
        out["withdrawn"] = dict(withdrawn[ref])
    return out
