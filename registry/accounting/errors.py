"""Errors of inventories, split by fault like the rest of the registry."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.errors import InputError, RegistryError


@dataclass
class InventoryError(InputError):
    """An inventory that cannot be read: not JSON, not the format, schema violations.

    ``problems`` holds one error per violation, each with its JSON pointer into the inventory.
    """

    code: str = "inventory-error"
    problems: list[RegistryError] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.problems:
            return super().__str__()
        return "\n".join([super().__str__()] + ["  - " + str(p) for p in self.problems])

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.problems:
            out["problems"] = [p.to_dict() for p in self.problems]
        return out
