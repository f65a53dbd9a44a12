"""Audits and recognitions (certifiers): record an audit once, recognise it under many schemes,
revoke it (and every label issued from it).

* ``POST /v1/audits``, ``GET /v1/audits``, ``GET /v1/audits/{audit_id}`` - record and read audits
* ``POST /v1/audits/{audit_id}/revoke`` - revoke an audit and its labels
* ``POST /v1/recognitions``, ``GET /v1/recognitions/{recognition_id}`` - recognise an audit under
  other schemes, and read a stored recognition

An audit is stored with the declaration it covered and the pack it was validated against; a
recognition result points at its audit, so the labels of every recognised scheme cite one audit.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from issuance import pick_language
from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext
from registry.api.models import AuditOut, Reason, RecognitionOut
from registry.api.problems import NotFoundError
from registry.crosswalk import (
    AuditRecord,
    Recognition,
    audit_from_data,
    check_audit,
    checking_rules,
    load_crosswalks,
    recognise,
    render_recognition,
)
from registry.declarations import prepare
from registry.errors import InputError, Location, NotConformant
from registry.findings import PackRef, ValidationResult
from registry.service import labels as labels_svc
from registry.service.principal import Principal
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
from registry.storage.models import Audit

router = APIRouter(tags=["audits and recognition"])


class AuditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record: dict[str, Any] = Field(description="an audit record (schemas/audit-1.0.json)")
    declaration: dict[str, Any]
    pack: str | None = Field(default=None, max_length=300)


class RecognitionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audit_id: str | None = Field(default=None, max_length=36, description="a stored audit; or give the next three")
    record: dict[str, Any] | None = None
    declaration: dict[str, Any] | None = None
    pack: str | None = Field(default=None, max_length=300)
    schemes: list[str] | None = Field(default=None, max_length=50)


# ------------------------------------------------------------------ audits


@router.post("/v1/audits", status_code=201, responses={201: {"model": AuditOut}}, openapi_extra={"security": BEARER})
async def record_audit(body: AuditBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Record an audit of a conformant declaration (the certifier's own)."""
    principal.require("certifier")
    record = _record(body.record, principal.org_id)
    result = _validated(ctx, body.declaration, body.pack)
    audit = await run_in_threadpool(_store_audit, ctx, principal.org_id, record, body.declaration, result.pack)
    return ORJSONResponse(_audit_json(audit), status_code=201, headers={"Location": f"/v1/audits/{audit.id}"})


