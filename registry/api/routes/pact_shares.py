"""What a data owner drives of the PACT host: shares, partners' endpoints, and the event log.

* ``POST /v1/pact/shares`` - share a conformant validation with a partner client (201)
* ``GET /v1/pact/shares`` - the organisation's shares (``client_id`` to narrow), with who and when
* ``DELETE /v1/pact/shares/{client_id}/{pf_id}`` - stop sharing (the share stays recorded, inactive)
* ``PUT /v1/pact/partners/{client_id}`` - where that client's own PACT host receives events
* ``GET /v1/pact/events`` - events received from and sent to the organisation's partners
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep
from registry.api.labels import label_cache
from registry.api.pact import events_source
from registry.service import pact_events, pact_host
from registry.storage.db import session_scope

router = APIRouter(tags=["pact"])


class ShareIn(BaseModel):
    validation_id: str = Field(min_length=1, max_length=36)
    client_id: str = Field(min_length=1, max_length=64)


class PartnerIn(BaseModel):
    base_url: str = Field(min_length=9, max_length=2000)
    auth_base_url: str | None = Field(default=None, max_length=2000)
    remote_client_id: str = Field(min_length=1, max_length=500)
    remote_client_secret: str = Field(min_length=1, max_length=2000)


class ShareOut(BaseModel):
    client_id: str
    pf_id: str
    owner_org: str
    active: bool
    shared_at: str
    shared_by: str
    unshared_at: str | None
    unshared_by: str | None


class PartnerOut(BaseModel):
    client_id: str
    base_url: str
    auth_base_url: str
    remote_client_id: str
    updated_at: str


class EventOut(BaseModel):
    id: int
    direction: str
    client_id: str
    event_id: str
    type: str
    state: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    in_reply_to: str | None
    created_at: str
    updated_at: str
    body: dict[str, Any]


@router.post("/v1/pact/shares", status_code=201, response_model=ShareOut, openapi_extra={"security": BEARER})
async def create_share(body: ShareIn, request: Request, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Share one of the caller's conformant validations with a partner client, served over ``/3/footprints``."""
    source = events_source(request)

    def _do() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            row = pact_host.share(s, principal, body.validation_id, body.client_id, now=ctx.clock(), source=source)
            return pact_host.share_public(row)

    out = await run_in_threadpool(_do)
    from registry.api.pact import delivery

    delivery(ctx).kick()  # a new version may have queued a PublishedEvent
    return out


@router.get("/v1/pact/shares", response_model=list[ShareOut], openapi_extra={"security": BEARER})
async def list_shares(principal: PrincipalDep, ctx: CtxDep, client_id: str | None = None) -> list[dict[str, Any]]:
    def _do() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            return [pact_host.share_public(r) for r in pact_host.list_shares(s, principal, client_id)]

    return await run_in_threadpool(_do)


@router.delete("/v1/pact/shares/{client_id}/{pf_id}", response_model=ShareOut, openapi_extra={"security": BEARER})
async def delete_share(client_id: str, pf_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    def _do() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            return pact_host.share_public(pact_host.unshare(s, principal, pf_id, client_id, now=ctx.clock()))

    return await run_in_threadpool(_do)


@router.put("/v1/pact/partners/{client_id}", response_model=PartnerOut, openapi_extra={"security": BEARER})
async def put_partner(client_id: str, body: PartnerIn, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Where the partner behind ``client_id`` receives PACT events, and the credentials it issued to the registry."""

    def _do() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            row = pact_host.set_partner(
                s,
                principal,
                client_id,
                base_url=body.base_url,
                auth_base_url=body.auth_base_url,
                remote_client_id=body.remote_client_id,
                remote_client_secret=body.remote_client_secret,
                master_key=label_cache(ctx).settings.master_key,
                now=ctx.clock(),
            )
            return pact_host.partner_public(row)

    return await run_in_threadpool(_do)


@router.get(
    "/v1/pact/events", response_model=list[EventOut], response_class=ORJSONResponse, openapi_extra={"security": BEARER}
)
async def list_events(principal: PrincipalDep, ctx: CtxDep) -> list[dict[str, Any]]:
    """Events received from and sent to the caller's partners (delivery state, attempts, last error)."""

    def _do() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            return [pact_events.event_public(e) for e in pact_host.events_for(s, principal)]

    return await run_in_threadpool(_do)
