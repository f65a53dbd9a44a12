"""An organisation's public contact (issue 14: the certifier page shows name, accreditation and contact):
e-mail, web address, telephone and postal address, each optional, and when it was last set.

Revision ID: 0018_i14_pages_contact
Revises: 0017_i14_platform
Create Date: 2026-12-07

Plain ADD COLUMNs of nullable columns (no batch copy: the organisation table is pointed at by foreign keys
SQLite would refuse); existing organisations have no contact. Types written out, as in 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_i14_pages_contact"
down_revision: str | Sequence[str] | None = "0017_i14_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("contact_email", sa.String(254)),
    ("contact_url", sa.String(2048)),
    ("contact_phone", sa.String(40)),
    ("contact_address", sa.String(500)),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("organisation", sa.Column(name, type_, nullable=True))
    op.add_column("organisation", sa.Column("contact_updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("organisation", "contact_updated_at")  # SQLite 3.35+ drops a column in place
    for name, _ in reversed(_COLUMNS):
        op.drop_column("organisation", name)
