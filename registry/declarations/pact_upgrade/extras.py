"""Properties that are not PACT v2 fields: kept as they are (v3 allows additional properties), each with a finding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.declarations.pact_upgrade.state import Upgrade
from registry.declarations.pact_upgrade.tables import DROPPED, EXTRA, MERGED
from registry.declarations.pact_upgrade.values import clone, name_of, ptr, show, v3_clause


def extras(
    up: Upgrade,
    source: Mapping[Any, Any],
    out: dict[Any, Any],
    where: str,
    source_where: str,
    known: frozenset[str],
    v3_fields: tuple[str, ...],
) -> None:
    for key in source:
        if key in known:
            continue
        src = source_where + ptr(key)
        if key in out:
            _collision(up, key, source[key], out, where, src)
            continue
        out[key] = clone(source[key])
        extra_finding(up, key, where, "", v3_fields, src)


def _collision(up: Upgrade, key: Any, value: Any, out: dict[Any, Any], where: str, src: str) -> None:
    """An extra property named like a v3 field that a v2 field was already mapped to."""
    origin = up.produced.get((where, key), "another field")
    if out[key] == value:
        up.emit(
            MERGED,
            where + ptr(key),
            src,
            f"{name_of(key)} is not a PACT v2 field; its value equals the one mapped from {origin}, so it is kept once",
            (v3_clause(where, key),),
        )
    else:
        up.emit(
            DROPPED,
            where or "",
            src,
            f"{name_of(key)} {show(value)} is not a PACT v2 field and conflicts "
            f"with the value mapped from {origin}; the mapped value is kept and "
            "this one dropped",
            (v3_clause(where, key),),
        )


def extra_finding(
    up: Upgrade,
    key: Any,
    where: str,
    label_prefix: str,
    v3_fields: tuple[str, ...],
    src: str | None = None,
) -> None:
    path = where + ptr(key)
    if src is None:
        # nested objects keep their v2 location: /pcf/dqi/x or /pcf/assurance/x
        src = path.replace("/pcf/verification/", "/pcf/assurance/", 1)
    clauses: tuple[str, ...] = ()
    if key in v3_fields:
        message = (
            f"{label_prefix}{name_of(key)} is not a PACT v2 field but is defined in PACT v3; "
            "kept unchanged and now read with its v3 meaning"
        )
        clauses = (v3_clause(where, key),)
    else:
        message = f"{label_prefix}{name_of(key)} is not a PACT v2 or v3 field; kept unchanged as an additional property"
    up.emit(EXTRA, path, src, message, clauses)
