"""Publisher keys: a standards body registers, lists and revokes its pack-signing keys.

* ``GET /v1/publishers/{namespace}/keys`` - the keys as a JWK set (public: anyone checking a pack
  offline needs them)
* ``POST /v1/publishers/{namespace}/keys`` - register a public key
* ``POST /v1/publishers/{namespace}/keys/{keyid}/revoke`` - revoke one

Writes need the publisher's own credentials (or an admin's).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep
from registry.api.models import PublisherKeyOut
from registry.api.problems import NotFoundError
from registry.inputs import parse_json
from registry.service.publisher_keys import key_json, register_public_jwk
from registry.storage import repo
from registry.storage.db import session_scope

router = APIRouter(tags=["publishers"])

JWK_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"type": "object", "description": "one public Ed25519 JWK (OKP)"}}},
}


@router.get("/v1/publishers/{namespace}/keys")
async def list_keys(namespace: str, ctx: CtxDep, include_revoked: bool = False) -> dict[str, Any]:
    """The publisher's pack-signing keys as a JWK set (revoked ones only on request)."""

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            try:
                repo.get_organisation(s, namespace)
            except repo.NotFound as e:
                raise NotFoundError(e.message) from e
            rows = repo.list_publisher_keys(s, namespace, include_revoked=include_revoked)
            return {"keys": [key_json(r) for r in rows]}

    return await run_in_threadpool(run)


@router.post(
    "/v1/publishers/{namespace}/keys",
    status_code=201,
    responses={
        200: {"model": PublisherKeyOut, "description": "this key was already registered"},
        201: {"model": PublisherKeyOut, "description": "registered"},
    },
    openapi_extra={"requestBody": JWK_BODY, "security": BEARER},
)
async def register_key(namespace: str, request: Request, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Register a public key; packs (an accreditation body: accreditations) it signs are accepted from now on."""
    principal.require("publisher", "accreditation-body").require_org(namespace)
    jwk = parse_json(await request.body())

    def run() -> tuple[dict[str, Any], bool]:
        with session_scope(ctx.engine) as s:
            row, created = register_public_jwk(s, namespace, jwk, now=ctx.clock())
            return key_json(row), created

    body, created = await run_in_threadpool(run)
    return ORJSONResponse(body, status_code=201 if created else 200)


@router.post("/v1/publishers/{namespace}/keys/{keyid}/revoke", openapi_extra={"security": BEARER})
async def revoke_key(namespace: str, keyid: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Revoke a key: packs already published stay; new uploads signed only by it are refused."""
    principal.require("publisher", "accreditation-body").require_org(namespace)

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            try:
                return key_json(repo.revoke_publisher_key(s, keyid, org_id=namespace, now=ctx.clock()))
            except repo.NotFound as e:
                raise NotFoundError(e.message) from e

    return await run_in_threadpool(run)