@router.get("/v1/audits", openapi_extra={"security": BEARER})
async def list_audits(
    principal: PrincipalDep,
    ctx: CtxDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """The caller's own audits (certifiers), newest first."""
    principal.require("certifier")

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            rows = store.list_audits(s, principal.org_id, limit=limit, offset=offset)
            return {"items": [_audit_json(a) for a in rows]}

    return await run_in_threadpool(run)


@router.get("/v1/audits/{audit_id}", openapi_extra={"security": BEARER})
async def get_audit(audit_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """An audit with the labels issued from it (only its certifier sees it)."""
    principal.require("certifier")

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            audit = store.get_audit(s, audit_id, certifier_id=principal.org_id)
            labels = [label.id for label in store.list_labels(s, principal.org_id, audit_id=audit.id, limit=1000)]
            return _audit_json(audit, labels)

    try:
        return await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e


@router.post("/v1/audits/{audit_id}/revoke", openapi_extra={"security": BEARER})
async def revoke_audit(audit_id: str, body: Reason, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Revoke an audit: every label issued from it is revoked in the same transaction."""
    principal.require("certifier")

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            audit = store.get_audit(s, audit_id, certifier_id=principal.org_id)
            revoked = labels_svc.revoke_audit(s, audit, by=principal.org_id, reason=body.reason, now=ctx.clock())
            return {**_audit_json(audit), "labels_revoked": [label.id for label in revoked]}

    try:
        return await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e


# ------------------------------------------------------------------ recognitions


@router.post(
    "/v1/recognitions",
    status_code=201,
    responses={201: {"model": RecognitionOut, "content": {"text/html": {"schema": {"type": "string"}}}}},
    openapi_extra={"security": BEARER},
)
async def create_recognition(
    body: RecognitionBody,
    request: Request,
    principal: PrincipalDep,
    ctx: CtxDep,
    format: Literal["json", "html"] | None = None,
    lang: Literal["en", "zh"] | None = None,
) -> Response:
    """Recognise an audit under other schemes: per scheme recognised, with gaps, or not, each gap with its clause.
    The HTML page (``format=html`` or Accept) opens in ``lang`` (default: by Accept-Language) with a zh/en switch.

    Give ``audit_id`` of a stored audit, or ``record`` + ``declaration`` (+ ``pack``) to record the audit first.
    """
    principal.require("certifier")
    cw = load_crosswalks()
    if body.audit_id is not None:
        audit, record, declaration, pack = await _stored_audit(ctx, principal, body)
    else:
        audit, record, declaration, pack = await _new_audit(ctx, principal, body)
    resolved = ctx.packs.catalog().resolve(pack.ref)
    result = recognise(
        cw,
        prepare(declaration).document,
        pack=pack,
        audit=record,
        chain=resolved.chain,
        schemes=body.schemes,
        pack_rules=checking_rules(resolved.rules),
    )
    rid = await run_in_threadpool(_store_recognition, ctx, audit, result)
    headers = {"Location": f"/v1/recognitions/{rid}"}
    if format == "html" or (format is None and "text/html" in request.headers.get("accept", "")):
        chosen = lang or pick_language(request.headers.get("accept-language"))
        return HTMLResponse(render_recognition(result, "html", chosen), status_code=201, headers=headers)
    return ORJSONResponse({"id": rid, "audit_id": audit.id, **result.to_json()}, status_code=201, headers=headers)


@router.get("/v1/recognitions/{recognition_id}", openapi_extra={"security": BEARER})
async def get_recognition(recognition_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """A stored recognition (only its certifier sees it)."""
    principal.require("certifier")

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine, write=False) as s:
            row = store.get_recognition(s, recognition_id, certifier_id=principal.org_id)
            return {"id": row.id, "audit_id": row.audit_id, "created_at": row.created_at.isoformat(), **row.result}

    try:
        return await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e


# ------------------------------------------------------------------ helpers

_Audited = tuple[Audit, AuditRecord, dict[str, Any], PackRef]  # what a recognition starts from


async def _stored_audit(ctx: ServiceContext, principal: Principal, body: RecognitionBody) -> _Audited:
    """The stored audit ``audit_id`` names (the caller's own, not revoked), with what it covered."""
    if body.record is not None or body.declaration is not None:
        raise InputError("give audit_id, or record and declaration, not both", Location(pointer="/audit_id"))

    def load() -> Audit:
        with session_scope(ctx.engine, write=False) as s:
            return store.get_audit(s, body.audit_id or "", certifier_id=principal.org_id)

    try:
        audit = await run_in_threadpool(load)
    except NotFound as e:
        raise NotFoundError(e.message) from e
    if audit.revoked_at is not None:
        raise InputError(f"audit {audit.id} was revoked; it cannot be recognised", Location(pointer="/audit_id"))
    record = AuditRecord.model_validate(audit.record)
    pack = PackRef(id=audit.pack_id, version=audit.pack_version, digest=audit.pack_digest)
    return audit, record, audit.declaration, pack


async def _new_audit(ctx: ServiceContext, principal: Principal, body: RecognitionBody) -> _Audited:
    """The audit ``record`` of ``declaration``, checked, validated and stored first."""
    if body.record is None or body.declaration is None:
        raise InputError("give audit_id, or record and declaration", Location(pointer="/record"))
    record = _record(body.record, principal.org_id)
    declaration = body.declaration
    pack = _validated(ctx, declaration, body.pack).pack
    audit = await run_in_threadpool(_store_audit, ctx, principal.org_id, record, declaration, pack)
    return audit, record, declaration, pack


def _record(raw: dict[str, Any], certifier: str) -> AuditRecord:
    """An audit record read from a body (at ``/record``), refused unless it is the certifier's own."""
    audit = audit_from_data(raw, at="/record")
    if audit.certifier != certifier:
        raise InputError(
            f"the audit record names certifier {audit.certifier!r}; {certifier} may record only its own audits",
            Location(pointer="/record/certifier"),
        )
    check_audit(load_crosswalks(), audit)
    return audit


def _validated(ctx: ServiceContext, declaration: dict[str, Any], pack: str | None) -> ValidationResult:
    """The declaration's validation; refused unless it is conformant (only those are audited)."""
    now = ctx.clock()
    ref = pack or ctx.packs.select(declaration, now=now).ref
    result: ValidationResult = ctx.packs.compiled(ref, on=now.date()).validate(declaration, now=now)
    if not result.conformant:
        raise NotConformant(
            f"the declaration is not conformant to {result.pack.ref}; it cannot be audited or recognised",
            findings=[f.to_json() for f in result.errors],
        )
    return result


def _store_audit(
    ctx: ServiceContext, certifier: str, record: AuditRecord, declaration: dict[str, Any], pack: PackRef
) -> Audit:
    with session_scope(ctx.engine) as s:
        return store.insert_audit(
            s, certifier_id=certifier, record=record.to_json(), declaration=declaration, pack=pack, now=ctx.clock()
        )


def _store_recognition(ctx: ServiceContext, audit: Audit, result: Recognition) -> str:
    with session_scope(ctx.engine) as s:
        return store.insert_recognition(s, audit=audit, result=result.to_json(), now=ctx.clock()).id


def _audit_json(audit: Audit, labels: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": audit.id,
        "digest": audit.digest,
        "certifier": audit.certifier_id,
        "record": audit.record,
        "declaration_digest": audit.declaration_digest,
        "pack": {"id": audit.pack_id, "version": audit.pack_version, "digest": audit.pack_digest},
        "created_at": audit.created_at.isoformat(),
        "revoked_at": audit.revoked_at.isoformat() if audit.revoked_at else None,
        "revoke_reason": audit.revoke_reason,
    }
    if labels is not None:
        out["labels"] = labels
    return out
