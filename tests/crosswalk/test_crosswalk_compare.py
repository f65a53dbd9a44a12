"""Scheme comparisons: computed relations on known facts, duality over all pairs, and renderings
that show every row's clauses and mark unchecked facts in every format."""

from __future__ import annotations

import json
import re

import pytest

from registry.crosswalk import Crosswalks, Relation, compare, render_comparison
from registry.errors import InputError


def _row(cw: Crosswalks, a: str, b: str, requirement: str) -> object:
    return next(r for r in compare(cw, a, b).rows if r.requirement == requirement)


@pytest.mark.parametrize(
    ("a", "b", "requirement", "relation", "compatible"),
    [
        ("iso-14067", "catena-x", "cut-off.max-exempted-percent", Relation.NOT_ADDRESSED, True),
        ("iso-14067", "catena-x", "end-of-life.approach", Relation.STRICTER, True),
        ("iso-14067", "catena-x", "allocation.procedure", Relation.STRICTER, True),  # CX refines ISO 14044
        ("iso-14067", "pef", "end-of-life.approach", Relation.CONFLICTING, False),  # CFF vs the ISO approaches
        ("pas-2050", "catena-x", "cut-off.max-exempted-percent", Relation.STRICTER, True),  # 5 % -> 3 %
        ("catena-x", "pas-2050", "cut-off.max-exempted-percent", Relation.LOOSER, True),
        ("pact-v3", "catena-x", "unit.of-measurement", Relation.STRICTER, True),
        ("catena-x", "eu-battery", "unit.of-measurement", Relation.CONFLICTING, False),  # kg/piece vs kWh
        ("iso-14067", "eu-battery", "electricity.contractual-instruments", Relation.STRICTER, True),  # none accepted
        ("catena-x", "eu-battery", "packaging.included", Relation.CONFLICTING, False),  # required vs excluded
        ("pas-2050", "catena-x", "gwp.ipcc-report", Relation.CONFLICTING, False),  # AR4 vs AR6
        ("pas-2050", "iso-14067", "gwp.ipcc-report", Relation.UNKNOWN, True),  # ISO 14067:2018 names no report seen
        ("pact-v3", "pef", "electricity.residual-mix", Relation.UNKNOWN, True),
        ("ghgp-product", "pact-v3", "verification.assurance-level", Relation.EQUIVALENT, True),  # both silent
    ],
)
def test_known_relations(
    cw: Crosswalks, a: str, b: str, requirement: str, relation: Relation, compatible: bool
) -> None:
    row = _row(cw, a, b, requirement)
    assert row.relation is relation  # type: ignore[attr-defined]
    assert row.compatible is compatible  # type: ignore[attr-defined]


def test_relations_are_dual_over_every_pair(cw: Crosswalks) -> None:
    mirror = {Relation.STRICTER: Relation.LOOSER, Relation.LOOSER: Relation.STRICTER}
    for a in cw.schemes:
        for b in cw.schemes:
            ab, ba = cw.relations[(a, b)], cw.relations[(b, a)]
            for x, y in zip(ab, ba, strict=True):
                assert y.relation is mirror.get(x.relation, x.relation), (a, b)


def test_a_scheme_is_equivalent_to_itself(cw: Crosswalks) -> None:
    assert {row.relation for row in compare(cw, "jp-sumpo", "jp-sumpo").rows} == {Relation.EQUIVALENT}


def test_text_shows_every_clause_and_marks_unchecked(cw: Crosswalks) -> None:
    cmp = compare(cw, "iso-14067", "catena-x")
    text = render_comparison(cmp, "text")
    for row in cmp.rows:
        assert f"[{row.a.cited}]" in text and f"[{row.b.cited}]" in text, row.requirement
    unchecked_sides = sum((not r.a.checked) + (not r.b.checked) for r in cmp.rows)
    assert unchecked_sides > 0
    assert text.count("[unchecked]]") == unchecked_sides


def test_json_rows_carry_clauses_checked_flags_and_marks(cw: Crosswalks) -> None:
    body = json.loads(render_comparison(compare(cw, "pact-v3", "catena-x"), "json"))
    assert len(body["rows"]) == len(cw.requirements)
    assert sum(body["counts"].values()) == len(cw.requirements)
    for row in body["rows"]:
        for side in (row["a"], row["b"]):
            assert side["clause"].endswith("[unchecked]") is (not side["checked"])
        assert row["checked"] is (row["a"]["checked"] and row["b"]["checked"])


def test_html_is_self_contained_escaped_and_marks_unchecked(cw: Crosswalks) -> None:
    cmp = compare(cw, "iso-14067", "pef")
    page = render_comparison(cmp, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and not re.search(r"""(src|href)=["']?https?:""", page)
    unchecked = sum((not r.a.checked) + (not r.b.checked) for r in cmp.rows)
    assert page.count('<span class="unchecked">[unchecked]</span>') == unchecked + 1  # + the legend
    assert "ISO 14044:2006 4.3.4.3" in page
    assert "&amp;" in render_comparison(compare(cw, "catena-x", "pef"), "html")  # "Catena-X & TfS" escaped


def test_unknown_scheme_and_format_are_input_errors(cw: Crosswalks) -> None:
    with pytest.raises(InputError, match="unknown scheme 'iso'"):
        compare(cw, "iso", "pef")
    with pytest.raises(InputError, match="unknown format"):
        render_comparison(compare(cw, "iso-14067", "pef"), "pdf")
