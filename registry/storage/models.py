"""The stored tables, as SQLModel families (``XBase / XCreate / X(table) / XPublic``).

Table models are never validated by pydantic on construction, so the repository builds
them from the validated ``XCreate`` models. Columns are declared explicitly (not
inferred) so that they match the Alembic migration exactly, on both backends; every
constraint and index has a name (see ``NAMING_CONVENTION``) so later migrations can
alter them, SQLite batch mode included.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy import false as sa_false
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from registry.storage.types import UTCDateTime, json_type, sort_text

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NAMESPACE_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$"
PACK_ID_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?/[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?$"
KEYID_PATTERN = r"^[0-9a-f]{16}$"


class StorageModel(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))):
    """Root of our models: our own MetaData, so Alembic sees exactly our tables."""


metadata = StorageModel.metadata


class OrgKind(StrEnum):
    STANDARDS_BODY = "standards-body"
    CERTIFIER = "certifier"
    PLATFORM = "platform"
    ADMIN = "admin"
    REGULATOR = "regulator"
    ACCREDITATION_BODY = "accreditation-body"  # grants certifiers their scope (issue 13, ADR 0019)


class CredentialKind(StrEnum):
    CLIENT_SECRET = "client-secret"
    API_KEY = "api-key"


class PackStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DEPRECATED = "deprecated"
    WITHDRAWN = "withdrawn"


class CodeScheme(StrEnum):
    HS = "hs"
    CPC = "cpc"


def _enum(enum: type[StrEnum], name: str) -> SAEnum:
    """VARCHAR + CHECK on both backends (no PostgreSQL enum type to migrate)."""
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


def _ts(nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    return Field(sa_column=Column(UTCDateTime(), nullable=False))


# --- organisation -----------------------------------------------------------------------


class OrganisationBase(StorageModel):
    id: str = Field(max_length=64, schema_extra={"pattern": NAMESPACE_PATTERN})
    name: str = Field(min_length=1, max_length=300)
    kind: OrgKind


class OrganisationCreate(OrganisationBase):
    pass


class Organisation(OrganisationBase, table=True):
    __tablename__ = "organisation"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str = Field(sa_column=Column(String(300), nullable=False))
    kind: OrgKind = Field(sa_column=Column(_enum(OrgKind, "org_kind"), nullable=False))
    created_at: datetime = _ts()
    # The public contact (issue 14: the certifier page), set by the organisation or the operator; each part
    # optional, validated by registry.service.contacts.Contact before it is stored.
    contact_email: str | None = Field(default=None, sa_column=Column(String(254), nullable=True))
    contact_url: str | None = Field(default=None, sa_column=Column(String(2048), nullable=True))
    contact_phone: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    contact_address: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    contact_updated_at: datetime | None = _ts(nullable=True)


class OrganisationPublic(OrganisationBase):
    created_at: datetime


# --- credential -------------------------------------------------------------------------


class CredentialBase(StorageModel):
    kind: CredentialKind
    label: str = Field(default="", max_length=200)


class CredentialCreate(CredentialBase):
    org_id: str


class Credential(CredentialBase, table=True):
    __tablename__ = "credential"
    __table_args__ = (Index("ix_credential_org_id", "org_id"),)

    client_id: str = Field(sa_column=Column(String(64), primary_key=True))
    org_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    kind: CredentialKind = Field(sa_column=Column(_enum(CredentialKind, "credential_kind"), nullable=False))
    secret_hash: str = Field(repr=False, exclude=True, sa_column=Column(String(255), nullable=False))
    label: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)
    last_used_at: datetime | None = _ts(nullable=True)


class CredentialPublic(CredentialBase):
    """Never the secret, never its hash."""

    client_id: str
    org_id: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


# --- publisher key ----------------------------------------------------------------------


class PublisherKeyBase(StorageModel):
    keyid: str = Field(schema_extra={"pattern": KEYID_PATTERN})
    org_id: str
    public_jwk: dict[str, Any]


class PublisherKeyCreate(PublisherKeyBase):
    pass


class PublisherKey(PublisherKeyBase, table=True):
    __tablename__ = "publisher_key"
    __table_args__ = (Index("ix_publisher_key_org_id", "org_id"),)

    keyid: str = Field(sa_column=Column(String(16), primary_key=True))
    org_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    public_jwk: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)


class PublisherKeyPublic(PublisherKeyBase):
    created_at: datetime
    revoked_at: datetime | None


# --- rule pack versions -----------------------------------------------------------------


class RulePackVersionCreate(StorageModel):
    """A pack version to store: everything else (id, version, titles, codes, dates,
    digest) is read from ``content``, which the caller has checked with
    :func:`registry.packs.rulepack.parse_pack`."""

    content: dict[str, Any]
    status: PackStatus = PackStatus.DRAFT
    envelope: dict[str, Any] | None = None


class RulePackVersionBase(StorageModel):
    pack_id: str
    version: str
    namespace: str
    status: PackStatus
    digest: str
    title_en: str
    title_zh: str
    hs_codes: list[str]
    cpc_codes: list[str]
    effective_from: date
    effective_until: date | None = None


class RulePackVersion(RulePackVersionBase, table=True):
    __tablename__ = "rulepack_version"
    __table_args__ = (
        UniqueConstraint("pack_id", "version", name="uq_rulepack_version_pack_id_version"),
        Index("ix_rulepack_version_pack_id_version_sort", "pack_id", "version_sort"),
        Index("ix_rulepack_version_namespace", "namespace"),
        Index("ix_rulepack_version_status", "status"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    pack_id: str = Field(sa_column=Column(String(), nullable=False))
    version: str = Field(sa_column=Column(String(), nullable=False))
    version_sort: str = Field(sa_column=Column(sort_text(), nullable=False))
    namespace: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    status: PackStatus = Field(sa_column=Column(_enum(PackStatus, "pack_status"), nullable=False))
    digest: str = Field(sa_column=Column(String(71), nullable=False))
    content: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    envelope: dict[str, Any] | None = Field(default=None, sa_column=Column(json_type(), nullable=True))
    title_en: str = Field(sa_column=Column(String(), nullable=False))
    title_zh: str = Field(sa_column=Column(String(), nullable=False))
    hs_codes: list[str] = Field(sa_column=Column(json_type(), nullable=False))
    cpc_codes: list[str] = Field(sa_column=Column(json_type(), nullable=False))
    effective_from: date = Field(sa_column=Column(Date(), nullable=False))
    effective_until: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    created_at: datetime = _ts()
    published_at: datetime | None = _ts(nullable=True)
    status_changed_at: datetime = _ts()
    status_reason: str | None = Field(default=None, sa_column=Column(String(), nullable=True))


class RulePackVersionPublic(RulePackVersionBase):
    """The listing view: no content and no envelope (fetch one version for those)."""

    created_at: datetime
    published_at: datetime | None
    status_changed_at: datetime
    status_reason: str | None


class RulePackCode(StorageModel, table=True):
    """One classification code of a pack version, digits only, for prefix search."""

    __tablename__ = "rulepack_code"
    __table_args__ = (
        PrimaryKeyConstraint("pack_version_id", "scheme", "code", name="pk_rulepack_code"),
        Index("ix_rulepack_code_scheme_code", "scheme", "code"),
    )

    pack_version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("rulepack_version.id", ondelete="CASCADE"), nullable=False)
    )
    scheme: CodeScheme = Field(sa_column=Column(_enum(CodeScheme, "code_scheme"), nullable=False))
    code: str = Field(sa_column=Column(sort_text(), nullable=False))


# --- validations ------------------------------------------------------------------------


class ValidationBase(StorageModel):
    org_id: str
    pack_id: str
    pack_version: str
    pack_digest: str
    conformant: bool
    declaration_digest: str


class Validation(ValidationBase, table=True):
    __tablename__ = "validation"
    __table_args__ = (
        Index("ix_validation_org_id_created_at", "org_id", "created_at"),
        Index("ix_validation_declaration_digest", "declaration_digest"),
        Index("ix_validation_region_created_at", "region", "created_at"),
        Index("ix_validation_region_recalculation_created_at", "region", "recalculation", "created_at"),
        # Only the recalculations: issuing a label looks its declaration's up among them (issue 15)
        Index(
            "ix_validation_recalculations",
            "org_id",
            "declaration_digest",
            sqlite_where=text("recalculation"),
            postgresql_where=text("recalculation"),
        ),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    org_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    pack_id: str = Field(sa_column=Column(String(), nullable=False))
    pack_version: str = Field(sa_column=Column(String(), nullable=False))
    pack_digest: str = Field(sa_column=Column(String(71), nullable=False))
    conformant: bool = Field(sa_column=Column(Boolean(create_constraint=True, name="conformant"), nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    declaration: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    declaration_digest: str = Field(sa_column=Column(String(71), nullable=False))
    created_at: datetime = _ts()
    # the declaration's region (registry.supervision.region_of): what puts it in a regulator's jurisdiction
    region: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    # a recalculation (its result holds one) rather than a plain validation: what the regulator's kind= filters on
    recalculation: bool = Field(
        default=False,
        sa_column=Column(Boolean(), nullable=False, server_default=sa_false()),
    )


class ValidationPublic(ValidationBase):
    id: str
    result: dict[str, Any]
    created_at: datetime


# --- audits and recognitions ------------------------------------------------------------


class Audit(StorageModel, table=True):
    """What a certifier did once: the audit record, its digest, and what it covered.

    Recognitions and labels point here, so revoking the audit reaches all of them.
    """

    __tablename__ = "audit"
    __table_args__ = (
        Index("ix_audit_certifier_id_created_at", "certifier_id", "created_at"),
        Index("ix_audit_region_created_at", "region", "created_at"),
        # the PACT host finds the audits of a served declaration by its digest (issue 16, 0007)
        Index("ix_audit_declaration_digest", "declaration_digest"),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    digest: str = Field(sa_column=Column(String(71), nullable=False))
    record: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    declaration: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    declaration_digest: str = Field(sa_column=Column(String(71), nullable=False))
    pack_id: str = Field(sa_column=Column(String(), nullable=False))
    pack_version: str = Field(sa_column=Column(String(), nullable=False))
    pack_digest: str = Field(sa_column=Column(String(71), nullable=False))
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)
    revoke_reason: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    region: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))


class Recognition(StorageModel, table=True):
    __tablename__ = "recognition"
    __table_args__ = (Index("ix_recognition_audit_id", "audit_id"),)

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    audit_id: str = Field(sa_column=Column(String(36), ForeignKey("audit.id"), nullable=False))
    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    created_at: datetime = _ts()


# --- label signing keys, labels, status lists --------------------------------------------


class KeyState(StrEnum):
    ACTIVE = "active"
    VERIFY_ONLY = "verify-only"
    WITHDRAWN = "withdrawn"


class LabelState(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class LabelSigningKey(StorageModel, table=True):
    """A certifier's label signing key; the private half sealed under the master key."""

    __tablename__ = "label_signing_key"
    __table_args__ = (Index("ix_label_signing_key_certifier_id", "certifier_id"),)

    kid: str = Field(sa_column=Column(String(16), primary_key=True))
    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    alg: str = Field(sa_column=Column(String(16), nullable=False))
    public_key: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    sealed_private_key: bytes = Field(repr=False, exclude=True, sa_column=Column(LargeBinary(), nullable=False))
    scope: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    state: KeyState = Field(sa_column=Column(_enum(KeyState, "key_state"), nullable=False))
    created_at: datetime = _ts()
    usage_from: datetime = _ts()
    usage_until: datetime = _ts()
    verify_until: datetime | None = _ts(nullable=True)
    withdrawn_at: datetime | None = _ts(nullable=True)
    # from when its signatures are refused (None: everything it signed, as for keys withdrawn before 0004)
    withdrawn_from: datetime | None = _ts(nullable=True)


