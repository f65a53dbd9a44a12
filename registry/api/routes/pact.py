"""The PACT v3 API a partner calls: ListFootprints, GetFootprint and Events.

* ``GET /3/footprints`` - what was shared with the calling client, filtered (v3 criteria: OR within
  a parameter, AND across), ``limit`` at a time, the next page in ``Link: <...>; rel="next"``
  (RFC 8288) with an HMAC'd keyset cursor valid for more than PACT's 180 s
* ``GET /3/footprints/{id}`` - one of them (404 NotFound, 403 AccessDenied)
* ``POST /3/events`` - CloudEvents 1.0 structured: 200 with an empty body, 400 for a malformed event

Every route is HTTPS only (:func:`registry.api.pact.require_https`) and answers errors as PACT
``{"code","message"}`` bodies (:func:`registry.api.problems.pact_problem`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from registry.api.deps import CtxDep, ORJSONResponse
from registry.api.pact import HttpsOnly, PactClient, cursors, delivery, events_source, next_url
from registry.inputs import parse_json
from registry.service import pact_events, pact_host, pact_requests
from registry.service.pact_query import Criteria, page_limit, parse_criteria
from registry.service.supplier_footprints import validator_for
from registry.storage.db import session_scope

_PACT_ERROR = {
    "description": "a PACT error (PACT v3 OpenAPI, components.schemas.Error)",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [
                            "BadRequest",
                            "AccessDenied",
                            "TokenExpired",
                            "NotFound",
                            "InternalError",
                            "NotImplemented",
                        ],
                    },
                    "message": {"type": "string"},
                },
            }
        }
    },
}
PACT_ERRORS: dict[int | str, dict[str, Any]] = {c: _PACT_ERROR for c in (400, 401, 403, 404, 409, 422, 429, 500, 503)}
router = APIRouter(tags=["pact"], dependencies=[HttpsOnly], responses=PACT_ERRORS)

DEFAULT_LIMIT = 100
_PF_REF = {"type": "object", "description": "a PACT v3 ProductFootprint"}
_FILTERS = ("productId", "companyId", "geography", "classification")
_PARAMS: list[dict[str, Any]] = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    *(
        {"name": n, "in": "query", "explode": True, "schema": {"type": "array", "items": {"type": "string"}}}
        for n in _FILTERS
    ),
    *(
        {"name": n, "in": "query", "schema": {"type": "string", "format": "date-time"}}
        for n in ("validOn", "validAfter", "validBefore")
    ),
    {"name": "status", "in": "query", "schema": {"type": "string"}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "from a Link header only"},
]
_PACT_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@router.get(
    "/3/footprints",
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": {"type": "array", "items": _PF_REF}},
                    }
                }
            }
        }
    },
    response_class=ORJSONResponse,
    openapi_extra={"parameters": _PARAMS, "security": _PACT_SECURITY},
)
async def list_footprints(request: Request, ctx: CtxDep, client: PactClient) -> Response:
    """PACT ListFootprints (v3): the footprints shared with the calling client."""
    params = list(request.query_params.multi_items())
    criteria = parse_criteria(params)
    limit = page_limit([v for k, v in params if k.lower() == "limit"], DEFAULT_LIMIT)
    cursor = next((v for k, v in params if k == "cursor"), None)
    codec = cursors(ctx)
    now = ctx.clock()
    after = codec.read(cursor, client.client_id, criteria, now) if cursor else None

    def _read() -> tuple[list[bytes], str | None]:
        with session_scope(ctx.engine, write=False) as s:
            rows = pact_host.page(s, client.client_id, criteria, after=after, limit=limit + 1)
            more = len(rows) > limit
            rows = rows[:limit]
            last = rows[-1].pf_id if more and rows else (after if more else None)
            return pact_host.served_bytes(s, rows), last

    data, last = await run_in_threadpool(_read)
    headers = {}
    if last is not None:
        headers["Link"] = f'<{next_url(request, codec.make(last, client.client_id, criteria, now))}>; rel="next"'
    body = b'{"data":[' + b",".join(data) + b"]}"
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/3/footprints/{pf_id}",
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {"type": "object", "required": ["data"], "properties": {"data": _PF_REF}}
                }
            }
        }
    },
    response_class=ORJSONResponse,
    openapi_extra={"security": _PACT_SECURITY},
)
async def get_footprint(pf_id: str, ctx: CtxDep, client: PactClient) -> Response:
    """PACT GetFootprint (v3): 404 NotFound for an unknown id, 403 AccessDenied if not shared with the caller."""

    def _read() -> bytes:
        with session_scope(ctx.engine, write=False) as s:
            row = pact_host.get_for_client(s, client.client_id, pf_id)
            return pact_host.served_bytes(s, [row])[0]

    return Response(b'{"data":' + await run_in_threadpool(_read) + b"}", media_type="application/json")


_EVENT_BODY = {
    "required": True,
    "content": {
        "application/cloudevents+json": {
            "schema": {"type": "object", "required": ["specversion", "id", "source", "time", "type", "data"]}
        }
    },
}


@router.post(
    "/3/events",
    response_class=Response,
    responses={200: {"description": "accepted; the body is empty"}},
    openapi_extra={"requestBody": _EVENT_BODY, "security": _PACT_SECURITY},
)
async def post_event(request: Request, ctx: CtxDep, client: PactClient) -> Response:
    """PACT Events (v3): a RequestCreatedEvent is answered later (RequestFulfilled/RejectedEvent POSTed to the
    partner's host); PublishedEvent, RequestFulfilledEvent and RequestRejectedEvent are recorded."""
    event = pact_events.check_event(parse_json(await request.body()))
    source = events_source(request)

    def _store() -> None:
        with session_scope(ctx.engine) as s:
            pact_host.receive_event(s, client.client_id, event, now=ctx.clock(), source=source)
            if event["type"] in pact_requests.ANSWER_TYPES:  # the answer to a `pcfreg pact request` sent from here
                validate = validator_for(ctx.packs.catalog(), ctx.clock)
                pact_requests.record_request_answer(s, event, validate=validate, now=ctx.clock())

    await run_in_threadpool(_store)
    if event["type"] == pact_events.REQUEST_CREATED:
        delivery(ctx).kick()
    return Response(status_code=200)


__all__ = ["Criteria", "router"]
