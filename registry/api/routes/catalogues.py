"""Grading catalogues (issue 13): publish, list, read, diff, the public page, percentile drafts, statistics.

* ``GET /v1/catalogues`` - every stored catalogue version (summaries)
* ``GET /v1/catalogues/{namespace}/{name}/versions`` and ``.../versions/{version}`` (document and envelope)
* ``GET /v1/catalogues/{namespace}/{name}/versions/{version}/page`` - the public page (zh, en; no script)
* ``GET /v1/catalogues/{namespace}/{name}/diff`` - what changed between two versions
* ``POST /v1/catalogues`` - publish a signed catalogue (an authority: a standards body as scheme owner, or a
  regulator)
* ``POST /v1/catalogues/{namespace}/{name}/versions/{version}/deprecate`` and ``.../withdraw`` - by its owner
* ``POST /v1/catalogues/{namespace}/{name}/regrade`` - enforce "re-grade by a date" (dry run unless apply=true)
* ``POST /v1/catalogues/compute`` - the draft of a percentile catalogue from this registry's labels
* ``GET /v1/statistics/{namespace}/{name}`` - a category's statistics (a pack id), only above the floor

Reads are public; writes need an authority's credentials. Decisions are in :mod:`registry.service.catalogues`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from issuance import pick_language
from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext
from registry.api.models import StatusChange, signed_body
from registry.catalogues import render_catalogue_page
from registry.inputs import parse_json
from registry.service import catalogues as service
from registry.service.principal import Principal
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import PackStatus

router = APIRouter(tags=["grading catalogues"])

_ENVELOPE_BODY = signed_body("a signed grading catalogue (schemas/signed-gradingcatalogue-1.0.json)")
_TEMPLATE_BODY = signed_body("a catalogue document whose percentile categories give cut-off and percentiles")
_PAGE_HEADERS = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}


@router.get("/v1/catalogues")
async def list_catalogues(ctx: CtxDep) -> list[dict[str, Any]]:
    """Every stored grading catalogue version, by id and version."""

    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            return [service.version_json(r) for r in service.list_versions(s)]

    return await run_in_threadpool(run)


@router.get("/v1/catalogues/{namespace}/{name}/versions")
async def list_versions(namespace: str, name: str, ctx: CtxDep) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            rows = service.list_versions(s, f"{namespace}/{name}")
            if not rows:
                raise NotFound(f"no grading catalogue {namespace}/{name}")
            return [service.version_json(r) for r in rows]

    return await run_in_threadpool(run)


@router.get("/v1/catalogues/{namespace}/{name}/versions/{version}")
async def get_version(namespace: str, name: str, version: str, ctx: CtxDep) -> dict[str, Any]:
    """One version: its summary, the catalogue document and the signed envelope as published."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            row = service.get_version(s, f"{namespace}/{name}", version)
            return {**service.version_json(row), "catalogue": row.content, "envelope": row.envelope}

    return await run_in_threadpool(run)


@router.get("/v1/catalogues/{namespace}/{name}/versions/{version}/page", tags=["consumer"], response_class=HTMLResponse)
async def catalogue_page(
    namespace: str, name: str, version: str, request: Request, ctx: CtxDep, lang: str | None = None
) -> Response:
    """The catalogue's public page in Chinese or English (``lang``, else Accept-Language): bands, limits,
    basis, who set it, since when."""
    chosen = lang if lang in ("en", "zh") else pick_language(request.headers.get("accept-language"))

    def run() -> str:
        with session_scope(ctx.engine, write=False) as s:
            row = service.get_version(s, f"{namespace}/{name}", version)
            catalogue = service.row_catalogue(row)
            path = f"/v1/catalogues/{namespace}/{name}/versions/{version}/page"  # a stored version: safe characters
            return render_catalogue_page(catalogue, lang=chosen, digest=row.digest, path=path)  # type: ignore[arg-type]

    return HTMLResponse(await run_in_threadpool(run), headers=_PAGE_HEADERS)


