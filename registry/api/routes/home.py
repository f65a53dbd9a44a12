"""The registry's front page for people (public).

* ``GET /`` - what this registry is, with a search by label id or GTIN, in English or Chinese
* ``GET /search?q=`` - a label id opens that label's page; a GTIN lists that product's labels

Rendering is in :mod:`issuance`; the labels found come from the registry's records.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from issuance import normalize_gtin, pick_language, render_landing_page
from registry.api.deps import CtxDep, ServiceContext
from registry.errors import RegistryError
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.models import LabelState

router = APIRouter(tags=["consumer"])

_LABEL_ID = re.compile(r"[A-Za-z2-7]{16}")
_HEADERS = {"Cache-Control": "no-store", "Vary": "Accept-Language"}
_SEARCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "a label id: its page"},
    404: {"description": "no label for that GTIN: the page says so", "content": {"text/html": {}}},
    400: {"description": "neither a label id nor a GTIN: the page says so", "content": {"text/html": {}}},
}

# No docstrings on the two pages: they would become the operations' OpenAPI descriptions.


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, lang: str | None = None) -> HTMLResponse:
    chosen = _lang(request, lang)
    return HTMLResponse(render_landing_page(lang=chosen), headers=_HEADERS)  # type: ignore[arg-type]


@router.get("/search", response_class=HTMLResponse, responses=_SEARCH_RESPONSES)
async def search(
    request: Request, ctx: CtxDep, q: Annotated[str, Query(max_length=64)], lang: str | None = None
) -> Response:
    chosen = _lang(request, lang)
    text = q.strip().replace(" ", "")
    if _LABEL_ID.fullmatch(text):
        return RedirectResponse(f"/L/{text.upper()}", status_code=303)
    try:
        gtin = normalize_gtin(text)
    except RegistryError:
        page = render_landing_page(lang=chosen, query=q, message="bad")  # type: ignore[arg-type]
        return HTMLResponse(page, status_code=400, headers=_HEADERS)
    found = await run_in_threadpool(_labels_of, ctx, gtin)
    message = "results" if found else "none"
    page = render_landing_page(lang=chosen, query=q, message=message, results=found)  # type: ignore[arg-type]
    return HTMLResponse(page, status_code=200 if found else 404, headers=_HEADERS)


def _lang(request: Request, lang: str | None) -> str:
    return lang if lang in ("en", "zh") else pick_language(request.headers.get("accept-language"))


def _labels_of(ctx: ServiceContext, gtin: str) -> tuple[tuple[str, str], ...]:
    """(label id, what the link shows) for the product's labels: product name, grade, state, validity."""
    with session_scope(ctx.engine, write=False) as s:
        rows = store.labels_for_gtin(s, gtin)
    return tuple(
        (r.id, f"{r.product_name} · {r.grade or '-'} · {LabelState(r.state).value} · {r.expires_at.date()} · {r.id}")
        for r in rows
    )
