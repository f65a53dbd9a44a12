"""Supervision (regulators): read-only views of a jurisdiction, label samples and re-verification
outcomes, complaints and certifier statistics; and the operator's route that creates a regulator.

* ``POST /v1/regulators`` - create a regulator with its jurisdiction (the registry's admin)
* ``GET /v1/supervision/labels``, ``.../labels/{label_id}`` - labels in the jurisdiction
* ``GET /v1/supervision/validations``, ``.../validations/{validation_id}`` - validations and
  recalculations (``kind=validation|recalculation``)
* ``GET /v1/supervision/audits``, ``.../audits/{audit_id}`` - audits
* ``GET /v1/supervision/complaints``, ``.../complaints/{reference}`` - complaints about its labels
* ``POST /v1/supervision/samples``, ``GET /v1/supervision/samples``, ``GET .../samples/{sample_id}``
  - reproducible random samples of labels; ``POST .../samples/{sample_id}/outcomes`` - what
  re-verifying one sampled label found
* ``GET /v1/supervision/statistics`` - per certifier: labels issued, revoked, suspended, complaints by
  state, sample outcomes, in a period

Only regulators read here, and only inside their jurisdiction: a record elsewhere is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep
from registry.errors import InputError, Location
from registry.findings import Finding
from registry.service import complaints as complaint_svc
from registry.service import supervision as svc
from registry.storage.db import session_scope
from registry.storage.models import Audit, Label, LabelSample, LabelState, Reverification, Validation
from registry.supervision import ComplaintState, Outcome, Population

router = APIRouter(tags=["supervision"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class RegulatorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")
    name: str = Field(min_length=1, max_length=300)
    jurisdiction: list[str] = Field(min_length=1, max_length=200)


class SampleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(ge=1, le=1000)
    seed: str | None = Field(default=None, min_length=1, max_length=128)
    population: Population


class OutcomeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label_id: str = Field(min_length=1, max_length=16)
    outcome: Outcome
    findings: list[Finding] = Field(default_factory=list, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class _Open(BaseModel):
    # responses may carry more members than these
    model_config = ConfigDict(extra="allow")


class RegulatorOut(_Open):
    id: str
    name: str
    kind: Literal["regulator"]
    jurisdiction: list[str]


class SampleOut(_Open):
    # schemas/label-sample-1.0.json
    id: str
    regulator: str
    seed: str
    population: dict[str, Any]
    population_size: int
    population_digest: str
    size: int
    label_ids: list[str]
    created_at: str


class OutcomeOut(_Open):
    sample_id: str
    label_id: str
    certifier: str
    regulator: str
    outcome: Outcome
    findings: list[dict[str, Any]]
    note: str | None
    recorded_at: str


def _read(ctx: Any, principal: Any, fn: Any) -> Any:
    """Run ``fn(session, scope)`` in a read-only transaction as the calling regulator."""

    def run() -> Any:
        with session_scope(ctx.engine, write=False) as s:
            return fn(s, svc.scope_of(s, principal))

    return run_in_threadpool(run)


def _write(ctx: Any, principal: Any, fn: Any) -> Any:
    def run() -> Any:
        with session_scope(ctx.engine) as s:
            return fn(s, svc.scope_of(s, principal))

    return run_in_threadpool(run)


# ------------------------------------------------------------------ operator


@router.post(
    "/v1/regulators", status_code=201, responses={201: {"model": RegulatorOut}}, openapi_extra={"security": BEARER}
)
async def create_regulator(body: RegulatorBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Create a regulator and its jurisdiction (ISO 3166-1 alpha-2 or ISO 3166-2 regions); the
    registry's admin only. Its credentials are then made as for any organisation."""
    principal.require("admin")

    def run() -> dict[str, Any]:
        with session_scope(ctx.engine) as s:
            svc.create_regulator(s, body.id, body.name, body.jurisdiction, now=ctx.clock())
            return {
                "id": body.id,
                "name": body.name,
                "kind": "regulator",
                "jurisdiction": svc.jurisdiction_of(s, body.id),
            }

    out = await run_in_threadpool(run)
    return ORJSONResponse(out, status_code=201, headers={"Location": f"/v1/orgs/{body.id}/credentials"})


# ------------------------------------------------------------------ reading


def label_json(r: Label) -> dict[str, Any]:
    return {
        "id": r.id,
        "certifier": r.certifier_id,
        "region": r.region,
        "gtin": r.gtin,
        "product_name": r.product_name,
        "grade": r.grade,
        "scheme": r.scheme,
        "pack": f"{r.pack_id}@{r.pack_version}",
        "audit_id": r.audit_id,
        "state": LabelState(r.state).value,
        "state_reason": r.state_reason,
        "state_changed_at": r.state_changed_at.isoformat(),
        "issued_at": r.issued_at.isoformat(),
        "expires_at": r.expires_at.isoformat(),
        "claims": r.claims,
    }


