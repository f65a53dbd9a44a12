"""Audits, recognitions, label signing keys, labels and status lists.

Revision ID: 0002_audits_labels
Revises: 0001_initial
Create Date: 2026-11-21

Types written out as in 0001 (so this revision stays what it was when models change).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_audits_labels"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _org_fk(table: str, column: str = "certifier_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["organisation.id"], name=f"fk_{table}_{column}_organisation")


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(71), nullable=False),
        sa.Column("record", _json(), nullable=False),
        sa.Column("declaration", _json(), nullable=False),
        sa.Column("declaration_digest", sa.String(71), nullable=False),
        sa.Column("pack_id", sa.String(), nullable=False),
        sa.Column("pack_version", sa.String(), nullable=False),
        sa.Column("pack_digest", sa.String(71), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.Column("revoke_reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
        _org_fk("audit"),
    )
    op.create_index("ix_audit_certifier_id_created_at", "audit", ["certifier_id", "created_at"])
    op.create_table(
        "recognition",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("audit_id", sa.String(36), nullable=False),
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("result", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recognition"),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], name="fk_recognition_audit_id_audit"),
        _org_fk("recognition"),
    )
    op.create_index("ix_recognition_audit_id", "recognition", ["audit_id"])
    op.create_table(
        "label_signing_key",
        sa.Column("kid", sa.String(16), nullable=False),
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("scope", _json(), nullable=False),
        sa.Column("state", _enum("key_state", "active", "verify-only", "withdrawn"), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("usage_from", _ts(), nullable=False),
        sa.Column("usage_until", _ts(), nullable=False),
        sa.Column("verify_until", _ts(), nullable=True),
        sa.Column("withdrawn_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("kid", name="pk_label_signing_key"),
        _org_fk("label_signing_key"),
    )
    op.create_index("ix_label_signing_key_certifier_id", "label_signing_key", ["certifier_id"])
    op.create_table(
        "label",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("kid", sa.String(16), nullable=False),
        sa.Column("audit_id", sa.String(36), nullable=True),
        sa.Column("scheme", sa.String(), nullable=False),
        sa.Column("pack_id", sa.String(), nullable=False),
        sa.Column("pack_version", sa.String(), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("grade", sa.String(8), nullable=False),
        sa.Column("claims", _json(), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.Column("status_list", sa.Integer(), nullable=False),
        sa.Column("status_idx", sa.Integer(), nullable=False),
        sa.Column("state", _enum("label_state", "valid", "suspended", "revoked"), nullable=False),
        sa.Column("state_reason", sa.String(), nullable=True),
        sa.Column("state_changed_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_label"),
        _org_fk("label"),
        sa.ForeignKeyConstraint(["kid"], ["label_signing_key.kid"], name="fk_label_kid_label_signing_key"),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], name="fk_label_audit_id_audit"),
        sa.UniqueConstraint("certifier_id", "status_list", "status_idx", name="uq_label_certifier_id_status_list_idx"),
    )
    op.create_index("ix_label_certifier_id_issued_at", "label", ["certifier_id", "issued_at"])
    op.create_index("ix_label_audit_id", "label", ["audit_id"])
    op.create_index("ix_label_gtin", "label", ["gtin"])
    op.create_table(
        "status_list",
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("list_no", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("certifier_id", "list_no", name="pk_status_list"),
        _org_fk("status_list"),
    )


def downgrade() -> None:
    op.drop_table("status_list")
    op.drop_index("ix_label_gtin", table_name="label")
    op.drop_index("ix_label_audit_id", table_name="label")
    op.drop_index("ix_label_certifier_id_issued_at", table_name="label")
    op.drop_table("label")
    op.drop_index("ix_label_signing_key_certifier_id", table_name="label_signing_key")
    op.drop_table("label_signing_key")
    op.drop_index("ix_recognition_audit_id", table_name="recognition")
    op.drop_table("recognition")
    op.drop_index("ix_audit_certifier_id_created_at", table_name="audit")
    op.drop_table("audit")
