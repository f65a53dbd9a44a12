"""GWP indicator results per EN 15804 module, read from an ILCD+EPD process.

Indicators are recognised by UUID (EF 3.0, EF 3.1, EN 15804+A1), else by the
abbreviation in their name. One indicator set feeds the declaration; a module's value
is its amount without scenario, else the amount of the default scenario. An empty
``epd:amount`` or an absent module is "not declared", never zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from registry.convert.ilcd_findings import BY_NAME, DROPPED, EN15804, ILCD_EPD, NOT_DECLARED, SCENARIO, Notes
from registry.convert.ilcd_read import Amount, Process, Ref, Result, Scenario, Sourced, plain_decimal, to_decimal
from registry.convert.ilcd_tables import (
    BY_NAME as NAMED_SET,
)
from registry.convert.ilcd_tables import (
    GRAVE_MODULES,
    GWP_INDICATORS,
    GWP_NAMES,
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


def read_gwp(process: Process, pointers: Pointers, notes: Notes) -> GwpTable:
    """The GWP values per module, with findings for everything not carried over exactly."""
    classified = [(r, _identify(r)) for r in process.results]
    classified.sort(key=lambda pair: pair[1] is not None and pair[1].indicator_set == NAMED_SET)  # UUIDs first
    table = GwpTable(indicator_set=_choose_set([i for _, i in classified if i is not None]))
    for result, ident in classified:
        if ident is None:
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
            if ident.indicator_set == NAMED_SET:
                notes.add(
                    BY_NAME,
                    pointers.home(ident.kind),
                    result.method.xpath,
                    f"{result.method.name!r} ({result.method.uuid}) recognised as {KIND_LABEL[ident.kind]} "
                    f"by its name, not its UUID",
                    ILCD_EPD,
                )
            table.values[ident.kind] = _module_values(
                process, result, ident.kind, table.label(ident.kind), pointers, notes
            )
    for exchange in process.inventory:
        _drop(exchange, "is an inventory indicator; the declaration carries GWP only", notes)
    return table


def _identify(result: Result) -> IndicatorId | None:
    known = GWP_INDICATORS.get(result.method.uuid or "")
    if known is not None:
        return known
    name = (result.method.name or "").lower()
    for needle, kind in GWP_NAMES:
        if needle in name:
            return IndicatorId(NAMED_SET, kind)
    return None


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
    return unit.name is not None and unit.name.replace(" ", "").lower().startswith("kgco2")


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
