"""Grading catalogues (issue 13): published catalogue versions; a label's grade may be absent (an ungraded
label), names the catalogue that set it, and the label records the declaring company (for statistics).

Revision ID: 0012_i13_catalogue
Revises: 0011_i13_accred
Create Date: 2026-12-06

Types are written out here, as in 0001, so this revision stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_i13_catalogue"
down_revision: str | Sequence[str] | None = "0011_i13_accred"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _sort_text() -> sa.types.TypeEngine[Any]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


_GRADE_NOT_NULL = "grade VARCHAR(8) NOT NULL"
_GRADE_NULL = "grade VARCHAR(8)"


def _sqlite_label_sql(old: str, new: str) -> None:
    """Edit label's definition in place (https://sqlite.org/lang_altertable.html section 7: dropping a NOT
    NULL changes nothing stored). Copying the table, as batch mode does, drops a table that complaints and
    re-verifications point at, which their foreign keys refuse."""
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'label'")).scalar_one()
    if old not in sql:
        raise RuntimeError(f"label.grade is not as this revision expects ({old!r}): {sql}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'label'"),
        {"sql": sql.replace(old, new, 1)},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_label_sql(_GRADE_NOT_NULL, _GRADE_NULL)
    else:
        op.alter_column("label", "grade", existing_type=sa.String(8), nullable=True)
    op.add_column("label", sa.Column("catalogue", sa.String(), nullable=True))
    op.add_column("label", sa.Column("company", sa.String(300), nullable=True))
    status = sa.Enum(
        "draft",
        "published",
        "deprecated",
        "withdrawn",
        name="catalogue_status",
        native_enum=False,
        create_constraint=True,
        length=32,
    )
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("catalogue_id", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("version_sort", _sort_text(), nullable=False),
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("digest", sa.String(71), nullable=False),
        sa.Column("content", _json(), nullable=False),
        sa.Column("envelope", _json(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_version"),
        sa.UniqueConstraint("catalogue_id", "version", name="uq_catalogue_version_catalogue_id_version"),
        sa.ForeignKeyConstraint(["namespace"], ["organisation.id"], name="fk_catalogue_version_namespace_organisation"),
    )
    op.create_index(
        "ix_catalogue_version_catalogue_id_version_sort", "catalogue_version", ["catalogue_id", "version_sort"]
    )


def downgrade() -> None:
    op.drop_index("ix_catalogue_version_catalogue_id_version_sort", table_name="catalogue_version")
    op.drop_table("catalogue_version")
    # ungraded labels cannot exist before this revision: they go, with what points at them
    ungraded = "SELECT id FROM label WHERE grade IS NULL"
    for table in ("complaint", "reverification"):
        op.execute(f"DELETE FROM {table} WHERE label_id IN ({ungraded})")
    op.execute("DELETE FROM label WHERE grade IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        op.get_bind().exec_driver_sql("ALTER TABLE label DROP COLUMN company")
        op.get_bind().exec_driver_sql("ALTER TABLE label DROP COLUMN catalogue")
        _sqlite_label_sql(_GRADE_NULL, _GRADE_NOT_NULL)  # every row has a grade now
        return
    op.drop_column("label", "company")
    op.drop_column("label", "catalogue")
    op.alter_column("label", "grade", existing_type=sa.String(8), nullable=False)
