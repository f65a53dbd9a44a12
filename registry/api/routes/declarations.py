"""Declarations as things others rest on (issue 12).

* ``GET /v1/declarations/{declaration_id}/dependents`` - the caller's stored recalculations whose
  inventories cite this declaration as a supplier footprint, then those citing the declarations
  recomputed there, and so on down the chain; the declarations recomputed and the caller's labels
  resting on any of them. What one audit's revocation upstream reaches.

Certifiers only, and only their own: stored validations and inventories are never another
organisation's to read (the factor-set form is ``GET /v1/factorsets/.../versions/{v}/dependents``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, PrincipalDep
from registry.api.models import DependentsOut
from registry.service import trace
from registry.storage.db import session_scope

router = APIRouter(tags=["declarations"])


@router.get(
    "/v1/declarations/{declaration_id}/dependents",
    responses={200: {"model": DependentsOut}},
    openapi_extra={"security": BEARER},
)
async def declaration_dependents(declaration_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """What rests on a declaration (its PACT id) among the caller's stored recalculations and labels,
    down the chain of supplier footprints (certifiers)."""
    principal.require("certifier")

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            return trace.dependents(s, principal.org_id, trace.declaration_source(declaration_id))

    return await run_in_threadpool(run)
