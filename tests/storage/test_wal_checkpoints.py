"""A server's SQLite engine leaves WAL checkpoints to a thread of its own (issue 15): its commits no longer copy
the WAL into the database file while they hold the writer gate, except past a backstop."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from registry.api.app import build_context, create_app
from registry.service.bootstrap import init_data_dir
from registry.storage.db import WAL_BACKSTOP_PAGES, WalCheckpointer, make_engine
from registry.storage.settings import StorageSettings


def _autocheckpoint(engine: object) -> int:
    with engine.connect() as c:  # type: ignore[attr-defined]
        return int(c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())


def test_only_a_servers_engine_leaves_checkpoints_to_the_background(tmp_path: Path) -> None:
    plain = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    server = make_engine(f"sqlite:///{tmp_path / 'b.db'}", background_checkpoints=True)
    try:
        assert _autocheckpoint(plain) == 1000  # SQLite's own default, for the CLI and everything else
        assert _autocheckpoint(server) == WAL_BACKSTOP_PAGES
    finally:
        plain.dispose()
        server.dispose()


def test_the_checkpointer_moves_the_wal_into_the_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}", background_checkpoints=True)
    try:
        with engine.begin() as c:
            c.exec_driver_sql("CREATE TABLE t (x BLOB)")
            for _ in range(50):
                c.exec_driver_sql("INSERT INTO t VALUES (randomblob(4000))")
        with engine.connect() as c:  # what a checkpoint now would do: nothing was checkpointed yet
            assert c.exec_driver_sql("PRAGMA wal_checkpoint(NOOP)").one()[1] > 50
        checkpoints = WalCheckpointer(engine)
        checkpoints.checkpoint()
        assert checkpoints.runs == 1
        with engine.connect() as c:
            busy, in_wal, done = c.exec_driver_sql("PRAGMA wal_checkpoint(NOOP)").one()
        assert busy == 0 and in_wal == done  # every frame is in the database file
    finally:
        engine.dispose()


def test_a_server_runs_the_checkpointer_while_it_serves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    init_data_dir(StorageSettings(data_dir=data, database_url=None), now=datetime.now(UTC))
    ctx = build_context(data)
    app = create_app(ctx)
    started = []
    real_start = WalCheckpointer.start

    def start(self: WalCheckpointer) -> None:
        self.interval = 0.05
        started.append(self)
        real_start(self)

    monkeypatch.setattr(WalCheckpointer, "start", start)
    try:
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not (started and started[0].runs):
                time.sleep(0.05)
            assert started and started[0].runs >= 1
        assert started[0]._thread is None  # stopped with the app
    finally:
        ctx.engine.dispose()


def test_a_checkpointer_stopped_and_started_again_runs_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}", background_checkpoints=True)
    checkpoints = WalCheckpointer(engine, interval=0.01)
    try:
        checkpoints.start()
        checkpoints.stop()
        before = checkpoints.runs
        checkpoints.start()
        deadline = time.monotonic() + 10
        while checkpoints.runs == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpoints.runs > before
    finally:
        checkpoints.stop()
        engine.dispose()
