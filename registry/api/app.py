"""The HTTP API (FastAPI): thin routes over registry.service and registry.storage.

Public reads need nothing; writes need a bearer token (OAuth2 client credentials at
``POST /v1/auth/token``) or, for platforms, an API key (``X-API-Key``). Every error is
RFC 9457 problem+json (registry.api.problems); every response carries X-Request-ID.
"""

from __future__ import annotations

import base64
import tempfile
import urllib.parse
from collections.abc import AsyncIterator
from datetime import date
from enum import Enum
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from registry import __version__
from registry.api import labels, problems, publishers, recognitions
from registry.api.auth import Principal
from registry.api.deps import (
    BEARER,
    ERRORS,
    JSON_BODY,
    YAML_OR_JSON,
    CtxDep,
    ORJSONResponse,
    PrincipalDep,
    Problem,
    ServiceContext,
    build_context,
)
from registry.api.fastpath import FastValidation
from registry.api.middleware import RequestContext
from registry.api.problems import NotFoundError, Unauthorized
from registry.api.report import render_validation_html
from registry.api.validation_core import validate_one
from registry.errors import RegistryError
from registry.inputs import parse_json
from registry.packs import diff_refs
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import PackStatus, RulePackVersion
from registry.yamlpos import dump_yaml

# ------------------------------------------------------------------ models


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


