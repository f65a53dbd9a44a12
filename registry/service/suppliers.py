"""What the registry holds of the supplier declarations an inventory cites (issue 12: mutual
verification). Gathered here from storage, as the caller may see it, and handed to the pure
recalculation engine as :class:`~registry.accounting.SupplierFacts`.

A stored declaration is a stored validation (``POST /v1/validations``, ``/v1/recalculations``, or a
partner footprint pulled and stored): the caller's own only. Labels are public, so a revoked or
suspended label of the cited declaration counts whoever issued it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from registry.accounting import Inventory, SupplierFacts
from registry.declarations import prepare
from registry.storage import issuance as store
from registry.storage import repo
from registry.storage.models import LabelState, Validation


def _per_unit(declaration: Any) -> tuple[Decimal | None, str | None]:
    """A declaration's kg CO2e per one declared unit: PACT v3 values are per ``declaredUnitAmount`` x
    ``declaredUnitOfMeasurement`` (a v2 declaration is read as v3 first)."""
    pf = prepare(declaration).document
    pcf = pf.get("pcf") if isinstance(pf, dict) else None
    if not isinstance(pcf, dict):
        return None, None
    unit = pcf.get("declaredUnitOfMeasurement")
    try:
        value = Decimal(str(pcf["pcfExcludingBiogenicUptake"]))
        amount = Decimal(str(pcf["declaredUnitAmount"]))
    except (KeyError, InvalidOperation):
        return None, None
    if not isinstance(unit, str) or not value.is_finite() or not amount.is_finite() or amount <= 0:
        return None, None
    return value / amount, unit


def supplier_facts(session: Session, org_id: str, inventory: Inventory) -> dict[str, SupplierFacts]:
    """For each supplier declaration the inventory cites (by PACT id): the digests stored under that
    id, the stored per-unit value of the one cited, whether it validated, and its labels' states."""
    cited = {line.supplier.id: line.supplier.digest for line in inventory.lines if line.supplier is not None}
    out: dict[str, SupplierFacts] = {}
    labels = store.labels_of_declarations(session, cited.values())
    states: dict[str, set[str]] = {}
    for label in labels:
        if label.declaration_digest is not None:
            states.setdefault(label.declaration_digest, set()).add(LabelState(label.state).value)
    for pact_id, digest in cited.items():
        rows: list[Validation] = repo.validations_of_declaration_id(session, pact_id, org_id=org_id)
        matching = [r for r in rows if r.declaration_digest == digest]
        value, unit = _per_unit(matching[-1].declaration) if matching else (None, None)
        out[pact_id] = SupplierFacts(
            id=pact_id,
            digests=frozenset(r.declaration_digest for r in rows),
            value=value,
            unit=unit,
            validated=any(r.conformant for r in matching) if matching else None,
            label_states=tuple(sorted(states.get(digest, ()))),
        )
    return out
