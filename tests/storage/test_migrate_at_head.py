"""Every command that opens a data directory migrates it; one already at the shipped head is left as it is
without importing Alembic (issue 15: it cost each such command about 0.2 CPU-s of start-up)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from registry.storage import db
from registry.storage.db import alembic_dir, current_revision, head_revision, make_engine, migrate, shipped_head


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert shipped_head() == head_revision()


def test_a_database_at_head_is_not_migrated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    assert current_revision(engine) == head_revision()
    import alembic.command

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("Alembic was run for a database at head")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)
    migrate(engine)
    engine.dispose()


def test_a_database_behind_head_is_still_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine, "0012_i13_catalogue")
    assert current_revision(engine) == "0012_i13_catalogue"
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.begin() as conn:  # a database that says another revision is not taken for one at head
        conn.execute(text("UPDATE alembic_version SET version_num = 'someone-elses'"))
    assert not db._at(engine, head_revision())
    engine.dispose()


def test_migration_files_the_reader_cannot_follow_leave_it_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "alembic"
    shutil.copytree(alembic_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(db, "alembic_dir", lambda: copy)
    assert shipped_head() == head_revision()
    branch = copy / "versions" / "9999_branch.py"
    branch.write_text('revision: str = "9999_branch"\ndown_revision = "0012_i13_catalogue"\n')
    assert shipped_head() is None  # two heads
    branch.write_text('revision = "9999_branch"\ndown_revision = ("0012_i13_catalogue", "0013_i13_tlog")\n')
    assert shipped_head() is None  # a merge: not a plain line


def test_opening_a_data_directory_at_head_does_not_import_alembic(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    engine.dispose()
    script = textwrap.dedent(
        f"""
        import sys
        from registry.storage.db import make_engine, migrate
        migrate(make_engine("sqlite:///{tmp_path / "db.sqlite"}"))
        print(sorted(m for m in sys.modules if m == "alembic" or m.startswith("alembic.")))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
