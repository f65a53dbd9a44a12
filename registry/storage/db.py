"""Engines, migrations and the unit of work.

* :func:`make_engine` - SQLite (WAL, foreign keys, busy timeout, real transactions) or
  PostgreSQL (psycopg 3, pre-ping). Built on demand and passed around, never global.
* :func:`migrate` / :func:`downgrade` / :func:`current_revision` / :func:`head_revision` - Alembic, configured in
  code (no ``alembic.ini``) from the migration folder shipped with the package.
* :func:`session_scope` - one transaction: commit on success, roll back on any exception. On a SQLite
  file, write transactions queue at a :class:`WriterGate` first (ADR 0028).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from registry.errors import InputError
from registry.secretfiles import PRIVATE_MODE, loose_mode
from registry.storage.errors import Conflict, StorageUnavailable
from registry.storage.settings import normalise_url

if TYPE_CHECKING:  # Alembic loads when a command migrates, not for every command that opens the database
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT_MS = 5_000
# How long a SQLite write transaction waits, in all, for another writer's lock: BEGIN IMMEDIATE is
# tried again (each try waiting up to the busy timeout) until then, and then a clear error. Long
# enough for several concurrent batch issuers, each holding the lock a transaction at a time.
SQLITE_LOCK_WAIT_S = 120.0
# A server's SQLite connections checkpoint the WAL themselves only past this many pages (about 40 MB):
# its WalCheckpointer does it in the background (SQLite's own default, 1,000 pages, elsewhere)
WAL_BACKSTOP_PAGES = 10_000
# PostgreSQL's server_version_num from which plan_cache_mode exists (12.0)
PG_PLAN_CACHE_MODE_SINCE = 120_000
T = TypeVar("T")
_WRITE_OPTION = "pcfreg_write"  # execution option: this transaction will write
_PKG = Path(__file__).resolve().parents[1]  # the ``registry`` package


def alembic_dir() -> Path:
    """The Alembic folder: ``registry/_data/alembic`` in a wheel, ``<repo>/alembic`` in a checkout."""
    installed = _PKG / "_data" / "alembic"
    if installed.is_dir():
        return installed
    checkout = _PKG.parent / "alembic"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"pcf-registry data folder 'alembic' not found (looked in {installed})")


def make_engine(url: str, *, background_checkpoints: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` (normalised as :func:`~registry.storage.settings.normalise_url` does).

    ``background_checkpoints`` (a server's engine): on a SQLite file, commits leave the WAL to a
    :class:`WalCheckpointer` the caller runs, and checkpoint themselves only past a backstop of
    :data:`WAL_BACKSTOP_PAGES`."""
    sa_url = make_url(normalise_url(url))
    # orjson for JSON columns: several times faster than the stdlib for declarations and results.
    kwargs.setdefault("json_serializer", _json_dumps)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if sa_url.get_backend_name() == "sqlite":
        url_text = sa_url.render_as_string(hide_password=False)
        return _sqlite_engine(url_text, sa_url.database, background_checkpoints=background_checkpoints, **kwargs)
    engine = create_engine(sa_url, pool_pre_ping=True, **kwargs)
    if sa_url.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _pg_on_connect)
    return engine


def _pg_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Each new PostgreSQL connection: our arrays go in binary (:func:`~registry.storage.bulk.register_pg_dumpers`),
    and every execution of a statement psycopg has prepared is planned for its parameters and the tables as
    they are now (``plan_cache_mode``, PostgreSQL 12 and later). A prepared statement otherwise gets one
    generic plan after five executions when that looks no dearer, and keeps it for the connection's life: one
    made while the label table was empty probed status indexes through the certifier's request-key index,
    reading every label of the certifier for each candidate (issue 15). Planning each execution costs the
    server 0.05-0.2 ms a statement (ADR 0041: one label a transaction 163 against 179 labels/s)."""
    from registry.storage.bulk import register_pg_dumpers

    register_pg_dumpers(dbapi_connection)
    if dbapi_connection.info.server_version >= PG_PLAN_CACHE_MODE_SINCE:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()  # a SET in a transaction rolled back later would be undone


def _json_dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # e.g. an integer beyond 64 bits, which JSON allows and orjson does not
        return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _sqlite_engine(url: str, database: str | None, *, background_checkpoints: bool = False, **kwargs: Any) -> Engine:
    in_memory = not database or database == ":memory:" or database.startswith("file::memory:")
    if not in_memory:
        _private_database_file(Path(database or ""))
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    if in_memory:
        kwargs.setdefault("poolclass", StaticPool)  # one shared connection, or each sees an empty DB
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect_backstop if background_checkpoints else _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _private_database_file(path: Path) -> None:
    """Create the SQLite file owner-only (its -wal and -shm files take its mode); warn when it is not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    except FileExistsError:
        mode = loose_mode(path)
        if mode is not None:
            logging.getLogger("pcfreg.storage").warning(
                "the database %s is readable by others (mode %o); chmod 600 it (and its -wal and -shm files)",
                path,
                mode,
            )
    except OSError:
        pass  # a path SQLite itself will explain (read-only folder, ...) when it opens it


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions out of pysqlite's hands (it would defer BEGIN past DDL and break
    # SAVEPOINT); SQLAlchemy emits BEGIN itself in _sqlite_on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # FULL: a commit reaches the disk before it returns (one fsync of the WAL a transaction). With NORMAL
        # a power cut could take back the last transactions: labels already answered and printed, and log
        # entries that a signed tree head served already counts (ADR 0041; PostgreSQL: synchronous_commit on)
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _sqlite_on_connect_backstop(dbapi_connection: Any, record: Any) -> None:
    _sqlite_on_connect(dbapi_connection, record)
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")


