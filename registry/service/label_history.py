"""A label's history (issue 13): every change of its state or grade kept as a row, with who made it, when,
why and its transparency-log entry. Issued, suspended, reinstated, revoked and re-graded are stored as they
happen, in the transaction that makes the change; expiry is computed from the label's time, never stored
(:func:`history_json` adds it when it has passed).

Every state change of a label goes through :func:`change_state`, which logs it and keeps its row; issuing
writes :func:`issued_rows` with its log entries, which give their indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from registry.service import tlog
from registry.storage import issuance as label_store
from registry.storage.bulk import Rows
from registry.storage.models import Label, LabelEvent, LabelEventKind, LabelState

_EVENTS = LabelEvent.__table__  # type: ignore[attr-defined]
_EVENT_OF_STATE = {
    LabelState.SUSPENDED: LabelEventKind.SUSPENDED,
    LabelState.VALID: LabelEventKind.REINSTATED,
    LabelState.REVOKED: LabelEventKind.REVOKED,
}


def record(
    session: Session,
    label: Label,
    event: LabelEventKind,
    *,
    by: str | None,
    reason: str | None,
    at: datetime,
    tlog_index: int | None,
    detail: dict[str, Any] | None = None,
) -> LabelEvent:
    row = LabelEvent(
        label_id=label.id,
        event=event,
        state=LabelState(label.state),
        by=by,
        reason=reason,
        detail=detail,
        tlog_index=tlog_index,
        at=at,
    )
    session.add(row)
    return row


def issued_rows(labels: Sequence[tuple[str, str]], indexes: Sequence[int], at: datetime) -> Rows:
    """The issue rows of ``(label id, certifier)`` pairs, each with its log entry's index: written with the
    log's entries (:func:`registry.service.tlog.append_events`' ``rows_with``), one statement on PostgreSQL."""
    rows = [
        {"label_id": label_id, "event": LabelEventKind.ISSUED, "state": LabelState.VALID, "by": certifier}
        | {"reason": None, "detail": None, "tlog_index": index, "at": at}
        for (label_id, certifier), index in zip(labels, indexes, strict=True)
    ]
    return _EVENTS, rows


def change_state(
    session: Session, label: Label, state: LabelState, *, certifier: str, by: str, reason: str | None, now: datetime
) -> Label:
    """Suspend, reinstate or revoke ``label`` (see :func:`registry.storage.issuance.set_label_state`): the
    change is logged and its history row kept, when the state moved. Only the label's ``certifier`` may change
    it; ``by`` is who made the change (the certifier, or the accreditation body whose change suspended it)."""
    before = LabelState(label.state)
    label = label_store.set_label_state(session, label, state, by=certifier, reason=reason, now=now)
    if LabelState(label.state) is not before:
        index = tlog.append_events(session, [tlog.label_state_event(label, now)])[0]
        record(session, label, _EVENT_OF_STATE[state], by=by, reason=reason, at=now, tlog_index=index)
    return label


def history_of(session: Session, label_id: str) -> list[LabelEvent]:
    stmt = select(LabelEvent).where(LabelEvent.label_id == label_id).order_by(col(LabelEvent.id))
    return list(session.exec(stmt))


def event_json(row: LabelEvent) -> dict[str, Any]:
    return {
        "event": LabelEventKind(row.event).value,
        "state": LabelState(row.state).value,
        "at": row.at.isoformat(),
        "by": row.by,
        "reason": row.reason,
        "tlog_index": row.tlog_index,
        **({"detail": row.detail} if row.detail else {}),
    }


def history_json(label: Label, rows: Sequence[LabelEvent], *, now: datetime) -> dict[str, Any]:
    """The label's history as the API and ``pcfreg label show`` give it; ``expired`` (computed, not stored)
    is added once the label's expiry has passed."""
    events = [event_json(r) for r in rows]
    if label.expires_at <= now:
        events.append({"event": "expired", "at": label.expires_at.isoformat(), "computed": True})
    return {"label_id": label.id, "certifier": label.certifier_id, "events": events}


def readable_label(session: Session, principal: Any, label_id: str) -> Label:
    """The label whose history ``principal`` may read: its certifier's own, or one in a regulator's
    jurisdiction (outside it, as missing: the supervision routes' rule); any other caller is refused."""
    from registry.errors import NotPermitted
    from registry.service import supervision
    from registry.storage.models import OrgKind

    if principal.kind == OrgKind.REGULATOR.value:
        return supervision.get_label(session, supervision.scope_of(session, principal), label_id)
    principal.require("certifier")
    label = label_store.get_label(session, label_id.upper())
    if label.certifier_id != principal.org_id and principal.role != "admin":
        raise NotPermitted(
            f"label {label.id} was issued by another certifier; {principal.org_id} may not read its history"
        )
    return label
