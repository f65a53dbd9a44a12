"""Factor sets: publish, list, search factors, read a version or a factor, diff, deprecate and withdraw.

* ``GET /v1/factorsets`` - every stored set version (summaries, no records)
* ``GET /v1/factorsets/search`` - factors by activity, region, classification and text (paged)
* ``GET /v1/factorsets/{namespace}/{name}`` - the version that applied on a date
* ``GET /v1/factorsets/{namespace}/{name}/versions`` and ``.../versions/{version}`` (set and envelope)
* ``GET /v1/factorsets/{namespace}/{name}/versions/{version}/factors/{factor_id}`` - one factor
* ``GET /v1/factorsets/{namespace}/{name}/diff`` - factors added, removed and changed between two versions
* ``POST /v1/factorsets`` - publish a signed factor set envelope (publishers)
* ``POST /v1/factorsets/{namespace}/{name}/versions/{version}/deprecate`` and ``.../withdraw``

Reads are public; writes need a publisher's credentials. Decisions are in :mod:`registry.service.factors`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext, next_page
from registry.api.models import DependentsOut, FactorSetVersionOut, StatusChange, signed_body
from registry.inputs import parse_json
from registry.service import factors as service
from registry.service import trace
from registry.service.principal import Principal
from registry.storage import factorsets as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import FactorRow, FactorSetVersion, PackStatus

router = APIRouter(tags=["factor sets"])

_ENVELOPE_BODY = signed_body("a signed factor set (schemas/signed-factorset-1.0.json)")


# ------------------------------------------------------------------ reading


@router.get("/v1/factorsets")
async def list_sets(ctx: CtxDep) -> list[dict[str, Any]]:
    """Every stored factor set version, by set id, newest version first (no records)."""

    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            return [_summary(r) for r in store.list_set_versions(s)]

    return await run_in_threadpool(run)


@router.get("/v1/factorsets/search")
async def search_factors(
    request: Request,
    response: Response,
    ctx: CtxDep,
    activity: Annotated[str | None, Query(max_length=200)] = None,
    region: Annotated[str | None, Query(max_length=64)] = None,
    classification: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9-]+:[A-Za-z0-9. ]+$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    set: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict[str, Any]]:
    """Factors of published (and deprecated) versions: ``activity`` (or a dotted prefix: ``fuel``), ``region``
    (ISO 3166 or a named grid), ``classification`` (``scheme:code-prefix``, as ``hs:7601``), ``q`` (text in
    the id, activity or either name). Paged; a ``Link: <...>; rel="next"`` header gives the next page."""
    query = store.FactorQuery(activity=activity, region=region, code=classification, text=q, set_id=set)

    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            return [_factor_hit(f, v) for f, v in store.search_factors(s, query, limit=limit + 1, offset=offset)]

    found = await run_in_threadpool(run)
    return next_page(request, response, found, limit=limit, offset=offset)


@router.get("/v1/factorsets/{namespace}/{name}", responses={200: {"model": FactorSetVersionOut}})
async def get_set(namespace: str, name: str, ctx: CtxDep, on: date | None = None) -> Response:
    """The version in effect on a date (``on``, default today): its set and signed envelope."""

    def run() -> FactorSetVersion:
        with session_scope(ctx.engine, write=False) as s:
            return service.version_on(s, f"{namespace}/{name}", on or ctx.clock().date())

    return ORJSONResponse(_full(await run_in_threadpool(run)))


@router.get("/v1/factorsets/{namespace}/{name}/versions")
async def list_versions(namespace: str, name: str, ctx: CtxDep) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            rows = store.list_set_versions(s, f"{namespace}/{name}")
            if not rows:
                raise NotFound(f"no factor set {namespace}/{name}")
            return [_summary(r) for r in rows]

    return await run_in_threadpool(run)


@router.get("/v1/factorsets/{namespace}/{name}/versions/{version}", responses={200: {"model": FactorSetVersionOut}})
async def get_version(namespace: str, name: str, version: str, ctx: CtxDep) -> Response:
    def run() -> FactorSetVersion:
        with session_scope(ctx.engine, write=False) as s:
            return service.get_version(s, f"{namespace}/{name}", version)

    return ORJSONResponse(_full(await run_in_threadpool(run)))


@router.get("/v1/factorsets/{namespace}/{name}/versions/{version}/factors/{factor_id}")
async def get_factor(namespace: str, name: str, version: str, factor_id: str, ctx: CtxDep) -> dict[str, Any]:
    """One factor as written in the set, with the pinned reference ``set@version#factor-id``."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            row, record = service.factor_of(s, f"{namespace}/{name}", version, factor_id)
            return {"ref": f"{row.set_id}@{row.version}#{factor_id}", "set": _summary(row), "factor": record}

    return await run_in_threadpool(run)


