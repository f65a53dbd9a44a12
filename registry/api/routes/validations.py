"""Validations: validate declarations one at a time or as a JSON Lines stream, and read stored ones.

* ``POST /v1/validations`` - one declaration; stored unless ``store=false`` (its plain, successful
  case is usually answered by the lean path in :mod:`registry.api.fastpath`, to the same effect)
* ``POST /v1/validations:batch`` - JSON Lines in, JSON Lines out, streamed
* ``GET /v1/validations`` and ``GET /v1/validations/{validation_id}`` - the caller's stored validations

All need a certifier's or platform's credentials; results are the objects ``pcfreg validate`` prints.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import IO, Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, JSON_BODY, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext
from registry.api.models import ReportLinkOut, ValidationOut
from registry.api.problems import NotFoundError
from registry.api.report import DEFAULT_TTL, MAX_TTL, ReportLinks, refusal_page
from registry.api.validation_core import validate_one
from registry.errors import RegistryError
from registry.inputs import parse_json
from registry.packs import render_validation_html
from registry.service.principal import Principal
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import NotFound

router = APIRouter(tags=["validations"])

_JSONL_BODY = {"required": True, "content": {"application/jsonl": {"schema": {"type": "string"}}}}
_SPOOL_IN_MEMORY = 8 * 1024 * 1024  # bytes of a batch body kept in memory before spooling to a file
_CHUNK = 65536  # bytes of batch results sent at once


@router.post(
    "/v1/validations",
    responses={
        200: {"model": ValidationOut, "description": "validated, not stored (store=false)"},
        201: {"model": ValidationOut, "description": "validated and stored (with its id and created_at)"},
    },
    openapi_extra={"requestBody": JSON_BODY, "security": BEARER},
)
async def validate(
    request: Request,
    principal: PrincipalDep,
    ctx: CtxDep,
    pack: Annotated[str | None, Query(max_length=300)] = None,
    store: bool = True,
) -> Response:
    """Validate one declaration (PACT v3 or v2.x JSON). Stored under the caller's organisation
    unless ``store=false``; the result is the same object ``pcfreg validate`` prints."""
    principal.require("certifier", "platform")
    document = parse_json(await request.body())
    result = validate_one(ctx, document, pack)
    body = result.to_json()
    if not store:
        return ORJSONResponse(body)

    vid, created = await ctx.writer.insert(principal.org_id, result, document, ctx.clock())
    return ORJSONResponse(
        {"id": vid, "created_at": created, **body}, status_code=201, headers={"Location": f"/v1/validations/{vid}"}
    )


@router.post(
    "/v1/validations:batch",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/jsonl": {"schema": {"type": "string"}}}}},
    openapi_extra={"requestBody": _JSONL_BODY, "security": BEARER},
)
async def validate_batch(
    request: Request,
    principal: PrincipalDep,
    ctx: CtxDep,
    pack: Annotated[str | None, Query(max_length=300)] = None,
    store: bool = False,
) -> StreamingResponse:
    """JSON Lines in, JSON Lines out, streamed: one result per non-blank input line, with its
    ``line``. A line that cannot be used gives ``{"line": n, "error": {...}}``."""
    principal.require("certifier", "platform")

    # The body is spooled first (memory up to 8 MB, then a temporary file): a streaming
    # response listens for disconnects on the same receive channel, so it cannot also read it.
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by the generator
    async for chunk in request.stream():
        spool.write(chunk)
    spool.seek(0)
    results = _batch_results(ctx, principal, spool, pack, store)
    return StreamingResponse(_skip_empty(results), media_type="application/jsonl")


@router.get("/v1/validations", openapi_extra={"security": BEARER})
async def list_validations(
    principal: PrincipalDep,
    ctx: CtxDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            page = repo.list_validations(s, principal.org_id, limit=limit, cursor=cursor)
            items = [
                {
                    "id": v.id,
                    "created_at": v.created_at.isoformat(),
                    "conformant": v.conformant,
                    "pack": {"id": v.pack_id, "version": v.pack_version, "digest": v.pack_digest},
                }
                for v in page.items
            ]
            return {"items": items, "next_cursor": page.next_cursor}

    return await run_in_threadpool(run)


@router.get(
    "/v1/validations/{validation_id}",
    responses={200: {"model": ValidationOut, "content": {"text/html": {"schema": {"type": "string"}}}}},
    openapi_extra={"security": BEARER},
)
async def get_validation(
    validation_id: str,
    request: Request,
    principal: PrincipalDep,
    ctx: CtxDep,
    format: Annotated[str | None, Query(pattern="^(json|html)$")] = None,
) -> Response:
    """A stored validation (only the organisation that ran it sees it), as JSON or as an HTML report."""

    vid, created, result, declaration = await run_in_threadpool(_stored, ctx, validation_id, principal.org_id)
    wants_html = format == "html" or (format is None and "text/html" in request.headers.get("accept", ""))
    if wants_html:
        return HTMLResponse(render_validation_html(vid, created, result, declaration))
    return ORJSONResponse({"id": vid, "created_at": created, **result})


def _stored(ctx: ServiceContext, validation_id: str, org_id: str | None) -> tuple[str, str, dict[str, Any], Any]:
    """id, created_at, result and declaration of a stored validation (of ``org_id`` when given); 404 if none."""
    with session_scope(ctx.engine, write=False) as s:
        try:
            v = repo.get_validation(s, validation_id, org_id=org_id)
        except NotFound as e:
            raise NotFoundError(e.message) from e
        return v.id, v.created_at.isoformat(), v.result, v.declaration


def _links(ctx: ServiceContext) -> ReportLinks:
    return ReportLinks.derived_from(ctx.tokens.secret)


@router.post(
    "/v1/validations/{validation_id}/report-link",
    response_model=None,
    responses={
        200: {
            "model": ReportLinkOut,
            "description": "a link to the HTML report that needs no bearer token, until it expires",
        }
    },
    openapi_extra={"security": BEARER},
)
async def report_link(
    validation_id: str,
    principal: PrincipalDep,
    ctx: CtxDep,
    ttl_hours: Annotated[int, Query(ge=1, le=int(MAX_TTL.total_seconds()) // 3600)] = int(DEFAULT_TTL.total_seconds())
    // 3600,
) -> Response:
    """A signed, expiring link to the HTML report of one of the caller's stored validations, to send to someone
    without credentials: ``{"url": "/v1/validations/{id}/report?expires=...&sig=...", "expires_at": ...}``."""
    vid, *_ = await run_in_threadpool(_stored, ctx, validation_id, principal.org_id)
    expires_at = (ctx.clock() + timedelta(hours=ttl_hours)).replace(microsecond=0)
    return ORJSONResponse({"url": _links(ctx).path(vid, expires_at), "expires_at": expires_at.isoformat()})


@router.get(
    "/v1/validations/{validation_id}/report",
    response_class=HTMLResponse,
    responses={
        403: {"description": "the link expired or was altered: a page says which", "content": {"text/html": {}}}
    },
)
async def signed_report(
    validation_id: str,
    ctx: CtxDep,
    expires: Annotated[int, Query(ge=0, le=2**40)],
    sig: Annotated[str, Query(max_length=128)],
) -> Response:
    """The HTML report of a stored validation, opened from a signed link (``POST .../report-link``): no bearer
    token; an expired or altered link is refused (403) with a page saying which."""
    why = _links(ctx).refusal(validation_id, expires, sig, ctx.clock())
    if why is not None:
        return HTMLResponse(refusal_page(why), status_code=403, headers={"Cache-Control": "no-store"})
    vid, created, result, declaration = await run_in_threadpool(_stored, ctx, validation_id, None)
    html = render_validation_html(vid, created, result, declaration)
    return HTMLResponse(html, headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"})


# ------------------------------------------------------------------ batch


async def _batch_results(
    ctx: ServiceContext, principal: Principal, spool: IO[bytes], pack: str | None, store: bool
) -> AsyncIterator[bytes]:
    """The result lines of a spooled batch body, in chunks of about 64 KB; closes the spool at the end.

    One send per line would cost more than validating the line. A stored batch is flushed to the
    database (in chunks of ``batch_store_chunk``) before the results that include it are sent."""
    pending: list[tuple[Any, Any]] = []
    out: list[bytes] = []
    size = 0
    try:
        for number, raw in enumerate(spool, start=1):
            line = _batch_line(ctx, raw, number, pack, pending if store else None)
            out.append(line)
            size += len(line)
            if store and len(pending) >= ctx.limits.batch_store_chunk:
                await run_in_threadpool(_store_batch, ctx, principal, pending)
                pending = []
            if size >= _CHUNK:
                yield b"".join(out)
                out, size = [], 0
        if store and pending:
            await run_in_threadpool(_store_batch, ctx, principal, pending)
        yield b"".join(out)
    finally:
        spool.close()


async def _skip_empty(source: AsyncIterator[bytes | None]) -> AsyncIterator[bytes]:
    async for item in source:
        if item:
            yield item


def _batch_line(ctx: ServiceContext, raw: bytes, number: int, pack: str | None, pending: list[Any] | None) -> bytes:
    """One result line (b"" for a blank input line); a valid document's result is added to ``pending``."""
    if not raw.strip():
        return b""
    try:
        document = parse_json(raw, line=number)
        result = validate_one(ctx, document, pack)
    except RegistryError as e:
        return orjson.dumps({"line": number, "error": e.to_dict()}) + b"\n"
    if pending is not None:
        pending.append((result, document))
    return orjson.dumps({"line": number, **result.to_json()}) + b"\n"


def _store_batch(ctx: ServiceContext, principal: Principal, pending: list[tuple[Any, Any]]) -> None:
    with session_scope(ctx.engine) as s:
        for result, document in pending:
            repo.insert_validation(s, org_id=principal.org_id, result=result, declaration=document, now=ctx.clock())
