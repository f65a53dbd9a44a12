"""Alembic is the only schema path: upgrade/downgrade both ways, and models == migrated schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, Table, inspect, text

from registry.storage import repo
from registry.storage.__main__ import main as storage_main
from registry.storage.db import (
    alembic_dir,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    migrate,
    session_scope,
)
from registry.storage.models import ALL_TABLES, OrganisationCreate, OrgKind, metadata

ROOT = Path(__file__).resolve().parents[2]


def _diff(engine: Engine, target: MetaData) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, target))


def test_upgrade_to_head_then_down_to_base_and_up_again(fresh_engine: Engine) -> None:
    assert current_revision(fresh_engine) is None
    migrate(fresh_engine)
    assert current_revision(fresh_engine) == head_revision()
    assert set(ALL_TABLES) <= set(inspect(fresh_engine).get_table_names())
    migrate(fresh_engine)  # at head already: nothing to do
    downgrade(fresh_engine, "base")
    assert current_revision(fresh_engine) is None
    assert set(inspect(fresh_engine).get_table_names()) <= {"alembic_version"}
    migrate(fresh_engine, "head")
    assert current_revision(fresh_engine) == head_revision()


def test_models_match_migrated_schema(fresh_engine: Engine) -> None:
    migrate(fresh_engine)
    assert _diff(fresh_engine, metadata) == []


def test_comparison_would_see_a_drift(fresh_engine: Engine) -> None:
    """The check above is not vacuous: a table the migrations lack is reported."""
    migrate(fresh_engine)
    drifted = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(drifted)
    Table("not_migrated", drifted, Column("id", Integer, primary_key=True))
    diffs = _diff(fresh_engine, drifted)
    assert [d[0] for d in diffs if isinstance(d, tuple)] == ["add_table"]


def test_version_sort_and_codes_compare_bytewise(migrated_engine: Engine) -> None:
    """On PostgreSQL the sort key and code columns use the C collation, whatever the database locale."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite compares text bytewise (BINARY) already")
    with migrated_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name, column_name, collation_name FROM information_schema.columns "
                "WHERE column_name IN ('version_sort', 'code')"
            )
        ).all()
    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("rulepack_version", "version_sort", "C"),
        ("rulepack_code", "code", "C"),
        ("factorset_version", "version_sort", "C"),
        ("catalogue_version", "version_sort", "C"),
    }


def test_sqlite_pragmas(migrated_engine: Engine) -> None:
    if migrated_engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with migrated_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        # FULL (2): each commit reaches the disk before it is answered. NORMAL let a power cut take back the last
        # labels answered, and log entries a signed tree head served already counts (ADR 0041)
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_alembic_folder_is_the_shipped_one_and_needs_no_ini() -> None:
    """Installed (CI installs the package, not editable) or in a checkout: the same migrations."""
    import registry

    installed = Path(registry.__file__).resolve().parent / "_data" / "alembic"
    assert alembic_dir() in (ROOT / "alembic", installed)
    assert (alembic_dir() / "env.py").is_file()
    shipped = sorted(p.name for p in (alembic_dir() / "versions").glob("*.py"))
    assert shipped == sorted(p.name for p in (ROOT / "alembic" / "versions").glob("*.py"))
    assert not (ROOT / "alembic.ini").exists()
    assert "ini" not in re.sub(r'""".*?"""', "", (alembic_dir() / "env.py").read_text(), flags=re.S).lower()


def test_create_all_is_used_nowhere_in_the_package() -> None:
    sources = [*ROOT.joinpath("registry", "storage").rglob("*.py"), *ROOT.joinpath("alembic").rglob("*.py")]
    assert sources
    assert not [p for p in sources if "create_all" in p.read_text()]


def test_module_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PCFREG_DATA_DIR", str(tmp_path))
    assert storage_main(["current"]) == 0
    assert storage_main(["upgrade"]) == 0
    assert storage_main(["current"]) == 0
    assert capsys.readouterr().out.split() == ["(empty", "database)", head_revision()]
    assert (tmp_path / "pcfreg.db").is_file()


def test_in_memory_sqlite_keeps_one_database_across_connections() -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id="mem", name="Mem", kind=OrgKind.ADMIN))
    with session_scope(engine, write=False) as s:
        assert [o.id for o in repo.list_organisations(s)] == ["mem"]
    engine.dispose()
