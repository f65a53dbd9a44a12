"""Repository functions of the PACT host (issue 16): served footprints, shares, partners, events.

Plain functions over a Session; none commits (the caller owns the transaction). A ListFootprints
page is one keyset query: the client's active shares in ``pf_id`` order after the cursor, each
filter an ``EXISTS`` on the key table's primary key, so a page costs the same at any depth.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from registry.storage.errors import Conflict, NotFound
from registry.storage.models import (
    Audit,
    Credential,
    Label,
    PactEvent,
    PactFootprint,
    PactFootprintKey,
    PactPartner,
    PactShare,
    Recognition,
)


def get_footprint(session: Session, pf_id: str) -> PactFootprint | None:
    return session.get(PactFootprint, pf_id)


def add_footprint(session: Session, row: PactFootprint, keys: set[tuple[str, str]]) -> PactFootprint:
    session.add(row)
    session.flush()
    for kind, value in sorted(keys):
        session.add(PactFootprintKey(kind=kind, value=value, pf_id=row.pf_id))
    session.flush()
    return row


def deprecate(session: Session, pf_ids: Sequence[str], owner_org: str) -> list[str]:
    """Mark the owner's footprints among ``pf_ids`` Deprecated; returns those that changed."""
    rows = session.exec(
        select(PactFootprint).where(
            col(PactFootprint.pf_id).in_(list(pf_ids)),
            PactFootprint.owner_org == owner_org,
            PactFootprint.status == "Active",
        )
    ).all()
    for row in rows:
        row.status = "Deprecated"
        session.add(row)
    return [r.pf_id for r in rows]


def require_client(session: Session, client_id: str) -> Credential:
    cred = session.get(Credential, client_id)
    if cred is None or cred.revoked_at is not None:
        raise NotFound(f"no PACT client {client_id!r} (an active credential of the registry)")
    return cred


def get_share(session: Session, client_id: str, pf_id: str) -> PactShare | None:
    return session.get(PactShare, (client_id, pf_id))


def upsert_share(session: Session, share: PactShare) -> PactShare:
    existing = get_share(session, share.client_id, share.pf_id)
    if existing is not None:
        if existing.owner_org != share.owner_org:
            raise Conflict(f"footprint {share.pf_id} belongs to another organisation")
        existing.active, existing.shared_at, existing.shared_by = True, share.shared_at, share.shared_by
        existing.unshared_at = existing.unshared_by = None
        share = existing
    session.add(share)
    session.flush()
    return share


def list_shares(session: Session, owner_org: str, *, client_id: str | None = None) -> list[PactShare]:
    stmt = select(PactShare).where(PactShare.owner_org == owner_org)
    if client_id is not None:
        stmt = stmt.where(PactShare.client_id == client_id)
    return list(session.exec(stmt.order_by(col(PactShare.shared_at).desc(), col(PactShare.pf_id))))


def clients_sharing(session: Session, pf_ids: Sequence[str]) -> dict[str, list[str]]:
    """client id -> the pf ids among ``pf_ids`` actively shared with it."""
    rows = session.exec(
        select(PactShare.client_id, PactShare.pf_id).where(col(PactShare.pf_id).in_(list(pf_ids)), PactShare.active)
    ).all()
    out: dict[str, list[str]] = {}
    for client_id, pf_id in rows:
        out.setdefault(client_id, []).append(pf_id)
    return out


# ------------------------------------------------------------------ reading what a client may see


def page_for_client(
    session: Session,
    client_id: str,
    *,
    keys: dict[str, tuple[str, ...]],
    status: tuple[str, ...] | None,
    valid_on: datetime | None,
    valid_after: datetime | None,
    valid_before: datetime | None,
    after: str | None,
    limit: int,
) -> list[Any]:
    """Up to ``limit`` footprints shared with ``client_id`` that match, in ``pf_id`` order after ``after``:
    rows with the columns serving needs (``pf_id``, ``owner_org``, ``validation_id``,
    ``declaration_digest``, ``served``, ``status``), not ORM objects (a page of 100 costs less)."""
    share = PactShare
    fp = PactFootprint
    stmt = (
        sa_select(
            col(fp.pf_id),
            col(fp.owner_org),
            col(fp.validation_id),
            col(fp.declaration_digest),
            col(fp.served),
            col(fp.status),
        )
        .join(share, and_(col(share.pf_id) == col(PactFootprint.pf_id), col(share.client_id) == client_id))
        .where(col(share.active))
    )
    for kind, values in keys.items():
        key = PactFootprintKey
        stmt = stmt.where(
            exists().where(col(key.kind) == kind, col(key.value).in_(list(values)), col(key.pf_id) == col(share.pf_id))
        )
    if status is not None:
        wanted = {"active": "Active", "deprecated": "Deprecated"}
        stmt = stmt.where(col(PactFootprint.status).in_([wanted[s] for s in status if s in wanted]))
    if valid_on is not None:
        stmt = stmt.where(col(fp.valid_from) <= valid_on, col(fp.valid_until) >= valid_on)
    if valid_after is not None:
        stmt = stmt.where(col(fp.valid_from) > valid_after)
    if valid_before is not None:
        stmt = stmt.where(col(fp.valid_until) < valid_before)
    if after is not None:
        stmt = stmt.where(col(share.pf_id) > after)
    return list(session.execute(stmt.order_by(col(share.pf_id)).limit(limit)).all())


