"""Lists v3 merged from two v2 fields: ipccCharacterizationFactors (from characterizationFactors and
ipccCharacterizationFactorsSources) and crossSectoralStandards (from crossSectoralStandards and the
older crossSectoralStandardsUsed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from registry.declarations.pact_upgrade.state import Upgrade
from registry.declarations.pact_upgrade.tables import ADR32, CHANGELOG, CONVERTED, DROPPED, MERGED, cf3
from registry.declarations.pact_upgrade.values import clone, json_index, json_key, map_standard, ptr, show

# --- ipccCharacterizationFactors ---------------------------------------------------------------
_FACTORS: Final = "ipccCharacterizationFactors"
_FACTORS_CLAUSES: Final = (cf3(_FACTORS), CHANGELOG)
_FACTOR_SOURCE: Final = "/pcf/characterizationFactors"


def characterization_factors(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    has_sources = "ipccCharacterizationFactorsSources" in pcf
    sources: Any = None
    if has_sources:
        sources = clone(pcf["ipccCharacterizationFactorsSources"])
        up.put(out, "/pcf", _FACTORS, sources, "ipccCharacterizationFactorsSources")
    if "characterizationFactors" not in pcf:
        return
    if has_sources:
        _merge_factor(up, pcf["characterizationFactors"], sources)
    else:
        _factor_alone(up, pcf["characterizationFactors"], out)


def _factor_alone(up: Upgrade, cf: Any, out: dict[Any, Any]) -> None:
    """characterizationFactors without ipccCharacterizationFactorsSources: a list of that one report."""
    if isinstance(cf, str):
        up.put(out, "/pcf", _FACTORS, [cf], "characterizationFactors")
        up.emit(
            CONVERTED,
            ptr("pcf", _FACTORS, 0),
            _FACTOR_SOURCE,
            f"characterizationFactors {show(cf)} converted to ipccCharacterizationFactors [{show(cf)}]",
            _FACTORS_CLAUSES,
        )
        return
    up.put(out, "/pcf", _FACTORS, clone(cf), "characterizationFactors")
    up.emit(
        CONVERTED,
        ptr("pcf", _FACTORS),
        _FACTOR_SOURCE,
        f"characterizationFactors {show(cf)} is not a string; copied unchanged to ipccCharacterizationFactors",
        _FACTORS_CLAUSES,
    )


def _merge_factor(up: Upgrade, cf: Any, sources: Any) -> None:
    """characterizationFactors (the earliest report used) merged into the list of all reports used."""
    if not isinstance(sources, list) or not isinstance(cf, str):
        why = (
            "ipccCharacterizationFactorsSources is not an array"
            if not isinstance(sources, list)
            else "it is not a string"
        )
        up.emit(
            DROPPED,
            "/pcf",
            _FACTOR_SOURCE,
            f"characterizationFactors {show(cf)} dropped: {why}, so it could not be "
            "merged into ipccCharacterizationFactors",
            _FACTORS_CLAUSES,
        )
        return
    if cf in sources:
        up.emit(
            MERGED,
            ptr("pcf", _FACTORS, sources.index(cf)),
            _FACTOR_SOURCE,
            f"characterizationFactors {show(cf)} is already listed in "
            "ipccCharacterizationFactorsSources (now ipccCharacterizationFactors); merged",
            _FACTORS_CLAUSES,
        )
        return
    sources.append(cf)
    up.emit(
        MERGED,
        ptr("pcf", _FACTORS, len(sources) - 1),
        _FACTOR_SOURCE,
        f"characterizationFactors {show(cf)} (the earliest IPCC report used) was not "
        "listed in ipccCharacterizationFactorsSources; added to ipccCharacterizationFactors",
        _FACTORS_CLAUSES,
    )


# --- crossSectoralStandards ---------------------------------------------------------------------
_STANDARDS: Final = "crossSectoralStandards"
_USED: Final = "crossSectoralStandardsUsed"
_STANDARDS_CLAUSES: Final = (cf3(_STANDARDS), ADR32, CHANGELOG)


def cross_sectoral_standards(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    has_new, has_old = _STANDARDS in pcf, _USED in pcf
    if not has_new and not has_old:
        return
    new, old = pcf.get(_STANDARDS), pcf.get(_USED)
    if has_new and not isinstance(new, list | tuple):
        _keep_malformed(up, out, new, old, has_old)
        return
    if not has_new and not isinstance(old, list | tuple):
        _copy_malformed_used(up, out, old)
        return
    result: list[Any] = []
    up.put(out, "/pcf", _STANDARDS, result, _STANDARDS if has_new else _USED)
    if has_new:
        _merge_list(up, result, _STANDARDS, new)
    if has_old:
        _merge_list(up, result, _USED, old)


def _keep_malformed(up: Upgrade, out: dict[Any, Any], new: Any, old: Any, has_old: bool) -> None:
    """crossSectoralStandards is not an array: left for v3 validation, crossSectoralStandardsUsed dropped."""
    up.put(out, "/pcf", _STANDARDS, clone(new), _STANDARDS)
    if has_old:
        up.emit(
            DROPPED,
            "/pcf",
            "/pcf/crossSectoralStandardsUsed",
            f"crossSectoralStandardsUsed {show(old)} dropped: crossSectoralStandards "
            "is not an array, so it could not be merged into it",
            _STANDARDS_CLAUSES,
        )


def _copy_malformed_used(up: Upgrade, out: dict[Any, Any], old: Any) -> None:
    up.put(out, "/pcf", _STANDARDS, clone(old), _USED)
    up.emit(
        MERGED,
        ptr("pcf", _STANDARDS),
        "/pcf/crossSectoralStandardsUsed",
        f"crossSectoralStandardsUsed {show(old)} is not an array; copied unchanged to crossSectoralStandards",
        _STANDARDS_CLAUSES,
    )


def _merge_list(up: Upgrade, result: list[Any], name: str, values: Any) -> None:
    """The standards listed in v2 field ``name``, in v3 spelling, added to ``result`` unless already there."""
    if not isinstance(values, list | tuple):
        up.emit(
            DROPPED,
            "/pcf",
            ptr("pcf", name),
            f"{name} {show(values)} dropped: it is not an array, so it could not be merged into crossSectoralStandards",
            _STANDARDS_CLAUSES,
        )
        return
    if not values and name != _STANDARDS:
        up.emit(
            MERGED,
            ptr("pcf", _STANDARDS),
            ptr("pcf", name),
            f"{name} is an empty array; merged into crossSectoralStandards (it adds no value)",
            _STANDARDS_CLAUSES,
        )
    for i, value in enumerate(values):
        _merge_standard(up, result, name, i, value)


def _merge_standard(up: Upgrade, result: list[Any], name: str, i: int, value: Any) -> None:
    src = ptr("pcf", name, i)
    mapped = map_standard(value) if isinstance(value, str) else clone(value)
    label = f"{name}[{i}] {show(value)}"
    found = json_index(result, mapped)
    if found is not None:
        same = "" if json_key(mapped) == json_key(value) else f" is {show(mapped)},"
        message = f"{label}{same} already listed in crossSectoralStandards; merged"
        up.emit(MERGED, ptr("pcf", _STANDARDS, found), src, message, _STANDARDS_CLAUSES)
        return
    result.append(mapped)
    dst = ptr("pcf", _STANDARDS, len(result) - 1)
    if name == _STANDARDS and len(result) - 1 != i and json_key(mapped) == json_key(value):
        message = (
            f"{label} moved to position {len(result) - 1} of crossSectoralStandards "
            "after duplicates before it were merged"
        )
        up.emit(MERGED, dst, src, message, _STANDARDS_CLAUSES)
    elif mapped != value:
        message = f"{label} converted to the v3 spelling {show(mapped)} in crossSectoralStandards"
        up.emit(CONVERTED, dst, src, message, _STANDARDS_CLAUSES)
    elif name != _STANDARDS:
        up.emit(MERGED, dst, src, f"{label} moved into crossSectoralStandards; value kept", _STANDARDS_CLAUSES)
