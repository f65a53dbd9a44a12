"""The transparency log, as C2SP tlog-tiles serves it (static, cacheable), and a label's offline proof.

* ``GET /tlog/checkpoint`` - the latest checkpoint, a C2SP signed note (cached a few seconds only)
* ``GET /tlog/tile/{L}/{N}[.p/{W}]`` - Merkle tree tiles; full tiles are immutable
* ``GET /tlog/tile/entries/{N}[.p/{W}]`` - entry bundles (gzip when the client accepts it)
* ``GET /v1/labels/{label_id}/log-proof`` - the label's issue entry with its inclusion proof
  (C2SP tlog-proof), against the latest checkpoint or the one of ``size``

All public. docs/adr/0021-transparency-log.md.
"""

from __future__ import annotations

import gzip
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from issuance import LogError, tlog
from registry.api.deps import CtxDep, ServiceContext
from registry.api.labels import label_cache
from registry.api.problems import NotFoundError
from registry.service import tlog as log_svc
from registry.storage.db import session_scope
from registry.storage.errors import NotFound

router = APIRouter(tags=["log"])
TEXT = "text/plain; charset=utf-8"
CHECKPOINT_CACHE = "public, max-age=5"  # tlog-tiles: the checkpoint is mutable, cached a few seconds at most
FULL_TILE_CACHE = "public, max-age=31536000, immutable"  # a full tile never changes
PARTIAL_TILE_CACHE = "public, max-age=3600"  # never changes either, but is dropped once its tile is full
_BINARY: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "the tile or entry bundle"}
}


@router.get("/tlog/checkpoint", response_class=Response, responses={200: {"content": {TEXT: {}}}})
async def get_checkpoint(ctx: CtxDep) -> Response:
    """The log's latest checkpoint: origin, tree size and root hash, signed by the registry (Ed25519)."""
    settings = label_cache(ctx).settings

    def run() -> str:
        with session_scope(ctx.engine, write=False) as s:
            return log_svc.checkpoint(s, settings.registry_key, settings.public_url)

    note = await run_in_threadpool(run)
    return Response(note, media_type=TEXT, headers={"Cache-Control": CHECKPOINT_CACHE})


@router.get("/tlog/tile/{tile_path:path}", response_class=Response, responses=_BINARY)
async def get_tile(tile_path: str, request: Request, ctx: CtxDep) -> Response:
    """A tile ``{L}/{N}[.p/{W}]`` (hashes of tree level 8 L) or an entry bundle ``entries/{N}[.p/{W}]``."""
    level_text, _, index_text = tile_path.partition("/")
    try:
        n, width = tlog.parse_tile_index(index_text)
        level = _level(level_text)
        body = await run_in_threadpool(_tile, ctx, level, n, width)
    except (LogError, NotFound) as e:
        raise NotFoundError(e.message) from e
    headers = {"Cache-Control": FULL_TILE_CACHE if width == tlog.TILE_WIDTH else PARTIAL_TILE_CACHE}
    if level is None and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/octet-stream", headers=headers)


def _level(text: str) -> int | None:
    """The tile level (None: entry bundles); tlog-tiles: 0 to 63, no leading zeros."""
    if text == "entries":
        return None
    if not text.isdigit() or str(int(text)) != text or int(text) > 63:
        raise LogError(f"not a tile level: {text!r}", reason="not_found")
    return int(text)


def _tile(ctx: ServiceContext, level: int | None, n: int, width: int) -> bytes:
    with session_scope(ctx.engine, write=False) as s:
        if level is None:
            return log_svc.bundle(s, n, width)
        return log_svc.tile(s, level, n, width)


@router.get("/v1/labels/{label_id}/log-proof", response_class=Response, responses={200: {"content": {TEXT: {}}}})
async def get_label_log_proof(
    label_id: str, ctx: CtxDep, size: int | None = Query(default=None, ge=1, le=2**62)
) -> Response:
    """The label's issue entry with its inclusion proof (C2SP tlog-proof), for ``pcfreg log verify``."""
    settings = label_cache(ctx).settings

    def run() -> str:
        with session_scope(ctx.engine, write=False) as s:
            proof = log_svc.label_proof(s, settings.registry_key, settings.public_url, label_id.upper(), size=size)
            return proof.text()

    try:
        text = await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e
    return Response(text, media_type=TEXT, headers={"Cache-Control": "no-store"})