class Label(StorageModel, table=True):
    __tablename__ = "label"
    __table_args__ = (
        UniqueConstraint("certifier_id", "status_list", "status_idx", name="uq_label_certifier_id_status_list_idx"),
        Index("ix_label_certifier_id_issued_at", "certifier_id", "issued_at"),
        Index("ix_label_audit_id", "audit_id"),
        Index("ix_label_gtin", "gtin"),
        Index("ix_label_recalculation_id", "recalculation_id"),
        Index("ix_label_declaration_digest", "declaration_digest"),
        # one label per issue request: a repeat of the request finds this one (issue 10)
        Index("ux_label_certifier_id_request_key", "certifier_id", "request_key", unique=True),
        Index("ix_label_region_issued_at", "region", "issued_at"),
        Index("ix_label_state_changed_at_id", "state_changed_at", "id"),  # the label feed (issue 14)
        Index("ix_label_company", "company"),  # the directory's search by company
    )

    id: str = Field(sa_column=Column(String(16), primary_key=True))
    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    kid: str = Field(sa_column=Column(String(16), ForeignKey("label_signing_key.kid"), nullable=False))
    audit_id: str | None = Field(default=None, sa_column=Column(String(36), ForeignKey("audit.id"), nullable=True))
    scheme: str = Field(sa_column=Column(String(), nullable=False))
    pack_id: str = Field(sa_column=Column(String(), nullable=False))
    pack_version: str = Field(sa_column=Column(String(), nullable=False))
    gtin: str = Field(sa_column=Column(String(14), nullable=False))
    product_name: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    grade: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))  # None: ungraded
    claims: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    token: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    issued_at: datetime = _ts()
    expires_at: datetime = _ts()
    status_list: int = Field(sa_column=Column(Integer, nullable=False))
    status_idx: int = Field(sa_column=Column(Integer, nullable=False))
    state: LabelState = Field(sa_column=Column(_enum(LabelState, "label_state"), nullable=False))
    state_reason: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    state_changed_at: datetime = _ts()
    # the issue request's idempotency key (sha256 of the caller's key, or of what the label says);
    # NULL for labels issued before keys existed
    request_key: str | None = Field(default=None, sa_column=Column(String(71), nullable=True))
    # the recalculation the label rests on: validation id, deviation, factor sets, inventory digest
    # (never the inventory's lines); NULL: a declared figure, not recomputed
    recalculation: dict[str, Any] | None = Field(default=None, sa_column=Column(json_type(), nullable=True))
    # the validation holding that recalculation (what dependents and trace follow)
    recalculation_id: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    # the labelled declaration's full digest (its prefix is in the claims): finds a supplier's label
    declaration_digest: str | None = Field(default=None, sa_column=Column(String(71), nullable=True))
    # the declaration's region (registry.supervision.region_of); NULL when it names none (issue 13)
    region: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    # the accreditation (<body>/<name>) that covered the label when it was issued; NULL where none was needed
    accreditation_id: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    # the grading catalogue "id@version" that set the grade (issue 13); None: the pack's bands, or ungraded
    catalogue: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    # the declaring company (PACT companyIds[0]), for category statistics; None before issue 13
    company: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    # the QR code the label carries (issue 14): None or "url" the short label URL, "digital-link" the
    # product's GS1 Digital Link URI (issuance.qr.digital_link_url)
    qr_kind: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    # the latest re-grade under a later catalogue version (grade, catalogue, at, previous, log index); None: the
    # token's own grade stands (registry.catalogues.regrade)
    regrade: dict[str, Any] | None = Field(default=None, sa_column=Column(json_type(), nullable=True))


