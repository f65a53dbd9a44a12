"""Supplier footprints cross-checked against the declarations the registry holds (issue 12): digest,
per-unit value (the stored one is used), unit, validation and label state, each at the line's pointer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from accounting_support import build_library, inventory, line

from registry.accounting import SupplierFacts, inventory_from_data, recalculate
from registry.factors import FactorLibrary

ON = date(2026, 1, 1)
SUPPLIER = "3c2b1a09-8f7e-4d6c-9b5a-112233445566"
DIGEST = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32
AT = "/lines/0/supplierFootprint"


@pytest.fixture(scope="module")
def library() -> FactorLibrary:
    return build_library()


def _inventory(value: str = "1470", unit: str = "t", quantity: str = "2") -> Any:
    sf = {"id": SUPPLIER, "version": 1, "digest": DIGEST, "value": value, "unit": unit}
    doc = inventory(line(factor=None, kind="supplier-footprint", quantity=quantity, unit="t", supplierFootprint=sf))
    return inventory_from_data(doc)


def _run(library: FactorLibrary, facts: SupplierFacts | None, **kw: Any) -> Any:
    suppliers = {} if facts is None else {SUPPLIER: facts}
    return recalculate({"id": "d1"}, _inventory(**kw), library, on=ON, suppliers=suppliers)


def _facts(**kw: Any) -> SupplierFacts:
    base: dict[str, Any] = {
        "id": SUPPLIER,
        "digests": frozenset({DIGEST}),
        "value": Decimal("1.47"),  # per kilogram: 1470 per tonne
        "unit": "kilogram",
        "validated": True,
    }
    return SupplierFacts(**(base | kw))


def _found(result: Any) -> list[tuple[str, str]]:
    return [(f.rule_id, f.path) for f in result.findings if f.rule_id.startswith("recalc.supplier")]


def test_a_stored_validated_declaration_of_the_same_value_passes(library: FactorLibrary) -> None:
    result = _run(library, _facts())
    assert _found(result) == [] and result.total == Decimal("2940")


def test_without_a_lookup_the_line_is_used_as_stated(library: FactorLibrary) -> None:
    result = recalculate({"id": "d1"}, _inventory(), library, on=ON)
    assert _found(result) == [] and result.total == Decimal("2940")


def test_not_stored_is_a_warning_and_the_stated_value_is_used(library: FactorLibrary) -> None:
    result = _run(library, None)
    assert _found(result) == [("recalc.supplier.not-stored", AT + "/id")]
    assert result.findings[0].severity.value == "warning" and result.total == Decimal("2940")


def test_a_digest_that_differs_from_the_stored_declaration(library: FactorLibrary) -> None:
    result = _run(library, _facts(digests=frozenset({OTHER}), value=None, unit=None, validated=None))
    assert _found(result) == [("recalc.supplier.digest", AT + "/digest")]
    assert OTHER in result.findings[0].message


def test_a_value_that_differs_uses_the_stored_one(library: FactorLibrary) -> None:
    result = _run(library, _facts(), value="1400")
    assert _found(result) == [("recalc.supplier.value", AT + "/value")]
    assert result.total == Decimal("2940") and result.lines[0].factor_value == Decimal("1470")
    assert "1400" in result.findings[0].message and "1470" in result.findings[0].message


def test_a_unit_that_does_not_convert(library: FactorLibrary) -> None:
    result = _run(library, _facts(unit="kilowatt hour"))
    assert _found(result) == [("recalc.supplier.unit", AT + "/unit")]


def test_not_conformant_and_label_states(library: FactorLibrary) -> None:
    result = _run(library, _facts(validated=False, label_states=("revoked", "suspended", "valid")))
    assert _found(result) == [
        ("recalc.supplier.label-revoked", AT + "/id"),
        ("recalc.supplier.label-suspended", AT + "/id"),
        ("recalc.supplier.not-conformant", AT + "/id"),
    ]
    assert all(f.severity.value == "error" for f in result.findings if f.rule_id.startswith("recalc.supplier"))


def test_a_revoked_label_counts_even_when_not_stored_for_the_caller(library: FactorLibrary) -> None:
    result = _run(
        library, _facts(digests=frozenset(), value=None, unit=None, validated=None, label_states=("revoked",))
    )
    assert ("recalc.supplier.label-revoked", AT + "/id") in _found(result)
