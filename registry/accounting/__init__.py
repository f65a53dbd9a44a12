"""Accounting: activity inventories and the recalculation of a declaration's numbers from them.

* :class:`Inventory`, :func:`parse_inventory`, :func:`inventory_from_data` - an inventory read,
  every schema violation with its JSON pointer (``inventory.py``);
* :func:`recalculate` - per line the factor used, the unit chain, kg CO2e and share; totals per
  stage and fossil/biogenic/land-use; primary data share and emissions-weighted DQR; deviation
  from the declared values (``engine.py``, ``result.py``);
* :class:`RecalcPolicy`, :func:`policy_findings` - what a rule pack asks of it (``policy.py``,
  ``checks.py``);
* :func:`bundled_library` - the bundled factor sets (``library.py``).

See docs/accounting.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.lazy import lazy_face

if TYPE_CHECKING:
    from registry.accounting.checks import policy_findings
    from registry.accounting.engine import Resolver, declared_values, recalculate, region_covers
    from registry.accounting.errors import InventoryError
    from registry.accounting.inventory import (
        FORMAT,
        SCHEMA_ID,
        Inventory,
        Line,
        SupplierFacts,
        SupplierRef,
        embedded_inventory,
        inventory_from_data,
        parse_inventory,
    )
    from registry.accounting.library import bundled_library
    from registry.accounting.policy import NO_POLICY, RecalcPolicy, RegionFallback
    from registry.accounting.render import render_html, render_text
    from registry.accounting.result import LineResult, Recalculation, Step, cel_view

# Members load on first use: the rule engine reads a pack's policy and looks for an embedded
# inventory on every validation, and must not import the units stack (pint) to do so.
_LAZY = {
    "policy_findings": "checks",
    "Resolver": "engine",
    "declared_values": "engine",
    "recalculate": "engine",
    "region_covers": "engine",
    "InventoryError": "errors",
    "FORMAT": "inventory",
    "SCHEMA_ID": "inventory",
    "Inventory": "inventory",
    "Line": "inventory",
    "SupplierFacts": "inventory",
    "SupplierRef": "inventory",
    "embedded_inventory": "inventory",
    "inventory_from_data": "inventory",
    "parse_inventory": "inventory",
    "bundled_library": "library",
    "NO_POLICY": "policy",
    "RecalcPolicy": "policy",
    "RegionFallback": "policy",
    "render_html": "render",
    "render_text": "render",
    "LineResult": "result",
    "Recalculation": "result",
    "Step": "result",
    "cel_view": "result",
}
__getattr__, __dir__ = lazy_face(__name__, _LAZY)

__all__ = [
    "FORMAT",
    "NO_POLICY",
    "SCHEMA_ID",
    "Inventory",
    "InventoryError",
    "Line",
    "LineResult",
    "RecalcPolicy",
    "Recalculation",
    "RegionFallback",
    "Resolver",
    "Step",
    "SupplierFacts",
    "SupplierRef",
    "bundled_library",
    "cel_view",
    "declared_values",
    "embedded_inventory",
    "inventory_from_data",
    "parse_inventory",
    "policy_findings",
    "recalculate",
    "region_covers",
    "render_html",
    "render_text",
]