class LabelEventKind(StrEnum):
    ISSUED = "issued"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    REVOKED = "revoked"
    REGRADED = "regraded"


class LabelEvent(StorageModel, table=True):
    """One change of a label's state or grade: who, when, why, and its transparency-log entry. Rows are only
    ever added; expiry is computed from the label's time, never stored."""

    __tablename__ = "label_event"
    __table_args__ = (Index("ix_label_event_label_id_id", "label_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    label_id: str = Field(sa_column=Column(String(16), ForeignKey("label.id"), nullable=False))
    event: LabelEventKind = Field(sa_column=Column(_enum(LabelEventKind, "label_event_kind"), nullable=False))
    state: LabelState = Field(sa_column=Column(_enum(LabelState, "label_event_state"), nullable=False))
    by: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))  # an organisation id
    reason: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(json_type(), nullable=True))
    tlog_index: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    at: datetime = _ts()


class RecalcSource(StorageModel, table=True):
    """What a stored recalculation rests on, one row per source: a factor set version
    (``factorset:id@version``) or a supplier's declaration (``declaration:<PACT id>``, with the digest
    the inventory line cited). ``GET /v1/declarations/{id}/dependents`` and ``pcfreg trace`` follow them."""

    __tablename__ = "recalc_source"
    __table_args__ = (
        PrimaryKeyConstraint("validation_id", "source", name="pk_recalc_source"),
        Index("ix_recalc_source_source_org_id", "source", "org_id"),
    )

    validation_id: str = Field(sa_column=Column(String(36), ForeignKey("validation.id"), nullable=False))
    source: str = Field(sa_column=Column(String(), nullable=False))
    org_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    digest: str | None = Field(default=None, sa_column=Column(String(71), nullable=True))