class StatusChange(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class PackSummary(BaseModel):
    id: str
    version: str
    status: str
    digest: str
    title: dict[str, str]
    hs: list[str]
    cpc: list[str]
    effective_from: date
    effective_until: date | None


def _summary(row: RulePackVersion) -> dict[str, Any]:
    return {
        "id": row.pack_id,
        "version": row.version,
        "status": PackStatus(row.status).value,
        "digest": row.digest,
        "title": {"en": row.title_en, "zh": row.title_zh},
        "hs": list(row.hs_codes),
        "cpc": list(row.cpc_codes),
        "effective_from": row.effective_from.isoformat(),
        "effective_until": row.effective_until.isoformat() if row.effective_until else None,
    }


def _full(row: RulePackVersion) -> dict[str, Any]:
    return {
        **_summary(row),
        "status_reason": row.status_reason,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "pack": row.content,
        "envelope": row.envelope,
    }


def _pack_response(row: RulePackVersion, fmt: str) -> Response:
    body = _full(row)
    if fmt == "yaml":
        return Response(dump_yaml(body), media_type="application/yaml")
    return ORJSONResponse(body)


# ------------------------------------------------------------------ app


def create_app(ctx: ServiceContext) -> FastAPI:
    app = FastAPI(
        title="pcf-registry",
        version=__version__,
        description="Product carbon footprint rules as code: rule packs, validation, and (later) labels.",
        default_response_class=ORJSONResponse,
        responses=ERRORS,
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.state.ctx = ctx
    problems.install(app)
    app.add_middleware(FastValidation)  # inside RequestContext: request ids, limits and logs apply
    app.add_middleware(RequestContext, max_body=ctx.limits.max_body, max_batch_body=ctx.limits.max_batch_body)
    _auth_routes(app)
    _pack_routes(app)
    _validation_routes(app)
    publishers.install(app)
    labels.install(app)
    recognitions.install(app)

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers (the database is not consulted)."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["service"])
    async def readyz(ctx: CtxDep) -> dict[str, str]:
        """Readiness: the database answers; 503 problem+json when it does not."""

        def ping() -> None:
            with session_scope(ctx.engine, write=False) as s:
                s.exec(select(1)).one()

        await run_in_threadpool(ping)
        return {"status": "ready", "version": __version__}

    return app


def _basic_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    auth = request.headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError) as e:
            raise Unauthorized("malformed Basic authorization header", code="invalid-client") from e
        return urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def _auth_routes(app: FastAPI) -> None:
    token_body = {
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

    @app.post(
        "/v1/auth/token",
        response_model=TokenResponse,
        tags=["auth"],
        openapi_extra={"requestBody": token_body, "security": [{"basicAuth": []}, {}]},
    )
    async def token(request: Request, ctx: CtxDep) -> dict[str, Any]:
        """OAuth2 client credentials (RFC 6749 §4.4): Basic auth or client_id/client_secret in the form."""
        raw = (await request.body()).decode("utf-8", "replace")
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
        if form.get("grant_type") != "client_credentials":
            raise problems.ApiError(
                "grant_type must be client_credentials",
                status=400,
                code="unsupported-grant-type",
                extra={"error": "unsupported_grant_type"},
            )
        client_id, secret = _basic_credentials(request, form)

        def check() -> Principal:
            with session_scope(ctx.engine) as session:
                org = repo.verify_credential(session, client_id, secret) if client_id and secret else None
                if org is None:
                    raise Unauthorized(
                        "unknown client or wrong secret", code="invalid-client", extra={"error": "invalid_client"}
                    )
                repo.mark_credential_used(session, client_id, now=ctx.clock())
                return Principal(org_id=org.id, kind=org.kind.value, client_id=client_id, via="token")

        principal = await run_in_threadpool(check)
        access, ttl = ctx.tokens.issue(principal, ctx.clock())
        return {"access_token": access, "token_type": "Bearer", "expires_in": ttl}


def _pack_routes(app: FastAPI) -> None:
    tags: list[str | Enum] = ["rule packs"]

    @app.get("/v1/rulepacks", tags=tags)
    async def list_packs(
        request: Request,
        response: Response,
        ctx: CtxDep,
        hs: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9.]+$")] = None,
        cpc: Annotated[str | None, Query(max_length=10, pattern=r"^[0-9]+$")] = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
        publisher: Annotated[str | None, Query(max_length=64)] = None,
        status: PackStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> list[dict[str, Any]]:
        """Search pack versions by HS or CPC code (prefix), text, publisher and status.

        Paged by ``limit``/``offset``; when more results follow, a ``Link: <...>; rel="next"``
        header (RFC 8288) gives the next page's URL."""
        from registry.storage.models import CodeScheme

        def run() -> list[dict[str, Any]]:
            with session_scope(ctx.engine, write=False) as s:
                code, scheme = (hs, CodeScheme.HS) if hs else (cpc, CodeScheme.CPC) if cpc else (None, None)
                rows = repo.search_pack_versions(
                    s,
                    covering_code=code,
                    scheme=scheme,
                    text=q,
                    namespace=publisher,
                    statuses=[status] if status else None,
                    limit=limit + 1,
                    offset=offset,
                )
                return [_summary(r) for r in rows]

        found = await run_in_threadpool(run)
        if len(found) > limit:
            nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
            response.headers["Link"] = f'<{nxt.path}?{nxt.query}>; rel="next"'
        return found[:limit]

    @app.get("/v1/rulepacks/{namespace}/{name}", tags=tags, responses=YAML_OR_JSON)
    async def get_pack(
        namespace: str,
        name: str,
        ctx: CtxDep,
        on: date | None = None,
        format: Annotated[str, Query(pattern="^(json|yaml)$")] = "json",
    ) -> Response:
        """The version that applied on a date (``on``, default today), or the newest published one."""
        from registry.service.packs import version_on

        pack_id = f"{namespace}/{name}"

        def run() -> RulePackVersion:
            with session_scope(ctx.engine, write=False) as s:
                return version_on(s, pack_id, on or ctx.clock().date())

        return _pack_response(await run_in_threadpool(run), format)

    @app.get("/v1/rulepacks/{namespace}/{name}/versions", tags=tags)
    async def list_versions(namespace: str, name: str, ctx: CtxDep) -> list[dict[str, Any]]:
        def run() -> list[dict[str, Any]]:
            with session_scope(ctx.engine, write=False) as s:
                rows = repo.list_pack_versions(s, f"{namespace}/{name}", newest_first=True)
                if not rows:
                    raise NotFoundError(f"no rule pack {namespace}/{name}")
                return [_summary(r) for r in rows]

        return await run_in_threadpool(run)

    @app.get("/v1/rulepacks/{namespace}/{name}/versions/{version}", tags=tags, responses=YAML_OR_JSON)
    async def get_version(
        namespace: str,
        name: str,
        version: str,
        ctx: CtxDep,
        format: Annotated[str, Query(pattern="^(json|yaml)$")] = "json",
    ) -> Response:
        def run() -> RulePackVersion:
            with session_scope(ctx.engine, write=False) as s:
                try:
                    return repo.get_pack_version(s, f"{namespace}/{name}", version)
                except NotFound as e:
                    raise NotFoundError(e.message) from e

        return _pack_response(await run_in_threadpool(run), format)

    @app.get("/v1/rulepacks/{namespace}/{name}/diff", tags=tags)
    async def diff(
        namespace: str,
        name: str,
        ctx: CtxDep,
        from_: Annotated[str, Query(alias="from", max_length=100)],
        to: Annotated[str, Query(max_length=100)],
    ) -> dict[str, Any]:
        """Every change between two versions, classified, with the version bump it needs."""
        pack_id = f"{namespace}/{name}"
        catalog = ctx.packs.catalog()
        result = diff_refs(catalog, f"{pack_id}@{from_}", f"{pack_id}@{to}")
        out: dict[str, Any] = result.to_json()
        return out

    envelope_body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "a signed rule pack (schemas/signed-rulepack-1.0.json)"}
            }
        },
    }

    @app.post(
        "/v1/rulepacks",
        tags=tags,
        status_code=201,
        responses={200: {"description": "already published with the same content"}},
        openapi_extra={"requestBody": envelope_body, "security": BEARER},
    )
    async def publish_pack(request: Request, principal: PrincipalDep, ctx: CtxDep) -> Response:
        """Publish a signed pack envelope. 201 when stored, 200 when the same content was already there."""
        from registry.service.packs import publish

        envelope = parse_json(await request.body())

        def run() -> tuple[dict[str, Any], bool]:
            with session_scope(ctx.engine) as s:
                outcome = publish(s, principal, envelope, now=ctx.clock())
                body = _summary(outcome.row)
                if outcome.diff is not None:
                    body["diff"] = outcome.diff.to_json()
                return body, outcome.created

        body, created = await run_in_threadpool(run)
        ctx.packs.refresh(force=True)
        return ORJSONResponse(body, status_code=201 if created else 200)

    def _status_route(target: PackStatus) -> Any:
        async def change(
            namespace: str, name: str, version: str, change: StatusChange, principal: PrincipalDep, ctx: CtxDep
        ) -> dict[str, Any]:
            from registry.service.packs import change_status

            def run() -> dict[str, Any]:
                with session_scope(ctx.engine) as s:
                    row = change_status(
                        s, principal, f"{namespace}/{name}", version, target, reason=change.reason, now=ctx.clock()
                    )
                    return _summary(row)

            body = await run_in_threadpool(run)
            ctx.packs.refresh(force=True)
            return body

        return change

    for verb, target in (("deprecate", PackStatus.DEPRECATED), ("withdraw", PackStatus.WITHDRAWN)):
        app.post(f"/v1/rulepacks/{{namespace}}/{{name}}/versions/{{version}}/{verb}", tags=tags, name=f"{verb}_pack")(
            _status_route(target)
        )


