"""PACT v3 events (CloudEvents 1.0, structured mode): checking what arrives, the outbox, delivery.

* :func:`check_event` (pure) refuses a malformed event with an :class:`InputError` naming the member.
* Received events are recorded (``direction="in"``); answers and notifications to partners are
  queued (``direction="out"``, ``state="pending"``) in the same transaction that decided them.
* :func:`deliver_due` claims the due events (:func:`claim_due`: a conditional UPDATE, so that two
  workers never both send one) and POSTs them to the partner's ``/3/events`` (v2 events:
  ``/2/events``), after discovering its token endpoint (``/.well-known/openid-configuration``,
  else ``/auth/token``) and authenticating with the credentials the partner gave the registry.
  A failed attempt is retried with exponential back-off, doubling from :data:`FIRST_RETRY` up to
  :data:`MAX_RETRY`, and abandoned (``failed``) after :data:`GIVE_UP_AFTER` (PACT v3.0.4 OpenAPI,
  PublishedEvent: "using an exponential backoff strategy. It SHOULD abandon sending the event after
  72 hours"). Every attempt is recorded.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from registry.errors import InputError
from registry.service.pact_query import criteria_from_request, parse_datetime
from registry.storage import pact_repo
from registry.storage.db import session_scope
from registry.storage.models import PactEvent

PREFIX = "org.wbcsd.pact.ProductFootprint."
PUBLISHED = PREFIX + "PublishedEvent.3"
REQUEST_CREATED = PREFIX + "RequestCreatedEvent.3"
REQUEST_FULFILLED = PREFIX + "RequestFulfilledEvent.3"
REQUEST_REJECTED = PREFIX + "RequestRejectedEvent.3"
TYPES = (PUBLISHED, REQUEST_CREATED, REQUEST_FULFILLED, REQUEST_REJECTED)
CLOUDEVENTS_JSON = "application/cloudevents+json; charset=UTF-8"

# Retry policy: these two are our choice [unchecked against any PACT figure]; the 72 hours are PACT's.
FIRST_RETRY = timedelta(seconds=2)
MAX_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=72)
ATTEMPT_TIMEOUT_SECONDS = 10.0
# A claimed event is not due again for this long (our choice): well above one attempt (discovery, token and
# POST, ATTEMPT_TIMEOUT_SECONDS each), so only a worker that died mid-attempt lets another one retry it.
CLAIM_LEASE = timedelta(minutes=5)
DELIVERY_BATCH = 50  # events claimed per round of a worker (our bound)
SWEEP_ENV = "PCFREG_PACT_SWEEP_SECONDS"
DEFAULT_SWEEP_SECONDS = 30.0  # how often each worker's sweeper looks for due events (our choice)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_event(event: Any) -> dict[str, Any]:
    """A v3 CloudEvent as PACT defines it, or an :class:`InputError` naming what is wrong."""
    check_cloudevent_attributes(event, TYPES)
    _CHECKS[event["type"]](event["data"])
    return dict(event)


def check_cloudevent_attributes(event: Any, types: tuple[str, ...]) -> None:
    """The CloudEvents 1.0 attributes PACT requires, a ``type`` among ``types`` and an object ``data``."""
    if not isinstance(event, dict):
        raise InputError("the event must be a JSON object (CloudEvents 1.0 structured mode)")
    for name in ("specversion", "id", "source", "time", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise InputError(f"the event lacks the CloudEvents attribute {name!r} (a non-empty string)")
    if event["specversion"] != "1.0":
        raise InputError(f'specversion must be "1.0", not {event["specversion"][:20]!r}')
    parse_datetime(event["time"], "time")
    if event["type"] not in types:
        raise InputError(f"unknown event type {event['type'][:100]!r}; the events here are {', '.join(types)}")
    data = event.get("data")
    if not isinstance(data, dict):
        raise InputError("the event's data must be a JSON object")


def check_pf_ids(data: Mapping[str, Any]) -> None:
    """A PublishedEvent's ``data.pfIds``: a non-empty array of UUIDs (v3 TC40, v2 TC21)."""
    ids = data.get("pfIds")
    if not isinstance(ids, list) or not ids:
        raise InputError("data.pfIds must be a non-empty array of footprint ids (UUIDs)")
    for i, pf_id in enumerate(ids):
        if not isinstance(pf_id, str) or not _UUID.match(pf_id):
            raise InputError(f"data.pfIds[{i}] must be a UUID, not {str(pf_id)[:60]!r}")


def _check_created(data: Mapping[str, Any]) -> None:
    criteria_from_request(data)


def _check_fulfilled(data: Mapping[str, Any]) -> None:
    check_request_id(data)
    pfs = data.get("pfs")
    if not isinstance(pfs, list) or not pfs or not all(isinstance(p, dict) for p in pfs):
        raise InputError("data.pfs must be a non-empty array of ProductFootprints")


