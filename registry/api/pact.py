"""What the PACT routes share: HTTPS only (one dependency), the partner's bearer token, cursors,
and the background delivery of queued events.

PACT v3 (../shared/reference/pact.md section 5): "HTTPS only. Non-HTTPS must be rejected". A request
is HTTPS when its own scheme is, or (only with ``trust_forwarded_proto``) when a TLS-terminating
proxy says so in ``X-Forwarded-Proto``; plain HTTP from a loopback address passes only with
``allow_loopback_http`` (development).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL

from registry.api.deps import CtxDep, ServiceContext, _not_revoked
from registry.api.problems import ApiError, Unauthorized
from registry.service import pact_events
from registry.service.pact_query import CursorCodec
from registry.service.principal import Principal
from registry.storage import pact_repo
from registry.storage.db import session_scope

log = logging.getLogger("pcfreg.pact")


class HttpsRequired(ApiError):
    status = 403
    default_code = "https-required"


def is_https(request: Request, ctx: ServiceContext) -> bool:
    if request.url.scheme == "https":
        return True
    if ctx.pact.trust_forwarded_proto and _forwarded_https(request):
        return True
    return ctx.pact.allow_loopback_http and _loopback(request)


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client is not None else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


async def require_https(request: Request, ctx: CtxDep) -> None:
    """Refuse a PACT request that did not come over HTTPS (403, no token issued, nothing served).

    (Also where a process's first PACT request resumes delivering events left queued by an earlier one.)
    """
    if not is_https(request, ctx):
        raise HttpsRequired("the PACT API is served over HTTPS only; this request came over plain HTTP")
    delivery(ctx).start_once()


HttpsOnly = Depends(require_https)


async def pact_client(request: Request, ctx: CtxDep) -> Principal:
    """The partner client behind ``Authorization: Bearer``: 401 BadRequest if missing or invalid,
    401 TokenExpired if expired (PACT v3 ListFootprints/GetFootprint/Events, 401)."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() != "bearer " or not auth[7:].strip():
        raise Unauthorized("a bearer token from POST /auth/token is required")
    return await _not_revoked(ctx, ctx.principal_for_token(auth[7:].strip()))


PactClient = Annotated[Principal, Depends(pact_client)]


def cursors(ctx: ServiceContext) -> CursorCodec:
    """Cursors keyed by a secret derived from the token secret (no secret of their own to keep)."""
    return CursorCodec(hmac.new(ctx.tokens.secret, b"pcf-registry pact cursor", hashlib.sha256).digest())


def _default_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=False)


@dataclass
class Delivery:
    """Delivers the outbox in the background: at once when kicked, then again when retries fall due."""

    ctx: ServiceContext
    _task: asyncio.Task[None] | None = field(default=None, repr=False)
    _again: bool = False
    _started: bool = False

    def start_once(self) -> None:
        """On this process's first PACT request: deliver what an earlier process left queued."""
        if not self._started:
            self._started = True
            self.kick()

    async def sweep(self, interval: float) -> None:
        """The outbox sweeper (started by the app's lifespan): at start-up, then every ``interval`` seconds,
        deliver what is due, whoever queued it (an earlier process, another worker, ``pcfreg pact share``).

        Each round is bounded (:data:`pact_events.DELIVERY_BATCH` events claimed at a time, one round
        running per worker, retries waiting their back-off); two workers never send one event twice
        (:func:`pact_events.claim_due`)."""
        while True:
            try:
                self._started = True
                self.kick()
            except Exception:  # pragma: no cover - kick only schedules; a sweeper must not die
                log.exception("PACT outbox sweep failed")
            await asyncio.sleep(interval)

    async def stop(self) -> None:
        """Cancel a delivery round in progress (shutdown); a claimed event is retried after its lease."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def kick(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def run_once(self) -> int:
        from registry.api.labels import label_cache

        http = self.ctx.pact.http or _default_http
        master = label_cache(self.ctx).settings.master_key
        return await pact_events.deliver_due(self.ctx.engine, http, self.ctx.clock, master)

    async def _run(self) -> None:
        try:
            while True:
                self._again = False
                await self.run_once()
                if self._again:
                    continue
                wait = await run_in_threadpool(self._seconds_to_next)
                if wait is None:
                    break
                await asyncio.sleep(wait)
        except Exception:  # a delivery loop must not die silently: logged, retried on the next kick
            log.exception("PACT event delivery failed")

    def _seconds_to_next(self) -> float | None:
        """Seconds until the next queued retry falls due (at most a minute: a new kick may come first)."""
        with session_scope(self.ctx.engine, write=False) as s:
            at = pact_repo.next_due(s)
        if at is None:
            return None
        return min(max((at - self.ctx.clock()).total_seconds(), 0.05), 60.0)


def delivery(ctx: ServiceContext) -> Delivery:
    if ctx.pact.delivery is None:
        ctx.pact.delivery = Delivery(ctx)
    d: Delivery = ctx.pact.delivery
    return d


def public_url(request: Request, url: URL) -> URL:
    """``url`` as the client reached it: https when a trusted proxy says the request came over TLS."""
    ctx: ServiceContext = request.app.state.ctx
    if url.scheme == "http" and ctx.pact.trust_forwarded_proto and _forwarded_https(request):
        return url.replace(scheme="https")
    return url


def next_url(request: Request, cursor: str) -> str:
    """The same URL (same host, same filters and limit) with the next page's cursor."""
    return str(public_url(request, request.url.remove_query_params("cursor").include_query_params(cursor=cursor)))


def _forwarded_https(request: Request) -> bool:
    return request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"


def base_url(request: Request) -> str:
    return str(public_url(request, request.base_url)).rstrip("/")


def events_source(request: Request) -> str:
    return base_url(request) + "/3/events"
