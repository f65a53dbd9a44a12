"""The migrations ship inside the wheel and run from there, with no alembic.ini anywhere."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import registry
    from registry.storage.db import alembic_dir, current_revision, head_revision, make_engine, migrate
    assert Path(registry.__file__).is_relative_to(Path(sys.argv[1])), registry.__file__
    engine = make_engine("sqlite:///" + sys.argv[2])
    migrate(engine)
    assert current_revision(engine) == head_revision()
    print(alembic_dir())
    """
)


def test_wheel_ships_migrations_and_they_run_from_it(tmp_path: Path) -> None:
    builder = pytest.importorskip("hatchling.builders.wheel")
    wheel = next(iter(builder.WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])))
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in [*ROOT.joinpath("alembic").glob("*.*"), *ROOT.joinpath("alembic", "versions").glob("*.py")]:
        assert f"registry/_data/alembic/{rel.relative_to(ROOT / 'alembic').as_posix()}" in names
    assert not any(n.endswith("alembic.ini") for n in names)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(site), str(tmp_path / "db" / "pcfreg.db")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert Path(run.stdout.strip()) == site / "registry" / "_data" / "alembic"
