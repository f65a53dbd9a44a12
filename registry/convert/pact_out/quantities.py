"""Quantities of a PACT v2.3 export: the declared unit, and the values per declared unit rescaled to per 1 unit.

v3 values are per declared unit (``declaredUnitAmount`` x ``declaredUnitOfMeasurement``), v2 values per 1
``declaredUnit``: each is divided by the amount (ADR-36).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from registry.convert.decimals import divide, json_number, parse_decimal, plain
from registry.convert.pact_out.downgrade import Downgrade, Scale
from registry.convert.pact_out.tables import (
    ADR36,
    ADR45,
    CONVERTED,
    DROPPED,
    LAND_MANAGEMENT,
    MERGED,
    NUMBERS,
    PER_UNIT,
    REMAPPED,
    REMAPPED_NOTES,
    TS3,
    TS23,
    UNSCALED,
    V2_UNITS,
)
from registry.convert.values import clone, ptr, show
from registry.errors import InputError, Location


def quantities(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    scale = down.scale = _declared_unit(down, pcf, out)
    _per_unit(down, pcf, out, scale)
    _land_management(down, pcf, out, scale)
    for key in NUMBERS:
        if key in pcf:
            _number(down, pcf[key], out, key)


# --- the declared unit ---------------------------------------------------------------------------
def _declared_unit(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> Scale:
    unit, amount = pcf.get("declaredUnitOfMeasurement"), pcf.get("declaredUnitAmount")
    label = f"{amount} {unit}" if isinstance(amount, str) and isinstance(unit, str) else "the v3 declared unit"
    if unit == "piece":
        scale = _piece_to_kilogram(down, pcf, label)
    else:
        if unit in ("hour", "megabit second"):
            raise InputError(
                f"declared unit {show(unit)} has no PACT v2 equivalent (v2 units: {', '.join(V2_UNITS)})",
                Location(pointer="/pcf/declaredUnitOfMeasurement"),
            )
        parsed = parse_decimal(amount)
        scale = Scale(unit, amount, parsed if parsed is not None and parsed > 0 else None, label)
    for key, value in (("declaredUnit", scale.unit), ("unitaryProductAmount", scale.amount)):
        if value is not None:
            out[key] = clone(value)
    return scale


def _piece_to_kilogram(down: Downgrade, pcf: Mapping[str, Any], label: str) -> Scale:
    mass = parse_decimal(pcf.get("productMassPerDeclaredUnit"))
    if mass is None or mass <= 0:
        raise InputError(
            "declared unit 'piece' has no PACT v2 equivalent; it can be exported per kilogram only when "
            "productMassPerDeclaredUnit is a decimal greater than 0",
            Location(pointer="/pcf/declaredUnitOfMeasurement"),
        )
    kg = plain(mass)
    clauses = (f"{TS3}, CarbonFootprint.productMassPerDeclaredUnit", f"{TS23}, DeclaredUnit", ADR36)
    down.emit(
        CONVERTED,
        "/pcf/declaredUnitOfMeasurement",
        "/pcf/declaredUnit",
        f"declared unit {label} (piece has no v2 equivalent) converted to kilogram: the declared unit weighs "
        f"{kg} kg (productMassPerDeclaredUnit), so unitaryProductAmount is {kg} and values are per 1 kilogram",
        clauses,
    )
    down.emit(
        CONVERTED,
        "/pcf/declaredUnitAmount",
        "/pcf/unitaryProductAmount",
        f"declaredUnitAmount {show(pcf.get('declaredUnitAmount'))} (pieces) replaced by unitaryProductAmount "
        f"{show(kg)} (kilograms)",
        clauses,
    )
    return Scale("kilogram", kg, mass, label)


# --- values per declared unit --------------------------------------------------------------------
_CLAUSES: Final = (
    f"{TS3}, CarbonFootprint.declaredUnitAmount",
    f"{TS23}, CarbonFootprint.unitaryProductAmount",
    ADR36,
)


def _per_unit(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any], scale: Scale) -> None:
    present = [k for k in PER_UNIT if k in pcf]
    if present and scale.divisor is None:
        down.emit(
            UNSCALED,
            "/pcf/declaredUnitAmount",
            "/pcf/unitaryProductAmount",
            f"declaredUnitAmount {show(pcf.get('declaredUnitAmount'))} is not a positive decimal, so the values "
            f"per declared unit ({', '.join(present)}) were copied without rescaling",
            _CLAUSES,
        )
    for v3 in present:
        _per_unit_value(down, v3, pcf[v3], out, scale)


def _per_unit_value(down: Downgrade, v3: str, value: Any, out: dict[str, Any], scale: Scale) -> None:
    v2 = PER_UNIT[v3]
    src, dst = ptr("pcf", v3), ptr("pcf", v2)
    out[v2], note = _rescaled(down, v3, value, src, dst, scale)
    if v3 in REMAPPED_NOTES:
        down.emit(
            REMAPPED,
            src,
            dst,
            f"{v3} {show(value)} moved to {v2}: {REMAPPED_NOTES[v3]}; {note or 'value kept'}",
            (f"{TS3}, CarbonFootprint.{v3}", ADR45),
        )
    elif note:
        renamed = f" renamed to {v2} and" if v2 != v3 else ""
        clauses = (f"{TS3}, CarbonFootprint.{v3}", *_CLAUSES)
        down.emit(CONVERTED, src, dst, f"{v3} {show(value)}{renamed} {note}", clauses)


def _rescaled(down: Downgrade, v3: str, value: Any, src: str, dst: str, scale: Scale) -> tuple[Any, str]:
    """The v2 value and a note on its rescaling ("" when it is the v3 value unchanged)."""
    if scale.divisor is None or scale.divisor == 1:
        return clone(value), ""
    parsed = parse_decimal(value)
    if parsed is None:
        msg = f"{v3} {show(value)} is not a decimal, so it was not rescaled from per {scale.label}"
        down.emit(UNSCALED, src, dst, msg, _CLAUSES)
        return clone(value), ""
    quotient, exact = divide(parsed, scale.divisor)
    new = plain(quotient)
    unit = scale.unit if isinstance(scale.unit, str) else "declared unit"
    rounded = "" if exact else " (rounded: the quotient does not terminate)"
    return new, f"rescaled from per {scale.label} to per 1 {unit}: {new}{rounded}"


def _land_management(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any], scale: Scale) -> None:
    """v3's three land management fields -> v2's one net value (their sum), per 1 declared unit."""
    present = [k for k in LAND_MANAGEMENT if k in pcf]
    if not present:
        return
    clauses = (
        f"{TS23}, CarbonFootprint.landManagementGhgEmissions",
        *(f"{TS3}, CarbonFootprint.{k}" for k in present),
        ADR45,
    )
    values = [parse_decimal(pcf[k]) for k in present]
    if scale.divisor is None or any(v is None for v in values):
        why = "declaredUnitAmount is not a positive decimal" if scale.divisor is None else "not all are decimals"
        for k in present:
            down.emit(
                DROPPED,
                ptr("pcf", k),
                "/pcf",
                f"{k} {show(pcf[k])} dropped: no net v2 landManagementGhgEmissions could be formed ({why})",
                clauses,
            )
        return
    total = sum((v for v in values if v is not None), Decimal(0))
    net = plain(divide(total, scale.divisor)[0] if scale.divisor != 1 else total)
    out["landManagementGhgEmissions"] = net
    names = " + ".join(present)
    for k in present:
        down.emit(
            MERGED,
            ptr("pcf", k),
            "/pcf/landManagementGhgEmissions",
            f"{k} {show(pcf[k])} merged into the net v2 landManagementGhgEmissions = {names} = {net} "
            f"(per 1 {scale.unit}); the split into fossil, biogenic emissions and removals is lost",
            clauses,
        )


def _number(down: Downgrade, value: Any, out: dict[str, Any], key: str) -> None:
    """A v3 decimal string as the JSON number v2 uses, with a finding when the double is not exact."""
    number = json_number(value) if isinstance(value, str) else None
    if number is None:
        out[key] = clone(value)  # not a decimal string: left for v2 schema validation
        return
    out[key] = number
    if Decimal(repr(number)) != Decimal(value):
        down.emit(
            CONVERTED,
            ptr("pcf", key),
            ptr("pcf", key),
            f"{key} {show(value)} written as the JSON number {number!r}, the nearest double",
            (),
        )
