"""Validating declarations against rule packs: bytes or documents in, :class:`ValidationResult` out.

Used by the CLI and the HTTP API. Pure; time is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any, Protocol

from registry.declarations import ENVELOPE_CLAUSE, check_pact, unwrap
from registry.errors import Location, RegistryError
from registry.findings import Finding, Severity, ValidationResult
from registry.inputs import parse_json
from registry.packs.catalog import Catalog
from registry.packs.engine import CompiledPack
from registry.packs.rulepack import RulePack

if TYPE_CHECKING:  # recalculation loads its modules when it runs
    from registry.accounting import Inventory, Recalculation, SupplierFacts
    from registry.factors import FactorLibrary

ENVELOPE_RULE = "declaration.envelope"  # the footprint was found inside an envelope or array


class PackSource(Protocol):
    """Where validation finds its packs: a :class:`Catalog` (the CLI), or the registry's stored packs
    (:class:`registry.service.packs.StoredPacks`, the API). Both choose a pack the same way."""

    def compiled(self, ref: str, *, on: date | None = None) -> CompiledPack: ...

    def choose(self, document: Any, *, now: datetime) -> tuple[RulePack, Finding | None]: ...


def validate_document(catalog: PackSource, document: Any, *, pack: str | None, now: datetime) -> ValidationResult:
    """One footprint against ``pack``, or the pack it names or its codes select, else its base pack.

    The one code path of ``pcfreg validate``, ``POST /v1/validations`` and its batch form.
    Raises :class:`~registry.errors.NotAFootprint` for a document that is not PACT v2 or v3.
    """
    check_pact(document)
    if pack is not None:
        return catalog.compiled(pack, on=now.date()).validate(document, now=now)
    chosen, note = catalog.choose(document, now=now)
    result = catalog.compiled(chosen.ref, on=now.date()).validate(document, now=now)
    return result if note is None else _with(result, note)


def _with(result: ValidationResult, *notes: Finding) -> ValidationResult:
    return ValidationResult.from_findings(result.pack, [*result.findings, *notes])


def recalculate_document(
    catalog: PackSource,
    document: Any,
    inventory: Inventory | None,
    *,
    pack: str | None,
    now: datetime,
    library: FactorLibrary | None = None,
    suppliers: Mapping[str, SupplierFacts] | None = None,
) -> tuple[ValidationResult, Recalculation | None]:
    """Validate with a recalculation from ``inventory`` (or the one the declaration carries); the pack is
    chosen as :func:`validate_document` chooses it; ``suppliers`` are the stored facts that supplier lines
    are cross-checked against."""
    check_pact(document)
    note = None
    if pack is None:
        chosen, note = catalog.choose(document, now=now)
        pack = chosen.ref
    compiled = catalog.compiled(pack, on=now.date())
    result, recalc = compiled.validate_with_recalc(
        document, now=now, inventory=inventory, library=library, suppliers=suppliers
    )
    return (result if note is None else _with(result, note)), recalc


def recalculation_report(result: ValidationResult, recalc: Recalculation | None) -> dict[str, Any]:
    """The one result object of a recalculation, as the CLI prints it and the API stores and returns it."""
    return {"validation": result.to_json(), "recalculation": None if recalc is None else recalc.to_json()}


def validate_bytes(
    catalog: Catalog, data: bytes, *, pack: str | None, now: datetime, file: str | None = None
) -> ValidationResult:
    return validate_document(catalog, parse_json(data, file=file), pack=pack, now=now)


@dataclass
class ItemOutcome:
    """One footprint of a file: its pointer ("" for a bare footprint), its ``id``, and a result or an error."""

    pointer: str
    id: str | None = None
    result: ValidationResult | None = None
    error: RegistryError | None = None


def declaration_id(document: Any) -> str | None:
    """The footprint's ``id`` when it is a string, for telling results apart."""
    value = document.get("id") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


def validate_items(catalog: Catalog, document: Any, *, pack: str | None, now: datetime) -> list[ItemOutcome]:
    """Every footprint of a parsed file (bare, in a PACT API or CloudEvent envelope, in an array), in order.

    Each footprint found inside a wrapping gets an info finding saying where it was found.
    """
    unwrapped = unwrap(document)
    total = len(unwrapped.items)
    outcomes: list[ItemOutcome] = []
    for number, item in enumerate(unwrapped.items, start=1):
        outcome = ItemOutcome(item.pointer, declaration_id(item.document))
        try:
            result = validate_document(catalog, item.document, pack=pack, now=now)
        except RegistryError as e:
            if item.pointer:  # the pointer into the file, not into the item
                loc = e.location
                e.location = Location(loc.file, loc.line, loc.column, item.pointer + (loc.pointer or ""))
            outcome.error = e
        else:
            if unwrapped.envelope is not None:
                result = _with(result, _envelope_note(unwrapped.envelope, item.pointer, number, total))
            outcome.result = result
        outcomes.append(outcome)
    return outcomes


def _envelope_note(envelope: str, pointer: str, number: int, total: int) -> Finding:
    return Finding(
        rule_id=ENVELOPE_RULE,
        severity=Severity.INFO,
        path="",
        message=f"footprint {number} of {total}, found at {pointer} in {envelope}; finding paths are relative to it",
        clauses=(ENVELOPE_CLAUSE,),
        source_path=pointer,
    )


@dataclass
class LineOutcome:
    line: int
    result: ValidationResult | None = None
    error: RegistryError | None = None
    id: str | None = None


def validate_jsonl(
    catalog: Catalog, stream: IO[bytes], *, pack: str | None, now: datetime, file: str | None
) -> Iterator[LineOutcome]:
    """One outcome per non-blank line, in order, holding one line in memory at a time."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        doc_id = None
        try:
            doc = parse_json(raw, file=file, line=number)
            doc_id = declaration_id(doc)
            yield LineOutcome(number, result=validate_document(catalog, doc, pack=pack, now=now), id=doc_id)
        except RegistryError as e:
            yield LineOutcome(number, error=e, id=doc_id)
