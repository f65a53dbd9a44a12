"""Asking a partner for footprints asynchronously (PACT v3 ``RequestCreatedEvent``), and recording the answer.

:func:`send_request` records the request (its event id is what the answer names as
``requestEventId``) and POSTs the event to the partner's ``/3/events``. The partner answers later
with a ``RequestFulfilledEvent`` or ``RequestRejectedEvent`` POSTed to this registry's own
``/3/events``; that route hands the event to :func:`record_request_answer`, which validates and
stores each footprint it carries as a supplier footprint (:mod:`.supplier_footprints`) and
records the answer, all in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from registry.errors import InputError, Location
from registry.service.pact_partner import PartnerError, PartnerHost
from registry.service.supplier_footprints import FootprintOutcome, Received, Validator, examine, store_received
from registry.storage import pact_client, repo
from registry.storage.db import session_scope
from registry.storage.errors import NotFound

EVENT_PREFIX = "org.wbcsd.pact.ProductFootprint."
REQUEST_CREATED = EVENT_PREFIX + "RequestCreatedEvent.3"
REQUEST_FULFILLED = EVENT_PREFIX + "RequestFulfilledEvent.3"
REQUEST_REJECTED = EVENT_PREFIX + "RequestRejectedEvent.3"
ANSWER_TYPES = (REQUEST_FULFILLED, REQUEST_REJECTED)
# RequestCreatedEvent data members (PACT v3: the ListFootprints criteria, and a comment).
LIST_CRITERIA = ("productId", "companyId", "geography", "classification")
SINGLE_CRITERIA = ("validOn", "validAfter", "validBefore", "status", "comment")


@dataclass
class RequestAnswerError(InputError):
    """An answer event that cannot be recorded: malformed, or for no request sent from here."""

    code: str = "pact-bad-answer"


@dataclass(frozen=True)
class RequestSent:
    request_id: str
    partner: str
    state: str
    error: dict[str, object] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"request_id": self.request_id, "partner": self.partner, "state": self.state}
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class RequestAnswer:
    """What :func:`record_request_answer` did: the request, its new state, each footprint's outcome."""

    request_id: str
    org_id: str
    state: str
    footprints: list[FootprintOutcome] = field(default_factory=list)
    error: dict[str, Any] | None = None
    repeat: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "org_id": self.org_id,
            "state": self.state,
            "repeat": self.repeat,
            "footprints": [f.to_json() for f in self.footprints],
            "error": self.error,
        }


def request_criteria(criteria: Mapping[str, Sequence[str] | str | None]) -> dict[str, Any]:
    """The ``data`` of a RequestCreatedEvent: list criteria as arrays, the others as strings; unset left out."""
    data: dict[str, Any] = {}
    for name in LIST_CRITERIA:
        values = criteria.get(name)
        if values:
            data[name] = [values] if isinstance(values, str) else list(values)
    for name in SINGLE_CRITERIA:
        value = criteria.get(name)
        if value:
            data[name] = value if isinstance(value, str) else ",".join(value)
    unknown = set(criteria) - set(LIST_CRITERIA) - set(SINGLE_CRITERIA)
    if unknown:
        raise InputError(f"unknown request criteria: {', '.join(sorted(unknown))}")
    if not any(name in data for name in LIST_CRITERIA):
        raise InputError("a request names at least one productId (or companyId, geography, classification)")
    return data


def request_event(data: Mapping[str, Any], *, source: str, now: datetime, event_id: str) -> dict[str, Any]:
    """A RequestCreatedEvent, CloudEvents 1.0 structured mode; ``source`` is where the answer goes."""
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "time": now.isoformat().replace("+00:00", "Z"),
        "type": REQUEST_CREATED,
        "datacontenttype": "application/json",
        "data": dict(data),
    }


def send_request(
    partner: PartnerHost,
    engine: Engine,
    *,
    org_id: str,
    criteria: Mapping[str, Any],
    source: str,
    now: datetime,
    event_id: str | None = None,
) -> RequestSent:
    """Record a request of ``org_id`` and POST it to ``partner``; a refusal is recorded as ``failed``.

    The request is recorded before it is sent, so an answer that comes back at once finds it."""
    data = request_criteria(criteria)
    event_id = event_id or str(uuid.uuid4())
    with session_scope(engine) as session:
        pact_client.insert_pact_request(
            session, request_id=event_id, org_id=org_id, partner_url=partner.base_url, criteria=data, now=now
        )
    try:
        partner.post_event(request_event(data, source=source, now=now, event_id=event_id))
    except PartnerError as e:
        with session_scope(engine) as session:
            pact_client.set_pact_request_state(session, event_id, "failed", answer={"error": e.to_dict()})
        return RequestSent(event_id, partner.base_url, "failed", e.to_dict())
    with session_scope(engine) as session:
        row = pact_client.get_pact_request(session, event_id)
        if row.state == "pending":  # not answered meanwhile
            pact_client.set_pact_request_state(session, event_id, "sent")
        state = row.state
    return RequestSent(event_id, partner.base_url, state)


