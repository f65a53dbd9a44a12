"""A label records the recalculation it rests on; what recalculations rest on is indexed (issue 12).

Revision ID: 0007_i12_finish_label_recalc
Revises: 0006_i12_factorsets
Create Date: 2026-12-06

``label.recalculation`` holds what the label rests on (the validation that stored the
recalculation, its deviation, the factor sets ``id@version`` and the inventory digest), never the
inventory's lines; ``label.recalculation_id`` is that validation's id. Both are NULL for a label
of a declared figure that was not recomputed, and for labels issued before this revision.
``label.declaration_digest`` is the labelled declaration's full digest (NULL for labels issued
before), so a supplier's label is found from the digest an inventory line cites.
``recalc_source`` lists what each stored recalculation rests on (factor set versions, supplier
declarations) for ``dependents`` and ``trace``; recalculations stored before this revision have no
rows there. ``ix_validation_declaration_digest`` finds stored declarations by digest.
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
        batch.add_column(sa.Column("recalculation_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("declaration_digest", sa.String(71), nullable=True))
    op.create_index("ix_label_recalculation_id", "label", ["recalculation_id"])
    op.create_index("ix_label_declaration_digest", "label", ["declaration_digest"])
    op.create_index("ix_validation_declaration_digest", "validation", ["declaration_digest"])
    op.create_table(
        "recalc_source",
        sa.Column("validation_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(71), nullable=True),
        sa.PrimaryKeyConstraint("validation_id", "source", name="pk_recalc_source"),
        sa.ForeignKeyConstraint(["validation_id"], ["validation.id"], name="fk_recalc_source_validation_id_validation"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_recalc_source_org_id_organisation"),
    )
    op.create_index("ix_recalc_source_source_org_id", "recalc_source", ["source", "org_id"])


def downgrade() -> None:
    op.drop_index("ix_recalc_source_source_org_id", table_name="recalc_source")
    op.drop_table("recalc_source")
    op.drop_index("ix_validation_declaration_digest", table_name="validation")
    op.drop_index("ix_label_declaration_digest", table_name="label")
    op.drop_index("ix_label_recalculation_id", table_name="label")
    with op.batch_alter_table("label") as batch:
        batch.drop_column("declaration_digest")
        batch.drop_column("recalculation_id")
        batch.drop_column("recalculation")
