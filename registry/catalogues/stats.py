"""Category statistics from the registry's own labels: count, percentiles, trend, published only where at
least :data:`MIN_COMPANIES` companies and :data:`MIN_LABELS` labels stand behind them (issue 13), so
that no company's figure can be read back. The same floor guards percentile catalogues.

Percentiles are computed in exact decimals by linear interpolation between the closest ranks (the
"type 7" definition of Hyndman and Fan, 1996, the default of R and NumPy): for ``n`` sorted values and
``p`` in [0, 100], ``h = (n - 1) * p / 100``, the value is ``x[floor h] + (h - floor h) * (x[floor h + 1] -
x[floor h])``. A label whose company is unknown (issued before labels recorded it) is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from registry.catalogues.model import decimal_text

MIN_COMPANIES = 5
MIN_LABELS = 10
DEFAULT_PERCENTILES = ("10", "25", "50", "75", "90")
_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Observation:
    """One label's figure: the declaring company, the value it states, the day it was issued."""

    company: str | None
    value: Decimal
    issued_on: date


def percentile(values: Sequence[Decimal], p: Decimal) -> Decimal:
    """The ``p``-th percentile (0-100) of ``values`` (sorted, not empty), type 7, exact then rounded to 6 places."""
    if not values:
        raise ValueError("no values")
    h = (len(values) - 1) * p / 100
    low = int(h)
    if low + 1 >= len(values):
        return values[-1]
    result = values[low] + (h - low) * (values[low + 1] - values[low])
    return result.quantize(_PLACES, rounding=ROUND_HALF_EVEN).normalize() if result != 0 else Decimal(0)


def counted(observations: Iterable[Observation]) -> list[Observation]:
    return [o for o in observations if o.company]


def enough(observations: Sequence[Observation]) -> bool:
    """At least MIN_COMPANIES distinct companies and MIN_LABELS labels (of known companies)."""
    rows = counted(observations)
    return len(rows) >= MIN_LABELS and len({o.company for o in rows}) >= MIN_COMPANIES


def _figures(rows: Sequence[Observation], percentiles: Sequence[str]) -> dict[str, Any]:
    values = sorted(o.value for o in rows)
    return {
        "labels": len(rows),
        "companies": len({o.company for o in rows}),
        "percentiles": {p: decimal_text(percentile(values, Decimal(p))) for p in percentiles},
    }


def category_statistics(
    category: str, observations: Iterable[Observation], *, percentiles: Sequence[str] = DEFAULT_PERCENTILES
) -> dict[str, Any]:
    """The statistics of one category, or ``published: false`` with no figure at all when too few stand behind
    them. The trend gives one entry per calendar year of issue, each under the same floor (a year below it
    is listed as withheld)."""
    rows = counted(observations)
    floor = {"min_companies": MIN_COMPANIES, "min_labels": MIN_LABELS}
    if not enough(rows):
        return {"category": category, "published": False, "floor": floor}
    years = sorted({o.issued_on.year for o in rows})
    trend = []
    for year in years:
        of_year = [o for o in rows if o.issued_on.year == year]
        entry: dict[str, Any] = {"year": year, "published": enough(of_year)}
        if entry["published"]:
            entry |= _figures(of_year, ("50",))
        trend.append(entry)
    return {"category": category, "published": True, "floor": floor, **_figures(rows, percentiles), "trend": trend}
