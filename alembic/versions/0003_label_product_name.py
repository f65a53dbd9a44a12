"""Labels keep the product's name, for the consumer page.

Revision ID: 0003_label_product_name
Revises: 0002_audits_labels
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_label_product_name"
down_revision: str | Sequence[str] | None = "0002_audits_labels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("label") as batch:
        batch.add_column(sa.Column("product_name", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("label") as batch:
        batch.drop_column("product_name")
