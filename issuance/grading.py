"""The grade of a declaration under its rule pack's bands, in exact decimals.

Bands are ordered by strictly increasing ``max`` (the pack loader checks this); a value
belongs to the first band whose ``max`` it does not exceed, and only the last band may be
open-ended. A value above a closed last band, a pack without bands, or a value that is
not a decimal is refused: a label never carries a grade the pack does not define.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from registry.errors import InputError, Location
from registry.packs import Grading


@dataclass(frozen=True)
class Graded:
    grade: str
    metric: str
    value: str  # the declaration's decimal text, unchanged
    unit: str | None


def _decimal(text: Any, pointer: str) -> Decimal:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError) as e:
        raise InputError(f"{text!r} is not a decimal number", Location(pointer=pointer)) from e
    if not value.is_finite():
        raise InputError(f"{text!r} is not a finite number", Location(pointer=pointer))
    return value


def grade(grading: Grading | None, declaration: Any, *, pack_ref: str) -> Graded:
    """Grade ``declaration`` (PACT v3 + extension) with ``grading``, or raise InputError."""
    if grading is None or not grading.bands:
        raise InputError(f"rule pack {pack_ref} defines no grading bands, so it cannot grade a label")
    pointer = f"/pcf/{grading.metric}"
    pcf = declaration.get("pcf") if isinstance(declaration, dict) else None
    if not isinstance(pcf, dict) or pcf.get(grading.metric) is None:
        raise InputError(f"the declaration has no {grading.metric}, which {pack_ref} grades", Location(pointer=pointer))
    text = pcf[grading.metric]
    value = _decimal(text, pointer)
    for band in grading.bands:
        if band.max is None or value <= Decimal(band.max):
            return Graded(grade=band.grade, metric=grading.metric, value=str(text), unit=grading.unit)
    top = grading.bands[-1]
    raise InputError(
        f"{grading.metric} {text} is above the last grading band of {pack_ref} ({top.grade}: up to {top.max}); "
        "the pack defines no grade for it",
        Location(pointer=pointer),
    )
