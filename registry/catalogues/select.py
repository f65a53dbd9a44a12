"""Which catalogue grades a label: the one in force on the issue date whose category matches the label's
pack, HS code and region. Several in force: the latest ``effective.from`` wins, then the highest version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

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


def transition_of(ref: str, catalogues: Iterable[Catalogue], on: date) -> dict[str, Any] | None:
    """What the transition rule says of a label graded under catalogue ``ref`` (``id@version``) on ``on``: None
    while its version is the newest of its catalogue in force; else the version now in force, its policy
    (``keep-until-expiry`` or ``regrade-by``), and for a re-grade its date and whether it has passed."""
    ident, _, version = ref.partition("@")
    current = [c for c in catalogues if c.id == ident and c.in_force(on)]
    if not current:
        return None
    newest = max(current, key=lambda c: (c.effective_from, precedence(c.version)))
    if precedence(newest.version) <= precedence(version):
        return None
    rule = newest.data["transition"]
    out: dict[str, Any] = {"graded_under": ref, "current": newest.ref, "policy": rule["policy"]}
    if rule["policy"] == "regrade-by":
        out["by"] = rule["by"]
        out["overdue"] = on > date.fromisoformat(rule["by"])
    return out
