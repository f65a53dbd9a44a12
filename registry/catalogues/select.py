"""Which catalogue grades a label: the one in force on the issue date whose category matches the label's
pack, HS code and region. Several in force: the latest ``effective.from`` wins, then the highest version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from registry.catalogues.model import Catalogue, Category
from registry.semver import precedence


def catalogue_in_force(
    catalogues: Iterable[Catalogue], *, pack_id: str, hs_codes: Sequence[str], region: str | None, on: date
) -> tuple[Catalogue, Category] | None:
    found = []
    for catalogue in catalogues:
        if not catalogue.in_force(on):
            continue
        category = catalogue.category_for(pack_id, hs_codes, region)
        if category is not None:
            found.append((catalogue, category))
    if not found:
        return None
    return max(found, key=lambda pair: (pair[0].effective_from, precedence(pair[0].version)))
