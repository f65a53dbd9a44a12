"""PACT Authenticate: ``POST /auth/token`` and ``GET /.well-known/openid-configuration``.

OAuth2 client credentials (RFC 6749 §4.4) with HTTP Basic client authentication (§2.3.1), as the
PACT Technical Specifications ask (../shared/reference/pact.md section 5, Authenticate). The
client is any credential of the registry; a partner organisation gets one from the operator
(``pcfreg credentials create``). Errors are RFC 6749 §5.2 bodies (``error``, ``error_description``),
not problem+json: PACT clients and the conformance tool read those. HTTPS only.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from registry.api.deps import CtxDep, ORJSONResponse, authenticate
from registry.api.pact import base_url, is_https
from registry.api.problems import TooManyAttempts
from registry.service import credentials

router = APIRouter(tags=["pact"])

_TOKEN_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}},
            }
        }
    },
}
_OAUTH_ERROR = {
    "description": "RFC 6749 §5.2 error",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            }
        }
    },
}
_TOKEN_OK = {
    "description": "an access token (RFC 6749 §5.1)",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["access_token", "token_type", "expires_in"],
                "properties": {
                    "access_token": {"type": "string"},
                    "token_type": {"type": "string"},
                    "expires_in": {"type": "integer"},
                },
            }
        }
    },
}
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(status: int, error: str, description: str) -> Response:
    """An RFC 6749 §5.2 error; 401 carries ``WWW-Authenticate: Basic`` (the client authenticated by Basic)."""
    headers = dict(_NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="pcf-registry"'
    body = orjson.dumps({"error": error, "error_description": description})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


@router.post(
    "/auth/token",
    responses={200: _TOKEN_OK, 400: _OAUTH_ERROR, 401: _OAUTH_ERROR, 429: _OAUTH_ERROR},
    response_class=Response,
    openapi_extra={"requestBody": _TOKEN_BODY, "security": [{"basicAuth": []}]},
)
async def pact_token(request: Request, ctx: CtxDep) -> Response:
    """PACT Authenticate: ``grant_type=client_credentials`` with the client id and secret by HTTP Basic."""
    if not is_https(request, ctx):
        return oauth_error(400, "invalid_request", "the token endpoint is served over HTTPS only")
    form = _form(await request.body())
    if form.get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    pair = _basic(request.headers.get("authorization", ""))
    if pair is None:
        return oauth_error(401, "invalid_client", "client authentication by HTTP Basic is required")
    client_id, secret = pair
    try:
        principal = await authenticate(request, ctx, client_id, secret) if client_id and secret else None
    except TooManyAttempts as e:
        headers = {**_NO_STORE, "Retry-After": str(e.retry_after)}
        body = orjson.dumps({"error": "slow_down", "error_description": e.message})
        return Response(body, status_code=429, media_type="application/json", headers=headers)
    if principal is None:
        return oauth_error(401, "invalid_client", "unknown client or wrong secret")
    await run_in_threadpool(credentials.record_use, ctx.engine, client_id, now=ctx.clock())
    access, ttl = ctx.tokens.issue(principal, ctx.clock())
    token = {"access_token": access, "token_type": "Bearer", "expires_in": ttl}
    return Response(orjson.dumps(token), media_type="application/json", headers=_NO_STORE)


def _form(raw: bytes) -> dict[str, str]:
    text = raw.decode("utf-8", "replace")
    return {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}


def _basic(header: str) -> tuple[str, str] | None:
    """(client id, secret) of a Basic header, form-urlencoded as RFC 6749 §2.3.1 says; None if absent or bad."""
    if header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


@router.get("/.well-known/openid-configuration", response_class=ORJSONResponse)
async def openid_configuration(request: Request) -> dict[str, Any]:
    """OpenID Connect discovery, as far as PACT uses it: where the token endpoint is (PACT v2.1+)."""
    base = base_url(request)
    return {
        "issuer": base,
        "token_endpoint": base + "/auth/token",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "scopes_supported": ["footprint:list", "footprint:read"],
        "response_types_supported": ["token"],
    }
