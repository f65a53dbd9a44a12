"""GWP indicator results per EN 15804 module, read from an ILCD+EPD process.

Indicators are recognised by UUID (EF 3.0, EF 3.1, EN 15804+A1), else by their name and
unit in English, German, French, Spanish, Italian, Dutch or Chinese
(:mod:`registry.convert.ilcd_gwp_names`); each GWP indicator gets a finding saying how it
was matched, and one that looks like GWP but cannot be placed is reported as such. One
indicator set feeds the declaration; a module's value is its amount without scenario, else
the amount of the default scenario. An empty
``epd:amount`` or an absent module is "not declared", never zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from registry.convert.ilcd_findings import (
    BY_NAME,
    BY_UUID,
    DROPPED,
    EN15804,
    ILCD_EPD,
    NOT_DECLARED,
    SCENARIO,
    UNPLACED,
    Notes,
)
from registry.convert.ilcd_gwp_names import NameMatch, Unplaced, is_kg_co2_eq, recognise
from registry.convert.ilcd_read import Amount, Process, Ref, Result, Scenario, Sourced, plain_decimal, to_decimal
from registry.convert.ilcd_tables import (
    BY_NAME as NAMED_SET,
)
from registry.convert.ilcd_tables import (
    GRAVE_MODULES,
    GWP_INDICATORS,
    KG_CO2_EQ_UNIT_GROUP,
    KIND_LABEL,
    MODULES,
    PRODUCT_STAGE,
    SET_PREFERENCE,
    TOTAL,
    IndicatorId,
    label,
)

__all__ = ["GwpTable", "ModuleValue", "read_gwp", "system_boundary"]


@dataclass(frozen=True)
class ModuleValue:
    text: str  # PACT decimal string
    value: Decimal
    amount: Amount


@dataclass
class GwpTable:
    """``values[kind][module]`` for the chosen indicator set; ``results[kind]`` its source."""

    indicator_set: str | None = None
    values: dict[str, dict[str, ModuleValue]] = field(default_factory=dict)
    results: dict[str, Result] = field(default_factory=dict)

    def label(self, kind: str) -> str:
        return label(self.indicator_set, kind)


@dataclass(frozen=True)
class Pointers:
    """Where each kind's module values go in the declaration."""

    total: str  # e.g. /extensions/0/data/modules
    others: str  # e.g. /extensions/1/data/modules

    def of(self, kind: str, module: str) -> str:
        return f"{self.total}/{module}" if kind == TOTAL else f"{self.others}/{module}/{kind}"

    def home(self, kind: str) -> str:
        return self.total if kind == TOTAL else self.others


@dataclass(frozen=True)
class _Identified:
    ident: IndicatorId | None  # None: not GWP, or a GWP look-alike that cannot be placed
    how: str = ""  # how it was matched, for the finding
    unplaced: str | None = None  # why a GWP look-alike cannot be placed


def read_gwp(process: Process, pointers: Pointers, notes: Notes) -> GwpTable:
    """The GWP values per module, with findings for everything not carried over exactly."""
    classified = [(r, _identify(r)) for r in process.results]
    classified.sort(key=lambda pair: pair[1].ident is not None and pair[1].ident.indicator_set == NAMED_SET)
    table = GwpTable(indicator_set=_choose_set([i.ident for _, i in classified if i.ident is not None]))
    for result, found in classified:
        ident = found.ident
        if found.unplaced is not None:
            label = result.method.name or result.method.uuid or "unnamed indicator"
            notes.warn(UNPLACED, "", result.xpath, f"{label} {found.unplaced}; not carried over", ILCD_EPD)
        elif ident is None:
            _drop(result.method, "is not a GWP indicator; the declaration carries GWP only", notes, result.xpath)
        elif not _unit_is_kg_co2_eq(result):
            unit = result.unit_group.name if result.unit_group else None
            _drop(result.method, f"is in {unit or 'another unit'}, not kg CO2 eq", notes, result.xpath)
        elif not _joins(ident, table):
            _drop(result.method, f"is {ident.indicator_set}; {table.indicator_set} was used", notes, result.xpath)
        elif ident.kind in table.results:
            _drop(result.method, f"repeats {KIND_LABEL[ident.kind]}; the first one was used", notes, result.xpath)
        else:
            table.results[ident.kind] = result
            rule = BY_NAME if ident.indicator_set == NAMED_SET else BY_UUID
            notes.add(rule, pointers.home(ident.kind), result.method.xpath, found.how, ILCD_EPD)
            table.values[ident.kind] = _module_values(
                process, result, ident.kind, table.label(ident.kind), pointers, notes
            )
    for exchange in process.inventory:
        _drop(exchange, "is an inventory indicator; the declaration carries GWP only", notes)
    return table


def _identify(result: Result) -> _Identified:
    """By UUID first; else by name and unit (any of seven languages)."""
    method = result.method
    known = GWP_INDICATORS.get(method.uuid or "")
    if known is not None:
        what = label(known.indicator_set, known.kind)
        return _Identified(
            known,
            f"{method.name or 'indicator'} ({method.uuid}) recognised as {what} of {known.indicator_set} "
            "by its UUID (InDataWG ILCD-EPD identifiers)",
        )
    unit = result.unit_group
    unit_name = None if unit is None or unit.uuid == KG_CO2_EQ_UNIT_GROUP else (unit.name or "")
    match = recognise(method.name, unit_name)
    if match is None:
        return _Identified(None)
    term = f"{match.term.language} term {match.term.text!r}, {match.term.source}"
    if isinstance(match, Unplaced):
        return _Identified(None, unplaced=f"looks like a GWP indicator ({term}) but cannot be placed: {match.reason}")
    assert isinstance(match, NameMatch)
    return _Identified(
        IndicatorId(NAMED_SET, match.kind),
        f"{method.name!r} ({method.uuid or 'no UUID'}) recognised as {KIND_LABEL[match.kind]} by its name "
        f"({term}; part: {match.how}) and unit ({unit_name or 'kg CO2 eq unit group'}), not by a known UUID",
    )


