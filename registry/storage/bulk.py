"""Many rows into one table with one short statement: what issuing writes for every group of labels.

On PostgreSQL, ``INSERT ... SELECT FROM unnest(one array per column)``: a statement of a few hundred
characters whatever the number of rows, so psycopg converts it once and keeps it (the multi-VALUES
statement SQLAlchemy's insertmanyvalues makes for 500 labels has 14,500 placeholders, and psycopg parsed
it again for every group: a fifth of the client's CPU), and the server plans one statement. Each value
goes through its column type's bind processing, as SQLAlchemy's own insert would do it. A single row
goes in as ``VALUES (CAST(:c0 AS type), ...)`` instead: one label per transaction spent more of the
client's CPU building and dumping one-element arrays than on the row.

On SQLite, ``INSERT ... VALUES (?, ...)`` run by the driver for all the rows (sqlite3's executemany), or
with ``RETURNING`` one statement of many ``VALUES`` rows (sqlite3 returns no rows from executemany), the
values through their column types' bind processing here too: SQLAlchemy's Core insert spent more of the
issuer's CPU preparing each row's parameters than SQLite spent storing them (issue 15).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, String, Table, text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import TextClause

Rows = tuple[Table, Sequence[Mapping[str, Any]]]  # rows of one table, each naming the same columns


class PgArray(list[Any]):
    """One column's values for ``unnest``. PostgreSQL connections made by
    :func:`~registry.storage.db.make_engine` send it in psycopg's binary array format
    (:func:`register_pg_dumpers`): its text format escapes every element with a regular expression in
    Python, 52 ms for the tokens of 500 labels against 0.3 ms in binary, a quarter of a batch's client CPU
    (issue 15). A connection without the registration sends it as text, as any list."""

    __slots__ = ()


def register_pg_dumpers(dbapi_connection: Any) -> None:
    """Register :class:`PgArray`'s binary dumper on one psycopg connection (an engine's ``connect`` event).
    An empty array, or one of NULLs only, still goes as text: psycopg cannot tell its element type."""
    from psycopg.types.array import ListBinaryDumper

    dbapi_connection.adapters.register_dumper(PgArray, ListBinaryDumper)


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    on_conflict_do_nothing: tuple[str, ...] = (),
    returning: str | None = None,
) -> list[Any]:
    """Insert ``rows`` (each naming the same columns) into ``table`` with one statement; ``returning``: the
    values of that column of the rows inserted (those an ``on_conflict_do_nothing`` clash left out are not)."""
    if not rows:
        return []
    names = tuple(rows[0])
    if conn.dialect.name != "postgresql":
        return _insert_sqlite(conn, table, names, rows, on_conflict_do_nothing, returning)
    one_row = len(rows) == 1  # no arrays to build and unpack
    sql, processors = _pg_insert(conn.dialect, table, names, on_conflict_do_nothing, returning, one_row=one_row)
    result = conn.execute(_text(sql), _params(names, processors, rows))
    return list(result.scalars()) if returning else []


def inserts_then(conn: Connection, inserts: Sequence[Rows], sql: str, params: Mapping[str, Any]) -> None:
    """PostgreSQL: the ``inserts`` (as :func:`insert_rows`) as data-modifying WITH queries of ``sql``, all one
    statement, one round trip; ``sql`` does not see their rows there (one snapshot), so it must not read
    those tables. Elsewhere: each insert, then ``sql``. Its parameters' names must not be ``t<n>_c<n>``."""
    if conn.dialect.name != "postgresql":
        for table, rows in inserts:
            insert_rows(conn, table, rows)
        conn.execute(_text(sql), dict(params))
        return
    parts: list[str] = []
    values: dict[str, Any] = dict(params)
    for k, (table, rows) in enumerate(inserts):
        if rows:
            names, prefix, one_row = tuple(rows[0]), f"t{k}_", len(rows) == 1
            part, processors = _pg_insert(conn.dialect, table, names, (), None, prefix, one_row=one_row)
            parts.append(f"i{k} AS ({part})")
            values |= _params(names, processors, rows, prefix)
    conn.execute(_text(f"WITH {', '.join(parts)} {sql}" if parts else sql), values)


def _arrays(
    names: tuple[str, ...],
    processors: tuple[Callable[[Any], Any] | None, ...],
    rows: Sequence[Mapping[str, Any]],
    prefix: str = "",
) -> dict[str, PgArray]:
    """One array per column, each value through its column's bind processing."""
    return {f"{prefix}c{i}": PgArray(values) for i, values in enumerate(_columns(names, processors, rows))}


def _columns(
    names: tuple[str, ...], processors: tuple[Callable[[Any], Any] | None, ...], rows: Sequence[Mapping[str, Any]]
) -> list[list[Any]]:
    """Each column's values, in ``names``' order, through its bind processing (:func:`_processed`)."""
    return [_processed([row[name] for row in rows], processors[i]) for i, name in enumerate(names)]


