"""PACT requests an organisation sent to partners, and their answers (issue 16: the client).

Revision ID: 0010_i16_client_requests
Revises: 0009_i16_host_pact
Create Date: 2026-12-06

Types are written out here, as in 0001, so this revision stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_i16_client_requests"
down_revision: str | Sequence[str] | None = "0009_i16_host_pact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pact_request",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("partner_url", sa.String(), nullable=False),
        sa.Column("criteria", _json(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sent_at", _ts(), nullable=False),
        sa.Column("answered_at", _ts(), nullable=True),
        sa.Column("answer", _json(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pact_request"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_pact_request_org_id_organisation"),
    )
    op.create_index("ix_pact_request_org_id_sent_at", "pact_request", ["org_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_pact_request_org_id_sent_at", table_name="pact_request")
    op.drop_table("pact_request")
