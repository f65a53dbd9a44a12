"""registry.supervision: regions and jurisdictions, reproducible draws, outcomes, the complaint life
cycle and the public form's checks (pure, no database)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from registry.errors import InputError, InputProblems
from registry.findings import Finding, Severity
from registry.storage.errors import Conflict
from registry.storage.models import ComplaintStateColumn, OrgKind, SampleOutcome
from registry.supervision import (
    ComplaintAction,
    ComplaintState,
    FormTokens,
    Outcome,
    check_complaint_form,
    check_outcome,
    covers,
    draw_sample,
    new_reference,
    next_state,
    parse_jurisdiction,
    parse_region,
    region_of,
    render_complaint_form,
)
from registry.supervision.complaints import FORM_TOKEN_TTL


def _decl(**pcf: Any) -> dict[str, Any]:
    return {"pcf": pcf}


@pytest.mark.parametrize(
    ("pcf", "region"),
    [
        ({"geographyCountry": "CN"}, "CN"),
        ({"geographyCountry": "cn"}, "CN"),
        ({"geographyCountrySubdivision": "CN-GD"}, "CN-GD"),
        ({"geographyCountrySubdivision": "CN-GD", "geographyCountry": "CN"}, "CN-GD"),
        ({"geographyRegionOrSubregion": "Europe"}, None),  # a UN M49 region is no ISO 3166 region
        ({"geographyCountry": "XX"}, None),  # not assigned
        ({}, None),
    ],
)
def test_region_of_a_declaration(pcf: dict[str, Any], region: str | None) -> None:
    assert region_of(_decl(**pcf)) == region


def test_region_of_something_that_is_no_declaration() -> None:
    assert region_of({"pcf": "x"}) is None and region_of([1]) is None


def test_a_country_covers_its_subdivisions_and_a_subdivision_only_itself() -> None:
    assert covers(["CN"], "CN") and covers(["CN"], "CN-GD")
    assert covers(["CN-GD"], "CN-GD") and not covers(["CN-GD"], "CN") and not covers(["CN-GD"], "CN-BJ")
    assert not covers(["CN"], "CNX") and not covers(["CN"], None) and not covers(["DE"], "CN")


def test_jurisdiction_regions_are_checked_against_iso_3166() -> None:
    assert parse_jurisdiction(["de-by", "CN", "CN"]) == ("CN", "DE-BY")
    assert parse_region(" gb ") == "GB"
    for bad in ("XX", "CN-ZZZ", "China", "", 5):
        with pytest.raises(InputError):
            parse_region(bad)
    with pytest.raises(InputError) as e:
        parse_jurisdiction(["CN", "Mars"])
    assert e.value.location.pointer == "/jurisdiction/1"
    with pytest.raises(InputError):
        parse_jurisdiction([])


def test_the_same_seed_and_population_draw_the_same_sample_in_any_order() -> None:
    ids = [f"L{i:015d}" for i in range(500)]
    first = draw_sample(ids, 20, "seed-1")
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    assert draw_sample(shuffled, 20, "seed-1") == first
    assert len(set(first)) == 20 and set(first) <= set(ids)
    assert draw_sample(ids, 20, "seed-2") != first  # another seed, another sample
    assert draw_sample(ids, 5, "seed-1") == first[:5]  # a smaller sample is a prefix of the larger
    assert sorted(draw_sample(ids[:3], 20, "seed-1")) == ids[:3]  # a small population is taken whole


def test_the_draw_is_pinned_to_its_documented_rule() -> None:
    """SHA-256(seed || 0x00 || id), lowest first: anyone can redo it from the recorded seed and ids."""
    import hashlib

    ids = ["A", "B", "C", "D"]
    expected = sorted(ids, key=lambda i: hashlib.sha256(b"s\x00" + i.encode()).digest())[:2]
    assert draw_sample(ids, 2, "s") == expected


@pytest.mark.parametrize(("size", "seed"), [(0, "s"), (1001, "s"), (1, ""), (1, "a b"), (1, "x" * 129)])
def test_bad_sizes_and_seeds_are_refused(size: int, seed: str) -> None:
    with pytest.raises(InputError):
        draw_sample(["A"], size, seed)


def _finding() -> Finding:
    return Finding(rule_id="reverify.value", severity=Severity.ERROR, path="/pcf/pCfExcludingBiogenic", message="x")


def test_outcomes_say_what_they_need() -> None:
    check_outcome(Outcome.CONFIRMED, [], None)
    check_outcome(Outcome.DISCREPANCY, [_finding()], None)
    check_outcome(Outcome.NOT_VERIFIABLE, [], "the plant closed")
    with pytest.raises(InputError):
        check_outcome(Outcome.DISCREPANCY, [], None)
    with pytest.raises(InputError):
        check_outcome(Outcome.CONFIRMED, [_finding()], None)
    with pytest.raises(InputError):
        check_outcome(Outcome.NOT_VERIFIABLE, [], " ")


def test_complaint_life_cycle() -> None:
    none = ComplaintAction.NONE
    assert next_state(ComplaintState.RECEIVED, ComplaintState.UNDER_REVIEW, none) is ComplaintState.UNDER_REVIEW
    assert next_state(ComplaintState.UNDER_REVIEW, ComplaintState.UPHELD, ComplaintAction.REVOKE)
    assert next_state(ComplaintState.UNDER_REVIEW, ComplaintState.REJECTED, none)
    for current, wanted in [
        (ComplaintState.RECEIVED, ComplaintState.UPHELD),
        (ComplaintState.UPHELD, ComplaintState.REJECTED),
        (ComplaintState.REJECTED, ComplaintState.UNDER_REVIEW),
    ]:
        with pytest.raises(Conflict):
            next_state(current, wanted, none)
    with pytest.raises(InputError):
        next_state(ComplaintState.UNDER_REVIEW, ComplaintState.REJECTED, ComplaintAction.SUSPEND)


def test_stored_enums_match_the_domain() -> None:
    assert [s.value for s in ComplaintStateColumn] == [s.value for s in ComplaintState]
    assert [s.value for s in SampleOutcome] == [s.value for s in Outcome]
    assert OrgKind("regulator") is OrgKind.REGULATOR


def test_references_are_distinct_and_readable() -> None:
    refs = {new_reference() for _ in range(200)}
    assert len(refs) == 200
    assert all(r.startswith("C-") and len(r) == 14 and not set(r[2:]) & set("ILOU") for r in refs)


def test_form_tokens_are_bound_to_label_address_and_time() -> None:
    tokens = FormTokens.derived_from(b"k" * 32)
    token = tokens.issue("ABC", "10.0.0.1", 1000.0)
    tokens.check(token, "abc", "10.0.0.1", 1000.0 + FORM_TOKEN_TTL)
    for label, address, now, tok in [
        ("ABD", "10.0.0.1", 1000.0, token),
        ("ABC", "10.0.0.2", 1000.0, token),
        ("ABC", "10.0.0.1", 1001.0 + FORM_TOKEN_TTL, token),
        ("ABC", "10.0.0.1", 999.0, token),  # from the future
        ("ABC", "10.0.0.1", 1000.0, ""),
        ("ABC", "10.0.0.1", 1000.0, "1000.00"),
        ("ABC", "10.0.0.1", 1000.0, "1000.\u00e9\u00e9"),  # not ASCII: refused, not a TypeError
        ("ABC", "10.0.0.1", 1000.0, FormTokens.derived_from(b"j" * 32).issue("ABC", "10.0.0.1", 1000.0)),
    ]:
        with pytest.raises(InputError):
            tokens.check(tok, label, address, now)


def test_the_form_is_checked_field_by_field() -> None:
    form = check_complaint_form({"category": "other", "text": " wrong grade ", "contact": "  ", "token": "t"})
    assert form.text == "wrong grade" and form.contact is None
    with pytest.raises(InputProblems) as e:
        check_complaint_form({"category": "nonsense", "text": "x" * 2001})
    pointers = sorted(p.location.pointer or "" for p in e.value.problems)
    assert pointers == ["/category", "/text"]


def test_the_form_page_escapes_what_it_echoes_and_runs_no_script() -> None:
    page = render_complaint_form(
        "ABC", token="t", action="/l/ABC/complaint", lang="zh", errors=["<b>"], values={"text": "</textarea><script>"}
    )
    assert "<script>" not in page and "&lt;/textarea&gt;&lt;script&gt;" in page and "&lt;b&gt;" in page
    assert 'lang="zh-CN"' in page and 'method="post"' in page
