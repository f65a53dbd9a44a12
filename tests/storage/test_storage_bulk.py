"""registry.storage.bulk.insert_rows: one statement for many rows, the values as the column types store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from sqlalchemy import BigInteger, Column, Dialect, Engine, LargeBinary, MetaData, String, Table, event, select

from registry.errors import InputError
from registry.storage import bulk
from registry.storage.bulk import PgArray, insert_rows, inserts_then
from registry.storage.db import session_scope
from registry.storage.models import TlogEntry, TlogNode
from registry.storage.types import UTCDateTime

AT = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
_ENTRIES = TlogEntry.__table__  # type: ignore[attr-defined]
_NODES = TlogNode.__table__  # type: ignore[attr-defined]


@pytest.mark.parametrize("n", [1, 3])  # one row goes in as VALUES on PostgreSQL, more as arrays
def test_rows_go_in_as_given_and_read_back_the_same(engine: Engine, n: int) -> None:
    rows = [
        {
            "idx": 7_000_000 + i,
            "kind": "label.issue",
            "ref": f'L{i} "q" \\ {{a,b}} NULL \u00e9 ',  # what an array's text form must escape
            "data": bytes([i, 0, 255]),
            "at": AT + timedelta(i),
        }
        for i in range(n)
    ]
    with session_scope(engine) as s:
        assert insert_rows(s.connection(), _ENTRIES, rows) == []
        assert insert_rows(s.connection(), _ENTRIES, []) == []
    with session_scope(engine, write=False) as s:
        stmt = select(_ENTRIES).where(_ENTRIES.c.idx >= 7_000_000).order_by(_ENTRIES.c.idx)
        got = [dict(r._mapping) for r in s.connection().execute(stmt)]
    assert [{**r, "data": bytes(r["data"])} for r in got] == rows


class _CountedTime(UTCDateTime):
    """UTCDateTime, counting the values it converts."""

    cache_ok = True
    calls: ClassVar[list[datetime]] = []

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None:
            self.calls.append(value)
        return super().process_bind_param(value, dialect)


def test_a_value_all_rows_share_is_converted_once(engine: Engine) -> None:
    """A group of labels shares its issue time: converting it for every row was a share of the issuer's CPU
    (SQLAlchemy's Core insert did, issue 15). Equal values in distinct objects are each converted."""
    counted = Table(
        "tlog_entry",
        MetaData(),
        Column("idx", BigInteger, primary_key=True),
        Column("kind", String(40)),
        Column("ref", String(200)),
        Column("data", LargeBinary()),
        Column("at", _CountedTime()),
    )
    later = AT + timedelta(seconds=1)
    times = [AT, AT, AT, later, later, AT.replace()]
    rows = [{"idx": 7_200_000 + i, "kind": "k", "ref": f"r{i}", "data": b"d", "at": t} for i, t in enumerate(times)]
    _CountedTime.calls.clear()
    with session_scope(engine) as s:
        insert_rows(s.connection(), counted, rows)
    assert _CountedTime.calls == [AT, later, AT]
    with session_scope(engine, write=False) as s:
        stmt = select(_ENTRIES.c.at).where(_ENTRIES.c.idx >= 7_200_000).order_by(_ENTRIES.c.idx)
        assert list(s.connection().execute(stmt).scalars()) == times


def test_returning_reads_every_page_of_a_long_insert(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite binds a limited number of parameters a statement: rows with RETURNING go in pages."""
    monkeypatch.setattr(bulk, "SQLITE_MAX_PARAMETERS", 5)  # two rows of two columns a page
    rows = [{"id": 9_200_000 + i, "hash": bytes([i]) * 32} for i in range(5)]
    with session_scope(engine) as s:
        conn = s.connection()
        insert_rows(conn, _NODES, [rows[2]])
        got = insert_rows(conn, _NODES, rows, on_conflict_do_nothing=("id",), returning="id")
        stored = dict(conn.execute(select(_NODES.c.id, _NODES.c.hash).where(_NODES.c.id >= 9_200_000)).all())
    assert sorted(got) == [9_200_000, 9_200_001, 9_200_003, 9_200_004]
    assert {k: bytes(v) for k, v in stored.items()} == {r["id"]: r["hash"] for r in rows}


def test_arrays_go_to_postgresql_in_binary(engine: Engine) -> None:
    """psycopg's text form of an array escapes each element with a regular expression in Python: for the
    tokens of 500 labels, 52 ms of a group's client CPU against 0.3 ms in binary (issue 15)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite takes rows, not arrays")
    from psycopg import pq
    from psycopg.adapt import PyFormat, Transformer

    sent: list[dict[str, object]] = []
    rows = [{"idx": 7_100_000 + i, "kind": "k", "ref": "r", "data": b"d", "at": AT} for i in range(3)]
    with session_scope(engine) as s:
        conn = s.connection()
        event.listen(conn, "before_cursor_execute", lambda *a: sent.append(a[3]))
        insert_rows(conn, _ENTRIES, rows)
        transformer = Transformer(conn.connection.driver_connection)
        formats = {name: transformer.get_dumper(v, PyFormat.AUTO).format for name, v in sent[0].items()}
    assert all(isinstance(v, PgArray) for v in sent[0].values())
    assert formats == dict.fromkeys(sent[0], pq.Format.BINARY)


def test_returning_leaves_out_rows_a_conflict_skipped(engine: Engine) -> None:
    with session_scope(engine) as s:
        conn = s.connection()
        first = insert_rows(conn, _NODES, [{"id": 9_000_001, "hash": b"a" * 32}], returning="id")
        both = [{"id": 9_000_001, "hash": b"b" * 32}, {"id": 9_000_002, "hash": b"c" * 32}]
        again = insert_rows(conn, _NODES, both, on_conflict_do_nothing=("id",), returning="id")
        stored: dict[int, bytes] = dict(
            conn.execute(select(_NODES.c.id, _NODES.c.hash).where(_NODES.c.id > 9_000_000)).all()
        )
    assert first == [9_000_001] and again == [9_000_002]
    assert {k: bytes(v) for k, v in stored.items()} == {9_000_001: b"a" * 32, 9_000_002: b"c" * 32}


@pytest.mark.parametrize("n", [1, 2])
def test_a_value_too_long_for_its_column_is_refused_not_cut(engine: Engine, n: int) -> None:
    """Values are cast to VARCHAR (arrays to VARCHAR[]) without a length: a cast to VARCHAR(40) would cut the
    value silently."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    rows = [{"idx": 8_000_000 + i, "kind": "k" * 41, "ref": "r", "data": b"", "at": AT} for i in range(n)]
    with pytest.raises(InputError, match="too long"), session_scope(engine) as s:
        insert_rows(s.connection(), _ENTRIES, rows)


def test_inserts_then_a_statement_in_one_round_trip_on_postgresql(engine: Engine) -> None:
    statements: list[str] = []
    nodes = [{"id": 9_100_000 + i, "hash": bytes([i]) * 32} for i in range(4)]
    entry = {"idx": 9_100_000, "kind": "label.issue", "ref": "L", "data": b"x", "at": AT}
    with session_scope(engine) as s:
        conn = s.connection()
        event.listen(conn, "before_cursor_execute", lambda *a: statements.append(a[2]))
        sql = "UPDATE tlog_node SET hash = :h WHERE id = :id"
        inserts = [(_ENTRIES, [entry]), (_NODES, nodes), (_NODES, []), (_NODES, [{"id": 9_100_009, "hash": b"y" * 32}])]
        inserts_then(conn, inserts, sql, {"h": b"z" * 32, "id": 9_100_001})
        sent = len(statements)
        stored = {r.id: bytes(r.hash) for r in conn.execute(select(_NODES).where(_NODES.c.id >= 9_100_000))}
        assert conn.execute(select(_ENTRIES.c.ref).where(_ENTRIES.c.idx == 9_100_000)).scalar_one() == "L"
    # the update sees the table as it was before the statement: on PostgreSQL the WITH queries' rows are not there yet
    want = {n["id"]: n["hash"] for n in nodes} | {9_100_009: b"y" * 32}
    if engine.dialect.name != "postgresql":
        want[9_100_001] = b"z" * 32
    assert stored == want
    assert sent == (1 if engine.dialect.name == "postgresql" else 4)
