"""Repository functions of the PACT client: supplier footprints (stored validations with their
provenance) and the requests sent to partners. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from registry.storage import repo
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import PactRequest, Validation

SUPPLIER_KEY = "supplier"  # the member of a stored validation's result that holds its provenance


def find_supplier_footprint(
    session: Session, org_id: str, *, digest: str, partner: str, footprint_id: str
) -> Validation | None:
    """The validation ``org_id`` already stored for this footprint from this partner, with this digest."""
    stmt = select(Validation).where(Validation.org_id == org_id, Validation.declaration_digest == digest)
    for row in session.exec(stmt):
        supplier = row.result.get(SUPPLIER_KEY) if isinstance(row.result, dict) else None
        if isinstance(supplier, dict) and (supplier.get("partner"), supplier.get("footprint_id")) == (
            partner,
            footprint_id,
        ):
            return row
    return None


def insert_pact_request(
    session: Session, *, request_id: str, org_id: str, partner_url: str, criteria: dict[str, Any], now: datetime
) -> PactRequest:
    repo.get_organisation(session, org_id)
    if session.get(PactRequest, request_id) is not None:
        raise Conflict(f"PACT request {request_id!r} already exists")
    row = PactRequest(
        id=request_id, org_id=org_id, partner_url=partner_url, criteria=criteria, state="pending", sent_at=now
    )
    session.add(row)
    session.flush()
    return row


def get_pact_request(session: Session, request_id: str) -> PactRequest:
    row = session.get(PactRequest, request_id)
    if row is None:
        raise NotFound(f"no PACT request {request_id!r} was sent from this registry")
    return row


def set_pact_request_state(
    session: Session, request_id: str, state: str, *, answer: dict[str, Any] | None = None, at: datetime | None = None
) -> PactRequest:
    row = get_pact_request(session, request_id)
    row.state = state
    if answer is not None:
        row.answer = answer
    if at is not None:
        row.answered_at = at
    session.add(row)
    session.flush()
    return row


def list_pact_requests(session: Session, org_id: str, *, limit: int = 100) -> list[PactRequest]:
    """``org_id``'s requests, newest first."""
    stmt = select(PactRequest).where(PactRequest.org_id == org_id)
    return list(session.exec(stmt.order_by(col(PactRequest.sent_at).desc(), col(PactRequest.id)).limit(limit)))
