"""Stored validations say whether they hold a recalculation, with an index of those alone (issue 15).

Issuing a label looks up the stored recalculations of its declaration; it read every stored validation
of that declaration (thousands when a certifier validates the same declaration again and again, each
row's JSON decoded) to find the few that hold a recalculation.

Revision ID: 0014_i15_http_recalc
Revises: 0013_i13_tlog
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_i15_http_recalc"
down_revision: str | Sequence[str] | None = "0013_i13_tlog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOLDS_RECALCULATION = {
    "sqlite": "json_type(result, '$.recalculation') = 'object'",
    "postgresql": "jsonb_typeof(result -> 'recalculation') = 'object'",
}


def upgrade() -> None:
    op.add_column(
        "validation",
        sa.Column("recalculated", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()),
    )
    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE validation SET recalculated = TRUE WHERE {_HOLDS_RECALCULATION[dialect]}")
    op.create_index(
        "ix_validation_recalculations",
        "validation",
        ["org_id", "declaration_digest"],
        sqlite_where=sa.text("recalculated"),
        postgresql_where=sa.text("recalculated"),
    )


def downgrade() -> None:
    op.drop_index("ix_validation_recalculations", table_name="validation")
    op.drop_column("validation", "recalculated")
