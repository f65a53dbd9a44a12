"""Trust: what anyone needs to verify a label offline, and the certifiers' key rotation.

* ``GET /v1/trust-list`` - every label signing key with its certifier, scope and state, signed
* ``GET /v1/trust-list/keys`` - the registry's key(s) that sign the trust list (a JWK set)
* ``GET /v1/status/{certifier}/{list_no}`` - a certifier's status list (IETF Token Status List)
* ``POST /v1/certifiers/{certifier}/keys:rotate`` - a new signing key for a certifier
* ``POST /v1/certifiers/{certifier}/keys/{kid}:withdraw`` - withdraw a key after a compromise, refusing
  what it signed from a given time on (reflected in the next trust list)

Reads are public and cacheable (ETag, Cache-Control); rotating and withdrawing need the certifier's
credentials (or the admin's).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep
from registry.api.labels import label_cache
from registry.api.models import JwkSetOut, TrustListOut
from registry.api.problems import NotFoundError
from registry.service import labels as svc
from registry.storage.db import session_scope
from registry.storage.errors import NotFound

router = APIRouter(tags=["trust"])
MAX_LIST_NO = 2**31 - 1  # status_list.list_no is an Integer column: 32 bits signed on PostgreSQL


@router.get(
    "/v1/trust-list",
    responses={200: {"model": TrustListOut, "description": "signed trust list (schemas/trust-list-1.0.json)"}},
)
async def get_trust_list(request: Request, ctx: CtxDep) -> Response:
    """Every label signing key with its certifier, scope and state, signed by the registry.

    Issued on the hour (valid a day from then), so the document - and its ETag, a digest of all
    of it - changes only when a key changes or the hour turns."""
    cache = label_cache(ctx)
    on_the_hour = ctx.clock().replace(minute=0, second=0, microsecond=0)

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            return svc.signed_trust_list(s, cache.settings, now=on_the_hour)

    doc = await run_in_threadpool(run)
    body = orjson.dumps(doc)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/v1/trust-list/keys", responses={200: {"model": JwkSetOut}})
async def get_registry_keys(ctx: CtxDep) -> Response:
    """The registry's key(s) that sign the trust list (a JWK set): pin it once, then check every
    trust list you fetch (``pcfreg label verify --registry-key``)."""
    return ORJSONResponse(
        svc.registry_keys(label_cache(ctx).settings), headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get(
    "/v1/status/{certifier}/{list_no}",
    response_class=Response,
    responses={200: {"content": {"application/statuslist+cwt": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def get_status_list(
    request: Request,
    ctx: CtxDep,
    certifier: str = Path(max_length=64),
    list_no: int = Path(ge=0, le=MAX_LIST_NO, description="The list number (a 32-bit column: 0 to 2^31 - 1)"),
) -> Response:
    """A certifier's status list as a signed Status List Token (IETF Token Status List, 2 bits per label)."""
    cache = label_cache(ctx)
    try:
        token, version = await run_in_threadpool(cache.status_token, ctx, certifier, list_no)
    except NotFound as e:
        raise NotFoundError(e.message) from e
    etag = f'"{certifier}-{list_no}-v{version}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={cache.settings.status_ttl}"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(token, media_type="application/statuslist+cwt", headers=headers)


@router.post("/v1/certifiers/{certifier}/keys:rotate", status_code=201, openapi_extra={"security": BEARER})
async def rotate_key(certifier: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """A new signing key; the old ones verify only, until their last label expires."""
    principal.require("certifier").require_org(certifier)
    cache = label_cache(ctx)

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            new, retired = svc.rotate_signing_key(s, cache.settings, certifier, now=ctx.clock())
            return {"kid": new.kid, "retired": [{"kid": k.kid, "verify_until": k.verify_until} for k in retired]}

    out = await run_in_threadpool(run)
    cache.invalidate()
    return out


class WithdrawIn(BaseModel):
    refuse_from: AwareDatetime | None = Field(
        default=None,
        description="Labels the key signed from this time on (their iat) are refused; earlier ones still verify. "
        "When the key may first have been in other hands; absent: every label it signed is refused.",
    )


class WithdrawnKey(BaseModel):
    kid: str
    certifier: str
    state: str
    withdrawn_from: datetime | None


@router.post(
    "/v1/certifiers/{certifier}/keys/{kid}:withdraw",
    response_model=WithdrawnKey,
    openapi_extra={"security": BEARER},
)
async def withdraw_key(
    body: WithdrawIn,
    principal: PrincipalDep,
    ctx: CtxDep,
    certifier: str = Path(max_length=64),
    kid: str = Path(pattern="^[0-9a-f]{16}$"),
) -> dict[str, Any]:
    """Withdraw a label signing key after a compromise: it signs nothing more, and the labels it signed
    from ``refuse_from`` on are refused here at once and offline from the next trust list."""
    principal.require("certifier").require_org(certifier)
    cache = label_cache(ctx)

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            key = svc.withdraw_signing_key(s, certifier, kid, now=ctx.clock(), refuse_from=body.refuse_from)
            return {
                "kid": key.kid,
                "certifier": key.certifier,
                "state": key.state.value,
                "withdrawn_from": key.withdrawn_from,
            }

    out = await run_in_threadpool(run)
    cache.invalidate()
    return out
