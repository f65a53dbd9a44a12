"""Validating inputs: bytes or files in, :class:`ValidationResult` out.

Used by the CLI (and later the HTTP API). Pure apart from reading the files it
is given; time is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson

from .catalog import Catalog
from .errors import InputError, Location, RegistryError
from .findings import ValidationResult


def parse_json(data: bytes, *, file: str | None = None, line: int | None = None) -> Any:
    """Parse JSON; errors carry file, line and column."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        ln, col = e.lineno, e.colno
        if line is not None:  # a JSON Lines record: report the record's line in the file
            ln = line
        reason = e.msg if hasattr(e, "msg") else str(e)
        raise InputError(f"invalid JSON: {reason}", Location(file, ln, col)) from e


def validate_document(catalog: Catalog, document: Any, *, pack: str | None, now: datetime) -> ValidationResult:
    ref = pack if pack is not None else catalog.select(document, now=now).ref
    return catalog.compiled(ref, on=now.date()).validate(document, now=now)


def validate_bytes(
    catalog: Catalog, data: bytes, *, pack: str | None, now: datetime, file: str | None = None
) -> ValidationResult:
    return validate_document(catalog, parse_json(data, file=file), pack=pack, now=now)


def read_input(path: str, stdin: IO[bytes] | None = None) -> bytes:
    if path == "-":
        if stdin is None:
            raise InputError("no standard input", Location("-"))
        return stdin.read()
    try:
        return Path(path).read_bytes()
    except IsADirectoryError as e:
        raise InputError("is a directory, not a file", Location(path)) from e
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}", Location(path)) from e


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
