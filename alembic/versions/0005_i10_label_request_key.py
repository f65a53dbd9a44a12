"""Labels keep their issue request's idempotency key, unique per certifier (issue 10: issuing once).

Revision ID: 0005_i10_label_request_key
Revises: 0004_i10_key_withdrawn_from
Create Date: 2026-12-06

Existing labels get NULL (both databases let many NULLs past a unique index), so a repeat of a
request made before this revision is issued again, once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_i10_label_request_key"
down_revision: str | Sequence[str] | None = "0004_i10_key_withdrawn_from"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("label") as batch:
        batch.add_column(sa.Column("request_key", sa.String(71), nullable=True))
    op.create_index("ux_label_certifier_id_request_key", "label", ["certifier_id", "request_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_label_certifier_id_request_key", table_name="label")
    with op.batch_alter_table("label") as batch:
        batch.drop_column("request_key")
