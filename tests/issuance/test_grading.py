from __future__ import annotations

import pytest

from issuance.grading import grade, grade_by_catalogue
from registry.errors import InputError
from registry.packs.rulepack import Grading, GradingBand

BANDS = Grading(
    metric="pcfExcludingBiogenicUptake",
    unit="kg CO2e per kg",
    bands=(GradingBand("A", "1.5"), GradingBand("B", "3"), GradingBand("C", None)),
)
CLOSED = Grading(metric="pcfExcludingBiogenicUptake", unit=None, bands=(GradingBand("A", "1"), GradingBand("B", "2")))


def _decl(value: object) -> dict[str, object]:
    return {"pcf": {"pcfExcludingBiogenicUptake": value}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("-4", "A"), ("0", "A"), ("1.5", "A"), ("1.5000000000000000001", "B"), ("3", "B"), ("3.01", "C"), ("1e9", "C")],
)
def test_band_edges_are_exact(value: str, expected: str) -> None:
    graded = grade(BANDS, _decl(value), pack_ref="x/y@1.0.0")
    assert graded.grade == expected
    assert graded.value == value


def test_value_above_a_closed_last_band_is_refused() -> None:
    assert grade(CLOSED, _decl("2"), pack_ref="x/y@1.0.0").grade == "B"
    with pytest.raises(InputError, match="above the last grading band") as e:
        grade(CLOSED, _decl("2.0001"), pack_ref="x/y@1.0.0")
    assert e.value.location is not None and e.value.location.pointer == "/pcf/pcfExcludingBiogenicUptake"


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", None])
def test_missing_or_non_decimal_values_name_the_field(bad: object) -> None:
    with pytest.raises(InputError) as e:
        grade(BANDS, _decl(bad), pack_ref="x/y@1.0.0")
    assert e.value.location is not None and e.value.location.pointer == "/pcf/pcfExcludingBiogenicUptake"


def test_pack_without_bands_gives_an_ungraded_result() -> None:
    """Issue 13: a pack without bands (the EU battery pack) gives a label without a grade, not a refusal."""
    graded = grade(None, _decl("1.25"), pack_ref="x/y@1.0.0")
    assert (graded.grade, graded.value, graded.catalogue, graded.illustrative) == (None, "1.25", None, False)
    with pytest.raises(InputError) as e:  # the value it states must still be a decimal
        grade(None, _decl("abc"), pack_ref="x/y@1.0.0")
    assert e.value.location is not None and e.value.location.pointer == "/pcf/pcfExcludingBiogenicUptake"


def test_pack_bands_are_illustrative_and_catalogue_bands_are_not() -> None:
    assert grade(BANDS, _decl("1"), pack_ref="x/y@1.0.0").illustrative
    graded = grade_by_catalogue(CLOSED.bands, CLOSED.metric, None, _decl("1.5"), catalogue_ref="authority/steel@1.0.0")
    assert (graded.grade, graded.catalogue, graded.illustrative) == ("B", "authority/steel@1.0.0", False)
    with pytest.raises(InputError, match=r"grading catalogue authority/steel@1\.0\.0"):
        grade_by_catalogue(CLOSED.bands, CLOSED.metric, None, _decl("9"), catalogue_ref="authority/steel@1.0.0")