class StatusListRow(StorageModel, table=True):
    """One status list of a certifier; ``version`` goes up with every change to its bits."""

    __tablename__ = "status_list"
    __table_args__ = (PrimaryKeyConstraint("certifier_id", "list_no", name="pk_status_list"),)

    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    list_no: int = Field(sa_column=Column(Integer, nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    used: int = Field(sa_column=Column(Integer, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    updated_at: datetime = _ts()


# --- accreditations --------------------------------------------------------------------


class AccreditationVersion(StorageModel, table=True):
    """One version of an accreditation (a grant, or a change of it), as the body signed it.

    Rows are only ever added: a suspension, a reduction, a reinstatement or a withdrawal is the next
    version, so the history of what a certifier was allowed to do, and when, stays readable.
    """

    __tablename__ = "accreditation_version"
    __table_args__ = (
        UniqueConstraint("accreditation_id", "version", name="uq_accreditation_version_accreditation_id_version"),
        Index("ix_accreditation_version_certifier_id", "certifier_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    accreditation_id: str = Field(sa_column=Column(String(), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    body_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    change: str = Field(sa_column=Column(String(16), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    digest: str = Field(sa_column=Column(String(71), nullable=False))
    content: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    envelope: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    recorded_at: datetime = _ts()  # from when this version is in force


# --- factor sets ------------------------------------------------------------------------


class FactorSetVersion(StorageModel, table=True):
    """One published version of a factor set: its document, signed envelope and searchable header.

    The content never changes once stored; only the status (and its reason) moves.
    """

    __tablename__ = "factorset_version"
    __table_args__ = (
        UniqueConstraint("set_id", "version", name="uq_factorset_version_set_id_version"),
        Index("ix_factorset_version_set_id_version_sort", "set_id", "version_sort"),
        Index("ix_factorset_version_status", "status"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    set_id: str = Field(sa_column=Column(String(), nullable=False))
    version: str = Field(sa_column=Column(String(), nullable=False))
    version_sort: str = Field(sa_column=Column(sort_text(), nullable=False))
    namespace: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    status: PackStatus = Field(sa_column=Column(_enum(PackStatus, "factorset_status"), nullable=False))
    digest: str = Field(sa_column=Column(String(71), nullable=False))
    content: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    envelope: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    title_en: str = Field(sa_column=Column(String(), nullable=False))
    title_zh: str = Field(sa_column=Column(String(), nullable=False))
    records: int = Field(sa_column=Column(Integer, nullable=False))
    effective_from: date = Field(sa_column=Column(Date(), nullable=False))
    effective_until: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    created_at: datetime = _ts()
    status_changed_at: datetime = _ts()
    status_reason: str | None = Field(default=None, sa_column=Column(String(), nullable=True))


class FactorRow(StorageModel, table=True):
    """One factor of a stored set version, for search (activity, region, classification, text)."""

    __tablename__ = "factor"
    __table_args__ = (
        PrimaryKeyConstraint("set_version_id", "factor_id", name="pk_factor"),
        Index("ix_factor_activity", "activity"),
        Index("ix_factor_region", "region"),
    )

    set_version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("factorset_version.id", ondelete="CASCADE"), nullable=False)
    )
    factor_id: str = Field(sa_column=Column(String(), nullable=False))
    activity: str = Field(sa_column=Column(sort_text(), nullable=False))
    unit: str = Field(sa_column=Column(String(), nullable=False))
    region: str = Field(sa_column=Column(String(), nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    boundary: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    value: str = Field(sa_column=Column(String(), nullable=False))
    name_en: str = Field(sa_column=Column(String(), nullable=False))
    name_zh: str = Field(sa_column=Column(String(), nullable=False))
    codes: str = Field(sa_column=Column(String(), nullable=False))


# --- supervision (issue 13) -------------------------------------------------------------


class RegulatorRegion(StorageModel, table=True):
    """One region (ISO 3166-1 alpha-2 or ISO 3166-2) of a regulator's jurisdiction."""

    __tablename__ = "regulator_region"
    __table_args__ = (PrimaryKeyConstraint("org_id", "region", name="pk_regulator_region"),)

    org_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    region: str = Field(sa_column=Column(String(8), nullable=False))


class SampleOutcome(StrEnum):
    CONFIRMED = "confirmed"
    DISCREPANCY = "discrepancy"
    NOT_VERIFIABLE = "not_verifiable"


class ComplaintStateColumn(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"
    REJECTED = "rejected"


class LabelSample(StorageModel, table=True):
    """A regulator's random sample of labels: the seed, the population's definition and the draw."""

    __tablename__ = "label_sample"
    __table_args__ = (Index("ix_label_sample_regulator_id_created_at", "regulator_id", "created_at"),)

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    regulator_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    seed: str = Field(sa_column=Column(String(128), nullable=False))
    population: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    population_size: int = Field(sa_column=Column(Integer, nullable=False))
    population_digest: str = Field(sa_column=Column(String(71), nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    label_ids: list[str] = Field(sa_column=Column(json_type(), nullable=False))
    created_at: datetime = _ts()


class Reverification(StorageModel, table=True):
    """What re-verifying one sampled label found, recorded against the label and its certifier."""

    __tablename__ = "reverification"
    __table_args__ = (
        UniqueConstraint("sample_id", "label_id", name="uq_reverification_sample_id_label_id"),
        Index("ix_reverification_certifier_id_recorded_at", "certifier_id", "recorded_at"),
        Index("ix_reverification_label_id", "label_id"),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    sample_id: str = Field(sa_column=Column(String(36), ForeignKey("label_sample.id"), nullable=False))
    label_id: str = Field(sa_column=Column(String(16), ForeignKey("label.id"), nullable=False))
    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    regulator_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    outcome: SampleOutcome = Field(sa_column=Column(_enum(SampleOutcome, "sample_outcome"), nullable=False))
    findings: list[dict[str, Any]] = Field(sa_column=Column(json_type(), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    recorded_at: datetime = _ts()


class Complaint(StorageModel, table=True):
    """A report about a label from its consumer page; handled by the label's certifier.

    No personal data is required: ``contact`` is what the reporter chose to give, if anything; the
    reporter's address is never stored."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_certifier_id_created_at", "certifier_id", "created_at"),
        Index("ix_complaint_region_created_at", "region", "created_at"),
        Index("ix_complaint_label_id", "label_id"),
    )

    reference: str = Field(sa_column=Column(String(16), primary_key=True))
    label_id: str = Field(sa_column=Column(String(16), ForeignKey("label.id"), nullable=False))
    certifier_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    region: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    category: str = Field(sa_column=Column(String(32), nullable=False))
    text: str = Field(sa_column=Column(String(2000), nullable=False))
    contact: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    state: ComplaintStateColumn = Field(
        sa_column=Column(_enum(ComplaintStateColumn, "complaint_state"), nullable=False)
    )
    action: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    decision_reason: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    history: list[dict[str, Any]] = Field(sa_column=Column(json_type(), nullable=False))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


# --- PACT host (issue 16): served footprints, their filter keys, shares, events ----------


class PactFootprint(StorageModel, table=True):
    """A footprint served over the PACT API: a validated declaration an organisation shared.

    ``served`` is the PACT v3 ProductFootprint as validated (never changed), as JSON bytes ready to
    serve: without ``status``, its ``extensions`` array last and left open, so that serving a page
    splices bytes instead of parsing documents (:func:`registry.service.pact_host.served_bytes`);
    ``status`` moves to ``Deprecated`` when a newer version (``precedingPfIds``) is shared. The
    validity period is stored resolved (start, else ``referencePeriodEnd``; end, else
    ``referencePeriodEnd`` + 3 y).
    """

    __tablename__ = "pact_footprint"
    __table_args__ = (Index("ix_pact_footprint_owner_org", "owner_org"),)

    pf_id: str = Field(sa_column=Column(String(36), primary_key=True))
    owner_org: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    validation_id: str = Field(sa_column=Column(String(36), ForeignKey("validation.id"), nullable=False))
    declaration_digest: str = Field(sa_column=Column(String(71), nullable=False))
    served: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    valid_from: datetime = _ts()
    valid_until: datetime = _ts()
    created_at: datetime = _ts()


class PactFootprintKey(StorageModel, table=True):
    """One filterable value of a served footprint, lower-cased: a product id (``product``), company id
    (``company``), classification (``class``) or geography (``geo``)."""

    __tablename__ = "pact_footprint_key"
    __table_args__ = (
        PrimaryKeyConstraint("kind", "value", "pf_id", name="pk_pact_footprint_key"),
        Index("ix_pact_footprint_key_pf_id", "pf_id"),
    )

    kind: str = Field(sa_column=Column(String(8), nullable=False))
    value: str = Field(sa_column=Column(String(), nullable=False))
    pf_id: str = Field(
        sa_column=Column(String(36), ForeignKey("pact_footprint.pf_id", ondelete="CASCADE"), nullable=False)
    )


class PactShare(StorageModel, table=True):
    """An organisation's grant of one footprint to one partner client (a registry credential)."""

    __tablename__ = "pact_share"
    __table_args__ = (PrimaryKeyConstraint("client_id", "pf_id", name="pk_pact_share"),)

    client_id: str = Field(sa_column=Column(String(64), ForeignKey("credential.client_id"), nullable=False))
    pf_id: str = Field(sa_column=Column(String(36), ForeignKey("pact_footprint.pf_id"), nullable=False))
    owner_org: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    active: bool = Field(sa_column=Column(Boolean(create_constraint=True, name="active"), nullable=False))
    shared_at: datetime = _ts()
    shared_by: str = Field(sa_column=Column(String(64), nullable=False))
    unshared_at: datetime | None = _ts(nullable=True)
    unshared_by: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


class PactPartner(StorageModel, table=True):
    """How the registry reaches a partner client's own PACT host (to answer its requests, to notify it)."""

    __tablename__ = "pact_partner"

    client_id: str = Field(sa_column=Column(String(64), ForeignKey("credential.client_id"), primary_key=True))
    base_url: str = Field(sa_column=Column(String(), nullable=False))
    auth_base_url: str = Field(sa_column=Column(String(), nullable=False))
    remote_client_id: str = Field(sa_column=Column(String(), nullable=False))
    # the partner's secret, sealed under the data directory's master key (AES-256-GCM, client id bound)
    remote_secret_sealed: bytes = Field(repr=False, exclude=True, sa_column=Column(LargeBinary(), nullable=False))
    updated_at: datetime = _ts()


class PactEvent(StorageModel, table=True):
    """A CloudEvent received from a partner (``in``) or to send to one (``out``, the outbox).

    ``owners``: the organisations whose footprints the event concerns (who may see it).
    """

    __tablename__ = "pact_event"
    __table_args__ = (
        Index("ix_pact_event_client_id_id", "client_id", "id"),
        Index("ix_pact_event_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    direction: str = Field(sa_column=Column(String(3), nullable=False))
    client_id: str = Field(sa_column=Column(String(64), nullable=False))
    event_id: str = Field(sa_column=Column(String(), nullable=False))
    type: str = Field(sa_column=Column(String(), nullable=False))
    body: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    owners: list[str] = Field(sa_column=Column(json_type(), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime | None = _ts(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    in_reply_to: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


ALL_TABLES = (
    "organisation",
    "credential",
    "publisher_key",
    "rulepack_version",
    "rulepack_code",
    "validation",
    "audit",
    "recognition",
    "label_signing_key",
    "label",
    "status_list",
    "factorset_version",
    "factor",
    "recalc_source",
    "regulator_region",
    "label_sample",
    "reverification",
    "complaint",
    "pact_footprint",
    "pact_footprint_key",
    "pact_share",
    "pact_partner",
    "pact_event",
    "accreditation_version",
    "label_event",
)
__all__ = [
    "ALL_TABLES",
    "AccreditationVersion",
    "Audit",
    "CodeScheme",
    "Complaint",
    "ComplaintStateColumn",
    "Credential",
    "CredentialCreate",
    "CredentialKind",
    "CredentialPublic",
    "FactorRow",
    "FactorSetVersion",
    "KeyState",
    "Label",
    "LabelEvent",
    "LabelEventKind",
    "LabelSample",
    "LabelSigningKey",
    "LabelState",
    "OrgKind",
    "Organisation",
    "OrganisationCreate",
    "OrganisationPublic",
    "PackStatus",
    "PactEvent",
    "PactFootprint",
    "PactFootprintKey",
    "PactPartner",
    "PactShare",
    "PublisherKey",
    "PublisherKeyCreate",
    "PublisherKeyPublic",
    "RecalcSource",
    "Recognition",
    "RegulatorRegion",
    "Reverification",
    "RulePackCode",
    "RulePackVersion",
    "RulePackVersionCreate",
    "RulePackVersionPublic",
    "SampleOutcome",
    "StatusListRow",
    "Validation",
    "ValidationPublic",
    "metadata",
]


# --- PACT requests sent to partners (the client side of issue 16) ---------------------------


class PactRequest(StorageModel, table=True):
    """A ``RequestCreatedEvent`` an organisation sent to a partner's PACT host, and its answer.

    ``id`` is the event's id, which the partner's ``RequestFulfilledEvent`` or
    ``RequestRejectedEvent`` names as ``requestEventId``; ``answer`` is what came back (the
    ids and digests of the stored footprints, or the partner's error).
    """

    __tablename__ = "pact_request"
    __table_args__ = (Index("ix_pact_request_org_id_sent_at", "org_id", "sent_at"),)

    id: str = Field(sa_column=Column(String(200), primary_key=True))
    org_id: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    partner_url: str = Field(sa_column=Column(String(), nullable=False))
    criteria: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    sent_at: datetime = _ts()
    answered_at: datetime | None = _ts(nullable=True)
    answer: dict[str, Any] | None = Field(default=None, sa_column=Column(json_type(), nullable=True))


# --- grading catalogues (issue 13) --------------------------------------------------------------


class CatalogueVersion(StorageModel, table=True):
    """One published version of a grading catalogue: its document and signed envelope. Never changed."""

    __tablename__ = "catalogue_version"
    __table_args__ = (
        UniqueConstraint("catalogue_id", "version", name="uq_catalogue_version_catalogue_id_version"),
        Index("ix_catalogue_version_catalogue_id_version_sort", "catalogue_id", "version_sort"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    catalogue_id: str = Field(sa_column=Column(String(), nullable=False))
    version: str = Field(sa_column=Column(String(), nullable=False))
    version_sort: str = Field(sa_column=Column(sort_text(), nullable=False))
    namespace: str = Field(sa_column=Column(String(64), ForeignKey("organisation.id"), nullable=False))
    status: PackStatus = Field(sa_column=Column(_enum(PackStatus, "catalogue_status"), nullable=False))
    digest: str = Field(sa_column=Column(String(71), nullable=False))
    content: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    envelope: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    effective_from: date = Field(sa_column=Column(Date(), nullable=False))
    effective_until: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    created_at: datetime = _ts()
    # deprecated or withdrawn by its owner (issue 13): why and when; None while published
    status_reason: str | None = Field(default=None, sa_column=Column(String(), nullable=True))
    status_changed_at: datetime | None = _ts(nullable=True)


# --- the transparency log (issue 13) ----------------------------------------------------


class TlogEntry(StorageModel, table=True):
    """One entry of the transparency log: public fields only, as the canonical JSON bytes hashed into it."""

    __tablename__ = "tlog_entry"
    __table_args__ = (Index("ix_tlog_entry_ref", "ref"),)

    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    ref: str = Field(sa_column=Column(String(200), nullable=False))  # what it is about: a label id, pack@version
    data: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    at: datetime = _ts()


class TlogNode(StorageModel, table=True):
    """The hash of a complete subtree of the log: 2**level entries from index << level (level 0: leaf hashes),
    keyed by ``level << 50 | index`` (see :func:`registry.storage.tlog.node_id`): one key column, so that a
    proof's nodes are read in one query and a tile's in one range."""

    __tablename__ = "tlog_node"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))


class TlogHead(StorageModel, table=True):
    """The log's size and compact range (the peaks' hashes, largest first, concatenated); one row, locked
    by every append so that appends take their indexes one after the other."""

    __tablename__ = "tlog_head"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    peaks: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
