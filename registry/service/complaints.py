"""Complaints about labels (issue 13): filed by anyone from a label's page, handled by the label's
certifier, read by the regulator of the label's region.

An upheld complaint may suspend or revoke its label through the one state-change path
(:func:`registry.service.labels.change_label`), in the same transaction as the decision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from registry.errors import NotPermitted
from registry.service import labels as label_svc
from registry.service.principal import Principal
from registry.service.supervision import Scope, in_jurisdiction
from registry.storage import issuance as store
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import Complaint, ComplaintStateColumn, LabelState
from registry.supervision import ComplaintAction, ComplaintForm, ComplaintState, new_reference, next_state

_LABEL_STATE = {ComplaintAction.SUSPEND: LabelState.SUSPENDED, ComplaintAction.REVOKE: LabelState.REVOKED}


def file_complaint(session: Session, label_id: str, form: ComplaintForm, *, now: datetime) -> Complaint:
    """Store a complaint about a label (which must exist); returns it with its reference number."""
    label = store.get_label(session, label_id.upper())
    for _ in range(5):
        reference = new_reference()
        if session.get(Complaint, reference) is None:
            break
    else:  # 60 random bits clashing five times: not chance
        raise Conflict("no free complaint reference; try again")
    row = Complaint(
        reference=reference,
        label_id=label.id,
        certifier_id=label.certifier_id,
        region=label.region,
        category=form.category,
        text=form.text,
        contact=form.contact,
        state=ComplaintStateColumn.RECEIVED,
        history=[{"state": "received", "at": now.isoformat()}],
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _own(session: Session, principal: Principal, reference: str) -> Complaint:
    """A complaint about one of the caller's labels (certifiers; another certifier's is refused)."""
    principal.require("certifier")
    row = session.get(Complaint, reference.upper())
    if row is None:
        raise NotFound(f"complaint {reference!r} not found")
    if row.certifier_id != principal.org_id and principal.role != "admin":
        raise NotPermitted(f"complaint {row.reference} is about a label of {row.certifier_id}, not {principal.org_id}")
    return row


def get_for_certifier(session: Session, principal: Principal, reference: str) -> Complaint:
    return _own(session, principal, reference)


def list_for_certifier(
    session: Session, principal: Principal, *, state: ComplaintState | None, limit: int, offset: int
) -> list[Complaint]:
    principal.require("certifier")
    stmt = select(Complaint).where(Complaint.certifier_id == principal.org_id)
    if state is not None:
        stmt = stmt.where(Complaint.state == ComplaintStateColumn(state.value))
    stmt = stmt.order_by(col(Complaint.created_at).desc(), col(Complaint.reference)).offset(offset).limit(limit)
    return list(session.exec(stmt))


def move(
    session: Session,
    principal: Principal,
    reference: str,
    wanted: ComplaintState,
    *,
    action: ComplaintAction = ComplaintAction.NONE,
    reason: str | None = None,
    now: datetime,
) -> Complaint:
    """One step of the life cycle by the label's certifier; an upheld complaint's action on the label
    (suspend or revoke) happens in the same transaction."""
    row = _own(session, principal, reference)
    next_state(ComplaintState(_value(row.state)), wanted, action)
    if action is not ComplaintAction.NONE:
        label_svc.change_label(
            session,
            certifier=row.certifier_id,
            label_id=row.label_id,
            state=_LABEL_STATE[action],
            reason=f"complaint {row.reference} upheld: {reason or ''}".rstrip(": "),
            now=now,
        )
    step: dict[str, Any] = {"state": wanted.value, "at": now.isoformat(), "by": principal.org_id}
    if wanted in (ComplaintState.UPHELD, ComplaintState.REJECTED):
        row.action, row.decision_reason = action.value, reason
        step |= {"action": action.value, "reason": reason}
    row.state, row.updated_at = ComplaintStateColumn(wanted.value), now
    row.history = [*row.history, step]
    session.add(row)
    session.flush()
    return row


def list_for_regulator(
    session: Session, scope: Scope, *, certifier: str | None, state: ComplaintState | None, limit: int, offset: int
) -> list[Complaint]:
    stmt = select(Complaint).where(in_jurisdiction(Complaint.region, scope.regions))
    if certifier is not None:
        stmt = stmt.where(Complaint.certifier_id == certifier)
    if state is not None:
        stmt = stmt.where(Complaint.state == ComplaintStateColumn(state.value))
    stmt = stmt.order_by(col(Complaint.created_at).desc(), col(Complaint.reference)).offset(offset).limit(limit)
    return list(session.exec(stmt))


def get_for_regulator(session: Session, scope: Scope, reference: str) -> Complaint:
    row = session.exec(
        select(Complaint).where(
            Complaint.reference == reference.upper(), in_jurisdiction(Complaint.region, scope.regions)
        )
    ).first()
    if row is None:
        raise NotFound(f"complaint {reference!r} not found")
    return row


def references_for_label(session: Session, label_id: str) -> list[str]:
    stmt = select(Complaint.reference).where(Complaint.label_id == label_id)
    return list(session.exec(stmt.order_by(col(Complaint.created_at), col(Complaint.reference))))


def complaint_json(row: Complaint) -> dict[str, Any]:
    """A complaint as its certifier and the regulator see it (the reporter's contact included, if given)."""
    return {
        "reference": row.reference,
        "label_id": row.label_id,
        "certifier": row.certifier_id,
        "region": row.region,
        "category": row.category,
        "text": row.text,
        "contact": row.contact,
        "state": _value(row.state),
        "action": row.action,
        "decision_reason": row.decision_reason,
        "history": row.history,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _value(x: Any) -> str:
    return str(getattr(x, "value", x))
