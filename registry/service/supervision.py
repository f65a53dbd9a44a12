"""Supervision use cases (issue 13): regulators, what they read in their jurisdiction, samples of
labels for re-verification and their outcomes, and certifier statistics.

A regulator reads, never writes, the records of others: every query here is limited to the regions
of the regulator's jurisdiction (registry.supervision's rule), and a record outside it looks exactly
like a missing one (404), so a regulator cannot even learn that it exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlmodel import Session, col, select

from registry.canonical import sha256_digest
from registry.errors import InputError, Location, NotPermitted
from registry.findings import Finding
from registry.service.principal import Principal
from registry.storage import repo
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import (
    Audit,
    Complaint,
    Label,
    LabelSample,
    LabelState,
    OrganisationCreate,
    OrgKind,
    RegulatorRegion,
    Reverification,
    SampleOutcome,
    Validation,
)
from registry.supervision import Outcome, Population, check_outcome, draw_sample, new_seed, parse_jurisdiction


def create_regulator(session: Session, org_id: str, name: str, jurisdiction: Iterable[str], *, now: datetime) -> Any:
    """A regulator organisation and its jurisdiction (credentials are made as for any organisation)."""
    regions = parse_jurisdiction(jurisdiction)
    org = repo.create_organisation(session, OrganisationCreate(id=org_id, name=name, kind=OrgKind.REGULATOR), now=now)
    for region in regions:
        session.add(RegulatorRegion(org_id=org_id, region=region))
    session.flush()
    return org


def jurisdiction_of(session: Session, org_id: str) -> tuple[str, ...]:
    rows = session.exec(select(RegulatorRegion.region).where(RegulatorRegion.org_id == org_id))
    return tuple(sorted(rows))


def require_regulator(principal: Principal) -> Principal:
    """Only a regulator reads here (not even the registry's admin: supervision is the regulator's office)."""
    if principal.kind != OrgKind.REGULATOR.value:
        raise NotPermitted(f"this needs the role regulator; {principal.org_id} is a {principal.kind}")
    return principal


def in_jurisdiction(column: Any, jurisdiction: Iterable[str]) -> ColumnElement[bool]:
    """SQL for "the region in ``column`` is covered by ``jurisdiction``" (see registry.supervision.covers)."""
    clauses: list[ColumnElement[bool]] = []
    for region in jurisdiction:
        clauses.append(col(column) == region)
        if "-" not in region:
            clauses.append(col(column).like(f"{region}-%"))
    return or_(*clauses) if clauses else false()


@dataclass(frozen=True)
class Scope:
    """The regulator acting and its jurisdiction."""

    regulator: str
    regions: tuple[str, ...]


def scope_of(session: Session, principal: Principal) -> Scope:
    require_regulator(principal)
    return Scope(principal.org_id, jurisdiction_of(session, principal.org_id))


# --- reading ------------------------------------------------------------------------------------


def list_labels(
    session: Session, scope: Scope, *, certifier: str | None, state: LabelState | None, limit: int, offset: int
) -> list[Label]:
    stmt = select(Label).where(in_jurisdiction(Label.region, scope.regions))
    if certifier is not None:
        stmt = stmt.where(Label.certifier_id == certifier)
    if state is not None:
        stmt = stmt.where(Label.state == state)
    stmt = stmt.order_by(col(Label.issued_at).desc(), col(Label.id)).offset(offset).limit(limit)
    return list(session.exec(stmt))


def get_label(session: Session, scope: Scope, label_id: str) -> Label:
    row = session.exec(
        select(Label).where(Label.id == label_id.upper(), in_jurisdiction(Label.region, scope.regions))
    ).first()
    if row is None:
        raise NotFound(f"label {label_id!r} not found")
    return row


def list_validations(
    session: Session, scope: Scope, *, org: str | None, recalculations: bool | None, limit: int, offset: int
) -> list[Validation]:
    """Validations (and recalculations, which are stored as validations) in the jurisdiction, newest first.
    ``recalculations`` True keeps only recalculations, False only plain validations."""
    stmt = select(Validation).where(in_jurisdiction(Validation.region, scope.regions))
    if org is not None:
        stmt = stmt.where(Validation.org_id == org)
    if recalculations is not None:  # a column set when the validation is stored (migration 0014 backfilled it)
        stmt = stmt.where(Validation.recalculation == recalculations)
    stmt = stmt.order_by(col(Validation.created_at).desc(), col(Validation.id))
    return list(session.exec(stmt.offset(offset).limit(limit)))


def is_recalculation(row: Validation) -> bool:
    return bool(row.recalculation)


def get_validation(session: Session, scope: Scope, validation_id: str) -> Validation:
    row = session.exec(
        select(Validation).where(Validation.id == validation_id, in_jurisdiction(Validation.region, scope.regions))
    ).first()
    if row is None:
        raise NotFound(f"validation {validation_id!r} not found")
    return row


def list_audits(session: Session, scope: Scope, *, certifier: str | None, limit: int, offset: int) -> list[Audit]:
    stmt = select(Audit).where(in_jurisdiction(Audit.region, scope.regions))
    if certifier is not None:
        stmt = stmt.where(Audit.certifier_id == certifier)
    stmt = stmt.order_by(col(Audit.created_at).desc(), col(Audit.id)).offset(offset).limit(limit)
    return list(session.exec(stmt))


def get_audit(session: Session, scope: Scope, audit_id: str) -> Audit:
    row = session.exec(select(Audit).where(Audit.id == audit_id, in_jurisdiction(Audit.region, scope.regions))).first()
    if row is None:
        raise NotFound(f"audit {audit_id!r} not found")
    return row


# --- samples and re-verification ----------------------------------------------------------------


def population_ids(session: Session, scope: Scope, population: Population) -> list[str]:
    """The ids of the labels a sample is drawn from, sorted."""
    stmt = select(Label.id).where(
        in_jurisdiction(Label.region, scope.regions), col(Label.issued_at) <= population.cut_off
    )
    if population.issued_from is not None:
        stmt = stmt.where(col(Label.issued_at) >= population.issued_from)
    if population.certifier is not None:
        stmt = stmt.where(Label.certifier_id == population.certifier)
    if population.scheme is not None:
        stmt = stmt.where(Label.scheme == population.scheme)
    if population.pack_id is not None:
        stmt = stmt.where(Label.pack_id == population.pack_id)
    return sorted(session.exec(stmt))


def draw(
    session: Session, scope: Scope, *, size: int, seed: str | None, population: Population, now: datetime
) -> LabelSample:
    """Draw and record a sample: the seed (a fresh one unless given), the population's definition
    (jurisdiction, filters, cut-off), its size and digest, and the labels drawn."""
    if population.cut_off > now:
        raise InputError("the cut-off cannot be later than now", Location(pointer="/population/cut_off"))
    seed = seed if seed is not None else new_seed()
    ids = population_ids(session, scope, population)
    drawn = draw_sample(ids, size, seed)
    definition = {"jurisdiction": list(scope.regions), **population.model_dump(mode="json")}
    row = LabelSample(
        id=str(uuid.uuid4()),
        regulator_id=scope.regulator,
        seed=seed,
        population=definition,
        population_size=len(ids),
        population_digest=sha256_digest(ids),
        size=size,
        label_ids=drawn,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_sample(session: Session, scope: Scope, sample_id: str) -> LabelSample:
    row = session.get(LabelSample, sample_id)
    if row is None:
        raise NotFound(f"sample {sample_id!r} not found")
    if row.regulator_id != scope.regulator:
        raise NotPermitted(f"sample {sample_id} was drawn by {row.regulator_id}, not {scope.regulator}")
    return row


def list_samples(session: Session, scope: Scope, *, limit: int, offset: int) -> list[LabelSample]:
    stmt = select(LabelSample).where(LabelSample.regulator_id == scope.regulator)
    stmt = stmt.order_by(col(LabelSample.created_at).desc(), col(LabelSample.id)).offset(offset).limit(limit)
    return list(session.exec(stmt))


def record_outcome(
    session: Session,
    scope: Scope,
    sample_id: str,
    label_id: str,
    *,
    outcome: Outcome,
    findings: list[Finding],
    note: str | None,
    now: datetime,
) -> Reverification:
    """Record what re-verifying one label of the sample found, against the label and its certifier (once)."""
    sample = get_sample(session, scope, sample_id)
    label_id = label_id.upper()
    if label_id not in sample.label_ids:
        raise NotFound(f"label {label_id!r} is not in sample {sample_id}")
    check_outcome(outcome, findings, note)
    existing = session.exec(
        select(Reverification).where(Reverification.sample_id == sample_id, Reverification.label_id == label_id)
    ).first()
    if existing is not None:
        raise Conflict(f"the outcome for label {label_id} in sample {sample_id} is already recorded")
    label = repo_label(session, label_id)
    row = Reverification(
        id=str(uuid.uuid4()),
        sample_id=sample_id,
        label_id=label_id,
        certifier_id=label.certifier_id,
        regulator_id=scope.regulator,
        outcome=SampleOutcome(outcome.value),
        findings=[f.to_json() for f in findings],
        note=note,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    return row


def repo_label(session: Session, label_id: str) -> Label:
    row = session.get(Label, label_id)
    if row is None:
        raise NotFound(f"label {label_id!r} not found")
    return row


def outcomes_of(session: Session, sample_id: str) -> list[Reverification]:
    stmt = select(Reverification).where(Reverification.sample_id == sample_id)
    return list(session.exec(stmt.order_by(col(Reverification.recorded_at), col(Reverification.id))))


# --- statistics ---------------------------------------------------------------------------------


def _period(column: Any, start: datetime | None, end: datetime | None) -> ColumnElement[bool]:
    clauses = [col(column) >= start] if start is not None else []
    if end is not None:
        clauses.append(col(column) < end)
    return and_(*clauses) if clauses else col(column).is_not(None)


def _count_by(session: Session, stmt: Any) -> dict[tuple[str, str], int]:
    return {(str(a), str(b)): int(n) for a, b, n in session.execute(stmt)}


def statistics(session: Session, scope: Scope, *, start: datetime | None, end: datetime | None) -> dict[str, Any]:
    """Per certifier with labels in the jurisdiction, for the period [start, end): labels issued;
    labels revoked and labels now suspended whose state changed in the period; complaints received
    in the period by their state now; sample outcomes recorded in the period."""
    where = in_jurisdiction(Label.region, scope.regions)
    issued = session.execute(
        select(Label.certifier_id, func.count())
        .where(where, _period(Label.issued_at, start, end))
        .group_by(Label.certifier_id)
    )
    changed = _count_by(
        session,
        select(Label.certifier_id, Label.state, func.count())
        .where(where, _period(Label.state_changed_at, start, end), Label.state != LabelState.VALID)
        .group_by(Label.certifier_id, Label.state),
    )
    complaints = _count_by(
        session,
        select(Complaint.certifier_id, Complaint.state, func.count())
        .where(in_jurisdiction(Complaint.region, scope.regions), _period(Complaint.created_at, start, end))
        .group_by(Complaint.certifier_id, Complaint.state),
    )
    outcomes = _count_by(
        session,
        select(Reverification.certifier_id, Reverification.outcome, func.count())
        .join(Label, col(Label.id) == col(Reverification.label_id))
        .where(where, _period(Reverification.recorded_at, start, end))
        .group_by(Reverification.certifier_id, Reverification.outcome),
    )
    per: dict[str, dict[str, Any]] = {}

    def entry(certifier: str) -> dict[str, Any]:
        return per.setdefault(
            certifier,
            {
                "certifier": certifier,
                "labels_issued": 0,
                "labels_revoked": 0,
                "labels_suspended": 0,
                "complaints": {s: 0 for s in ("received", "under_review", "upheld", "rejected")},
                "sample_outcomes": {o.value: 0 for o in Outcome},
            },
        )

    for certifier, n in issued:
        entry(str(certifier))["labels_issued"] = int(n)
    for (certifier, state), n in changed.items():
        entry(certifier)[f"labels_{_value(state)}"] = n
    for (certifier, state), n in complaints.items():
        entry(certifier)["complaints"][_value(state)] = n
    for (certifier, outcome), n in outcomes.items():
        entry(certifier)["sample_outcomes"][_value(outcome)] = n
    period = {"from": start.isoformat() if start else None, "until": end.isoformat() if end else None}
    return {"jurisdiction": list(scope.regions), "period": period, "certifiers": [per[k] for k in sorted(per)]}


def _value(x: str) -> str:
    return getattr(x, "value", x)


def outcomes_for_label(session: Session, label_id: str) -> list[Reverification]:
    stmt = select(Reverification).where(Reverification.label_id == label_id)
    return list(session.exec(stmt.order_by(col(Reverification.recorded_at), col(Reverification.id))))
