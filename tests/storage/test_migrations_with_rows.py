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
