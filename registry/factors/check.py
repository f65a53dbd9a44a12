"""The meta check of a factor set: what its schema cannot say, as findings with JSON pointers.

Like ``pcfreg packs check`` for packs, this runs before a set can be published:

* every activity unit resolves (:mod:`registry.units`);
* CO2e equals the sum of the gases times the cited GWP table, and the sum of ``co2eByGas`` and of
  ``co2eParts``, within the set's tolerance (default 0.5 %);
* regions are ISO 3166-1/-2 codes, ``GLO``, or named regions the set declares;
* no duplicate factor id, no duplicate (activity, unit, region, year, boundary);
* every record cites one of the set's sources;
* a GWP table is shaped as one (kg of gas, characterisation, cites no other table);
* the licence allows publication.

An error blocks publication; a warning is shown and kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from registry.factors.model import FactorRecord, FactorSet, decimal_text
from registry.findings import Finding, Severity
from registry.units import is_unit

CLAUSE = "pcf-registry factor set 1.0, meta check (docs/factorsets.md)"
GwpLookup = Callable[[str], FactorSet | None]
"""Finds a GWP table by ``id@version``; None when the registry does not hold it."""


@dataclass(frozen=True)
class _Ctx:
    fs: FactorSet
    gwp: dict[str, Decimal] | None
    for_publication: bool


def _finding(rule: str, severity: Severity, path: str, message: str) -> Finding:
    return Finding(rule_id=f"factorset.{rule}", severity=severity, path=path, message=message, clauses=(CLAUSE,))


def _err(rule: str, path: str, message: str) -> Finding:
    return _finding(rule, Severity.ERROR, path, message)


def _relative_gap(value: Decimal, computed: Decimal) -> Decimal:
    if value == 0:
        return abs(computed)
    return abs(value - computed) / abs(value)


@cache
def _iso_codes() -> frozenset[str]:
    import pycountry

    codes = {c.alpha_2 for c in pycountry.countries}
    codes.update(s.code for s in pycountry.subdivisions)
    return frozenset(codes)


def _region_known(region: str, named: set[str]) -> bool:
    if region.startswith("grid:"):
        return region in named
    return region == "GLO" or region in _iso_codes()


def check_factor_set(fs: FactorSet, gwp_lookup: GwpLookup, *, for_publication: bool = True) -> list[Finding]:
    """Every finding of the meta check, in document order."""
    ctx = _Ctx(fs, _gwp_values(fs, gwp_lookup), for_publication)
    out = list(_header(ctx, gwp_lookup))
    out.extend(_uniqueness(fs))
    for i, record in enumerate(fs.records):
        for rule in _RECORD_RULES:
            out.extend(rule(ctx, record, f"/records/{i}"))
    return out


def _gwp_values(fs: FactorSet, gwp_lookup: GwpLookup) -> dict[str, Decimal] | None:
    table = gwp_lookup(fs.gwp) if fs.gwp else None
    return None if table is None else {r.id: r.value for r in table.records}


# --- the header -----------------------------------------------------------------------------------


def _header(ctx: _Ctx, gwp_lookup: GwpLookup) -> Iterator[Finding]:
    fs = ctx.fs
    yield from _licence(ctx)
    yield from _dates(fs)
    yield from _sources(fs)
    yield from _regions(fs)
    if fs.kind == "gwp-table" and fs.gwp:
        yield _err("gwp-table.cites-gwp", "/gwp", "a GWP table does not cite another GWP table")
    if fs.kind == "emission-factors" and fs.gwp and ctx.gwp is None:
        yield _err(
            "gwp.unresolved",
            "/gwp",
            f"the GWP table {fs.gwp} is not in this registry: publish it first",
        )
    elif fs.gwp and (table := gwp_lookup(fs.gwp)) is not None and table.kind != "gwp-table":
        yield _err("gwp.not-a-table", "/gwp", f"{fs.gwp} is a {table.kind} set, not a gwp-table")


def _licence(ctx: _Ctx) -> Iterator[Finding]:
    if not ctx.fs.redistributable:
        severity = Severity.ERROR if ctx.for_publication else Severity.WARNING
        yield _finding(
            "licence.not-redistributable",
            severity,
            "/licence/redistributable",
            "the licence does not allow publishing these figures: import the set into a private namespace instead",
        )


def _dates(fs: FactorSet) -> Iterator[Finding]:
    until = fs.effective_until
    if until is not None and until <= fs.effective_from:
        yield _err("effective.order", "/effective/until", "effective.until is not after effective.from")
    period = fs.header.get("period")
    if period and period["to"] < period["from"]:
        yield _err("period.order", "/period/to", "period.to is before period.from")


def _sources(fs: FactorSet) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, source in enumerate(fs.header["sources"]):
        if source["id"] in seen:
            yield _err("source.duplicate-id", f"/sources/{i}/id", f"source id {source['id']!r} repeats")
        seen.add(source["id"])


def _regions(fs: FactorSet) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, region in enumerate(fs.header.get("regions", ())):
        if region["id"] in seen:
            yield _err("region.duplicate-id", f"/regions/{i}/id", f"region {region['id']!r} repeats")
        seen.add(region["id"])
        for j, member in enumerate(region["members"]):
            if not _region_known(member, set()):
                path = f"/regions/{i}/members/{j}"
                yield _err("region.unknown", path, f"{member!r} is not an ISO 3166-1/-2 code")


# --- records --------------------------------------------------------------------------------------


def _uniqueness(fs: FactorSet) -> Iterator[Finding]:
    ids: dict[str, int] = {}
    keys: dict[tuple[str, str, str, int, str | None], int] = {}
    for i, r in enumerate(fs.records):
        if r.id in ids:
            msg = f"factor id {r.id!r} repeats (first at /records/{ids[r.id]})"
            yield _err("record.duplicate-id", f"/records/{i}/id", msg)
        ids.setdefault(r.id, i)
        key = (r.activity, r.unit, r.region, r.year, r.boundary)
        if key in keys:
            msg = (
                f"another record (/records/{keys[key]}) has the same activity, unit, region, year and boundary "
                f"({r.activity}, {r.unit}, {r.region}, {r.year}, {r.boundary or 'no boundary'})"
            )
            yield _err("record.duplicate-key", f"/records/{i}", msg)
        keys.setdefault(key, i)


def _unit(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    if not is_unit(r.unit):
        yield _err("unit.unknown", f"{at}/unit", f"unit {r.unit!r} does not resolve to a known unit")
    if ctx.fs.kind == "gwp-table" and r.unit != "kg":
        yield _err("gwp-table.unit", f"{at}/unit", "a GWP table gives kg CO2e per kg of gas: unit kg")


def _region(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    if not _region_known(r.region, set(ctx.fs.regions)):
        hint = "declare it in the set's regions" if r.region.startswith("grid:") else "not an ISO 3166-1/-2 code"
        yield _err("region.unknown", f"{at}/region", f"region {r.region!r} is unknown: {hint}")


def _source(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    if r.source_ref not in {s["id"] for s in ctx.fs.header["sources"]}:
        msg = f"cites source {r.source_ref!r}, which the set's sources do not list"
        yield _err("source.unknown", f"{at}/source/ref", msg)


def _gwp_shape(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    if ctx.fs.kind == "gwp-table" and r.boundary != "characterisation":
        yield _err("gwp-table.boundary", f"{at}/boundary", "a GWP record's boundary is characterisation")


def _gases(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    if not r.gases:
        return
    if ctx.fs.gwp is None:
        yield _err("gwp.missing", f"{at}/gases", "the record gives gases but the set cites no GWP table")
        return
    if ctx.gwp is None:
        return  # reported once on /gwp
    unknown = [g for g in r.gases if g not in ctx.gwp]
    for gas in unknown:
        yield _err("gwp.unknown-gas", f"{at}/gases/{gas}", f"{ctx.fs.gwp} has no GWP for {gas!r}")
    if not unknown:
        computed = sum((amount * ctx.gwp[g] for g, amount in r.gases.items()), Decimal(0))
        yield from _sum_check(ctx, "gwp.sum", f"{at}/value", r.value, computed, "the gases times their GWP")


def _sums(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    if r.co2e_by_gas:
        total = sum(r.co2e_by_gas.values(), Decimal(0))
        yield from _sum_check(ctx, "co2e-by-gas.sum", f"{at}/value", r.value, total, "co2eByGas")
    parts = r.co2e_parts or {}
    if {"fossil", "biogenic", "landUse"} <= parts.keys():
        yield from _sum_check(ctx, "parts.sum", f"{at}/value", r.value, sum(parts.values(), Decimal(0)), "co2eParts")


def _sum_check(ctx: _Ctx, rule: str, path: str, value: Decimal, computed: Decimal, what: str) -> Iterator[Finding]:
    gap = _relative_gap(value, computed)
    if gap > ctx.fs.tolerance:
        msg = (
            f"value {decimal_text(value)} differs from the sum of {what} ({decimal_text(computed)}) by "
            f"{decimal_text(round(gap * 100, 3))} %, "
            f"more than the set's tolerance of {decimal_text(ctx.fs.tolerance * 100)} %"
        )
        yield _finding(rule, Severity.ERROR, path, msg)


def _sign(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    if r.value < 0 and ctx.fs.kind == "emission-factors":
        yield _finding(
            "value.negative", Severity.WARNING, f"{at}/value", "a negative factor: is this a removal? say so in notes"
        )
    if ctx.fs.kind == "gwp-table" and r.value <= 0:
        yield _err("gwp-table.value", f"{at}/value", "a GWP is positive")


def _year(ctx: _Ctx, r: FactorRecord, at: str) -> Iterator[Finding]:
    period = ctx.fs.header.get("period")
    if period and not int(period["from"][:4]) <= r.year <= int(period["to"][:4]):
        msg = f"year {r.year} lies outside the set's period {period['from']} to {period['to']}"
        yield _finding("record.year-outside-period", Severity.WARNING, f"{at}/year", msg)


_RECORD_RULES: tuple[Callable[[_Ctx, FactorRecord, str], Iterator[Finding]], ...] = (
    _unit,
    _region,
    _source,
    _gwp_shape,
    _gases,
    _sums,
    _sign,
    _year,
)
