"""Pack version compatibility (ADR 0004): every change kind, its bump, and the bump check."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from registry.errors import InputError, PackError
from registry.packs.catalog import Catalog
from registry.packs.diff import (
    Bump,
    Change,
    ChangeKind,
    IncompatibleVersionError,
    PackDiff,
    check_bump,
    diff_packs,
    diff_refs,
    normalize_cel,
    render_text,
    required_bump,
    version_bump,
)
from registry.packs.rulepack import load_pack_file

Pack = dict[str, Any]
Mutation = Callable[[Pack], None]

OLD = "acme/widget@1.0.0"


def base_pack(version: str = "1.0.0") -> Pack:
    """An abstract base the widget extends: a parameter with a limit the widget overrides."""
    return {
        "format": "pcf-registry/rulepack/1.0",
        "id": "acme/base",
        "version": version,
        "title": {"en": "Base", "zh": "基础"},
        "publisher": {"id": "acme", "name": "ACME"},
        "status": "published",
        "abstract": True,
        "effective": {"from": "2026-01-01"},
        "parameters": {
            "validityYears": {"value": 3, "unit": "years", "limit": "max"},
            "tolerance": 0.01,
        },
        "rules": [
            {
                "id": "base.period",
                "title": "Reference period ends after it starts",
                "severity": "error",
                "clauses": ["ACME 1 §2"],
                "path": "/pcf/referencePeriodEnd",
                "check": "timestamp(pcf.referencePeriodEnd) > timestamp(pcf.referencePeriodStart)",
                "message": "reference period ends before it starts",
            }
        ],
    }


def widget(version: str = "1.0.0") -> Pack:
    return {
        "format": "pcf-registry/rulepack/1.0",
        "id": "acme/widget",
        "version": version,
        "title": {"en": "Widget", "zh": "小部件"},
        "description": {"en": "Widgets.", "zh": "小部件。"},
        "publisher": {"id": "acme", "name": "ACME"},
        "status": "published",
        "effective": {"from": "2026-01-01"},
        "extends": ["acme/base@1.0.0"],
        "provenance": {"official": False, "notice": {"en": "Example.", "zh": "示例。"}},
        "scope": {"hs": ["8501"], "cpc": ["46110"]},
        "declaredUnit": {"unit": "kilogram", "amount": "1"},
        "systemBoundary": "cradle-to-gate",
        "requiredStages": ["raw-material-acquisition", "production"],
        "parameters": {
            "cutOffPercent": {"value": 5, "unit": "percent", "description": "Largest exemption.", "limit": "max"},
            "minShare": {"value": 10, "unit": "percent", "limit": "min"},
            "reports": {"value": ["AR5", "AR6"], "limit": "allowed"},
            "requiredAfter": {"value": "2027-12-31T00:00:00Z", "limit": "max"},
            "lifetimeKm": 40000,
            "validityYears": 3,
        },
        "rules": [
            {
                "id": "widget.unit",
                "title": "Unit is kilogram",
                "severity": "error",
                "clauses": ["ACME PCR 1.0 §3"],
                "path": "/pcf/declaredUnitOfMeasurement",
                "check": "pcf.declaredUnitOfMeasurement == 'kilogram'",
                "message": "unit is ${pcf.declaredUnitOfMeasurement}",
            },
            {
                "id": "widget.cut-off",
                "title": "Exemptions within the cut-off",
                "severity": "error",
                "clauses": ["ACME PCR 1.0 §4"],
                "path": "/pcf/exemptedEmissionsPercent",
                "check": "double(pcf.exemptedEmissionsPercent) <= double(params.cutOffPercent)",
                "message": "exempted ${pcf.exemptedEmissionsPercent} %",
            },
            {
                "id": "widget.lifetime",
                "title": "Default lifetime used",
                "severity": "warning",
                "clauses": ["ACME PCR 1.0 §5"],
                "stage": "use",
                "path": "{ext}/productParameters/lifetimeKm",
                "when": "has(ext.productParameters)",
                "check": "double(ext.productParameters.lifetimeKm) == double(params.lifetimeKm)",
                "message": "lifetime is not the default",
            },
            {
                "id": "widget.hint",
                "title": "Comment given",
                "severity": "info",
                "clauses": ["ACME PCR 1.0 §6"],
                "check": "has(pf.comment)",
                "message": "no comment",
            },
            {
                "id": "widget.sign",
                "title": "Not negative",
                "severity": "error",
                "clauses": ["ACME PCR 1.0 §7"],
                "path": "/pcf/{item}",
                "forEach": ["fossilGhgEmissions", "landUseChangeGhgEmissions"],
                "when": "item in pcf",
                "check": "double(pcf[item]) >= 0.0",
                "message": "${item} is negative",
            },
            {
                "id": "widget.sign-hint",
                "title": "Optional values present",
                "severity": "warning",
                "clauses": ["ACME PCR 1.0 §7"],
                "path": "/pcf/{item}",
                "forEach": ["aircraftGhgEmissions"],
                "check": "item in pcf",
                "message": "${item} missing",
            },
            {
                "id": "widget.review",
                "title": "Critical review done",
                "severity": "error",
                "kind": "attestation",
                "clauses": ["ACME PCR 1.0 §8"],
            },
        ],
        "grading": {
            "metric": "pcfExcludingBiogenicUptake",
            "unit": "kg CO2e per kg",
            "bands": [
                {"grade": "A", "max": "1", "label": {"en": "good", "zh": "好"}},
                {"grade": "B", "max": "2"},
                {"grade": "C"},
            ],
        },
        "example": {"specVersion": "3.0.0"},
        "tests": [{"name": "example passes", "expect": {"conformant": True}}],
    }


def rule(pack: Pack, rule_id: str) -> dict[str, Any]:
    return next(r for r in pack["rules"] if r["id"] == rule_id)


def write_catalog(root: Path, *packs: Pack) -> Catalog:
    root.mkdir(parents=True, exist_ok=True)
    for i, pack in enumerate(packs):
        text = yaml.safe_dump(pack, sort_keys=False, allow_unicode=True)
        (root / f"{i:02d}-{pack['id'].replace('/', '_')}-{pack['version']}.yaml").write_text(text, encoding="utf-8")
    return Catalog.from_directory(root)


def diff_of(
    tmp_path: Path,
    mutate: Mutation,
    *,
    version: str = "9.0.0",
    lookup: bool = True,
    extra: tuple[Pack, ...] = (),
) -> PackDiff:
    new = widget(version)
    mutate(new)
    catalog = write_catalog(tmp_path / "packs", base_pack(), *extra, widget(), new)
    new_ref = f"{new['id']}@{new['version']}"
    if lookup:
        return diff_refs(catalog, OLD, new_ref)
    return diff_packs(catalog.resolve(OLD), catalog.resolve(new_ref))


def triples(diff: PackDiff) -> list[tuple[str, str, str]]:
    return [(c.kind.value, c.bump.value, c.pointer) for c in diff.changes]


def only(diff: PackDiff) -> Change:
    assert len(diff.changes) == 1, render_text(diff)
    return diff.changes[0]


# --- mutations: one change each ---------------------------------------------------------------


def _add_rule(severity: str, kind: str = "check") -> Mutation:
    def mutate(p: Pack) -> None:
        r: dict[str, Any] = {"id": "widget.new", "title": "New", "severity": severity, "clauses": ["§9"]}
        if kind == "attestation":
            r["kind"] = "attestation"
        else:
            r.update(check="has(pf.comment)", message="no comment")
        p["rules"].append(r)

    return mutate


def _set_rule(rule_id: str, key: str, value: Any) -> Mutation:
    def mutate(p: Pack) -> None:
        r = rule(p, rule_id)
        if value is None:
            del r[key]
        else:
            r[key] = value

    return mutate


def _remove_rule(rule_id: str) -> Mutation:
    def mutate(p: Pack) -> None:
        p["rules"] = [r for r in p["rules"] if r["id"] != rule_id]

    return mutate


def _set_param(name: str, value: Any) -> Mutation:
    def mutate(p: Pack) -> None:
        raw = p["parameters"][name]
        if isinstance(raw, dict):
            raw["value"] = value
        else:
            p["parameters"][name] = value

    return mutate


def _set(key: str, value: Any) -> Mutation:
    def mutate(p: Pack) -> None:
        p[key] = value

    return mutate


def _set_in(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(p: Pack) -> None:
        target: Any = p
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = value

    return mutate


SINGLE_CHANGES: list[tuple[str, Mutation, tuple[str, str, str]]] = [
    # rules added / removed
    ("error rule added", _add_rule("error"), ("rule-added", "major", "/rules/widget.new")),
    ("warning rule added", _add_rule("warning"), ("rule-added", "minor", "/rules/widget.new")),
    ("info rule added", _add_rule("info"), ("rule-added", "minor", "/rules/widget.new")),
    ("error attestation added", _add_rule("error", "attestation"), ("rule-added", "major", "/rules/widget.new")),
    ("warning attestation added", _add_rule("warning", "attestation"), ("rule-added", "minor", "/rules/widget.new")),
    ("error rule removed", _remove_rule("widget.unit"), ("rule-removed", "minor", "/rules/widget.unit")),
    ("warning rule removed", _remove_rule("widget.lifetime"), ("rule-removed", "minor", "/rules/widget.lifetime")),
    # severity
    (
        "warning raised to error",
        _set_rule("widget.lifetime", "severity", "error"),
        ("severity-raised", "major", "/rules/widget.lifetime/severity"),
    ),
    (
        "info raised to error",
        _set_rule("widget.hint", "severity", "error"),
        ("severity-raised", "major", "/rules/widget.hint/severity"),
    ),
    (
        "info raised to warning",
        _set_rule("widget.hint", "severity", "warning"),
        ("severity-raised", "minor", "/rules/widget.hint/severity"),
    ),
    (
        "error lowered to warning",
        _set_rule("widget.unit", "severity", "warning"),
        ("severity-lowered", "minor", "/rules/widget.unit/severity"),
    ),
    (
        "warning lowered to info",
        _set_rule("widget.lifetime", "severity", "info"),
        ("severity-lowered", "minor", "/rules/widget.lifetime/severity"),
    ),
    # logic
    (
        "check changed",
        _set_rule("widget.unit", "check", "pcf.declaredUnitOfMeasurement in ['kilogram', 'liter']"),
        ("rule-logic-changed", "major", "/rules/widget.unit/check"),
    ),
    (
        "when added",
        _set_rule("widget.unit", "when", "has(pcf.declaredUnitOfMeasurement)"),
        ("rule-logic-changed", "major", "/rules/widget.unit/when"),
    ),
    (
        "when removed of a warning rule (never decides conformance)",
        _set_rule("widget.lifetime", "when", None),
        ("rule-logic-changed", "minor", "/rules/widget.lifetime/when"),
    ),
    (
        "when changed of a warning rule (never decides conformance)",
        _set_rule("widget.lifetime", "when", "has(ext.productParameters.lifetimeKm)"),
        ("rule-logic-changed", "minor", "/rules/widget.lifetime/when"),
    ),
    (
        "check reformatted",
        _set_rule(
            "widget.cut-off", "check", "double( pcf.exemptedEmissionsPercent )\n  <= double(params.cutOffPercent)"
        ),
        ("rule-text-changed", "patch", "/rules/widget.cut-off/check"),
    ),
    (
        "whitespace inside a string literal is logic",
        _set_rule("widget.unit", "check", "pcf.declaredUnitOfMeasurement == 'kilogram '"),
        ("rule-logic-changed", "major", "/rules/widget.unit/check"),
    ),
    (
        "forEach added",
        _set_rule("widget.hint", "forEach", ["a", "b"]),
        ("rule-logic-changed", "major", "/rules/widget.hint/forEach"),
    ),
    (
        "forEach removed",
        _set_rule("widget.sign-hint", "forEach", None),
        ("rule-logic-changed", "major", "/rules/widget.sign-hint/forEach"),
    ),
    (
        "forEach item added to an error rule",
        _set_rule(
            "widget.sign", "forEach", ["fossilGhgEmissions", "landUseChangeGhgEmissions", "packagingGhgEmissions"]
        ),
        ("rule-items-added", "major", "/rules/widget.sign/forEach/2"),
    ),
    (
        "forEach item added to a warning rule",
        _set_rule("widget.sign-hint", "forEach", ["aircraftGhgEmissions", "packagingGhgEmissions"]),
        ("rule-items-added", "minor", "/rules/widget.sign-hint/forEach/1"),
    ),
    (
        "forEach item removed",
        _set_rule("widget.sign", "forEach", ["fossilGhgEmissions"]),
        ("rule-items-removed", "minor", "/rules/widget.sign/forEach/1"),
    ),
    (
        "forEach reordered",
        _set_rule("widget.sign", "forEach", ["landUseChangeGhgEmissions", "fossilGhgEmissions"]),
        ("rule-text-changed", "patch", "/rules/widget.sign/forEach"),
    ),
    # where and what findings say
    (
        "path changed",
        _set_rule("widget.unit", "path", "/pcf/declaredUnitAmount"),
        ("rule-path-changed", "minor", "/rules/widget.unit/path"),
    ),
    (
        "path added",
        _set_rule("widget.hint", "path", "/comment"),
        ("rule-path-changed", "minor", "/rules/widget.hint/path"),
    ),
    (
        "title changed",
        _set_rule("widget.unit", "title", "Unit"),
        ("rule-text-changed", "patch", "/rules/widget.unit/title"),
    ),
    (
        "message changed",
        _set_rule("widget.unit", "message", "the unit is ${pcf.declaredUnitOfMeasurement}"),
        ("rule-text-changed", "patch", "/rules/widget.unit/message"),
    ),
    (
        "clauses changed",
        _set_rule("widget.unit", "clauses", ["ACME PCR 1.1 §3"]),
        ("rule-text-changed", "patch", "/rules/widget.unit/clauses"),
    ),
    (
        "stage changed",
        _set_rule("widget.lifetime", "stage", "end-of-life"),
        ("rule-text-changed", "patch", "/rules/widget.lifetime/stage"),
    ),
    # parameters
    ("max lowered", _set_param("cutOffPercent", 3), ("threshold-tightened", "major", "/parameters/cutOffPercent")),
    ("max raised", _set_param("cutOffPercent", 8), ("threshold-loosened", "minor", "/parameters/cutOffPercent")),
    ("min raised", _set_param("minShare", 20), ("threshold-tightened", "major", "/parameters/minShare")),
    ("min lowered", _set_param("minShare", 5), ("threshold-loosened", "minor", "/parameters/minShare")),
    (
        "max date lowered",
        _set_param("requiredAfter", "2026-12-31T00:00:00Z"),
        ("threshold-tightened", "major", "/parameters/requiredAfter"),
    ),
    (
        "max date raised",
        _set_param("requiredAfter", "2028-12-31T00:00:00Z"),
        ("threshold-loosened", "minor", "/parameters/requiredAfter"),
    ),
    (
        "max date against a date without zone",
        _set_param("requiredAfter", "2028-12-31"),
        ("parameter-changed", "major", "/parameters/requiredAfter"),
    ),
    ("allowed item removed", _set_param("reports", ["AR6"]), ("threshold-tightened", "major", "/parameters/reports")),
    (
        "allowed item added",
        _set_param("reports", ["AR5", "AR6", "AR7"]),
        ("threshold-loosened", "minor", "/parameters/reports"),
    ),
    (
        "allowed item swapped",
        _set_param("reports", ["AR6", "AR7"]),
        ("threshold-tightened", "major", "/parameters/reports"),
    ),
    ("allowed reordered", _set_param("reports", ["AR6", "AR5"]), ("parameter-changed", "patch", "/parameters/reports")),
    ("no limit", _set_param("lifetimeKm", 50000), ("parameter-changed", "major", "/parameters/lifetimeKm")),
    (
        "parameter added",
        _set_in(("parameters", "newParam"), 1),
        ("parameter-added", "patch", "/parameters/newParam"),
    ),
    (
        "parameter wording",
        _set_in(("parameters", "cutOffPercent", "description"), "Largest share exempted."),
        ("metadata-changed", "patch", "/parameters/cutOffPercent"),
    ),
    (
        "parameter limit annotated",
        _set_in(("parameters", "lifetimeKm"), {"value": 40000, "limit": "min"}),
        ("metadata-changed", "patch", "/parameters/lifetimeKm"),
    ),
    # unit, boundary, stages, modules
    (
        "declared unit changed",
        _set("declaredUnit", {"unit": "piece", "amount": "1"}),
        ("declared-unit-changed", "major", "/declaredUnit"),
    ),
    (
        "declared amount changed",
        _set("declaredUnit", {"unit": "kilogram", "amount": "1000"}),
        ("declared-unit-changed", "major", "/declaredUnit"),
    ),
    (
        "declared amount rewritten",
        _set("declaredUnit", {"unit": "kilogram", "amount": "1.0"}),
        ("metadata-changed", "patch", "/declaredUnit"),
    ),
    (
        "declared unit described",
        _set_in(("declaredUnit", "description"), {"en": "one kilogram", "zh": "一千克"}),
        ("metadata-changed", "patch", "/declaredUnit"),
    ),
    ("declared unit dropped", _set("declaredUnit", None), ("declared-unit-changed", "major", "/declaredUnit")),
    ("boundary changed", _set("systemBoundary", "cradle-to-grave"), ("boundary-changed", "major", "/systemBoundary")),
    ("boundary dropped", _set("systemBoundary", None), ("boundary-changed", "major", "/systemBoundary")),
    (
        "stage required",
        _set("requiredStages", ["raw-material-acquisition", "production", "distribution"]),
        ("stage-required", "major", "/requiredStages/2"),
    ),
    ("stage dropped", _set("requiredStages", ["production"]), ("stage-dropped", "minor", "/requiredStages/0")),
    (
        "stages reordered",
        _set("requiredStages", ["production", "raw-material-acquisition"]),
        ("metadata-changed", "patch", "/requiredStages"),
    ),
    ("module required", _set("requiredModules", ["A1-A3"]), ("module-required", "major", "/requiredModules/0")),
    # scope
    ("hs code removed", _set_in(("scope", "hs"), []), ("scope-narrowed", "major", "/scope/hs/0")),
    ("cpc code added", _set_in(("scope", "cpc"), ["46110", "46120"]), ("scope-widened", "minor", "/scope/cpc/1")),
    (
        "redundant hs code added",
        _set_in(("scope", "hs"), ["8501", "8501.10"]),
        ("metadata-changed", "patch", "/scope/hs/1"),
    ),
    ("pack made abstract", _set("abstract", True), ("scope-narrowed", "major", "/abstract")),
    (
        "scope described",
        _set_in(("scope", "description"), {"en": "Motors", "zh": "电机"}),
        ("metadata-changed", "patch", "/scope/description"),
    ),
    # grading
    (
        "band max raised",
        _set_in(("grading", "bands", 0, "max"), "1.5"),
        ("band-moved", "minor", "/grading/bands/0/max"),
    ),
    (
        "band max lowered",
        _set_in(("grading", "bands", 1, "max"), "1.8"),
        ("band-moved", "minor", "/grading/bands/1/max"),
    ),
    (
        "band max rewritten",
        _set_in(("grading", "bands", 0, "max"), "1.0"),
        ("metadata-changed", "patch", "/grading/bands/0/max"),
    ),
    (
        "band added",
        _set_in(
            ("grading", "bands"),
            [
                {"grade": "A", "max": "1", "label": {"en": "good", "zh": "好"}},
                {"grade": "B", "max": "2"},
                {"grade": "B+", "max": "2.5"},
                {"grade": "C"},
            ],
        ),
        ("band-added", "minor", "/grading/bands/2"),
    ),
    (
        "band removed",
        _set_in(
            ("grading", "bands"),
            [{"grade": "A", "max": "1", "label": {"en": "good", "zh": "好"}}, {"grade": "B", "max": "2"}],
        ),
        ("band-removed", "minor", "/grading/bands/2"),
    ),
    (
        "metric changed",
        _set_in(("grading", "metric"), "pcfIncludingBiogenicUptake"),
        ("grading-metric-changed", "minor", "/grading/metric"),
    ),
    ("grading removed", _set("grading", None), ("grading-removed", "minor", "/grading")),
    (
        "band label changed",
        _set_in(("grading", "bands", 0, "label"), {"en": "very good", "zh": "很好"}),
        ("metadata-changed", "patch", "/grading"),
    ),
    ("grading unit changed", _set_in(("grading", "unit"), "kg CO2e/kg"), ("metadata-changed", "patch", "/grading")),
    # metadata: one change per top-level key
    ("title", _set("title", {"en": "Widgets", "zh": "小部件"}), ("metadata-changed", "patch", "/title")),
    (
        "description",
        _set("description", {"en": "All widgets.", "zh": "所有小部件。"}),
        ("metadata-changed", "patch", "/description"),
    ),
    ("publisher name", _set_in(("publisher", "name"), "ACME Corp."), ("metadata-changed", "patch", "/publisher")),
    (
        "effective dates",
        _set("effective", {"from": "2026-06-01", "until": "2030-12-31"}),
        ("metadata-changed", "patch", "/effective"),
    ),
    ("provenance", _set_in(("provenance", "official"), True), ("metadata-changed", "patch", "/provenance")),
    ("example", _set("example", {"specVersion": "3.0.1"}), ("metadata-changed", "patch", "/example")),
    ("tests", _set("tests", []), ("metadata-changed", "patch", "/tests")),
    ("status", _set("status", "deprecated"), ("metadata-changed", "patch", "/status")),
    (
        "recalculation warn bound added",
        _set("recalculation", {"deviation": {"warnPercent": "5"}}),
        ("recalculation-changed", "minor", "/recalculation"),
    ),
    (
        "recalculation requires an inventory",
        _set("recalculation", {"requireInventory": True}),
        ("recalculation-changed", "major", "/recalculation"),
    ),
    (
        "example inventory",
        _set(
            "exampleInventory",
            {
                "format": "pcf-registry/inventory/1.0",
                "lines": [
                    {
                        "id": "l1",
                        "stage": "A1",
                        "kind": "energy",
                        "quantity": "1",
                        "unit": "kWh",
                        "factor": "a/b#c",
                        "primary": True,
                    }
                ],
            },
        ),
        ("metadata-changed", "patch", "/exampleInventory"),
    ),
]


def _drop_none(p: Pack) -> None:
    for key in [k for k, v in p.items() if v is None]:
        del p[key]


@pytest.mark.parametrize(("name", "mutate", "expected"), SINGLE_CHANGES, ids=[c[0] for c in SINGLE_CHANGES])
def test_single_change_is_classified(
    tmp_path: Path, name: str, mutate: Mutation, expected: tuple[str, str, str]
) -> None:
    def apply(p: Pack) -> None:
        mutate(p)
        _drop_none(p)

    diff = diff_of(tmp_path, apply)
    change = only(diff)
    assert (change.kind.value, change.bump.value, change.pointer) == expected
    assert diff.required == Bump(expected[1])
    assert change.message


def test_every_change_kind_is_exercised() -> None:
    """Kinds tested outside SINGLE_CHANGES are listed here; none may go untested."""
    covered = {c[2][0] for c in SINGLE_CHANGES}
    covered |= {"id-changed", "extends-changed", "parameter-removed", "scope-widened", "stage-dropped"}
    covered |= {"module-dropped", "grading-added", "rule-kind-changed"}
    assert covered == {k.value for k in ChangeKind}


# --- cases with more than one change ---------------------------------------------------------


def test_rule_kind_changed(tmp_path: Path) -> None:
    def mutate(p: Pack) -> None:
        r = rule(p, "widget.hint")
        r["kind"] = "attestation"
        del r["check"], r["message"]

    diff = diff_of(tmp_path, mutate)
    assert triples(diff) == [
        ("rule-kind-changed", "major", "/rules/widget.hint/kind"),
        ("rule-text-changed", "patch", "/rules/widget.hint/message"),
    ]
    assert diff.changes[0].before == "check" and diff.changes[0].after == "attestation"


def test_rule_disabled_by_override_is_a_removal(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _set("ruleOverrides", [{"id": "base.period", "disabled": True, "reason": "not here"}]))
    assert triples(diff) == [
        ("rule-removed", "minor", "/rules/base.period"),
        ("metadata-changed", "patch", "/ruleOverrides"),
    ]


def test_inherited_rule_regraded_by_override(tmp_path: Path) -> None:
    def mutate_base(p: Pack) -> None:
        p["ruleOverrides"] = [{"id": "base.period", "severity": "warning", "reason": "lenient"}]

    diff = diff_of(tmp_path, mutate_base)
    assert triples(diff) == [
        ("severity-lowered", "minor", "/rules/base.period/severity"),
        ("metadata-changed", "patch", "/ruleOverrides"),
    ]
    assert diff.changes[0].rule_id == "base.period"


def test_parameter_removed(tmp_path: Path) -> None:
    def mutate(p: Pack) -> None:
        del p["parameters"]["lifetimeKm"]
        rule(p, "widget.lifetime")["check"] = "has(ext.productParameters.lifetimeKm)"

    diff = diff_of(tmp_path, mutate)
    assert triples(diff) == [
        ("parameter-removed", "patch", "/parameters/lifetimeKm"),
        ("rule-logic-changed", "minor", "/rules/widget.lifetime/check"),
    ]


def test_inherited_limit_needs_lookup(tmp_path: Path) -> None:
    """validityYears has limit: max in the base; the widget overrides it without one."""
    with_lookup = diff_of(tmp_path / "a", _set_param("validityYears", 4))
    assert triples(with_lookup) == [("threshold-loosened", "minor", "/parameters/validityYears")]
    without = diff_of(tmp_path / "b", _set_param("validityYears", 4), lookup=False)
    assert triples(without) == [("parameter-changed", "major", "/parameters/validityYears")]
    tightened = diff_of(tmp_path / "c", _set_param("validityYears", 2))
    assert triples(tightened) == [("threshold-tightened", "major", "/parameters/validityYears")]


def test_limit_changed_with_the_value_is_major(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _set_in(("parameters", "minShare"), {"value": 5, "unit": "percent", "limit": "max"}))
    assert triples(diff) == [
        ("parameter-changed", "major", "/parameters/minShare"),
        ("metadata-changed", "patch", "/parameters/minShare"),
    ]
    assert "limit from min to max" in diff.changes[0].message


def test_limit_only_on_the_new_side_is_used(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _set_in(("parameters", "lifetimeKm"), {"value": 30000, "limit": "min"}))
    assert triples(diff) == [
        ("threshold-loosened", "minor", "/parameters/lifetimeKm"),
        ("metadata-changed", "patch", "/parameters/lifetimeKm"),
    ]


def test_parameter_value_of_another_type_is_major(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _set_param("cutOffPercent", 5.0))
    change = only(diff)
    assert (change.kind, change.bump) == (ChangeKind.PARAMETER_CHANGED, Bump.MAJOR)
    assert (change.before, change.after) == (5, 5.0)


def test_extends_changed_is_metadata(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _set("extends", ["acme/base@1.1.0"]), extra=(base_pack("1.1.0"),))
    assert triples(diff) == [("extends-changed", "patch", "/extends")]
    assert diff.changes[0].before == ["acme/base@1.0.0"]
    assert diff.changes[0].after == ["acme/base@1.1.0"]


def test_base_change_shows_through_extends(tmp_path: Path) -> None:
    newer_base = base_pack("2.0.0")
    rule(newer_base, "base.period")["severity"] = "warning"
    diff = diff_of(tmp_path, _set("extends", ["acme/base@2.0.0"]), extra=(newer_base,))
    assert triples(diff) == [
        ("extends-changed", "patch", "/extends"),
        ("severity-lowered", "minor", "/rules/base.period/severity"),
    ]


def test_scope_code_made_more_specific_narrows(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _set_in(("scope", "hs"), ["8501.10"]))
    assert triples(diff) == [
        ("scope-narrowed", "major", "/scope/hs/0"),
        ("metadata-changed", "patch", "/scope/hs/0"),
    ]


def test_scope_code_made_more_general_widens(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _set_in(("scope", "hs"), ["85"]))
    assert triples(diff) == [
        ("metadata-changed", "patch", "/scope/hs/0"),
        ("scope-widened", "minor", "/scope/hs/0"),
    ]


def test_abstract_pack_made_selectable_widens(tmp_path: Path) -> None:
    base2 = base_pack("1.1.0")
    base2["abstract"] = False
    catalog = write_catalog(tmp_path, base_pack(), base2)
    diff = diff_refs(catalog, "acme/base@1.0.0", "acme/base@1.1.0")
    assert triples(diff) == [("scope-widened", "minor", "/abstract")]


def test_stage_and_module_dropped(tmp_path: Path) -> None:
    old = widget()
    old["requiredModules"] = ["A1-A3", "C4"]
    new = widget("1.1.0")
    new["requiredModules"] = ["A1-A3"]
    new["requiredStages"] = ["raw-material-acquisition"]
    catalog = write_catalog(tmp_path, base_pack(), old, new)
    diff = diff_refs(catalog, OLD, "acme/widget@1.1.0")
    assert triples(diff) == [
        ("stage-dropped", "minor", "/requiredStages/1"),
        ("module-dropped", "minor", "/requiredModules/1"),
    ]
    check_bump(diff)


def test_grading_added(tmp_path: Path) -> None:
    old = widget()
    del old["grading"]
    catalog = write_catalog(tmp_path, base_pack(), old, widget("1.1.0"))
    diff = diff_refs(catalog, OLD, "acme/widget@1.1.0")
    assert triples(diff) == [("grading-added", "minor", "/grading")]


def test_band_moved_says_which_way(tmp_path: Path) -> None:
    raised = only(diff_of(tmp_path / "a", _set_in(("grading", "bands", 0, "max"), "1.5")))
    lowered = only(diff_of(tmp_path / "b", _set_in(("grading", "bands", 0, "max"), "0.5")))
    assert "raised" in raised.message and "lenient" in raised.message
    assert "lowered" in lowered.message and "stricter" in lowered.message
    assert (raised.before, raised.after) == ("1", "1.5")


def test_id_changed(tmp_path: Path) -> None:
    other = widget("2.0.0")
    other["id"] = "acme/gadget"
    catalog = write_catalog(tmp_path, base_pack(), widget(), other)
    diff = diff_refs(catalog, OLD, "acme/gadget@2.0.0")
    assert triples(diff) == [("id-changed", "major", "/id")]
    check_bump(diff)


# --- identical packs, determinism, rendering ---------------------------------------------------


def test_identical_packs_have_no_changes(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, lambda p: None, version="1.0.1")
    assert diff.changes == ()
    assert diff.required is Bump.PATCH
    assert diff.actual is Bump.PATCH
    assert diff.ok
    check_bump(diff)


def test_same_version_is_not_ok(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, base_pack(), widget())
    diff = diff_refs(catalog, OLD, OLD)
    assert diff.changes == () and diff.actual is None and not diff.ok
    with pytest.raises(IncompatibleVersionError) as info:
        check_bump(diff)
    assert "not a newer version" in str(info.value)


def test_order_of_rules_and_parameters_does_not_matter(tmp_path: Path) -> None:
    def shuffle(p: Pack) -> None:
        p["rules"] = list(reversed(p["rules"]))
        p["parameters"] = dict(reversed(list(p["parameters"].items())))

    assert diff_of(tmp_path, shuffle).changes == ()


def _many(p: Pack) -> None:
    p["title"] = {"en": "Widgets", "zh": "小部件"}
    p["parameters"]["cutOffPercent"]["value"] = 3
    p["parameters"]["minShare"]["value"] = 5
    p["rules"] = list(reversed(p["rules"]))
    rule(p, "widget.unit")["severity"] = "warning"
    rule(p, "widget.hint")["severity"] = "error"
    p["rules"].append(
        {"id": "a.first", "title": "t", "severity": "info", "clauses": ["c"], "check": "true", "message": "m"}
    )
    p["requiredStages"] = ["production", "end-of-life"]
    p["grading"]["bands"][0]["max"] = "0.9"


def test_diff_is_deterministic(tmp_path: Path) -> None:
    first = diff_of(tmp_path / "a", _many)
    second = diff_of(tmp_path / "b", _many)
    assert first == second
    assert orjson.dumps(first.to_json()) == orjson.dumps(second.to_json())
    assert triples(first) == [
        ("stage-required", "major", "/requiredStages/1"),
        ("stage-dropped", "minor", "/requiredStages/0"),
        ("threshold-tightened", "major", "/parameters/cutOffPercent"),
        ("threshold-loosened", "minor", "/parameters/minShare"),
        ("rule-added", "minor", "/rules/a.first"),
        ("severity-raised", "major", "/rules/widget.hint/severity"),
        ("severity-lowered", "minor", "/rules/widget.unit/severity"),
        ("band-moved", "minor", "/grading/bands/0/max"),
        ("metadata-changed", "patch", "/title"),
    ]


def test_to_json_is_json(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _many, version="1.1.0")
    data = json.loads(orjson.dumps(diff.to_json()))
    assert data["old"] == OLD and data["new"] == "acme/widget@1.1.0"
    assert data["required"] == "major" and data["actual"] == "minor" and data["ok"] is False
    first = data["changes"][0]
    assert set(first) == {"kind", "bump", "pointer", "before", "after", "rule_id", "message"}
    added = next(c for c in data["changes"] if c["kind"] == "rule-added")
    assert added["after"]["id"] == "a.first" and added["before"] is None and added["rule_id"] == "a.first"


def test_render_text_one_line_per_change(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, _many, version="1.1.0")
    lines = render_text(diff).splitlines()
    assert lines[0].startswith("acme/widget@1.0.0 -> acme/widget@1.1.0: 9 change(s); required major, actual minor")
    assert lines[0].endswith("REFUSED")
    assert len(lines) == 1 + len(diff.changes)
    cut = next(line for line in lines if "/parameters/cutOffPercent" in line)
    assert cut.split()[:3] == ["major", "threshold-tightened", "/parameters/cutOffPercent"]
    assert "lowered from 5 to 3" in cut


# --- the bump check ---------------------------------------------------------------------------


def test_check_bump_refuses_tightening_under_minor(tmp_path: Path) -> None:
    def mutate(p: Pack) -> None:
        p["parameters"]["cutOffPercent"]["value"] = 3
        p["title"] = {"en": "Widgets", "zh": "小部件"}

    diff = diff_of(tmp_path, mutate, version="1.1.0")
    assert diff.actual is Bump.MINOR and diff.required is Bump.MAJOR and not diff.ok
    with pytest.raises(IncompatibleVersionError) as info:
        check_bump(diff)
    err = info.value
    assert isinstance(err, PackError)
    assert err.diff is diff
    text = str(err)
    assert "acme/widget@1.1.0 is a minor release after acme/widget@1.0.0" in text
    assert "but its changes need a major release" in text
    assert "major threshold-tightened /parameters/cutOffPercent: cutOffPercent lowered from 5 to 3" in text
    assert "/title" not in text  # only the changes that need more than the actual bump
    as_dict = err.to_dict()
    assert as_dict["code"] == "incompatible-version"
    assert isinstance(as_dict["diff"], dict) and as_dict["diff"]["required"] == "major"


def test_check_bump_accepts_major(tmp_path: Path) -> None:
    check_bump(diff_of(tmp_path, _set_param("cutOffPercent", 3), version="2.0.0"))


def test_check_bump_minor_change_under_patch(tmp_path: Path) -> None:
    diff = diff_of(tmp_path / "a", _set_param("cutOffPercent", 8), version="1.0.1")
    with pytest.raises(IncompatibleVersionError) as info:
        check_bump(diff)
    assert "minor threshold-loosened /parameters/cutOffPercent" in str(info.value)
    check_bump(diff_of(tmp_path / "b", _set_param("cutOffPercent", 8), version="1.1.0"))


def test_check_bump_patch_for_text(tmp_path: Path) -> None:
    check_bump(diff_of(tmp_path, _set_rule("widget.unit", "title", "Unit"), version="1.0.1"))


# --- versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("1.2.3", "2.0.0", Bump.MAJOR),
        ("1.2.3", "1.3.0", Bump.MINOR),
        ("1.2.3", "1.2.4", Bump.PATCH),
        ("1.2.3", "3.1.4", Bump.MAJOR),
        ("1.2.3", "1.4.7", Bump.MINOR),
        ("1.2.3", "1.2.3", None),
        ("1.2.3", "1.2.2", None),
        ("1.2.3", "1.0.9", None),
        ("2.0.0", "1.9.9", None),
        ("1.9.0", "1.10.0", Bump.MINOR),
        # pre-releases: different cores decide by the cores
        ("1.2.3", "2.0.0-rc.1", Bump.MAJOR),
        ("1.2.3", "1.3.0-beta", Bump.MINOR),
        ("1.2.3", "1.2.4-rc.1", Bump.PATCH),
        ("2.0.0-rc.1", "2.0.1", Bump.PATCH),
        ("1.2.3", "1.2.3-rc.1", None),
        # same core: the core's own level decides
        ("2.0.0-rc.1", "2.0.0-rc.2", Bump.MAJOR),
        ("2.0.0-rc.2", "2.0.0", Bump.MAJOR),
        ("1.3.0-rc.1", "1.3.0", Bump.MINOR),
        ("1.2.4-rc.1", "1.2.4", Bump.PATCH),
        ("2.0.0-rc.2", "2.0.0-rc.10", Bump.MAJOR),
        ("2.0.0-rc.10", "2.0.0-rc.2", None),
        ("2.0.0-alpha", "2.0.0-alpha.1", Bump.MAJOR),
        ("2.0.0-beta", "2.0.0-alpha", None),
        ("2.0.0", "2.0.0-rc.1", None),
        # 0.y.z read as Cargo does
        ("0.1.0", "0.2.0", Bump.MAJOR),
        ("0.1.0", "0.1.1", Bump.MINOR),
        ("0.0.1", "0.0.2", Bump.MAJOR),
        ("0.9.3", "1.0.0", Bump.MAJOR),
        ("0.2.0-rc.1", "0.2.0", Bump.MAJOR),
        ("0.2.1-rc.1", "0.2.1", Bump.MINOR),
    ],
)
def test_version_bump(old: str, new: str, expected: Bump | None) -> None:
    assert version_bump(old, new) is expected


def test_version_bump_rejects_non_semver() -> None:
    with pytest.raises(InputError):
        version_bump("1.2", "1.3.0")


_versions = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}" + (f"-{pre}" if pre else ""),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from(["", "", "rc.1", "rc.2", "rc.10", "alpha", "beta.2"]),
)


def _precedence_key(v: str) -> tuple[Any, ...]:
    core, _, pre = v.partition("-")
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    return (tuple(int(x) for x in core.split(".")), 0 if pre else 1, ids)


@given(_versions, _versions)
def test_version_bump_none_exactly_when_not_newer(old: str, new: str) -> None:
    bump = version_bump(old, new)
    assert (bump is None) == (_precedence_key(new) <= _precedence_key(old))
    if bump is not None and old.split(".")[0] != new.split(".")[0]:
        assert bump is Bump.MAJOR


def test_bump_is_ordered_by_size() -> None:
    assert Bump.PATCH < Bump.MINOR < Bump.MAJOR
    assert Bump.MAJOR >= Bump.MAJOR > Bump.PATCH
    assert max([Bump.PATCH, Bump.MAJOR, Bump.MINOR]) is Bump.MAJOR
    assert sorted([Bump.MAJOR, Bump.PATCH, Bump.MINOR]) == [Bump.PATCH, Bump.MINOR, Bump.MAJOR]
    assert required_bump([]) is Bump.PATCH


# --- CEL normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("a&&b", "a  &&\n  b", True),
        ("x in ['a', 'b']", "x in [ 'a' ,'b' ]", True),
        ("double(x) <= 1.0", "double( x )<=1.0 // the limit", True),
        ("a == 'x y'", "a == 'x  y'", False),
        ('a == r"\\d "', 'a == r"\\d  "', False),
        ("a == '''x\n y'''", "a == '''x\n  y'''", False),
        ("a in b", "ain b", False),
        ("!a", "! a", True),
    ],
)
def test_normalize_cel(a: str, b: str, same: bool) -> None:
    assert (normalize_cel(a) == normalize_cel(b)) is same


def test_normalize_cel_keeps_escaped_quotes() -> None:
    assert normalize_cel("a == 'it\\'s  x'  ") == "a=='it\\'s  x'"
    assert normalize_cel(None) is None


# --- shipped packs ----------------------------------------------------------------------------


def test_each_shipped_pack_against_itself(catalog: Catalog) -> None:
    for pack in catalog.packs():
        diff = diff_refs(catalog, pack.ref, pack.ref)
        assert diff.changes == (), render_text(diff)
        assert diff.required is Bump.PATCH


def _shipped_copy(tmp_path: Path, catalog: Catalog, ref: str, edit: Callable[[Pack], None]) -> Catalog:
    """The shipped packs plus an edited copy of one, as JSON (a pack may be JSON)."""
    root = tmp_path / "packs"
    root.mkdir()
    edited_id = ref.partition("@")[0]
    for pack in catalog.packs():
        assert pack.source is not None
        if pack.id == edited_id and pack.ref != ref:  # later shipped versions would clash with the edit
            continue
        data = load_pack_file(Path(pack.source)).data
        (root / f"{pack.id.replace('/', '_')}-{pack.version}.json").write_text(json.dumps(data), encoding="utf-8")
        if pack.ref == ref:
            edited = copy.deepcopy(data)
            edit(edited)
            (root / f"{pack.id.replace('/', '_')}-{edited['version']}.json").write_text(
                json.dumps(edited), encoding="utf-8"
            )
    return Catalog.from_directory(root)


def test_shipped_unannotated_parameter_change_is_major(tmp_path: Path, catalog: Catalog) -> None:
    """lifetimeKm is a scenario value with no direction: any change needs a major version."""
    ref = "example-standards-body/passenger-car-tyre@1.0.0"

    def edit(p: Pack) -> None:
        p["version"] = "1.9.0"
        p["parameters"]["lifetimeKm"]["value"] = 50000

    cat = _shipped_copy(tmp_path, catalog, ref, edit)
    diff = diff_refs(cat, ref, "example-standards-body/passenger-car-tyre@1.9.0")
    assert triples(diff) == [("parameter-changed", "major", "/parameters/lifetimeKm")]
    with pytest.raises(IncompatibleVersionError):
        check_bump(diff)


def test_shipped_annotated_parameter_loosened_is_minor(tmp_path: Path, catalog: Catalog) -> None:
    ref = "example-standards-body/aluminium-ingot@1.0.0"

    def edit(p: Pack) -> None:
        p["version"] = "1.9.0"
        p["parameters"]["cutOffPercent"]["value"] = 2

    cat = _shipped_copy(tmp_path, catalog, ref, edit)
    diff = diff_refs(cat, ref, "example-standards-body/aluminium-ingot@1.9.0")
    assert triples(diff) == [("threshold-loosened", "minor", "/parameters/cutOffPercent")]
    check_bump(diff)


def test_shipped_inherited_annotation_applies(tmp_path: Path, catalog: Catalog) -> None:
    """Annotating core's cutOffPercent as a max lets a product pack loosen it in a minor release."""
    ref = "example-standards-body/aluminium-ingot@1.0.0"

    def edit(p: Pack) -> None:
        p["version"] = "1.9.0"
        p["parameters"]["cutOffPercent"]["value"] = 2

    cat = _shipped_copy(tmp_path, catalog, ref, edit)
    core_file = tmp_path / "packs" / "example-standards-body_core-1.0.0.json"
    core = json.loads(core_file.read_text(encoding="utf-8"))
    core["parameters"]["cutOffPercent"]["limit"] = "max"
    core_file.write_text(json.dumps(core), encoding="utf-8")
    cat = Catalog.from_directory(tmp_path / "packs")
    diff = diff_refs(cat, ref, "example-standards-body/aluminium-ingot@1.9.0")
    assert triples(diff) == [("threshold-loosened", "minor", "/parameters/cutOffPercent")]
    check_bump(diff)
