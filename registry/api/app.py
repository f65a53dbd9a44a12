"""The HTTP API (FastAPI): thin routes over registry.service and registry.storage.

Public reads need nothing; writes need a bearer token (OAuth2 client credentials at
``POST /v1/auth/token``) or, for platforms, an API key (``X-API-Key``). Every error is
RFC 9457 problem+json (registry.api.problems); every response carries X-Request-ID.

This module is the app factory: it includes the routers of :mod:`registry.api.routes`, installs
the middleware and the problem handlers, and completes the OpenAPI document.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from registry import __version__
from registry.api import problems
from registry.api.deps import ERRORS, ORJSONResponse, Problem, ServiceContext, build_context
from registry.api.fastpath import FastValidation
from registry.api.middleware import RequestContext
from registry.api.routes import (
    accreditations,
    audits,
    auth,
    catalogues,
    complaints,
    contacts,
    credentials,
    declarations,
    digital_link,
    directory,
    factorsets,
    health,
    home,
    label_pages,
    labels,
    pact,
    pact_auth,
    pact_shares,
    pact_v2,
    public_pages,
    publishers,
    recalculations,
    rulepacks,
    supervision,
    tlog,
    trust,
    validations,
)
from registry.storage.db import WalCheckpointer, writer_gate

# The order routes are matched in (and listed in the OpenAPI document). No two routes' paths overlap
# today, so only the listing depends on it; a new route whose path another one's could also match
# must come before that one (say GET /v1/labels/export before GET /v1/labels/{label_id}).
ROUTERS = (
    auth.router,
    credentials.router,
    contacts.router,
    rulepacks.router,
    factorsets.router,
    catalogues.router,
    validations.router,
    recalculations.router,
    declarations.router,
    publishers.router,
    labels.router,
    label_pages.router,
    public_pages.router,
    digital_link.router,
    trust.router,
    tlog.router,
    audits.router,
    complaints.router,
    supervision.router,
    pact_auth.router,
    pact.router,
    pact_v2.router,
    pact_shares.router,
    accreditations.router,
    health.router,
    home.router,
    directory.router,
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work of a worker: the PACT outbox sweeper (``PCFREG_PACT_SWEEP_SECONDS``, 0: none) and, on
    a SQLite file, the WAL checkpoints (:class:`~registry.storage.db.WalCheckpointer`)."""
    from registry.api.pact import delivery

    ctx: ServiceContext = app.state.ctx
    sweeper = None
    if ctx.pact.sweep_seconds > 0:
        sweeper = asyncio.get_running_loop().create_task(delivery(ctx).sweep(ctx.pact.sweep_seconds))
    checkpoints = WalCheckpointer(ctx.engine) if writer_gate(ctx.engine) is not None else None
    if checkpoints is not None:
        checkpoints.start()
    try:
        yield
    finally:
        if checkpoints is not None:
            checkpoints.stop()
        if sweeper is not None:
            sweeper.cancel()
            await asyncio.gather(sweeper, return_exceptions=True)
        if ctx.pact.delivery is not None:
            await ctx.pact.delivery.stop()


def create_app(ctx: ServiceContext) -> FastAPI:
    # /docs and /redoc load Swagger UI and ReDoc from the fastapi-offline package, not from a CDN (ADR 0016)
    app = FastAPIOffline(
        title="pcf-registry",
        version=__version__,
        description="Product carbon footprint rules as code: rule packs, validation, and (later) labels.",
        default_response_class=ORJSONResponse,
        responses=ERRORS,
        lifespan=_lifespan,
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.state.ctx = ctx
    problems.install(app)
    app.add_middleware(FastValidation)  # inside RequestContext: request ids, limits and logs apply
    app.add_middleware(RequestContext, max_body=ctx.limits.max_body, max_batch_body=ctx.limits.max_batch_body)
    for router in ROUTERS:
        app.include_router(router)
    return app


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


__all__ = ["ServiceContext", "build_context", "create_app"]
