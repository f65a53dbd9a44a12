"""The transparency log (issue 13): entries, the stored Merkle tree nodes and the head (size, compact range).

Revision ID: 0013_i13_tlog
Revises: 0012_i13_catalogue
Create Date: 2026-12-06

Types are written out here, as in 0001, so this revision stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_i13_tlog"
down_revision: str | Sequence[str] | None = "0012_i13_catalogue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tlog_entry",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_tlog_entry"),
    )
    op.create_index("ix_tlog_entry_ref", "tlog_entry", ["ref"])
    op.create_table(
        "tlog_node",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tlog_node"),
    )
    op.create_table(
        "tlog_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("peaks", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tlog_head"),
    )


def downgrade() -> None:
    op.drop_table("tlog_head")
    op.drop_table("tlog_node")
    op.drop_index("ix_tlog_entry_ref", table_name="tlog_entry")
    op.drop_table("tlog_entry")
