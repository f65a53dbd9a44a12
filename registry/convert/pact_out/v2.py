"""A declaration as a PACT v2.3 ProductFootprint: the root object, and the entry point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from registry.convert.checks import check_declaration, iter_errors, schema_findings
from registry.convert.conversion import Conversion
from registry.convert.pact_out.downgrade import Downgrade, Step, empty_default, extras, shifted
from registry.convert.pact_out.footprint import carbon_footprint
from registry.convert.pact_out.tables import (
    ADR36,
    CONVERTED,
    CPC_CODE,
    CPC_OTHER_URN,
    CPC_URN,
    DEFAULTED,
    DERIVED,
    EXTENSION_DROPPED,
    MISSING,
    ROOT_COPY,
    ROOT_EMPTY_DEFAULT,
    TS3,
    TS23,
    UNSCALED,
    V2_ROOT_ORDER,
    V2_SCHEMA_ID,
    V2_SPEC_VERSION,
)
from registry.convert.pact_out.v3 import without_extension
from registry.convert.values import clone, ordered, ptr, show
from registry.declarations import V3_ROOT_FIELDS, extension_entries


def to_pact_v2(declaration: dict[str, Any], *, keep_extension: bool) -> Conversion:
    """The declaration as a PACT v2.3 ProductFootprint (the inverse of the v2 -> v3 upgrade).

    Raises :class:`InputError` for what v2 cannot express at all: a declared unit of
    ``hour`` or ``megabit second``, or ``piece`` without a positive product mass.
    """
    doc = check_declaration(declaration)
    down = Downgrade(doc)
    out = _product_footprint(down, keep_extension)
    errors = iter_errors("pact/pact-productfootprint-v2.3.schema.json", V2_SCHEMA_ID, out)
    findings = down.findings + schema_findings(
        errors, "convert.pact-v2", "PACT v2.3 footprint", f"{TS23}, ProductFootprint"
    )
    return Conversion(out, tuple(findings))


def _product_footprint(down: Downgrade, keep_extension: bool) -> dict[str, Any]:
    doc = down.doc = _without_nulls(down, down.doc)
    out: dict[str, Any] = {k: clone(doc[k]) for k in ROOT_COPY if k in doc}
    for step in _ROOT_STEPS:
        step(down, doc, out)
    _extensions(down, out, keep_extension)
    extras(down, doc, out, "", "", set(V3_ROOT_FIELDS))
    return ordered(out, V2_ROOT_ORDER)


def _without_nulls(down: Downgrade, doc: dict[str, Any]) -> dict[str, Any]:
    """PACT v3 reads a null property as undefined; v2 has no null values, so such properties are omitted."""
    pcf = doc.get("pcf")
    ver = pcf.get("verification") if isinstance(pcf, dict) else None
    objects = [("", doc), ("/pcf", pcf), ("/pcf/verification", ver)]
    nulls = [where + ptr(k) for where, obj in objects if isinstance(obj, dict) for k, v in obj.items() if v is None]
    for path in nulls:
        name = path.rsplit("/", 1)[-1]
        msg = f"{name} is null, which PACT v3 reads as undefined; omitted"
        down.emit(CONVERTED, path, None, msg, (f"{TS3}, Data Types",))
    if not nulls:
        return doc
    out = {k: v for k, v in doc.items() if v is not None}
    if isinstance(pcf, dict):
        out["pcf"] = {k: v for k, v in pcf.items() if v is not None}
        if isinstance(ver, dict):
            out["pcf"]["verification"] = {k: v for k, v in ver.items() if v is not None}
    return out


# --- the steps ---------------------------------------------------------------------------------
def _spec_version(down: Downgrade, doc: Mapping[str, Any], out: dict[str, Any]) -> None:
    down.emit(
        CONVERTED,
        "/specVersion",
        "/specVersion",
        f"specVersion {show(doc.get('specVersion'))} replaced by {show(V2_SPEC_VERSION)}: the document now "
        "follows PACT Tech Specs v2.3",
        (f"{TS23}, ProductFootprint.specVersion",),
    )
    out["specVersion"] = V2_SPEC_VERSION
    out["version"] = 0
    down.emit(
        DEFAULTED,
        "",
        "/version",
        "version set to 0: v2.3 requires it; a PACT v3 footprint is never changed in place, so this is the "
        "first and only version of its id",
        (f"{TS23}, ProductFootprint.version", f"{TS3}, Product Footprint Lifecycle"),
    )


def _empty_defaults(down: Downgrade, doc: Mapping[str, Any], out: dict[str, Any]) -> None:
    for key in ROOT_EMPTY_DEFAULT:
        empty_default(down, doc, out, "", key, f"{TS23}, ProductFootprint.{key}")


_CPC_CLAUSES: Final = (
    f"{TS23}, ProductFootprint.productCategoryCpc",
    f"{TS3}, ProductFootprint.productClassifications",
)


def _classifications(down: Downgrade, doc: Mapping[str, Any], out: dict[str, Any]) -> None:
    """productCategoryCpc, which v2.3 requires, from a urn:cpc: classification or from our extension."""
    classes = doc.get("productClassifications")
    if classes is not None:
        out["productClassifications"] = clone(classes)
    items = classes if isinstance(classes, list) else []
    if not (_cpc_moved(down, items, out) or _cpc_derived(down, items, out)):
        _cpc_from_extension(down, out)


def _cpc_moved(down: Downgrade, items: list[Any], out: dict[str, Any]) -> bool:
    """The first urn:cpc: classification moved to productCategoryCpc (the items after it move up)."""
    for i, urn in enumerate(items):
        m = CPC_URN.match(urn) if isinstance(urn, str) else None
        if m:
            out["productCategoryCpc"] = m.group(1)
            rest = [c for j, c in enumerate(out["productClassifications"]) if j != i]
            if rest:
                out["productClassifications"] = rest
            else:
                del out["productClassifications"]
            msg = f"productClassifications[{i}] {show(urn)} moved to productCategoryCpc {show(m.group(1))}"
            down.emit(CONVERTED, ptr("productClassifications", i), "/productCategoryCpc", msg, _CPC_CLAUSES)
            for j in range(i + 1, len(items)):
                shifted(down, "/productClassifications", j, j - 1, items[j], _CPC_CLAUSES)
            return True
    return False


def _cpc_derived(down: Downgrade, items: list[Any], out: dict[str, Any]) -> bool:
    """productCategoryCpc from the first UN CPC classification in the PACT schema's own spelling (kept as well)."""
    for i, urn in enumerate(items):
        m = CPC_OTHER_URN.match(urn) if isinstance(urn, str) else None
        if m:
            out["productCategoryCpc"] = m.group(1)
            msg = f"productCategoryCpc {show(m.group(1))} derived from productClassifications[{i}] {show(urn)}"
            down.emit(DERIVED, ptr("productClassifications", i), "/productCategoryCpc", msg, _CPC_CLAUSES)
            return True
    return False