def _choose_set(idents: list[IndicatorId]) -> str | None:
    with_total = {i.indicator_set for i in idents if i.kind == TOTAL}
    present = {i.indicator_set for i in idents}
    for candidates in (with_total, present):
        for name in SET_PREFERENCE:
            if name in candidates:
                return name
    return None


def _joins(ident: IndicatorId, table: GwpTable) -> bool:
    """Same set as chosen; a name-matched indicator fills a kind the chosen set lacks."""
    return ident.indicator_set == table.indicator_set or ident.indicator_set == NAMED_SET


def _unit_is_kg_co2_eq(result: Result) -> bool:
    unit = result.unit_group
    if unit is None or unit.uuid == KG_CO2_EQ_UNIT_GROUP:
        return True
    return unit.name is not None and is_kg_co2_eq(unit.name)


def _drop(indicator: Ref, why: str, notes: Notes, xpath: str | None = None) -> None:
    label = indicator.name or indicator.uuid or "unnamed indicator"
    notes.add(DROPPED, "", xpath or indicator.xpath, f"{label} not carried over: it {why}", ILCD_EPD)


def _module_values(
    process: Process, result: Result, kind: str, name: str, pointers: Pointers, notes: Notes
) -> dict[str, ModuleValue]:
    by_module: dict[str, list[Amount]] = defaultdict(list)
    for amount in result.amounts:
        if amount.module in MODULES:
            by_module[amount.module].append(amount)
        else:
            notes.add(
                DROPPED,
                pointers.home(kind),
                amount.xpath,
                f"{name} amount for module {amount.module!r} not carried over: not an EN 15804 module",
                EN15804,
            )
    values: dict[str, ModuleValue] = {}
    for module in MODULES:
        chosen = _pick(
            by_module.get(module, []),
            process.scenarios,
            f"{name} for module {module}",
            pointers.of(kind, module),
            notes,
        )
        if chosen is None:
            continue
        if not chosen.text:
            notes.add(
                NOT_DECLARED,
                pointers.of(kind, module),
                chosen.xpath,
                f"{name} for module {module} is empty: not declared (left out, not zero)",
                EN15804,
            )
            continue
        what = f"{name} for module {module}"
        number = Sourced(chosen.text, chosen.xpath, chosen.line)
        values[module] = ModuleValue(
            plain_decimal(number, source=process.source, what=what),
            to_decimal(number, source=process.source, what=what),
            chosen,
        )
    if kind == TOTAL:
        _report_absent(result, values, name, pointers, notes)
    return values


def _pick(amounts: list[Amount], scenarios: tuple[Scenario, ...], label: str, path: str, notes: Notes) -> Amount | None:
    """The amount without scenario, else the default scenario's; the others are reported."""
    if not amounts:
        return None
    defaults = {s.name for s in scenarios if s.default}
    plain = [a for a in amounts if a.scenario is None]
    chosen = plain[0] if plain else next((a for a in amounts if a.scenario in defaults), None)
    if chosen is None:
        why = "no scenario is marked default"
    else:
        why = "the default scenario's is used" if chosen.scenario else "the amount without scenario is used"
    for amount in amounts:
        if amount is not chosen:
            what = "a repeated amount" if amount.scenario is None else f"the amount of scenario {amount.scenario!r}"
            notes.add(DROPPED, path, amount.xpath, f"{label}: {what} not carried over ({why})", ILCD_EPD)
    if chosen is not None and chosen.scenario is not None and chosen.text:
        notes.add(SCENARIO, path, chosen.xpath, f"{label} is the default scenario's ({chosen.scenario!r})", ILCD_EPD)
    return chosen


def _report_absent(result: Result, values: dict[str, ModuleValue], name: str, pointers: Pointers, notes: Notes) -> None:
    present = set(values)
    aggregate = "A1-A3" in present or bool(present & set(PRODUCT_STAGE))
    absent = [m for m in MODULES if m not in present and not (aggregate and (m == "A1-A3" or m in PRODUCT_STAGE))]
    empty = {a.module for a in result.amounts if not a.text}
    absent = [m for m in absent if m not in empty]
    if absent:
        notes.add(
            NOT_DECLARED,
            pointers.total,
            result.xpath,
            f"{name} has no value for module(s) {', '.join(absent)}: not declared (left out, not zero)",
            EN15804,
        )


def system_boundary(modules: set[str]) -> str | None:
    """cradle-to-grave when A1-A3, A4-A5, B1-B7 and C1-C4 are all declared; cradle-to-gate
    when the product stage is; gate-to-gate when only parts of it are; else None."""
    product = "A1-A3" in modules or set(PRODUCT_STAGE) <= modules
    if product and set(GRAVE_MODULES) <= modules:
        return "cradle-to-grave"
    if product:
        return "cradle-to-gate"
    if modules & set(PRODUCT_STAGE):
        return "gate-to-gate"
    return None
