"""The engine: findings as data, determinism, schema findings, pack selection."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pack_support import bundled, plain_compiled

from registry.errors import PackSelectionError, RegistryError
from registry.findings import Severity
from registry.packs.catalog import Catalog
from registry.packs.validate import validate_bytes

NOW = datetime(2026, 6, 30, tzinfo=UTC)

CORE = "example-standards-body/core"


def test_example_conformant_and_pinned(catalog: Catalog, core_example: dict[str, Any]) -> None:
    result = catalog.compiled(CORE, on=NOW.date()).validate(core_example, now=NOW)
    assert result.conformant
    assert result.pack.id == CORE and result.pack.version == "1.0.0"
    assert result.pack.digest == catalog.get(CORE, on=NOW.date()).digest


def test_unpinned_id_means_the_version_in_effect(catalog: Catalog) -> None:
    from datetime import date

    from registry.errors import InputError

    assert catalog.get(CORE, on=date(2026, 11, 20)).version == "1.0.0"
    assert catalog.get(CORE, on=date(2026, 11, 21)).version == "1.1.0"  # effective.from is inclusive
    assert catalog.get(CORE, on=date(2026, 12, 5)).version == "1.1.0"
    assert catalog.get(CORE).version == "1.2.0"  # no date: the newest
    assert catalog.get(f"{CORE}@1.1.0", on=date(2026, 1, 1)).version == "1.1.0"  # pinned wins
    with pytest.raises(InputError, match="no version of example-standards-body/core was in effect on 2024-12-31"):
        catalog.get(CORE, on=date(2024, 12, 31))


def test_findings_are_deterministic(catalog: Catalog, core_example: dict[str, Any]) -> None:
    doc = copy.deepcopy(core_example)
    doc["pcf"]["exemptedEmissionsPercent"] = "9"
    doc["pcf"]["ipccCharacterizationFactors"] = ["AR4"]
    doc["pcf"]["biogenicCO2Uptake"] = "1"
    del doc["pcf"]["primaryDataShare"]
    compiled = catalog.compiled("example-standards-body/pact-v3")
    first = compiled.validate(doc, now=NOW).to_json()
    for _ in range(3):
        assert compiled.validate(copy.deepcopy(doc), now=NOW).to_json() == first
    sev = [f["severity"] for f in first["findings"]]
    assert sev == sorted(sev, key=["error", "warning", "info"].index)


def test_finding_carries_clauses_and_message(catalog: Catalog, core_example: dict[str, Any]) -> None:
    core_example["pcf"]["exemptedEmissionsPercent"] = "100.5"
    result = catalog.compiled(CORE).validate(core_example, now=NOW)
    (finding,) = result.findings
    assert finding.rule_id == "core.cut-off.limit"
    assert finding.severity is Severity.ERROR
    assert finding.path == "/pcf/exemptedEmissionsPercent"
    assert finding.message == "exempted emissions of 100.5 % exceed the cut-off limit of 100 %"
    assert finding.clauses == (
        "PACT Tech Specs v3.0.4 CarbonFootprint.exemptedEmissionsPercent (no upper boundary since 3.0)",
    )


def test_schema_findings_suppress_evaluation_noise(catalog: Catalog, core_example: dict[str, Any]) -> None:
    del core_example["pcf"]["referencePeriodEnd"]
    result = catalog.compiled(CORE).validate(core_example, now=NOW)
    assert [(f.rule_id, f.path) for f in result.errors] == [("declaration.schema.required", "/pcf/referencePeriodEnd")]


def test_unguarded_rule_error_is_reported_when_schema_is_fine(
    catalog: Catalog, core_example: dict[str, Any], tmp_path: Any
) -> None:
    from registry.packs.engine import CompiledPack
    from registry.packs.rulepack import parse_pack, resolve

    text = (
        "format: pcf-registry/rulepack/1.0\nid: acme/x\nversion: 1.0.0\n"
        "title: {en: X, zh: X}\npublisher: {id: acme, name: ACME}\nstatus: draft\n"
        "effective: {from: '2026-01-01'}\nrules:\n"
        "  - {id: x.a, title: A, severity: warning, clauses: [c], path: /pcf, "
        "check: 'pcf.notThere == 1', message: m}\n"
    )
    pack = parse_pack(text, source="x.yaml")
    compiled = CompiledPack(resolve(pack, lambda ref: pack))
    (finding,) = compiled.validate(core_example, now=NOW).findings
    assert finding.rule_id == "x.a" and finding.severity is Severity.WARNING
    assert finding.message.startswith("rule could not be evaluated")


def test_extension_paths_point_into_the_extension(catalog: Catalog, core_example: dict[str, Any]) -> None:
    core_example["extensions"].insert(
        0, {"specVersion": "2.0.0", "dataSchema": "https://example.com/other.json", "data": {}}
    )
    core_example["extensions"][1]["data"]["stages"]["values"]["production"] = "9"
    result = catalog.compiled(CORE).validate(core_example, now=NOW)
    assert [(f.rule_id, f.path) for f in result.errors] == [("core.stages.sum", "/extensions/1/data/stages/values")]


def test_extension_schema_errors_cite_the_extension(catalog: Catalog, core_example: dict[str, Any]) -> None:
    core_example["extensions"][0]["data"]["gtin"] = "12"
    result = catalog.compiled(CORE).validate(core_example, now=NOW)
    (finding,) = result.errors
    assert finding.path == "/extensions/0/data/gtin"
    assert finding.clauses == ("pcf-registry declaration extension 1.0",)


def test_duplicate_extension_is_an_error(catalog: Catalog, core_example: dict[str, Any]) -> None:
    core_example["extensions"].append(copy.deepcopy(core_example["extensions"][0]))
    result = catalog.compiled(CORE).validate(core_example, now=NOW)
    assert [f.rule_id for f in result.errors] == ["declaration.extension.duplicate"]


def test_pack_selected_by_rule_name(catalog: Catalog, core_example: dict[str, Any]) -> None:
    core_example["pcf"]["productOrSectorSpecificRules"] = [
        {
            "operator": "Other",
            "otherOperatorName": "pcf-registry",
            "ruleNames": ["example-standards-body/pact-v3@1.0.0"],
        }
    ]
    assert catalog.select(core_example, now=NOW).ref == "example-standards-body/pact-v3@1.0.0"


def test_pack_selection_unknown_name_lists_it(catalog: Catalog, core_example: dict[str, Any]) -> None:
    core_example["pcf"]["productOrSectorSpecificRules"] = [
        {"operator": "Other", "otherOperatorName": "pcf-registry", "ruleNames": ["nobody/nothing@1.0.0"]}
    ]
    with pytest.raises(PackSelectionError) as info:
        catalog.select(core_example, now=NOW)
    assert info.value.candidates == ["nobody/nothing@1.0.0"]


def test_pack_selected_by_code_or_refused(catalog: Catalog, core_example: dict[str, Any]) -> None:
    products = [p for p in catalog.packs() if not p.abstract and p.data.get("scope", {}).get("hs")]
    if not products:
        pytest.skip("no product packs")
    pack = products[0]
    core_example["extensions"][0]["data"]["classifications"] = {"hs": [pack.data["scope"]["hs"][0]]}
    assert catalog.select(core_example, now=NOW).id == pack.id
    core_example["extensions"][0]["data"]["classifications"] = {"hs": ["0101"]}
    with pytest.raises(PackSelectionError):
        catalog.select(core_example, now=NOW)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_gives_only_our_error_types(value: Any) -> None:
    catalog = bundled()
    data = json.dumps(value).encode()
    for pack in (CORE, "example-standards-body/pact-v3", None):
        try:
            result = validate_bytes(catalog, data, pack=pack, now=NOW)
        except RegistryError:
            continue
        assert isinstance(result.conformant, bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_examples_give_only_findings(data: st.DataObject) -> None:
    """Replace any value of a real example by arbitrary JSON: never an exception, only findings."""
    catalog = bundled()
    example = copy.deepcopy(catalog.resolve(CORE).example)
    node: Any = example
    while isinstance(node, (dict, list)) and node:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        if data.draw(st.booleans()) or not isinstance(node[key], (dict, list)):
            node[key] = data.draw(json_values)
            break
        node = node[key]
    for pack in (CORE, "example-standards-body/pact-v3", "example-standards-body/gb-t-24067"):
        result = catalog.compiled(pack).validate(example, now=NOW)
        assert all(f.rule_id for f in result.findings)


def test_cpc_from_pact_classification_urns() -> None:
    from registry.declarations.declaration import classification_codes

    doc = {"productClassifications": ["urn:cpc:41431", "urn:pact:productclassification:un-cpc:36111", "urn:x:1"]}
    assert classification_codes(doc) == ([], ["41431", "36111"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_shared_subexpressions_change_no_outcome(data: st.DataObject) -> None:
    """The pack function with common subexpressions shared gives exactly the findings of the plain one."""
    import registry.packs.engine as engine_mod

    catalog = bundled()
    ref = data.draw(st.sampled_from([p.ref for p in catalog.packs() if p.data.get("example")]))
    shared = catalog.compiled(ref)
    plain = plain_compiled(ref)
    example = copy.deepcopy(shared.resolved.example)
    pcf = example["pcf"]
    for key in data.draw(st.lists(st.sampled_from(sorted(pcf)), max_size=4, unique=True)):
        pcf[key] = data.draw(st.sampled_from(["abc", "-1", "0", "1e3", None, True, "12.5", [1]]))
    a = shared.validate(copy.deepcopy(example), now=NOW).to_json()
    b = plain.validate(copy.deepcopy(example), now=NOW).to_json()
    assert a == b
    assert engine_mod.share_subexpressions is not None


def test_shared_subexpression_error_reaches_every_rule(catalog: Catalog, core_example: dict[str, Any]) -> None:
    core_example["pcf"]["fossilGhgEmissions"] = "1.62"
    core_example["pcf"]["landUseChangeGhgEmissions"] = "abc"  # schema error; eval errors suppressed
    result = catalog.compiled(CORE).validate(core_example, now=NOW)
    assert [(f.rule_id, f.path) for f in result.errors] == [
        ("declaration.schema.pattern", "/pcf/landUseChangeGhgEmissions")
    ]
