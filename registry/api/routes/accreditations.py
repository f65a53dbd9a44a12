"""Accreditations: who may certify what.

* ``POST /v1/accreditations`` - an accreditation body submits one signed version (a grant, or its
  reduction, suspension, reinstatement or withdrawal); 201 stored, 200 the same version again
* ``GET /v1/accreditations`` - every stored version (``certifier`` to narrow), oldest first
* ``GET /v1/accreditations/{body}/{name}`` - one accreditation's history, every version

Reads are public: who is accredited for what is what a buyer or a regulator checks. Decisions are
in :mod:`registry.service.accreditations`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext
from registry.api.models import AccreditationsOut, AccreditationVersionOut, signed_body
from registry.inputs import parse_json
from registry.service import accreditations as service
from registry.service.principal import Principal
from registry.storage import accreditations as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound

router = APIRouter(tags=["accreditations"])

_ENVELOPE_BODY = signed_body("a signed accreditation version (schemas/signed-accreditation-1.0.json)")


@router.post(
    "/v1/accreditations",
    status_code=201,
    responses={
        200: {"model": AccreditationVersionOut, "description": "this version was already stored"},
        201: {"model": AccreditationVersionOut},
    },
    openapi_extra={"requestBody": _ENVELOPE_BODY, "security": BEARER},
)
async def submit_accreditation(request: Request, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Store one version signed by the accreditation body (its own credentials): 403 for anyone else, 422
    for a document or a change that is not allowed (with the member at fault), 409 for a version taken."""
    envelope = parse_json(await request.body())
    body, created = await run_in_threadpool(_submit, ctx, principal, envelope)
    return ORJSONResponse(body, status_code=201 if created else 200)


@router.get("/v1/accreditations", response_model=AccreditationsOut)
async def list_accreditations(
    ctx: CtxDep, certifier: Annotated[str | None, Query(max_length=64)] = None
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            return {"items": [service.version_json(r) for r in store.versions(s, certifier_id=certifier)]}

    return await run_in_threadpool(run)


@router.get("/v1/accreditations/{body}/{name}", response_model=AccreditationsOut)
async def accreditation_history(body: str, name: str, ctx: CtxDep) -> dict[str, Any]:
    """Every version of one accreditation, oldest first."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            rows = store.versions(s, accreditation_id=f"{body}/{name}")
            if not rows:
                raise NotFound(f"no accreditation {body}/{name}")
            return {"items": [service.version_json(r) for r in rows]}

    return await run_in_threadpool(run)


def _submit(ctx: ServiceContext, principal: Principal, envelope: Any) -> tuple[dict[str, Any], bool]:
    with session_scope(ctx.engine) as s:
        done = service.submit(s, principal, envelope, now=ctx.clock())
        if ctx.labels is not None:  # the trust list carries accreditations: rebuild it
            ctx.labels.invalidate()
        out = service.version_json(done.row) | {"labels_changed": [label.id for label in done.labels]}
        return out, done.created
