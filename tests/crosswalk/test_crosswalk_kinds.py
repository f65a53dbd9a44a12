"""The value kinds' algebra: relations are consistent with what studies they accept.

For every kind: a value is equivalent to itself; "b stricter than a" mirrors "a looser than b";
a study meeting a stricter-or-equivalent value meets the other; equivalent values accept the same
studies; values marked incompatible share no study; ``decides`` never contradicts ``satisfies``.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.crosswalk.kinds import BadValue, CodesKind, Kind, LevelKind, NumberKind, PresenceKind, Relation, SetKind

OPTIONS = ["a", "b", "c", "d", "e"]
REFINES = {"b": "a", "c": "b", "e": "d"}


def _sets(min_size: int = 1) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(OPTIONS), min_size=min_size, max_size=4)


CASES: list[tuple[str, Kind, st.SearchStrategy[Any], st.SearchStrategy[Any]]] = [
    ("set-one", SetKind(OPTIONS, match="one", refines=REFINES), _sets(), _sets().map(lambda s: frozenset([min(s)]))),
    ("set-one-universal", SetKind([*OPTIONS, "u"], match="one", refines=REFINES, universal=["u"]), _sets(),
     st.sampled_from([*OPTIONS, "u"]).map(lambda x: frozenset([x]))),
    ("set-all", SetKind(OPTIONS, match="all", refines=REFINES), _sets(), _sets()),
    ("set-all-empty", SetKind(OPTIONS, match="all", allow_empty=True), _sets(0), _sets(0)),
    ("set-any", SetKind(OPTIONS, match="any", refines=REFINES), _sets(), _sets()),
    ("number-max", NumberKind("max", "%"), st.integers(0, 10).map(float), st.integers(0, 10).map(float)),
    ("number-min", NumberKind("min", "%"), st.integers(0, 10).map(float), st.integers(0, 10).map(float)),
    ("level", LevelKind(["none", "low", "high"]), st.integers(0, 2), st.integers(0, 2)),
    ("presence", PresenceKind(), st.sampled_from(["required", "recommended", "optional", "excluded"]), st.booleans()),
    ("codes", CodesKind(), st.frozensets(st.sampled_from(["85", "8507", "850760", "76", "7601"]), min_size=1),
     st.frozensets(st.sampled_from(["850760", "850710", "760110", "720810"]), min_size=1)),
]  # fmt: skip
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("name", "kind", "values", "facts"), CASES, ids=IDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_relations_agree_with_the_studies_they_accept(
    name: str, kind: Kind, values: Any, facts: Any, data: Any
) -> None:
    a, b, fact = data.draw(values), data.draw(values), data.draw(facts)
    ab, ba = kind.compare(a, b), kind.compare(b, a)
    assert kind.compare(a, a).relation is Relation.EQUIVALENT
    mirror = {Relation.STRICTER: Relation.LOOSER, Relation.LOOSER: Relation.STRICTER}
    assert ba.relation is mirror.get(ab.relation, ab.relation)
    assert ab.compatible == ba.compatible
    meets_a, meets_b = kind.satisfies(a, fact), kind.satisfies(b, fact)
    if ab.relation in (Relation.STRICTER, Relation.EQUIVALENT) and meets_b:
        assert meets_a, f"{name}: {fact} meets the stricter {b} but not {a}"
    if ab.relation is Relation.EQUIVALENT:
        assert meets_a == meets_b
    if not ab.compatible:
        assert ab.relation is Relation.CONFLICTING
        assert not (meets_a and meets_b), f"{name}: {fact} meets both {a} and {b}, called incompatible"
    verdict = kind.decides(a, fact)
    assert verdict is None or verdict == meets_a
    if meets_a:
        assert verdict is True


def test_refinement_makes_the_refined_procedure_stricter() -> None:
    kind = SetKind(OPTIONS, match="one", refines=REFINES)
    assert kind.compare(frozenset("a"), frozenset("c")).relation is Relation.STRICTER
    assert kind.compare(frozenset("a"), frozenset("d")).relation is Relation.CONFLICTING
    assert not kind.compare(frozenset("a"), frozenset("d")).compatible
    assert kind.decides(frozenset("c"), frozenset("a")) is None  # following "a" may or may not mean "c"
    assert kind.decides(frozenset("c"), frozenset("d")) is False
    assert kind.decides(frozenset("a"), frozenset("c")) is True


def test_presence_orders_modalities() -> None:
    kind = PresenceKind()
    assert kind.compare("optional", "required").relation is Relation.STRICTER
    assert kind.compare("optional", "recommended").relation is Relation.STRICTER
    assert kind.compare("excluded", "optional").relation is Relation.LOOSER
    clash = kind.compare("required", "excluded")
    assert clash.relation is Relation.CONFLICTING and not clash.compatible
    assert kind.trivial("optional") and not kind.trivial("required")


def test_numbers_and_levels_by_direction() -> None:
    assert NumberKind("max", "%").compare(5.0, 3.0).relation is Relation.STRICTER
    assert NumberKind("min", "%").compare(5.0, 3.0).relation is Relation.LOOSER
    assert NumberKind("max", "%").show(3.0) == "at most 3 %"
    assert LevelKind(["none", "limited", "reasonable"]).compare(1, 2).relation is Relation.STRICTER


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (SetKind(OPTIONS, match="one"), "z"),
        (SetKind(OPTIONS, match="one"), ["a", "b"]),
        (NumberKind("max", "%"), True),
        (NumberKind("max", "%"), "1e999"),
        (NumberKind("max", "%"), "three"),
        (LevelKind(["x", "y"]), "z"),
        (PresenceKind(), "yes"),
        (CodesKind(), 7601),
    ],
)
def test_bad_facts_raise_bad_value_only(kind: Kind, raw: Any) -> None:
    with pytest.raises(BadValue):
        kind.fact(raw)


@settings(max_examples=200, deadline=None)
@given(
    raw=st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5), lambda c: st.lists(c, max_size=3))
)
def test_fact_conversion_raises_nothing_but_bad_value(raw: Any) -> None:
    for _, kind, _, _ in CASES:
        with contextlib.suppress(BadValue):
            kind.fact_of(raw)
