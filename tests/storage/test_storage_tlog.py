"""The log's rows in real transactions (SQLite and PostgreSQL): an append commits with its transaction
or not at all, and concurrent appenders take indexes one after the other, leaving the RFC 6962 tree."""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from registry.errors import InternalError
from registry.service import tlog as log_svc
from registry.storage import tlog as log_store
from registry.storage.db import session_scope

AT = datetime(2026, 12, 6, tzinfo=UTC)
DIGEST = "sha256:" + "0" * 64


def _published(ref: str, status: str = "published") -> dict[str, str]:
    return {"ref": ref, "digest": DIGEST, "status": status}


def _suspended(n: int) -> dict[str, str]:
    label_id = base64.b32encode(n.to_bytes(10, "big")).decode()
    return {"label_id": label_id, "certifier": "cert-a", "state": "suspended"}


class Boom(Exception):
    pass


def _sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def _mth(d: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, from the text."""
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return _sha(b"\x00" + d[0])
    k = 1
    while k * 2 < len(d):
        k *= 2
    return _sha(b"\x01" + _mth(d[:k]) + _mth(d[k:]))


def _root(engine: Engine) -> tuple[int, bytes, list[bytes]]:
    with session_scope(engine, write=False) as s:
        size, peaks = log_store.head(s)
        entries = log_store.entry_data(s, 0, size + 10)
    root = peaks[-1] if peaks else _sha(b"")
    for p in reversed(peaks[:-1]):
        root = _sha(b"\x01" + p + root)
    return size, root, entries


def test_an_append_is_rolled_back_with_its_transaction(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert log_svc.append_event(s, "rulepack.publish", _published("a/b@1.0.0"), AT) == 0
    with pytest.raises(Boom), session_scope(engine) as s:
        assert log_svc.append_event(s, "rulepack.publish", _published("a/b@1.1.0"), AT) == 1
        raise Boom
    with session_scope(engine) as s:
        assert log_svc.append_event(s, "rulepack.status", _published("a/b@1.0.0", "withdrawn"), AT) == 1
    size, root, entries = _root(engine)
    assert size == 2 == len(entries) and root == _mth(entries)
    assert b"1.1.0" not in b"".join(entries)


def test_an_unknown_kind_a_field_not_public_or_an_oversized_entry_is_our_bug_and_stores_nothing(
    engine: Engine,
) -> None:
    with pytest.raises(InternalError), session_scope(engine) as s:
        log_svc.append_event(s, "label.teleport", _suspended(1), AT)
    with pytest.raises(InternalError) as e, session_scope(engine) as s:  # say, the footprint's value
        log_svc.append_event(s, "label.suspend", {**_suspended(1), "value": "12.3"}, AT)
    assert "tlog-entry-1.0.json" in e.value.message
    with pytest.raises(InternalError) as e, session_scope(engine) as s:
        log_svc.append_event(s, "rulepack.publish", _published("a/b@1.0.0-" + "x" * 70_000), AT)
    assert "65,535" in e.value.message
    assert _root(engine)[0] == 0


def test_concurrent_appenders_leave_one_tree(engine: Engine) -> None:
    def worker(w: int) -> None:
        for i in range(25):
            with session_scope(engine) as s:
                log_svc.append_events(
                    s, [log_svc.Event("label.suspend", _suspended(w * 1000 + i * 10 + j), AT) for j in range(1 + i % 3)]
                )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(worker, range(4)))
    size, root, entries = _root(engine)
    assert size == len(entries) == 4 * sum(1 + i % 3 for i in range(25))
    assert root == _mth(entries)
    with session_scope(engine, write=False) as s:
        assert len(log_store.entries_about(s, _suspended(2071)["label_id"], "label.suspend")) == 1
