"""What issuing writes, and where (issue 15). One label per transaction on PostgreSQL is a round trip per
statement: the log's entries, nodes and head and the labels' history rows go in one statement, each history row
naming its label's log entry. Label ids start with their time of issue, so labels issued together are stored
together in every index of label ids (ADR 0038)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import select
from storage_support import certifier_with_key

from issuance import KeyScope
from issuance.token import label_id_bytes
from registry.packs.catalog import Catalog
from registry.service import labels as svc
from registry.storage.db import session_scope
from registry.storage.models import LabelEvent, TlogEntry

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
SCOPE = KeyScope(schemes=("gb-t-24067", "pact-v3", "iso-14067"), categories=("example-standards-body/",))


def _issue(engine: Engine, settings: svc.IssuanceSettings, n: int, sent: list[str]) -> list[svc.Issued]:
    catalog = Catalog.bundled()
    example = catalog.resolve("example-standards-body/aluminium-ingot").example
    requests = [svc.IssueRequest(declaration=example, gtin="09506000134352", batch=f"R{n}-{i}") for i in range(n)]
    with session_scope(engine) as s:
        conn = s.connection()
        event.listen(conn, "before_cursor_execute", lambda *a: sent.append(" ".join(str(a[2]).split())))
        out = svc.issue_labels(s, catalog, settings, certifier="rt-certifier", requests=requests, now=NOW)
    assert all(isinstance(o, svc.Issued) for o in out), out
    return [o for o in out if isinstance(o, svc.Issued)]


def _history(engine: Engine, label_id: str) -> list[Any]:
    with session_scope(engine, write=False) as s:
        rows = s.exec(select(LabelEvent).where(LabelEvent.label_id == label_id)).all()
        return [(r.event, s.get(TlogEntry, r.tlog_index)) for r in rows]


def test_history_rows_go_in_with_the_log_and_name_their_entries(engine: Engine, settings: svc.IssuanceSettings) -> None:
    ready = certifier_with_key(engine, settings, "rt-certifier", SCOPE, now=NOW, name="RT")
    for n in (1, 3):  # one row as VALUES, more as arrays (registry.storage.bulk)
        sent: list[str] = []
        issued = _issue(ready, settings, n, sent)
        history_inserts = [q for q in sent if "INSERT INTO label_event" in q]
        log_writes = [q for q in sent if "INSERT INTO tlog_entry" in q]
        if ready.dialect.name == "postgresql":  # one statement: the log's inserts and the history rows as WITH queries
            assert len(log_writes) == 1 and history_inserts == log_writes, sent
        else:
            assert len(history_inserts) == 1
        for label in issued:
            [(kind, entry)] = _history(ready, label.claims.label_id)
            assert kind.value == "issued" and entry is not None
            assert entry.kind == "label.issue" and entry.ref == label.claims.label_id


def test_label_ids_start_with_their_time_of_issue(engine: Engine, settings: svc.IssuanceSettings) -> None:
    ready = certifier_with_key(engine, settings, "rt-certifier", SCOPE, now=NOW, name="RT")
    issued = _issue(ready, settings, 3, [])
    assert {label_id_bytes(i.claims.label_id)[:4] for i in issued} == {int(NOW.timestamp()).to_bytes(4, "big")}
    assert len({i.claims.label_id for i in issued}) == 3
