"""Credentials: an organisation's client secrets and API keys, listed, created, revoked and rotated.

* ``GET /v1/orgs/{org_id}/credentials`` - every credential of the organisation (never a secret)
* ``POST /v1/orgs/{org_id}/credentials`` - a new one; its secret is in this answer only
* ``POST /v1/orgs/{org_id}/credentials/{client_id}:revoke`` - revoke (idempotent); its tokens and
  API key stop working within seconds
* ``POST /v1/orgs/{org_id}/credentials/{client_id}:rotate`` - a new credential of the same kind and
  label, and the old one revoked, together

The organisation itself or the registry's admin may call them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, PrincipalDep
from registry.service import credentials as svc
from registry.storage.db import session_scope
from registry.storage.models import CredentialKind

router = APIRouter(tags=["credentials"])

OrgId = Path(pattern=r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$", max_length=64)
ClientId = Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")


class CredentialOut(BaseModel):
    """A credential as shown: never its secret, never its hash."""

    client_id: str
    org_id: str
    kind: Literal["client-secret", "api-key"]
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewCredentialOut(CredentialOut):
    secret: str = Field(
        description="Shown once, never stored: the client secret, or for an API key the whole X-API-Key value."
    )


class CredentialIn(BaseModel):
    kind: Literal["client-secret", "api-key"] = "client-secret"
    label: str = Field(default="", max_length=200)


@router.get("/v1/orgs/{org_id}/credentials", response_model=list[CredentialOut], openapi_extra={"security": BEARER})
async def list_credentials(principal: PrincipalDep, ctx: CtxDep, org_id: str = OrgId) -> list[dict[str, Any]]:
    """Every credential of the organisation, oldest first (the organisation or the admin)."""

    def run() -> list[dict[str, Any]]:
        with session_scope(ctx.engine, write=False) as s:
            return [svc.credential_public(row) for row in svc.list_credentials(s, principal, org_id)]

    return await run_in_threadpool(run)


@router.post(
    "/v1/orgs/{org_id}/credentials",
    status_code=201,
    response_model=NewCredentialOut,
    openapi_extra={"security": BEARER},
)
async def create_credential(
    body: CredentialIn, principal: PrincipalDep, ctx: CtxDep, org_id: str = OrgId
) -> dict[str, Any]:
    """A new credential; its secret is in this answer only."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            return svc.create(s, principal, org_id, CredentialKind(body.kind), body.label, now=ctx.clock()).public()

    return await run_in_threadpool(run)


@router.post(
    "/v1/orgs/{org_id}/credentials/{client_id}:revoke",
    response_model=CredentialOut,
    openapi_extra={"security": BEARER},
)
async def revoke_credential(
    principal: PrincipalDep, ctx: CtxDep, org_id: str = OrgId, client_id: str = ClientId
) -> dict[str, Any]:
    """Revoke a credential (idempotent): its tokens and API key stop working within seconds."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            return svc.credential_public(svc.revoke(s, principal, org_id, client_id, now=ctx.clock()))

    out = await run_in_threadpool(run)
    ctx.revocations.revoked(client_id, ctx.clock().timestamp())
    return out


@router.post(
    "/v1/orgs/{org_id}/credentials/{client_id}:rotate",
    status_code=201,
    response_model=NewCredentialOut,
    openapi_extra={"security": BEARER},
)
async def rotate_credential(
    principal: PrincipalDep, ctx: CtxDep, org_id: str = OrgId, client_id: str = ClientId
) -> dict[str, Any]:
    """A new credential of the same kind and label, and the old one revoked, in one step."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            return svc.rotate(s, principal, org_id, client_id, now=ctx.clock()).public()

    out = await run_in_threadpool(run)
    ctx.revocations.revoked(client_id, ctx.clock().timestamp())
    return out
