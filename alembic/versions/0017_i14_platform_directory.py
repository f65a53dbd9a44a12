"""Indexes for the public directory and the label feed (issue 14): labels by (state change time, id), the
feed's order and cursor, and by company, a directory search.

Revision ID: 0017_i14_platform
Revises: 0016_i15_http_recalc
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017_i14_platform"
down_revision: str | Sequence[str] | None = "0016_i15_http_recalc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_label_state_changed_at_id", "label", ["state_changed_at", "id"])
    op.create_index("ix_label_company", "label", ["company"])


def downgrade() -> None:
    op.drop_index("ix_label_company", table_name="label")
    op.drop_index("ix_label_state_changed_at_id", table_name="label")