def _answer_data(event: Any) -> tuple[str, str, dict[str, Any]]:
    """(type, requestEventId, data) of a well-formed answer event, else :class:`RequestAnswerError`."""
    if not isinstance(event, dict):
        raise RequestAnswerError("the event is not a JSON object (CloudEvents 1.0, structured mode)")
    for member in ("specversion", "id", "source", "type"):
        if not isinstance(event.get(member), str) or not event[member]:
            raise RequestAnswerError(f"the event has no {member}", Location(pointer=f"/{member}"))
    if event["specversion"] != "1.0":
        raise RequestAnswerError("specversion must be 1.0", Location(pointer="/specversion"))
    if event["type"] not in ANSWER_TYPES:
        raise RequestAnswerError(f"not an answer to a request: {event['type']}", Location(pointer="/type"))
    data = event.get("data")
    if not isinstance(data, dict):
        raise RequestAnswerError("the event has no data object", Location(pointer="/data"))
    request_id = data.get("requestEventId")
    if not isinstance(request_id, str) or not request_id:
        raise RequestAnswerError("data.requestEventId is missing", Location(pointer="/data/requestEventId"))
    return event["type"], request_id, data


def record_request_answer(session: Session, event: Any, *, validate: Validator, now: datetime) -> RequestAnswer:
    """Record a ``RequestFulfilledEvent`` or ``RequestRejectedEvent`` answering a request sent from here.

    For the host's ``POST /3/events`` route (a :class:`RequestAnswerError` is its 400). Each footprint of
    a fulfilled request is validated and stored as a supplier footprint of the requesting organisation
    (a malformed one is refused, and said so in the answer); all of it lands in ``session``'s
    transaction. The same answer event again changes nothing (``repeat``); another answer to an
    answered request is refused.
    """
    kind, request_id, data = _answer_data(event)
    try:
        request = pact_client.get_pact_request(session, request_id)
    except NotFound as e:
        raise RequestAnswerError(str(e), Location(pointer="/data/requestEventId")) from e
    previous = request.answer or {}
    if request.state in ("fulfilled", "rejected"):
        if previous.get("event_id") == event["id"]:
            return _answer_from_row(request, repeat=True)
        raise RequestAnswerError(f"request {request_id} was answered already ({request.state})")
    if kind == REQUEST_REJECTED:
        error = data.get("error") if isinstance(data.get("error"), dict) else {"code": "unknown"}
        answer = {"event_id": event["id"], "source": event["source"], "error": error}
        pact_client.set_pact_request_state(session, request_id, "rejected", answer=answer, at=now)
        return RequestAnswer(request_id, request.org_id, "rejected", error=error)
    pfs = data.get("pfs")
    if not isinstance(pfs, list) or not pfs:
        raise RequestAnswerError(
            "a fulfilled request carries at least one footprint in data.pfs", Location(pointer="/data/pfs")
        )
    outcomes = [
        _store_answer_footprint(session, footprint, index, request, event, validate=validate, now=now)
        for index, footprint in enumerate(pfs)
    ]
    answer = {"event_id": event["id"], "source": event["source"], "footprints": [o.to_json() for o in outcomes]}
    pact_client.set_pact_request_state(session, request_id, "fulfilled", answer=answer, at=now)
    return RequestAnswer(request_id, request.org_id, "fulfilled", outcomes)


def _store_answer_footprint(
    session: Session,
    footprint: Any,
    index: int,
    request: Any,
    event: dict[str, Any],
    *,
    validate: Validator,
    now: datetime,
) -> FootprintOutcome:
    pointer = f"/data/pfs/{index}"
    outcome = examine(footprint, pointer=pointer, validate=validate)
    if not isinstance(outcome, Received):
        return outcome
    return store_received(
        session,
        outcome,
        org_id=request.org_id,
        partner=request.partner_url,
        pointer=pointer,
        now=now,
        via="pact-request",
        request_id=request.id,
        answer_event_id=event["id"],
    )


def _answer_from_row(request: Any, *, repeat: bool) -> RequestAnswer:
    answer = request.answer or {}
    outcomes = [FootprintOutcome(**{"footprint_id": None, **f}) for f in answer.get("footprints", [])]
    return RequestAnswer(request.id, request.org_id, request.state, outcomes, answer.get("error"), repeat=repeat)


def list_requests(engine: Engine, org_id: str) -> list[dict[str, Any]]:
    """``org_id``'s requests, newest first, with their state and answer."""
    with session_scope(engine, write=False) as session:
        repo.get_organisation(session, org_id)
        return [
            {
                "request_id": r.id,
                "partner": r.partner_url,
                "criteria": r.criteria,
                "state": r.state,
                "sent_at": r.sent_at.isoformat(),
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
                "answer": r.answer,
            }
            for r in pact_client.list_pact_requests(session, org_id)
        ]
