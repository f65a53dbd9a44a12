"""A lean path for the hottest routes, ``POST /v1/validations`` and ``POST /v1/labels``, beside FastAPI's.

FastAPI's routing and dependency solving cost about three times what validating a
declaration does. This ASGI middleware answers the common, successful case directly:
a bearer token or API key already verified (cached), a certifier or platform, no
query parameters other than ``pack`` and ``store=true|false``. Anything else - an
unknown or uncached credential, an odd query, any error at all - is handed to the
FastAPI route with the body replayed, so every error response, status code and header
is the one the documented route gives: the fast path changes speed, never behaviour.
Nothing is stored before the last step, so a hand-over never leaves a half-done write.

A label issue (a certifier's or an admin's, no query, a JSON body, at most one valid
``Idempotency-Key``) is handed over likewise until the request reaches the label writer; from
there on nothing is handed over (the writer may have issued it): its answer, or its refusal rendered
by the app's own error handler (:func:`registry.api.problems.registry_error`), is the route's.

It validates with :func:`registry.api.validation_core.validate_one` and issues with
:func:`registry.api.labels.issue_one`, as the routes do, and imports nothing from the routes or the app factory.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api.deps import ORJSONResponse
from registry.api.labels import issue_one, label_cache
from registry.api.problems import registry_error
from registry.api.validation_core import validate_one
from registry.errors import RegistryError
from registry.inputs import parse_json
from registry.service.label_batches import IssueBody
from registry.service.principal import Principal

_PATH = "/v1/validations"
_LABELS = "/v1/labels"
_BOOLS = {"true": True, "false": False}
_ALLOWED_ROLES = ("certifier", "platform", "admin")
_ISSUING_ROLES = ("certifier", "admin")  # the route's principal.require("certifier")
_IDEMPOTENCY_KEY = b"idempotency-key"


class FastValidation:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.handled = 0  # requests answered here (tests check the path is really taken)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") if scope["type"] == "http" and scope["method"] == "POST" else None
        if path != _PATH and path != _LABELS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        try:
            if path == _PATH:
                answered = await self._answer(scope, body, send)
            else:
                answered = await self._issue(scope, body, receive, send)
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

    async def _issue(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> bool:
        """``POST /v1/labels`` as the route answers it; False (nothing done) for FastAPI to judge."""
        if scope.get("query_string"):
            return False
        ctx = scope["app"].state.ctx
        headers = scope.get("headers") or []
        principal = _cached_principal(ctx, dict(headers))
        if principal is None or principal.role not in _ISSUING_ROLES:
            return False
        plain, key = _idempotency_key(headers)
        if not plain or not _json_content(headers):
            return False
        try:
            request = IssueBody.model_validate(parse_json(body)).to_request(key)
        except ValidationError:
            return False
        label_cache(ctx)  # a registry that cannot sign refuses here, before the writer: handed over
        response: Response
        try:
            out, repeat = await issue_one(ctx, principal.org_id, request)
        except RegistryError as e:  # issued or not, never handed over from here: its refusal, as the route's
            response = await registry_error(Request(scope, receive), e)
        else:
            location = {"Location": f"{_LABELS}/{out['id']}"}
            response = ORJSONResponse(out, status_code=200 if repeat else 201, headers=location)
        await response(scope, receive, send)
        return True


def _idempotency_key(headers: list[tuple[bytes, bytes]]) -> tuple[bool, str | None]:
    """``(True, key)``: the request's Idempotency-Key, None when none is given; ``(False, None)`` when
    FastAPI should judge it (given twice, or not 1 to 200 characters)."""
    found = [v for k, v in headers if k == _IDEMPOTENCY_KEY]
    if not found:
        return True, None
    value = found[0].decode("latin-1")
    return (True, value) if len(found) == 1 and 1 <= len(value) <= 200 else (False, None)


def _json_content(headers: list[tuple[bytes, bytes]]) -> bool:
    types = [v for k, v in headers if k == b"content-type"]
    return len(types) == 1 and types[0].split(b";", 1)[0].strip().lower() == b"application/json"


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
