"""Service health for load balancers and orchestrators: ``GET /healthz`` (liveness) and ``GET /readyz``
(readiness: the database answers)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from registry import __version__
from registry.api.deps import CtxDep, ServiceContext
from registry.storage.db import session_scope

router = APIRouter(tags=["service"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (the database is not consulted)."""
    return {"status": "ok", "version": __version__}


@router.get("/readyz")
async def readyz(ctx: CtxDep) -> dict[str, str]:
    """Readiness: the database answers; 503 problem+json when it does not."""
    await run_in_threadpool(_ping, ctx)
    return {"status": "ready", "version": __version__}


def _ping(ctx: ServiceContext) -> None:
    with session_scope(ctx.engine, write=False) as s:
        s.exec(select(1)).one()