@router.get(
    "/v1/factorsets/{namespace}/{name}/versions/{version}/dependents",
    responses={200: {"model": DependentsOut}},
    openapi_extra={"security": BEARER},
)
async def version_dependents(
    namespace: str, name: str, version: str, principal: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    """The caller's stored recalculations that used this factor set version, the declarations they
    recompute (and those resting on them, down the chain) and the labels resting on them (certifiers)."""
    principal.require("certifier")

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            row = service.get_version(s, f"{namespace}/{name}", version)
            return trace.dependents(s, principal.org_id, trace.factor_set_source(f"{row.set_id}@{row.version}"))

    return await run_in_threadpool(run)


@router.get("/v1/factorsets/{namespace}/{name}/diff")
async def diff(
    namespace: str,
    name: str,
    ctx: CtxDep,
    from_: Annotated[str, Query(alias="from", max_length=100)],
    to: Annotated[str, Query(max_length=100)],
) -> dict[str, Any]:
    """Factors added, removed and changed (with the relative change) between two stored versions."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            return service.diff_versions(s, f"{namespace}/{name}", from_, to).to_json()

    return await run_in_threadpool(run)


# ------------------------------------------------------------------ publishing


@router.post(
    "/v1/factorsets",
    status_code=201,
    responses={
        200: {"model": FactorSetVersionOut, "description": "already published with the same content"},
        201: {"model": FactorSetVersionOut},
    },
    openapi_extra={"requestBody": _ENVELOPE_BODY, "security": BEARER},
)
async def publish_set(request: Request, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Publish a signed factor set. 201 when stored, 200 when the same content was already there; 422 with
    every finding when the meta check fails or the licence forbids publication (nothing is stored)."""
    envelope = parse_json(await request.body())
    body, created = await run_in_threadpool(_publish, ctx, principal, envelope)
    return ORJSONResponse(body, status_code=201 if created else 200)


@router.post("/v1/factorsets/{namespace}/{name}/versions/{version}/deprecate")
async def deprecate_set(
    namespace: str, name: str, version: str, change: StatusChange, principal: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    return await _change_status(ctx, principal, f"{namespace}/{name}", version, PackStatus.DEPRECATED, change)


@router.post("/v1/factorsets/{namespace}/{name}/versions/{version}/withdraw")
async def withdraw_set(
    namespace: str, name: str, version: str, change: StatusChange, principal: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    """Withdraw a version with a reason: it stays readable, but no longer resolves or applies on any date."""
    return await _change_status(ctx, principal, f"{namespace}/{name}", version, PackStatus.WITHDRAWN, change)


# ------------------------------------------------------------------ helpers


def _publish(ctx: ServiceContext, principal: Principal, envelope: Any) -> tuple[dict[str, Any], bool]:
    with session_scope(ctx.engine) as s:
        outcome = service.publish(s, principal, envelope, now=ctx.clock())
        body = _summary(outcome.row)
        if outcome.diff is not None:
            body["diff"] = outcome.diff.to_json()
        body["findings"] = [f.to_json() for f in outcome.findings]
        return body, outcome.created


async def _change_status(
    ctx: ServiceContext, principal: Principal, set_id: str, version: str, target: PackStatus, change: StatusChange
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            row = service.change_status(s, principal, set_id, version, target, reason=change.reason, now=ctx.clock())
            return _summary(row)

    return await run_in_threadpool(run)


def _summary(row: FactorSetVersion) -> dict[str, Any]:
    return {
        "id": row.set_id,
        "version": row.version,
        "kind": row.kind,
        "status": PackStatus(row.status).value,
        "status_reason": row.status_reason,
        "digest": row.digest,
        "title": {"en": row.title_en, "zh": row.title_zh},
        "records": row.records,
        "effective_from": row.effective_from.isoformat(),
        "effective_until": row.effective_until.isoformat() if row.effective_until else None,
    }


def _full(row: FactorSetVersion) -> dict[str, Any]:
    return {**_summary(row), "factorSet": row.content, "envelope": row.envelope}


def _factor_hit(f: FactorRow, v: FactorSetVersion) -> dict[str, Any]:
    return {
        "ref": f"{v.set_id}@{v.version}#{f.factor_id}",
        "status": PackStatus(v.status).value,
        "name": {"en": f.name_en, "zh": f.name_zh},
        "activity": f.activity,
        "unit": f.unit,
        "value": f.value,
        "region": f.region,
        "year": f.year,
        "boundary": f.boundary,
    }
