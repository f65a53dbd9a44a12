"""Category statistics and percentile limits from the registry's own labels, published only above the floor of
5 companies and 10 labels (issue 13): both sides of each threshold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry.catalogues import MIN_COMPANIES, MIN_LABELS, Observation, category_statistics, compute_draft, percentile
from registry.errors import InputError


def _obs(labels: int, companies: int, year: int = 2026) -> list[Observation]:
    return [Observation(f"company-{i % companies}", Decimal(100 + i), date(year, 3, 1)) for i in range(labels)]


def test_the_floor_is_five_companies_and_ten_labels() -> None:
    assert (MIN_COMPANIES, MIN_LABELS) == (5, 10)


@pytest.mark.parametrize(
    ("labels", "companies", "published"), [(10, 5, True), (9, 5, False), (10, 4, False), (40, 4, False)]
)
def test_statistics_are_published_only_above_the_floor(labels: int, companies: int, published: bool) -> None:
    stats = category_statistics("x/y", _obs(labels, companies))
    assert stats["published"] is published
    if not published:
        assert set(stats) == {"category", "published", "floor"}  # no count, no figure
    else:
        assert stats["labels"] == labels and stats["companies"] == companies and "50" in stats["percentiles"]


def test_labels_of_unknown_companies_do_not_count() -> None:
    rows = [*_obs(10, 5)[:9], Observation(None, Decimal(1), date(2026, 3, 1))]
    assert category_statistics("x/y", rows)["published"] is False


def test_the_trend_withholds_a_year_below_the_floor() -> None:
    stats = category_statistics("x/y", _obs(10, 5, 2025) + _obs(4, 4, 2026))
    assert stats["published"] is True
    assert [(t["year"], t["published"]) for t in stats["trend"]] == [(2025, True), (2026, False)]
    assert "percentiles" not in stats["trend"][1]


def test_percentiles_are_exact_type_7() -> None:
    values = [Decimal(v) for v in ("1", "2", "3", "4", "10")]
    assert percentile(values, Decimal(50)) == Decimal(3)
    assert percentile(values, Decimal(90)) == Decimal("7.6")  # 4 + 0.6 * (10 - 4)
    assert percentile(values, Decimal(0)) == 1 and percentile(values, Decimal(100)) == 10


def _template(cutoff: str = "2026-06-30") -> dict[str, object]:
    return {
        "categories": [
            {
                "id": "c",
                "match": {"packs": ["x/y"]},
                "basis": {
                    "kind": "percentiles",
                    "cutoff": cutoff,
                    "bands": [{"grade": "A", "percentile": "50"}, {"grade": "B"}],
                },
            }
        ]
    }


def test_compute_freezes_limits_from_the_labels_up_to_the_cutoff() -> None:
    rows = [*_obs(10, 5), Observation("late", Decimal(10**6), date(2026, 7, 1))]
    seen = []

    def source(match: object, cutoff: date) -> list[Observation]:
        seen.append((match, cutoff))
        return rows

    draft = compute_draft(_template(), source)
    basis = draft["categories"][0]["basis"]  # type: ignore[index]
    assert basis["bands"][0]["max"] == "104.5" and basis["population"] == {"labels": 10, "companies": 5}
    assert seen == [({"packs": ["x/y"]}, date(2026, 6, 30))]


def test_compute_refuses_below_the_floor() -> None:
    with pytest.raises(InputError, match="at least 5 companies and 10 labels"):
        compute_draft(_template(), lambda m, c: _obs(10, 4))
