"""Reading factor sets: errors name the JSON pointer or the line; decimals keep their digits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
import pytest
from factor_support import small_set_document

from registry.factors import FactorSet, FactorSetError, decimal_text, factor_set_from_data, parse_factor_set


def test_small_set_loads(make_set: Callable[..., FactorSet]) -> None:
    fs = make_set()
    assert fs.ref == "test-body/fuels@1.0.0"
    assert fs.by_id["gas-kwh"].value == Decimal("0.1955")
    assert fs.by_id["gas-kwh"].gases == {"CO2": Decimal("0.19"), "CH4": Decimal("0.0001"), "N2O": Decimal("0.00001")}


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(FactorSetError) as e:
        parse_factor_set(b'{\n  "format": ,\n}', file="x.json")
    assert e.value.location.file == "x.json"
    assert e.value.location.line == 2


def test_not_a_factor_set_says_so() -> None:
    with pytest.raises(FactorSetError, match="not a factor set") as e:
        factor_set_from_data({"format": "pcf-registry/rulepack/1.0"})
    assert e.value.location.pointer == "/format"


def test_every_schema_violation_has_its_pointer() -> None:
    doc = small_set_document()
    doc["records"][1]["value"] = 0.6  # a number, not a decimal string
    doc["records"][0]["unit"] = ""
    del doc["licence"]["redistributable"]
    with pytest.raises(FactorSetError) as e:
        factor_set_from_data(doc)
    pointers = {p.location.pointer for p in e.value.problems}
    assert {"/records/1/value", "/records/0/unit", "/licence/redistributable"} <= pointers


@pytest.mark.parametrize("text", ["+5", "007", "1e3", "1.", ".5"])
def test_decimals_are_written_plainly(text: str) -> None:
    doc = small_set_document()
    doc["records"][0]["value"] = text
    with pytest.raises(FactorSetError) as e:
        factor_set_from_data(doc)
    assert [p.location.pointer for p in e.value.problems] == ["/records/0/value"]


@pytest.mark.parametrize("text", ["0.0000001", "0.10", "1000", "-0.5", "0"])
def test_decimals_read_back_digit_for_digit(text: str) -> None:
    doc: dict[str, Any] = small_set_document()
    doc["records"][0]["value"] = text
    del doc["records"][0]["gases"]
    fs = factor_set_from_data(doc)
    assert fs.to_json()["records"][0]["value"] == text
    assert decimal_text(Decimal(text)) == text


def test_digest_is_over_canonical_json_and_changes_with_a_figure(make_set: Callable[..., FactorSet]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["records"][1]["value"] = "0.61"

    a, b = make_set(), make_set(edit)
    assert a.digest().startswith("sha256:") and a.digest() != b.digest()
    assert a.digest() == factor_set_from_data(orjson.loads(orjson.dumps(a.to_json()))).digest()
