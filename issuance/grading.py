"""The grade of a declaration, in exact decimals: under a grading catalogue's bands, the rule pack's own
(illustrative) bands, or none at all.

Bands are ordered by strictly increasing ``max`` (the pack and catalogue loaders check this); a value
belongs to the first band whose ``max`` it does not exceed, and only the last band may be open-ended.
A value above a closed last band, or a value that is not a decimal, is refused: a label never carries
a grade its bands do not define. A pack without bands and no catalogue in force gives an *ungraded*
label (issue 13): the value is still stated, with no grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from registry.errors import InputError, Location
from registry.packs import Grading, GradingBand

UNGRADED_METRIC = "pcfExcludingBiogenicUptake"  # what an ungraded label states (PACT v3's headline figure)


@dataclass(frozen=True)
class Graded:
    grade: str | None  # None: an ungraded label
    metric: str
    value: str  # the declaration's decimal text, unchanged
    unit: str | None
    catalogue: str | None = None  # the grading catalogue "id@version" that set the grade

    @property
    def illustrative(self) -> bool:
        """A grade from a rule pack's own example bands, not from an authority's catalogue."""
        return self.grade is not None and self.catalogue is None


def _decimal(text: Any, pointer: str) -> Decimal:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError) as e:
        raise InputError(f"{text!r} is not a decimal number", Location(pointer=pointer)) from e
    if not value.is_finite():
        raise InputError(f"{text!r} is not a finite number", Location(pointer=pointer))
    return value


def _metric_text(declaration: Any, metric: str, source: str) -> str:
    pointer = f"/pcf/{metric}"
    pcf = declaration.get("pcf") if isinstance(declaration, dict) else None
    if not isinstance(pcf, dict) or pcf.get(metric) is None:
        raise InputError(f"the declaration has no {metric}, which {source} grades", Location(pointer=pointer))
    text = pcf[metric]
    _decimal(text, pointer)
    return str(text)


def band_of(bands: Sequence[GradingBand], metric: str, text: str, *, source: str) -> str:
    """The grade of the band ``text`` falls in; InputError above a closed last band."""
    value = _decimal(text, f"/pcf/{metric}")
    for band in bands:
        if band.max is None or value <= Decimal(band.max):
            return band.grade
    top = bands[-1]
    raise InputError(
        f"{metric} {text} is above the last grading band of {source} ({top.grade}: up to {top.max}); "
        "it defines no grade for it",
        Location(pointer=f"/pcf/{metric}"),
    )


def grade(grading: Grading | None, declaration: Any, *, pack_ref: str) -> Graded:
    """Grade ``declaration`` (PACT v3 + extension) with the pack's own ``grading`` bands (illustrative), or
    give it no grade when the pack has none; InputError for a missing or unplaceable value."""
    if grading is None or not grading.bands:
        metric = grading.metric if grading is not None else UNGRADED_METRIC
        text = _metric_text(declaration, metric, f"a label under {pack_ref}")
        return Graded(grade=None, metric=metric, value=text, unit=grading.unit if grading else None)
    text = _metric_text(declaration, grading.metric, pack_ref)
    band = band_of(grading.bands, grading.metric, text, source=f"rule pack {pack_ref}")
    return Graded(grade=band, metric=grading.metric, value=text, unit=grading.unit)


def grade_by_catalogue(
    bands: Sequence[GradingBand], metric: str, unit: str | None, declaration: Any, *, catalogue_ref: str
) -> Graded:
    """Grade ``declaration`` with the bands a grading catalogue sets for its category (not illustrative)."""
    text = _metric_text(declaration, metric, f"grading catalogue {catalogue_ref}")
    band = band_of(bands, metric, text, source=f"grading catalogue {catalogue_ref}")
    return Graded(grade=band, metric=metric, value=text, unit=unit, catalogue=catalogue_ref)
