"""Request ids, body size limits and structured access logs (pure ASGI: no per-request tasks)."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("pcfreg.access")


class RequestContext:
    """Adds ``X-Request-ID`` (kept from the client when sane), logs one JSON line per request,
    and refuses bodies larger than the limit with 413 problem+json before reading them."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_batch_body: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_batch_body = max_batch_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if 0 < len(given) <= 128 and given.isprintable() else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        limit = self.max_batch_body if scope["path"].endswith(":batch") else self.max_body
        start = time.perf_counter()
        status_holder: dict[str, int] = {}

        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(send, request_id, limit)
            _log(scope, 413, start, request_id)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            if "status" not in status_holder:
                await _too_large(send, request_id, limit)
                status_holder["status"] = 413
        _log(scope, status_holder.get("status", 500), start, request_id)


class _BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body larger than {limit} bytes")


async def _too_large(send: Send, request_id: str, limit: int) -> None:
    body = orjson.dumps(
        {
            "type": "https://pcf-registry.org/problems/payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"the request body is larger than the limit of {limit} bytes",
            "instance": f"urn:request:{request_id}",
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _log(scope: Scope, status: int, start: float, request_id: str) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    record: dict[str, Any] = {
        "event": "request",
        "request_id": request_id,
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "ms": round((time.perf_counter() - start) * 1000, 2),
    }
    log.info(orjson.dumps(record).decode())
