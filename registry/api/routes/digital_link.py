"""The GS1 Digital Link resolver: ``/01/{GTIN}[/22/{variant}][/10/{batch}][/21/{serial}]`` (public).

One QR code on the box serves the till (the GTIN and batch are in the URI), the shopper (a browser is
redirected to the current label's page, in its language) and the platform (``Accept:
application/linkset+json``, or ``?linkType=linkset``, answers an RFC 9264 linkset with GS1 link
types). Which label answers is :mod:`registry.service.resolver`; the URI syntax is
:mod:`issuance.digital_link`. docs/digital-link.md says what each answer holds and why.

* a browser (HTML, the default): ``307 Temporary Redirect`` to ``/L/{id}?lang=..`` (the GS1-Conformant
  Resolver Standard redirects with 307; ``?linkType=gs1:certificationInfo`` and the other link types
  redirect to that link), with a ``Link`` header naming the linkset;
* ``application/linkset+json`` or ``application/json`` or ``?linkType=linkset`` (or ``all``): the linkset;
* a GTIN without a label: 404, the counterfeit-warning page for a browser, a problem for a machine;
* a URI that is not a product's Digital Link (a wrong check digit, qualifiers out of order, ...): 400,
  the error naming the segment (``/01``, ``/10`` ...).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from issuance import (
    DigitalLink,
    DigitalLinkError,
    LabelPageView,
    Verification,
    VerifyStatus,
    label_url,
    parse_digital_link,
    pick_language,
    render_label_page,
)
from registry.api import cors
from registry.api.deps import CtxDep, ORJSONResponse, ServiceContext
from registry.api.labels import label_cache, preferred_type
from registry.api.models import ResolverDescriptionOut
from registry.api.problems import NotFoundError, problem
from registry.service import resolver
from registry.storage.db import session_scope
from registry.storage.models import Label

router = APIRouter()

GS1_VOC = "https://ref.gs1.org/voc/"  # the GS1 Web Vocabulary; link types are its IRIs (RFC 9264 section 4.2)
LANGS = ("en", "zh")
_TYPES = ("text/html", "application/linkset+json", "application/json")  # HTML first: it wins ties
# public answers any web page may read (the GS1-Conformant Resolver Standard asks resolvers for CORS)
_HEADERS = {"Cache-Control": "no-store", "Vary": "Accept, Accept-Language", **cors.CORS}
_LINKSET_VALUES = ("linkset", "all")  # Resolver 1.2 calls it linkset; 1.0 and 1.1 said all
_RESPONSES: dict[int | str, dict[str, Any]] = {
    307: {"description": "a browser: to the current label's page (/L/{id}?lang=..), or to the asked linkType"},
    200: {
        "description": "an RFC 9264 linkset (Accept: application/linkset+json or application/json, or "
        "?linkType=linkset) with gs1:defaultLink, gs1:pip, gs1:certificationInfo, gs1:sustainabilityInfo",
        "content": {
            "application/linkset+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    },
    400: {
        "description": "not a product's GS1 Digital Link URI; the problem names the segment",
        "content": {"text/html": {}, "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
    404: {
        "description": "no label for this GTIN (and batch): a warning page, or a problem for machines",
        "content": {"text/html": {}, "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
}


# no docstring: it would become the operation's OpenAPI description, which the summary below gives
@router.get(
    "/01/{path:path}",
    tags=["consumer"],
    name="gs1/01",
    summary="GS1 Digital Link resolver: /01/{GTIN}[/22/{cpv}][/10/{batch}][/21/{serial}]",
    response_class=Response,
    responses=_RESPONSES,
)
async def resolve_gtin(path: str, request: Request, ctx: CtxDep, lang: str | None = None) -> Response:
    cache = label_cache(ctx)  # refuses early when labels cannot be served
    link_type = request.query_params.get("linkType")
    wanted = preferred_type(request.headers.get("accept"), _TYPES)
    machine = wanted != "text/html" or link_type in _LINKSET_VALUES
    chosen = lang if lang in LANGS else pick_language(request.headers.get("accept-language"))
    try:
        link = parse_digital_link(_requested_uri(request))
    except DigitalLinkError as e:  # 400: the request's own URI is malformed
        if machine:
            extra = {k: v for k, v in e.to_dict().items() if k not in ("code", "message")}
            return problem(request, 400, e.code, e.message, headers=_HEADERS, **extra)
        return _warning(ctx, e.message, "bad_digital_link", chosen, 400)
    found = await run_in_threadpool(_resolve, ctx, link)
    if found.default is None:
        what = f"GTIN {link.gtin}" + (f" batch {link.batch}" if link.batch is not None else "")
        message = f"no label is registered for {what}"
        if machine:
            return problem(request, 404, NotFoundError.default_code, message, headers=_HEADERS)
        return _warning(ctx, message, "unknown_product", chosen, 404)
    base = cache.settings.base_url
    linkset = digital_link_linkset(base, found)
    if machine:
        media = wanted if wanted != "text/html" else "application/linkset+json"
        return ORJSONResponse(linkset, media_type=media, headers=_HEADERS)
    target = _target(base, found, link_type, chosen)
    anchor = linkset["linkset"][0]["anchor"]
    headers = _HEADERS | {"Link": f'<{anchor}?linkType=linkset>; rel="linkset"; type="application/linkset+json"'}
    return RedirectResponse(target, status_code=307, headers=headers)


# HEAD and OPTIONS mirror GET (registry/api/cors.py); not listed in the OpenAPI document, which lists GET.
@router.head("/01/{path:path}", include_in_schema=False)
async def resolve_gtin_head(path: str, request: Request, ctx: CtxDep, lang: str | None = None) -> Response:
    return cors.bodiless(await resolve_gtin(path, request, ctx, lang))


@router.options("/01/{path:path}", include_in_schema=False)
async def resolve_gtin_options(path: str, request: Request) -> Response:
    return cors.options(request)


@router.get(
    "/.well-known/gs1resolver",
    tags=["consumer"],
    response_class=ORJSONResponse,
    responses={200: {"model": ResolverDescriptionOut}},
)
async def resolver_description(ctx: CtxDep) -> Response:
    """The resolver description file of the GS1-Conformant Resolver Standard 1.2.0 (its description-file
    schema): ``resolverRoot``, ``supportedPrimaryKeys`` (GTIN only, AI 01), ``name``, ``supportedLinkType``
    (the GS1 Web Vocabulary, prefix ``gs1:``) and ``linkTypeDefaultCanBeLinkset`` (false: a browser is
    redirected, the linkset is asked for)."""
    base = label_cache(ctx).settings.base_url
    return ORJSONResponse(resolver_document(base), headers={"Cache-Control": "public, max-age=3600", **cors.CORS})


@router.head("/.well-known/gs1resolver", include_in_schema=False)
async def resolver_description_head(ctx: CtxDep) -> Response:
    return cors.bodiless(await resolver_description(ctx))


@router.options("/.well-known/gs1resolver", include_in_schema=False)
async def resolver_description_options(request: Request) -> Response:
    return cors.options(request)


def resolver_document(base: str) -> dict[str, Any]:
    """The description of this resolver; its root is where ``/01/...`` is served (the labels' base URL, as
    configured: the QR codes' URIs are the same in upper case, which a host and scheme ignore)."""
    return {
        "name": "pcf-registry carbon label resolver",
        "resolverRoot": base.rstrip("/"),
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
    }


# ------------------------------------------------------------------ helpers


def _requested_uri(request: Request) -> str:
    """The URI as sent (percent-encoding kept: a %2F inside a batch is not a path separator)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    uri = f"{request.url.scheme}://{request.url.netloc}{raw.decode('latin-1')}"
    return uri + (f"?{query.decode('latin-1')}" if query else "")


def _resolve(ctx: ServiceContext, link: DigitalLink) -> resolver.Resolution:
    with session_scope(ctx.engine, write=False) as s:
        return resolver.resolve(s, link, now=ctx.clock())


def _page(base: str, label_id: str, lang: str | None = None) -> str:
    url = label_url(base, label_id)
    return url if lang is None else f"{url}?lang={lang}"


def _data(base: str, label_id: str) -> str:
    url = label_url(base, label_id)
    return f"{url[: url.rindex('/L/')]}/v1/labels/{label_id}"


def _title(label: Label) -> str:
    grade = f", grade {label.grade}" if label.grade else ""
    return f"{label.scheme} carbon label {label.id}{grade}"


def digital_link_linkset(base: str, found: resolver.Resolution) -> dict[str, Any]:
    """The RFC 9264 linkset (section 4.2) of a resolved URI, anchored at its canonical Digital Link URI
    on this registry. Link types are GS1 Web Vocabulary IRIs: ``defaultLink`` (the default label's
    page), ``pip`` (its page per language, with ``hreflang``), ``certificationInfo`` (each current
    label's record, JSON) and ``sustainabilityInfo`` (each current label's page per language: the
    footprint and grade). A group without a current label has only the first two: its page says why."""
    assert found.default is not None
    label = found.default
    anchor_link = DigitalLink(stem="", gtin=found.link.gtin, cpv=found.link.cpv, batch=found.link.batch)
    root = _data(base, label.id)[: -len(f"/v1/labels/{label.id}")]
    context: dict[str, Any] = {"anchor": root + anchor_link.path}
    context[GS1_VOC + "defaultLink"] = [{"href": _page(base, label.id), "type": "text/html", "title": _title(label)}]
    context[GS1_VOC + "pip"] = [
        {"href": _page(base, label.id, lang), "type": "text/html", "hreflang": [lang], "title": _title(label)}
        for lang in LANGS
    ]
    if found.current:
        context[GS1_VOC + "certificationInfo"] = [
            {"href": _data(base, r.id), "type": "application/json", "title": _title(r)} for r in found.current
        ]
        context[GS1_VOC + "sustainabilityInfo"] = [
            {"href": _page(base, r.id, lang), "type": "text/html", "hreflang": [lang], "title": _title(r)}
            for r in found.current
            for lang in LANGS
        ]
    return {"linkset": [context]}


def _target(base: str, found: resolver.Resolution, link_type: str | None, lang: str) -> str:
    """Where a browser goes: the default label's page in ``lang``, or the first link of the asked type
    (``gs1:certificationInfo`` ...; a type this resolver does not have gives the default, as the
    resolver standard says)."""
    assert found.default is not None
    page = f"/L/{found.default.id}?lang={lang}"
    if link_type is None:
        return page
    name = link_type.removeprefix("gs1:").removeprefix(GS1_VOC)
    if name == "certificationInfo" and found.current:
        return f"/v1/labels/{found.current[0].id}"
    if name == "sustainabilityInfo" and found.current:
        return f"/L/{found.current[0].id}?lang={lang}"
    return page


def _warning(ctx: ServiceContext, detail: str, reason: str, lang: str, status: int) -> Response:
    """The consumer page's warning for a code the registry cannot vouch for (unknown: maybe a counterfeit)."""
    v = Verification(status=VerifyStatus.UNKNOWN, reason=reason, detail=detail, checked_at=ctx.clock())
    view = LabelPageView(verification=v, status_checked_at=v.checked_at)
    return HTMLResponse(render_label_page(view, lang=lang), status_code=status, headers=_HEADERS)  # type: ignore[arg-type]
