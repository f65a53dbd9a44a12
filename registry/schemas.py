"""Validators for the bundled JSON Schemas (Draft 2020-12), built once.

jsonschema-rs does the validating (about 140x the pure-Python validator on a
PACT declaration, see docs/adr/0003); all our schemas are registered by $id so
that nothing is ever fetched from a network.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

from registry.resources import (
    DECLARATION_SCHEMA_ID,
    EXTENSION_SCHEMA_ID,
    PACT_V3_SCHEMA_ID,
    RULEPACK_SCHEMA_ID,
    load_schema,
)
from registry.yamlpos import escape_pointer_token

PACT_CLIENT_SCHEMA_ID = "https://pcf-registry.org/schemas/pact-client-1.0.json"

_FILES = {
    PACT_V3_SCHEMA_ID: "pact/pact-productfootprint-v3.0.schema.json",
    EXTENSION_SCHEMA_ID: "declaration-extension-1.0.json",
    DECLARATION_SCHEMA_ID: "declaration-1.0.json",
    RULEPACK_SCHEMA_ID: "rulepack-1.0.json",
    "https://pcf-registry.org/schemas/crosswalk-requirements-1.0.json": "crosswalk-requirements-1.0.json",
    "https://pcf-registry.org/schemas/crosswalk-scheme-1.0.json": "crosswalk-scheme-1.0.json",
    "https://pcf-registry.org/schemas/audit-1.0.json": "audit-1.0.json",
    "https://pcf-registry.org/schemas/recognition-1.0.json": "recognition-1.0.json",
    "https://pcf-registry.org/schemas/factorset-1.0.json": "factorset-1.0.json",
    "https://pcf-registry.org/schemas/inventory-1.0.json": "inventory-1.0.json",
    "https://pcf-registry.org/schemas/label-sample-1.0.json": "label-sample-1.0.json",
    "https://pcf-registry.org/schemas/complaint-1.0.json": "complaint-1.0.json",
    "https://pcf-registry.org/schemas/supervision-statistics-1.0.json": "supervision-statistics-1.0.json",
    "https://pcf-registry.org/schemas/pact-certification-1.0.json": "pact-certification-1.0.json",
    PACT_CLIENT_SCHEMA_ID: "pact-client-1.0.json",
    "https://pcf-registry.org/schemas/gradingcatalogue-1.0.json": "gradingcatalogue-1.0.json",
    "https://pcf-registry.org/schemas/tlog-entry-1.0.json": "tlog-entry-1.0.json",
}


@dataclass(frozen=True)
class SchemaError:
    """One JSON Schema violation: where (JSON pointer), which keyword, what."""

    pointer: str
    keyword: str
    message: str


def _schema(uri: str) -> dict[str, Any]:
    schema = dict(load_schema(_FILES[uri]))
    schema["$id"] = uri
    return schema


@cache
def _registry() -> Any:
    return jsonschema_rs.Registry([(uri, _schema(uri)) for uri in _FILES])


@cache
def validator(uri: str) -> Any:
    return jsonschema_rs.validator_for(_schema(uri), validate_formats=True, registry=_registry(), base_uri=uri)


_KEYWORD = {
    "AdditionalProperties": "additionalProperties",
    "UnevaluatedProperties": "unevaluatedProperties",
    "OneOfNotValid": "oneOf",
    "OneOfMultipleValid": "oneOf",
    "AnyOf": "anyOf",
    "Constant": "const",
    "FalseSchema": "false",
    "MinItems": "minItems",
    "MaxItems": "maxItems",
    "MinLength": "minLength",
    "MaxLength": "maxLength",
    "MinProperties": "minProperties",
    "MaxProperties": "maxProperties",
    "UniqueItems": "uniqueItems",
    "PropertyNames": "propertyNames",
    "ExclusiveMaximum": "exclusiveMaximum",
    "ExclusiveMinimum": "exclusiveMinimum",
    "MultipleOf": "multipleOf",
}


def pointer_of(parts: Any) -> str:
    return "".join("/" + escape_pointer_token(str(p)) for p in parts)


def iter_schema_errors(uri: str, instance: Any) -> list[SchemaError]:
    """All violations, each with the pointer of the offending value.

    For a missing required property the pointer names the missing member
    (``/pcf/declaredUnitAmount``), which is where a person looks.
    A fault that two schemas both check (the declaration schema repeats PACT's decimal
    type) is reported once; a ``oneOf`` failure names the alternatives that clash
    instead of printing the object.
    """
    out: set[SchemaError] = set()
    for err in validator(uri).iter_errors(instance):
        kind = type(err.kind).__name__
        keyword = _KEYWORD.get(kind, kind[:1].lower() + kind[1:])
        pointer = pointer_of(err.instance_path)
        message = str(err.message)
        if kind == "Required":
            prop = err.kind.property
            if isinstance(prop, str):
                pointer += "/" + escape_pointer_token(prop)
        elif keyword == "oneOf":
            message = one_of_message(err.absolute_keyword_location, err.instance, multiple=kind == "OneOfMultipleValid")
        out.add(SchemaError(pointer, keyword, message))
    return sorted(out, key=lambda e: (e.pointer, e.keyword, e.message))


def _subschema(location: str | None) -> Any:
    """The schema node an absolute keyword location (``uri#/pointer``) names, or None."""
    uri, _, fragment = (location or "").partition("#")
    if uri not in _FILES:
        return None
    node: Any = load_schema(_FILES[uri])
    for token in fragment.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


def _required_names(node: Any) -> list[str]:
    """Every property name a schema's ``required`` lists, at any depth, in order, once."""
    names: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "required" and isinstance(value, list):
                names += [n for n in value if isinstance(n, str)]
            else:
                names += _required_names(value)
    elif isinstance(node, list):
        for item in node:
            names += _required_names(item)
    return list(dict.fromkeys(names))


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def one_of_message(location: str | None, instance: Any, *, multiple: bool) -> str:
    """What a ``oneOf`` failure means, in words: which of its alternatives' properties clash.

    PACT's one ``oneOf`` is the geography rule (at most one of geographyCountry,
    geographyRegionOrSubregion, geographyCountrySubdivision); alternatives that are told
    apart by the properties they require are named, others are counted.
    """
    alternatives = _subschema(location)
    names = _required_names(alternatives)
    present = [n for n in names if isinstance(instance, dict) and n in instance]
    if len(present) > 1:
        return f"{_and(present)} are mutually exclusive: give at most one of them"
    count = len(alternatives) if isinstance(alternatives, list) else "its"
    verdict = "more than one" if multiple else "none"
    listed = f" (alternatives differ by {_and(names)})" if names else ""
    return f"the value matches {verdict} of {count} alternatives{listed}"


def is_valid(uri: str, instance: Any) -> bool:
    return bool(validator(uri).is_valid(instance))
