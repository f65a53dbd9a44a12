"""RFC 9457 problem details: every error response of the API, mapped once.

A problem is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail``, ``instance`` (the request id) and, where they help, ``errors``
(pydantic-style: ``loc``, ``msg``, ``type``) or ``location`` (file, line, pointer).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from registry.errors import (
    InputError,
    InternalError,
    NotPermitted,
    NotPrintable,
    PackError,
    PackSelectionError,
    RegistryError,
)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://pcf-registry.org/problems/"


class ApiError(RegistryError):
    """An error with an HTTP status, raised by routes and services."""

    status: int = 400
    default_code: str = "bad-request"

    def __init__(
        self, message: str, *, status: int | None = None, code: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code=code or self.default_code)
        if status is not None:
            self.status = status
        self.extra = extra or {}


class Unauthorized(ApiError):
    status = 401
    default_code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    default_code = "forbidden"


class NotFoundError(ApiError):
    status = 404
    default_code = "not-found"


class ConflictError(ApiError):
    status = 409
    default_code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    default_code = "payload-too-large"


class TooManyAttempts(ApiError):
    """Too many failed credential checks (RFC 6585 section 4): 429 with ``Retry-After`` in seconds."""

    status = 429
    default_code = "too-many-attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, extra={"error": "slow_down", "retry_after": retry_after})
        self.retry_after = retry_after


def problem(
    request: Request, status: int, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": code.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
        "instance": f"urn:request:{getattr(request.state, 'request_id', '-')}",
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="pcf-registry"'
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _status_for(error: RegistryError) -> int:
    from registry.packs import IncompatibleVersionError
    from registry.storage.errors import Conflict, NotFound, StorageUnavailable

    if isinstance(error, ApiError):
        return error.status
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, (Conflict, IncompatibleVersionError, NotPrintable)):
        return 409
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, StorageUnavailable):
        return 503
    if isinstance(error, PackSelectionError):
        return 422
    if isinstance(error, (InputError, PackError)):
        return 422
    if isinstance(error, InternalError):
        return 500
    status = getattr(error, "status", None)
    return status if isinstance(status, int) else 400


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.exception_handler(RegistryError)(registry_error)
    app.exception_handler(RequestValidationError)(validation_error)
    app.exception_handler(StarletteHTTPException)(http_error)
    app.exception_handler(Exception)(unexpected)


# PACT's error codes by HTTP status (PACT v3.0.4 OpenAPI, components.schemas.Error; v2: NoSuchFootprint)
PACT_CODES = {400: "BadRequest", 401: "BadRequest", 403: "AccessDenied", 404: "NotFound", 501: "NotImplemented"}
PACT_PREFIXES = ("/3/", "/2/")


def is_pact(request: Request) -> bool:
    """Whether the request is to the PACT API, whose errors are PACT ``{"code","message"}`` bodies."""
    return request.url.path.startswith(PACT_PREFIXES) or request.url.path in ("/3", "/2")


def pact_problem(
    status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """A PACT error response: ``{"code": ..., "message": ...}`` (v3 enum; 5xx are InternalError)."""
    pact_code = code or PACT_CODES.get(status, "InternalError" if status >= 500 else "BadRequest")
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="pcf-registry"'
    body = orjson.dumps({"code": pact_code, "message": message})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _pact_code_of(exc: RegistryError, status: int, path: str) -> str | None:
    if status == 401 and exc.code == "token-expired":
        return "TokenExpired"
    if status == 404 and path.startswith("/2/"):
        return "NoSuchFootprint"  # PACT v2 (v3: NotFound)
    code = getattr(exc, "pact_code", None)
    return code if isinstance(code, str) else None


async def registry_error(request: Request, exc: RegistryError) -> Response:
    """Our own errors: the status their class maps to, their code, message and details."""
    if is_pact(request):
        status = _status_for(exc)
        status = 400 if status in (409, 422) else status
        return pact_problem(status, exc.message, code=_pact_code_of(exc, status, request.url.path))
    body = exc.to_dict()
    extra: dict[str, Any] = {k: v for k, v in body.items() if k not in ("code", "message")}
    if isinstance(exc, ApiError):
        extra.update(exc.extra)
    if isinstance(exc, PackSelectionError):
        extra["candidates"] = exc.candidates
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
    return problem(request, _status_for(exc), exc.code, exc.message, headers=headers, **extra)


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    """FastAPI's request validation: 422 with pydantic-style ``errors`` (``loc``, ``msg``, ``type``)."""
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
    if is_pact(request):
        return pact_problem(400, "the request is not valid: " + "; ".join(str(e["msg"]) for e in errors[:5]))
    fields = ", ".join("/".join(str(p) for p in e["loc"]) for e in errors[:5])
    return problem(request, 422, "invalid-request", f"the request is not valid: {fields}", errors=errors)


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Routing errors (no such path, method not allowed) and other HTTP exceptions."""
    if is_pact(request):
        return pact_problem(exc.status_code, str(exc.detail))
    code = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized", 403: "forbidden"}.get(
        exc.status_code, "http-error"
    )
    return problem(request, exc.status_code, code, str(exc.detail))


async def unexpected(request: Request, exc: Exception) -> Response:
    """Anything else is our bug: logged with the request id, answered 500 without details."""
    import logging

    logging.getLogger("pcfreg.api").exception("internal error", extra={"request_id": request.state.request_id})
    if is_pact(request):
        return pact_problem(500, "an internal error occurred; it has been logged")
    return problem(request, 500, "internal-error", "an internal error occurred; it has been logged")
