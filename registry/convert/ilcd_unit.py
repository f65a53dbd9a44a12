"""The declared unit of an ILCD+EPD data set.

It is not in the process data set: the process names its reference flow and that
flow's amount (``meanAmount``); the unit is the reference flow property of the flow
data set. Without the flow data set the caller must state the unit; with both, they
must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from typing import Final

from registry.convert.ilcd_read import Flow, FlowProperty, Process, Sourced, plain_decimal, to_decimal
from registry.convert.ilcd_tables import FLOW_PROPERTIES
from registry.errors import InputError, Location

__all__ = ["DeclaredUnit", "declared_unit", "parse_declared_unit"]

_ALIASES: Final = {
    "kilogram": ("kg", "kilograms", "kilogramme"),
    "square meter": ("m2", "m²", "sqm", "square metre", "square meters", "square metres"),
    "cubic meter": ("m3", "m³", "cubic metre", "cubic meters", "cubic metres"),
    "liter": ("l", "litre", "liters", "litres"),
    "kilowatt hour": ("kwh", "kilowatt-hour", "kilowatt hours"),
    "megajoule": ("mj", "megajoules"),
    "ton kilometer": ("tkm", "t*km", "t km", "tonne kilometre", "ton kilometre"),
    "piece": ("pieces", "pcs", "pc", "item", "items", "item(s)"),
    "hour": ("h", "hours"),
    "megabit second": ("mbit s", "megabit seconds"),
}
_UNITS: Final = {alias: unit for unit, aliases in _ALIASES.items() for alias in (unit, *aliases)}
_SPEC: Final = re.compile(r"^\s*(?:([+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s+)?(.+?)\s*$")
_EXAMPLE: Final = "e.g. 'kilogram' or '1 square meter'"


@dataclass(frozen=True)
class DeclaredUnit:
    """``unit`` (PACT v3 declaredUnitOfMeasurement) and ``amount`` (decimal string).

    The declared amount is ``mean_amount`` (units of the reference flow, the exchange's
    ``meanAmount``) times ``reference_value`` (the reference flow property's ``meanValue``:
    how much of that property one unit of the flow is), in the property's reference unit.
    """

    unit: str
    amount: str
    amount_value: Decimal
    reference: FlowProperty | None  # the flow's reference flow property, when the flow was given
    reference_value: Decimal  # its meanValue (normally 1): one unit of the flow is this much of it
    stated: bool  # the caller stated the unit
    mean_amount: Decimal  # the reference exchange's meanAmount: units of the flow
    mean_amount_text: str


def parse_declared_unit(text: str, *, source: str) -> tuple[Decimal | None, str]:
    """``"[AMOUNT ]UNIT"`` -> (amount or None, PACT unit); InputError when not understood."""
    match = _SPEC.match(text)
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        known = ", ".join(sorted(_ALIASES))
        raise InputError(
            f"declared unit {text!r} not understood: give [AMOUNT ]UNIT with UNIT one of {known} ({_EXAMPLE})",
            Location(source, None, None, "declared_unit"),
        )
    amount = Decimal(match.group(1)) if match.group(1) else None
    return amount, unit


def declared_unit(process: Process, flow: Flow | None, stated: str | None, *, flow_source: str) -> DeclaredUnit:
    """The declared unit from the flow data set and/or the caller's statement."""
    amount_text = plain_decimal(process.reference_amount, source=process.source, what="the reference flow amount")
    amount = to_decimal(process.reference_amount, source=process.source, what="the reference flow amount")
    said = parse_declared_unit(stated, source=process.source) if stated is not None else None
    if flow is None:
        if said is None:
            raise _need_unit(process)
        _check_stated_amount(process, stated, said[0], amount, f"{amount_text} {said[1]}")
        return DeclaredUnit(said[1], amount_text, amount, None, Decimal(1), True, amount, amount_text)
    reference = _reference_property(flow, flow_source)
    ref_value = _reference_value(reference, flow_source)
    declared, declared_text = _times(amount, amount_text, ref_value)
    known = FLOW_PROPERTIES.get(reference.ref.uuid or "")
    flow_unit = known.pact_unit if known else None
    if said is None:
        if flow_unit is None:
            raise _no_pact_unit(reference, flow_source)
        return DeclaredUnit(flow_unit, declared_text, declared, reference, ref_value, False, amount, amount_text)
    if flow_unit is not None and flow_unit != said[1]:
        raise InputError(
            f"declared unit {stated!r} ({said[1]}) contradicts the flow data set, whose reference flow property "
            f"is {_describe(reference)} ({flow_unit})",
            Location(flow_source, None, None, reference.ref.xpath),
        )
    _check_stated_amount(process, stated, said[0], declared, f"{declared_text} {flow_unit or said[1]}")
    return DeclaredUnit(said[1], declared_text, declared, reference, ref_value, flow_unit is None, amount, amount_text)


