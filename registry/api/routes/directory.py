"""The public directory of certified products and the bulk feed of labels (public, no credentials).

* ``GET /v1/directory`` - labels valid now by GTIN, company, category, grade or better, region, scheme;
  pages by label id, the next one in ``Link: <...>; rel="next"``
* ``GET /directory`` - the same as a page (English or Chinese, a GET form, no JavaScript)
* ``GET /v1/feed/labels`` - every label by (state change time, id), after ``since``: JSON Lines or CSV,
  strong ETag, ``If-None-Match`` answered 304; the next cursor in ``Feed-Next-Cursor`` and the Link header

Only what a label's consumer page shows (:mod:`registry.service.directory`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from issuance import normalize_gtin, pick_language, render_directory_page
from registry.api.deps import CtxDep, ORJSONResponse, ServiceContext
from registry.api.labels import label_cache, preferred_type
from registry.api.models import DirectoryOut
from registry.errors import InputError
from registry.service import directory
from registry.storage.db import session_scope

router = APIRouter()

_TEXT = Annotated[str | None, Query(max_length=300)]
_FEED_TYPES = ("application/jsonl", "text/csv")
_FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the labels changed after ``since`` (all labels without it), oldest change first",
        "content": {"application/jsonl": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}},
    },
    304: {"description": "If-None-Match names this page's ETag: unchanged"},
}


def _empty(value: str | None) -> str | None:
    """None for a missing or blank field (a form sends empty fields)."""
    return (value.strip() or None) if value is not None else None


def _query(
    gtin: str | None,
    company: str | None,
    category: str | None,
    grade_at_least: str | None,
    region: str | None,
    scheme: str | None,
    after: str | None,
    limit: int,
) -> directory.DirectoryQuery:
    wanted = _empty(gtin)
    return directory.DirectoryQuery(
        gtin=normalize_gtin(wanted) if wanted else None,
        company=_empty(company),
        category=_empty(category),
        grade_at_least=_empty(grade_at_least),
        region=(_empty(region) or "").upper() or None,
        scheme=_empty(scheme),
        after=_empty(after),
        limit=limit,
    )


def _search(ctx: ServiceContext, query: directory.DirectoryQuery) -> tuple[list[dict[str, Any]], str | None]:
    """A page of records and the label id the next page starts after (None: the last page)."""
    base = label_cache(ctx).settings.base_url
    with session_scope(ctx.engine, write=False) as s:
        bigger = directory.DirectoryQuery(**{**query.__dict__, "limit": query.limit + 1})
        records = directory.search(s, ctx.packs.catalog(), bigger, now=ctx.clock(), base_url=base)
    more = len(records) > query.limit
    records = records[: query.limit]
    return records, records[-1]["label_id"] if more else None


@router.get("/v1/directory", tags=["directory"], response_model=None, responses={200: {"model": DirectoryOut}})
async def directory_search(
    request: Request,
    ctx: CtxDep,
    gtin: _TEXT = None,
    company: _TEXT = None,
    category: _TEXT = None,
    grade_at_least: Annotated[str | None, Query(max_length=8)] = None,
    region: Annotated[str | None, Query(max_length=8)] = None,
    scheme: _TEXT = None,
    after: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Certified products: labels valid now, filtered (AND) by GTIN, company id, category (a rule pack id, or
    an HS code prefix), ``grade_at_least`` (that grade or better on each pack's scale, best first), region and
    scheme; ``{"items": [...]}`` in label id order, the next page in ``Link: <...>; rel="next"``. Only what a
    label's consumer page shows."""
    query = _query(gtin, company, category, grade_at_least, region, scheme, after, limit)
    records, next_after = await run_in_threadpool(_search, ctx, query)
    headers = {"Cache-Control": "public, max-age=60"}
    if next_after is not None:
        params = {k: v for k, v in request.query_params.items() if k != "after"} | {"after": next_after}
        headers["Link"] = f'</v1/directory?{urlencode(params)}>; rel="next"'
    return ORJSONResponse({"items": records}, headers=headers)


@router.get(
    "/directory",
    tags=["consumer"],
    response_class=HTMLResponse,
    responses={
        400: {"description": "a search the directory cannot run: the page says why", "content": {"text/html": {}}}
    },
)
async def directory_page(
    request: Request,
    ctx: CtxDep,
    lang: str | None = None,
    gtin: _TEXT = None,
    company: _TEXT = None,
    category: _TEXT = None,
    grade_at_least: Annotated[str | None, Query(max_length=8)] = None,
    region: Annotated[str | None, Query(max_length=8)] = None,
    scheme: _TEXT = None,
    after: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    chosen = lang if lang in ("en", "zh") else pick_language(request.headers.get("accept-language"))
    given = {"gtin": gtin, "company": company, "category": category, "grade_at_least": grade_at_least}
    given |= {"region": region, "scheme": scheme}
    records: list[dict[str, Any]] = []
    next_after, error = None, None
    try:
        query = _query(gtin, company, category, grade_at_least, region, scheme, after, 50)
        records, next_after = await run_in_threadpool(_search, ctx, query)
    except InputError as e:
        error = e.message
    page = render_directory_page(records, lang=chosen, query=given, next_after=next_after, error=error)  # type: ignore[arg-type]
    headers = {"Cache-Control": "no-store", "Vary": "Accept-Language"}
    return HTMLResponse(page, status_code=400 if error else 200, headers=headers)


@router.get("/v1/feed/labels", tags=["directory"], response_class=Response, responses=_FEED_RESPONSES)
async def label_feed(
    request: Request,
    ctx: CtxDep,
    since: Annotated[str | None, Query(max_length=40)] = None,
    format: Literal["jsonl", "csv"] | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Response:
    """Every label (current and changed: issued, suspended, reinstated, revoked) in the order of its last change,
    after the cursor ``since``; JSON Lines (``application/jsonl``) or CSV (``text/csv``) by ``format`` or
    Accept. Keep the ``Feed-Next-Cursor`` header (also in ``Link: <...>; rel="next"``) and ask again with it
    for what changed since; a label appears again, with its new state, each time it changes. Strong ETag;
    ``If-None-Match`` with it answers 304. For e-commerce listings and public procurement (docs/directory.md)."""
    fmt = format or ("csv" if preferred_type(request.headers.get("accept"), _FEED_TYPES) == "text/csv" else "jsonl")
    base = label_cache(ctx).settings.base_url

    def run() -> directory.FeedPage:
        with session_scope(ctx.engine, write=False) as s:
            return directory.feed(s, since=since, limit=limit, base_url=base)

    page = await run_in_threadpool(run)
    body = directory.as_csv(page.records) if fmt == "csv" else directory.as_jsonl(page.records)
    etag = directory.strong_etag(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept"}
    if page.next_cursor is not None:
        headers["Feed-Next-Cursor"] = page.next_cursor
        query = urlencode({"since": page.next_cursor, "format": fmt, "limit": limit})
        headers["Link"] = f'</v1/feed/labels?{query}>; rel="next"'
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    media = "text/csv; charset=utf-8; header=present" if fmt == "csv" else "application/jsonl"
    return Response(body, media_type=media, headers=headers)
