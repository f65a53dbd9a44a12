"""The human pages a label's page links to, in Chinese or English, without JavaScript (issue 14; public):

* ``GET /v1/rulepacks/{namespace}/{name}/versions/{version}/grading`` - how the pack's own (illustrative)
  bands grade a label: basis, bands and limits, who set them
* ``GET /v1/certifiers/{org_id}/page`` - a certifier: name, accreditations (state, scope), policies, contact
* ``GET /v1/certifiers/{org_id}`` - the same facts as JSON

Rendering is in :mod:`issuance`; the facts come from :mod:`registry.service.public_pages`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from issuance import (
    AccreditationLine,
    Band,
    CertifierContact,
    CertifierView,
    PackGradingView,
    SchemePolicy,
    pick_language,
    render_certifier_page,
    render_grading_page,
)
from registry.api.deps import CtxDep, ServiceContext
from registry.api.problems import NotFoundError
from registry.service import public_pages as svc
from registry.storage.db import session_scope
from registry.storage.errors import NotFound

router = APIRouter(tags=["consumer"])

_HEADERS = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}
_HTML_404: dict[int | str, dict[str, Any]] = {404: {"description": "no such page", "content": {"text/html": {}}}}


def _lang(request: Request, lang: str | None) -> str:
    return lang if lang in ("en", "zh") else pick_language(request.headers.get("accept-language"))


@router.get(
    "/v1/rulepacks/{namespace}/{name}/versions/{version}/grading",
    response_class=HTMLResponse,
    responses={404: {"description": "no such rule pack version"}},
)
async def pack_grading_page(
    namespace: str, name: str, version: str, request: Request, ctx: CtxDep, lang: str | None = None
) -> Response:
    """How a rule pack's own bands grade its labels (illustrative: the pack's example, not an authority's), in
    Chinese or English (``lang``, else Accept-Language)."""
    chosen = _lang(request, lang)
    try:
        facts = await run_in_threadpool(svc.pack_grading_page, ctx.packs, f"{namespace}/{name}", version)
    except NotFound as e:
        raise NotFoundError(e.message) from e
    view = PackGradingView(
        pack_ref=facts["pack_ref"],
        title=facts["title"][chosen],
        publisher=facts["publisher"][chosen],
        declared_unit=facts["declared_unit"],
        metric=facts["metric"],
        bands=tuple(Band(grade=b["grade"], max=b["max"], meaning=b["meaning"][chosen] or None) for b in facts["bands"]),
        basis=facts["basis"][chosen] or None,
        notice=facts["notice"][chosen] or None,
        page_path=f"/v1/rulepacks/{namespace}/{name}/versions/{version}/grading",
    )
    return HTMLResponse(render_grading_page(view, lang=chosen), headers=_HEADERS)  # type: ignore[arg-type]


@router.get("/v1/certifiers/{org_id}/page", response_class=HTMLResponse, responses=_HTML_404)
async def certifier_page(org_id: str, request: Request, ctx: CtxDep, lang: str | None = None) -> Response:
    """A certifier's page in Chinese or English: name, each accreditation's state and scope from the
    accreditation records, what its schemes do to labels when an accreditation lapses, and how to reach it."""
    chosen = _lang(request, lang)
    facts = await run_in_threadpool(_certifier, ctx, org_id)
    path = f"/v1/certifiers/{org_id}/page" if org_id.replace("-", "").isalnum() else None
    view = _certifier_view(facts, chosen, path) if facts else None
    html = render_certifier_page(view, lang=chosen, path=path)  # type: ignore[arg-type]
    return HTMLResponse(html, status_code=200 if facts else 404, headers=_HEADERS)


@router.get("/v1/certifiers/{org_id}", responses={404: {"description": "no such certifier"}})
async def certifier_facts(org_id: str, ctx: CtxDep) -> dict[str, Any]:
    """What the certifier's page shows, as JSON (public): name, public contact (``null``: none published),
    each accreditation as it stands now (state, validity, scope; scheme titles in ``en`` and ``zh``), the
    schemes' label policies, and the page's path."""
    facts = await run_in_threadpool(_certifier, ctx, org_id)
    if facts is None:
        raise NotFoundError(f"no certifier {org_id!r} in this registry")
    return {**facts, "page": f"/v1/certifiers/{facts['org_id']}/page"}


def _certifier(ctx: ServiceContext, org_id: str) -> dict[str, Any] | None:
    with session_scope(ctx.engine, write=False) as s:
        return svc.certifier_page(s, ctx.packs, org_id)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _certifier_view(facts: dict[str, Any], lang: str, path: str | None) -> CertifierView:
    lines = tuple(
        AccreditationLine(
            ref=a["ref"],
            body_name=a["body_name"],
            state=a["state"],
            since=a["since"],
            valid_from=_day(a["valid_from"]),
            valid_until=_day(a["valid_until"]),
            schemes=tuple(t[lang] for t in a["schemes"]),
            categories=tuple(a["categories"]),
            regions=tuple(a["regions"]),
            standard=a["standard"],
        )
        for a in facts["accreditations"]
    )
    policies = tuple(
        SchemePolicy(scheme=p["scheme"][lang], policy=p["policy"], is_default=p["is_default"])
        for p in facts["policies"]
    )
    contact = CertifierContact(**facts["contact"]) if facts["contact"] else None
    return CertifierView(
        org_id=facts["org_id"],
        name=facts["name"],
        contact=contact,
        accreditations=lines,
        policies=policies,
        page_path=path,
    )
