"""SQLite writers queue at the writer gate before they take a pooled connection (issue 15).

Before the gate, a write transaction took a connection and then waited in SQLite's busy handler: with
16 concurrent label issues a server's pool was emptied by waiting writers, and a request that only
needed a read (the credential revocation check) waited for a connection behind them.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from registry.storage import db, repo
from registry.storage.db import WriterGate, make_engine, migrate, session_scope, writer_gate
from registry.storage.errors import StorageUnavailable
from registry.storage.models import OrganisationCreate, OrgKind

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
_names = itertools.count()


@pytest.fixture
def small_pool(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file behind a pool of two connections, and a short wait for one."""
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}", pool_size=2, max_overflow=0, pool_timeout=3)
    migrate(engine)
    yield engine
    engine.dispose()


def _add_org(engine: Engine, *, hold: threading.Event | None = None, entered: threading.Event | None = None) -> None:
    with session_scope(engine) as s:
        if entered is not None:
            entered.set()
        org = OrganisationCreate(id=f"org-{next(_names)}", name="x", kind=OrgKind.CERTIFIER)
        repo.create_organisation(s, org, now=NOW)
        if hold is not None:
            assert hold.wait(30)


def test_a_waiting_writer_holds_no_connection(small_pool: Engine) -> None:
    """One writer inside, another waiting: a read still gets the pool's second connection at once
    (before the gate the waiting writer held it, and the read timed out after the pool's 3 s)."""
    release, entered = threading.Event(), threading.Event()
    first = threading.Thread(target=_add_org, args=(small_pool,), kwargs={"hold": release, "entered": entered})
    first.start()
    assert entered.wait(30)
    second = threading.Thread(target=_add_org, args=(small_pool,))
    second.start()
    time.sleep(0.5)  # lets the second writer reach its wait
    try:
        with session_scope(small_pool, write=False) as s:
            during = len(repo.list_organisations(s))
    finally:
        release.set()
        first.join()
        second.join()
    with session_scope(small_pool, write=False) as s:
        after = len(repo.list_organisations(s))
    assert (during, after) == (0, 2)


def test_concurrent_writers_all_commit(small_pool: Engine) -> None:
    def ten() -> None:
        for _ in range(10):
            _add_org(small_pool)

    threads = [threading.Thread(target=ten) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_scope(small_pool, write=False) as s:
        assert len(repo.list_organisations(s)) == 60


def test_the_file_lock_excludes_another_process(tmp_path: Path) -> None:
    """Two gates on one lock file stand for two processes (an flock belongs to its open file)."""
    here, there = WriterGate(tmp_path / "x.db-writer"), WriterGate(tmp_path / "x.db-writer")
    assert here.acquire(time.monotonic() + 1)
    assert not there.acquire(time.monotonic() + 0.2)
    here.release()
    assert there.acquire(time.monotonic() + 1)
    there.release()


def test_the_gate_is_held_again_by_its_holder(tmp_path: Path) -> None:
    gate = WriterGate(tmp_path / "x.db-writer")
    assert gate.acquire(time.monotonic() + 1) and gate.acquire(time.monotonic() + 1)
    gate.release()
    other = WriterGate(tmp_path / "x.db-writer")
    assert not other.acquire(time.monotonic() + 0.1)  # still held once
    gate.release()
    assert other.acquire(time.monotonic() + 1)
    other.release()


def test_a_gate_held_too_long_is_a_clear_error(small_pool: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "SQLITE_LOCK_WAIT_S", 0.3)
    gate = writer_gate(small_pool)
    assert gate is not None
    elsewhere = WriterGate(gate.lock_path)  # another process holding the database's gate
    assert elsewhere.acquire(time.monotonic() + 1)
    try:
        with pytest.raises(StorageUnavailable, match=r"locked by another writer for 0\.3 s"):
            _add_org(small_pool)
    finally:
        elsewhere.release()
    _add_org(small_pool)  # nothing was left held


def test_only_sqlite_files_have_a_gate(tmp_path: Path) -> None:
    memory = make_engine("sqlite://")
    assert writer_gate(memory) is None
    one = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    two = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert writer_gate(one) is writer_gate(two) is not None
    for e in (memory, one, two):
        e.dispose()


def test_a_relative_database_name_finds_its_gate_afresh_after_a_chdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gates are remembered by an absolute name only: a relative one is another file in another folder."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    monkeypatch.chdir(tmp_path / "one")
    relative = make_engine("sqlite:///r.db")
    first = writer_gate(relative)
    monkeypatch.chdir(tmp_path / "two")
    second = writer_gate(relative)
    assert first is not None and second is not None and first is not second
    assert second.lock_path == (tmp_path / "two" / "r.db-writer").resolve()
    absolute = make_engine(f"sqlite:///{tmp_path / 'one' / 'r.db'}")
    assert writer_gate(absolute) is first
    for e in (relative, absolute):
        e.dispose()


def test_a_bare_write_connection_waits_out_another_programs_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """connection_scope (the validation writer's transaction) tries BEGIN IMMEDIATE again past the busy
    timeout, as session_scope does, while a writer outside the gate holds the lock."""
    import sqlite3

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    migrate(engine)
    other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    with db.connection_scope(engine) as connection:
        assert time.monotonic() - started >= 0.4  # it waited for the other writer, past several busy timeouts
        repo.insert_validation_rows(connection, [], now=NOW)
    releaser.join()
    other.close()
    engine.dispose()


def test_run_write_holds_the_gate_on_the_loops_thread_and_times_out_clearly(
    small_pool: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group writers' run_write (issue 15): the function runs on the calling (event loop's) thread with
    the gate held; while another process holds it past the wait, a clear error and the function never runs."""
    import asyncio

    gate = writer_gate(small_pool)
    assert gate is not None
    seen: list[tuple[int, int]] = []

    def write(n: int) -> int:
        seen.append((threading.get_ident(), gate._depth))
        _add_org(small_pool)  # a transaction inside: the gate is re-entered, not waited for
        return n + 1

    assert asyncio.run(db.run_write(small_pool, write, 41)) == 42
    assert seen == [(threading.get_ident(), 1)] and gate._depth == 0

    monkeypatch.setattr(db, "SQLITE_LOCK_WAIT_S", 0.3)
    elsewhere = WriterGate(gate.lock_path)  # another process holding the database's gate
    assert elsewhere.acquire(time.monotonic() + 1)
    try:
        with pytest.raises(StorageUnavailable, match=r"locked by another writer for 0\.3 s"):
            asyncio.run(db.run_write(small_pool, write, 0))
    finally:
        elsewhere.release()
    assert len(seen) == 1 and gate._depth == 0
    assert asyncio.run(db.run_write(small_pool, write, 1)) == 2  # nothing was left held
