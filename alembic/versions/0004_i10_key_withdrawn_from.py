"""A withdrawn label signing key keeps the time from which its signatures are refused.

Revision ID: 0004_i10_key_withdrawn_from
Revises: 0003_label_product_name
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_i10_key_withdrawn_from"
down_revision: str | Sequence[str] | None = "0003_label_product_name"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("label_signing_key") as batch:
        batch.add_column(sa.Column("withdrawn_from", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("label_signing_key") as batch:
        batch.drop_column("withdrawn_from")
