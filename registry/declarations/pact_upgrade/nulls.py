"""Explicit nulls in a PACT v2 footprint: an optional property given as ``null`` is read as absent.

Real v2 systems write ``null`` for an absent optional value (``"updated": null``,
``"assurance": {"level": null, ...}``). The PACT Tech Specs v2 speak of properties being
"undefined" without saying how that is written in JSON; v3 says it: "In a JSON object, a
property is deemed undefined if it is either not present in the object or explicitly set to
``null``" (PACT Tech Specs v3.0, Data Model, "Undefined Properties"), and a ``Required``
property "MUST be provided and MUST NOT be null" (v3.0, Data Model, Basic Types). The
upgrade to v3 reads v2 nulls by that rule:

* a null for a property the PACT v2 schema lists as optional is removed before the upgrade,
  with one info finding (``pact.upgrade.null``) naming its pointer;
* a null for a property the v2 schema lists as required is kept, so that validation reports
  it as an error naming the property.

Which properties are required comes from the bundled PACT v2.3 schema (derived from the
conformance service's OpenAPI files); its ``required`` lists are the same in v2.0, v2.2 and
v2.3. Extension contents (``extensions/N/data``) and properties that are not v2 fields are
left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any, Final

from registry.declarations.pact_upgrade.state import Upgrade
from registry.declarations.pact_upgrade.tables import NULL_OPTIONAL, TS3, TS23
from registry.declarations.pact_upgrade.values import ptr

V2_SCHEMA: Final = "pact/pact-productfootprint-v2.3.schema.json"
_CLAUSES: Final = (f"{TS3}, Data Model, Undefined Properties", f"{TS23}, Data Model (optional properties)")


@cache
def _schema() -> dict[str, Any]:
    from registry.resources import load_schema

    return load_schema(V2_SCHEMA)


def without_optional_nulls(up: Upgrade, doc: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """``doc`` less every optional v2 property set to null (a finding each); ``doc`` itself when it has none."""
    root = _schema()
    return _object(up, doc, root, root, "")


def place_null_findings(up: Upgrade, result: Mapping[Any, Any]) -> None:
    """Point each null finding at the nearest object of the v3 result that holds the null's place
    (``""``, ``/pcf``, ``/pcf/dqi``, ...); ``source_path`` keeps the null's own pointer in the input."""
    for i, f in enumerate(up.findings):
        if f.rule_id == NULL_OPTIONAL:
            up.findings[i] = replace(f, path=_nearest(result, f.path))


def _nearest(result: Mapping[Any, Any], pointer: str) -> str:
    tokens = pointer.split("/")[1:-1]  # the parents of the null property
    node: Any = result
    found = ""
    for token in tokens:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node and isinstance(node[key], Mapping):
            node = node[key]
            found += "/" + token
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node) and isinstance(node[int(key)], Mapping):
            node = node[int(key)]
            found += "/" + token
        else:
            break
    return found


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    """A schema node with its local ``$ref`` (``#/$defs/Name``) followed."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
        node = root["$defs"].get(node["$ref"][len("#/$defs/") :])
        seen += 1
        if seen > 16:
            return None
    return node


def _object(up: Upgrade, obj: Mapping[Any, Any], node: Any, root: dict[str, Any], where: str) -> Mapping[Any, Any]:
    node = _resolve(node, root)
    props = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(props, dict):
        return obj
    required = set(node.get("required", ()))
    out: dict[Any, Any] | None = None
    for key, value in obj.items():
        if key not in props:
            continue  # not a v2 field here: the upgrade keeps or reports it
        pointer = where + ptr(key)
        new = value
        if value is None:
            if key in required:
                continue  # a required property may not be null: left for validation to report
            up.emit(
                NULL_OPTIONAL,
                pointer,  # for now; :func:`place_null_findings` moves it to a place in the v3 result
                pointer,
                f"{pointer} is null, which PACT reads as undefined; {key} is optional, so it is treated as absent",
                _CLAUSES,
            )
            new = _REMOVED
        elif isinstance(value, Mapping) and key != "data":
            new = _object(up, value, props[key], root, pointer)
        elif isinstance(value, list):
            new = _array(up, value, props[key], root, pointer)
        if new is not value:
            if out is None:
                out = dict(obj)
            if new is _REMOVED:
                del out[key]
            else:
                out[key] = new
    return obj if out is None else out


def _array(up: Upgrade, items: list[Any], node: Any, root: dict[str, Any], where: str) -> list[Any]:
    node = _resolve(node, root)
    item_node = node.get("items") if isinstance(node, dict) else None
    if item_node is None:
        return items
    out = [
        _object(up, item, item_node, root, f"{where}/{i}") if isinstance(item, Mapping) else item
        for i, item in enumerate(items)
    ]
    return items if all(a is b for a, b in zip(out, items, strict=True)) else out


_REMOVED: Final = object()
