"""Accreditation bodies and the versions of their accreditations (issue 13).

Revision ID: 0007_i13_accred_accreditations
Revises: 0006_i12_factorsets
Create Date: 2026-12-06

The organisation kind gains ``accreditation-body`` (its CHECK constraint is replaced); each
accreditation version is a row that is never changed; a label keeps the accreditation that covered
it. Types are written out, as in 0001.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_i13_accred_accreditations"
down_revision: str | Sequence[str] | None = "0006_i12_factorsets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("standards-body", "certifier", "platform", "admin")
_AFTER = (*_BEFORE, "accreditation-body")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _enum(kinds: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*kinds, name="org_kind", native_enum=False, create_constraint=True, length=32)


def _kinds(before: tuple[str, ...], after: tuple[str, ...]) -> None:
    """Replace the CHECK constraint of organisation.kind (SQLite: by recreating the table, as batch mode does)."""
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("organisation", recreate="always") as batch:
            batch.alter_column("kind", existing_type=_enum(before), type_=_enum(after), existing_nullable=False)
        return
    name = op.f("ck_organisation_org_kind")
    op.drop_constraint(name, "organisation", type_="check")
    op.create_check_constraint(name, "organisation", sa.column("kind").in_(after))


def upgrade() -> None:
    _kinds(_BEFORE, _AFTER)
    op.create_table(
        "accreditation_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("accreditation_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.String(64), nullable=False),
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(71), nullable=False),
        sa.Column("content", _json(), nullable=False),
        sa.Column("envelope", _json(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["organisation.id"], name="fk_accreditation_version_body_id_organisation"),
        sa.ForeignKeyConstraint(
            ["certifier_id"], ["organisation.id"], name="fk_accreditation_version_certifier_id_organisation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accreditation_version"),
        sa.UniqueConstraint("accreditation_id", "version", name="uq_accreditation_version_accreditation_id_version"),
    )
    op.create_index("ix_accreditation_version_certifier_id", "accreditation_version", ["certifier_id"])
    with op.batch_alter_table("label") as batch:
        batch.add_column(sa.Column("accreditation_id", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("label") as batch:
        batch.drop_column("accreditation_id")
    op.drop_index("ix_accreditation_version_certifier_id", table_name="accreditation_version")
    op.drop_table("accreditation_version")
    op.execute(sa.text("DELETE FROM organisation WHERE kind = 'accreditation-body'"))
    _kinds(_AFTER, _BEFORE)