def check_rejected(data: Mapping[str, Any]) -> None:
    """A RequestRejectedEvent's data (v2 and v3 alike): the request it answers and an error code and message."""
    check_request_id(data)
    error = data.get("error")
    if (
        not isinstance(error, dict)
        or not isinstance(error.get("code"), str)
        or not isinstance(error.get("message"), str)
    ):
        raise InputError("data.error must be an object with a code and a message")


def check_request_id(data: Mapping[str, Any]) -> None:
    """``data.requestEventId`` names the request an answer is for (v2 and v3 alike)."""
    if not isinstance(data.get("requestEventId"), str) or not data["requestEventId"]:
        raise InputError("data.requestEventId must name the request event answered")


_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    PUBLISHED: check_pf_ids,
    REQUEST_CREATED: _check_created,
    REQUEST_FULFILLED: _check_fulfilled,
    REQUEST_REJECTED: check_rejected,
}


# ------------------------------------------------------------------ recording and queueing


def record_received(session: Session, client_id: str, event: dict[str, Any], *, now: datetime) -> PactEvent:
    return pact_repo.add_event(
        session,
        PactEvent(
            direction="in",
            client_id=client_id,
            event_id=event["id"],
            type=event["type"],
            body=event,
            owners=[],
            state="received",
            attempts=0,
            created_at=now,
            updated_at=now,
        ),
    )


def new_event(type_: str, data: dict[str, Any], *, source: str, now: datetime) -> dict[str, Any]:
    return {
        "type": type_,
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data,
    }


def queue(
    session: Session,
    client_id: str,
    event: dict[str, Any],
    *,
    owners: list[str],
    now: datetime,
    in_reply_to: str | None = None,
) -> PactEvent:
    return pact_repo.add_event(
        session,
        PactEvent(
            direction="out",
            client_id=client_id,
            event_id=event["id"],
            type=event["type"],
            body=event,
            owners=owners,
            state="pending",
            attempts=0,
            next_attempt_at=now,
            in_reply_to=in_reply_to,
            created_at=now,
            updated_at=now,
        ),
    )


def queue_published(
    session: Session, client_id: str, pf_ids: list[str], *, owner: str, now: datetime, source: str
) -> PactEvent:
    """Queue a PublishedEvent telling ``client_id`` that the footprints ``pf_ids`` were published."""
    event = new_event(PUBLISHED, {"pfIds": pf_ids}, source=source, now=now)
    return queue(session, client_id, event, owners=[owner], now=now)


def event_public(row: PactEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "direction": row.direction,
        "client_id": row.client_id,
        "event_id": row.event_id,
        "type": row.type,
        "state": row.state,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "last_error": row.last_error,
        "in_reply_to": row.in_reply_to,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "body": row.body,
    }


# ------------------------------------------------------------------ delivery


def sweep_interval(raw: str | None) -> float:
    """The sweeper's interval from :data:`SWEEP_ENV` (seconds, 0 turns it off; unset: the default)."""
    text = (raw or "").strip()
    if not text:
        return DEFAULT_SWEEP_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86400:  # also refuses nan and inf
        raise InputError(f"{SWEEP_ENV} must be a number of seconds from 0 to 86400, not {text[:40]!r}")
    return seconds


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: FIRST_RETRY doubled per failed attempt, at most MAX_RETRY."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY)


HttpFactory = Callable[[], httpx.AsyncClient]


async def deliver_due(engine: Engine, http: HttpFactory, clock: Callable[[], datetime], master_key: bytes) -> int:
    """Attempt every queued event that is due; returns how many were delivered."""
    from starlette.concurrency import run_in_threadpool

    delivered = 0
    for row, partner in await run_in_threadpool(claim_due, engine, clock()):
        error = await _attempt(row, partner, http, master_key)
        await run_in_threadpool(_record_attempt, engine, row, error, clock())
        delivered += error is None
    return delivered


def claim_due(engine: Engine, now: datetime, limit: int = DELIVERY_BATCH) -> list[tuple[PactEvent, Any]]:
    """The due events this worker won (:func:`pact_repo.claim_event`, leased for :data:`CLAIM_LEASE`),
    each with its partner's endpoint; a row another worker claimed first is left to it.

    A read looks first, so a sweep that finds nothing due takes no write lock (SQLite: no BEGIN IMMEDIATE)."""
    with session_scope(engine, write=False) as s:
        if not pact_repo.due_events(s, now, 1):
            return []
    with session_scope(engine) as s:
        rows = pact_repo.due_events(s, now, limit)
        won = [
            r
            for r in rows
            if r.id is not None and pact_repo.claim_event(s, r.id, now=now, lease_until=now + CLAIM_LEASE)
        ]
        return [(r, pact_repo.get_partner(s, r.client_id)) for r in won]


