"""What a label shows people: its consumer page, its QR code and its printable label (all public).

* ``GET /v1/labels/{label_id}/qr`` - the QR code (short URL, or offline with the token), SVG or PNG
* ``GET /v1/labels/{label_id}/label.svg`` - a printable label: grade badge, value, QR code
* ``GET /l/{label_id}`` and ``GET /L/{label_id}`` - the page a QR code opens, in English or Chinese
  (``/L`` is the one QR codes carry: an upper-case URL is all QR alphanumeric); the same URL answers
  the label's JSON (``Accept: application/json``) or its RFC 9264 linkset (``application/linkset+json``)

Rendering is in :mod:`issuance`; the label's state and names come from the registry's records.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from issuance import (
    AccreditationView,
    LabelClaims,
    LabelPageView,
    Verification,
    VerifyStatus,
    pick_language,
    render_label_page,
    render_label_svg,
    render_qr,
    transition_text,
)
from registry.api.deps import CtxDep, ORJSONResponse, ServiceContext
from registry.api.labels import label_cache, label_json, label_linkset, names_in, preferred_type
from registry.api.problems import NotFoundError
from registry.service import labels as svc
from registry.service import tlog as log_svc
from registry.service.label_views import qr_data
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import Label

router = APIRouter()

# the QR code's content: the short label URL, with the token (offline), or the product's GS1 Digital Link
# URI; None: the kind the label was issued with (the short URL unless it asked for digital-link)
QRKindParam = Annotated[Literal["url", "offline", "digital-link"] | None, Query()]

_PAGE_TYPES = ("text/html", "application/json", "application/linkset+json")  # HTML first: it wins ties
_PAGE_HEADERS = {"Cache-Control": "no-store", "Vary": "Accept, Accept-Language"}
_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the page (HTML, the default); the label as GET /v1/labels/{label_id} gives it "
        "(Accept: application/json); or an RFC 9264 linkset (Accept: application/linkset+json)",
        "content": {
            "text/html": {},
            "application/json": {"schema": {"$ref": "#/components/schemas/LabelOut"}},
            "application/linkset+json": {"schema": {"type": "object"}},
        },
    },
    404: {
        "description": "no such label: the page says so (a problem for JSON and linkset requests)",
        "content": {"text/html": {}, "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
}


@router.get(
    "/v1/labels/{label_id}/qr",
    tags=["labels"],
    response_class=Response,
    responses={
        200: {
            "content": {
                "image/svg+xml": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def label_qr(
    label_id: str,
    ctx: CtxDep,
    kind: QRKindParam = None,
    format: Literal["svg", "png"] = "svg",
    scale: Annotated[int, Query(ge=1, le=40)] = 8,
) -> Response:
    """The label's QR code: its short URL (at most version 4-M), with the token (offline, at most 13-M), or
    the product's GS1 Digital Link URI (digital-link, at most 6-M); by default the kind the label was issued
    with (the short URL unless it asked for digital-link). Refused (409) unless the label is valid now."""
    label = await _printable(ctx, label_id)
    base = label_cache(ctx).settings.base_url
    used = kind or label.qr_kind or "url"
    data = qr_data(label, base, used)
    body = render_qr(data, kind=used, fmt=format, scale=scale)  # type: ignore[arg-type]
    media = "image/svg+xml" if format == "svg" else "image/png"
    return Response(body, media_type=media, headers={"Cache-Control": "public, max-age=86400"})


@router.get(
    "/v1/labels/{label_id}/label.svg",
    tags=["labels"],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
)
async def printable(label_id: str, ctx: CtxDep, lang: Literal["en", "zh"] = "en", kind: QRKindParam = None) -> Response:
    """A printable label: grade badge, value per declared unit, boundary, pack, certifier, validity, QR.
    Refused (409) unless the label is valid now."""
    label = await _printable(ctx, label_id)
    cache = label_cache(ctx)
    names = await run_in_threadpool(_names, ctx, label)
    claims = LabelClaims.model_validate(label.claims)
    base = cache.settings.base_url
    qr_url = qr_data(label, base, kind)
    svg = render_label_svg(
        claims,
        qr_url=qr_url,
        certifier_name=names["certifier"],
        pack_title=names["pack"][lang],
        lang=lang,
        grade_scale=names["grades"],
    )
    return Response(svg, media_type="image/svg+xml")


# The consumer page has no docstring, as before: it would become the operations' OpenAPI description.
# Registered for /l, then /L (decorators apply from the bottom up).


@router.get("/L/{label_id}", tags=["consumer"], response_class=HTMLResponse, name="page/L", responses=_PAGE_RESPONSES)
@router.get("/l/{label_id}", tags=["consumer"], response_class=HTMLResponse, name="page/l", responses=_PAGE_RESPONSES)
async def consumer_page(label_id: str, request: Request, ctx: CtxDep, lang: str | None = None) -> Response:
    cache = label_cache(ctx)  # refuses early when labels cannot be served
    wanted = preferred_type(request.headers.get("accept"), _PAGE_TYPES)
    if wanted != "text/html":
        return await _machine_answer(ctx, cache.settings, label_id, wanted)
    chosen = lang if lang in ("en", "zh") else pick_language(request.headers.get("accept-language"))
    v, names = await run_in_threadpool(_page_facts, ctx, label_id)
    view = _page_view(v, names, chosen)
    if names is not None:  # a label that exists can be reported (registry/api/routes/complaints.py)
        view = view.model_copy(update={"complaint_url": f"/l/{label_id.upper()}/complaint?lang={chosen}"})
    html = render_label_page(view, lang=chosen)  # type: ignore[arg-type]
    status = 404 if v.status is VerifyStatus.UNKNOWN else 200
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


# ------------------------------------------------------------------ helpers


async def _machine_answer(ctx: ServiceContext, settings: Any, label_id: str, wanted: str) -> Response:
    """The label as JSON (what GET /v1/labels/{id} answers) or its RFC 9264 linkset; 404 problem if unknown."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            label = store.get_label(s, label_id.upper())
            key_state = svc.standing_of(store.get_signing_key(s, label.kid))
            v = svc.stored_verification(label, key_state, now=ctx.clock())
            return label_json(
                label, v, settings, log_svc.label_log(s, settings.registry_key, settings.public_url, label.id)
            )

    try:
        out = await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e
    body = out if wanted == "application/json" else label_linkset(settings.base_url, out["id"])
    return ORJSONResponse(body, media_type=wanted, headers=_PAGE_HEADERS)