def _cpc_from_extension(down: Downgrade, out: dict[str, Any]) -> None:
    for index, entry in extension_entries(down.doc)[:1]:
        data = entry.get("data")
        found = data.get("classifications") if isinstance(data, dict) else None
        codes = found.get("cpc") if isinstance(found, dict) else None
        code = codes[0] if isinstance(codes, list) and codes else None
        if isinstance(code, str) and CPC_CODE.match(code):
            out["productCategoryCpc"] = code
            src = ptr("extensions", index, "data", "classifications", "cpc", 0)
            msg = f"productCategoryCpc {show(code)} taken from the pcf-registry extension's classifications.cpc"
            down.emit(DERIVED, src, "/productCategoryCpc", msg, _CPC_CLAUSES)
            return
    down.emit(
        MISSING,
        "/productClassifications",
        "/productCategoryCpc",
        "productCategoryCpc is required in v2.3, but no UN CPC code (urn:cpc:...) is given in "
        "productClassifications "
        "or the extension; left absent",
        _CPC_CLAUSES,
    )


def _carbon_footprint(down: Downgrade, doc: Mapping[str, Any], out: dict[str, Any]) -> None:
    if isinstance(doc.get("pcf"), dict):
        out["pcf"] = carbon_footprint(down, doc["pcf"])


_ROOT_STEPS: Final[tuple[Step, ...]] = (_spec_version, _empty_defaults, _classifications, _carbon_footprint)


# --- extensions --------------------------------------------------------------------------------
def _extensions(down: Downgrade, out: dict[str, Any], keep: bool) -> None:
    if keep:
        if "extensions" in down.doc:
            out["extensions"] = clone(down.doc["extensions"])
        _extension_scale_note(down)
        return
    rest, found = without_extension(down.doc, EXTENSION_DROPPED, "PACT v2.3 footprint")
    down.findings.extend(found)
    if rest is not None:
        out["extensions"] = rest


def _extension_scale_note(down: Downgrade) -> None:
    """Our extension's stage and module values stay per the v3 declared unit; say so when v2's differs."""
    scale = down.scale
    if scale is None or scale.divisor is None or scale.divisor == 1:
        return
    for index, entry in extension_entries(down.doc)[:1]:
        data = entry.get("data")
        scaled = [k for k in ("stages", "modules") if isinstance(data, dict) and k in data]
        if scaled:
            where = ptr("extensions", index, "data")
            down.emit(
                UNSCALED,
                where,
                where,
                f"the pcf-registry extension's {' and '.join(scaled)} values stay per {scale.label} (the v3 "
                f"declared unit), while the v2 values are per 1 {scale.unit}",
                (ADR36,),
            )
