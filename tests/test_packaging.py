"""A non-editable install ships the schemas and the bundled rule packs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_schemas_and_packs(tmp_path: Path) -> None:
    builder = pytest.importorskip("hatchling.builders.wheel")
    wheel = builder.WheelBuilder(str(ROOT))
    built = list(wheel.build(directory=str(tmp_path), versions=["standard"]))
    assert len(built) == 1
    names = set(zipfile.ZipFile(built[0]).namelist())
    for rel in ROOT.joinpath("schemas").rglob("*.json"):
        assert f"registry/_data/schemas/{rel.relative_to(ROOT / 'schemas').as_posix()}" in names
    packs = list(ROOT.joinpath("rulepacks").rglob("*.yaml"))
    assert packs
    for rel in packs:
        assert f"registry/_data/rulepacks/{rel.relative_to(ROOT / 'rulepacks').as_posix()}" in names
    assert "registry/_data/gradingcatalogues/README.md" in names  # the folder exists installed (no catalogue shipped)
    prebuilt = [p for p in ROOT.joinpath("registry", "_prebuilt").rglob("*.json")]
    assert prebuilt  # the bundled packs' cache entries: the first command after installing compiles nothing
    for rel in prebuilt:
        assert rel.relative_to(ROOT).as_posix() in names
    assert "registry/py.typed" in names
    for font in ("label-regular.otf", "label-bold.otf", "OFL.txt"):  # the printed label's outlines and licence
        assert f"issuance/fonts/{font}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
