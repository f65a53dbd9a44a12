"""Reading a factor set: JSON bytes or a file in, a :class:`FactorSet` out, or one error per fault.

The document is checked against ``schemas/factorset-1.0.json`` first (every violation with its
JSON pointer); only a document that passes is turned into records. What the schema cannot say
(sums, units, duplicates, licence) is the meta check's (:mod:`registry.factors.check`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from registry.errors import InputError, Location, RegistryError
from registry.factors.errors import FactorSetError
from registry.factors.model import FactorRecord, FactorSet
from registry.schemas import iter_schema_errors

FORMAT = "pcf-registry/factorset/1.0"
SCHEMA_ID = "https://pcf-registry.org/schemas/factorset-1.0.json"


def _schema_problems(document: Any, file: str | None) -> list[RegistryError]:
    return [
        InputError(f"{e.message} ({e.keyword})", Location(file, pointer=e.pointer))
        for e in iter_schema_errors(SCHEMA_ID, document)
    ]


def factor_set_from_data(document: Any, *, file: str | None = None, owned: bool = False) -> FactorSet:
    """A factor set from parsed JSON; :class:`FactorSetError` listing every schema violation.

    ``owned``: the document was parsed for this set (``parse_factor_set``): its records are kept as
    compact bytes and built on first use; otherwise they are built now."""
    if not isinstance(document, dict):
        raise FactorSetError("a factor set is a JSON object", Location(file, pointer=""))
    if document.get("format") != FORMAT:
        raise FactorSetError(
            f"not a factor set: format is {document.get('format')!r}, expected {FORMAT!r}",
            Location(file, pointer="/format"),
        )
    problems = _schema_problems(document, file)
    if problems:
        raise FactorSetError(
            f"{len(problems)} schema violation(s) in the factor set", Location(file), problems=problems
        )
    header = {k: v for k, v in document.items() if k != "records"}
    if owned:
        return FactorSet.from_raw(header, document["records"])
    with _collector_paused():
        return FactorSet.from_parts(header, tuple(FactorRecord.from_json(r) for r in document["records"]))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Build a large set without the cyclic garbage collector scanning it again and again.

    A set is hundreds of thousands of small objects and no cycles; while they are made, every
    generation-2 collection would walk all of them (a third of a 100,000-record load).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_factor_set(data: bytes, *, file: str | None = None) -> FactorSet:
    try:
        with _collector_paused():
            document = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise FactorSetError(f"invalid JSON: {e.msg}", Location(file, e.lineno, e.colno)) from e
    return factor_set_from_data(document, file=file, owned=True)


def load_factor_set_file(path: Path) -> FactorSet:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}", Location(str(path))) from e
    return parse_factor_set(data, file=str(path))
