"""The transparency log's rows: entries, tree nodes and the head (size and compact range).

Hashing is the caller's (:mod:`issuance.tlog` through the service); this module only reads and writes,
inside the caller's transaction. The head row is locked (FOR UPDATE on PostgreSQL; SQLite's BEGIN
IMMEDIATE already serialises writers) from the read of the size to the commit, so concurrent appends
take their indexes one after the other, and an entry commits with the change it records, or neither does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from registry.errors import InternalError
from registry.storage.bulk import Rows, inserts_then
from registry.storage.models import TlogEntry, TlogHead, TlogNode

HASH_SIZE = 32
_HEAD = TlogHead.__table__  # type: ignore[attr-defined]
_NODES = TlogNode.__table__  # type: ignore[attr-defined]
_ENTRIES = TlogEntry.__table__  # type: ignore[attr-defined]
_READ_HEAD = sa_select(_HEAD.c.size, _HEAD.c.peaks).where(_HEAD.c.id == 1)
_LOCK_HEAD = _READ_HEAD.with_for_update()
_SET_HEAD_SQL = "UPDATE tlog_head SET size = :size, peaks = :peaks WHERE id = 1"
LEVEL_SHIFT = 50
_NODES_IN = sa_select(_NODES.c.id, _NODES.c.hash).where(_NODES.c.id.in_(bindparam("ids", expanding=True)))
_NODE_RUN = (
    sa_select(_NODES.c.hash)
    .where(_NODES.c.id >= bindparam("b_start"), _NODES.c.id < bindparam("b_end"))
    .order_by(_NODES.c.id)
)
_INSERTS: dict[str, Any] = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def _split_peaks(peaks: bytes) -> tuple[bytes, ...]:
    return tuple(peaks[i : i + HASH_SIZE] for i in range(0, len(peaks), HASH_SIZE))


def head(session: Session, *, lock: bool = False) -> tuple[int, tuple[bytes, ...]]:
    """The log's size and compact range; ``lock``: held until the transaction ends (made when missing)."""
    conn = session.connection()
    row = conn.execute(_LOCK_HEAD if lock else _READ_HEAD).first()
    if row is None and lock:
        stmt = _INSERTS[conn.dialect.name](_HEAD).on_conflict_do_nothing(index_elements=["id"])
        conn.execute(stmt, {"id": 1, "size": 0, "peaks": b""})
        row = conn.execute(_LOCK_HEAD).first()
    if row is None:
        return 0, ()
    return int(row.size), _split_peaks(bytes(row.peaks))


def write_append(
    session: Session,
    first: int,
    entries: Sequence[Mapping[str, Any]],
    nodes: Iterable[tuple[int, int, bytes]],
    *,
    size: int,
    peaks: Sequence[bytes],
    also: Sequence[Rows] = (),
) -> None:
    """Store entries ``first, first + 1, ...`` (kind, ref, data, at), the nodes they complete and the new head,
    and the rows ``also`` gives (table, rows) for other tables, which must not be the log's.

    The caller holds the head's lock (:func:`head` with ``lock=True``) and read ``first`` under it."""
    conn = session.connection()
    entry_rows = [{"idx": first + i, **e} for i, e in enumerate(entries)]
    node_rows = [{"id": node_id(lv, ix), "hash": h} for lv, ix, h in nodes]
    # one statement, one round trip on PostgreSQL (the inserts as WITH queries of the head's update)
    inserts_then(
        conn,
        [(_ENTRIES, entry_rows), (_NODES, node_rows), *also],
        _SET_HEAD_SQL,
        {"size": size, "peaks": b"".join(peaks)},
    )


def node_id(level: int, index: int) -> int:
    """A node's key: its level in the top bits, its index in the low 50 (a log of up to 2**50 entries)."""
    if not 0 <= index < 1 << LEVEL_SHIFT:
        raise InternalError(f"node index {index} is beyond the log's 2**{LEVEL_SHIFT} entries")
    return level << LEVEL_SHIFT | index


def nodes(session: Session, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the nodes ``(level, index)`` asked for (absent ones left out), in one query."""
    ids = sorted({node_id(level, index) for level, index in wanted})
    if not ids:
        return {}
    rows = session.connection().execute(_NODES_IN, {"ids": ids})
    mask = (1 << LEVEL_SHIFT) - 1
    return {(int(r.id) >> LEVEL_SHIFT, int(r.id) & mask): bytes(r.hash) for r in rows}


def node_run(session: Session, level: int, start: int, end: int) -> list[bytes]:
    """The hashes of level ``level``, indexes ``start`` to ``end - 1``, in order (a tile)."""
    params = {"b_start": node_id(level, start), "b_end": node_id(level, start) + (end - start)}
    return [bytes(h) for h in session.connection().execute(_NODE_RUN, params).scalars()]


def entry_data(session: Session, start: int, end: int) -> list[bytes]:
    """The entries ``start`` to ``end - 1``, in order (an entry bundle)."""
    stmt = sa_select(_ENTRIES.c.data).where(_ENTRIES.c.idx >= start, _ENTRIES.c.idx < end).order_by(_ENTRIES.c.idx)
    return [bytes(d) for d in session.connection().execute(stmt).scalars()]


def entries_about(session: Session, ref: str, kind: str | None = None) -> list[TlogEntry]:
    """The entries about ``ref`` (a label id, a pack@version ...), oldest first; of ``kind`` if given."""
    stmt = sa_select(_ENTRIES).where(_ENTRIES.c.ref == ref).order_by(_ENTRIES.c.idx)
    if kind is not None:
        stmt = stmt.where(_ENTRIES.c.kind == kind)
    return [TlogEntry(**r._mapping) for r in session.connection().execute(stmt)]
