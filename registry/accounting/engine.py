"""The recalculation engine: an inventory and a factor library in, a :class:`Recalculation` out.

Pure: the library, the date references resolve on and the pack's policy are parameters.
Exact decimals throughout; a unit conversion factor is computed once per pair of units (pint,
:mod:`registry.units`) and a reference resolves once per :class:`Resolver`. What cannot be
computed is a finding with the line's JSON pointer, never a figure from somewhere else: a factor
of another region or year is used as referenced and flagged, and a pack's named fallback is
reported on every line that used it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from registry.accounting.inventory import Inventory, Line, SupplierFacts
from registry.accounting.policy import NO_POLICY, RecalcPolicy
from registry.accounting.result import HUNDRED, ZERO, LineResult, Recalculation, Step
from registry.factors import FactorLibrary, FactorRefError, FactorSet, Resolved
from registry.findings import Finding, Severity
from registry.resources import EXTENSION_SCHEMA_ID
from registry.units import UnitError, conversion_factor

ONE = Decimal(1)
DQR_KEYS = ("technological", "geographical", "temporal")


@dataclass
class Resolver:
    """References resolved against a library as of a date, each at most once."""

    library: FactorLibrary
    cache: dict[tuple[str, date], Resolved | FactorRefError] = field(default_factory=dict)

    def resolve(self, ref: str, on: date) -> Resolved | FactorRefError:
        key = (ref, on)
        found = self.cache.get(key)
        if found is None:
            try:
                found = self.library.resolve(ref, on=on)
            except FactorRefError as e:
                found = e
            self.cache[key] = found
        return found


def _finding(rule_id: str, severity: Severity, path: str, message: str) -> Finding:
    return Finding(rule_id=rule_id, severity=severity, path=path, message=message, clauses=("docs/accounting.md",))


def region_covers(factor_region: str, region: str, factor_set: FactorSet) -> bool:
    """A factor for ``factor_region`` describes activities in ``region``: same code, the country of
    a subdivision, or a named grid whose members include it."""
    if factor_region == region or region.startswith(factor_region + "-"):
        return True
    if factor_region.startswith("grid:"):
        members = factor_set.regions.get(factor_region, ())
        return region in members or region.split("-", 1)[0] in members
    return False


@dataclass
class _Acc:
    findings: list[Finding] = field(default_factory=list)
    sets: set[str] = field(default_factory=set)


def _check_place_and_time(line: Line, r: Resolved, pointer: str, policy: RecalcPolicy, acc: _Acc) -> str | None:
    """Findings for a factor of another region or year; the name of a pack fallback used, if any."""
    record = r.record
    used: str | None = None
    if r.factor_set.kind == "gwp-table":
        _deprecated(line, r, pointer, acc)
        return None
    if line.region is not None and not region_covers(record.region, line.region, r.factor_set):
        fallback = policy.fallback_for(line.region, record.region)
        if fallback is None:
            acc.findings.append(_finding(
                "recalc.factor.region", Severity.WARNING, pointer + "/factor",
                f"line {line.id}: factor {r.pinned} is for region {record.region}, the activity is in {line.region}",
            ))  # fmt: skip
        else:
            used = fallback.name
            acc.findings.append(_finding(
                "recalc.factor.fallback", Severity.INFO, pointer + "/factor",
                f"line {line.id}: factor {r.pinned} for region {record.region} used for an activity in "
                f"{line.region} under the pack's named fallback {fallback.name!r}: {fallback.reason}",
            ))  # fmt: skip
    if line.year is not None and record.year != line.year:
        acc.findings.append(_finding(
            "recalc.factor.year", Severity.WARNING, pointer + "/factor",
            f"line {line.id}: factor {r.pinned} is for {record.year}, the activity data are for {line.year}",
        ))  # fmt: skip
    _deprecated(line, r, pointer, acc)
    return used


def _deprecated(line: Line, r: Resolved, pointer: str, acc: _Acc) -> None:
    if r.deprecated:
        acc.findings.append(_finding(
            "recalc.factor.deprecated", Severity.WARNING, pointer + "/factor",
            f"line {line.id}: {r.set_ref} is deprecated",
        ))  # fmt: skip


def _convert(line: Line, target: str, pointer: str, acc: _Acc) -> tuple[Decimal, tuple[Step, ...]] | None:
    if line.unit == target:
        return ONE, ()
    try:
        factor = conversion_factor(line.unit, target)
    except UnitError as e:
        acc.findings.append(_finding(
            "recalc.unit.unconvertible", Severity.ERROR, pointer + "/unit",
            f"line {line.id}: {line.quantity} {line.unit} cannot be used with a factor per {target}: {e.message}",
        ))  # fmt: skip
        return None
    return factor, (Step(line.unit, target, factor),)


def _failed(line: Line, pointer: str, factor: str | None, value: Decimal | None, unit: str | None) -> LineResult:
    return LineResult(
        pointer, line.id, line.stage, line.kind, line.quantity, line.unit, line.allocation, line.primary,
        factor, value, unit, (), None, None, None, None, ZERO,
    )  # fmt: skip


def _supplier_line(line: Line, pointer: str, acc: _Acc, facts: SupplierFacts | None, checked: bool) -> LineResult:
    s = line.supplier
    assert s is not None
    value, unit = s.value, s.unit
    if checked:
        value, unit = _cross_check(line, pointer, facts, acc)
    converted = _convert(line, unit, pointer, acc)
    if converted is None:
        return _failed(line, pointer, s.ref, value, unit)
    factor, chain = converted
    kg = line.quantity * factor * line.allocation * value
    share = ZERO if s.primary_data_share is None else s.primary_data_share / HUNDRED
    return LineResult(
        pointer, line.id, line.stage, line.kind, line.quantity, line.unit, line.allocation, line.primary,
        s.ref, value, unit, chain, kg, None, None, None, share,
    )  # fmt: skip


def _cross_check(line: Line, pointer: str, facts: SupplierFacts | None, acc: _Acc) -> tuple[Decimal, str]:
    """Mutual verification of a supplier line against the declaration the registry holds: its digest,
    its per-unit value (used in place of the line's when they differ), whether it validated, and the
    state of its labels. Each a finding at the line's pointer; returns the value and unit to use."""
    s = line.supplier
    assert s is not None
    at = pointer + "/supplierFootprint"
    if facts is not None:
        _label_states(line, at, facts, acc)
    if facts is None or not facts.digests:
        acc.findings.append(_finding(
            "recalc.supplier.not-stored", Severity.WARNING, at + "/id",
            f"line {line.id}: supplier declaration {s.id} is not stored in the registry; its value "
            f"{s.value} kg CO2e per {s.unit} is used as the line states it, unchecked",
        ))  # fmt: skip
        return s.value, s.unit
    if s.digest not in facts.digests:
        acc.findings.append(_finding(
            "recalc.supplier.digest", Severity.ERROR, at + "/digest",
            f"line {line.id}: the line cites supplier declaration {s.id} with digest {s.digest}, but the "
            f"stored declaration has {', '.join(sorted(facts.digests))} (changed since, or cited wrongly)",
        ))  # fmt: skip
        return s.value, s.unit
    value, unit = s.value, s.unit
    if facts.value is None or facts.unit is None:
        acc.findings.append(_finding(
            "recalc.supplier.value", Severity.ERROR, at + "/value",
            f"line {line.id}: stored declaration {s.id} gives no per-unit footprint to check the line's against",
        ))  # fmt: skip
    else:
        try:
            stored = facts.value * conversion_factor(s.unit, facts.unit)  # kg CO2e per the line's unit
        except UnitError as e:
            acc.findings.append(_finding(
                "recalc.supplier.unit", Severity.ERROR, at + "/unit",
                f"line {line.id}: the line's {s.unit} does not convert to the stored declaration's "
                f"{facts.unit}: {e.message}",
            ))  # fmt: skip
        else:
            if stored != s.value:
                acc.findings.append(_finding(
                    "recalc.supplier.value", Severity.ERROR, at + "/value",
                    f"line {line.id}: the line states {s.value} kg CO2e per {s.unit}; stored declaration {s.id} "
                    f"gives {stored.normalize():f} per {s.unit} ({facts.value} per {facts.unit}), which is used",
                ))  # fmt: skip
                value = stored
    if facts.validated is None:
        acc.findings.append(_finding(
            "recalc.supplier.not-validated", Severity.WARNING, at + "/id",
            f"line {line.id}: supplier declaration {s.id} is stored but was not validated here",
        ))  # fmt: skip
    elif not facts.validated:
        acc.findings.append(_finding(
            "recalc.supplier.not-conformant", Severity.ERROR, at + "/id",
            f"line {line.id}: supplier declaration {s.id} did not validate (no conformant validation is stored)",
        ))  # fmt: skip
    return value, unit


def _label_states(line: Line, at: str, facts: SupplierFacts, acc: _Acc) -> None:
    """A revoked or suspended label of the cited declaration (labels are public, stored or not)."""
    for state in ("revoked", "suspended"):
        if state in facts.label_states:
            acc.findings.append(_finding(
                f"recalc.supplier.label-{state}", Severity.ERROR, at + "/id",
                f"line {line.id}: a label of supplier declaration {facts.id} is {state}",
            ))  # fmt: skip


def _factor_line(
    line: Line, pointer: str, resolver: Resolver, on: date, policy: RecalcPolicy, acc: _Acc
) -> tuple[LineResult, Mapping[str, int] | None]:
    ref = line.factor
    assert ref is not None
    r = resolver.cache.get((ref, on)) or resolver.resolve(ref, on)
    if type(r) is not Resolved:
        assert isinstance(r, FactorRefError)
        acc.findings.append(_finding(
            "recalc.factor.unresolved", Severity.ERROR, pointer + "/factor",
            f"line {line.id}: {r.message} ({r.reason}); no other factor is used in its place",
        ))  # fmt: skip
        return _failed(line, pointer, ref, None, None), None
    record = r.record
    used = None
    elsewhere = line.region is not None and line.region != record.region
    other_year = line.year is not None and line.year != record.year
    if r.deprecated or ((elsewhere or other_year) and r.factor_set.kind != "gwp-table"):  # a GWP holds everywhere
        used = _check_place_and_time(line, r, pointer, policy, acc)
    acc.sets.add(r.set_ref)
    if line.unit == record.unit:
        chain: tuple[Step, ...] = ()
        amount = line.quantity * line.allocation
    else:
        converted = _convert(line, record.unit, pointer, acc)
        if converted is None:
            return _failed(line, pointer, r.pinned, record.value, record.unit), None
        factor, chain = converted
        amount = line.quantity * factor * line.allocation
    kg = amount * record.value
    parts = record.co2e_parts
    fossil = biogenic = land_use = None
    if parts is not None:
        fossil = amount * parts.get("fossil", ZERO)
        biogenic = amount * parts.get("biogenic", ZERO)
        land_use = amount * parts.get("landUse", ZERO)
    result = LineResult(
        pointer, line.id, line.stage, line.kind, line.quantity, line.unit, line.allocation, line.primary,
        r.pinned, record.value, record.unit, chain, kg, fossil, biogenic, land_use,
        ONE if line.primary else ZERO, used,
    )  # fmt: skip
    return result, record.quality


def _decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        d = Decimal(value)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def declared_values(declaration: Any) -> dict[str, Decimal]:
    """The numbers a declaration states that a recalculation can check."""
    pf: dict[str, Any] = declaration if isinstance(declaration, dict) else {}
    raw = pf.get("pcf")
    pcf: dict[str, Any] = raw if isinstance(raw, dict) else {}
    out: dict[str, Decimal] = {}
    for key, name in (("total", "pcfExcludingBiogenicUptake"), ("fossil", "fossilGhgEmissions"),
                      ("landUse", "landUseChangeGhgEmissions"), ("primaryDataShare", "primaryDataShare")):  # fmt: skip
        d = _decimal(pcf.get(name))
        if d is not None:
            out[key] = d
    for ext in pf.get("extensions") or ():
        if isinstance(ext, dict) and ext.get("dataSchema") == EXTENSION_SCHEMA_ID and isinstance(ext.get("data"), dict):
            stages = ext["data"].get("stages")
            values = stages.get("values") if isinstance(stages, dict) else None
            for stage, value in (values or {}).items() if isinstance(values, dict) else ():
                d = _decimal(value)
                if d is not None:
                    out[f"stage:{stage}"] = d
    return out


def _deviation(declared: Mapping[str, Decimal], computed: Mapping[str, Decimal]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for key, value in computed.items():
        d = declared.get(key)
        if d is not None and value:
            out[key] = (d - value) / value * HUNDRED
    return out


Qualities = list[Mapping[str, int] | None]


def _dqr(lines: tuple[LineResult, ...], qualities: Qualities) -> tuple[dict[str, Decimal] | None, Decimal | None]:
    weights = {k: ZERO for k in DQR_KEYS}
    covered = total = ZERO
    for line, quality in zip(lines, qualities, strict=True):
        if line.kg is None:
            continue
        w = abs(line.kg)
        total += w
        if quality and all(k in quality for k in DQR_KEYS):
            covered += w
            for k in DQR_KEYS:
                weights[k] += w * quality[k]
    if not covered:
        return None, (ZERO if total else None)
    return {k: v / covered for k, v in weights.items()}, covered / total * HUNDRED


def recalculate(
    declaration: Any,
    inventory: Inventory,
    library: FactorLibrary | Resolver,
    *,
    on: date,
    policy: RecalcPolicy = NO_POLICY,
    base_pointer: str = "",
    suppliers: Mapping[str, SupplierFacts] | None = None,
) -> Recalculation:
    """Recompute a declaration's numbers from an inventory; findings point at ``base_pointer`` + the line.

    With ``suppliers`` (what the registry holds of each cited supplier declaration, by PACT id), every
    supplier line is cross-checked against it; without, a supplier line's value is used as stated."""
    resolver = library if isinstance(library, Resolver) else Resolver(library)
    acc = _Acc()
    results: list[LineResult] = []
    qualities: list[Mapping[str, int] | None] = []
    seen: set[str] = set()
    for line in inventory.lines:
        pointer = base_pointer + line.pointer
        if line.id in seen:
            acc.findings.append(_finding(
                "recalc.line.duplicate-id", Severity.ERROR, pointer + "/id", f"line id {line.id!r} is used twice",
            ))  # fmt: skip
        seen.add(line.id)
        if line.supplier is not None:
            facts = None if suppliers is None else suppliers.get(line.supplier.id)
            results.append(_supplier_line(line, pointer, acc, facts, suppliers is not None))
            qualities.append(None)
            continue
        result, quality = _factor_line(line, pointer, resolver, on, policy, acc)
        results.append(result)
        qualities.append(quality)
    return _totals(declaration, inventory, tuple(results), qualities, acc, base_pointer)


def _totals(
    declaration: Any, inventory: Inventory, lines: tuple[LineResult, ...], qualities: list[Mapping[str, int] | None],
    acc: _Acc, base_pointer: str,
) -> Recalculation:  # fmt: skip
    total = fossil = biogenic = land_use = unsplit = primary = ZERO
    per = inventory.reference_amount
    if per != ONE:
        lines = tuple(_per_unit(line, per) for line in lines)
    stages: dict[str, Decimal] = {}
    for line in lines:
        kg = line.kg
        if kg is None:
            continue
        total += kg
        stages[line.stage] = stages.get(line.stage, ZERO) + kg
        primary += kg * line.primary_share
        if line.fossil is None:
            unsplit += kg
        else:
            fossil += line.fossil
            biogenic += line.biogenic or ZERO
            land_use += line.land_use or ZERO
    dqr, coverage = _dqr(lines, qualities)
    declared = declared_values(declaration)
    computed: dict[str, Decimal] = {"total": total, **{f"stage:{k}": v for k, v in stages.items()}}
    pds = primary / total * HUNDRED if total else None
    if not unsplit:
        computed.update(fossil=fossil, landUse=land_use)
    _check_declaration_id(declaration, inventory, base_pointer, acc)
    return Recalculation(
        inventory.digest, per, lines, total, stages, fossil, biogenic, land_use, unsplit, pds, dqr, coverage,
        declared, _deviation(declared, computed), tuple(sorted(acc.sets)), tuple(acc.findings),
    )  # fmt: skip


def _per_unit(line: LineResult, per: Decimal) -> LineResult:
    """Lines stated for ``per`` declared units, divided down to one."""
    if line.kg is None:
        return line
    return line._replace(
        kg=line.kg / per,
        fossil=None if line.fossil is None else line.fossil / per,
        biogenic=None if line.biogenic is None else line.biogenic / per,
        land_use=None if line.land_use is None else line.land_use / per,
    )


def _check_declaration_id(declaration: Any, inventory: Inventory, base_pointer: str, acc: _Acc) -> None:
    named = inventory.declaration_id
    actual = declaration.get("id") if isinstance(declaration, dict) else None
    if named is not None and actual is not None and named != actual:
        acc.findings.append(_finding(
            "recalc.declaration.mismatch", Severity.WARNING, base_pointer + "/declaration/id",
            f"the inventory is for declaration {named}, not {actual}",
        ))  # fmt: skip
