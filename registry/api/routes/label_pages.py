"""What a label shows people: its consumer page, its QR code and its printable label (all public).

* ``GET /v1/labels/{label_id}/qr`` - the QR code (short URL, or offline with the token), SVG or PNG
* ``GET /v1/labels/{label_id}/label.svg`` - a printable label: grade badge and scale, value, QR code (text as
  outlines); the PDF when asked for it (``Accept: application/pdf``), and ``label.pdf`` the same as PDF
* ``GET /l/{label_id}`` and ``GET /L/{label_id}`` - the page a QR code opens, in English or Chinese
  (``/L`` is the one QR codes carry: an upper-case URL is all QR alphanumeric); the same URL answers
  the label's JSON (``Accept: application/json``) or its RFC 9264 linkset (``application/linkset+json``)

Rendering is in :mod:`issuance`; the label's state and names come from the registry's records.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from issuance import (
    AccreditationView,
    GradeScale,
    LabelClaims,
    LabelPageView,
    LogLine,
    RegradeView,
    ScaleBand,
    Verification,
    VerifyStatus,
    pick_language,
    render_label_artwork,
    render_label_page,
    render_label_pdf,
    render_qr,
    transition_text,
    withdrawn_text,
)
from registry.api import cors
from registry.api.deps import CtxDep, ORJSONResponse, ServiceContext
from registry.api.labels import label_cache, label_json, label_linkset, names_in, preferred_type
from registry.api.problems import NotFoundError
from registry.service import catalogues as catalogue_svc
from registry.service import labels as svc
from registry.service import public_pages
from registry.service import tlog as log_svc
from registry.service.label_views import qr_data
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import Label

router = APIRouter()

_SAFE_ID = re.compile(r"[A-Za-z2-7]{16}")  # a label id: its page can link to itself
# the QR code's content: the short label URL, with the token (offline), or the product's GS1 Digital Link
# URI; None: the kind the label was issued with (the short URL unless it asked for digital-link)
QRKindParam = Annotated[Literal["url", "offline", "digital-link"] | None, Query()]

_PAGE_TYPES = ("text/html", "application/json", "application/linkset+json")  # HTML first: it wins ties
_PAGE_HEADERS = {"Cache-Control": "no-store", "Vary": "Accept, Accept-Language", **cors.CORS}
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


_ARTWORK_TYPES = ("image/svg+xml", "application/pdf")  # SVG first: it wins ties
_ARTWORK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the label at its printed size (width and height in mm), text as outlines",
        "content": {
            "image/svg+xml": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    422: {
        "description": "a name the label font cannot draw, or width_mm too small for the QR code's modules",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
}
_WidthMm = Annotated[float | None, Query(ge=10, le=1000, description="print wider than the variant's own width, in mm")]


@router.get("/v1/labels/{label_id}/label.svg", tags=["labels"], response_class=Response, responses=_ARTWORK_RESPONSES)
async def printable(
    label_id: str,
    request: Request,
    ctx: CtxDep,
    lang: Literal["en", "zh"] = "en",
    kind: QRKindParam = None,
    variant: Literal["regular", "small", "mono"] = "regular",
    width_mm: _WidthMm = None,
) -> Response:
    """A printable label: grade badge and scale, value per declared unit, boundary, batch, certifier, scheme,
    validity, QR. SVG, or PDF with ``Accept: application/pdf``. Refused (409) unless the label is valid now;
    an offline code is printed wider when its modules would be under 0.33 mm."""
    wanted = preferred_type(request.headers.get("accept"), _ARTWORK_TYPES)
    return await _artwork(ctx, label_id, lang, kind, variant, width_mm, pdf=wanted == "application/pdf")


@router.get(
    "/v1/labels/{label_id}/label.pdf",
    tags=["labels"],
    response_class=Response,
    responses={**_ARTWORK_RESPONSES, 200: {**_ARTWORK_RESPONSES[200], "content": {"application/pdf": {}}}},
)
async def printable_pdf(
    label_id: str,
    ctx: CtxDep,
    lang: Literal["en", "zh"] = "en",
    kind: QRKindParam = None,
    variant: Literal["regular", "small", "mono"] = "regular",
    width_mm: _WidthMm = None,
) -> Response:
    """The printable label as vector PDF (the same artwork as label.svg). Refused (409) unless valid now."""
    return await _artwork(ctx, label_id, lang, kind, variant, width_mm, pdf=True)


async def _artwork(
    ctx: ServiceContext, label_id: str, lang: str, kind: str | None, variant: str, width_mm: float | None, *, pdf: bool
) -> Response:
    label = await _printable(ctx, label_id)
    cache = label_cache(ctx)
    names = await run_in_threadpool(_names, ctx, label)
    base = cache.settings.base_url
    qr_url = qr_data(label, base, kind)

    def render() -> tuple[bytes, str]:
        art = render_label_artwork(
            LabelClaims.model_validate(label.claims),
            qr_url=qr_url,
            certifier_name=names["certifier"],
            pack_title=names["pack_name"][lang],
            lang=lang,  # type: ignore[arg-type]
            grade_scale=names["grades"],
            variant=variant,  # type: ignore[arg-type]
            width_mm=width_mm,
        )
        if pdf:
            return render_label_pdf(art), "application/pdf"
        return art.svg.encode("utf-8"), "image/svg+xml"

    body, media = await run_in_threadpool(render)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


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
    update: dict[str, Any] = {"page_path": f"/L/{label_id.upper()}"} if _SAFE_ID.fullmatch(label_id) else {}
    if names is not None:  # a label that exists can be reported (registry/api/routes/complaints.py)
        update["complaint_url"] = f"/l/{label_id.upper()}/complaint?lang={chosen}"
    view = view.model_copy(update=update)
    html = render_label_page(view, lang=chosen)  # type: ignore[arg-type]
    status = 404 if v.status is VerifyStatus.UNKNOWN else 200
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


# HEAD and OPTIONS mirror GET (registry/api/cors.py); not listed in the OpenAPI document, which lists GET.
@router.head("/L/{label_id}", include_in_schema=False)
@router.head("/l/{label_id}", include_in_schema=False)
async def consumer_page_head(label_id: str, request: Request, ctx: CtxDep, lang: str | None = None) -> Response:
    return cors.bodiless(await consumer_page(label_id, request, ctx, lang))


@router.options("/L/{label_id}", include_in_schema=False)
@router.options("/l/{label_id}", include_in_schema=False)
async def consumer_page_options(label_id: str, request: Request) -> Response:
    return cors.options(request)


# ------------------------------------------------------------------ helpers


async def _machine_answer(ctx: ServiceContext, settings: Any, label_id: str, wanted: str) -> Response:
    """The label as JSON (what GET /v1/labels/{id} answers) or its RFC 9264 linkset; 404 problem if unknown."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            label = store.get_label(s, label_id.upper())
            key_state = svc.standing_of(store.get_signing_key(s, label.kid))
            v = svc.stored_verification(label, key_state, now=ctx.clock())
            out = label_json(
                label, v, settings, log_svc.label_log(s, settings.registry_key, settings.public_url, label.id)
            )
            if label.catalogue is not None:  # as GET /v1/labels/{id}: where its catalogue grade stands (issue 13)
                out["grading"] = catalogue_svc.standing_of(s, label, ctx.clock().date())
            return out

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
        now = ctx.clock()
        v = svc.stored_verification(label, key_state, now=now)
        if label is None:
            return v, None
        names = names_in(s, ctx, label)
        names["scale"] = public_pages.label_scale(s, ctx.packs, label)
        names["scheme_titles"] = public_pages.scheme_titles(ctx.packs, label.scheme)
        names["log"] = public_pages.log_line(s, label.id)
        return v, names


