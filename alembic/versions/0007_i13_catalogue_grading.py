"""Grading catalogues (issue 13): published catalogue versions; a label's grade may be absent (an ungraded
label), names the catalogue that set it, and the label records the declaring company (for statistics).

Revision ID: 0007_i13_catalogue_grading
Revises: 0006_i12_factorsets
Create Date: 2026-12-06

Types are written out here, as in 0001, so this revision stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_i13_catalogue_grading"
down_revision: str | Sequence[str] | None = "0006_i12_factorsets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _sort_text() -> sa.types.TypeEngine[Any]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("label") as batch:
        batch.alter_column("grade", existing_type=sa.String(8), nullable=True)
        batch.add_column(sa.Column("catalogue", sa.String(), nullable=True))
        batch.add_column(sa.Column("company", sa.String(300), nullable=True))
    status = sa.Enum(
        "draft",
        "published",
        "deprecated",
        "withdrawn",
        name="catalogue_status",
        native_enum=False,
        create_constraint=True,
        length=32,
    )
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("catalogue_id", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("version_sort", _sort_text(), nullable=False),
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("digest", sa.String(71), nullable=False),
        sa.Column("content", _json(), nullable=False),
        sa.Column("envelope", _json(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_version"),
        sa.UniqueConstraint("catalogue_id", "version", name="uq_catalogue_version_catalogue_id_version"),
        sa.ForeignKeyConstraint(["namespace"], ["organisation.id"], name="fk_catalogue_version_namespace_organisation"),
    )
    op.create_index(
        "ix_catalogue_version_catalogue_id_version_sort", "catalogue_version", ["catalogue_id", "version_sort"]
    )


def downgrade() -> None:
    op.drop_index("ix_catalogue_version_catalogue_id_version_sort", table_name="catalogue_version")
    op.drop_table("catalogue_version")
    op.execute("DELETE FROM label WHERE grade IS NULL")  # ungraded labels cannot exist before this revision
    with op.batch_alter_table("label") as batch:
        batch.drop_column("company")
        batch.drop_column("catalogue")
        batch.alter_column("grade", existing_type=sa.String(8), nullable=False)