class WalCheckpointer:
    """Checkpoints a SQLite database's WAL from a thread of its own, outside every write transaction.

    By default the commit that takes the WAL past 1,000 pages copies them into the database file
    itself, while it still holds the writer gate both server processes share: at 1,000 labels a
    second that was a few milliseconds every few dozen transactions, a quarter of the time a group of
    labels spent in its transaction (550 against 770 us a label in process, issue 15). A server's
    engine (``make_engine(..., background_checkpoints=True)``) leaves that to this thread, which runs
    ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval`` seconds: it blocks no reader and no writer,
    and copies what no reader still needs. Should the thread fall behind, commits checkpoint past
    :data:`WAL_BACKSTOP_PAGES` as before. Both server processes may run one; a second checkpoint at
    the same moment finds nothing to do or the database busy, and tries again next time.
    """

    def __init__(self, engine: Engine, interval: float = 0.25) -> None:
        self.engine = engine
        self.interval = interval
        self.runs = 0  # checkpoints run (tests)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()  # started again after a stop: runs again
            self._thread = threading.Thread(target=self._run, name="pcfreg-wal-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def checkpoint(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").all()
            self.runs += 1
        except Exception:  # a database busy or gone: the next round, or the commits' backstop, does it
            logging.getLogger("pcfreg.storage").debug("WAL checkpoint skipped", exc_info=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint()


def _sqlite_on_begin(conn: Connection) -> None:
    # BEGIN IMMEDIATE takes the write lock up front: concurrent writers then queue on the
    # busy timeout, instead of failing when a read transaction tries to become a write one.
    immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# --- migrations -------------------------------------------------------------------------


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code: the shipped script folder and, for running, a live connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(alembic_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision shipped; a database at any other revision needs :func:`migrate`."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise FileNotFoundError(f"no Alembic revisions in {alembic_dir()}")
    return head


_REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:"([^"]*)"|'([^']*)'|(None))\s*$""", re.M)


def shipped_head() -> str | None:
    """The newest shipped revision read from the migration files' ``revision`` and ``down_revision``
    lines, without importing Alembic; None when a file does not have exactly one plain line of each
    or the revisions do not form one line of descent (then Alembic decides)."""
    revisions: dict[str, str | None] = {}
    for path in sorted((alembic_dir() / "versions").glob("*.py")):
        found: dict[str, list[str | None]] = {"revision": [], "down_revision": []}
        for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")):
            found[m.group(1)].append(m.group(2) if m.group(2) is not None else m.group(3))
        if len(found["revision"]) != 1 or len(found["down_revision"]) != 1 or found["revision"][0] is None:
            return None
        revisions[found["revision"][0]] = found["down_revision"][0]
    heads = set(revisions) - set(revisions.values())
    return next(iter(heads)) if len(heads) == 1 else None


