"""An index of the stored recalculations alone (issue 15).

Issuing a label looks up the stored recalculations of its declaration; it read every stored validation
of that declaration (thousands when a certifier validates the same declaration again and again, each
row's JSON decoded) to find the few that hold a recalculation. ``validation.recalculation`` (0015, filled
for stored rows there) says which rows hold one; this partial index holds only those.

Revision ID: 0016_i15_http_recalc
Revises: 0015_i13_rest
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_i15_http_recalc"
down_revision: str | Sequence[str] | None = "0015_i13_rest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_validation_recalculations",
        "validation",
        ["org_id", "declaration_digest"],
        sqlite_where=sa.text("recalculation"),
        postgresql_where=sa.text("recalculation"),
    )


def downgrade() -> None:
    op.drop_index("ix_validation_recalculations", table_name="validation")
