"""Audit records: who audited a footprint, when, on what evidence, and what they attested.

An attestation names a crosswalk requirement. With a ``value`` it states a fact of the study
(typed by the requirement's kind) that the declaration does not carry; without one it says the
requirement is met, for the listed ``schemes`` or for every scheme, which closes gaps that
evidence can close. Without an audit file, :func:`audit_from_declaration` builds a record from
the declaration's own extension attestations, mapping pack rule ids through the vocabulary.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

import rfc8785
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from registry.crosswalk.facts import view_of
from registry.crosswalk.kinds import BadValue
from registry.crosswalk.model import Crosswalks
from registry.crosswalk.schemas import AUDIT_SCHEMA_ID, schema_errors
from registry.errors import InputError, Location
from registry.yamlpos import load_with_positions, position_of

CERTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"


class AuditAttestation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    requirement: str
    statement: str | None = None
    value: Any = None
    schemes: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"requirement": self.requirement}
        if self.statement is not None:
            out["statement"] = self.statement
        if self.value is not None:
            out["value"] = self.value
        if self.schemes is not None:
            out["schemes"] = list(self.schemes)
        return out


class AuditRecord(BaseModel):
    """One audit of one footprint study (schemas/audit-1.0.json)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    certifier: str = Field(pattern=CERTIFIER_PATTERN)
    date: datetime
    evidence_digest: str = Field(pattern=DIGEST_PATTERN)
    attestations: tuple[AuditAttestation, ...] = ()
    declaration_id: str | None = None
    pack: str | None = None
    origin: Literal["audit-record", "declaration"] = "audit-record"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "certifier": self.certifier,
            "date": self.date.isoformat().replace("+00:00", "Z"),
            "evidence_digest": self.evidence_digest,
            "attestations": [a.to_json() for a in self.attestations],
            "origin": self.origin,
        }
        if self.declaration_id is not None:
            out["declaration_id"] = self.declaration_id
        if self.pack is not None:
            out["pack"] = self.pack
        return out


def parse_audit(text: str, *, file: str | None = None) -> AuditRecord:
    """An audit record from JSON (or YAML) text; every problem names the file, line and key."""
    data, positions = load_with_positions(text, file=file)
    errors = schema_errors(AUDIT_SCHEMA_ID, data)
    if errors:
        first = errors[0]
        line, column = position_of(positions, first.pointer)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(
            f"not a valid audit record: {first.message}{more}", Location(file, line, column, first.pointer)
        )
    try:
        return AuditRecord.model_validate({**data, "origin": "audit-record"})
    except ValidationError as e:
        raise InputError(f"not a valid audit record: {e.errors()[0]['msg']}", Location(file)) from e


def audit_from_data(data: Any, *, at: str = "") -> AuditRecord:
    """An audit record from parsed JSON (an API body); problems carry the JSON pointer under ``at``."""
    try:
        errors = schema_errors(AUDIT_SCHEMA_ID, data)
    except UnicodeEncodeError as e:  # a lone surrogate: not text JSON Schema can read
        raise InputError("the audit record holds text that is not valid Unicode", Location(pointer=at)) from e
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(f"not a valid audit record: {first.message}{more}", Location(pointer=at + first.pointer))
    try:
        return AuditRecord.model_validate({**data, "origin": "audit-record"})
    except ValidationError as e:
        raise InputError(f"not a valid audit record: {e.errors()[0]['msg']}", Location(pointer=at)) from e


def check_audit(crosswalks: Crosswalks, audit: AuditRecord) -> None:
    """Refuse attestations naming unknown requirements or schemes, or values their kind rejects."""
    for i, a in enumerate(audit.attestations):
        at = f"/attestations/{i}"
        requirement = crosswalks.by_id.get(a.requirement)
        if requirement is None:
            raise InputError(f"unknown crosswalk requirement {a.requirement!r}", Location(pointer=f"{at}/requirement"))
        for j, scheme in enumerate(a.schemes or ()):
            if scheme not in crosswalks.schemes:
                raise InputError(f"unknown scheme {scheme!r}", Location(pointer=f"{at}/schemes/{j}"))
        if a.value is not None:
            try:
                requirement.kind.fact(a.value)
            except BadValue as e:
                raise InputError(f"{a.requirement}: {e}", Location(pointer=f"{at}/value")) from e


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _declared(document: Any) -> tuple[list[dict[str, Any]], str]:
    view = view_of(document)
    raw = view.ext.get("attestations")
    items = [a for a in raw if isinstance(a, dict)] if isinstance(raw, list) else []
    return items, f"{view.ext_at}/attestations"


def audit_from_declaration(crosswalks: Crosswalks, document: Any) -> AuditRecord | None:
    """An audit record from the declaration's extension attestations, or None when it has none.

    Rule ids the vocabulary maps (``rules`` in requirements.yaml) become attestations with the
    fact they state; others are left out. The evidence digest is the SHA-256 of the RFC 8785
    canonical JSON of the attestations as declared.
    """
    items, at = _declared(document)
    if not items:
        return None
    certifiers = sorted({str(a.get("certifier")) for a in items})
    if len(certifiers) > 1:
        raise InputError(
            f"the declaration's attestations come from several certifiers ({', '.join(certifiers)});"
            " give an audit record",
            Location(pointer=at),
        )
    dates = sorted(str(a.get("date")) for a in items)
    attestations = []
    for a in items:
        mapped = crosswalks.rule_facts.get(str(a.get("ruleId")))
        if mapped is not None:
            requirement, value = mapped
            statement = a.get("statement") if _text(a.get("statement")) else None
            attestations.append(AuditAttestation(requirement=requirement.id, statement=statement, value=value))
    try:
        digest = "sha256:" + hashlib.sha256(rfc8785.dumps(items)).hexdigest()
        return AuditRecord(
            certifier=certifiers[0],
            date=datetime.fromisoformat(dates[-1].replace("Z", "+00:00")),
            evidence_digest=digest,
            attestations=tuple(attestations),
            declaration_id=document.get("id") if isinstance(document.get("id"), str) else None,
            origin="declaration",
        )
    except (ValidationError, ValueError, TypeError, rfc8785.CanonicalizationError) as e:
        raise InputError(
            f"the declaration's attestations cannot form an audit record: {e}", Location(pointer=at)
        ) from e
