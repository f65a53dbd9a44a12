"""PostgreSQL plans each statement for its parameters and the tables as they are (issue 15).

psycopg prepares a statement on a connection after five executions; PostgreSQL then gives a prepared
statement one generic plan when that looks no dearer, and keeps it. A generic plan made while the label
table was empty (nothing tells its indexes apart) probed the status indexes taken through the certifier's
request-key index, reading every label of the certifier for each candidate: a pooled connection kept that
plan for its life, 5-10 ms a label group at 6k labels in bench/api.py, growing with the table. Engines from
``make_engine`` plan every execution for its parameters (``plan_cache_mode``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session
from storage_support import certifier_with_key

from issuance import KeyScope
from registry.packs.catalog import Catalog
from registry.service import labels as svc
from registry.storage import issuance as store
from registry.storage.db import migrate, session_scope

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
SCOPE = KeyScope(schemes=("gb-t-24067", "pact-v3", "iso-14067"), categories=("example-standards-body/",))
CANDIDATES = list(range(1_000, 11_000, 1_000))  # ten, as a label group's


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


def test_status_index_probes_use_their_index_after_the_table_has_grown(
    backend: Any, settings: svc.IssuanceSettings
) -> None:
    if backend.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    engine = backend.new_engine()
    migrate(engine)
    certifier_with_key(engine, settings, "rt-certifier", SCOPE, now=NOW, name="RT")
    with engine.connect() as conn:
        session = Session(bind=conn)
        for _ in range(20):  # the table empty: prepared after five, a generic plan possible after five more
            assert store.taken_status_indexes(session, "rt-certifier", 0, CANDIDATES) == set()
        conn.commit()  # (psycopg forgets what it prepared when a transaction rolls back)
        catalog = Catalog.bundled()
        example = catalog.resolve("example-standards-body/aluminium-ingot").example
        for group in range(3):  # 1,500 labels of the certifier, on another connection
            requests = [
                svc.IssueRequest(declaration=example, gtin="09506000134352", batch=f"G{group}-{i}") for i in range(500)
            ]
            with session_scope(engine) as s:
                out = svc.issue_labels(s, catalog, settings, certifier="rt-certifier", requests=requests, now=NOW)
            assert all(isinstance(o, svc.Issued) for o in out)
        (name, generic, custom) = conn.execute(
            text(
                "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE '%l.status_idx = c.idx%'"
            )
        ).one()
        assert generic == 0 and custom >= 10  # psycopg sends the first executions unprepared
        array = "ARRAY[" + ",".join(map(str, CANDIDATES)) + "]"  # EXPLAIN EXECUTE takes no bound parameters
        (explained,) = conn.execute(
            text(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({array}, 'rt-certifier', 0)")
        ).one()
        nodes = _nodes((explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"])
        scans = [n for n in nodes if "Index Name" in n]
        assert [n["Index Name"] for n in scans] == ["uq_label_certifier_id_status_list_idx"]
        assert "status_idx" in scans[0]["Index Cond"]
        assert sum(n.get("Rows Removed by Filter", 0) for n in nodes) == 0
        conn.rollback()
        session.close()