async def _printable(ctx: ServiceContext, label_id: str) -> Label:
    """The label, when artwork may be made for it (valid now); 404 when there is none, 409 saying why not."""

    def run() -> Label:
        with session_scope(ctx.engine, write=False) as s:
            return svc.printable_label(s, label_id, now=ctx.clock())

    try:
        return await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e


def _names(ctx: ServiceContext, label: Label) -> dict[str, Any]:
    with session_scope(ctx.engine, write=False) as s:
        return names_in(s, ctx, label)


def _page_facts(ctx: ServiceContext, label_id: str) -> tuple[Verification, dict[str, Any] | None]:
    """The label's verification as of now (``unknown`` when there is no such label) and its display names."""
    with session_scope(ctx.engine, write=False) as s:
        try:
            label: Label | None = store.get_label(s, label_id.upper())
        except NotFound:
            label = None
        key_state = svc.standing_of(store.get_signing_key(s, label.kid)) if label else None
        v = svc.stored_verification(label, key_state, now=ctx.clock())
        return v, (names_in(s, ctx, label) if label else None)


def _page_view(v: Verification, names: dict[str, Any] | None, lang: str) -> LabelPageView:
    return LabelPageView(
        verification=v,
        product_name=names["product"] if names else None,
        certifier_name=names["certifier"] if names else None,
        pack_title=names["pack"][lang] if names else None,
        scheme_title=names["scheme"] if names else None,
        status_checked_at=v.checked_at,
        rule_pack_url=names["pack_url"] if names else None,
        trust_list_url="/v1/trust-list",
        grade_scale=names["grades"] if names else tuple("ABCDEFG"),
        grading_basis=(names.get("grading_basis") or {}).get(lang) if names else None,
        recomputed_from=names["recomputed"][0] if names and names.get("recomputed") else None,
        recomputed_deviation=names["recomputed"][1] if names and names.get("recomputed") else None,
        accreditation=AccreditationView(**names["accreditation"]) if names and names.get("accreditation") else None,
        catalogue_url=_catalogue_url(v),
        grading_transition=transition_text(lang, names.get("transition")) if names else None,  # type: ignore[arg-type]
    )


def _catalogue_url(v: Verification) -> str | None:
    """The public page of the grading catalogue that set the label's grade (issue 13)."""
    ref = v.claims.catalogue if v.claims is not None else None
    if ref is None:
        return None
    ident, _, version = ref.partition("@")
    return f"/v1/catalogues/{ident}/versions/{version}/page"
