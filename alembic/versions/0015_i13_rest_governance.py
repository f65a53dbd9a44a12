"""Governance, the rest of issue 13: label state history (``label_event``, backfilled), a label's re-grade under
a later catalogue version (``label.regrade``), a catalogue version's status reason and time (deprecate,
withdraw), and validation.recalculation (the regulator's kind= filter as a query, backfilled).

Revision ID: 0015_i13_rest
Revises: 0014_i14_gs1_qr_kind
Create Date: 2026-12-07

Types are written out here, as in 0001, so this revision stays what it was. Columns are added with plain
ADD COLUMN: on SQLite the label table is never copied (complaints and re-verifications point at it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015_i13_rest"
down_revision: str | Sequence[str] | None = "0014_i14_gs1_qr_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


_STATE_OF = {"label.suspend": ("suspended", "suspended"), "label.reinstate": ("reinstated", "valid")}
_STATE_OF["label.revoke"] = ("revoked", "revoked")
_EVENT_OF_STATE = {"suspended": "suspended", "revoked": "revoked", "valid": "reinstated"}


def upgrade() -> None:
    op.add_column("catalogue_version", sa.Column("status_reason", sa.String(), nullable=True))
    op.add_column("catalogue_version", sa.Column("status_changed_at", _ts(), nullable=True))
    op.add_column("label", sa.Column("regrade", _json(), nullable=True))
    op.add_column(
        "validation",
        sa.Column(
            "recalculation",
            sa.Boolean(),  # no CHECK: SQLite could not drop the column again
            nullable=False,
            server_default=sa.false(),
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE validation SET recalculation = true WHERE result ? 'recalculation'")
    else:
        op.execute("UPDATE validation SET recalculation = 1 WHERE json_type(result, '$.recalculation') IS NOT NULL")
    op.create_index(
        "ix_validation_region_recalculation_created_at", "validation", ["region", "recalculation", "created_at"]
    )
    op.create_table(
        "label_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("label_id", sa.String(16), nullable=False),
        sa.Column(
            "event",
            _enum("label_event_kind", "issued", "suspended", "reinstated", "revoked", "regraded"),
            nullable=False,
        ),
        sa.Column("state", _enum("label_event_state", "valid", "suspended", "revoked"), nullable=False),
        sa.Column("by", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("detail", _json(), nullable=True),
        sa.Column("tlog_index", sa.BigInteger(), nullable=True),
        sa.Column("at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_label_event"),
        sa.ForeignKeyConstraint(["label_id"], ["label.id"], name="fk_label_event_label_id_label"),
    )
    op.create_index("ix_label_event_label_id_id", "label_event", ["label_id", "id"])
    _backfill_history()


def _backfill_history() -> None:
    """Each label's issue (with its log entry where the log has one); then each state change the log holds, in
    log order, the label's stored reason on the one that set its current state; a label whose current state
    the log does not explain (changed before the log was kept) gets one row from its columns."""
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO label_event (label_id, event, state, by, at, tlog_index) "
            "SELECT l.id, 'issued', 'valid', l.certifier_id, l.issued_at, "
            "(SELECT MIN(t.idx) FROM tlog_entry t WHERE t.ref = l.id AND t.kind = 'label.issue') FROM label l "
            "ORDER BY l.issued_at, l.id"
        )
    )
    labels = {
        row.id: row
        for row in bind.execute(
            sa.text("SELECT id, certifier_id, state, state_reason, state_changed_at FROM label WHERE state != 'valid'")
        )
    }
    changes = bind.execute(
        sa.text(
            "SELECT t.idx, t.kind, t.ref, t.at, l.certifier_id FROM tlog_entry t JOIN label l ON l.id = t.ref "
            "WHERE t.kind IN ('label.suspend', 'label.reinstate', 'label.revoke') ORDER BY t.idx"
        )
    ).all()
    last: dict[str, int] = {}
    for n, change in enumerate(changes):
        last[change.ref] = n
    rows: list[dict[str, Any]] = []
    for n, change in enumerate(changes):
        event, state = _STATE_OF[change.kind]
        current = labels.get(change.ref)
        reason = current.state_reason if current is not None and last[change.ref] == n else None
        rows.append(
            {"label_id": change.ref, "event": event, "state": state, "by": change.certifier_id}
            | {"reason": reason, "at": change.at, "tlog_index": change.idx}
        )
    for label_id, label in labels.items():
        explained = label_id in last and _STATE_OF[changes[last[label_id]].kind][1] == label.state
        if not explained:
            rows.append(
                {"label_id": label_id, "event": _EVENT_OF_STATE[label.state], "state": label.state}
                | {
                    "by": label.certifier_id,
                    "reason": label.state_reason,
                    "at": label.state_changed_at,
                    "tlog_index": None,
                }
            )
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO label_event (label_id, event, state, by, reason, at, tlog_index) "
                "VALUES (:label_id, :event, :state, :by, :reason, :at, :tlog_index)"
            ),
            rows,
        )


def downgrade() -> None:
    op.drop_index("ix_label_event_label_id_id", table_name="label_event")
    op.drop_table("label_event")
    op.drop_index("ix_validation_region_recalculation_created_at", table_name="validation")
    if op.get_bind().dialect.name == "sqlite":
        bind = op.get_bind()
        for table, column in (
            ("validation", "recalculation"),
            ("label", "regrade"),
            ("catalogue_version", "status_changed_at"),
            ("catalogue_version", "status_reason"),
        ):
            bind.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        return
    op.drop_column("validation", "recalculation")
    op.drop_column("label", "regrade")
    op.drop_column("catalogue_version", "status_changed_at")
    op.drop_column("catalogue_version", "status_reason")
