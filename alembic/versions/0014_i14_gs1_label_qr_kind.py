"""Labels record which QR code they carry (issue 14): NULL or 'url' the short label URL (the default, as
before), 'digital-link' a GS1 Digital Link URI (https://HOST/01/{GTIN}[/10/{batch}]) that the registry resolves.

Revision ID: 0014_i14_gs1_qr_kind
Revises: 0013_i13_tlog
Create Date: 2026-12-07

A plain ADD COLUMN (no batch copy: the label table is pointed at by foreign keys SQLite would refuse).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_i14_gs1_qr_kind"
down_revision: str | Sequence[str] | None = "0013_i13_tlog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("label", sa.Column("qr_kind", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("label", "qr_kind")  # SQLite 3.35+ drops a column in place
