"""PACT host (issue 16): served footprints, their filter keys, shares, partners and events; audits by digest.

Revision ID: 0009_i16_host_pact
Revises: 0008_i13_supervision
Create Date: 2026-12-06

Types are written out here, as in 0001, so this revision stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_i16_host_pact"
down_revision: str | Sequence[str] | None = "0008_i13_supervision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index("ix_audit_declaration_digest", "audit", ["declaration_digest"])
    op.create_table(
        "pact_footprint",
        sa.Column("pf_id", sa.String(36), nullable=False),
        sa.Column("owner_org", sa.String(64), nullable=False),
        sa.Column("validation_id", sa.String(36), nullable=False),
        sa.Column("declaration_digest", sa.String(71), nullable=False),
        sa.Column("served", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("valid_from", _ts(), nullable=False),
        sa.Column("valid_until", _ts(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["owner_org"], ["organisation.id"], name="fk_pact_footprint_owner_org_organisation"),
        sa.ForeignKeyConstraint(
            ["validation_id"], ["validation.id"], name="fk_pact_footprint_validation_id_validation"
        ),
        sa.PrimaryKeyConstraint("pf_id", name="pk_pact_footprint"),
    )
    op.create_index("ix_pact_footprint_owner_org", "pact_footprint", ["owner_org"])
    op.create_table(
        "pact_footprint_key",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("pf_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["pf_id"],
            ["pact_footprint.pf_id"],
            name="fk_pact_footprint_key_pf_id_pact_footprint",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kind", "value", "pf_id", name="pk_pact_footprint_key"),
    )
    op.create_index("ix_pact_footprint_key_pf_id", "pact_footprint_key", ["pf_id"])
    op.create_table(
        "pact_share",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("pf_id", sa.String(36), nullable=False),
        sa.Column("owner_org", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(create_constraint=True, name="active"), nullable=False),
        sa.Column("shared_at", _ts(), nullable=False),
        sa.Column("shared_by", sa.String(64), nullable=False),
        sa.Column("unshared_at", _ts(), nullable=True),
        sa.Column("unshared_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["credential.client_id"], name="fk_pact_share_client_id_credential"),
        sa.ForeignKeyConstraint(["pf_id"], ["pact_footprint.pf_id"], name="fk_pact_share_pf_id_pact_footprint"),
        sa.ForeignKeyConstraint(["owner_org"], ["organisation.id"], name="fk_pact_share_owner_org_organisation"),
        sa.PrimaryKeyConstraint("client_id", "pf_id", name="pk_pact_share"),
    )
    op.create_table(
        "pact_partner",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("base_url", sa.String(), nullable=False),
        sa.Column("auth_base_url", sa.String(), nullable=False),
        sa.Column("remote_client_id", sa.String(), nullable=False),
        sa.Column("remote_secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["credential.client_id"], name="fk_pact_partner_client_id_credential"),
        sa.PrimaryKeyConstraint("client_id", name="pk_pact_partner"),
    )
    op.create_table(
        "pact_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("body", _json(), nullable=False),
        sa.Column("owners", _json(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _ts(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("in_reply_to", sa.String(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pact_event"),
    )
    op.create_index("ix_pact_event_client_id_id", "pact_event", ["client_id", "id"])
    op.create_index("ix_pact_event_state_next_attempt_at", "pact_event", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_pact_event_state_next_attempt_at", table_name="pact_event")
    op.drop_index("ix_pact_event_client_id_id", table_name="pact_event")
    op.drop_table("pact_event")
    op.drop_table("pact_partner")
    op.drop_table("pact_share")
    op.drop_index("ix_pact_footprint_key_pf_id", table_name="pact_footprint_key")
    op.drop_table("pact_footprint_key")
    op.drop_index("ix_pact_footprint_owner_org", table_name="pact_footprint")
    op.drop_table("pact_footprint")
    op.drop_index("ix_audit_declaration_digest", table_name="audit")
