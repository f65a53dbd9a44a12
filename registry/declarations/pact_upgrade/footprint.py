"""The CarbonFootprint (``pcf``) of the upgrade: a table of steps, one per group of v2 fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from registry.declarations.pact_upgrade.extras import extras
from registry.declarations.pact_upgrade.nested import assurance, dqi
from registry.declarations.pact_upgrade.per_unit import per_unit_values
from registry.declarations.pact_upgrade.standards import characterization_factors, cross_sectoral_standards
from registry.declarations.pact_upgrade.state import Step, Upgrade
from registry.declarations.pact_upgrade.tables import (
    DROPPED,
    PCF_COPY,
    PCF_DROP,
    PCF_DROP_PER_UNIT,
    PCF_NUMBER,
    PCF_RENAME,
    TS3,
    TS23,
    V2_PCF_KNOWN,
    V3_PCF_FIELDS,
)
from registry.declarations.pact_upgrade.values import clone, number_to_decimal, ordered, parse_decimal, ptr, show


def carbon_footprint(up: Upgrade, pcf: Mapping[Any, Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for step in _PCF_STEPS:
        step(up, pcf, out)
    extras(up, pcf, out, "/pcf", "/pcf", V2_PCF_KNOWN, V3_PCF_FIELDS)
    return ordered(out, V3_PCF_FIELDS)


def _renamed_and_copied(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    for v2, v3 in PCF_RENAME.items():
        if v2 in pcf:
            up.put(out, "/pcf", v3, clone(pcf[v2]), v2)
    for key in PCF_COPY:
        if key == _RULES and pcf.get(key) == []:
            _no_rules(up)
        elif key in pcf:
            up.put(out, "/pcf", key, clone(pcf[key]), key)


_RULES: Final = "productOrSectorSpecificRules"
_RULES_CLAUSES: Final = (f"{TS23}, CarbonFootprint.{_RULES}", f"{TS3}, CarbonFootprint.{_RULES} (minItems 1)")


def _no_rules(up: Upgrade) -> None:
    """An empty rule set is what v2 prescribes when no rules were followed; v3's schema wants it absent then."""
    up.emit(
        DROPPED,
        "/pcf",
        ptr("pcf", _RULES),
        f"{_RULES} [] omitted: the PACT v2 text asks for an empty set when no product or sector specific "
        "rules were followed, while the v3 schema allows the set only with at least one rule; "
        "left absent, which says the same",
        _RULES_CLAUSES,
    )


def _numbers(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    """JSON numbers in v2 that are decimal strings in v3 (ADR-39); anything else is left for validation."""
    for key in PCF_NUMBER:
        if key in pcf:
            value = pcf[key]
            text = number_to_decimal(value)
            up.put(out, "/pcf", key, text if text is not None else clone(value), key)


def _dropped(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    amount = parse_decimal(pcf.get("unitaryProductAmount"))
    unit = pcf.get("declaredUnit")
    for key, (reason, clauses) in PCF_DROP.items():
        if key in pcf:
            per_unit = ""
            if key in PCF_DROP_PER_UNIT and amount is not None and 0 < amount != 1:
                unit_text = unit if isinstance(unit, str) else show(unit)
                per_unit = f" (per 1 {unit_text}, the v2 declared unit)"
            up.emit(DROPPED, "/pcf", ptr("pcf", key), f"{key} {show(pcf[key])}{per_unit} dropped: {reason}", clauses)


_PCF_STEPS: Final[tuple[Step, ...]] = (
    _renamed_and_copied,
    per_unit_values,
    _numbers,
    _dropped,
    characterization_factors,
    cross_sectoral_standards,
    dqi,
    assurance,
)
