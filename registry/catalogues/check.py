"""The meta check of a grading catalogue: what its schema cannot say, as findings with JSON pointers.

Like ``pcfreg packs check``, it runs before a catalogue can be published:

* the publisher is the namespace of the id, and an authority (``publisher_may_grade``);
* ``effective.until`` is after ``from``; a ``regrade-by`` date is not before ``from``;
* category ids are unique; no two categories grade the same (pack, HS prefix, region);
* bands: grades unique, limits strictly increasing, only the last band open; a share of a benchmark is
  positive and the benchmark positive; percentiles strictly increasing inside (0, 100), each with the
  limit the registry computed; the population a percentile catalogue rests on is at least
  :data:`registry.catalogues.stats.MIN_COMPANIES` companies and :data:`MIN_LABELS` labels, so that no
  company's value can be read back from the limits.

An error blocks publication; a warning is shown and kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from registry.catalogues.model import Catalogue, Category
from registry.catalogues.stats import MIN_COMPANIES, MIN_LABELS
from registry.findings import Finding, Severity

CLAUSE = "pcf-registry grading catalogue 1.0, meta check (docs/grading-catalogues.md)"
AUTHORITY_ROLES = frozenset({"regulator", "scheme-owner"})


def _err(rule: str, path: str, message: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule_id=f"catalogue.{rule}", severity=severity, path=path, message=message, clauses=(CLAUSE,))


def publisher_may_grade(org_kind: str | None, role: str) -> bool:
    """Whether an organisation of ``org_kind`` may publish a catalogue as ``role``: the one place that says
    who counts as an authority. A scheme owner is a ``standards-body`` organisation (the packs' publishers)
    or a regulator; a ``regulator`` role needs a ``regulator`` organisation (issue 13's supervision part adds
    that kind; until then only a scheme owner can publish)."""
    if role == "scheme-owner":
        return org_kind in ("standards-body", "regulator")
    return role == "regulator" and org_kind == "regulator"


def _header(c: Catalogue) -> Iterator[Finding]:
    publisher = c.data["publisher"]["id"]
    if publisher != c.namespace:
        yield _err("publisher", "/publisher/id", f"publisher {publisher!r} is not the namespace of {c.id!r}")
    until = c.effective_until
    if until is not None and until <= c.effective_from:
        yield _err("effective", "/effective/until", f"effective.until {until} is not after effective.from")
    transition = c.data["transition"]
    if transition["policy"] == "regrade-by" and transition["by"] < c.data["effective"]["from"]:
        yield _err("transition", "/transition/by", "labels cannot be re-graded before this version takes effect")


def _limits(cat: Category, path: str) -> Iterator[Finding]:
    bands = cat.data["basis"]["bands"]
    grades = [b["grade"] for b in bands]
    if len(set(grades)) != len(grades):
        yield _err("bands.grades", f"{path}/basis/bands", f"category {cat.id}: a grade appears twice")
    previous: Decimal | None = None
    for i, limit in enumerate(cat.limit(b) for b in bands):
        at = f"{path}/basis/bands/{i}"
        if limit is None:
            if i != len(bands) - 1:
                yield _err("bands.open", at, f"category {cat.id}: only the last band may be open")
            continue
        value = Decimal(limit)
        if previous is not None and value <= previous:
            yield _err("bands.order", at, f"category {cat.id}: limit {limit} is not above the band before")
        previous = value


def _benchmark(cat: Category, path: str) -> Iterator[Finding]:
    basis = cat.data["basis"]
    if Decimal(basis["benchmark"]["value"]) <= 0:
        yield _err("benchmark.value", f"{path}/basis/benchmark/value", "the benchmark must be positive")
    for i, band in enumerate(basis["bands"]):
        if "max_share" in band and Decimal(band["max_share"]) <= 0:
            yield _err("benchmark.share", f"{path}/basis/bands/{i}/max_share", "a share must be positive")


def _percentiles(cat: Category, path: str) -> Iterator[Finding]:
    basis = cat.data["basis"]
    last: Decimal | None = None
    for i, band in enumerate(basis["bands"]):
        at = f"{path}/basis/bands/{i}"
        if ("percentile" in band) != ("max" in band):
            yield _err("percentiles.max", at, "a closed band gives its percentile and the limit computed for it")
            continue
        if "percentile" not in band:
            continue
        p = Decimal(band["percentile"])
        if not 0 < p < 100 or (last is not None and p <= last):
            yield _err("percentiles.order", f"{at}/percentile", "percentiles rise strictly inside (0, 100)")
        last = p
    population = basis["population"]
    if population["companies"] < MIN_COMPANIES or population["labels"] < MIN_LABELS:
        yield _err(
            "percentiles.population",
            f"{path}/basis/population",
            f"limits from {population['labels']} labels of {population['companies']} companies could reveal a "
            f"company's value: at least {MIN_COMPANIES} companies and {MIN_LABELS} labels are needed",
        )


_BASIS_CHECKS = {"benchmark_share": _benchmark, "percentiles": _percentiles}


def _categories(c: Catalogue) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    claims: dict[tuple[str, str, str], str] = {}
    for i, cat in enumerate(c.categories):
        path = f"/categories/{i}"
        if cat.id in seen:
            yield _err("category.id", f"{path}/id", f"category id {cat.id!r} is also category {seen[cat.id]}")
        seen.setdefault(cat.id, i)
        yield from _limits(cat, path)
        check = _BASIS_CHECKS.get(cat.kind)
        if check is not None:
            yield from check(cat, path)
        yield from _overlaps(cat, path, claims)


def _overlaps(cat: Category, path: str, claims: dict[tuple[str, str, str], str]) -> Iterator[Finding]:
    match: Mapping[str, Any] = cat.data["match"]
    for key in _match_keys(match):
        if key in claims:
            yield _err("category.overlap", f"{path}/match", f"category {cat.id} grades what {claims[key]} grades")
        claims.setdefault(key, cat.id)


def _match_keys(match: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (pack, hs, region)
        for pack in match.get("packs", ["*"])
        for hs in match.get("hs", ["*"])
        for region in match.get("regions", ["*"])
    ]


def check_catalogue(catalogue: Catalogue) -> list[Finding]:
    """Every finding of the meta check, errors first."""
    findings = [*_header(catalogue), *_categories(catalogue)]
    return sorted(findings, key=Finding.sort_key)
