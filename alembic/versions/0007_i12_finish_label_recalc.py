"""A label records the recalculation it rests on; stored declarations are found by their digest.

Revision ID: 0007_i12_finish_label_recalc
Revises: 0006_i12_factorsets
Create Date: 2026-12-06

``label.recalculation`` holds what the label rests on (the validation that stored the
recalculation, its deviation, the factor sets ``id@version`` and the inventory digest), never the
inventory's lines; NULL for a label of a declared figure that was not recomputed, and for labels
issued before this revision. ``ix_validation_declaration_digest`` serves the lookups of a stored
declaration by digest: a label finding its recalculation, a supplier footprint cited by an
inventory line, and the dependents of a declaration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_i12_finish_label_recalc"
down_revision: str | Sequence[str] | None = "0006_i12_factorsets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("label") as batch:
        batch.add_column(sa.Column("recalculation", _json(), nullable=True))
    op.create_index("ix_validation_declaration_digest", "validation", ["declaration_digest"])


def downgrade() -> None:
    op.drop_index("ix_validation_declaration_digest", table_name="validation")
    with op.batch_alter_table("label") as batch:
        batch.drop_column("recalculation")
