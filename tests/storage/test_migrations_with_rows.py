"""Revisions that change the label table run on SQLite databases whose labels already have complaints
pointing at them (foreign keys are on: a revision that copies the table, as batch mode does, would be
refused when it drops the old one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from registry.storage.db import downgrade, make_engine, migrate

AT = "2026-01-01 00:00:00.000000"


def _insert(conn: Connection, table: str, given: dict[str, Any]) -> None:
    """A row with ``given`` and a plain value in every other NOT NULL column."""
    values: dict[str, Any] = {}
    for _, name, kind, notnull, _, pk in conn.exec_driver_sql(f"PRAGMA table_info({table})").fetchall():
        if name in given:
            values[name] = given[name]
        elif notnull or pk:
            t = str(kind).upper()
            values[name] = 0 if "INT" in t else AT if ("DATE" in t or "TIME" in t) else "{}" if "JSON" in t else "x"
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + k for k in values)})"), values)


def _label(conn: Connection, label_id: str, grade: str | None, complaint: str, idx: int) -> None:
    row = {"id": label_id, "certifier_id": "c", "kid": "k", "state": "valid", "grade": grade, "status_idx": idx}
    _insert(conn, "label", row)
    _insert(
        conn,
        "complaint",
        {"reference": complaint, "label_id": label_id, "certifier_id": "c", "state": "received", "history": "[]"},
    )


def test_ungraded_labels_come_and_go_with_complaints_on_the_labels(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine, "0011_i13_accred")
    with engine.begin() as conn:
        _insert(conn, "organisation", {"id": "c", "name": "C", "kind": "certifier", "created_at": AT})
        _insert(conn, "label_signing_key", {"kid": "k", "certifier_id": "c", "state": "active"})
        _label(conn, "graded", "A", "R1", 0)
    migrate(engine)  # label.grade may be NULL from 0012 on
    with engine.begin() as conn:
        _label(conn, "ungraded", None, "R2", 1)
        assert conn.execute(text("SELECT count(*) FROM complaint")).scalar_one() == 2
    downgrade(engine, "0011_i13_accred")  # the ungraded label goes, with its complaint; the rest stays
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, grade FROM label")).all() == [("graded", "A")]
        assert conn.execute(text("SELECT reference FROM complaint")).scalars().all() == ["R1"]
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    with engine.begin() as conn:
        ungraded = {"id": "again", "certifier_id": "c", "kid": "k", "state": "valid", "grade": None, "status_idx": 2}
        try:
            _insert(conn, "label", ungraded)
        except Exception as e:  # NOT NULL is back
            assert "NOT NULL" in str(e)
        else:
            raise AssertionError("an ungraded label was stored below 0012")


def test_0014_backfills_label_history_from_the_log_and_validation_kinds(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine, "0013_i13_tlog")
    later = "2026-02-01 00:00:00.000000"
    with engine.begin() as conn:
        _insert(conn, "organisation", {"id": "c", "name": "C", "kind": "certifier", "created_at": AT})
        _insert(conn, "label_signing_key", {"kid": "k", "certifier_id": "c", "state": "active"})
        _label(conn, "logged", "A", "R1", 0)  # issued and suspended with the log kept
        conn.execute(
            text(
                "UPDATE label SET state = 'suspended', state_reason = 'checking', state_changed_at = :at "
                "WHERE id = 'logged'"
            ),
            {"at": later},
        )
        _label(conn, "before", "B", "R2", 1)  # revoked before the log was kept
        conn.execute(text("UPDATE label SET state = 'revoked', state_reason = 'wrong' WHERE id = 'before'"))
        for idx, kind, at in ((0, "label.issue", AT), (1, "label.suspend", AT), (2, "label.reinstate", AT)):
            _insert(conn, "tlog_entry", {"idx": idx, "kind": kind, "ref": "logged", "data": b"{}", "at": at})
        _insert(conn, "tlog_entry", {"idx": 3, "kind": "label.suspend", "ref": "logged", "data": b"{}", "at": later})
        _insert(conn, "validation", {"id": "plain", "org_id": "c", "result": '{"conformant": true}', "conformant": 1})
        recalc = '{"conformant": true, "recalculation": {"deviationPercent": "0.1"}}'
        _insert(conn, "validation", {"id": "recalc", "org_id": "c", "result": recalc, "conformant": 1})
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT label_id, event, state, by, reason, tlog_index FROM label_event ORDER BY label_id, id")
        ).all()
        assert [tuple(r) for r in rows] == [
            ("before", "issued", "valid", "c", None, None),
            ("before", "revoked", "revoked", "c", "wrong", None),
            ("logged", "issued", "valid", "c", None, 0),
            ("logged", "suspended", "suspended", "c", None, 1),
            ("logged", "reinstated", "valid", "c", None, 2),
            ("logged", "suspended", "suspended", "c", "checking", 3),
        ]
        kinds: dict[str, int] = dict(conn.execute(text("SELECT id, recalculation FROM validation")).tuples().all())
        assert kinds == {"plain": 0, "recalc": 1}
    downgrade(engine, "0013_i13_tlog")  # the label table is never copied: complaints still point at it
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert "regrade" not in {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(label)").fetchall()}
    migrate(engine)