async def _attempt(row: PactEvent, partner: Any, http: HttpFactory, master_key: bytes) -> str | None:
    """One delivery attempt: None when the partner accepted the event, else what went wrong."""
    if partner is None:
        return f"no PACT endpoint is configured for client {row.client_id} (pcfreg pact partner)"
    try:
        async with http() as client:
            token = await _token(client, partner, master_key)
            r = await client.post(
                partner.base_url.rstrip("/") + events_path(row.type),
                content=_json(row.body),
                headers={"Content-Type": CLOUDEVENTS_JSON, "Authorization": f"Bearer {token}"},
                timeout=ATTEMPT_TIMEOUT_SECONDS,
            )
    except (httpx.HTTPError, InputError) as e:
        return f"{type(e).__name__}: {e}"[:500]
    if 200 <= r.status_code < 300:
        return None
    return f"the partner answered {r.status_code}: {r.text[:300]}"


def events_path(event_type: str) -> str:
    """Where a partner receives an event: ``/2/events`` for PACT v2 types (``org.wbcsd.pathfinder.``),
    else ``/3/events``."""
    return "/2/events" if event_type.startswith("org.wbcsd.pathfinder.") else "/3/events"


async def _token(client: httpx.AsyncClient, partner: Any, master_key: bytes) -> str:
    base = partner.auth_base_url.rstrip("/")
    endpoint = base + "/auth/token"
    try:
        found = await client.get(base + "/.well-known/openid-configuration", timeout=ATTEMPT_TIMEOUT_SECONDS)
        if found.status_code == 200 and isinstance(found.json().get("token_endpoint"), str):
            endpoint = found.json()["token_endpoint"]
    except (httpx.HTTPError, ValueError):
        pass
    r = await client.post(
        endpoint,
        data={"grant_type": "client_credentials"},
        auth=(partner.remote_client_id, open_secret(partner.remote_secret_sealed, master_key, partner.client_id)),
        timeout=ATTEMPT_TIMEOUT_SECONDS,
    )
    token = r.json().get("access_token") if r.status_code == 200 else None
    if not isinstance(token, str):
        raise InputError(f"the partner's token endpoint {endpoint} answered {r.status_code}")
    return token


_SECRET_AAD = b"pcf-registry pact partner secret\0"
_SEAL_VERSION = 1
_NONCE = 12


def seal_secret(secret: str, master_key: bytes, client_id: str) -> bytes:
    """``version(1) || nonce(12) || AES-256-GCM(secret)``, bound to the client id (associated data)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_master(master_key)).encrypt(nonce, secret.encode(), _SECRET_AAD + client_id.encode())
    return bytes([_SEAL_VERSION]) + nonce + sealed


def open_secret(blob: bytes, master_key: bytes, client_id: str) -> str:
    """The secret sealed by :func:`seal_secret`; :class:`InputError` if it cannot be opened."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob = bytes(blob)
    if len(blob) < 1 + _NONCE + 16 or blob[0] != _SEAL_VERSION:
        raise InputError(f"the stored secret of partner {client_id} is not a sealed secret")
    try:
        plain = AESGCM(_master(master_key)).decrypt(
            blob[1 : 1 + _NONCE], blob[1 + _NONCE :], _SECRET_AAD + client_id.encode()
        )
    except InvalidTag as e:
        raise InputError(
            f"cannot open the stored secret of partner {client_id}: wrong master key or altered bytes"
        ) from e
    return plain.decode()


def _master(master_key: bytes) -> bytes:
    if len(master_key) != 32:
        raise InputError(f"the master key must be 32 bytes, not {len(master_key)}")
    return master_key


def _json(body: dict[str, Any]) -> bytes:
    import orjson

    return orjson.dumps(body)


def _record_attempt(engine: Engine, row: PactEvent, error: str | None, now: datetime) -> None:
    attempts = row.attempts + 1
    if error is None:
        changes: dict[str, Any] = {"state": "delivered", "next_attempt_at": None, "last_error": None}
    else:
        retry_at = now + backoff(attempts)
        gave_up = retry_at - row.created_at > GIVE_UP_AFTER
        changes = {"state": "failed" if gave_up else "pending", "next_attempt_at": None if gave_up else retry_at}
        changes["last_error"] = error
    with session_scope(engine) as s:
        pact_repo.save_event(s, row, attempts=attempts, updated_at=now, **changes)


def source_matches(source: str, base_url: str) -> bool:
    """Whether an event's ``source`` names the partner's host (a URI reference such as ``//host/3/events``)."""
    src = urlsplit(source if "//" in source else "//" + source)
    return bool(src.hostname) and src.hostname == urlsplit(base_url).hostname


Deliver = Callable[[], Awaitable[int]]
