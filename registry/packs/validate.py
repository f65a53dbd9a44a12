"""Validating declarations against rule packs: bytes or documents in, :class:`ValidationResult` out.

Used by the CLI and the HTTP API. Pure; time is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from registry.accounting import Inventory, Recalculation
from registry.errors import RegistryError
from registry.factors import FactorLibrary
from registry.findings import ValidationResult
from registry.inputs import parse_json
from registry.packs.catalog import Catalog


def validate_document(catalog: Catalog, document: Any, *, pack: str | None, now: datetime) -> ValidationResult:
    ref = pack if pack is not None else catalog.select(document, now=now).ref
    return catalog.compiled(ref, on=now.date()).validate(document, now=now)


def recalculate_document(
    catalog: Catalog,
    document: Any,
    inventory: Inventory | None,
    *,
    pack: str | None,
    now: datetime,
    library: FactorLibrary | None = None,
) -> tuple[ValidationResult, Recalculation | None]:
    """Validate with a recalculation from ``inventory`` (or the one the declaration carries)."""
    ref = pack if pack is not None else catalog.select(document, now=now).ref
    compiled = catalog.compiled(ref, on=now.date())
    return compiled.validate_with_recalc(document, now=now, inventory=inventory, library=library)


def recalculation_report(result: ValidationResult, recalc: Recalculation | None) -> dict[str, Any]:
    """The one result object of a recalculation, as the CLI prints it and the API stores and returns it."""
    return {"validation": result.to_json(), "recalculation": None if recalc is None else recalc.to_json()}


def validate_bytes(
    catalog: Catalog, data: bytes, *, pack: str | None, now: datetime, file: str | None = None
) -> ValidationResult:
    return validate_document(catalog, parse_json(data, file=file), pack=pack, now=now)


@dataclass
class LineOutcome:
    line: int
    result: ValidationResult | None = None
    error: RegistryError | None = None


def validate_jsonl(
    catalog: Catalog, stream: IO[bytes], *, pack: str | None, now: datetime, file: str | None
) -> Iterator[LineOutcome]:
    """One outcome per non-blank line, in order, holding one line in memory at a time."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            doc = parse_json(raw, file=file, line=number)
            yield LineOutcome(number, result=validate_document(catalog, doc, pack=pack, now=now))
        except RegistryError as e:
            yield LineOutcome(number, error=e)