def _times(amount: Decimal, amount_text: str, ref_value: Decimal) -> tuple[Decimal, str]:
    """meanAmount x meanValue, exactly; the meanAmount's own text when meanValue is 1."""
    if ref_value == 1:
        return amount, amount_text
    digits = len(amount.as_tuple().digits) + len(ref_value.as_tuple().digits)
    with localcontext() as ctx:
        ctx.prec = digits + 2
        ctx.traps[Inexact] = True
        product = amount * ref_value
    return product, format(product, "f")


def _check_stated_amount(
    process: Process, stated: str | None, said: Decimal | None, declared: Decimal, what: str
) -> None:
    if said is None or said == declared:
        return
    raise InputError(
        f"declared unit {stated!r} has amount {said}, but the results are for {what} (meanAmount of the "
        "reference exchange x meanValue of the flow's reference flow property)",
        Location(process.source, process.reference_amount.line, None, process.reference_amount.xpath),
    )


def _need_unit(process: Process) -> InputError:
    flow = process.reference_flow
    return InputError(
        f"the declared unit is not in the process data set: it is the reference flow property of the flow "
        f"data set {flow.uuid} ({flow.name or 'reference flow'}), which was not supplied. Supply that flow "
        f"data set (flow=...; on the command line --flow flows/{flow.uuid}.xml) or state the declared unit "
        f"(declared_unit=...; --declared-unit, {_EXAMPLE})",
        Location(process.source, None, None, flow.xpath),
    )


def _no_pact_unit(reference: FlowProperty, source: str) -> InputError:
    known = FLOW_PROPERTIES.get(reference.ref.uuid or "")
    unit = f" (reference unit {known.unit})" if known else ""
    return InputError(
        f"the flow's reference flow property is {_describe(reference)}{unit}, which has no PACT v3 "
        f"declaredUnitOfMeasurement; state the declared unit (declared_unit=...; --declared-unit, {_EXAMPLE})",
        Location(source, None, None, reference.ref.xpath),
    )


def _reference_property(flow: Flow, source: str) -> FlowProperty:
    wanted = flow.reference_property.text if flow.reference_property else None
    for prop in flow.properties:
        if prop.internal_id is not None and prop.internal_id == wanted:
            return prop
    where = flow.reference_property.xpath if flow.reference_property else flow.root_xpath
    raise InputError(
        f"the flow data set's reference flow property {wanted!r} matches no flowProperty/@dataSetInternalID",
        Location(source, flow.reference_property.line if flow.reference_property else None, None, where),
    )


def _reference_value(prop: FlowProperty, source: str) -> Decimal:
    mean = prop.mean_value or Sourced("1", prop.ref.xpath, None)
    value = to_decimal(mean, source=source, what="the reference flow property's meanValue")
    if value <= 0:
        raise InputError(
            f"the reference flow property's meanValue is {mean.text}; it must be positive",
            Location(source, mean.line, None, mean.xpath),
        )
    return value


def _describe(prop: FlowProperty) -> str:
    known = FLOW_PROPERTIES.get(prop.ref.uuid or "")
    return f"{known.name if known else prop.ref.name or 'unnamed'} ({prop.ref.uuid})"
