"""Factor sets: published versions (document, envelope, header) and their factors for search.

Revision ID: 0006_i12_factorsets
Revises: 0005_i10_label_request_key
Create Date: 2026-12-06

Types are written out here, as in 0001, so this revision stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_i12_factorsets"
down_revision: str | Sequence[str] | None = "0005_i10_label_request_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _sort_text() -> sa.types.TypeEngine[Any]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    status = sa.Enum(
        "draft",
        "published",
        "deprecated",
        "withdrawn",
        name="factorset_status",
        native_enum=False,
        create_constraint=True,
        length=32,
    )
    op.create_table(
        "factorset_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("set_id", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("version_sort", _sort_text(), nullable=False),
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("digest", sa.String(71), nullable=False),
        sa.Column("content", _json(), nullable=False),
        sa.Column("envelope", _json(), nullable=False),
        sa.Column("title_en", sa.String(), nullable=False),
        sa.Column("title_zh", sa.String(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("status_changed_at", _ts(), nullable=False),
        sa.Column("status_reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_factorset_version"),
        sa.UniqueConstraint("set_id", "version", name="uq_factorset_version_set_id_version"),
        sa.ForeignKeyConstraint(["namespace"], ["organisation.id"], name="fk_factorset_version_namespace_organisation"),
    )
    op.create_index("ix_factorset_version_set_id_version_sort", "factorset_version", ["set_id", "version_sort"])
    op.create_index("ix_factorset_version_status", "factorset_version", ["status"])
    op.create_table(
        "factor",
        sa.Column("set_version_id", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.String(), nullable=False),
        sa.Column("activity", _sort_text(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("boundary", sa.String(), nullable=True),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("codes", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("set_version_id", "factor_id", name="pk_factor"),
        sa.ForeignKeyConstraint(
            ["set_version_id"],
            ["factorset_version.id"],
            name="fk_factor_set_version_id_factorset_version",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_factor_activity", "factor", ["activity"])
    op.create_index("ix_factor_region", "factor", ["region"])


def downgrade() -> None:
    op.drop_index("ix_factor_region", table_name="factor")
    op.drop_index("ix_factor_activity", table_name="factor")
    op.drop_table("factor")
    op.drop_index("ix_factorset_version_status", table_name="factorset_version")
    op.drop_index("ix_factorset_version_set_id_version_sort", table_name="factorset_version")
    op.drop_table("factorset_version")