def shared_with(session: Session, client_id: str, pf_id: str) -> bool:
    share = get_share(session, client_id, pf_id)
    return share is not None and share.active


def certification(session: Session, digests: Sequence[str]) -> dict[str, dict[str, list[Any]]]:
    """For each declaration digest: the audits made of it, their recognitions and labels (current state)."""
    audits = session.exec(select(Audit).where(col(Audit.declaration_digest).in_(list(digests)))).all()
    by_digest: dict[str, dict[str, list[Any]]] = {d: {"audits": [], "recognitions": [], "labels": []} for d in digests}
    audit_ids = [a.id for a in audits]
    digest_of = {a.id: a.declaration_digest for a in audits}
    for a in audits:
        by_digest[a.declaration_digest]["audits"].append(a)
    if audit_ids:
        for r in session.exec(select(Recognition).where(col(Recognition.audit_id).in_(audit_ids))).all():
            by_digest[digest_of[r.audit_id]]["recognitions"].append(r)
        for lab in session.exec(select(Label).where(col(Label.audit_id).in_(audit_ids))).all():
            assert lab.audit_id is not None
            by_digest[digest_of[lab.audit_id]]["labels"].append(lab)
    return by_digest


# ------------------------------------------------------------------ partners and events


def get_partner(session: Session, client_id: str) -> PactPartner | None:
    return session.get(PactPartner, client_id)


def put_partner(session: Session, partner: PactPartner) -> PactPartner:
    merged = session.merge(partner)
    session.flush()
    return merged


def add_event(session: Session, event: PactEvent) -> PactEvent:
    session.add(event)
    session.flush()
    return event


def due_events(session: Session, now: datetime, limit: int = 50) -> list[PactEvent]:
    stmt = (
        select(PactEvent)
        .where(
            PactEvent.state == "pending",
            or_(col(PactEvent.next_attempt_at).is_(None), col(PactEvent.next_attempt_at) <= now),
        )
        .order_by(col(PactEvent.id))
        .limit(limit)
    )
    return list(session.exec(stmt))


def claim_event(session: Session, event_pk: int, *, now: datetime, lease_until: datetime) -> bool:
    """Take a due event for one delivery attempt: a conditional UPDATE that only one worker can win.

    The row must still be ``pending`` and due at ``now``; its ``next_attempt_at`` becomes
    ``lease_until``, so no other worker (nor this one) sees it due until the attempt is recorded or the
    lease runs out (a worker that died mid-attempt: the event is tried again, at least once in all).
    On PostgreSQL a second UPDATE waits for the first and re-checks the condition; on SQLite writers
    are serialised. True when this caller won the row.
    """
    result = session.execute(
        update(PactEvent)
        .where(
            col(PactEvent.id) == event_pk,
            col(PactEvent.state) == "pending",
            or_(col(PactEvent.next_attempt_at).is_(None), col(PactEvent.next_attempt_at) <= now),
        )
        .values(next_attempt_at=lease_until)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def next_due(session: Session) -> datetime | None:
    """When the earliest queued event falls due (None: nothing queued)."""
    from sqlalchemy import func

    at: datetime | None = session.exec(
        select(func.min(PactEvent.next_attempt_at)).where(PactEvent.state == "pending")
    ).one()
    return at


def get_event(session: Session, event_pk: int) -> PactEvent:
    row = session.get(PactEvent, event_pk)
    if row is None:
        raise NotFound(f"event {event_pk} not found")
    return row


def save_event(session: Session, event: PactEvent, **changes: Any) -> None:
    session.execute(update(PactEvent).where(col(PactEvent.id) == event.id).values(**changes))


def events_for_owner(session: Session, owner_org: str, *, limit: int = 200) -> list[PactEvent]:
    """The events that concern ``owner_org``'s footprints or partners, newest first."""
    clients = select(PactShare.client_id).where(PactShare.owner_org == owner_org).distinct()
    rows = session.exec(
        select(PactEvent)
        .where(col(PactEvent.client_id).in_(clients))
        .order_by(col(PactEvent.id).desc())
        .limit(limit * 4)
    ).all()
    out = [r for r in rows if not r.owners or owner_org in r.owners]
    return out[:limit]
