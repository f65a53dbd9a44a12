"""Validators for the crosswalk, audit and recognition JSON Schemas (Draft 2020-12), built once."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs

from ..resources import load_schema
from ..schemas import SchemaError, pointer_of
from ..yamlpos import escape_pointer_token

REQUIREMENTS_SCHEMA_ID = "https://pcf-registry.org/schemas/crosswalk-requirements-1.0.json"
SCHEME_SCHEMA_ID = "https://pcf-registry.org/schemas/crosswalk-scheme-1.0.json"
AUDIT_SCHEMA_ID = "https://pcf-registry.org/schemas/audit-1.0.json"
RECOGNITION_SCHEMA_ID = "https://pcf-registry.org/schemas/recognition-1.0.json"

_FILES = {
    REQUIREMENTS_SCHEMA_ID: "crosswalk-requirements-1.0.json",
    SCHEME_SCHEMA_ID: "crosswalk-scheme-1.0.json",
    AUDIT_SCHEMA_ID: "audit-1.0.json",
    RECOGNITION_SCHEMA_ID: "recognition-1.0.json",
}


def _schema(uri: str) -> dict[str, Any]:
    schema = dict(load_schema(_FILES[uri]))
    schema["$id"] = uri
    return schema


@cache
def _registry() -> Any:
    return jsonschema_rs.Registry([(uri, _schema(uri)) for uri in _FILES])


@cache
def _validator(uri: str) -> Any:
    return jsonschema_rs.validator_for(_schema(uri), validate_formats=True, registry=_registry(), base_uri=uri)


def schema_errors(uri: str, instance: Any) -> list[SchemaError]:
    """Every violation, each with the pointer of the offending value (or of a missing member)."""
    out: list[SchemaError] = []
    for err in _validator(uri).iter_errors(instance):
        kind = type(err.kind).__name__
        pointer = pointer_of(err.instance_path)
        if kind == "Required" and isinstance(getattr(err.kind, "property", None), str):
            pointer += "/" + escape_pointer_token(err.kind.property)
        out.append(SchemaError(pointer, kind[:1].lower() + kind[1:], str(err.message)))
    out.sort(key=lambda e: (e.pointer, e.keyword, e.message))
    return out
