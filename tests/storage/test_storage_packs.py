from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import col
from storage_support import ENVELOPE, NOW, add_org, add_pack, pack_content

from registry.canonical import sha256_digest
from registry.errors import InputError
from registry.packs.catalog import Catalog
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import CodeScheme, PackStatus, RulePackCode, RulePackVersion, RulePackVersionCreate

AL = "example-standards-body/aluminium-ingot"
STEEL = "example-standards-body/hot-rolled-steel"


def test_insert_and_get(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
        row = add_pack(s, effective_until="2027-12-31")
    with session_scope(engine) as s:
        got = repo.get_pack_version(s, AL, "1.0.0")
    assert got.id == row.id
    assert (got.namespace, got.status, got.title_en, got.title_zh) == (
        "example-standards-body",
        PackStatus.PUBLISHED,
        "Aluminium ingot",
        "铝锭",
    )
    assert got.hs_codes == ["7601.10", "7601.20"] and got.cpc_codes == ["41431"]
    assert (got.effective_from, got.effective_until) == (date(2025, 1, 1), date(2027, 12, 31))
    assert got.digest == sha256_digest(got.content) == sha256_digest(pack_content(effective_until="2027-12-31"))
    assert got.envelope == ENVELOPE
    assert got.created_at == got.published_at == got.status_changed_at == NOW


def test_duplicate_version_is_conflict_and_the_transaction_survives(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
        add_pack(s, version="1.0.0")
        with pytest.raises(Conflict, match=r"aluminium-ingot@1\.0\.0 already exists"):
            add_pack(s, version="1.0.0", title_en="Another")
        add_pack(s, version="1.1.0")  # the same transaction goes on after the Conflict
    with session_scope(engine) as s:
        assert [v.version for v in repo.list_pack_versions(s, AL)] == ["1.0.0", "1.1.0"]
        assert repo.get_pack_version(s, AL, "1.0.0").title_en == "Aluminium ingot"
        assert s.scalar(select(func.count()).select_from(RulePackCode)) == 6


def test_unknown_namespace_and_bad_content(engine: Engine) -> None:
    with session_scope(engine) as s:
        with pytest.raises(NotFound, match="organisation"):
            add_pack(s)
        add_org(s)
        with pytest.raises(InputError, match="semantic version"):
            add_pack(s, version="1.0")
        with pytest.raises(InputError, match="envelope"):
            repo.insert_pack_version(s, RulePackVersionCreate(content=pack_content(), status=PackStatus.PUBLISHED))
        with pytest.raises(InputError, match="required field"):
            repo.insert_pack_version(s, RulePackVersionCreate(content={"id": AL}))
        with pytest.raises(InputError, match="namespace"):
            add_pack(s, "No-Namespace")
        with pytest.raises(InputError, match="date"):
            add_pack(s, effective_from="2025-13-01")
    with pytest.raises(NotFound), session_scope(engine) as s:
        repo.get_pack_version(s, AL, "9.9.9")


def test_versions_in_semver_order(engine: Engine) -> None:
    versions = ["1.10.0", "1.9.0", "1.0.0", "1.0.0-rc.1", "1.0.0-alpha", "1.0.0-alpha.10", "1.0.0-alpha.9", "0.9.12"]
    with session_scope(engine) as s:
        add_org(s)
        for v in versions:
            add_pack(s, version=v)
    expected = ["0.9.12", "1.0.0-alpha", "1.0.0-alpha.9", "1.0.0-alpha.10", "1.0.0-rc.1", "1.0.0", "1.9.0", "1.10.0"]
    with session_scope(engine) as s:
        assert [v.version for v in repo.list_pack_versions(s, AL)] == expected
        assert [v.version for v in repo.list_pack_versions(s, AL, newest_first=True)] == expected[::-1]
        repo.set_pack_status(s, AL, "1.9.0", PackStatus.DEPRECATED, now=NOW)
        assert [v.version for v in repo.list_pack_versions(s, AL, statuses=[PackStatus.DEPRECATED])] == ["1.9.0"]
        assert [v.version for v in repo.search_pack_versions(s, namespace="example-standards-body")][:2] == [
            "1.10.0",
            "1.9.0",
        ]


def test_applicable_on_with_overlapping_versions(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
        add_pack(s, version="1.0.0", effective_from="2024-01-01")
        add_pack(s, version="1.9.0", effective_from="2025-01-01", effective_until="2025-12-31")
        add_pack(s, version="1.10.0", effective_from="2025-07-01", effective_until="2025-09-30")
        add_pack(s, version="2.0.0", effective_from="2025-08-01", status=PackStatus.DRAFT)
        add_pack(s, version="1.11.0", effective_from="2025-08-01", status=PackStatus.PUBLISHED)
        repo.set_pack_status(s, AL, "1.11.0", PackStatus.WITHDRAWN, reason="wrong factor", now=NOW)
        repo.set_pack_status(s, AL, "1.9.0", PackStatus.DEPRECATED, reason="superseded by 1.10.0", now=NOW)

    def on(day: str) -> str:
        with session_scope(engine) as s:
            return repo.applicable_on(s, AL, date.fromisoformat(day)).version

    assert on("2024-06-01") == "1.0.0"
    assert on("2025-03-01") == "1.9.0"  # deprecated still applies
    assert on("2025-07-01") == "1.10.0"  # 1.10.0 > 1.9.0, though "1.10.0" < "1.9.0" as text
    assert on("2025-09-30") == "1.10.0"  # until is inclusive
    assert on("2025-10-01") == "1.9.0"
    assert on("2026-01-01") == "1.0.0"  # draft 2.0.0 and withdrawn 1.11.0 never apply
    with session_scope(engine) as s:
        assert [v.version for v in repo.applicable_versions(s, AL, date(2025, 8, 15))] == ["1.10.0", "1.9.0", "1.0.0"]
        with pytest.raises(NotFound):
            repo.applicable_on(s, AL, date(2023, 12, 31))
        with pytest.raises(NotFound):
            repo.applicable_on(s, STEEL, date(2025, 1, 1))


def test_set_status(engine: Engine) -> None:
    later = NOW + timedelta(days=3)
    with session_scope(engine) as s:
        add_org(s)
        add_pack(s, status=PackStatus.DRAFT)
        draft = repo.get_pack_version(s, AL, "1.0.0")
        assert draft.envelope is None and draft.published_at is None
        with pytest.raises(InputError, match="envelope"):
            repo.set_pack_status(s, AL, "1.0.0", PackStatus.PUBLISHED, now=later)
        with pytest.raises(Conflict, match="draft to deprecated"):
            repo.set_pack_status(s, AL, "1.0.0", PackStatus.DEPRECATED)
        row = repo.set_pack_status(s, AL, "1.0.0", PackStatus.PUBLISHED, envelope=ENVELOPE, reason="signed", now=later)
        assert (row.status, row.published_at, row.status_changed_at, row.status_reason) == (
            PackStatus.PUBLISHED,
            later,
            later,
            "signed",
        )
        repo.set_pack_status(s, AL, "1.0.0", PackStatus.DEPRECATED, reason="old", now=later + timedelta(1))
        repo.set_pack_status(s, AL, "1.0.0", PackStatus.WITHDRAWN, reason="error found", now=later + timedelta(2))
        with pytest.raises(Conflict, match="withdrawn to published"):
            repo.set_pack_status(s, AL, "1.0.0", PackStatus.PUBLISHED)
        with pytest.raises(NotFound):
            repo.set_pack_status(s, AL, "7.0.0", PackStatus.PUBLISHED)
    with session_scope(engine) as s:
        row = repo.get_pack_version(s, AL, "1.0.0")
        assert (row.status, row.status_reason, row.published_at) == (PackStatus.WITHDRAWN, "error found", later)
        assert row.status_changed_at == later + timedelta(2)


def _search(engine: Engine, **kwargs: Any) -> list[str]:
    with session_scope(engine) as s:
        return [f"{r.pack_id.split('/')[1]}@{r.version}" for r in repo.search_pack_versions(s, **kwargs)]


def test_search(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
        add_org(s, "other-body")
        add_pack(s, version="1.0.0")
        add_pack(s, version="1.1.0", status=PackStatus.DRAFT)
        add_pack(s, STEEL, hs=["7208"], cpc=["41211"], title_en="Hot-rolled steel", title_zh="热轧钢")
        add_pack(s, "other-body/tyre", hs=["4011.10"], cpc=["36111"], title_en="Tyre 100%_x", title_zh="轮胎")
        add_pack(s, "other-body/ninety", hs=["9999"], cpc=["9"], title_en="Edge", title_zh="边")

    assert _search(engine, code_prefix="76") == ["aluminium-ingot@1.1.0", "aluminium-ingot@1.0.0"]
    assert _search(engine, code_prefix="7601.1") == ["aluminium-ingot@1.1.0", "aluminium-ingot@1.0.0"]
    assert _search(engine, code_prefix="7601.3") == []
    assert _search(engine, code_prefix="7") == [
        "aluminium-ingot@1.1.0",
        "aluminium-ingot@1.0.0",
        "hot-rolled-steel@1.0.0",
    ]
    assert _search(engine, code_prefix="41", scheme=CodeScheme.CPC) == [
        "aluminium-ingot@1.1.0",
        "aluminium-ingot@1.0.0",
        "hot-rolled-steel@1.0.0",
    ]
    assert _search(engine, code_prefix="41", scheme=CodeScheme.HS) == []
    assert _search(engine, code_prefix="401", scheme=CodeScheme.HS) == ["tyre@1.0.0"]
    assert _search(engine, code_prefix="99") == ["ninety@1.0.0"]  # the upper bound after "9" still works
    assert _search(engine, code_prefix="9", scheme=CodeScheme.CPC) == ["ninety@1.0.0"]
    assert _search(engine, covering_code="7601.10.00", statuses=[PackStatus.PUBLISHED]) == ["aluminium-ingot@1.0.0"]
    assert _search(engine, covering_code="720851", scheme=CodeScheme.HS) == ["hot-rolled-steel@1.0.0"]
    assert _search(engine, text="STEEL") == ["hot-rolled-steel@1.0.0"]
    assert _search(engine, text="轮胎") == ["tyre@1.0.0"]
    assert _search(engine, text="aluminium-ingot", statuses=[PackStatus.DRAFT]) == ["aluminium-ingot@1.1.0"]
    assert _search(engine, text="100%_") == ["tyre@1.0.0"]
    assert _search(engine, text="%") == ["tyre@1.0.0"]  # wildcards are literal
    assert _search(engine, namespace="other-body") == ["ninety@1.0.0", "tyre@1.0.0"]
    assert _search(engine, namespace="other-body", limit=1, offset=1) == ["tyre@1.0.0"]
    assert len(_search(engine)) == 5
    with pytest.raises(InputError):
        _search(engine, code_prefix="76a")


def test_bundled_packs_round_trip_with_their_digests(engine: Engine, catalog: Catalog) -> None:
    """JSONB reorders keys; the digest is over the canonical form, so it survives."""
    packs = catalog.packs()
    with session_scope(engine) as s:
        add_org(s)
        for pack in packs:
            repo.insert_pack_version(
                s, RulePackVersionCreate(content=pack.data, envelope=ENVELOPE, status=PackStatus.PUBLISHED)
            )
    with session_scope(engine) as s:
        for pack in packs:
            row = repo.get_pack_version(s, pack.id, pack.version)
            assert row.content == pack.data
            assert row.digest == pack.digest == sha256_digest(row.content)
        hits = repo.search_pack_versions(s, code_prefix="7601")
        assert [r.pack_id for r in hits] == [AL] * sum(p.id == AL for p in packs)  # one row per version


def test_envelope_none_is_sql_null(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s)
        add_pack(s, status=PackStatus.DRAFT)
        stmt = select(func.count()).select_from(RulePackVersion).where(col(RulePackVersion.envelope).is_(None))
        assert s.scalar(stmt) == 1
