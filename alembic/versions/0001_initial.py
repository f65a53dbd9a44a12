"""Initial schema: organisations, credentials, publisher keys, rule pack versions, validations.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-21

Runs on SQLite and PostgreSQL. Types are written out here (not imported from
``registry.storage``) so this revision stays what it was when later models change:
JSON is JSONB on PostgreSQL; timestamps are ``timestamptz`` (SQLite keeps UTC wall-clock
text, the model's ``UTCDateTime`` re-attaches UTC); enums are VARCHAR + CHECK (no
PostgreSQL enum types to migrate later); sort keys and codes compare bytewise
(``COLLATE "C"`` on PostgreSQL, BINARY on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _sort_text() -> sa.types.TypeEngine[Any]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", _enum("org_kind", "standards-body", "certifier", "platform", "admin"), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisation"),
    )
    op.create_table(
        "credential",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("kind", _enum("credential_kind", "client-secret", "api-key"), nullable=False),
        sa.Column("secret_hash", sa.String(255), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.Column("last_used_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name="pk_credential"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_credential_org_id_organisation"),
    )
    op.create_index("ix_credential_org_id", "credential", ["org_id"])
    op.create_table(
        "publisher_key",
        sa.Column("keyid", sa.String(16), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("public_jwk", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("keyid", name="pk_publisher_key"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_publisher_key_org_id_organisation"),
    )
    op.create_index("ix_publisher_key_org_id", "publisher_key", ["org_id"])
    op.create_table(
        "rulepack_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pack_id", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("version_sort", _sort_text(), nullable=False),
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("status", _enum("pack_status", "draft", "published", "deprecated", "withdrawn"), nullable=False),
        sa.Column("digest", sa.String(71), nullable=False),
        sa.Column("content", _json(), nullable=False),
        sa.Column("envelope", _json(), nullable=True),
        sa.Column("title_en", sa.String(), nullable=False),
        sa.Column("title_zh", sa.String(), nullable=False),
        sa.Column("hs_codes", _json(), nullable=False),
        sa.Column("cpc_codes", _json(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("published_at", _ts(), nullable=True),
        sa.Column("status_changed_at", _ts(), nullable=False),
        sa.Column("status_reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rulepack_version"),
        sa.UniqueConstraint("pack_id", "version", name="uq_rulepack_version_pack_id_version"),
        sa.ForeignKeyConstraint(["namespace"], ["organisation.id"], name="fk_rulepack_version_namespace_organisation"),
    )
    op.create_index("ix_rulepack_version_pack_id_version_sort", "rulepack_version", ["pack_id", "version_sort"])
    op.create_index("ix_rulepack_version_namespace", "rulepack_version", ["namespace"])
    op.create_index("ix_rulepack_version_status", "rulepack_version", ["status"])
    op.create_table(
        "rulepack_code",
        sa.Column("pack_version_id", sa.Integer(), nullable=False),
        sa.Column("scheme", _enum("code_scheme", "hs", "cpc"), nullable=False),
        sa.Column("code", _sort_text(), nullable=False),
        sa.PrimaryKeyConstraint("pack_version_id", "scheme", "code", name="pk_rulepack_code"),
        sa.ForeignKeyConstraint(
            ["pack_version_id"],
            ["rulepack_version.id"],
            name="fk_rulepack_code_pack_version_id_rulepack_version",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_rulepack_code_scheme_code", "rulepack_code", ["scheme", "code"])
    op.create_table(
        "validation",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("pack_id", sa.String(), nullable=False),
        sa.Column("pack_version", sa.String(), nullable=False),
        sa.Column("pack_digest", sa.String(71), nullable=False),
        sa.Column("conformant", sa.Boolean(create_constraint=True, name="conformant"), nullable=False),
        sa.Column("result", _json(), nullable=False),
        sa.Column("declaration", _json(), nullable=False),
        sa.Column("declaration_digest", sa.String(71), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_validation"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_validation_org_id_organisation"),
    )
    op.create_index("ix_validation_org_id_created_at", "validation", ["org_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_validation_org_id_created_at", table_name="validation")
    op.drop_table("validation")
    op.drop_index("ix_rulepack_code_scheme_code", table_name="rulepack_code")
    op.drop_table("rulepack_code")
    op.drop_index("ix_rulepack_version_status", table_name="rulepack_version")
    op.drop_index("ix_rulepack_version_namespace", table_name="rulepack_version")
    op.drop_index("ix_rulepack_version_pack_id_version_sort", table_name="rulepack_version")
    op.drop_table("rulepack_version")
    op.drop_index("ix_publisher_key_org_id", table_name="publisher_key")
    op.drop_table("publisher_key")
    op.drop_index("ix_credential_org_id", table_name="credential")
    op.drop_table("credential")
    op.drop_table("organisation")
