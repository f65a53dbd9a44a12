"""Rule packs: search, read, diff, publish, deprecate and withdraw pack versions.

* ``GET /v1/rulepacks`` - search by HS or CPC code, text, publisher and status (paged)
* ``GET /v1/rulepacks/{namespace}/{name}`` - the version that applied on a date
* ``GET /v1/rulepacks/{namespace}/{name}/versions`` and ``.../versions/{version}``
* ``GET /v1/rulepacks/{namespace}/{name}/diff`` - every change between two versions
* ``POST /v1/rulepacks`` - publish a signed pack envelope (publishers)
* ``POST /v1/rulepacks/{namespace}/{name}/versions/{version}/deprecate`` and ``.../withdraw``

Reads are public; writes need a publisher's credentials. Decisions are in :mod:`registry.service.packs`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext, next_page
from registry.api.models import PackSummaryOut, PackVersionOut, StatusChange, signed_body
from registry.api.problems import NotFoundError
from registry.inputs import parse_json
from registry.packs import diff_refs
from registry.service.principal import Principal
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import CodeScheme, PackStatus, RulePackVersion
from registry.yamlpos import dump_yaml

_PACK_VERSION: dict[int | str, dict[str, Any]] = {
    200: {"model": PackVersionOut, "content": {"application/yaml": {"schema": {"type": "string"}}}}
}
router = APIRouter(tags=["rule packs"])

_ENVELOPE_BODY = signed_body("a signed rule pack (schemas/signed-rulepack-1.0.json)")


class PackSummary(BaseModel):
    id: str
    version: str
    status: str
    digest: str
    title: dict[str, str]
    hs: list[str]
    cpc: list[str]
    effective_from: date
    effective_until: date | None


# ------------------------------------------------------------------ reading


@router.get("/v1/rulepacks")
async def list_packs(
    request: Request,
    response: Response,
    ctx: CtxDep,
    hs: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9.]+$")] = None,
    cpc: Annotated[str | None, Query(max_length=10, pattern=r"^[0-9]+$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    publisher: Annotated[str | None, Query(max_length=64)] = None,
    status: PackStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict[str, Any]]:
    """Search pack versions by HS or CPC code (prefix), text, publisher and status.

    Paged by ``limit``/``offset``; when more results follow, a ``Link: <...>; rel="next"``
    header (RFC 8288) gives the next page's URL."""
    found = await run_in_threadpool(
        _search, ctx, hs=hs, cpc=cpc, text=q, namespace=publisher, status=status, limit=limit + 1, offset=offset
    )
    return next_page(request, response, found, limit=limit, offset=offset)


@router.get("/v1/rulepacks/{namespace}/{name}", responses=_PACK_VERSION)
async def get_pack(
    namespace: str,
    name: str,
    ctx: CtxDep,
    on: date | None = None,
    format: Annotated[str, Query(pattern="^(json|yaml)$")] = "json",
) -> Response:
    """The version that applied on a date (``on``, default today), or the newest published one."""
    from registry.service.packs import version_on

    pack_id = f"{namespace}/{name}"

    def run() -> RulePackVersion:
        with session_scope(ctx.engine, write=False) as s:
            return version_on(s, pack_id, on or ctx.clock().date())

    return _pack_response(await run_in_threadpool(run), format)


@router.get("/v1/rulepacks/{namespace}/{name}/versions")
async def list_versions(namespace: str, name: str, ctx: CtxDep) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            rows = repo.list_pack_versions(s, f"{namespace}/{name}", newest_first=True)
            if not rows:
                raise NotFoundError(f"no rule pack {namespace}/{name}")
            return [_summary(r) for r in rows]

    return await run_in_threadpool(run)


@router.get("/v1/rulepacks/{namespace}/{name}/versions/{version}", responses=_PACK_VERSION)
async def get_version(
    namespace: str,
    name: str,
    version: str,
    ctx: CtxDep,
    format: Annotated[str, Query(pattern="^(json|yaml)$")] = "json",
) -> Response:
    def run() -> RulePackVersion:
        with session_scope(ctx.engine, write=False) as s:
            try:
                return repo.get_pack_version(s, f"{namespace}/{name}", version)
            except NotFound as e:
                raise NotFoundError(e.message) from e

    return _pack_response(await run_in_threadpool(run), format)