@router.get("/v1/catalogues/{namespace}/{name}/diff")
async def diff(
    namespace: str,
    name: str,
    ctx: CtxDep,
    from_: Annotated[str, Query(alias="from", max_length=100)],
    to: Annotated[str, Query(max_length=100)],
) -> list[dict[str, Any]]:
    """Each change between two stored versions as ``{path, before, after}`` (a band's limit as computed)."""

    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            return service.diff_versions(s, f"{namespace}/{name}", from_, to)

    return await run_in_threadpool(run)


@router.post(
    "/v1/catalogues",
    status_code=201,
    openapi_extra={"requestBody": _ENVELOPE_BODY, "security": BEARER},
    responses={200: {"description": "already published with the same content"}},
)
async def publish(request: Request, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Publish a signed catalogue. 201 when stored, 200 when the same content was already there; 403 when the
    publisher is no authority for the role the catalogue states; 422 with every finding when the meta check
    fails (nothing is stored); 409 when the version exists with other content."""
    envelope = parse_json(await request.body())

    def run() -> tuple[dict[str, Any], bool]:
        with session_scope(ctx.engine) as s:
            outcome = service.publish(s, principal, envelope, now=ctx.clock())
            body = {**service.version_json(outcome.row), "findings": [f.to_json() for f in outcome.findings]}
            return body, outcome.created

    body, created = await run_in_threadpool(run)
    return ORJSONResponse(body, status_code=201 if created else 200)  # type: ignore[return-value]


@router.post("/v1/catalogues/{namespace}/{name}/versions/{version}/deprecate", openapi_extra={"security": BEARER})
async def deprecate(
    namespace: str, name: str, version: str, change: StatusChange, principal: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    """Deprecate a version with a reason (its owner): it still grades labels while in force."""
    return await _change_status(ctx, principal, f"{namespace}/{name}", version, PackStatus.DEPRECATED, change)


@router.post("/v1/catalogues/{namespace}/{name}/versions/{version}/withdraw", openapi_extra={"security": BEARER})
async def withdraw(
    namespace: str, name: str, version: str, change: StatusChange, principal: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    """Withdraw a version with a reason (its owner; final): it grades no new label; labels it graded keep the
    grade their token signs, and their record shows the withdrawal."""
    return await _change_status(ctx, principal, f"{namespace}/{name}", version, PackStatus.WITHDRAWN, change)


async def _change_status(
    ctx: ServiceContext, principal: Principal, ident: str, version: str, target: PackStatus, change: StatusChange
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            row = service.change_status(s, principal, ident, version, target, reason=change.reason, now=ctx.clock())
            return service.version_json(row)

    return await run_in_threadpool(run)


@router.post("/v1/catalogues/{namespace}/{name}/regrade", openapi_extra={"security": BEARER})
async def regrade(
    namespace: str, name: str, principal: PrincipalDep, ctx: CtxDep, apply: bool = False
) -> dict[str, Any]:
    """Enforce the transition rule "re-grade by a date" (the catalogue's owner): each standing label graded under
    an earlier version, with the grade the version now in force gives it, or why its record does not allow one.
    A dry run unless ``apply=true``; applied, each new grade is recorded on the label, logged and kept in its
    history."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=apply) as s:
            report = service.regrade(s, principal, f"{namespace}/{name}", now=ctx.clock(), apply=apply)
            return report.to_json()

    return await run_in_threadpool(run)


@router.post("/v1/catalogues/compute", openapi_extra={"requestBody": _TEMPLATE_BODY, "security": BEARER})
async def compute(request: Request, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """The draft of a percentile catalogue: each band's limit computed from the valid labels of its category's
    packs up to the cut-off date and frozen, with the meta check's findings; refused (422) below 5 companies
    or 10 labels. Sign the draft and publish it to make it a version."""
    principal.require("publisher", "regulator")
    template = parse_json(await request.body())

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            draft, findings = service.compute(s, template)
            return {"draft": draft, "findings": [f.to_json() for f in findings]}

    return await run_in_threadpool(run)


@router.get("/v1/statistics/{namespace}/{name}")
async def statistics(namespace: str, name: str, ctx: CtxDep) -> dict[str, Any]:
    """Statistics of a category (a rule pack id) from this registry's valid labels: count, percentiles and the
    median per year, published only where at least 5 companies and 10 labels stand behind them; below that,
    ``published: false`` and no figure."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            return service.statistics(s, f"{namespace}/{name}")

    return await run_in_threadpool(run)
