"""What every route module shares: the service context, auth dependencies, response helpers.

Routes live in :mod:`registry.api.routes`, one module per resource; all of them import their
dependencies (``CtxDep``, ``PrincipalDep``) from here (no import-time globals: the context is
built by ``build_context`` and hung on ``app.state``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from registry.api.auth import TokenIssuer
from registry.api.problems import TooManyAttempts, Unauthorized
from registry.service import credentials
from registry.service.principal import Principal
from registry.service.ratelimit import FailureLimiter
from registry.storage.db import make_engine
from registry.storage.models import CredentialKind
from registry.storage.settings import StorageSettings, database_url_for


def next_page(request: Request, response: Response, found: list[Any], *, limit: int, offset: int) -> list[Any]:
    """The first ``limit`` of ``found`` (fetched with one more); when more follow, a ``Link: <...>; rel="next"``
    header (RFC 8288) gives the next page's URL."""
    if len(found) > limit:
        nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
        response.headers["Link"] = f'<{nxt.path}?{nxt.query}>; rel="next"'
    return found[:limit]


class ORJSONResponse(JSONResponse):
    """JSON by orjson. A JSONResponse, so that the OpenAPI document gives routes their response models."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


# At most this many complaints per source address and window: the registry's own choice (no source
# sets a number for a no-account report form), enough for a person and small for a flood.
COMPLAINTS_PER_ADDRESS = 10
COMPLAINT_WINDOW_SECONDS = 3600


def complaint_limiter() -> FailureLimiter:
    return FailureLimiter({"address": COMPLAINTS_PER_ADDRESS}, window=COMPLAINT_WINDOW_SECONDS)


@dataclass
class Limits:
    max_body: int = 2 * 1024 * 1024
    max_batch_body: int = 1024 * 1024 * 1024
    batch_store_chunk: int = 500


@dataclass
class PactSettings:
    """The PACT host's transport rules (issue 16). PACT allows HTTPS only; plain HTTP is accepted from a
    loopback address only when ``allow_loopback_http`` (development), and ``X-Forwarded-Proto`` is
    believed only when ``trust_forwarded_proto`` (behind a TLS-terminating proxy)."""

    allow_loopback_http: bool = False
    trust_forwarded_proto: bool = False
    http: Any = None  # () -> httpx.AsyncClient, for delivering events to partners
    delivery: Any = None  # api.pact.Delivery, made on first use
    # The outbox sweeper (api.pact.Delivery.sweep) wakes this often in every worker; 0 turns it off.
    sweep_seconds: float = 30.0  # pact_events.DEFAULT_SWEEP_SECONDS

    @classmethod
    def from_env(cls) -> PactSettings:
        import os

        from registry.service.pact_events import SWEEP_ENV, sweep_interval

        def flag(name: str) -> bool:
            return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")

        return cls(
            allow_loopback_http=flag("PCFREG_PACT_ALLOW_LOOPBACK_HTTP"),
            trust_forwarded_proto=flag("PCFREG_PACT_TRUST_FORWARDED_PROTO"),
            sweep_seconds=sweep_interval(os.environ.get(SWEEP_ENV)),
        )


@dataclass
class ServiceContext:
    engine: Engine
    tokens: TokenIssuer
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    limits: Limits = field(default_factory=Limits)
    packs: Any = None  # StoredPacks
    data_dir: Path | None = None  # where the label keys' master key and the registry's trust key live
    labels: Any = None  # api.labels.LabelCache, made on first use
    limiter: FailureLimiter = field(default_factory=FailureLimiter)
    # complaints filed from label pages, counted per source address (registry/api/routes/complaints.py)
    complaint_limiter: FailureLimiter = field(default_factory=lambda: complaint_limiter())
    _hash_checks: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = field(default_factory=dict)
    revocations: Any = None  # service.credentials.RevocationCache, made in __post_init__
    _api_keys: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    _tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    pact: PactSettings = field(default_factory=PactSettings)

    def principal_for_token(self, token: str) -> Principal:
        """Verify a bearer token, remembering a good one until it expires (signature checked once)."""
        now = self.clock()
        cached = self._tokens.get(token)
        if cached is not None and cached[1] > now.timestamp():
            return cached[0]
        principal = self.tokens.verify(token, now)
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        self._tokens[token] = (principal, self.tokens.expiry_of(token))
        return principal

    def hash_checks(self) -> asyncio.Semaphore:
        """One secret hash check at a time on this event loop (a worker's loop; tests make several)."""
        loop = asyncio.get_running_loop()
        slot = self._hash_checks.get(loop)
        if slot is None:
            slot = self._hash_checks[loop] = asyncio.Semaphore(1)
        return slot

    writer: Any = None  # ValidationWriter: group commit of stored validations

    def __post_init__(self) -> None:
        if self.revocations is None:
            self.revocations = credentials.RevocationCache(
                credentials.revocation_lookup(self.engine, lambda: self.clock())
            )
        if self.writer is None:
            from registry.service.writer import ValidationWriter

            self.writer = ValidationWriter(self.engine)
        if self.packs is None:
            from registry.service.packs import StoredPacks

            self.packs = StoredPacks(self.engine)


def build_context(data_dir: Path, *, database_url: str | None = None) -> ServiceContext:
    from registry.service.bootstrap import jwt_secret

    settings = StorageSettings(data_dir=data_dir, database_url=database_url)
    engine = make_engine(database_url_for(settings), background_checkpoints=True)  # see the app's lifespan
    return ServiceContext(
        engine=engine, tokens=TokenIssuer(jwt_secret(data_dir)), data_dir=data_dir, pact=PactSettings.from_env()
    )


# ------------------------------------------------------------------ auth dependencies


async def _ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[ServiceContext, Depends(_ctx)]


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "-"


async def authenticate(
    request: Request, ctx: ServiceContext, client_id: str, secret: str, kind: CredentialKind | None = None
) -> Principal | None:
    """Check a client id and secret, limited per client id and source address (429 once over the limit).

    One hash check at a time per worker (waiting costs no thread and no CPU), each in a worker
    thread and outside any transaction; the limit is checked again once a check's turn comes, so a
    queue of bogus attempts ends in refusals that cost no hash at all.
    """
    keys = [("client", client_id), ("address", _address(request))]
    _refuse_if_blocked(ctx, keys)
    async with ctx.hash_checks():
        _refuse_if_blocked(ctx, keys)
        principal = await run_in_threadpool(credentials.authenticate, ctx.engine, client_id, secret, kind=kind)
    if principal is None:
        ctx.limiter.failed(keys, ctx.clock().timestamp())
    else:
        ctx.limiter.succeeded(("client", client_id))
    return principal


def _refuse_if_blocked(ctx: ServiceContext, keys: list[tuple[str, str]]) -> None:
    blocked = ctx.limiter.blocked(keys, ctx.clock().timestamp())
    if blocked is not None:
        what = "client id" if blocked.key[0] == "client" else "source address"
        raise TooManyAttempts(
            f"too many failed credential checks for this {what}; try again in {blocked.retry_after} s",
            retry_after=blocked.retry_after,
        )


async def _api_key_principal(request: Request, ctx: ServiceContext, key: str) -> Principal:
    digest = hashlib.sha256(key.encode()).hexdigest()
    cached = ctx._api_keys.get(digest)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    client_id, _, secret = key.partition(".")
    principal = await authenticate(request, ctx, client_id, secret, CredentialKind.API_KEY) if secret else None
    if principal is None:
        raise Unauthorized("unknown or revoked API key")
    ctx._api_keys[digest] = (principal, time.monotonic() + 60)
    return principal


async def _not_revoked(ctx: ServiceContext, principal: Principal) -> Principal:
    """Refuse a token or API key whose credential was revoked (known to every worker within seconds)."""
    now = ctx.clock().timestamp()
    revoked = ctx.revocations.cached(principal.client_id, now)
    if revoked is None:
        revoked = await run_in_threadpool(ctx.revocations.refresh, principal.client_id, now)
    if revoked:
        raise Unauthorized("the credential behind this token or API key has been revoked", code="credential-revoked")
    return principal


async def current_principal(request: Request, ctx: CtxDep) -> Principal:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return await _not_revoked(ctx, ctx.principal_for_token(auth[7:].strip()))
    key = request.headers.get("x-api-key")
    if key:
        return await _not_revoked(ctx, await _api_key_principal(request, ctx, key))
    raise Unauthorized("credentials required: a bearer token from POST /v1/auth/token, or an X-API-Key")


PrincipalDep = Annotated[Principal, Depends(current_principal)]


# ------------------------------------------------------------------ OpenAPI helpers


class Problem(BaseModel):
    """RFC 9457 problem details (extension members such as errors, location, candidates, diff may appear)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str


def _problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        c: {"description": "RFC 9457 problem details", "content": {"application/problem+json": {"schema": schema}}}
        for c in codes
    }


ERRORS = _problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKey": []}]
JSON_BODY = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
YAML_OR_JSON: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "application/yaml": {"schema": {"type": "string"}}}}
}
