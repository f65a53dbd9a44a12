"""Complaints about labels: the public form on a label's page, and the certifier's handling.

* ``GET /l/{label_id}/complaint`` - the form (HTML, no JavaScript), linked from the consumer page
* ``POST /l/{label_id}/complaint`` - file it (``application/x-www-form-urlencoded``): no account;
  limited per source address; a receipt page with the reference number
* ``GET /v1/complaints``, ``GET /v1/complaints/{reference}`` - the caller's complaints (certifiers)
* ``POST /v1/complaints/{reference}/review`` - received -> under_review
* ``POST /v1/complaints/{reference}/decision`` - under_review -> upheld | rejected; an upheld
  complaint may suspend or revoke the label in the same transaction

What keeps the no-account form safe enough is in :mod:`registry.supervision.complaints`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from issuance import pick_language
from registry.api.deps import BEARER, CtxDep, PrincipalDep, ServiceContext
from registry.errors import InputError, InputProblems, RegistryError
from registry.service import complaints as svc
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.supervision import (
    COMPLAINT_PAGE_CSP,
    ComplaintAction,
    ComplaintState,
    FormTokens,
    check_complaint_form,
    render_complaint_form,
    render_complaint_received,
)

router = APIRouter()

MAX_FORM_BYTES = 8 * 1024  # the form's fields at their limits fit in well under this
_HEADERS = {"Cache-Control": "no-store", "Content-Security-Policy": COMPLAINT_PAGE_CSP, "X-Frame-Options": "DENY"}
_FORM_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["token", "category", "text"],
                "properties": {
                    "token": {"type": "string", "description": "from the form page"},
                    "category": {"type": "string", "enum": ["wrong_value", "wrong_product", "misleading_use", "other"]},
                    "text": {"type": "string", "maxLength": 2000},
                    "contact": {"type": "string", "maxLength": 200},
                    "lang": {"type": "string", "enum": ["en", "zh"]},
                },
            }
        }
    },
}
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["upheld", "rejected"]
    action: ComplaintAction = ComplaintAction.NONE
    reason: str = Field(min_length=1, max_length=2000)


def _tokens(ctx: ServiceContext) -> FormTokens:
    return FormTokens.derived_from(ctx.tokens.secret)


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "-"


def _lang(request: Request, given: str | None) -> Literal["en", "zh"]:
    if given in ("en", "zh"):
        return given  # type: ignore[return-value]
    return "zh" if pick_language(request.headers.get("accept-language")) == "zh" else "en"


def _label_exists(ctx: ServiceContext, label_id: str) -> bool:
    with session_scope(ctx.engine, write=False) as s:
        try:
            store.get_label(s, label_id.upper())
        except NotFound:
            return False
        return True


def _form(ctx: ServiceContext, request: Request, label_id: str, lang: Literal["en", "zh"], **kw: Any) -> str:
    token = _tokens(ctx).issue(label_id, _address(request), ctx.clock().timestamp())
    return render_complaint_form(
        label_id.upper(), token=token, action=f"/l/{label_id.upper()}/complaint", lang=lang, **kw
    )


def _html(body: str, status: int, **headers: str) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_HEADERS | headers)


@router.get(
    "/l/{label_id}/complaint", tags=["consumer"], response_class=HTMLResponse, responses={200: _HTML, 404: _HTML}
)
async def complaint_form(label_id: str, request: Request, ctx: CtxDep, lang: str | None = None) -> Response:
    """The form to report a problem with a label (no account, no JavaScript)."""
    chosen = _lang(request, lang)
    if len(label_id) > 16 or not await run_in_threadpool(_label_exists, ctx, label_id):
        return _html("<!doctype html><title>404</title><p>No such label.</p>", 404)
    return _html(_form(ctx, request, label_id, chosen), 200)


def _cross_site(request: Request) -> bool:
    """A browser that says the form was posted from another site (Sec-Fetch-Site, else Origin)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


