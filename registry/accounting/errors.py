"""Errors of inventories, split by fault like the rest of the registry."""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import InputProblems


@dataclass
class InventoryError(InputProblems):
    """An inventory that cannot be read: not JSON, not the format, schema violations.

    ``problems`` holds one error per violation, each with its JSON pointer into the inventory.
    """

    code: str = "inventory-error"
