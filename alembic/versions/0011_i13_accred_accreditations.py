"""Accreditation bodies and the versions of their accreditations (issue 13).

Revision ID: 0011_i13_accred
Revises: 0010_i16_client_requests
Create Date: 2026-12-06

The organisation kind gains ``accreditation-body`` (its CHECK constraint is replaced); each
accreditation version is a row that is never changed; a label keeps the accreditation that covered
it. Types are written out, as in 0001.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_i13_accred"
down_revision: str | Sequence[str] | None = "0010_i16_client_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "accreditation-body"
_CHECK = re.compile(r"CHECK \(kind IN \(([^)]*)\)\)")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _check(kinds: list[str]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _kinds_in(check: str) -> list[str]:
    """The kinds a CHECK lists (whatever earlier revisions, such as 0008's regulator, put there)."""
    kinds = re.findall(r"'([^']+)'", check)
    if not kinds:
        raise RuntimeError(f"organisation.kind has no CHECK this revision can read: {check}")
    return kinds


def _org_kinds(change: Callable[[list[str]], list[str]]) -> None:
    """Widen or narrow the CHECK of organisation.kind to ``change(kinds now)``, as 0008 does: on
    PostgreSQL by replacing the constraint; on SQLite by editing the table's definition in place
    (https://sqlite.org/lang_altertable.html section 7), since copying the table is refused by the
    foreign keys of the tables that point at it."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        definition = bind.execute(
            sa.text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'organisation'::regclass AND conname = 'ck_organisation_org_kind'"
            )
        ).scalar_one()
        kinds = change(_kinds_in(definition))
        op.drop_constraint(op.f("ck_organisation_org_kind"), "organisation", type_="check")
        op.create_check_constraint(op.f("ck_organisation_org_kind"), "organisation", sa.text(_check(kinds)))
        return
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'organisation'")
    ).scalar_one()
    old = _CHECK.search(sql)
    if old is None:
        raise RuntimeError(f"organisation.kind has no CHECK this revision can read: {sql}")
    new_sql = sql.replace(old.group(0), f"CHECK ({_check(change(_kinds_in(old.group(0))))})")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'organisation'"), {"sql": new_sql}
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _org_kinds(lambda kinds: kinds if KIND in kinds else [*kinds, KIND])
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
    _org_kinds(lambda kinds: [k for k in kinds if k != KIND])
