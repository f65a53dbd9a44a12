"""Grading catalogues as data (issue 13): schema, meta check, bands per basis, signing, selection, diff."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from catalogue_support import AL, benchmark_category, catalogue, fixed_category, percentile_category

from registry.catalogues import (
    Catalogue,
    CatalogueError,
    catalogue_from_data,
    catalogue_in_force,
    check_catalogue,
    diff_catalogues,
    publisher_may_grade,
    render_catalogue_page,
    sign_catalogue,
    verify_signed_catalogue,
)
from registry.packs.signing import TrustedKeys, generate_keypair, load_private_key
from registry.signed import DigestMismatch


def _rules(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f.rule_id, f.path) for f in check_catalogue(catalogue_from_data(doc))}


def test_every_basis_reads_and_passes_the_meta_check() -> None:
    doc = catalogue(fixed_category(), benchmark_category(), percentile_category(match={"packs": ["x/other"]}))
    assert _rules(doc) == set()


def test_benchmark_bands_are_shares_of_the_benchmark_in_exact_decimals() -> None:
    cat = Catalogue(catalogue(benchmark_category())).categories[0]
    assert [(b.grade, b.max) for b in cat.bands] == [("T1", "8000"), ("T2", "14400"), ("T3", None)]


@pytest.mark.parametrize(
    ("basis_patch", "missing"),
    [
        ({"source": {"title": "a text"}}, "locator"),  # a fixed threshold cites its table
        ({"source": None}, "source"),
    ],
)
def test_fixed_thresholds_need_their_source_and_locator(basis_patch: dict[str, Any], missing: str) -> None:
    category = fixed_category()
    category["basis"] = {k: v for k, v in (category["basis"] | basis_patch).items() if v is not None}
    with pytest.raises(CatalogueError) as e:
        catalogue_from_data(catalogue(category))
    assert any(missing in p.message or missing in (p.location.pointer or "") for p in [e.value, *e.value.problems])


def test_the_meta_check_names_each_fault_by_pointer() -> None:
    bad = fixed_category()
    bad["basis"]["bands"] = [{"grade": "1", "max": "5"}, {"grade": "1"}, {"grade": "2", "max": "4"}]
    doc = catalogue(
        bad,
        fixed_category(id="aluminium-ingot"),
        effective={"from": "2026-01-01", "until": "2025-01-01"},
        transition={"policy": "regrade-by", "by": "2025-06-30"},
        publisher={"id": "someone-else", "name": {"en": "X", "zh": "X"}, "role": "scheme-owner"},
    )
    assert {
        ("catalogue.bands.grades", "/categories/0/basis/bands"),
        ("catalogue.bands.open", "/categories/0/basis/bands/1"),
        ("catalogue.category.id", "/categories/1/id"),
        ("catalogue.category.overlap", "/categories/1/match"),
        ("catalogue.effective", "/effective/until"),
        ("catalogue.transition", "/transition/by"),
        ("catalogue.publisher", "/publisher/id"),
    } <= _rules(doc)


def test_percentiles_need_the_disclosure_floor_and_rising_limits() -> None:
    few = percentile_category()
    few["basis"]["population"] = {"labels": 9, "companies": 5}
    assert ("catalogue.percentiles.population", "/categories/0/basis/population") in _rules(catalogue(few))
    few["basis"]["population"] = {"labels": 10, "companies": 4}
    assert ("catalogue.percentiles.population", "/categories/0/basis/population") in _rules(catalogue(few))
    few["basis"]["population"] = {"labels": 10, "companies": 5}
    few["basis"]["bands"][1]["percentile"] = "20"
    assert ("catalogue.percentiles.order", "/categories/0/basis/bands/1/percentile") in _rules(catalogue(few))
    del few["basis"]["bands"][0]["max"]
    assert ("catalogue.percentiles.max", "/categories/0/basis/bands/0") in _rules(catalogue(few))


def test_signed_and_verified_and_a_changed_figure_is_caught() -> None:
    pem, jwk = generate_keypair(publisher="example-standards-body")
    envelope = sign_catalogue(Catalogue(catalogue()), load_private_key(pem), "example-standards-body")
    keys = TrustedKeys.from_json({"keys": [jwk]})
    assert verify_signed_catalogue(envelope, keys).catalogue.ref == "example-standards-body/test-grades@1.0.0"
    envelope["catalogue"]["categories"][0]["basis"]["bands"][0]["max"] = "9000"
    with pytest.raises(DigestMismatch):
        verify_signed_catalogue(envelope, keys)


def test_the_catalogue_in_force_for_the_category_on_the_date() -> None:
    old = Catalogue(catalogue())
    new = Catalogue(catalogue(version="1.1.0", effective={"from": "2026-07-01"}))
    bench = Catalogue(catalogue(benchmark_category(), id="example-standards-body/bench"))
    pick = catalogue_in_force
    assert pick([old, new], pack_id=AL, hs_codes=[], region=None, on=date(2026, 6, 30))[0] is old  # type: ignore[index]
    assert pick([old, new], pack_id=AL, hs_codes=[], region=None, on=date(2026, 7, 1))[0] is new  # type: ignore[index]
    assert pick([old], pack_id=AL, hs_codes=[], region=None, on=date(2025, 12, 31)) is None
    assert pick([old], pack_id="x/other", hs_codes=[], region=None, on=date(2026, 7, 1)) is None
    assert pick([bench], pack_id="x/y", hs_codes=["7601.10"], region="CN-XJ", on=date(2026, 7, 1)) is not None
    assert pick([bench], pack_id="x/y", hs_codes=["7601.10"], region="DE", on=date(2026, 7, 1)) is None
    assert pick([bench], pack_id="x/y", hs_codes=["7602"], region="CN", on=date(2026, 7, 1)) is None


def test_diff_shows_each_changed_limit_and_header() -> None:
    old = Catalogue(catalogue())
    changed = catalogue(version="1.1.0", transition={"policy": "regrade-by", "by": "2026-12-31"})
    changed["categories"][0]["basis"]["bands"][1]["max"] = "12000"
    changes = diff_catalogues(old, Catalogue(changed))
    assert {(c["path"], str(c["before"]), str(c["after"])) for c in changes} >= {
        ("/categories/aluminium-ingot/bands/2", "15000", "12000"),
    }
    assert any(c["path"] == "/transition" for c in changes)


def test_who_may_set_grades_is_decided_in_one_place() -> None:
    assert publisher_may_grade("standards-body", "scheme-owner")
    assert publisher_may_grade("regulator", "regulator") and publisher_may_grade("regulator", "scheme-owner")
    assert not publisher_may_grade("standards-body", "regulator")
    assert not publisher_may_grade("certifier", "scheme-owner") and not publisher_may_grade("platform", "regulator")


@pytest.mark.parametrize(
    ("lang", "words"), [("en", ("Set by", "In force since", "Up to")), ("zh", ("设定者", "生效日期", "上限"))]
)
def test_the_public_page_explains_the_scale_without_script(lang: str, words: tuple[str, ...]) -> None:
    page = render_catalogue_page(Catalogue(catalogue(fixed_category(), benchmark_category())), lang=lang)  # type: ignore[arg-type]
    assert all(w in page for w in words) and "<script" not in page
    assert "Table 1 (test)" in page and "14400" in page and "2026-01-01" in page
    assert Decimal("8000") == Decimal(Catalogue(catalogue(benchmark_category())).categories[0].bands[0].max or 0)


def test_the_transition_rule_of_a_newer_version() -> None:
    from registry.catalogues import transition_of

    v1 = Catalogue(catalogue())
    keep = Catalogue(catalogue(version="1.1.0", effective={"from": "2026-07-01"}))
    regrade = Catalogue(
        catalogue(
            version="1.1.0", effective={"from": "2026-07-01"}, transition={"policy": "regrade-by", "by": "2026-09-30"}
        )
    )
    ref = v1.ref
    assert transition_of(ref, [v1, keep], date(2026, 6, 30)) is None  # 1.1.0 not in force yet
    assert transition_of(ref, [v1, keep], date(2026, 7, 1)) == {
        "graded_under": ref,
        "current": "example-standards-body/test-grades@1.1.0",
        "policy": "keep-until-expiry",
    }
    assert transition_of(ref, [v1, regrade], date(2026, 9, 30))["overdue"] is False  # type: ignore[index]
    assert transition_of(ref, [v1, regrade], date(2026, 10, 1))["overdue"] is True  # type: ignore[index]
    assert transition_of(keep.ref, [v1, keep], date(2026, 7, 1)) is None  # graded under the current version
