"""Units through pint in exact decimals, with PACT's unit names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from registry.units import PACT_UNITS, UnitError, conversion_factor, convert, is_unit


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        ("MWh", "kWh", "1000"),
        ("kilowatt hour", "MJ", "3.6"),
        ("ton kilometer", "t*km", "1"),
        ("t·km", "kg*km", "1000"),
        ("tkm", "t*km", "1"),
        ("L", "m^3", "0.001"),
        ("cubic meter", "L", "1000"),
        ("t", "kg", "1000"),
        ("piece", "pcs", "1"),
    ],
)
def test_exact_conversions(source: str, target: str, factor: str) -> None:
    assert conversion_factor(source, target) == Decimal(factor)


def test_every_pact_unit_resolves() -> None:
    assert all(is_unit(name) for name in PACT_UNITS)


def test_incompatible_units_are_an_error_naming_both() -> None:
    with pytest.raises(UnitError, match="'kWh' does not convert to 'kg'"):
        conversion_factor("kWh", "kg")


@pytest.mark.parametrize("unit", ["", "kWhh", "kg**", "()", "__import__('os')"])
def test_garbage_is_a_unit_error(unit: str) -> None:
    assert not is_unit(unit)
    with pytest.raises(UnitError):
        convert(Decimal(1), unit, "kg")
