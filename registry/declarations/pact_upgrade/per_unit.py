"""Quantities per declared unit, rescaled to the v3 declared unit (ADR-36), and the two v3 values derived from them.

v2: values per 1 ``declaredUnit``; ``unitaryProductAmount`` is the product's size.
v3: the declared unit is ``declaredUnitAmount`` x ``declaredUnitOfMeasurement`` and
values are per that declared unit. So v3 value = v2 value x unitaryProductAmount.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, NamedTuple

from registry.declarations.pact_upgrade.state import Upgrade
from registry.declarations.pact_upgrade.tables import (
    ADR36,
    CONVERTED,
    DEFAULTED,
    DERIVED,
    MISSING,
    PCF_PER_UNIT,
    PCF_REMAPPED,
    REMAPPED,
    TS23,
    UNSCALED,
    cf3,
)
from registry.declarations.pact_upgrade.values import clone, exact, format_decimal, parse_decimal, ptr, show

_SCALE_CLAUSES: Final = (cf3("declaredUnitAmount"), cf3("declaredUnitOfMeasurement"), ADR36)


class _Scale(NamedTuple):
    """The v2 declared unit and product amount, as far as they allow rescaling."""

    unit: Any
    unit_text: str  # the unit for messages
    amount_raw: Any  # unitaryProductAmount as given
    amount: Decimal | None  # None: not a positive decimal, so nothing can be rescaled

    @property
    def rescales(self) -> bool:
        return self.amount is not None and self.amount != 1


def _scale_of(pcf: Mapping[Any, Any]) -> _Scale:
    unit = pcf.get("declaredUnit")
    amount_raw = pcf.get("unitaryProductAmount")
    amount = parse_decimal(amount_raw)
    if amount is not None and amount <= 0:
        amount = None
    return _Scale(unit, unit if isinstance(unit, str) else show(unit), amount_raw, amount)


def per_unit_values(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    scale = _scale_of(pcf)
    present = [k for k in PCF_PER_UNIT if k in pcf]
    if present and scale.amount is None:
        has_amount = "unitaryProductAmount" in pcf
        up.emit(
            UNSCALED,
            "/pcf/declaredUnitAmount" if has_amount else "/pcf",
            "/pcf/unitaryProductAmount",
            f"unitaryProductAmount {show(scale.amount_raw) if has_amount else '(absent)'}"
            " is not a positive decimal, so the values per declared unit "
            f"({', '.join(present)}) could not be rescaled to the v3 declared unit "
            "and were copied unchanged",
            _SCALE_CLAUSES,
        )
    for v2 in present:
        _per_unit_value(up, pcf[v2], out, v2, scale)
    _product_mass(up, pcf, out, scale)
    _pcf_including(up, pcf, out)


def _per_unit_value(up: Upgrade, value: Any, out: dict[Any, Any], v2: str, scale: _Scale) -> None:
    v3 = PCF_PER_UNIT[v2]
    src, dst = ptr("pcf", v2), ptr("pcf", v3)
    new, scaled_note = _rescaled(up, value, v2 if v2 == v3 else f"{v2} moved to {v3}", src, dst, scale)
    up.put(out, "/pcf", v3, new, v2)
    if v2 in PCF_REMAPPED:
        note, clauses = PCF_REMAPPED[v2]
        kept = scaled_note or "value kept"
        up.emit(
            REMAPPED,
            dst,
            src,
            f"{v2} {show(value)} moved to {v3}: {note}; {kept}",
            clauses + (_SCALE_CLAUSES if scaled_note else ()),
        )
    elif scaled_note:
        renamed = f" renamed to {v3} and" if v2 != v3 else ""
        up.emit(CONVERTED, dst, src, f"{v2} {show(value)}{renamed} {scaled_note}", (cf3(v3), *_SCALE_CLAUSES))


def _rescaled(up: Upgrade, value: Any, names: str, src: str, dst: str, scale: _Scale) -> tuple[Any, str]:
    """The v3 value and a note on its rescaling ("" when it is the v2 value unchanged)."""
    if not scale.rescales or scale.amount is None:
        return clone(value), ""
    parsed = parse_decimal(value)
    if parsed is None:
        up.emit(
            UNSCALED,
            dst,
            src,
            f"{names}: {show(value)} is not a decimal, so it could not be "
            f"rescaled from per 1 {scale.unit_text} to per {scale.amount_raw} {scale.unit_text} "
            "and was copied unchanged",
            _SCALE_CLAUSES,
        )
        return clone(value), ""
    new = format_decimal(exact("*", parsed, scale.amount))
    unit = scale.unit_text
    return new, f"rescaled from per 1 {unit} to the v3 declared unit of {scale.amount_raw} {unit}: {new}"


def _product_mass(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any], scale: _Scale) -> None:
    if "productMassPerDeclaredUnit" in pcf:
        return
    src = "/pcf/productMassPerDeclaredUnit"
    clauses = (cf3("productMassPerDeclaredUnit"), ADR36)
    unit = scale.unit
    if unit == "kilogram" and scale.amount is not None:
        mass = format_decimal(scale.amount)
        up.put(out, "/pcf", "productMassPerDeclaredUnit", mass, "declaredUnit")
        up.emit(
            DEFAULTED,
            src,
            src,
            "productMassPerDeclaredUnit absent in v2 and required in v3; declaredUnit is "
            f"kilogram, so the mass of the declared unit ({mass} kilogram) is {mass} kg "
            "by definition",
            (*clauses, f"{TS23}, CarbonFootprint.productMassPerDeclaredUnit"),
        )
        return
    why = (
        "unitaryProductAmount is not a positive decimal"
        if unit == "kilogram"
        else f"declaredUnit {unit} is not a mass, and v2 data do not say what one {unit} of product weighs"
        if isinstance(unit, str)
        else f"declaredUnit {show(unit)} is not a unit"
    )
    amount = f"{scale.amount_raw} {unit}" if isinstance(unit, str) and scale.amount is not None else "the declared unit"
    up.emit(
        MISSING,
        src,
        src,
        "the upgrade could not derive productMassPerDeclaredUnit, which PACT v3 requires "
        f"({why}); add productMassPerDeclaredUnit to pcf: the mass in kilograms of {amount} "
        'of product, as a decimal string (e.g. "0.79")',
        clauses,
    )


def _pcf_including(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    if "pCfIncludingBiogenic" in pcf:
        return
    src = "/pcf/pCfIncludingBiogenic"
    dst = "/pcf/pcfIncludingBiogenicUptake"
    clauses = (cf3("pcfIncludingBiogenicUptake"), cf3("pcfExcludingBiogenicUptake"))
    excl = parse_decimal(out.get("pcfExcludingBiogenicUptake"))
    uptake = parse_decimal(out.get("biogenicCO2Uptake"))
    if excl is None or uptake is None:
        up.emit(
            MISSING,
            dst,
            src,
            "pCfIncludingBiogenic absent in v2 and pcfIncludingBiogenicUptake required in "
            "v3; it cannot be derived without both pCfExcludingBiogenic and "
            "biogenicCarbonWithdrawal as decimals, so it is left absent",
            clauses,
        )
        return
    total = format_decimal(exact("+", excl, uptake))
    up.put(out, "/pcf", "pcfIncludingBiogenicUptake", total, "pCfIncludingBiogenic")
    up.emit(
        DERIVED,
        dst,
        src,
        "pCfIncludingBiogenic absent in v2 and pcfIncludingBiogenicUptake required in "
        "v3; derived by the v3 definition as pcfExcludingBiogenicUptake + "
        f"biogenicCO2Uptake (from pCfExcludingBiogenic and biogenicCarbonWithdrawal) "
        f"= {total}",
        clauses,
    )
