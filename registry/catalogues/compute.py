"""A percentile catalogue's limits, computed from the values certified in this registry up to a cut-off date
and frozen into a draft version (``pcfreg catalogues compute``, ``POST /v1/catalogues/compute``).

The template is a catalogue document whose ``percentiles`` categories give their cut-off and each band's
percentile; the draft is the same document with each band's ``max`` and the ``population`` filled in. A
category with too few labels or companies behind it (:func:`registry.catalogues.stats.enough`) is refused:
its limits could reveal one company's value.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from registry.catalogues.model import decimal_text
from registry.catalogues.stats import MIN_COMPANIES, MIN_LABELS, Observation, counted, enough, percentile
from registry.errors import InputError, Location

ObservationSource = Callable[[Mapping[str, Any], date], Iterable[Observation]]
"""The labels a category's ``match`` selects, issued up to the cut-off date (inclusive)."""


def _fill(category: dict[str, Any], rows: list[Observation], pointer: str) -> None:
    if not enough(rows):
        companies = len({o.company for o in rows})
        raise InputError(
            f"category {category['id']}: {len(rows)} labels of {companies} companies up to the cut-off; percentiles "
            f"need at least {MIN_COMPANIES} companies and {MIN_LABELS} labels",
            Location(pointer=pointer),
        )
    values = sorted(o.value for o in rows)
    for band in category["basis"]["bands"]:
        if "percentile" in band:
            band["max"] = decimal_text(percentile(values, Decimal(band["percentile"])))
    category["basis"]["population"] = {"labels": len(rows), "companies": len({o.company for o in rows})}


def compute_draft(template: Mapping[str, Any], source: ObservationSource) -> dict[str, Any]:
    """The draft catalogue: ``template`` with every percentile category's limits computed and frozen."""
    draft = copy.deepcopy(dict(template))
    for i, category in enumerate(draft.get("categories", [])):
        basis = category.get("basis", {})
        if basis.get("kind") != "percentiles":
            continue
        cutoff = date.fromisoformat(basis["cutoff"])
        rows = counted(source(category["match"], cutoff))
        _fill(category, [o for o in rows if o.issued_on <= cutoff], f"/categories/{i}")
    return draft