def _validation_routes(app: FastAPI) -> None:
    tags: list[str | Enum] = ["validations"]

    @app.post(
        "/v1/validations",
        tags=tags,
        responses={201: {"description": "validated and stored"}},
        openapi_extra={"requestBody": JSON_BODY, "security": BEARER},
    )
    async def validate(
        request: Request,
        principal: PrincipalDep,
        ctx: CtxDep,
        pack: Annotated[str | None, Query(max_length=300)] = None,
        store: bool = True,
    ) -> Response:
        """Validate one declaration (PACT v3 or v2.x JSON). Stored under the caller's organisation
        unless ``store=false``; the result is the same object ``pcfreg validate`` prints."""
        principal.require("certifier", "platform")
        document = parse_json(await request.body())
        result = validate_one(ctx, document, pack)
        body = result.to_json()
        if not store:
            return ORJSONResponse(body)

        vid, created = await ctx.writer.insert(principal.org_id, result, document, ctx.clock())
        return ORJSONResponse(
            {"id": vid, "created_at": created, **body}, status_code=201, headers={"Location": f"/v1/validations/{vid}"}
        )

    @app.post(
        "/v1/validations:batch",
        tags=tags,
        response_class=StreamingResponse,
        responses={200: {"content": {"application/jsonl": {"schema": {"type": "string"}}}}},
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/jsonl": {"schema": {"type": "string"}}}},
            "security": BEARER,
        },
    )
    async def validate_batch(
        request: Request,
        principal: PrincipalDep,
        ctx: CtxDep,
        pack: Annotated[str | None, Query(max_length=300)] = None,
        store: bool = False,
    ) -> StreamingResponse:
        """JSON Lines in, JSON Lines out, streamed: one result per non-blank input line, with its
        ``line``. A line that cannot be used gives ``{"line": n, "error": {...}}``."""
        principal.require("certifier", "platform")

        # The body is spooled first (memory up to 8 MB, then a temporary file): a streaming
        # response listens for disconnects on the same receive channel, so it cannot also read it.
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the generator
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)

        async def lines() -> AsyncIterator[bytes]:
            # Results are sent in chunks of about 64 KB: one send per line would cost more than
            # validating the line. A stored batch is flushed to the database before its chunk goes.
            pending: list[tuple[Any, Any]] = []
            out: list[bytes] = []
            size = 0
            try:
                for number, raw in enumerate(spool, start=1):
                    line = _batch_line(ctx, raw, number, pack, pending if store else None)
                    out.append(line)
                    size += len(line)
                    if store and len(pending) >= ctx.limits.batch_store_chunk:
                        await run_in_threadpool(_store_batch, ctx, principal, pending)
                        pending = []
                    if size >= 65536:
                        yield b"".join(out)
                        out, size = [], 0
                if store and pending:
                    await run_in_threadpool(_store_batch, ctx, principal, pending)
                yield b"".join(out)
            finally:
                spool.close()

        return StreamingResponse(_skip_empty(lines()), media_type="application/jsonl")

    @app.get("/v1/validations", tags=tags, openapi_extra={"security": BEARER})
    async def list_validations(
        principal: PrincipalDep,
        ctx: CtxDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
    ) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            with session_scope(ctx.engine, write=False) as s:
                page = repo.list_validations(s, principal.org_id, limit=limit, cursor=cursor)
                items = [
                    {
                        "id": v.id,
                        "created_at": v.created_at.isoformat(),
                        "conformant": v.conformant,
                        "pack": {"id": v.pack_id, "version": v.pack_version, "digest": v.pack_digest},
                    }
                    for v in page.items
                ]
                return {"items": items, "next_cursor": page.next_cursor}

        return await run_in_threadpool(run)

    @app.get(
        "/v1/validations/{validation_id}",
        tags=tags,
        responses={200: {"content": {"application/json": {}, "text/html": {"schema": {"type": "string"}}}}},
        openapi_extra={"security": BEARER},
    )
    async def get_validation(
        validation_id: str,
        request: Request,
        principal: PrincipalDep,
        ctx: CtxDep,
        format: Annotated[str | None, Query(pattern="^(json|html)$")] = None,
    ) -> Response:
        """A stored validation (only the organisation that ran it sees it), as JSON or as an HTML report."""

        def run() -> tuple[str, str, dict[str, Any]]:
            with session_scope(ctx.engine, write=False) as s:
                try:
                    v = repo.get_validation(s, validation_id, org_id=principal.org_id)
                except NotFound as e:
                    raise NotFoundError(e.message) from e
                return v.id, v.created_at.isoformat(), v.result

        vid, created, result = await run_in_threadpool(run)
        wants_html = format == "html" or (format is None and "text/html" in request.headers.get("accept", ""))
        if wants_html:
            return HTMLResponse(render_validation_html(vid, created, result))
        return ORJSONResponse({"id": vid, "created_at": created, **result})


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with our problem type and security schemes, and without its default 422 body."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(name, None)
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "basicAuth": {"type": "http", "scheme": "basic"},
    }
    for path in schema.get("paths", {}).values():
        for op in path.values():
            resp = op.get("responses", {}).get("422")
            if resp is not None:
                resp["content"] = ERRORS[422]["content"]
                resp["description"] = ERRORS[422]["description"]
    app.openapi_schema = schema
    return schema


async def _skip_empty(source: AsyncIterator[bytes | None]) -> AsyncIterator[bytes]:
    async for item in source:
        if item:
            yield item


def _batch_line(ctx: ServiceContext, raw: bytes, number: int, pack: str | None, pending: list[Any] | None) -> bytes:
    if not raw.strip():
        return b""
    try:
        document = parse_json(raw, line=number)
        result = validate_one(ctx, document, pack)
    except RegistryError as e:
        return orjson.dumps({"line": number, "error": e.to_dict()}) + b"\n"
    if pending is not None:
        pending.append((result, document))
    return orjson.dumps({"line": number, **result.to_json()}) + b"\n"


def _store_batch(ctx: ServiceContext, principal: Principal, pending: list[tuple[Any, Any]]) -> None:
    with session_scope(ctx.engine) as s:
        for result, document in pending:
            repo.insert_validation(s, org_id=principal.org_id, result=result, declaration=document, now=ctx.clock())


__all__ = ["ServiceContext", "build_context", "create_app"]
