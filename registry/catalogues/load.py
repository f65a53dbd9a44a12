"""Reading a grading catalogue: JSON in, a :class:`Catalogue` out, or one error per schema violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from registry.catalogues.errors import CatalogueError
from registry.catalogues.model import FORMAT, Catalogue
from registry.errors import InputError, Location, RegistryError
from registry.schemas import iter_schema_errors

SCHEMA_ID = "https://pcf-registry.org/schemas/gradingcatalogue-1.0.json"


def catalogue_from_data(document: Any, *, file: str | None = None) -> Catalogue:
    """A catalogue from parsed JSON; :class:`CatalogueError` listing every schema violation."""
    if not isinstance(document, dict):
        raise CatalogueError("a grading catalogue is a JSON object", Location(file, pointer=""))
    if document.get("format") != FORMAT:
        raise CatalogueError(
            f"not a grading catalogue: format is {document.get('format')!r}, expected {FORMAT!r}",
            Location(file, pointer="/format"),
        )
    problems: list[RegistryError] = [
        InputError(f"{e.message} ({e.keyword})", Location(file, pointer=e.pointer))
        for e in iter_schema_errors(SCHEMA_ID, document)
    ]
    if problems:
        raise CatalogueError(
            f"{len(problems)} schema violation(s) in the grading catalogue", Location(file), problems=problems
        )
    return Catalogue(document)


def load_catalogue_file(path: Path) -> Catalogue:
    from registry.signed import read_json

    document, _ = read_json(path, "grading catalogue")
    return catalogue_from_data(document, file=str(path))
