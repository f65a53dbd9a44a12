"""Units of measurement: one pint registry in exact decimals, with the units PACT names.

Factor sets state an activity unit per factor (``kWh``, ``t*km``, ``L``); inventories state
a quantity in a unit; PACT declares products per ``kilogram``, ``ton kilometer``, ``piece``.
Converting between them goes through pint (a well-kept units library, ADR 0011) with
``Decimal`` magnitudes, never a home-made table. The registry is built once, on first use,
and a conversion factor is cached per pair of units.

PACT v3's ``declaredUnitOfMeasurement`` values are defined or aliased here: ``ton kilometer``
(t*km), ``piece`` (a count, its own dimension ``[item]``), ``megabit second``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from registry.errors import InputError, Location

# PACT v3 declaredUnitOfMeasurement -> a pint expression
PACT_UNITS: dict[str, str] = {
    "liter": "liter",
    "kilogram": "kilogram",
    "cubic meter": "meter ** 3",
    "kilowatt hour": "kilowatt_hour",
    "megajoule": "megajoule",
    "ton kilometer": "tonne * kilometer",
    "square meter": "meter ** 2",
    "piece": "piece",
    "hour": "hour",
    "megabit second": "megabit * second",
}

_DEFINITIONS = (
    "piece = [item] = pc = pcs = item = unit_item",
    "tkm = tonne * kilometer = t_km",
    "passenger = [passenger]",
    "pkm = passenger * kilometer = p_km",
)


@dataclass
class UnitError(InputError):
    """A unit that does not resolve, or two units that do not convert."""

    code: str = "unit-error"


@cache
def registry() -> Any:
    """The pint registry (Decimal magnitudes), built on first use (about 0.15 s)."""
    import pint

    reg: Any = pint.UnitRegistry(non_int_type=Decimal, cache_folder=None)
    for line in _DEFINITIONS:
        reg.define(line)
    return reg


def _expression(unit: str) -> str:
    text = unit.strip()
    return PACT_UNITS.get(text, text).replace("·", "*").replace("⋅", "*")


@cache
def parse_unit(unit: str) -> Any:
    """The pint unit for ``unit`` (a PACT name or a pint expression such as ``t*km``)."""
    import pint

    if not unit.strip():
        raise UnitError("empty unit")
    reg = registry()
    try:
        return reg.parse_units(_expression(unit))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError) as e:
        raise UnitError(f"unknown unit {unit!r}") from e
    except Exception as e:  # pint's tokenizer raises assorted errors on garbage
        raise UnitError(f"unreadable unit {unit!r}: {e}") from e


def is_unit(unit: str) -> bool:
    try:
        parse_unit(unit)
    except UnitError:
        return False
    return True


@cache
def conversion_factor(source: str, target: str) -> Decimal:
    """``x`` such that 1 ``source`` = ``x`` ``target``, exact where pint's definitions are."""
    import pint

    src, dst = parse_unit(source), parse_unit(target)
    try:
        factor = registry().Quantity(Decimal(1), src).to(dst).magnitude
    except pint.errors.DimensionalityError as e:
        raise UnitError(
            f"{source!r} does not convert to {target!r} ({e.dim1 or 'dimensionless'} vs {e.dim2 or 'dimensionless'})"
        ) from e
    return Decimal(factor).normalize()


def convert(quantity: Decimal, source: str, target: str, *, location: Location | None = None) -> Decimal:
    """``quantity`` in ``source`` expressed in ``target``."""
    try:
        return quantity * conversion_factor(source, target)
    except UnitError as e:
        raise UnitError(e.message, location or e.location) from e
