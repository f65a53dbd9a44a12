"""Crosswalk YAML parsed once per file content: kept in the pack cache by the digest of the file's bytes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from registry.crosswalk import CrosswalkError, load_crosswalks_from, loader
from registry.resources import crosswalks_dir


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PCFREG_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "crosswalks"
    shutil.copytree(crosswalks_dir(), root)
    return root


def _plain(value: Any) -> Any:
    """Crosswalk objects as plain data, to compare two loads (kinds and plans have no equality of their own)."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, set | frozenset):
        return sorted(map(repr, value))
    if callable(value) and hasattr(value, "__qualname__"):
        return value.__qualname__
    if hasattr(value, "__dict__") or hasattr(value, "__slots__"):
        names = list(getattr(value, "__dict__", {})) + list(getattr(value, "__slots__", ()))
        return (type(value).__name__, {n: _plain(getattr(value, n)) for n in names if hasattr(value, n)})
    return value


def _refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("not expected to parse YAML with its entry cached")


def test_a_second_load_parses_no_yaml_and_gives_the_same_crosswalks(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_crosswalks_from(tree)
    assert list((tree.parent / "cache" / "crosswalk-yaml").rglob("*.json"))
    monkeypatch.setattr(loader, "load_with_positions", _refuse)
    second = load_crosswalks_from(tree)
    assert _plain(second) == _plain(first)


def test_an_edited_file_is_parsed_again_and_its_problems_keep_their_lines(tree: Path) -> None:
    load_crosswalks_from(tree)
    path = tree / "schemes" / "catena-x.yaml"
    text = path.read_text(encoding="utf-8")
    old = 'cut-off.criteria-stated: {value: required, clause: "Catena-X PCF Rulebook v4.0.1 §4.3.1", '
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, "cut-off.criteria-stated: {value: required, "), encoding="utf-8")
    for _ in range(2):  # parsed, then from its entry: the same located problem
        with pytest.raises(CrosswalkError) as info:
            load_crosswalks_from(tree)
        [problem] = info.value.problems
        assert problem.location.file == str(path) and problem.location.line == line


def test_a_damaged_entry_is_parsed_again(tree: Path) -> None:
    first = load_crosswalks_from(tree)
    for entry in (tree.parent / "cache" / "crosswalk-yaml").rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    assert _plain(load_crosswalks_from(tree)) == _plain(first)
