"""Issuing exactly once, on SQLite and PostgreSQL (issue 10): idempotency keys, concurrent issuers,
a locked SQLite database."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select
from storage_support import certifier_with_key

from issuance import KeyScope, LabelClaims
from registry.errors import RegistryError
from registry.packs.catalog import Catalog
from registry.service import labels as svc
from registry.storage import db, repo
from registry.storage import issuance as label_store
from registry.storage.db import make_engine, migrate, session_scope
from registry.storage.errors import Conflict, StorageUnavailable
from registry.storage.models import Label, LabelEvent, OrganisationCreate, OrgKind, TlogEntry

AL = "example-standards-body/aluminium-ingot"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
GTIN = "09506000134352"
SCOPE = KeyScope(schemes=("gb-t-24067", "pact-v3", "iso-14067"), categories=("example-standards-body/",))


@pytest.fixture
def ready(engine: Engine, settings: svc.IssuanceSettings) -> Engine:
    return certifier_with_key(engine, settings, "new-certifier", SCOPE, now=NOW, name="New")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.bundled()


@pytest.fixture(scope="module")
def example(catalog: Catalog) -> dict[str, Any]:
    ex = catalog.resolve(AL).example
    assert ex is not None
    return ex


def _batch(
    engine: Engine, settings: svc.IssuanceSettings, catalog: Catalog, requests: list[svc.IssueRequest]
) -> list[svc.Issued | RegistryError]:
    with session_scope(engine) as s:
        return svc.issue_labels(s, catalog, settings, certifier="new-certifier", requests=requests, now=NOW)


def _count(engine: Engine) -> int:
    with session_scope(engine, write=False) as s:
        return int(s.exec(select(func.count()).select_from(Label)).one())


def test_the_same_request_twice_is_one_label_marked_as_a_repeat(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    request = svc.IssueRequest(declaration=example, gtin=GTIN, batch="B-1")
    first = _batch(ready, settings, catalog, [request])[0]
    assert isinstance(first, svc.Issued) and not first.repeat
    # derived key: the same declaration, GTIN (however written), batch, scheme and certifier
    again = _batch(ready, settings, catalog, [svc.IssueRequest(declaration=example, gtin=GTIN[1:], batch="B-1")])[0]
    assert isinstance(again, svc.Issued) and again.repeat
    assert again.claims == first.claims and again.token == first.token
    # twice in one batch: one label, the second answer a repeat of the first
    twice = _batch(ready, settings, catalog, [svc.IssueRequest(declaration=example, gtin=GTIN, batch="B-2")] * 2)
    assert [isinstance(t, svc.Issued) and t.repeat for t in twice] == [False, True]
    assert all(isinstance(t, svc.Issued) for t in twice) and len({t.claims.label_id for t in twice}) == 1  # type: ignore[union-attr]
    other = _batch(ready, settings, catalog, [svc.IssueRequest(declaration=example, gtin=GTIN, batch="B-3")])[0]
    assert isinstance(other, svc.Issued) and not other.repeat and other.claims.label_id != first.claims.label_id
    assert _count(ready) == 3


def test_a_caller_key_names_the_request(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    keyed = svc.IssueRequest(declaration=example, gtin=GTIN, key="order-17/line-1")
    first = _batch(ready, settings, catalog, [keyed])[0]
    again = _batch(ready, settings, catalog, [keyed])[0]
    assert isinstance(first, svc.Issued) and isinstance(again, svc.Issued) and again.repeat
    assert again.claims.label_id == first.claims.label_id
    # another key for the same content is another label: the caller said it is another request
    second = _batch(ready, settings, catalog, [svc.IssueRequest(declaration=example, gtin=GTIN, key="line-2")])[0]
    assert isinstance(second, svc.Issued) and second.claims.label_id != first.claims.label_id
    # the same key for different content is refused, naming the key, and stores nothing
    clash = _batch(
        ready, settings, catalog, [svc.IssueRequest(declaration=example, gtin=GTIN, batch="X", key="line-2")]
    )
    assert isinstance(clash[0], Conflict) and "line-2" in clash[0].message
    assert _count(ready) == 2


def _issuer(
    engine: Engine,
    settings: svc.IssuanceSettings,
    catalog: Catalog,
    example: Any,
    worker: int,
    start: threading.Barrier,
    refused: list[Any],
) -> None:
    start.wait()
    for chunk in range(3):
        requests = [
            svc.IssueRequest(declaration=example, gtin=GTIN, batch=f"W{worker}-{chunk}-{i}") for i in range(100)
        ]
        try:
            outcomes = _batch(engine, settings, catalog, requests)
        except RegistryError as e:
            refused.extend([e] * len(requests))
            continue
        refused.extend(o for o in outcomes if isinstance(o, RegistryError))


def test_concurrent_batch_issuers_of_a_new_certifier(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    """8 issuers x 300 labels at once, the certifier's first labels: none refused, no index twice."""
    catalog.compiled(f"{AL}@1.0.0")  # compiled once, before the race
    refused: list[Any] = []
    start = threading.Barrier(8)
    threads = [
        threading.Thread(target=_issuer, args=(ready, settings, catalog, example, w, start, refused)) for w in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert refused == []
    with session_scope(ready, write=False) as s:
        slots = list(s.exec(select(Label.status_list, Label.status_idx)))
    assert len(slots) == 2400 and len(set(slots)) == 2400


# --- SQLite: a writer waits for the lock, within a bound ------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, str]]:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 100)  # each attempt gives up fast
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    yield engine, str(path)
    engine.dispose()


def _hold_lock(path: str, seconds: float, held: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


_names = itertools.count()


def _write(engine: Engine) -> None:
    with session_scope(engine) as s:
        org = OrganisationCreate(id=f"org-{next(_names)}", name="x", kind=OrgKind.CERTIFIER)
        repo.create_organisation(s, org, now=NOW)


def test_a_sqlite_writer_waits_for_another_writers_lock(
    sqlite_file: tuple[Engine, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, path = sqlite_file
    monkeypatch.setattr(db, "SQLITE_LOCK_WAIT_S", 10.0, raising=False)
    held = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, 1.0, held))
    holder.start()
    held.wait()
    _write(engine)  # longer than the busy timeout: waits, retries, then writes
    holder.join()
    with session_scope(engine, write=False) as s:
        assert len(repo.list_organisations(s)) == 1


def test_a_sqlite_lock_held_too_long_is_a_clear_error(
    sqlite_file: tuple[Engine, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, path = sqlite_file
    monkeypatch.setattr(db, "SQLITE_LOCK_WAIT_S", 0.5, raising=False)
    held = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, 3.0, held))
    holder.start()
    held.wait()
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match=r"locked by another writer for 0\.5 s") as e:
        _write(engine)
    assert time.monotonic() - started < 2.5
    assert "try again" in e.value.message
    holder.join()


def test_migrating_waits_for_another_writers_lock_too(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pcfreg command migrates first: eight batches started at once queue there as well."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(db, "SQLITE_LOCK_WAIT_S", 10.0, raising=False)
    path = tmp_path / "fresh.db"
    engine = make_engine(f"sqlite:///{path}")
    held = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(str(path), 1.0, held))
    holder.start()
    held.wait()
    migrate(engine)
    holder.join()
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_a_line_refused_at_signing_refuses_only_itself(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    """A batch number the token cannot carry is found when the label is encoded, after indexes are
    allocated: that request is refused, the others of its transaction are issued."""
    requests = [svc.IssueRequest(declaration=example, gtin=GTIN, batch=b) for b in ("OK-1", "批次-1", "OK-2")]
    outcomes = _batch(ready, settings, catalog, requests)
    assert [type(o).__name__ for o in outcomes] == ["Issued", "TokenError", "Issued"]
    assert "batch" in outcomes[1].message  # type: ignore[union-attr]
    assert _count(ready) == 2


def test_a_request_another_issuer_committed_first_is_answered_with_its_label(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The labels of a group go in with one statement: one whose request another issuer committed between
    the lookup and the insert is left out and answered with that label; the others of the group are issued."""
    first = _batch(ready, settings, catalog, [svc.IssueRequest(declaration=example, gtin=GTIN, batch="R-1")])[0]
    assert isinstance(first, svc.Issued)
    real = label_store.labels_by_request_key
    calls = itertools.count()
    # the first lookup (before the insert) misses, as it would had the other issuer not committed yet
    monkeypatch.setattr(label_store, "labels_by_request_key", lambda *a: {} if next(calls) == 0 else real(*a))
    requests = [svc.IssueRequest(declaration=example, gtin=GTIN, batch=b) for b in ("R-0", "R-1", "R-2")]
    outcomes = _batch(ready, settings, catalog, requests)
    assert [isinstance(o, svc.Issued) and o.repeat for o in outcomes] == [False, True, False]
    assert outcomes[1].claims == first.claims  # type: ignore[union-attr]
    assert next(calls) == 2  # the lookup before the insert missed it; the one after found the winner
    assert _count(ready) == 3
    with session_scope(ready, write=False) as s:  # only the two new labels were logged and kept in history
        logged = [e.ref for e in s.exec(select(TlogEntry).where(TlogEntry.kind == "label.issue"))]
        history = [e.label_id for e in s.exec(select(LabelEvent))]
    issued = {o.claims.label_id for o in outcomes if isinstance(o, svc.Issued)}
    assert sorted(logged) == sorted(history) == sorted(issued)


def test_an_issued_label_as_a_model_is_the_stored_label_validated(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    """Issued.label is made without validating again; it equals the model validated from its columns and
    the row read back, and its claims are the issued claims (the API answers from these)."""
    issued = _batch(ready, settings, catalog, [svc.IssueRequest(declaration=example, gtin=GTIN, batch="M-1")])[0]
    assert isinstance(issued, svc.Issued)
    fast = issued.label
    assert fast == Label.model_validate(dict(issued.columns))
    with session_scope(ready, write=False) as s:
        stored = s.get(Label, issued.claims.label_id)
        assert stored is not None
        assert {c: getattr(fast, c) for c in svc._LABEL_COLUMNS} == {c: getattr(stored, c) for c in svc._LABEL_COLUMNS}
    assert LabelClaims.model_validate(fast.claims) == issued.claims
    # the verification answered from the issued claims is the one answered from the stored label
    fresh = svc.stored_verification(fast, None, now=NOW, claims=issued.claims)
    assert fresh == svc.stored_verification(stored, None, now=NOW)


@pytest.mark.parametrize(("text", "expected"), [(None, 64), ("1", 1), (" 16 ", 16)])
def test_the_label_group_size_setting(text: str | None, expected: int) -> None:
    from registry.service.label_writer import GROUP_MAX_ENV, group_max_from

    assert group_max_from({} if text is None else {GROUP_MAX_ENV: text}) == expected


@pytest.mark.parametrize("text", ["0", "x", "-3", "100000"])
def test_a_bad_label_group_size_names_the_setting(text: str) -> None:
    from registry.service.label_writer import GROUP_MAX_ENV, group_max_from

    with pytest.raises(RegistryError, match=GROUP_MAX_ENV):
        group_max_from({GROUP_MAX_ENV: text})