def validation_json(r: Validation, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "kind": "recalculation" if svc.is_recalculation(r) else "validation",
        "org": r.org_id,
        "region": r.region,
        "pack": {"id": r.pack_id, "version": r.pack_version, "digest": r.pack_digest},
        "conformant": r.conformant,
        "declaration_digest": r.declaration_digest,
        "created_at": r.created_at.isoformat(),
    }
    if full:
        out |= {"result": r.result, "declaration": r.declaration}
    return out


def audit_json(r: Audit, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "certifier": r.certifier_id,
        "region": r.region,
        "digest": r.digest,
        "declaration_digest": r.declaration_digest,
        "pack": {"id": r.pack_id, "version": r.pack_version, "digest": r.pack_digest},
        "created_at": r.created_at.isoformat(),
        "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        "revoke_reason": r.revoke_reason,
    }
    if full:
        out |= {"record": r.record, "declaration": r.declaration}
    return out


@router.get("/v1/supervision/labels", openapi_extra={"security": BEARER})
async def list_labels(
    principal: PrincipalDep,
    ctx: CtxDep,
    certifier: Annotated[str | None, Query(max_length=64)] = None,
    state: LabelState | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Labels in the caller's jurisdiction (regulators), newest first."""

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        rows = svc.list_labels(s, scope, certifier=certifier, state=state, limit=limit, offset=offset)
        return {"items": [label_json(r) for r in rows]}

    out: dict[str, Any] = await _read(ctx, principal, fn)
    return out


@router.get("/v1/supervision/labels/{label_id}", openapi_extra={"security": BEARER})
async def get_label(label_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """A label in the caller's jurisdiction, with its complaints and re-verification outcomes."""

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        row = svc.get_label(s, scope, label_id)
        return label_json(row) | {
            "complaints": complaint_svc.references_for_label(s, row.id),
            "reverifications": [outcome_json(o) for o in svc.outcomes_for_label(s, row.id)],
        }

    out: dict[str, Any] = await _read(ctx, principal, fn)
    return out


@router.get("/v1/supervision/validations", openapi_extra={"security": BEARER})
async def list_validations(
    principal: PrincipalDep,
    ctx: CtxDep,
    kind: Literal["any", "validation", "recalculation"] = "any",
    org: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Validations and recalculations in the caller's jurisdiction (regulators), newest first."""
    recalc = None if kind == "any" else kind == "recalculation"

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        rows = svc.list_validations(s, scope, org=org, recalculations=recalc, limit=limit, offset=offset)
        return {"items": [validation_json(r, full=False) for r in rows]}

    out: dict[str, Any] = await _read(ctx, principal, fn)
    return out


@router.get("/v1/supervision/validations/{validation_id}", openapi_extra={"security": BEARER})
async def get_validation(validation_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """A validation or recalculation in the caller's jurisdiction: its result and declaration."""
    out: dict[str, Any] = await _read(
        ctx, principal, lambda s, scope: validation_json(svc.get_validation(s, scope, validation_id), full=True)
    )
    return out


@router.get("/v1/supervision/audits", openapi_extra={"security": BEARER})
async def list_audits(
    principal: PrincipalDep,
    ctx: CtxDep,
    certifier: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Audits in the caller's jurisdiction (regulators), newest first."""

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        rows = svc.list_audits(s, scope, certifier=certifier, limit=limit, offset=offset)
        return {"items": [audit_json(r, full=False) for r in rows]}

    out: dict[str, Any] = await _read(ctx, principal, fn)
    return out


@router.get("/v1/supervision/audits/{audit_id}", openapi_extra={"security": BEARER})
async def get_audit(audit_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """An audit in the caller's jurisdiction: its record and declaration."""
    out: dict[str, Any] = await _read(
        ctx, principal, lambda s, scope: audit_json(svc.get_audit(s, scope, audit_id), full=True)
    )
    return out


@router.get("/v1/supervision/complaints", openapi_extra={"security": BEARER})
async def list_complaints(
    principal: PrincipalDep,
    ctx: CtxDep,
    certifier: Annotated[str | None, Query(max_length=64)] = None,
    state: ComplaintState | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Complaints about labels in the caller's jurisdiction (regulators), newest first."""

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        rows = complaint_svc.list_for_regulator(s, scope, certifier=certifier, state=state, limit=limit, offset=offset)
        return {"items": [complaint_svc.complaint_json(r) for r in rows]}

    out: dict[str, Any] = await _read(ctx, principal, fn)
    return out


@router.get("/v1/supervision/complaints/{reference}", openapi_extra={"security": BEARER})
async def get_complaint(reference: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """A complaint about a label in the caller's jurisdiction."""
    out: dict[str, Any] = await _read(
        ctx,
        principal,
        lambda s, scope: complaint_svc.complaint_json(complaint_svc.get_for_regulator(s, scope, reference)),
    )
    return out


# ------------------------------------------------------------------ samples


def sample_json(r: LabelSample, outcomes: list[Reverification] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "regulator": r.regulator_id,
        "seed": r.seed,
        "population": r.population,
        "population_size": r.population_size,
        "population_digest": r.population_digest,
        "size": r.size,
        "label_ids": r.label_ids,
        "created_at": r.created_at.isoformat(),
    }
    if outcomes is not None:
        out["outcomes"] = [outcome_json(o) for o in outcomes]
    return out


def outcome_json(r: Reverification) -> dict[str, Any]:
    return {
        "sample_id": r.sample_id,
        "label_id": r.label_id,
        "certifier": r.certifier_id,
        "regulator": r.regulator_id,
        "outcome": str(getattr(r.outcome, "value", r.outcome)),
        "findings": r.findings,
        "note": r.note,
        "recorded_at": r.recorded_at.isoformat(),
    }


@router.post(
    "/v1/supervision/samples",
    status_code=201,
    responses={201: {"model": SampleOut}},
    openapi_extra={"security": BEARER},
)
async def draw_sample(body: SampleBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Draw a random sample of labels in the caller's jurisdiction for re-verification (regulators).
    Without a seed the registry picks one; the seed, the population's definition (jurisdiction,
    filters, cut-off) with its size and digest, and the labels drawn are recorded. The same seed and
    population always draw the same labels (docs/supervision.md says how to redo a draw)."""
    now = ctx.clock()

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        row = svc.draw(s, scope, size=body.size, seed=body.seed, population=body.population, now=now)
        return sample_json(row)

    out: dict[str, Any] = await _write(ctx, principal, fn)
    return ORJSONResponse(out, status_code=201, headers={"Location": f"/v1/supervision/samples/{out['id']}"})


@router.get("/v1/supervision/samples", openapi_extra={"security": BEARER})
async def list_samples(principal: PrincipalDep, ctx: CtxDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """The caller's samples (regulators), newest first."""

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        return {"items": [sample_json(r) for r in svc.list_samples(s, scope, limit=limit, offset=offset)]}

    out: dict[str, Any] = await _read(ctx, principal, fn)
    return out


@router.get("/v1/supervision/samples/{sample_id}", openapi_extra={"security": BEARER})
async def get_sample(sample_id: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """One of the caller's samples with the outcomes recorded so far."""

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        row = svc.get_sample(s, scope, sample_id)
        return sample_json(row, svc.outcomes_of(s, row.id))

    out: dict[str, Any] = await _read(ctx, principal, fn)
    return out


@router.post(
    "/v1/supervision/samples/{sample_id}/outcomes",
    status_code=201,
    responses={201: {"model": OutcomeOut}},
    openapi_extra={"security": BEARER},
)
async def record_outcome(sample_id: str, body: OutcomeBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
    """Record what re-verifying one label of the sample found: ``confirmed``, ``discrepancy`` (with
    findings) or ``not_verifiable`` (with a note); recorded against the label and its certifier, once."""
    now = ctx.clock()

    def fn(s: Any, scope: svc.Scope) -> dict[str, Any]:
        row = svc.record_outcome(
            s, scope, sample_id, body.label_id, outcome=body.outcome, findings=body.findings, note=body.note, now=now
        )
        return outcome_json(row)

    out: dict[str, Any] = await _write(ctx, principal, fn)
    return ORJSONResponse(out, status_code=201)


# ------------------------------------------------------------------ statistics


@router.get("/v1/supervision/statistics", openapi_extra={"security": BEARER})
async def statistics(
    principal: PrincipalDep,
    ctx: CtxDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="until")] = None,
) -> dict[str, Any]:
    """Per certifier with labels in the caller's jurisdiction, for the period [from, until): labels
    issued, revoked and (now) suspended, complaints by state, re-verification outcomes."""
    for name, at in (("from", start), ("until", end)):
        if at is not None and at.tzinfo is None:
            raise InputError(f"{name} needs a time zone (say Z for UTC)", Location(pointer=f"/{name}"))
    if start is not None and end is not None and end <= start:
        raise InputError("until must be later than from", Location(pointer="/until"))
    out: dict[str, Any] = await _read(ctx, principal, lambda s, scope: svc.statistics(s, scope, start=start, end=end))
    return out
