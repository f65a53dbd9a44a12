"""An activity inventory in memory, read from JSON with every schema violation named by its pointer.

Lines are slotted records built once; their decimals are exact (``Decimal`` from the text).
An inventory travels with a declaration as the ``data`` of a PACT extension whose
``dataSchema`` is :data:`SCHEMA_ID`, or beside it as a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from registry.accounting.errors import InventoryError
from registry.canonical import sha256_digest
from registry.errors import InputError, Location, RegistryError
from registry.schemas import iter_schema_errors

FORMAT = "pcf-registry/inventory/1.0"
SCHEMA_ID = "https://pcf-registry.org/schemas/inventory-1.0.json"
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class SupplierRef:
    """A supplier's footprint used as this line's factor: ``value`` kg CO2e per ``unit``."""

    id: str
    version: int | None
    digest: str
    value: Decimal
    unit: str
    primary_data_share: Decimal | None

    @property
    def ref(self) -> str:
        version = f"@{self.version}" if self.version is not None else ""
        return f"pact:{self.id}{version}"


@dataclass(frozen=True, slots=True)
class SupplierFacts:
    """What the registry holds of a supplier declaration an inventory line cites (gathered by the
    caller from storage, so the engine stays pure).

    ``digests``: the digests of the stored declarations with that PACT id (the caller's); ``value``
    and ``unit``: the stored declaration's kg CO2e per one ``unit`` (None when the digest cited is
    not stored); ``validated``: whether a stored validation of it is conformant (None: not
    validated here); ``label_states``: the states of its labels (valid, suspended, revoked).
    """

    id: str
    digests: frozenset[str]
    value: Decimal | None = None
    unit: str | None = None
    validated: bool | None = None
    label_states: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Line:
    pointer: str
    id: str
    stage: str
    kind: str
    quantity: Decimal
    unit: str
    allocation: Decimal
    factor: str | None
    supplier: SupplierRef | None
    region: str | None
    year: int | None
    primary: bool
    evidence: tuple[str, ...]

    @classmethod
    def from_json(cls, raw: dict[str, Any], pointer: str, region: str | None, year: int | None) -> Line:
        sf = raw.get("supplierFootprint")
        supplier = None
        if sf is not None:
            pds = sf.get("primaryDataShare")
            supplier = SupplierRef(
                sf["id"], sf.get("version"), sf["digest"], Decimal(sf["value"]), sf["unit"],
                None if pds is None else Decimal(pds),
            )  # fmt: skip
        return cls(
            pointer=pointer,
            id=raw["id"],
            stage=raw["stage"],
            kind=raw["kind"],
            quantity=Decimal(raw["quantity"]),
            unit=raw["unit"],
            allocation=Decimal(raw["allocation"]) if "allocation" in raw else ONE,
            factor=raw.get("factor"),
            supplier=supplier,
            region=raw.get("region", region),
            year=raw.get("year", year),
            primary=bool(raw["primary"]),
            evidence=tuple(e["digest"] for e in raw.get("evidence", ())),
        )


@dataclass(frozen=True)
class Inventory:
    document: dict[str, Any]
    lines: tuple[Line, ...]
    digest: str

    @property
    def reference_amount(self) -> Decimal:
        """How many declared units the lines describe (1 unless the inventory says otherwise)."""
        raw = self.document.get("referenceAmount")
        return ONE if raw is None else Decimal(raw)

    @property
    def declaration_id(self) -> str | None:
        d = self.document.get("declaration")
        return None if d is None else str(d["id"])


def inventory_from_data(document: Any, *, file: str | None = None) -> Inventory:
    """An inventory from parsed JSON; :class:`InventoryError` listing every schema violation."""
    if not isinstance(document, dict):
        raise InventoryError("an inventory is a JSON object", Location(file, pointer=""))
    if document.get("format") != FORMAT:
        raise InventoryError(
            f"not an inventory: format is {document.get('format')!r}, expected {FORMAT!r}",
            Location(file, pointer="/format"),
        )
    problems: list[RegistryError] = [
        InputError(f"{e.message} ({e.keyword})", Location(file, pointer=e.pointer))
        for e in iter_schema_errors(SCHEMA_ID, document)
    ]
    if problems:
        raise InventoryError(f"{len(problems)} schema violation(s) in the inventory", Location(file), problems=problems)
    region, year = document.get("region"), document.get("year")
    lines = tuple(Line.from_json(raw, f"/lines/{i}", region, year) for i, raw in enumerate(document["lines"]))
    return Inventory(document, lines, sha256_digest(document))


def parse_inventory(data: bytes, *, file: str | None = None) -> Inventory:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise InventoryError(f"invalid JSON: {e.msg}", Location(file, e.lineno, e.colno)) from e
    return inventory_from_data(document, file=file)


def embedded_inventory(declaration: Any) -> tuple[Any, str] | None:
    """The inventory a declaration carries as a PACT extension, and the pointer of its data."""
    extensions = declaration.get("extensions") if isinstance(declaration, dict) else None
    if not isinstance(extensions, list):
        return None
    for i, ext in enumerate(extensions):
        if isinstance(ext, dict) and ext.get("dataSchema") == SCHEMA_ID:
            return ext.get("data"), f"/extensions/{i}/data"
    return None