def _processed(values: list[Any], process: Callable[[Any], Any] | None) -> list[Any]:
    """``values`` (of one column) through its bind processing, None as it is. A value that is the same object as
    the one before it (the issue time of a group of labels, say) is processed once."""
    if process is None:
        return values
    out: list[Any] = []
    last: Any = out  # no value is this list
    done: Any = None
    for v in values:
        if v is not last:
            last, done = v, None if v is None else process(v)
        out.append(done)
    return out


def _params(
    names: tuple[str, ...],
    processors: tuple[Callable[[Any], Any] | None, ...],
    rows: Sequence[Mapping[str, Any]],
    prefix: str = "",
) -> dict[str, Any]:
    """The parameters of :func:`_pg_insert`'s statement: one value per column for one row, else one list."""
    return _scalars(names, processors, rows[0], prefix) if len(rows) == 1 else _arrays(names, processors, rows, prefix)


def _scalars(
    names: tuple[str, ...],
    processors: tuple[Callable[[Any], Any] | None, ...],
    row: Mapping[str, Any],
    prefix: str = "",
) -> dict[str, Any]:
    """One row's values, each through its column's bind processing."""
    params: dict[str, Any] = {}
    for i, name in enumerate(names):
        value, process = row[name], processors[i]
        params[f"{prefix}c{i}"] = value if process is None or value is None else process(value)
    return params


@functools.lru_cache(maxsize=64)
def _text(sql: str) -> TextClause:
    return text(sql)


def _insert_sqlite(
    conn: Connection,
    table: Table,
    names: tuple[str, ...],
    rows: Sequence[Mapping[str, Any]],
    conflict: tuple[str, ...],
    returning: str | None,
) -> list[Any]:
    head, one, tail, processors = _sqlite_insert(conn.dialect, table, names, conflict, returning)
    values = _rows(names, processors, rows)
    if returning is None:
        conn.exec_driver_sql(head + one + tail, values)  # the driver's executemany
        return []
    found: list[Any] = []
    per = max(1, SQLITE_MAX_PARAMETERS // len(names))
    for start in range(0, len(values), per):
        page = values[start : start + per]
        sql = head + ", ".join([one] * len(page)) + tail
        found.extend(conn.exec_driver_sql(sql, tuple(v for row in page for v in row)).scalars())
    return found


# The parameters one statement of many VALUES rows binds at most: SQLite's own limit since 3.32 is 32,766
SQLITE_MAX_PARAMETERS = 32_766


def _rows(
    names: tuple[str, ...], processors: tuple[Callable[[Any], Any] | None, ...], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """Each row's values in ``names``' order, each through its column's bind processing (:func:`_columns`)."""
    return list(zip(*_columns(names, processors, rows), strict=True))


@functools.cache
def _sqlite_insert(
    dialect: Dialect, table: Table, names: tuple[str, ...], conflict: tuple[str, ...], returning: str | None
) -> tuple[str, str, str, tuple[Callable[[Any], Any] | None, ...]]:
    """The statement's head (up to ``VALUES``), one row's placeholders, its tail (the conflict clause and
    ``RETURNING``), and each column's bind processor; built once per table, column list and form."""
    prepare = dialect.identifier_preparer
    columns = [table.c[name] for name in names]
    head = f"INSERT INTO {prepare.format_table(table)} ({', '.join(prepare.quote(n) for n in names)}) VALUES "
    tail = f" ON CONFLICT ({', '.join(prepare.quote(c) for c in conflict)}) DO NOTHING" if conflict else ""
    if returning:
        tail += f" RETURNING {prepare.quote(returning)}"
    processors = tuple(c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns)
    return head, "(" + ", ".join("?" * len(names)) + ")", tail, processors


@functools.cache
def _pg_insert(
    dialect: Dialect,
    table: Table,
    names: tuple[str, ...],
    conflict: tuple[str, ...],
    returning: str | None,
    prefix: str = "",
    *,
    one_row: bool = False,
) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    """The statement (built once per table, column list and form) and each column's bind processor: the rows as
    one array per column, ``SELECT * FROM unnest(CAST(:c0 AS type[]), ...)``, or ``one_row`` as ``VALUES
    (CAST(:c0 AS type), ...)``, where psycopg dumps each value once (arrays of one element cost it more than
    the row itself, issue 15)."""
    columns = [table.c[name] for name in names]
    array = "" if one_row else "[]"
    casts = ", ".join(f"CAST(:{prefix}c{i} AS {_scalar_type(c.type, dialect)}{array})" for i, c in enumerate(columns))
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    source = f"VALUES ({casts})" if one_row else f"SELECT * FROM unnest({casts})"
    sql = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) {source}"
    if conflict:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {dialect.identifier_preparer.quote(returning)}"
    processors = tuple(c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns)
    return sql, processors


def _scalar_type(type_: Any, dialect: Dialect) -> str:
    """The column's type, for the cast of its parameter (or of the array of its values). Strings as VARCHAR
    without a length: an explicit cast to VARCHAR(n) would cut a longer value silently, where the INSERT
    refuses it (and the collation is the column's own)."""
    if isinstance(type_.dialect_impl(dialect), String):
        return "VARCHAR"
    return str(type_.compile(dialect=dialect))


__all__ = ["PgArray", "Rows", "insert_rows", "inserts_then", "register_pg_dumpers"]