def _at(engine: Engine, revision: str) -> bool:
    """Whether the database is at ``revision`` already (read without Alembic; any doubt is False)."""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    except Exception:  # no table yet, or anything else: let Alembic look
        return False
    return [tuple(r) for r in rows] == [(revision,)]


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision``, in one transaction. A database already at the shipped head
    is left as it is without importing Alembic (every command that opens a data directory migrates)."""
    if revision == "head" and (head := shipped_head()) is not None and _at(engine, head):
        return
    import alembic.command

    with _wrap_unavailable(), _gated(engine, True):
        conn = _patiently(engine, lambda: _begun(_writer(engine)))
        try:
            alembic.command.upgrade(alembic_config(conn), revision)
            conn.commit()
        finally:
            conn.close()  # rolls back what was not committed


def _begun(engine: Engine) -> Connection:
    """A connection with its transaction begun (on SQLite a write one: the lock is taken here)."""
    conn = engine.connect()
    try:
        conn.begin()
    except BaseException:
        conn.close()
        raise
    return conn


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the schema to ``revision`` (``"base"`` drops everything), in one transaction."""
    import alembic.command

    with _wrap_unavailable(), _writer(engine).begin() as conn:
        alembic.command.downgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, ``None`` for an empty (never migrated) database."""
    from alembic.runtime.migration import MigrationContext

    with _wrap_unavailable(), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# --- unit of work -----------------------------------------------------------------------


def _writer(engine: Engine) -> Engine:
    return engine.execution_options(**{_WRITE_OPTION: True})


class WriterGate:
    """Where SQLite write transactions on one database file queue, before they take a connection.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps 1, 2, 5 ...
    up to 100 ms between tries, each holding a pooled connection. Under concurrent writes that left
    the lock idle while waiters slept (a single-label issue took seconds at p99), and a pool emptied
    by waiting writers starved the reads. Here a write transaction first takes this process's lock
    (the next thread starts the moment the last one ends) and then an advisory lock on a file beside
    the database, shared by every pcfreg process, and only then a connection and ``BEGIN IMMEDIATE``,
    which another program's writer can still make wait as before.

    The file lock is polled every 50-200 us for the first 50 ms of a wait, then every 2 ms: the two
    server processes hand it to each other hundreds of times a second, and a pause of up to 2 ms after
    each release left the lock idle for a third of the time (single label issues over HTTP: 495/s
    with 0.2-2 ms pauses, 617/s with 50-200 us, issue 15); a long wait (another process's batch) still
    costs a few hundred tries a second.
    """

    _POLL_S = (0.00005, 0.0002)  # first and longest pause between tries of the file lock, early in a wait
    _POLL_LATE_S = 0.002  # the pause once a wait has lasted _EARLY_S
    _EARLY_S = 0.05

    def __init__(self, lock_path: Path) -> None:
        self.lock_path = lock_path
        self._threads = threading.RLock()
        self._depth = 0  # nested holds by the thread holding it (the file lock is taken once)
        self._fd: int | None = None

    def acquire(self, deadline: float) -> bool:
        """Hold the gate (False, holding nothing, if ``deadline`` on the monotonic clock passes first)."""
        if not self._threads.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            return False
        if self._depth == 0 and not self._lock_file(deadline):
            self._threads.release()
            return False
        self._depth += 1
        return True

    def try_acquire(self) -> bool:
        """Hold the gate if it is free now (False, holding nothing, if it is not): one try, no wait."""
        if not self._threads.acquire(blocking=False):
            return False
        if self._depth == 0 and not self._lock_file(0.0):
            self._threads.release()
            return False
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None and _fcntl is not None:
            _fcntl.flock(self._fd, _fcntl.LOCK_UN)
        self._threads.release()

    def _lock_file(self, deadline: float) -> bool:
        if _fcntl is None:
            return True  # no advisory locks here: SQLite's busy handler alone orders processes
        if self._fd is None:
            try:
                self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
            except OSError:
                return True  # a folder we cannot write to: SQLite will say what is wrong
        pauses = self.pauses(deadline)
        while True:
            try:
                _fcntl.flock(self._fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                pause = next(pauses, None)
                if pause is None:
                    return False
                time.sleep(pause)

    @classmethod
    def pauses(cls, deadline: float) -> Iterator[float]:
        """The pauses between tries of a wait for the gate (see the class), until ``deadline`` (monotonic)."""
        pause, late = cls._POLL_S[0], time.monotonic() + cls._EARLY_S
        while (now := time.monotonic()) < deadline:
            yield pause
            pause = cls._POLL_LATE_S if now >= late else min(pause * 2, cls._POLL_S[1])


try:
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - not POSIX
    _fcntl = None  # type: ignore[assignment]

_GATES: dict[tuple[int, str], WriterGate] = {}
_GATES_BY_NAME: dict[tuple[int, str], WriterGate] = {}  # by the name the engine's URL gives, as found
_GATES_LOCK = threading.Lock()


def writer_gate(engine: Engine) -> WriterGate | None:
    """The gate of the SQLite file behind ``engine`` (one per file and process); None for other databases."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    named = (os.getpid(), database)  # a forked child has threads and a file description of its own
    gate = _GATES_BY_NAME.get(named)
    if gate is not None:
        return gate  # resolving the path on every write transaction cost ~50 us of lstat calls
    path = str(Path(database).resolve())
    with _GATES_LOCK:
        gate = _GATES.get((named[0], path))
        if gate is None:
            gate = _GATES[(named[0], path)] = WriterGate(Path(path + "-writer"))
        if os.path.isabs(database):  # a relative name means another file after a chdir
            _GATES_BY_NAME[named] = gate
    return gate


@contextmanager
def _gated(engine: Engine, write: bool) -> Iterator[None]:
    """Hold the engine's writer gate (when it has one and the transaction writes) for the block."""
    gate = writer_gate(engine) if write else None
    if gate is None:
        yield
        return
    if not gate.acquire(time.monotonic() + SQLITE_LOCK_WAIT_S):
        raise StorageUnavailable(_lock_message(SQLITE_LOCK_WAIT_S))
    try:
        yield
    finally:
        gate.release()


async def run_write(engine: Engine, write: Callable[..., T], *args: Any) -> T:
    """``write(*args)``, a function that runs write transactions, as the group-committing writers run it.

    On SQLite: on the event loop's own thread, once this process holds the writer gate, which is
    taken without blocking the loop (tried again every 50 us to 2 ms meanwhile). In a worker thread,
    each of a transaction's statements gave up the interpreter lock and waited for it again while the
    loop thread parsed and validated other requests (each wait up to the interpreter's 5 ms switch
    interval), so the lock both server processes share was held several times as long as the work in
    it (issue 15). Elsewhere (PostgreSQL): in the threadpool, where a statement waits for the network.
    """
    gate = writer_gate(engine)
    if gate is None:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(write, *args)
    pauses = WriterGate.pauses(time.monotonic() + SQLITE_LOCK_WAIT_S)
    while not gate.try_acquire():
        pause = next(pauses, None)
        if pause is None:
            raise StorageUnavailable(_lock_message(SQLITE_LOCK_WAIT_S))
        await asyncio.sleep(pause)
    try:
        return write(*args)
    finally:
        gate.release()


def _lock_message(wait: float) -> str:
    return (
        f"the database stayed locked by another writer for {wait:g} s (another pcfreg process "
        "or server is writing to it); nothing was changed, try again when it is done"
    )


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction. Commits when the block ends normally; rolls back on any exception.

    Repository functions never commit: whatever a request writes lands together or not at all.
    Objects stay readable after the commit (``expire_on_commit=False``). On SQLite a ``write``
    transaction takes the write lock when it begins (``BEGIN IMMEDIATE``), so concurrent
    writers wait for each other (up to the busy timeout); pass ``write=False`` for requests that
    only read, which then never wait (WAL). PostgreSQL ignores the flag.
    """
    options = {_WRITE_OPTION: write}
    with (
        _translate_errors(),
        _gated(engine, write),
        Session(engine, expire_on_commit=False, execution_options=options) as session,
    ):
        if write:
            _patiently(engine, session.connection, undo=session.rollback)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def connection_scope(engine: Engine) -> Iterator[Connection]:
    """One write transaction on a bare Core connection, for bulk inserts that read nothing back.

    What :func:`session_scope` does for a write (the writer gate, ``BEGIN IMMEDIATE`` tried patiently,
    commit at the end, rollback on any exception, errors translated), without an ORM Session: the
    group-committing validation writer pays this once per transaction, and a Session's bookkeeping
    was most of a transaction's fixed cost.
    """
    with _translate_errors(), _gated(engine, True), engine.connect() as connection:
        connection.execution_options(**{_WRITE_OPTION: True})  # BEGIN IMMEDIATE on SQLite
        _patiently(engine, connection.begin, undo=connection.rollback)
        try:
            yield connection
            connection.commit()
        except BaseException:
            connection.rollback()
            raise


def _locked(e: OperationalError) -> bool:
    text = str(e.orig or e).lower()
    return "database is locked" in text or "database is busy" in text


def _patiently(engine: Engine, begin: Callable[[], T], undo: Callable[[], object] = lambda: None) -> T:
    """``begin()`` a write transaction; on SQLite, while another writer holds the lock, try again (each
    try waits up to the busy timeout) for up to :data:`SQLITE_LOCK_WAIT_S` seconds in all, then a
    clear error. Nothing has been read or written yet, so trying again is safe."""
    if engine.dialect.name != "sqlite":
        return begin()
    wait = SQLITE_LOCK_WAIT_S
    deadline = time.monotonic() + wait
    while True:
        try:
            return begin()
        except OperationalError as e:
            undo()
            if not _locked(e):
                raise
            if time.monotonic() >= deadline:
                raise StorageUnavailable(_lock_message(wait)) from e


@contextmanager
def _wrap_unavailable() -> Iterator[None]:
    try:
        yield
    except OperationalError as e:
        raise StorageUnavailable(f"database unavailable: {e.orig or e}") from e


@contextmanager
def _translate_errors() -> Iterator[None]:
    """The safety net at the unit-of-work boundary: no raw SQLAlchemy error reaches a caller.

    Repository functions raise precise errors themselves; this catches what slips past them
    (a constraint hit when the commit flushes, a value the database refuses).
    """
    try:
        with _wrap_unavailable():
            yield
    except IntegrityError as e:
        raise Conflict(f"the change conflicts with stored data: {e.orig or e}") from e
    except DataError as e:
        raise InputError(f"a value cannot be stored: {e.orig or e}") from e
