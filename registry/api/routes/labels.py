"""Labels: issue and change them (certifiers), read them (public), verify them in bulk (platforms).

* ``POST /v1/labels`` - issue a graded, signed label for a conformant declaration
* ``POST /v1/labels:batch`` - issue many, JSON Lines in and out
* ``POST /v1/labels/{label_id}/suspend``, ``.../reinstate``, ``.../revoke`` - change a label's state
* ``GET /v1/labels`` - the caller's own labels; ``GET /v1/labels/{label_id}`` - one label (public)
* ``GET /v1/labels/{label_id}/history`` - its changes of state and grade (its certifier, a regulator)
* ``POST /v1/labels:verify`` - verify up to 1,000 labels, by id or token

A label's pages and images are in :mod:`registry.api.routes.label_pages`, the keys and status lists
that verify it in :mod:`registry.api.routes.trust`. Decisions are in :mod:`registry.service.labels`.
"""

from __future__ import annotations

import tempfile
from typing import IO, Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from issuance import normalize_gtin
from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext
from registry.api.labels import IssueBody, VerifyBody, issue_one, label_cache, label_json, verify_items
from registry.api.models import LabelOut, Reason, VerifyBatchOut
from registry.api.problems import NotFoundError
from registry.service import catalogues as catalogue_svc
from registry.service import label_history as history_svc
from registry.service import labels as svc
from registry.service import tlog as log_svc
from registry.service.label_batches import BatchIssuer, LineSplitter, LineTooLong
from registry.service.principal import Principal
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import Label, LabelState

router = APIRouter(tags=["labels"])

_JSONL_BODY = {"required": True, "content": {"application/jsonl": {"schema": {"type": "string"}}}}
_SPOOL_IN_MEMORY = 1 << 20  # bytes of a batch body kept in memory; the rest waits in a temporary file
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="the caller's id of this request: a repeat returns the label issued for it",
    ),
]


@router.post(
    "/v1/labels",
    status_code=201,
    responses={
        200: {"model": LabelOut, "description": "A repeat of a request issued before: the label issued then."},
        201: {"model": LabelOut},
    },
    openapi_extra={"security": BEARER},
)
async def issue(
    body: IssueBody, principal: PrincipalDep, ctx: CtxDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """Issue a graded, signed label for a conformant declaration (certifiers). A repeat of a request
    (same Idempotency-Key or request_id; without either, the same declaration, GTIN, batch and scheme)
    returns the label issued for it, with 200 and ``"repeat": true``."""
    principal.require("certifier")
    out, repeat = await issue_one(ctx, principal.org_id, body.to_request(idempotency_key))
    return ORJSONResponse(out, status_code=200 if repeat else 201, headers={"Location": f"/v1/labels/{out['id']}"})


@router.post(
    "/v1/labels:batch",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/jsonl": {"schema": {"type": "string"}}}}},
    openapi_extra={"requestBody": _JSONL_BODY, "security": BEARER},
)
async def issue_batch(
    request: Request, principal: PrincipalDep, ctx: CtxDep, idempotency_key: IdempotencyKey = None
) -> StreamingResponse:
    """Issue many labels: JSON Lines in (each line a POST /v1/labels body, with an optional
    ``request_id``), JSON Lines out, one result per non-blank line with its ``line``: the label
    (``"repeat": true`` when the request was issued before), or ``{"line": n, "error": {...}}``.
    A line longer than the limit (1 MiB unless configured) is answered with ``line-too-long``.
    Lines are issued in transactions of up to 500; a refused line refuses only itself. With an
    Idempotency-Key, a line without a request_id is keyed by the header and its line number."""
    principal.require("certifier")
    cache = label_cache(ctx)
    spool, too_long = await _spool(request, cache.settings.batch_line_limit)
    issuer = BatchIssuer(ctx.engine, ctx.packs, cache.settings, principal.org_id, ctx.clock)
    results = issuer.stream(_spooled_lines(spool, too_long), key_prefix=idempotency_key)
    return StreamingResponse(
        iterate_in_threadpool(results), media_type="application/jsonl", background=BackgroundTask(spool.close)
    )


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
async def get_label(
    label_id: str, ctx: CtxDep, log_size: int | None = Query(default=None, ge=1, le=2**62)
) -> dict[str, Any]:
    """A label: its claims, current verification, token and URLs (public), its entry in the transparency log
    with the inclusion proof against the latest checkpoint (or the one of ``log_size`` entries), and for a
    catalogue grade where that grade stands (``grading``: current, regraded, kept, regrade-due, outdated)."""
    cache = label_cache(ctx)

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            label = store.get_label(s, label_id.upper())
            key_state = svc.standing_of(store.get_signing_key(s, label.kid))
            v = svc.stored_verification(label, key_state, now=ctx.clock())
            log = log_svc.label_log(s, cache.settings.registry_key, cache.settings.public_url, label.id, size=log_size)
            out = label_json(label, v, cache.settings, log)
            if label.catalogue is not None:  # its grade as it stands: current, re-graded, due, outdated, withdrawn
                out["grading"] = catalogue_svc.standing_of(s, label, ctx.clock().date())
            return out

    try:
        return await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e


@router.get("/v1/labels/{label_id}/history", openapi_extra={"security": BEARER})
async def label_history(label_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Every change of the label's state or grade (issued, suspended, reinstated, revoked, re-graded) with who,
    when, why and its transparency-log index, oldest first; ``expired`` is computed once its time has passed.
    For the label's certifier, and a regulator whose jurisdiction holds it."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            label = history_svc.readable_label(s, principal, label_id)
            return history_svc.history_json(label, history_svc.history_of(s, label.id), now=ctx.clock())

    return await run_in_threadpool(run)


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


async def _spool(request: Request, limit: int) -> tuple[IO[bytes], dict[int, LineTooLong]]:
    """The body read as it arrives, line by line: lines within ``limit`` are kept (in memory up to
    1 MiB, then in a temporary file), a longer one only as its number and size. The body is read
    whole before issuing starts, because the response streams while the server would still read."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 (closed after the response)
    splitter, number = LineSplitter(limit), 0
    too_long: dict[int, LineTooLong] = {}
    try:
        async for piece in request.stream():
            for line in splitter.feed(piece):
                number += 1
                _keep(spool, too_long, number, line)
        for line in splitter.finish():
            number += 1
            _keep(spool, too_long, number, line)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, too_long


def _keep(spool: IO[bytes], too_long: dict[int, LineTooLong], number: int, line: bytes | LineTooLong) -> None:
    if isinstance(line, LineTooLong):
        too_long[number] = line
        spool.write(b"\n")
    else:
        spool.write(line + b"\n")


def _spooled_lines(spool: IO[bytes], too_long: dict[int, LineTooLong]) -> Any:
    for number, line in enumerate(spool, start=1):
        yield number, too_long.get(number, line.rstrip(b"\n"))


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
