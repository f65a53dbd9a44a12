"""Supervision (issue 13): the regulator organisation kind and its jurisdiction, the region of
validations, audits and labels, label samples, re-verification outcomes and complaints.

Revision ID: 0008_i13_supervision
Revises: 0007_i12_finish_label_recalc
Create Date: 2026-12-06

Types are written out here, as in 0001, so this revision stays what it was. Existing rows get
their region from their stored declaration (a label from its audit's declaration, when it has an
audit), by the rule of registry/supervision/jurisdiction.py written out below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_i13_supervision"
down_revision: str | Sequence[str] | None = "0007_i12_finish_label_recalc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "regulator"
_CHECK = re.compile(r"CHECK \(kind IN \(([^)]*)\)\)")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _check(kinds: list[str]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _kinds_in(check: str) -> list[str]:
    """The kinds a CHECK lists (whatever other revisions, such as another new kind, put there)."""
    kinds = re.findall(r"'([^']+)'", check)
    if not kinds:
        raise RuntimeError(f"organisation.kind has no CHECK this revision can read: {check}")
    return kinds


def _org_kinds(change: Callable[[list[str]], list[str]]) -> None:
    """Widen or narrow the CHECK of organisation.kind to ``change(kinds now)``; every stored row
    satisfies both (regulators are deleted before narrowing)."""
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
    # SQLite cannot alter a constraint, and copying the table (batch mode) drops a table that others
    # point at, which its foreign keys refuse inside this transaction. A CHECK does not change what is
    # stored, so the table's definition is edited in place, as https://sqlite.org/lang_altertable.html
    # (section 7, "for changes that do not affect the on-disk content") describes.
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


def _region(declaration: Any) -> str | None:
    """registry.supervision.region_of, as of this revision (format only: the codes were checked on entry)."""
    pcf = declaration.get("pcf") if isinstance(declaration, dict) else None
    if not isinstance(pcf, dict):
        return None
    for field in ("geographyCountrySubdivision", "geographyCountry"):
        value = pcf.get(field)
        if isinstance(value, str) and 2 <= len(value.strip()) <= 6:
            return value.strip().upper()
    return None


def _backfill() -> None:
    bind = op.get_bind()
    for table in ("validation", "audit"):
        rows = bind.execute(sa.text(f"SELECT id, declaration FROM {table}")).fetchall()
        for row_id, declaration in rows:
            region = _region(json.loads(declaration) if isinstance(declaration, str) else declaration)
            if region is not None:
                bind.execute(sa.text(f"UPDATE {table} SET region = :r WHERE id = :i"), {"r": region, "i": row_id})
    bind.execute(sa.text("UPDATE label SET region = (SELECT audit.region FROM audit WHERE audit.id = label.audit_id)"))


def upgrade() -> None:
    _org_kinds(lambda kinds: [*kinds, KIND] if KIND not in kinds else kinds)
    for table, at in (("validation", "created_at"), ("audit", "created_at"), ("label", "issued_at")):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("region", sa.String(8), nullable=True))
        op.create_index(f"ix_{table}_region_{at}", table, ["region", at])
    _backfill()
    op.create_table(
        "regulator_region",
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("region", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "region", name="pk_regulator_region"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_regulator_region_org_id_organisation"),
    )
    op.create_table(
        "label_sample",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("regulator_id", sa.String(64), nullable=False),
        sa.Column("seed", sa.String(128), nullable=False),
        sa.Column("population", _json(), nullable=False),
        sa.Column("population_size", sa.Integer(), nullable=False),
        sa.Column("population_digest", sa.String(71), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("label_ids", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_label_sample"),
        sa.ForeignKeyConstraint(
            ["regulator_id"], ["organisation.id"], name="fk_label_sample_regulator_id_organisation"
        ),
    )
    op.create_index("ix_label_sample_regulator_id_created_at", "label_sample", ["regulator_id", "created_at"])
    op.create_table(
        "reverification",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("sample_id", sa.String(36), nullable=False),
        sa.Column("label_id", sa.String(16), nullable=False),
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("regulator_id", sa.String(64), nullable=False),
        sa.Column("outcome", _enum("sample_outcome", "confirmed", "discrepancy", "not_verifiable"), nullable=False),
        sa.Column("findings", _json(), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reverification"),
        sa.UniqueConstraint("sample_id", "label_id", name="uq_reverification_sample_id_label_id"),
        sa.ForeignKeyConstraint(["sample_id"], ["label_sample.id"], name="fk_reverification_sample_id_label_sample"),
        sa.ForeignKeyConstraint(["label_id"], ["label.id"], name="fk_reverification_label_id_label"),
        sa.ForeignKeyConstraint(
            ["certifier_id"], ["organisation.id"], name="fk_reverification_certifier_id_organisation"
        ),
        sa.ForeignKeyConstraint(
            ["regulator_id"], ["organisation.id"], name="fk_reverification_regulator_id_organisation"
        ),
    )
    op.create_index("ix_reverification_certifier_id_recorded_at", "reverification", ["certifier_id", "recorded_at"])
    op.create_index("ix_reverification_label_id", "reverification", ["label_id"])
    op.create_table(
        "complaint",
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("label_id", sa.String(16), nullable=False),
        sa.Column("certifier_id", sa.String(64), nullable=False),
        sa.Column("region", sa.String(8), nullable=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("state", _enum("complaint_state", "received", "under_review", "upheld", "rejected"), nullable=False),
        sa.Column("action", sa.String(16), nullable=True),
        sa.Column("decision_reason", sa.String(2000), nullable=True),
        sa.Column("history", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_complaint"),
        sa.ForeignKeyConstraint(["label_id"], ["label.id"], name="fk_complaint_label_id_label"),
        sa.ForeignKeyConstraint(["certifier_id"], ["organisation.id"], name="fk_complaint_certifier_id_organisation"),
    )
    op.create_index("ix_complaint_certifier_id_created_at", "complaint", ["certifier_id", "created_at"])
    op.create_index("ix_complaint_region_created_at", "complaint", ["region", "created_at"])
    op.create_index("ix_complaint_label_id", "complaint", ["label_id"])


def downgrade() -> None:
    for name in ("complaint", "reverification", "label_sample", "regulator_region"):
        op.drop_table(name)
    for table, at in (("label", "issued_at"), ("audit", "created_at"), ("validation", "created_at")):
        op.drop_index(f"ix_{table}_region_{at}", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("region")
    op.execute("DELETE FROM credential WHERE org_id IN (SELECT id FROM organisation WHERE kind = 'regulator')")
    op.execute("DELETE FROM organisation WHERE kind = 'regulator'")
    _org_kinds(lambda kinds: [k for k in kinds if k != KIND])
