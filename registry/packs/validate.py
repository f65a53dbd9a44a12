"""Validating declarations against rule packs: bytes or documents in, :class:`ValidationResult` out.

Used by the CLI and the HTTP API. Pure; time is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from registry.errors import RegistryError
from registry.findings import ValidationResult
from registry.inputs import parse_json
from registry.packs.catalog import Catalog


def validate_document(catalog: Catalog, document: Any, *, pack: str | None, now: datetime) -> ValidationResult:
    ref = pack if pack is not None else catalog.select(document, now=now).ref
    return catalog.compiled(ref, on=now.date()).validate(document, now=now)


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
