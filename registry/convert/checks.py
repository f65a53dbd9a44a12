"""What every exporter checks: that its input is a PACT v3 declaration, and that its output is schema-valid."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import jsonschema_rs

from registry.convert.values import ptr, show
from registry.declarations import spec_major
from registry.errors import InputError, Location
from registry.findings import Finding, Severity
from registry.resources import load_schema
from registry.schemas import pointer_of


def check_declaration(declaration: Any) -> dict[str, Any]:
    """Refuse input that is not a PACT v3 declaration at all (exporters need a JSON object with a pcf object)."""
    if not isinstance(declaration, dict):
        raise InputError("a declaration must be a JSON object (a PACT v3 ProductFootprint)", Location(pointer=""))
    if spec_major(declaration) == 2:
        raise InputError(
            f"specVersion {show(declaration.get('specVersion'))} is PACT v2; upgrade it to v3 first "
            "(pcfreg convert --from pact-v2)",
            Location(pointer="/specVersion"),
        )
    if "pcf" in declaration and not isinstance(declaration["pcf"], dict):
        raise InputError("pcf must be a JSON object (CarbonFootprint)", Location(pointer="/pcf"))
    return declaration


_KEYWORD_FIX = {"OneOfNotValid": "oneOf", "OneOfMultipleValid": "oneOf", "FalseSchema": "false", "Constant": "const"}


@cache
def _validator(relative: str, uri: str) -> Any:
    schema = dict(load_schema(relative))
    schema["$id"] = uri
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def iter_errors(relative: str, uri: str, document: Any) -> list[tuple[str, str, str]]:
    """(pointer, keyword, message) of every violation of a bundled schema, sorted."""
    out: list[tuple[str, str, str]] = []
    for err in _validator(relative, uri).iter_errors(document):
        kind = type(err.kind).__name__
        keyword = _KEYWORD_FIX.get(kind, kind[:1].lower() + kind[1:])
        pointer = pointer_of(err.instance_path)
        if kind == "Required" and isinstance(getattr(err.kind, "property", None), str):
            pointer += ptr(err.kind.property)
        out.append((pointer, keyword, str(err.message)))
    return sorted(out)


def schema_findings(errors: Iterable[tuple[str, str, str]], prefix: str, what: str, clause: str) -> list[Finding]:
    """One error finding per schema violation of an exported document (``path`` points into it)."""
    return [
        Finding(
            rule_id=f"{prefix}.schema.{keyword}",
            severity=Severity.ERROR,
            path=pointer,
            message=f"the {what} is not schema-valid here: {message}",
            clauses=(clause,),
        )
        for pointer, keyword, message in errors
    ]
