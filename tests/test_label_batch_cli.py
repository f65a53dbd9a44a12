"""`pcfreg label issue FILE.jsonl` killed mid-batch and run again (issue 10): no label twice, every line
answered; on SQLite and PostgreSQL, in real processes."""

from __future__ import annotations

import json
import os
import secrets
import select as io_select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from registry.packs.catalog import Catalog
from registry.storage.db import make_engine, session_scope
from registry.storage.models import Label

GTIN = "09506000134352"
LINES = 800  # transactions of 50, 500, 250: the kill lands in the second
PG_ADMIN = os.environ.get("PCFREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as e:
        return f"PostgreSQL not reachable: {' '.join(str(e).split())}"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'pcfreg.db'}"
        return
    reason = _pg_reason()
    if reason:
        pytest.skip(reason)
    name = f"pcfreg_kill_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pcfreg(*args: str, env: dict[str, str], **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "registry.cli", *args], env=env, **kw)  # type: ignore[call-overload]


def test_a_batch_killed_mid_way_and_run_again_issues_each_line_once(database: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database}
    data = tmp_path / "data"
    init = _pcfreg("init", "--data-dir", str(data), env=env, stdout=subprocess.DEVNULL)
    assert init.wait(timeout=120) == 0
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    requests = tmp_path / "requests.jsonl"
    with requests.open("w") as f:
        for i in range(LINES):
            f.write(json.dumps({"declaration": example, "gtin": GTIN, "batch": f"L{i}"}) + "\n")
    args = ("label", "issue", str(requests), "--certifier", "demo-certifier", "--data-dir", str(data))

    first = _pcfreg(*args, env=env, stdout=subprocess.PIPE)
    assert first.stdout is not None
    line = first.stdout.readline()  # a transaction committed: kill the process in the middle of the next
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL and json.loads(line)["line"] == 1

    engine = make_engine(database)
    with session_scope(engine, write=False) as s:
        committed = s.execute(select(func.count()).select_from(Label)).scalar_one()
    assert 0 < committed < LINES, "the kill came after the batch finished: nothing to show"

    again = _pcfreg(*args, env=env, stdout=subprocess.PIPE)
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0
    results = [json.loads(x) for x in out.splitlines()]
    assert [r["line"] for r in results] == list(range(1, LINES + 1))  # every line answered, in order
    assert sum(1 for r in results if r.get("repeat")) == committed
    with session_scope(engine, write=False) as s:
        stored = s.execute(select(func.count()).select_from(Label)).scalar_one()
        batches = s.execute(select(func.count(func.distinct(Label.claims["batch"].as_string())))).scalar_one()
    engine.dispose()
    assert stored == batches == LINES
    assert len({r["id"] for r in results}) == LINES


def test_a_batch_file_is_answered_as_it_is_read(tmp_path: Path) -> None:
    """Results come while the file is still being written (a named pipe): the command streams, it does
    not read the whole file first."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    data = tmp_path / "data"
    assert _pcfreg("init", "--data-dir", str(data), env=env, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    fifo = tmp_path / "requests.jsonl"
    os.mkfifo(fifo)
    args = ("label", "issue", str(fifo), "--certifier", "demo-certifier", "--data-dir", str(data))
    proc = _pcfreg(*args, env=env, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    lines = [json.dumps({"declaration": example, "gtin": GTIN, "batch": f"S{i}"}).encode() + b"\n" for i in range(120)]
    with fifo.open("wb") as writer:
        writer.writelines(lines[:60])  # more than the first transaction's worth; the pipe stays open
        writer.flush()
        ready, _, _ = io_select.select([proc.stdout], [], [], 120)
        if not ready:
            proc.kill()
        assert ready, "no result before the end of the file: the file was read whole first"
        first = json.loads(proc.stdout.readline())
        assert first["line"] == 1 and "id" in first
        writer.writelines(lines[60:])
    rest = [json.loads(x) for x in proc.stdout.read().splitlines()]
    assert proc.wait(timeout=120) == 0
    assert [r["line"] for r in [first, *rest]] == list(range(1, 121))
