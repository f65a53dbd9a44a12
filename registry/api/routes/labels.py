"""Labels: issue and change them (certifiers), read them (public), verify them in bulk (platforms).

* ``POST /v1/labels`` - issue a graded, signed label for a conformant declaration
* ``POST /v1/labels:batch`` - issue many, JSON Lines in and out
* ``POST /v1/labels/{label_id}/suspend``, ``.../reinstate``, ``.../revoke`` - change a label's state
* ``GET /v1/labels`` - the caller's own labels; ``GET /v1/labels/{label_id}`` - one label (public)
* ``POST /v1/labels:verify`` - verify up to 1,000 labels, by id or token

A label's pages and images are in :mod:`registry.api.routes.label_pages`, the keys and status lists
that verify it in :mod:`registry.api.routes.trust`. Decisions are in :mod:`registry.service.labels`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from issuance import normalize_gtin
from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext
from registry.api.labels import (
    IssueBody,
    LabelCache,
    VerifyBody,
    batch_request,
    issue_chunk,
    label_cache,
    label_json,
    verify_items,
)
from registry.api.models import LabelOut, Reason, VerifyBatchOut
from registry.api.problems import NotFoundError
from registry.service import labels as svc
from registry.service.principal import Principal
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import KeyState, Label, LabelState

router = APIRouter(tags=["labels"])

_JSONL_BODY = {"required": True, "content": {"application/jsonl": {"schema": {"type": "string"}}}}
_BATCH_TRANSACTION = 500  # batch lines issued in one transaction


@router.post("/v1/labels", status_code=201, responses={201: {"model": LabelOut}}, openapi_extra={"security": BEARER})
async def issue(body: IssueBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Issue a graded, signed label for a conformant declaration (certifiers)."""
    principal.require("certifier")
    cache = label_cache(ctx)
    request = body.to_request()

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            issued = svc.issue_label(
                s, ctx.packs, cache.settings, certifier=principal.org_id, request=request, now=ctx.clock()
            )
            v = svc.stored_verification(issued.label, KeyState.ACTIVE, now=ctx.clock())
            return label_json(issued.label, v, cache.settings)

    out = await run_in_threadpool(run)
    return ORJSONResponse(out, status_code=201, headers={"Location": f"/v1/labels/{out['id']}"})


@router.post(
    "/v1/labels:batch",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/jsonl": {"schema": {"type": "string"}}}}},
    openapi_extra={"requestBody": _JSONL_BODY, "security": BEARER},
)
async def issue_batch(request: Request, principal: PrincipalDep, ctx: CtxDep) -> StreamingResponse:
    """Issue many labels: JSON Lines in (each line a POST /v1/labels body), JSON Lines out, one result per
    non-blank line with its ``line``: the label, or ``{"line": n, "error": {...}}``. Lines are issued
    in transactions of up to 500; a refused line refuses only itself."""
    principal.require("certifier")
    cache = label_cache(ctx)
    body = await request.body()
    return StreamingResponse(_issued(ctx, cache, principal, body), media_type="application/jsonl")


# Suspend, reinstate and revoke have no docstrings, as before: one would become the operation's
# description in the OpenAPI document.


@router.post("/v1/labels/{label_id}/suspend", openapi_extra={"security": BEARER})
async def suspend_label(label_id: str, body: Reason, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return await _change(ctx, principal, label_id, LabelState.SUSPENDED, body.reason)


@router.post("/v1/labels/{label_id}/reinstate", openapi_extra={"security": BEARER})
async def reinstate_label(label_id: str, body: Reason, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return await _change(ctx, principal, label_id, LabelState.VALID, body.reason)


@router.post("/v1/labels/{label_id}/revoke", openapi_extra={"security": BEARER})
async def revoke_label(label_id: str, body: Reason, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return await _change(ctx, principal, label_id, LabelState.REVOKED, body.reason)


@router.get("/v1/labels", openapi_extra={"security": BEARER})
async def list_labels(
    principal: PrincipalDep,
    ctx: CtxDep,
    audit_id: Annotated[str | None, Query(max_length=36)] = None,
    gtin: Annotated[str | None, Query(max_length=14)] = None,
    state: LabelState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """The caller's own labels (certifiers), newest first, by audit, GTIN or state."""
    principal.require("certifier")
    product = normalize_gtin(gtin) if gtin is not None else None

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            rows = store.list_labels(
                s, principal.org_id, audit_id=audit_id, gtin=product, state=state, limit=limit, offset=offset
            )
            return {"items": [_label_row(r) for r in rows]}

    return await run_in_threadpool(run)


@router.get("/v1/labels/{label_id}")
async def get_label(label_id: str, ctx: CtxDep) -> dict[str, Any]:
    """A label: its claims, current verification, token and URLs (public)."""
    cache = label_cache(ctx)

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            label = store.get_label(s, label_id.upper())
            key_state = svc.standing_of(store.get_signing_key(s, label.kid))
            return label_json(label, svc.stored_verification(label, key_state, now=ctx.clock()), cache.settings)

    try:
        return await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e


@router.post("/v1/labels:verify", responses={200: {"model": VerifyBatchOut}}, openapi_extra={"security": BEARER})
async def verify_batch(body: VerifyBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Verify up to 1,000 labels (ids or tokens) in one call; one result per item, in order."""
    principal.require("platform", "certifier")
    cache = label_cache(ctx)
    trust, _ = await run_in_threadpool(cache.trust, ctx)
    now = ctx.clock()
    results = await run_in_threadpool(verify_items, ctx, trust, body.items, now)
    return ORJSONResponse({"checked_at": now.isoformat(), "results": results})


# ------------------------------------------------------------------ helpers


async def _issued(ctx: ServiceContext, cache: LabelCache, principal: Principal, body: bytes) -> AsyncIterator[bytes]:
    """The result lines of a batch body, a transaction's worth at a time."""
    pending: list[tuple[int, svc.IssueRequest | bytes]] = []
    for number, raw in enumerate(body.splitlines(), start=1):
        pending.append((number, batch_request(raw, number)))
        if len(pending) >= _BATCH_TRANSACTION:
            yield await run_in_threadpool(issue_chunk, ctx, cache, principal.org_id, pending)
            pending = []
    if pending:
        yield await run_in_threadpool(issue_chunk, ctx, cache, principal.org_id, pending)


async def _change(
    ctx: ServiceContext, principal: Principal, label_id: str, target: LabelState, reason: str
) -> dict[str, Any]:
    """Move the caller's label to ``target`` (certifiers); the label as it is now."""
    principal.require("certifier")
    cache = label_cache(ctx)

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            label = svc.change_label(
                s, certifier=principal.org_id, label_id=label_id.upper(), state=target, reason=reason, now=ctx.clock()
            )
            key_state = svc.standing_of(store.get_signing_key(s, label.kid))
            return label_json(label, svc.stored_verification(label, key_state, now=ctx.clock()), cache.settings)

    return await run_in_threadpool(run)


def _label_row(r: Label) -> dict[str, Any]:
    """One label of a list: what tells it apart, without its token or verification."""
    return {
        "id": r.id,
        "gtin": r.gtin,
        "product_name": r.product_name,
        "grade": r.grade,
        "scheme": r.scheme,
        "pack": f"{r.pack_id}@{r.pack_version}",
        "state": LabelState(r.state).value,
        "issued_at": r.issued_at.isoformat(),
        "expires_at": r.expires_at.isoformat(),
        "audit_id": r.audit_id,
    }