@router.post(
    "/l/{label_id}/complaint",
    tags=["consumer"],
    response_class=HTMLResponse,
    status_code=201,
    openapi_extra={"requestBody": _FORM_BODY},
    responses={201: _HTML, 400: _HTML, 403: _HTML, 404: _HTML, 413: _HTML, 422: _HTML, 429: _HTML},
)
async def file_complaint(label_id: str, request: Request, ctx: CtxDep) -> Response:
    """File a complaint about a label from its form; the answer is a page with the reference number."""
    address, now = _address(request), ctx.clock()
    blocked = ctx.complaint_limiter.blocked([("address", address)], now.timestamp())
    if blocked is not None:
        wait = blocked.retry_after
        page = f"<!doctype html><title>429</title><p>Too many reports from this address; try again in {wait} s.</p>"
        return _html(page, 429, **{"Retry-After": str(blocked.retry_after)})
    ctx.complaint_limiter.failed([("address", address)], now.timestamp())  # every attempt counts
    if _cross_site(request):
        return _html("<!doctype html><title>403</title><p>Reports are sent from the label's own page.</p>", 403)
    fields = await _fields(request)
    if fields is None:
        return _html("<!doctype html><title>413</title><p>The report is too long.</p>", 413)
    if not fields:
        return _html("<!doctype html><title>400</title><p>The report is not a filled-in form.</p>", 400)
    lang = _lang(request, fields.get("lang"))
    if len(label_id) > 16 or not await run_in_threadpool(_label_exists, ctx, label_id):
        return _html("<!doctype html><title>404</title><p>No such label.</p>", 404)
    try:
        _tokens(ctx).check(fields.get("token", ""), label_id, address, now.timestamp())
        form = check_complaint_form(fields)
    except InputError as e:
        status = 422 if isinstance(e, InputProblems) else 400
        return _html(_form(ctx, request, label_id, lang, errors=_messages(e), values=fields), status)

    def run() -> str:
        with session_scope(ctx.engine) as s:
            return svc.file_complaint(s, label_id, form, now=now).reference

    reference = await run_in_threadpool(run)
    page = render_complaint_received(reference, label_url=f"/l/{label_id.upper()}?lang={lang}", lang=lang)
    return _html(page, 201, **{"X-Complaint-Reference": reference})


async def _fields(request: Request) -> dict[str, str] | None:
    """The urlencoded form's fields (the first of each name), or None when the body is over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    text = body.decode("utf-8", errors="replace")
    fields: dict[str, str] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=20)
    except ValueError:  # more fields than the form has: not our form
        return {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def _messages(e: RegistryError) -> list[str]:
    problems = getattr(e, "problems", None) or [e]
    return [p.message for p in problems]


# ------------------------------------------------------------------ the certifier's handling


@router.get("/v1/complaints", tags=["complaints"], openapi_extra={"security": BEARER})
async def list_complaints(
    principal: PrincipalDep,
    ctx: CtxDep,
    state: ComplaintState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Complaints about the caller's labels (certifiers), newest first."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            rows = svc.list_for_certifier(s, principal, state=state, limit=limit, offset=offset)
            return {"items": [svc.complaint_json(r) for r in rows]}

    return await run_in_threadpool(run)


@router.get("/v1/complaints/{reference}", tags=["complaints"], openapi_extra={"security": BEARER})
async def get_complaint(reference: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """A complaint about one of the caller's labels."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            return svc.complaint_json(svc.get_for_certifier(s, principal, reference))

    return await run_in_threadpool(run)


@router.post("/v1/complaints/{reference}/review", tags=["complaints"], openapi_extra={"security": BEARER})
async def review_complaint(reference: str, body: ReviewBody, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Start reviewing a received complaint (the label's certifier)."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            row = svc.move(s, principal, reference, ComplaintState.UNDER_REVIEW, reason=body.note, now=ctx.clock())
            return svc.complaint_json(row)

    return await run_in_threadpool(run)


@router.post("/v1/complaints/{reference}/decision", tags=["complaints"], openapi_extra={"security": BEARER})
async def decide_complaint(reference: str, body: DecisionBody, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Uphold or reject a complaint under review (the label's certifier); an upheld one may suspend or
    revoke its label (``action``), in the same transaction."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            row = svc.move(
                s,
                principal,
                reference,
                ComplaintState(body.decision),
                action=body.action,
                reason=body.reason,
                now=ctx.clock(),
            )
            return svc.complaint_json(row)

    return await run_in_threadpool(run)