@router.get("/v1/rulepacks/{namespace}/{name}/diff")
async def diff(
    namespace: str,
    name: str,
    ctx: CtxDep,
    from_: Annotated[str, Query(alias="from", max_length=100)],
    to: Annotated[str, Query(max_length=100)],
) -> dict[str, Any]:
    """Every change between two versions, classified, with the version bump it needs."""
    pack_id = f"{namespace}/{name}"
    catalog = ctx.packs.catalog()
    result = diff_refs(catalog, f"{pack_id}@{from_}", f"{pack_id}@{to}")
    out: dict[str, Any] = result.to_json()
    return out


# ------------------------------------------------------------------ publishing


@router.post(
    "/v1/rulepacks",
    status_code=201,
    responses={
        200: {"model": PackSummaryOut, "description": "already published with the same content"},
        201: {"model": PackSummaryOut, "description": "published (with its diff from the previous version)"},
    },
    openapi_extra={"requestBody": _ENVELOPE_BODY, "security": BEARER},
)
async def publish_pack(request: Request, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Publish a signed pack envelope. 201 when stored, 200 when the same content was already there."""
    envelope = parse_json(await request.body())
    body, created = await run_in_threadpool(_publish, ctx, principal, envelope)
    ctx.packs.refresh(force=True)
    return ORJSONResponse(body, status_code=201 if created else 200)


@router.post("/v1/rulepacks/{namespace}/{name}/versions/{version}/deprecate")
async def deprecate_pack(
    namespace: str, name: str, version: str, change: StatusChange, principal: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    return await _change_status(ctx, principal, f"{namespace}/{name}", version, PackStatus.DEPRECATED, change)


@router.post("/v1/rulepacks/{namespace}/{name}/versions/{version}/withdraw")
async def withdraw_pack(
    namespace: str, name: str, version: str, change: StatusChange, principal: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    return await _change_status(ctx, principal, f"{namespace}/{name}", version, PackStatus.WITHDRAWN, change)


# ------------------------------------------------------------------ helpers


def _search(
    ctx: ServiceContext,
    *,
    hs: str | None,
    cpc: str | None,
    text: str | None,
    namespace: str | None,
    status: PackStatus | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """The summaries of the pack versions a search finds (an HS code, when given, is used rather than a CPC code)."""
    code, scheme = (hs, CodeScheme.HS) if hs else (cpc, CodeScheme.CPC) if cpc else (None, None)
    with session_scope(ctx.engine, write=False) as s:
        rows = repo.search_pack_versions(
            s,
            covering_code=code,
            scheme=scheme,
            text=text,
            namespace=namespace,
            statuses=[status] if status else None,
            limit=limit,
            offset=offset,
        )
        return [_summary(r) for r in rows]


def _publish(ctx: ServiceContext, principal: Principal, envelope: Any) -> tuple[dict[str, Any], bool]:
    """The published version's summary (with its diff from the previous one) and whether it is new."""
    from registry.service.packs import publish

    with session_scope(ctx.engine) as s:
        outcome = publish(s, principal, envelope, now=ctx.clock())
        body = _summary(outcome.row)
        if outcome.diff is not None:
            body["diff"] = outcome.diff.to_json()
        return body, outcome.created


async def _change_status(
    ctx: ServiceContext, principal: Principal, pack_id: str, version: str, target: PackStatus, change: StatusChange
) -> dict[str, Any]:
    from registry.service.packs import change_status

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            row = change_status(s, principal, pack_id, version, target, reason=change.reason, now=ctx.clock())
            return _summary(row)

    body = await run_in_threadpool(run)
    ctx.packs.refresh(force=True)
    return body


def _summary(row: RulePackVersion) -> dict[str, Any]:
    return {
        "id": row.pack_id,
        "version": row.version,
        "status": PackStatus(row.status).value,
        "digest": row.digest,
        "title": {"en": row.title_en, "zh": row.title_zh},
        "hs": list(row.hs_codes),
        "cpc": list(row.cpc_codes),
        "effective_from": row.effective_from.isoformat(),
        "effective_until": row.effective_until.isoformat() if row.effective_until else None,
    }


def _full(row: RulePackVersion) -> dict[str, Any]:
    return {
        **_summary(row),
        "status_reason": row.status_reason,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "pack": row.content,
        "envelope": row.envelope,
    }


def _pack_response(row: RulePackVersion, fmt: str) -> Response:
    body = _full(row)
    if fmt == "yaml":
        return Response(dump_yaml(body), media_type="application/yaml")
    return ORJSONResponse(body)
