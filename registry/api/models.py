"""Request bodies that routes of more than one resource share, and the response bodies of routes that
answer with a ready-made response (their schema in the OpenAPI document).

No docstrings on the models: pydantic would put them in the OpenAPI schemas as descriptions.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Reason(BaseModel):
    # why a label or an audit changes state (suspend, reinstate, revoke); kept in its history
    reason: str = Field(min_length=1, max_length=2000)


class StatusChange(BaseModel):
    # why a published rule pack or factor set version is deprecated or withdrawn
    reason: str = Field(min_length=1, max_length=2000)


def signed_body(description: str) -> dict[str, Any]:
    """The OpenAPI request body of a publication: one signed envelope (a JSON object)."""
    return {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": description}}},
    }


# --- response bodies: what the OpenAPI document promises (and the schemathesis test checks) -------


class _Open(BaseModel):
    # responses may carry more members than these (documented where they appear)
    model_config = ConfigDict(extra="allow")


class LabelOut(_Open):
    # a label as the API gives it: ids, URLs, token (base64url), state and its current verification
    id: str
    url: str
    offline_url: str
    token: str
    audit_id: str | None
    product_name: str | None
    state: Literal["valid", "suspended", "revoked"]
    state_reason: str | None
    state_changed_at: str
    verification: dict[str, Any]
    # the recalculation the label rests on: id, recomputedAt, deviationPercent, factorSets, inventoryDigest;
    # null for a declared figure that was not recomputed
    recalculation: dict[str, Any] | None = None
    log: dict[str, Any] | None = None  # its transparency-log entry: index, tree size, origin, C2SP tlog-proof
    # the QR code the label carries (issue 14): "url" (the short label URL) or "digital-link" (then
    # digital_link is the product's GS1 Digital Link URI the QR code holds)
    qr: Literal["url", "digital-link"] = "url"
    digital_link: str | None = None


class VerifyBatchOut(_Open):
    # one result per item, in the order given
    checked_at: str
    results: list[dict[str, Any]]


class AuditOut(_Open):
    id: str
    digest: str
    certifier: str
    record: dict[str, Any]
    declaration_digest: str
    pack: dict[str, Any]
    created_at: str
    revoked_at: str | None
    revoke_reason: str | None


class TrustListOut(_Open):
    # schemas/trust-list-1.0.json: every label signing key, signed by the registry
    format: Literal["pcf-registry/trust-list/1.0"]
    issuer: str
    issued_at: str
    expires_at: str
    status_base: str
    keys: list[dict[str, Any]]
    signatures: list[dict[str, Any]] = []


class JwkSetOut(_Open):
    # RFC 7517 section 5: a JWK set
    keys: list[dict[str, Any]]


class ValidationOut(_Open):
    # a validation result; stored ones also carry id and created_at
    conformant: bool
    pack: dict[str, Any]
    findings: list[dict[str, Any]]


class PackSummaryOut(_Open):
    # a rule pack version in short; a publication also carries its diff from the previous version
    id: str
    version: str
    status: Literal["draft", "published", "deprecated", "withdrawn"]
    digest: str
    title: dict[str, str]
    hs: list[str]
    cpc: list[str]
    effective_from: str
    effective_until: str | None


class PackVersionOut(PackSummaryOut):
    # a rule pack version in full: the pack and the signed envelope it came in
    status_reason: str | None
    published_at: str | None
    pack: dict[str, Any]
    envelope: dict[str, Any]


class RecognitionOut(_Open):
    # per scheme: recognised, with gaps, or not (registry.crosswalk.Recognition.to_json)
    id: str
    audit_id: str


class PublisherKeyOut(_Open):
    # the public JWK (kty, crv, x, kid ...) with when it was registered and revoked
    kid: str
    created_at: str
    revoked_at: str | None


class FactorSetVersionOut(_Open):
    # a factor set version in short; a publication also carries its diff and findings, a read its
    # factorSet and signed envelope
    id: str
    version: str
    kind: str
    status: str
    digest: str
    title: dict[str, Any]
    records: int
    effective_from: str


class DependentsOut(_Open):
    # what rests on a declaration or a factor set version, among the caller's stored recalculations:
    # each with its depth down the chain and the source it cites; the declarations recomputed; the labels
    of: str
    recalculations: list[dict[str, Any]]
    declarations: list[dict[str, Any]]
    labels: list[dict[str, Any]]


class AccreditationVersionOut(_Open):
    # one stored accreditation version: its document, the body's signed envelope, when it came into force;
    # a submission also names the labels its scheme policy suspended or reinstated (labels_changed)
    id: str
    version: int
    body: str
    certifier: str
    change: Literal["grant", "reduce", "suspend", "reinstate", "withdraw"]
    state: Literal["active", "suspended", "withdrawn"]
    digest: str
    recorded_at: str
    accreditation: dict[str, Any]
    envelope: dict[str, Any]


class AccreditationsOut(_Open):
    # stored accreditation versions, oldest first per accreditation
    items: list[AccreditationVersionOut]


class RecalculationOut(_Open):
    # the stored validation of a declaration recomputed from its inventory (the inventory is not returned)
    id: str
    created_at: str
    validation: dict[str, Any]
    recalculation: dict[str, Any] | None


class DirectoryRecordOut(_Open):
    """One certified product in the public directory: only what the label's consumer page shows."""

    label_id: str
    url: str
    product_name: str | None = None
    gtin: str
    company: str | None = None
    certifier: str
    scheme: str
    pack: str
    category: str
    grade: str | None = None
    catalogue: str | None = None
    value: str | None = None  # kg CO2e per declared unit, decimal text
    declared_unit: str | None = None
    boundary: str | None = None
    region: str | None = None
    issued_at: str
    expires_at: str
    state: str
    state_changed_at: str


class DirectoryOut(_Open):
    items: list[DirectoryRecordOut]


class ReportLinkOut(_Open):
    """A signed link to a validation's HTML report that needs no bearer token, until ``expires_at``."""

    url: str
    expires_at: str


class LinkTypeNamespaceOut(_Open):
    namespace: str
    prefix: str


class ResolverDescriptionOut(_Open):
    """The resolver description file of the GS1-Conformant Resolver Standard 1.2.0 (``/.well-known/gs1resolver``)."""

    name: str
    resolverRoot: str  # GS1's member names, as its schema spells them
    supportedPrimaryKeys: list[str]
    supportedLinkType: list[LinkTypeNamespaceOut]
    linkTypeDefaultCanBeLinkset: bool
