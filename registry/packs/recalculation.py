"""A pack's recalculation step: the inventory (given, or carried as an extension) recomputed,
the pack's ``recalculation`` demands checked, and the view CEL rules read as ``recalc``.

A declaration with no inventory and a pack that asks for none costs one scan of its extensions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.accounting import (
    Inventory,
    InventoryError,
    RecalcPolicy,
    Recalculation,
    Resolver,
    SupplierFacts,
    bundled_library,
    cel_view,
    embedded_inventory,
    inventory_from_data,
    policy_findings,
    recalculate,
)
from registry.factors import FactorLibrary
from registry.findings import Finding, Severity

_RESOLVERS: dict[tuple[int, int], Resolver] = {}  # per library (and its size: a set added means a new cache)


@dataclass
class RecalcStep:
    recalculation: Recalculation | None
    findings: list[Finding]
    view: dict[str, Any] | None


def _resolver(library: FactorLibrary | None) -> Resolver:
    lib = library if library is not None else bundled_library()
    key = (id(lib), len(lib))
    found = _RESOLVERS.get(key)
    if found is None or found.library is not lib:
        found = _RESOLVERS[key] = Resolver(lib)
    return found


def _embedded(document: Any) -> tuple[Inventory | None, str, list[Finding]]:
    found = embedded_inventory(document)
    if found is None:
        return None, "", []
    data, pointer = found
    try:
        return inventory_from_data(data), pointer, []
    except InventoryError as e:
        problems = e.problems or [e]
        return None, pointer, [
            Finding(
                rule_id="recalc.inventory.schema", severity=Severity.ERROR,
                path=pointer + (p.location.pointer or ""), message=p.message, clauses=("pcf-registry inventory 1.0",),
            )
            for p in problems
        ]  # fmt: skip


def run_step(
    document: Any,
    inventory: Inventory | None,
    policy: RecalcPolicy,
    pack: str,
    *,
    on: date,
    library: FactorLibrary | None = None,
    suppliers: Mapping[str, SupplierFacts] | None = None,
) -> RecalcStep | None:
    """None when there is nothing to do (no inventory, none required): the hot path."""
    base = ""
    findings: list[Finding] = []
    if inventory is None:
        inventory, base, findings = _embedded(document)
        if inventory is None and not findings and not policy.require_inventory:
            return None
    if inventory is None:
        return RecalcStep(None, findings or policy_findings(None, policy, pack), None)
    recalc = recalculate(
        document, inventory, _resolver(library), on=on, policy=policy, base_pointer=base, suppliers=suppliers
    )
    findings = [*recalc.findings, *policy_findings(recalc, policy, pack)]
    return RecalcStep(recalc, findings, cel_view(recalc))
