"""Access tokens: ``POST /v1/auth/token``, OAuth2 client credentials (RFC 6749 §4.4).

A client gives its id and secret by HTTP Basic auth or in the form, and gets a short-lived
bearer token (:class:`registry.api.auth.TokenIssuer`) for the write routes.
"""

from __future__ import annotations

import base64
import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from registry.api.deps import CtxDep, authenticate
from registry.api.problems import ApiError, Unauthorized
from registry.service import credentials

router = APIRouter(tags=["auth"])

_TOKEN_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["client_credentials"]},
                    "client_id": {"type": "string"},
                    "client_secret": {"type": "string"},
                },
            }
        }
    },
}


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


@router.post(
    "/v1/auth/token",
    response_model=TokenResponse,
    openapi_extra={"requestBody": _TOKEN_BODY, "security": [{"basicAuth": []}, {}]},
)
async def token(request: Request, ctx: CtxDep) -> dict[str, Any]:
    """OAuth2 client credentials (RFC 6749 §4.4): Basic auth or client_id/client_secret in the form."""
    raw = (await request.body()).decode("utf-8", "replace")
    form = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
    if form.get("grant_type") != "client_credentials":
        raise ApiError(
            "grant_type must be client_credentials",
            status=400,
            code="unsupported-grant-type",
            extra={"error": "unsupported_grant_type"},
        )
    client_id, secret = _basic_credentials(request, form)
    principal = await authenticate(request, ctx, client_id, secret) if client_id and secret else None
    if principal is None:
        raise Unauthorized("unknown client or wrong secret", code="invalid-client", extra={"error": "invalid_client"})
    await run_in_threadpool(credentials.record_use, ctx.engine, client_id, now=ctx.clock())
    access, ttl = ctx.tokens.issue(principal, ctx.clock())
    return {"access_token": access, "token_type": "Bearer", "expires_in": ttl}


def _basic_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret: from a Basic ``Authorization`` header, else from the form."""
    auth = request.headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError) as e:
            raise Unauthorized("malformed Basic authorization header", code="invalid-client") from e
        return urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")
