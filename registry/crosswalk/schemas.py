"""The crosswalk, audit and recognition JSON Schemas: their ids; validated through registry.schemas."""

from __future__ import annotations

from typing import Any

from registry.schemas import SchemaError, iter_schema_errors

REQUIREMENTS_SCHEMA_ID = "https://pcf-registry.org/schemas/crosswalk-requirements-1.0.json"
SCHEME_SCHEMA_ID = "https://pcf-registry.org/schemas/crosswalk-scheme-1.0.json"
AUDIT_SCHEMA_ID = "https://pcf-registry.org/schemas/audit-1.0.json"
RECOGNITION_SCHEMA_ID = "https://pcf-registry.org/schemas/recognition-1.0.json"


def schema_errors(uri: str, instance: Any) -> list[SchemaError]:
    """Every violation, each with the pointer of the offending value (or of a missing member)."""
    return iter_schema_errors(uri, instance)
