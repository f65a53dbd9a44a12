"""A lean path for the hottest route, ``POST /v1/validations``, beside FastAPI's.

FastAPI's routing and dependency solving cost about three times what validating a
declaration does. This ASGI middleware answers the common, successful case directly:
a bearer token or API key already verified (cached), a certifier or platform, no
query parameters other than ``pack`` and ``store=true|false``. Anything else - an
unknown or uncached credential, an odd query, any error at all - is handed to the
FastAPI route with the body replayed, so every error response, status code and header
is the one the documented route gives: the fast path changes speed, never behaviour.
Nothing is stored before the last step, so a hand-over never leaves a half-done write.

It validates with :func:`registry.api.validation_core.validate_one`, as the route does, and imports
nothing from the routes or the app factory.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api.validation_core import validate_one
from registry.errors import RegistryError
from registry.inputs import parse_json
from registry.service.principal import Principal

_PATH = "/v1/validations"
_BOOLS = {"true": True, "false": False}
_ALLOWED_ROLES = ("certifier", "platform", "admin")


class FastValidation:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.handled = 0  # requests answered here (tests check the path is really taken)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != _PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        try:
            answered = await self._answer(scope, body, send)
        except RegistryError:
            answered = False
        if answered:
            self.handled += 1
            return
        await self.app(scope, _replay(body, receive), send)

    async def _answer(self, scope: Scope, body: bytes, send: Send) -> bool:
        query = _query(scope.get("query_string", b""))
        if query is None:
            return False
        pack, store = query
        ctx = scope["app"].state.ctx
        principal = _cached_principal(ctx, dict(scope.get("headers") or []))
        if principal is None or principal.role not in _ALLOWED_ROLES:
            return False
        document = parse_json(body)
        result = validate_one(ctx, document, pack)
        out = result.to_json()
        headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
        status = 200
        if store:
            vid, created = await ctx.writer.insert(principal.org_id, result, document, ctx.clock())
            out = {"id": vid, "created_at": created, **out}
            headers.append((b"location", f"{_PATH}/{vid}".encode()))
            status = 201
        data = orjson.dumps(out)
        headers.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
        return True


def _query(raw: bytes) -> tuple[str | None, bool] | None:
    """``(pack, store)`` for the plain cases; None when FastAPI should judge the query."""
    if not raw:
        return None, True
    try:
        pairs = urllib.parse.parse_qsl(raw.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None
    pack: str | None = None
    store = True
    seen: set[str] = set()
    for name, value in pairs:
        if name in seen:
            return None
        seen.add(name)
        if name == "pack" and 0 < len(value) <= 300:
            pack = value
        elif name == "store" and value in _BOOLS:
            store = _BOOLS[value]
        else:
            return None
    return pack, store


def _cached_principal(ctx: Any, headers: dict[bytes, bytes]) -> Principal | None:
    """The caller when known without I/O and its credential known not revoked; else None (FastAPI checks)."""
    principal = _known_principal(ctx, headers)
    if principal is None or ctx.revocations.cached(principal.client_id, ctx.clock().timestamp()) is not False:
        return None
    return principal


def _known_principal(ctx: Any, headers: dict[bytes, bytes]) -> Principal | None:
    auth = headers.get(b"authorization", b"").decode("latin-1")
    if auth[:7].lower() == "bearer ":
        return ctx.principal_for_token(auth[7:].strip())  # type: ignore[no-any-return]
    key = headers.get(b"x-api-key")
    if key:
        import hashlib
        import time

        cached = ctx._api_keys.get(hashlib.sha256(key).hexdigest())
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]  # type: ignore[no-any-return]
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    done = False

    async def replayed() -> Message:
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
