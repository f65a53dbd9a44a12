"""The PACT v2.3 API, served where it costs little (registry.service.pact_v2): ListFootprints,
GetFootprint and Events on ``/2/``, over the same shares, cursors and outbox as ``/3/``.

* ``GET /2/footprints`` - the footprints shared with the caller as v2.3 documents, ``limit`` at a
  time, ``Link: <...>; rel="next"``; ``$filter`` (optional in v2) is refused with 400 NotImplemented
* ``GET /2/footprints/{id}`` - 404 NoSuchFootprint (unknown, or not expressible in v2.3), 403 AccessDenied
* ``POST /2/events`` - v2 CloudEvents; a ``ProductFootprintRequest.Created.v1`` is answered later at the
  partner's ``/2/events``
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from registry.api.deps import CtxDep, ORJSONResponse
from registry.api.pact import HttpsOnly, PactClient, cursors, delivery, events_source, next_url
from registry.api.routes.pact import DEFAULT_LIMIT, PACT_ERRORS
from registry.inputs import parse_json
from registry.service import pact_host, pact_v2
from registry.service.pact_query import Criteria, page_limit
from registry.storage.db import session_scope
from registry.storage.errors import NotFound

router = APIRouter(tags=["pact"], dependencies=[HttpsOnly], responses=PACT_ERRORS)

_PF = {"type": "object", "description": "a PACT v2.3 ProductFootprint"}
_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_PARAMS: list[dict[str, Any]] = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "$filter", "in": "query", "schema": {"type": "string"}, "description": "not implemented (400)"},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "from a Link header only"},
]
_NO_FILTER = Criteria()


def _body(schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"schema": schema}}}}


@router.get(
    "/2/footprints",
    responses=_body({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": _PF}}}),
    response_class=ORJSONResponse,
    openapi_extra={"parameters": _PARAMS, "security": _SECURITY},
)
async def list_footprints_v2(request: Request, ctx: CtxDep, client: PactClient) -> Response:
    """PACT ListFootprints (v2.3): the footprints shared with the caller that v2.3 can express."""
    params = list(request.query_params.multi_items())
    pact_v2.refuse_filter(params)
    limit = page_limit([v for k, v in params if k.lower() == "limit"], DEFAULT_LIMIT)
    cursor = next((v for k, v in params if k == "cursor"), None)
    codec, now = cursors(ctx), ctx.clock()
    after = codec.read(cursor, client.client_id, _NO_FILTER, now) if cursor else None

    def _read() -> tuple[list[dict[str, Any]], str | None]:
        with session_scope(ctx.engine, write=False) as s:
            rows = pact_host.page(s, client.client_id, _NO_FILTER, after=after, limit=limit + 1)
            more = len(rows) > limit
            rows = rows[:limit]
            docs = [doc for doc, _ in pact_host.served_v2(s, rows) if doc is not None]
            return docs, (rows[-1].pf_id if more and rows else None)

    docs, last = await run_in_threadpool(_read)
    headers = {}
    if last is not None:
        headers["Link"] = f'<{next_url(request, codec.make(last, client.client_id, _NO_FILTER, now))}>; rel="next"'
    return Response(orjson.dumps({"data": docs}), media_type="application/json", headers=headers)


@router.get(
    "/2/footprints/{pf_id}",
    responses=_body({"type": "object", "required": ["data"], "properties": {"data": _PF}}),
    response_class=ORJSONResponse,
    openapi_extra={"security": _SECURITY},
)
async def get_footprint_v2(pf_id: str, ctx: CtxDep, client: PactClient) -> Response:
    """PACT GetFootprint (v2.3): 404 NoSuchFootprint, 403 AccessDenied if not shared with the caller."""

    def _read() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            row = pact_host.get_for_client(s, client.client_id, pf_id)
            ((doc, why),) = pact_host.served_v2(s, [row])
        if doc is None:
            raise NotFound(f"footprint {pf_id} cannot be expressed as a PACT v2.3 footprint ({why}); ask /3/")
        return doc

    return Response(orjson.dumps({"data": await run_in_threadpool(_read)}), media_type="application/json")


_EVENT_BODY = {
    "required": True,
    "content": {
        "application/cloudevents+json": {
            "schema": {"type": "object", "required": ["specversion", "id", "source", "time", "type", "data"]}
        }
    },
}


@router.post(
    "/2/events",
    response_class=Response,
    responses={200: {"description": "accepted; the body is empty"}},
    openapi_extra={"requestBody": _EVENT_BODY, "security": _SECURITY},
)
async def post_event_v2(request: Request, ctx: CtxDep, client: PactClient) -> Response:
    """PACT Events (v2.3): a ProductFootprintRequest.Created.v1 is answered later (Fulfilled.v1 or
    Rejected.v1 POSTed to the partner's /2/events); the other v2 events are recorded."""
    event = pact_v2.check_event(parse_json(await request.body()))
    source = events_source(request).replace("/3/events", "/2/events")

    def _store() -> None:
        with session_scope(ctx.engine) as s:
            pact_host.receive_event(s, client.client_id, event, now=ctx.clock(), source=source)

    await run_in_threadpool(_store)
    if event["type"] == pact_v2.REQUEST_CREATED:
        delivery(ctx).kick()
    return Response(status_code=200)
