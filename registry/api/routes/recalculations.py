"""Recalculations: a declaration recomputed from its activity inventory, stored with its validation.

* ``POST /v1/recalculations`` - ``{"declaration": {...}, "inventory": {...}}``; validated against
  the pack (its ``recalculation`` demands included), stored under the caller's organisation as a
  validation that also holds the recalculation and the inventory. A line citing a supplier
  footprint is checked against the declaration the registry holds (digest, per-unit value, unit,
  validation, label state), each a finding at the line's pointer. An inventory is trade-secret data:
  only a certifier may send one, and only that organisation reads it back (``GET
  /v1/validations/{id}``); no public page shows it.

The result is the object ``pcfreg recalc --format json`` prints, with the stored id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from registry.accounting import SupplierFacts, inventory_from_data
from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep
from registry.api.models import RecalculationOut
from registry.errors import InputError, Location
from registry.inputs import parse_json
from registry.packs import recalculate_document, recalculation_report
from registry.service import trace
from registry.service.suppliers import supplier_facts
from registry.storage import repo
from registry.storage.db import session_scope

router = APIRouter(tags=["recalculations"])

_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["declaration", "inventory"],
                "properties": {
                    "declaration": {"type": "object", "description": "PACT v3 (or v2.x) ProductFootprint"},
                    "inventory": {"type": "object", "description": "pcf-registry/inventory/1.0"},
                },
            }
        }
    },
}


def _parts(body: Any) -> tuple[dict[str, Any], Any]:
    if not isinstance(body, dict):
        raise InputError("the body is an object with declaration and inventory", Location(pointer=""))
    for key in ("declaration", "inventory"):
        if not isinstance(body.get(key), dict):
            raise InputError(f"{key} is missing or not an object", Location(pointer=f"/{key}"))
    return body["declaration"], body["inventory"]


@router.post(
    "/v1/recalculations",
    status_code=201,
    responses={201: {"model": RecalculationOut, "description": "recalculated, validated and stored"}},
    openapi_extra={"requestBody": _BODY, "security": BEARER},
)
async def recalculate(
    request: Request,
    principal: PrincipalDep,
    ctx: CtxDep,
    pack: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """Recompute a declaration's numbers from its activity inventory and validate it; stored (with the
    inventory, for the calling certifier only) as a validation."""
    principal.require("certifier")
    declaration, raw_inventory = _parts(parse_json(await request.body()))
    inventory = inventory_from_data(raw_inventory, file="/inventory")
    now = ctx.clock()
    # the pack is chosen as for POST /v1/validations and pcfreg recalc (base pack when no product pack fits)

    def facts() -> dict[str, SupplierFacts]:
        with session_scope(ctx.engine, write=False) as s:
            return supplier_facts(s, principal.org_id, inventory)

    suppliers = await run_in_threadpool(facts)  # each supplier line is checked against what is stored
    result, recalc = recalculate_document(ctx.packs, declaration, inventory, pack=pack, now=now, suppliers=suppliers)
    report = recalculation_report(result, recalc)
    extra = {"recalculation": report["recalculation"], "inventory": raw_inventory}

    def store() -> tuple[str, str]:
        with session_scope(ctx.engine) as s:
            row = repo.insert_validation(
                s, org_id=principal.org_id, result=result, declaration=declaration, now=now, extra=extra
            )
            trace.record_sources(s, row)  # what it rests on, for dependents and trace
            return row.id, row.created_at.isoformat()

    vid, created = await run_in_threadpool(store)
    return ORJSONResponse(
        {"id": vid, "created_at": created, **report}, status_code=201, headers={"Location": f"/v1/validations/{vid}"}
    )
