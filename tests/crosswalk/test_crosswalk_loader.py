"""Broken crosswalk files give one CrosswalkError listing every problem with file, line and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.crosswalk import CrosswalkError, load_crosswalks_from
from registry.errors import RegistryError
from registry.resources import crosswalks_dir


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "crosswalks"
    shutil.copytree(crosswalks_dir(), root)
    return root


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def _problems(root: Path) -> list[RegistryError]:
    with pytest.raises(CrosswalkError) as info:
        load_crosswalks_from(root)
    assert info.value.problems
    return info.value.problems


def test_the_bundled_tree_loads_from_a_copy(tree: Path) -> None:
    assert "catena-x" in load_crosswalks_from(tree).schemes


def test_a_row_without_clause_is_refused_with_its_line(tree: Path) -> None:
    path = tree / "schemes" / "catena-x.yaml"
    line = _edit(path, 'cut-off.criteria-stated: {value: required, clause: "Catena-X PCF Rulebook v4.0.1 §4.3.1", ',
                 "cut-off.criteria-stated: {value: required, ")  # fmt: skip
    [problem] = _problems(tree)
    loc = problem.location
    assert loc.file == str(path) and loc.line == line
    assert loc.pointer == "/requirements/cut-off.criteria-stated/clause"
    assert "clause" in problem.message


def test_a_value_of_the_wrong_kind_names_requirement_and_line(tree: Path) -> None:
    path = tree / "schemes" / "catena-x.yaml"
    line = _edit(path, "cut-off.max-exempted-percent: {value: 3,", 'cut-off.max-exempted-percent: {value: "3 %",')
    [problem] = _problems(tree)
    assert problem.location.line == line
    assert problem.location.pointer == "/requirements/cut-off.max-exempted-percent/value"
    assert "cut-off.max-exempted-percent (number)" in problem.message


def test_an_option_outside_the_vocabulary_is_refused(tree: Path) -> None:
    _edit(
        tree / "schemes" / "catena-x.yaml",
        "end-of-life.approach: {value: [cut-off],",
        "end-of-life.approach: {value: [cutoff],",
    )
    [problem] = _problems(tree)
    assert "cutoff" in problem.message and problem.location.pointer == "/requirements/end-of-life.approach/value"


def test_unknown_and_missing_requirements_and_a_wrong_id(tree: Path) -> None:
    path = tree / "schemes" / "pef.yaml"
    _edit(path, "  unit.amount: {", "  unit.amounts: {")
    _edit(path, "id: pef\n", "id: pef-2021\n")
    messages = sorted(p.message for p in _problems(tree))
    assert any("'unit.amounts' is not a requirement" in m for m in messages)
    assert any("not addressed and no default: unit.amount" in m for m in messages)
    assert any("differs from the file name 'pef'" in m for m in messages)


def test_duplicate_keys_and_packs_listed_twice(tree: Path) -> None:
    _edit(tree / "schemes" / "pef.yaml", "packs: []", "packs: [example-standards-body/iso-14067]")
    duplicate = "  unit.kind: {status: unknown, clause: x x x, checked: false}\n  unit.amount: {"
    line = _edit(tree / "schemes" / "ghgp-product.yaml", "  unit.amount: {", duplicate)
    problems = _problems(tree)
    assert any("duplicate key 'unit.kind'" in p.message and p.location.line == line for p in problems)
    assert any("already certifies under 'iso-14067'" in p.message for p in problems)


def test_a_refinement_naming_no_option(tree: Path) -> None:
    path = tree / "requirements.yaml"
    line = _edit(path, "      cx-tfs-decision-tree: iso-14044-hierarchy", "      cx-tfs-decision-tree: iso-14044")
    [problem] = _problems(tree)
    assert "'iso-14044', which is not an option" in problem.message
    assert problem.location.line == line and problem.location.file == str(path)


def test_a_number_kind_without_direction_fails_the_schema(tree: Path) -> None:
    _edit(
        tree / "requirements.yaml",
        '    kind: number\n    direction: max\n    unit: "%"',
        '    kind: number\n    unit: "%"',
    )
    problems = _problems(tree)
    assert any("direction" in p.message and (p.location.pointer or "").startswith("/requirements/") for p in problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8), lambda c: st.lists(c, max_size=3)
    )
)
def test_any_value_in_a_row_gives_a_load_or_a_crosswalk_error(tree: Path, value: object) -> None:
    import yaml

    path = tree / "schemes" / "kr-cfl.yaml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["requirements"]["validity.max-years"]["value"] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        load_crosswalks_from(tree)
    except CrosswalkError as e:
        assert all(p.location.file for p in e.problems)
    finally:
        path.write_text(original, encoding="utf-8")
