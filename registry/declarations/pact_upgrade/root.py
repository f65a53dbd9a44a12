"""The ProductFootprint (root object) of the upgrade, and the two public entry points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from registry.declarations.pact_upgrade.extras import extras
from registry.declarations.pact_upgrade.footprint import carbon_footprint
from registry.declarations.pact_upgrade.nulls import place_null_findings, without_optional_nulls
from registry.declarations.pact_upgrade.state import Step, Upgrade
from registry.declarations.pact_upgrade.tables import (
    ADR37,
    CHANGELOG,
    CONVERTED,
    CPC_CODE,
    DEFAULTED,
    DROPPED,
    MERGED,
    ROOT_COPY,
    ROOT_DROP,
    SPEC_VERSION,
    V2_ROOT_KNOWN,
    V3_ROOT_FIELDS,
    V3_SPEC_VERSION,
    pf3,
)
from registry.declarations.pact_upgrade.values import clone, json_type, ordered, ptr, show
from registry.errors import InputError, Location
from registry.findings import Finding


def spec_major(doc: Mapping[str, Any]) -> int | None:
    """The PACT major version (2 or 3) a ProductFootprint declares in ``specVersion``.

    Only ``specVersion`` is consulted ("2.3.0", "3.0.1", "2.0.0-20230101"); returns None
    when it is absent, not a version string, or names another major version.
    """
    major = _declared_major(doc) if isinstance(doc, Mapping) else None
    return major if major in (2, 3) else None


def upgrade_v2_to_v3(doc: Mapping[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    """Upgrade a PACT v2.x ProductFootprint to PACT v3.0.

    Returns a new v3 ProductFootprint and the ``info`` findings describing every field
    that did not carry over exactly, in a deterministic order (the order of the mapping
    table, then extra properties in input order).

    Raises :class:`InputError` when the input cannot be upgraded at all: it is not a JSON
    object, ``pcf`` is present but not an object, or ``specVersion`` declares a major
    version other than 2.
    """
    _check_upgradable(doc)
    try:
        return _run(doc)
    except RecursionError:
        raise InputError("the footprint is nested too deeply to be upgraded", Location(pointer="")) from None


def _run(doc: Mapping[Any, Any]) -> tuple[dict[str, Any], list[Finding]]:
    up = Upgrade()
    doc = without_optional_nulls(up, doc)
    out: dict[Any, Any] = {}
    for step in _ROOT_STEPS:
        step(up, doc, out)
    extras(up, doc, out, "", "", V2_ROOT_KNOWN, V3_ROOT_FIELDS)
    place_null_findings(up, out)
    return ordered(out, V3_ROOT_FIELDS), up.findings


def _check_upgradable(doc: Any) -> None:
    if not isinstance(doc, Mapping):
        raise InputError(
            f"a PACT v2 ProductFootprint must be a JSON object, not {json_type(doc)}",
            Location(pointer=""),
        )
    major = _declared_major(doc)
    if major is not None and major != 2:
        raise InputError(
            f"specVersion {show(doc.get('specVersion'))} is PACT v{major}; "
            "only PACT v2.x footprints can be upgraded to v3",
            Location(pointer="/specVersion"),
        )
    if "pcf" in doc and not isinstance(doc["pcf"], Mapping):
        raise InputError(
            f"pcf must be a JSON object (CarbonFootprint), not {json_type(doc['pcf'])}",
            Location(pointer="/pcf"),
        )


def _declared_major(doc: Mapping[Any, Any]) -> int | None:
    version = doc.get("specVersion")
    if not isinstance(version, str):
        return None
    m = SPEC_VERSION.match(version.strip())
    return int(m.group(1)) if m else None


# --- the steps, in the order of the mapping table ----------------------------------------
def _copied(up: Upgrade, doc: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    for key in ROOT_COPY:
        if key in doc:
            up.put(out, "", key, clone(doc[key]), key)


def _spec_version(up: Upgrade, doc: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    clauses = (pf3("specVersion"),)
    if "specVersion" in doc:
        old = doc["specVersion"]
        up.emit(
            CONVERTED,
            "/specVersion",
            "/specVersion",
            f"specVersion {show(old)} replaced by {show(V3_SPEC_VERSION)}: "
            "the document now follows PACT Tech Specs v3.0",
            clauses,
        )
    else:
        up.emit(
            DEFAULTED,
            "/specVersion",
            "/specVersion",
            f"specVersion absent; set to {show(V3_SPEC_VERSION)} for the upgraded document",
            clauses,
        )
    up.put(out, "", "specVersion", V3_SPEC_VERSION, "specVersion")


def _dropped(up: Upgrade, doc: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    for key, (reason, clauses) in ROOT_DROP.items():
        if key in doc:
            up.emit(DROPPED, "", ptr(key), f"{key} {show(doc[key])} dropped: {reason}", clauses)


_CPC_CLAUSES: Final = (pf3("productClassifications"), ADR37, CHANGELOG)
_CPC_SOURCE: Final = "/productCategoryCpc"


def _classifications(up: Upgrade, doc: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    classes: Any = clone(doc["productClassifications"]) if "productClassifications" in doc else None
    if "productClassifications" in doc:
        up.put(out, "", "productClassifications", classes, "productClassifications")
    if "productCategoryCpc" not in doc:
        return
    cpc = doc["productCategoryCpc"]
    code = cpc.strip() if isinstance(cpc, str) else None
    if code is None or not CPC_CODE.match(code):
        up.emit(
            DROPPED,
            "",
            _CPC_SOURCE,
            f"productCategoryCpc {show(cpc)} dropped: it is not a UN CPC code "
            "(1 to 5 digits), so no urn:cpc: product classification can be made from it",
            _CPC_CLAUSES,
        )
        return
    if "productClassifications" not in doc:
        classes = []
        up.put(out, "", "productClassifications", classes, "productCategoryCpc")
    _add_cpc(up, cpc, f"urn:cpc:{code}", classes)


def _add_cpc(up: Upgrade, cpc: str, urn: str, classes: Any) -> None:
    """productCategoryCpc as the classification ``urn``, unless already listed."""
    if not isinstance(classes, list):
        up.emit(
            DROPPED,
            "",
            _CPC_SOURCE,
            f"productCategoryCpc {show(cpc)} dropped: productClassifications is not an "
            f"array, so {urn} could not be added to it",
            _CPC_CLAUSES,
        )
        return
    for i, existing in enumerate(classes):
        if isinstance(existing, str) and existing.lower() == urn.lower():
            up.emit(
                MERGED,
                ptr("productClassifications", i),
                _CPC_SOURCE,
                f"productCategoryCpc {show(cpc)} is {urn}, already listed in productClassifications; merged",
                _CPC_CLAUSES,
            )
            return
    classes.append(urn)
    up.emit(
        CONVERTED,
        ptr("productClassifications", len(classes) - 1),
        _CPC_SOURCE,
        f"productCategoryCpc {show(cpc)} converted to the product classification {urn} in productClassifications",
        _CPC_CLAUSES,
    )


def _carbon_footprint(up: Upgrade, doc: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    if "pcf" in doc:
        up.put(out, "", "pcf", carbon_footprint(up, doc["pcf"]), "pcf")


_ROOT_STEPS: Final[tuple[Step, ...]] = (_copied, _spec_version, _dropped, _classifications, _carbon_footprint)
