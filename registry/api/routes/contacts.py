"""An organisation's public contact (issue 14): what the certifier page and the certifier's JSON show.

* ``PUT /v1/orgs/{org_id}/contact`` - replace it (the organisation itself or the registry's admin); an
  empty object removes it
* ``GET /v1/orgs/{org_id}/contact`` - read it (public: it is what the organisation publishes)

Validation is :class:`registry.service.contacts.Contact` (e-mail syntax, http(s) web address only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, PrincipalDep
from registry.api.routes.credentials import OrgId
from registry.service import contacts as svc
from registry.storage import repo
from registry.storage.db import session_scope

router = APIRouter(tags=["organisations"])


class ContactOut(BaseModel):
    """An organisation's public contact; ``contact`` is null when it has published none."""

    org_id: str
    contact: dict[str, str] | None
    updated_at: datetime | None


@router.put("/v1/orgs/{org_id}/contact", response_model=ContactOut, openapi_extra={"security": BEARER})
async def set_contact(body: svc.Contact, principal: PrincipalDep, ctx: CtxDep, org_id: str = OrgId) -> dict[str, Any]:
    """Replace the organisation's public contact (the organisation itself or the admin): ``email`` (syntax
    checked), ``url`` (http or https only), ``phone``, ``address``, each optional; ``{}`` removes it. 422 names
    the field at fault; nothing is stored then."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            return svc.contact_json(svc.set_contact(s, principal, org_id, body, now=ctx.clock()))

    return await run_in_threadpool(run)


@router.get("/v1/orgs/{org_id}/contact", response_model=ContactOut)
async def get_contact(ctx: CtxDep, org_id: str = OrgId) -> dict[str, Any]:
    """The organisation's public contact, as it published it (public)."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            return svc.contact_json(repo.get_organisation(s, org_id))

    return await run_in_threadpool(run)
