"""Builders shared by the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from issuance import KeyScope
from registry.findings import Finding, PackRef, Severity, ValidationResult
from registry.service import labels as label_svc
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import OrganisationCreate, OrgKind, PackStatus, RulePackVersion, RulePackVersionCreate

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
ENVELOPE = {"payloadType": "application/vnd.pcf-registry.packs.rulepack+json", "payload": "e30", "signatures": []}


def pack_content(
    pack_id: str = "example-standards-body/aluminium-ingot",
    version: str = "1.0.0",
    *,
    hs: list[str] | None = None,
    cpc: list[str] | None = None,
    effective_from: str = "2025-01-01",
    effective_until: str | None = None,
    title_en: str = "Aluminium ingot",
    title_zh: str = "铝锭",
) -> dict[str, Any]:
    effective: dict[str, Any] = {"from": effective_from}
    if effective_until is not None:
        effective["until"] = effective_until
    namespace = pack_id.split("/", 1)[0]
    return {
        "format": "pcf-registry/rulepack/1.0",
        "id": pack_id,
        "version": version,
        "title": {"en": title_en, "zh": title_zh},
        "publisher": {"id": namespace, "name": namespace},
        "status": "published",
        "effective": effective,
        "scope": {"hs": hs if hs is not None else ["7601.10", "7601.20"], "cpc": cpc if cpc is not None else ["41431"]},
        "rules": [],
    }


def add_org(session: Session, org_id: str = "example-standards-body", kind: OrgKind = OrgKind.STANDARDS_BODY) -> str:
    repo.create_organisation(session, OrganisationCreate(id=org_id, name=org_id.title(), kind=kind), now=NOW)
    return org_id


def certifier_with_key(
    engine: Engine, settings: label_svc.IssuanceSettings, certifier: str, scope: KeyScope, *, now: datetime, name: str
) -> Engine:
    """``engine`` with the certifier ``certifier`` (named ``name``) and one signing key of ``scope``."""
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id=certifier, name=name, kind=OrgKind.CERTIFIER), now=now)
        label_svc.create_signing_key(s, settings, certifier, scope, now=now)
    return engine


def add_pack(
    session: Session,
    pack_id: str = "example-standards-body/aluminium-ingot",
    version: str = "1.0.0",
    *,
    status: PackStatus = PackStatus.PUBLISHED,
    **kwargs: Any,
) -> RulePackVersion:
    envelope = None if status is PackStatus.DRAFT else ENVELOPE
    data = RulePackVersionCreate(content=pack_content(pack_id, version, **kwargs), status=status, envelope=envelope)
    return repo.insert_pack_version(session, data, now=NOW)


def validation_result(
    pack_id: str = "example-standards-body/aluminium-ingot", version: str = "1.0.0", *, conformant: bool = True
) -> ValidationResult:
    findings = [] if conformant else [Finding(rule_id="core.x", severity=Severity.ERROR, path="/pcf", message="bad")]
    return ValidationResult.from_findings(PackRef(id=pack_id, version=version, digest="sha256:" + "0" * 64), findings)
