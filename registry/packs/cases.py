"""The generic runner for rule packs' own test cases.

Each case takes the pack's example declaration (or its own), applies an RFC 6902
JSON Patch, validates it against the pack, and compares: ``conformant``, and
exactly the expected error and warning findings (rule id, and path if given).
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jsonpatch

from registry.accounting import Inventory, InventoryError, inventory_from_data
from registry.findings import Severity
from registry.packs.catalog import Catalog
from registry.packs.engine import CompiledPack

DEFAULT_NOW = datetime(2026, 6, 30, tzinfo=UTC)


@dataclass
class CaseResult:
    pack: str
    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return DEFAULT_NOW
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def run_case(compiled: CompiledPack, case: dict[str, Any]) -> CaseResult:
    result = CaseResult(compiled.ref.ref, case["name"])
    base = case.get("declaration", compiled.resolved.example)
    if base is None:
        result.problems.append("no declaration: the case has none and the pack has no example")
        return result
    doc = copy.deepcopy(base)
    if case.get("patch"):
        try:
            doc = jsonpatch.apply_patch(doc, case["patch"])
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as e:
            result.problems.append(f"patch does not apply: {e}")
            return result
    try:
        inventory = _case_inventory(compiled, case)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, ValueError) as e:
        result.problems.append(f"inventory: {e}")
        return result
    outcome = compiled.validate(doc, now=_parse_now(case.get("now")), inventory=inventory)
    expect = case["expect"]
    if outcome.conformant != expect["conformant"]:
        result.problems.append(f"conformant is {outcome.conformant}, expected {expect['conformant']}")
    if "findings" in expect:
        _compare_findings(result, outcome.findings, expect["findings"])
    if "grade" in expect and compiled.grade(doc) != expect["grade"]:
        result.problems.append(f"grade is {compiled.grade(doc)!r}, expected {expect['grade']!r}")
    return result


def _case_inventory(compiled: CompiledPack, case: dict[str, Any]) -> Inventory | None:
    """The inventory a case validates with: none, the pack's example, or its own; patched if asked."""
    raw = case.get("inventory")
    if raw is None:
        return None
    if raw == "example":
        raw = compiled.resolved.example_inventory
        if raw is None:
            raise ValueError("the case asks for the example inventory and the pack has none")
    doc = copy.deepcopy(raw)
    if case.get("inventoryPatch"):
        doc = jsonpatch.apply_patch(doc, case["inventoryPatch"])
    try:
        return inventory_from_data(doc)
    except InventoryError as e:
        raise ValueError(str(e)) from e


def _compare_findings(result: CaseResult, actual: Any, expected: list[dict[str, Any]]) -> None:
    wanted_info = any(e.get("severity") == "info" for e in expected)
    got = [f for f in actual if f.severity is not Severity.INFO or wanted_info]
    with_path = all("path" in e for e in expected)

    def key(rule_id: str, path: str | None) -> tuple[str, str | None]:
        return (rule_id, path if with_path else None)

    got_c = Counter(key(f.rule_id, f.path) for f in got)
    exp_c = Counter(key(e["rule_id"], e.get("path")) for e in expected)
    for k in sorted((exp_c - got_c).elements(), key=str):
        result.problems.append(f"expected finding not produced: {k[0]} at {k[1]}")
    for k in sorted((got_c - exp_c).elements(), key=str):
        msg = next(f.message for f in got if key(f.rule_id, f.path) == k)
        result.problems.append(f"unexpected finding: {k[0]} at {k[1]}: {msg}")


def run_pack_tests(catalog: Catalog, refs: list[str] | None = None) -> list[CaseResult]:
    results: list[CaseResult] = []
    packs = [catalog.get(r) for r in refs] if refs else catalog.packs()
    for pack in packs:
        compiled = catalog.compiled(pack.ref)
        for case in pack.data.get("tests", []):
            results.append(run_case(compiled, case))
    return results