def _page_view(v: Verification, names: dict[str, Any] | None, lang: str) -> LabelPageView:
    return LabelPageView(
        verification=v,
        product_name=names["product"] if names else None,
        certifier_name=names["certifier"] if names else None,
        pack_title=names["pack_name"][lang] if names else None,  # the page shows the id@version beside it
        scheme_title=names["scheme_titles"][lang] if names else None,
        status_checked_at=v.checked_at,
        grading_url=_grading_url(v),
        certifier_url=f"/v1/certifiers/{v.claims.issuer}/page?lang={lang}" if names and v.claims else None,
        grade_scale=names["grades"] if names else tuple("ABCDEFG"),
        grading_basis=(names.get("grading_basis") or {}).get(lang) if names else None,
        recomputed_from=names["recomputed"][0] if names and names.get("recomputed") else None,
        recomputed_deviation=names["recomputed"][1] if names and names.get("recomputed") else None,
        accreditation=AccreditationView(**names["accreditation"]) if names and names.get("accreditation") else None,
        catalogue_url=_catalogue_url(v, names),
        grading_transition=transition_text(lang, names.get("transition")) if names else None,  # type: ignore[arg-type]
        regrade=RegradeView(**names["regrade"]) if names and names.get("regrade") else None,
        grading_withdrawn=_withdrawn_text(v, names, lang),
        scale=_scale(names, lang),
        log=_log(names, v),
    )


def _scale(names: dict[str, Any] | None, lang: str) -> GradeScale | None:
    scale = names.get("scale") if names else None
    if not scale:
        return None
    bands = tuple(ScaleBand(grade=g, max=m) for g, m in scale["bands"])
    return GradeScale(bands=bands, category=scale["category"][lang], illustrative=scale["illustrative"])


def _log(names: dict[str, Any] | None, v: Verification) -> LogLine | None:
    log = names.get("log") if names else None
    if not log or v.label_id is None:
        return None
    if log["index"] is None:
        return LogLine()
    return LogLine(index=log["index"], size=log["size"], proof_url=f"/v1/labels/{v.label_id}/log-proof")


def _grading_url(v: Verification) -> str | None:
    """The human page of how the label's grade is computed: its catalogue's page, else its pack's bands."""
    if v.claims is None or v.claims.grade is None:
        return None
    if v.claims.catalogue is not None:
        return _catalogue_url(v, None)
    pack_id, _, version = v.claims.pack.partition("@")
    return f"/v1/rulepacks/{pack_id}/versions/{version}/grading"


def _withdrawn_text(v: Verification, names: dict[str, Any] | None, lang: str) -> str | None:
    """In words: the catalogue version that set the label's grade was withdrawn (when, why); it keeps its grade."""
    if not names or not names.get("withdrawn") or v.claims is None:
        return None
    ref = names["regrade"]["catalogue"] if names.get("regrade") else v.claims.catalogue
    return withdrawn_text(lang, str(ref), names["withdrawn"])  # type: ignore[arg-type]


def _catalogue_url(v: Verification, names: dict[str, Any] | None) -> str | None:
    """The public page of the grading catalogue version that set the label's grade as it stands (issue 13): its
    re-grade's when it was re-graded, else the one its token names."""
    regrade = names.get("regrade") if names else None
    ref = regrade["catalogue"] if regrade else (v.claims.catalogue if v.claims is not None else None)
    if ref is None:
        return None
    ident, _, version = ref.partition("@")
    return f"/v1/catalogues/{ident}/versions/{version}/page"
