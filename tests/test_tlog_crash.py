"""Crash consistency of the transparency log (issue 13): `pcfreg label issue FILE.jsonl` killed with
SIGKILL mid-batch leaves no label without its log entry and no entry without its label, and a log whose
stored tree (head, compact range, nodes) is exactly the RFC 6962 tree of its entries; the run that
finishes the batch only extends it. On SQLite and PostgreSQL, in real processes."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import col

from registry.packs.catalog import Catalog
from registry.storage.db import make_engine, session_scope
from registry.storage.models import Label, TlogEntry, TlogHead, TlogNode

GTIN = "09506000134352"
LINES = 800  # transactions of 50, 500, 250: the kill lands in the second
PG_ADMIN = os.environ.get("PCFREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def _mth(d: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, from the text: MTH of the leaves ``d``."""
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return _sha(b"\x00" + d[0])
    k = 1
    while k * 2 < len(d):
        k *= 2
    return _sha(b"\x01" + _mth(d[:k]) + _mth(d[k:]))


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
    name = f"pcfreg_tlog_kill_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pcfreg(*args: str, env: dict[str, str], **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "registry.cli", *args], env=env, **kw)


def _log_state(engine: Engine) -> tuple[list[bytes], bytes]:
    """The entries, after checking every invariant of the stored log; and the root its head gives."""
    with session_scope(engine, write=False) as s:
        labels = set(s.execute(select(col(Label.id))).scalars())
        entries = s.execute(select(TlogEntry).order_by(col(TlogEntry.idx))).scalars().all()
        head = s.execute(select(TlogHead)).scalar_one()
        node_count = s.execute(select(func.count()).select_from(TlogNode)).scalar_one()
    issued = [e.ref for e in entries if e.kind == "label.issue"]
    assert len(issued) == len(set(issued)), "a label logged twice"
    assert set(issued) == labels, "a label without its entry, or an entry without its label"
    assert [e.idx for e in entries] == list(range(len(entries))) == list(range(head.size))
    assert node_count == 2 * head.size - head.size.bit_count()  # every complete subtree stored, once
    data = [bytes(e.data) for e in entries]
    for e in entries:
        assert json.loads(e.data)["kind"] == e.kind
    peaks = [head.peaks[i : i + 32] for i in range(0, len(head.peaks), 32)]
    root = peaks[-1]
    for p in reversed(peaks[:-1]):
        root = _sha(b"\x01" + p + root)
    assert root == _mth(data), "the stored compact range is not the RFC 6962 tree of the entries"
    return data, root


def test_a_batch_killed_mid_way_leaves_labels_and_log_entries_together(database: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database}
    data_dir = tmp_path / "data"
    init = _pcfreg("init", "--data-dir", str(data_dir), env=env, stdout=subprocess.DEVNULL)
    assert init.wait(timeout=180) == 0
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    requests = tmp_path / "requests.jsonl"
    with requests.open("w") as f:
        for i in range(LINES):
            f.write(json.dumps({"declaration": example, "gtin": GTIN, "batch": f"K{i}"}) + "\n")
    args = ("label", "issue", str(requests), "--certifier", "demo-certifier", "--data-dir", str(data_dir))

    first = _pcfreg(*args, env=env, stdout=subprocess.PIPE)
    assert first.stdout is not None
    first.stdout.readline()  # a transaction committed: kill the process in the middle of the next
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL

    engine = make_engine(database)
    try:
        before, root_before = _log_state(engine)
        issued = sum(1 for d in before if json.loads(d)["kind"] == "label.issue")
        assert 0 < issued < LINES, "the kill came after the batch finished: nothing to show"

        again = _pcfreg(*args, env=env, stdout=subprocess.PIPE)
        again.communicate(timeout=600)
        assert again.returncode == 0
        after, _ = _log_state(engine)
    finally:
        engine.dispose()
    assert sum(1 for d in after if json.loads(d)["kind"] == "label.issue") == LINES
    assert after[: len(before)] == before and _mth(after[: len(before)]) == root_before  # only extended
