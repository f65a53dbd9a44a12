"""The unit of work: a failed request leaves nothing half-written."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select
from storage_support import NOW, add_org, add_pack, validation_result

from registry.errors import InputError
from registry.storage import repo
from registry.storage.db import make_engine, session_scope
from registry.storage.errors import Conflict, StorageUnavailable
from registry.storage.models import CredentialCreate, CredentialKind, Organisation, OrgKind, metadata


class Boom(Exception):
    pass


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in metadata.sorted_tables}


def test_exception_rolls_back_every_write(engine: Engine) -> None:
    with pytest.raises(Boom), session_scope(engine) as s:
        add_org(s)
        add_org(s, "cert-a", OrgKind.CERTIFIER)
        add_pack(s)
        repo.create_credential(s, CredentialCreate(org_id="cert-a", kind=CredentialKind.API_KEY))
        repo.insert_validation(s, org_id="cert-a", result=validation_result(), declaration={})
        raise Boom
    assert set(_row_counts(engine).values()) == {0}


def test_conflict_escaping_the_scope_rolls_back_earlier_writes(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
    with pytest.raises(Conflict), session_scope(engine) as s:
        add_org(s, "cert-a", OrgKind.CERTIFIER)
        add_pack(s, version="2.0.0")
        add_org(s)  # duplicate: the request fails
    counts = _row_counts(engine)
    assert counts["organisation"] == 1 and counts["rulepack_version"] == 0 and counts["rulepack_code"] == 0


def test_success_commits_everything(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
        add_pack(s)
    counts = _row_counts(engine)
    assert (counts["organisation"], counts["rulepack_version"], counts["rulepack_code"]) == (1, 1, 3)


def test_unreachable_database_is_storage_unavailable() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    with pytest.raises(StorageUnavailable), session_scope(engine) as s:
        repo.list_organisations(s)


def test_concurrent_writers_queue_instead_of_failing(engine: Engine) -> None:
    """Read-then-write requests in parallel threads (SQLite: one file, WAL, BEGIN IMMEDIATE)."""

    def request(i: int) -> str:
        with session_scope(engine) as s:
            repo.list_organisations(s)
            time.sleep(0.02)
            return add_org(s, f"org-{i}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        created = list(pool.map(request, range(6)))
    assert sorted(created) == [f"org-{i}" for i in range(6)]


def test_readers_do_not_wait_for_a_writer(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
    with session_scope(engine) as writer:
        add_org(writer, "pending")
        writer.flush()  # the writer holds the lock and has not committed

        def read() -> list[str]:
            with session_scope(engine, write=False) as r:
                return [o.id for o in repo.list_organisations(r)]

        with ThreadPoolExecutor(max_workers=1) as pool:
            started = time.monotonic()
            assert pool.submit(read).result(timeout=10) == ["example-standards-body"]
            assert time.monotonic() - started < 1


def test_constraint_hit_at_commit_is_conflict(engine: Engine) -> None:
    """The safety net: a violation that only shows when the commit flushes is still our error."""
    with session_scope(engine) as s:
        add_org(s)
    with pytest.raises(Conflict), session_scope(engine) as s:
        s.add(Organisation(id="example-standards-body", name="dup", kind=OrgKind.ADMIN, created_at=NOW))


def test_values_the_database_refuses_are_input_errors(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
        add_pack(s)
    try:
        with session_scope(engine, write=False) as s:
            found = repo.search_pack_versions(s, text="alu\x00minium")
    except InputError:
        assert engine.dialect.name == "postgresql"  # PostgreSQL text cannot hold NUL
    else:
        assert engine.dialect.name == "sqlite" and found == []
    with pytest.raises(InputError), session_scope(engine) as s:
        repo.search_pack_versions(s, limit=0)
    with pytest.raises(InputError), session_scope(engine) as s:
        repo.set_pack_status(s, "example-standards-body/aluminium-ingot", "1.0.0", "retired")
