"""PACT v3 export (registry/convert/pact_out/: to_pact_v3)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from registry.convert.pact_out import to_pact_v3
from registry.errors import InputError
from registry.findings import Severity
from registry.packs.catalog import Catalog
from registry.resources import EXTENSION_SCHEMA_ID

ROOT = Path(__file__).resolve().parents[2]
PACKS = [p.ref for p in Catalog.bundled().packs()]
OTHER_EXTENSION = {
    "specVersion": "2.0.0",
    "dataSchema": "https://example.org/shipment/1.0.0/data-model.json",
    "data": {"shipmentId": "S-1"},
}


def _checker() -> FormatChecker:
    checker = FormatChecker()
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

    @checker.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
    def _date_time(value: object) -> bool:
        if isinstance(value, str):
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return bool(stamp.match(value))
        return True

    @checker.checks("uuid", raises=ValueError)  # type: ignore[untyped-decorator]
    def _uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    return checker


@cache
def v3_validator() -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas/pact/pact-productfootprint-v3.0.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=_checker())


def v3_errors(doc: Any) -> list[str]:
    return sorted(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v3_validator().iter_errors(doc))


def example(catalog: Catalog, ref: str) -> dict[str, Any]:
    found = catalog.resolve(ref).example
    assert found is not None
    return copy.deepcopy(found)


@pytest.mark.parametrize("ref", PACKS)
def test_kept_extension_is_the_declaration_unchanged_and_valid(catalog: Catalog, ref: str) -> None:
    doc = example(catalog, ref)
    before = copy.deepcopy(doc)
    result = to_pact_v3(doc, keep_extension=True)
    assert doc == before
    assert result.document == doc
    assert result.document is not doc and result.document["pcf"] is not doc["pcf"]
    assert v3_errors(result.document) == []
    assert result.findings == ()


@pytest.mark.parametrize("ref", PACKS)
def test_dropped_extension_is_named_and_output_valid(catalog: Catalog, ref: str) -> None:
    doc = example(catalog, ref)
    keys = list(doc["extensions"][0]["data"])
    result = to_pact_v3(doc, keep_extension=False)
    assert "extensions" not in result.document
    assert v3_errors(result.document) == []
    assert {k: v for k, v in result.document.items()} == {k: v for k, v in doc.items() if k != "extensions"}
    [finding] = result.findings
    assert finding.rule_id == "convert.pact-v3.extension-dropped"
    assert finding.severity is Severity.INFO and finding.path == "/extensions/0"
    for key in keys:
        assert key in finding.message


def test_other_parties_extensions_are_kept(core_example: dict[str, Any]) -> None:
    core_example["extensions"].insert(0, OTHER_EXTENSION)
    result = to_pact_v3(core_example, keep_extension=False)
    assert result.document["extensions"] == [OTHER_EXTENSION]
    assert [(f.rule_id, f.path, f.source_path) for f in result.findings] == [
        ("convert.pact-v3.extension-dropped", "/extensions/1", "/extensions")
    ]
    assert v3_errors(result.document) == []


def test_declaration_without_extension(core_example: dict[str, Any]) -> None:
    del core_example["extensions"]
    for keep in (True, False):
        result = to_pact_v3(core_example, keep_extension=keep)
        assert result.document == core_example and result.findings == ()


def test_schema_violations_become_error_findings(core_example: dict[str, Any]) -> None:
    del core_example["companyName"]
    core_example["pcf"]["declaredUnitOfMeasurement"] = "barrel"
    result = to_pact_v3(core_example, keep_extension=True)
    paths = {(f.rule_id, f.path) for f in result.findings if f.severity is Severity.ERROR}
    assert ("convert.pact-v3.schema.required", "/companyName") in paths
    assert ("convert.pact-v3.schema.enum", "/pcf/declaredUnitOfMeasurement") in paths
    assert len(v3_errors(result.document)) == len(paths)


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ([], ""),
        ("text", ""),
        ({"specVersion": "2.3.0", "pcf": {}}, "/specVersion"),
        ({"specVersion": "3.0.0", "pcf": []}, "/pcf"),
    ],
)
def test_refused_input(doc: Any, pointer: str) -> None:
    with pytest.raises(InputError) as info:
        to_pact_v3(doc, keep_extension=True)
    assert info.value.location.pointer == pointer


def test_extension_is_recognised_by_its_schema_id(core_example: dict[str, Any]) -> None:
    ours = core_example["extensions"][0]
    assert ours["dataSchema"] == EXTENSION_SCHEMA_ID
    lookalike = {**ours, "dataSchema": EXTENSION_SCHEMA_ID.replace("1.0", "9.9")}
    core_example["extensions"] = [lookalike]
    result = to_pact_v3(core_example, keep_extension=False)
    assert result.document["extensions"] == [lookalike] and result.findings == ()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(value=_json, keep=st.booleans())
def test_arbitrary_json_only_raises_input_error(value: Any, keep: bool) -> None:
    try:
        result = to_pact_v3(value, keep_extension=keep)
    except InputError:
        return
    assert isinstance(result.document, dict)
