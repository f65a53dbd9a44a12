"""The CarbonFootprint (``pcf``) of a PACT v2.3 export: a table of steps, one per group of v3 fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from registry.convert.pact_out.downgrade import Downgrade, Step, empty_default, extras, shifted
from registry.convert.pact_out.quantities import quantities
from registry.convert.pact_out.tables import (
    ADR44,
    AR,
    CHANGELOG,
    CONVERTED,
    COVERAGE,
    DEFAULTED,
    DERIVED,
    DROPPED,
    MISSING,
    PCF_COPY,
    PCF_EMPTY_DEFAULT,
    STANDARDS_USED,
    TS3,
    TS23,
    V2_PCF_ORDER,
    V3_ONLY,
    V23_STANDARDS,
    VERIFICATION_COPY,
)
from registry.convert.values import clone, ordered, ptr, show
from registry.declarations import V3_DQI_FIELDS, V3_PCF_FIELDS, V3_VERIFICATION_FIELDS


def carbon_footprint(down: Downgrade, pcf: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: clone(pcf[k]) for k in PCF_COPY if k in pcf}
    for step in _PCF_STEPS:
        step(down, pcf, out)
    extras(down, pcf, out, "/pcf", "/pcf", set(V3_PCF_FIELDS))
    return ordered(out, V2_PCF_ORDER)


def _empty_defaults(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    for key in PCF_EMPTY_DEFAULT:
        empty_default(down, pcf, out, "/pcf", key, f"{TS23}, CarbonFootprint.{key}")


def _packaging_flag(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    clauses = (f"{TS23}, CarbonFootprint.packagingEmissionsIncluded",)
    if "packagingEmissionsIncluded" in pcf:
        out["packagingEmissionsIncluded"] = clone(pcf["packagingEmissionsIncluded"])
    elif "packagingGhgEmissions" in pcf:
        out["packagingEmissionsIncluded"] = True
        down.emit(
            DERIVED,
            "/pcf/packagingGhgEmissions",
            "/pcf/packagingEmissionsIncluded",
            "packagingEmissionsIncluded absent in v3 and required in v2.3; set to true because "
            "packagingGhgEmissions is given (it must be undefined when the flag is false)",
            clauses,
        )
    else:
        down.emit(
            MISSING,
            "/pcf",
            "/pcf/packagingEmissionsIncluded",
            "packagingEmissionsIncluded absent in v3 and required in v2.3; it cannot be derived, so it is left absent",
            clauses,
        )


def _characterization(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    clauses = (
        f"{TS23}, CarbonFootprint.characterizationFactors",
        f"{TS3}, CarbonFootprint.ipccCharacterizationFactors",
    )
    factors = pcf.get("ipccCharacterizationFactors")
    if factors is not None:
        out["ipccCharacterizationFactorsSources"] = clone(factors)
    reports = [
        int(m.group(1))
        for f in (factors if isinstance(factors, list) else [])
        if isinstance(f, str) and (m := AR.match(f))
    ]
    earliest = min(reports) if reports else None
    if earliest in (5, 6):
        out["characterizationFactors"] = f"AR{earliest}"
        down.emit(
            DERIVED,
            "/pcf/ipccCharacterizationFactors",
            "/pcf/characterizationFactors",
            f"characterizationFactors (deprecated, still required by v2.3) set to AR{earliest}, the "
            "earliest IPCC report listed in ipccCharacterizationFactors",
            clauses,
        )
    else:
        why = "none is listed" if earliest is None else f"the earliest listed is AR{earliest}"
        down.emit(
            MISSING,
            "/pcf/ipccCharacterizationFactors",
            "/pcf/characterizationFactors",
            f"characterizationFactors must be AR5 or AR6, the earliest report used, and {why}; left absent",
            clauses,
        )


_STANDARDS_CLAUSES: Final = (
    f"{TS23}, CarbonFootprint.crossSectoralStandards",
    f"{TS23}, CarbonFootprint.crossSectoralStandardsUsed",
)


def _standards(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    values = pcf.get("crossSectoralStandards")
    if values is not None and not isinstance(values, list):
        out["crossSectoralStandards"] = clone(values)  # malformed: left for v2 schema validation
    kept: list[Any] = []
    for i, value in enumerate(values if isinstance(values, list) else []):
        if value in V23_STANDARDS:
            kept.append(value)
            shifted(down, "/pcf/crossSectoralStandards", i, len(kept) - 1, value, _STANDARDS_CLAUSES)
            continue
        down.emit(
            DROPPED,
            ptr("pcf", "crossSectoralStandards", i),
            "/pcf",
            f"crossSectoralStandards[{i}] {show(value)} dropped: not a value of the v2.3 list "
            f"({', '.join(V23_STANDARDS)})",
            _STANDARDS_CLAUSES,
        )
    if kept:
        out["crossSectoralStandards"] = kept
    _standards_used(down, kept, out)


def _standards_used(down: Downgrade, kept: list[Any], out: dict[str, Any]) -> None:
    """The deprecated crossSectoralStandardsUsed, in the v2.0 spellings of the standards kept."""
    used = list(dict.fromkeys(STANDARDS_USED[v] for v in kept if v in STANDARDS_USED))
    if used:
        out["crossSectoralStandardsUsed"] = used
        down.emit(
            DERIVED,
            "/pcf/crossSectoralStandards",
            "/pcf/crossSectoralStandardsUsed",
            f"crossSectoralStandardsUsed (deprecated, still required by v2.3) set to {show(used)}, the "
            "v2.0 spellings of the standards listed in crossSectoralStandards",
            _STANDARDS_CLAUSES,
        )
    else:
        down.emit(
            MISSING,
            "/pcf/crossSectoralStandards",
            "/pcf/crossSectoralStandardsUsed",
            "crossSectoralStandardsUsed is required by v2.3 and can only name the GHG Protocol Product "
            "standard, ISO 14067 or ISO 14044, none of which is listed; left absent",
            _STANDARDS_CLAUSES,
        )


def _v3_only(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    for key in V3_ONLY:
        if key in pcf:
            down.emit(
                DROPPED,
                ptr("pcf", key),
                "/pcf",
                f"{key} {show(pcf[key])} dropped: PACT v2.3 has no such field (added in v3)",
                (CHANGELOG,),
            )


def _dqi(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    if "dqi" not in pcf:
        return
    dqi = pcf["dqi"]
    shown = {k: dqi[k] for k in V3_DQI_FIELDS if k in dqi} if isinstance(dqi, Mapping) else dqi
    down.emit(
        DROPPED,
        "/pcf/dqi",
        "/pcf",
        f"dqi {show(shown, 160)} dropped: a v2 dqi requires coveragePercent, completenessDQR and reliabilityDQR, "
        "which v3 does not have, and rates on a scale of 1 to 3 where v3 rates 1 to 5, with no published "
        "conversion between the scales",
        (f"{TS23}, DataQualityIndicators", f"{TS3}, DataQualityIndicators", CHANGELOG),
    )


# --- verification -> assurance --------------------------------------------------------------------
_VERIFICATION_CLAUSES: Final = (f"{TS23}, Assurance", f"{TS3}, Verification", ADR44)


def _verification(down: Downgrade, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
    if "verification" not in pcf:
        return
    ver = pcf["verification"]
    if not isinstance(ver, Mapping):
        out["assurance"] = clone(ver)  # malformed: left for v2 schema validation
        return
    new: dict[str, Any] = {"assurance": True}
    down.emit(
        DEFAULTED,
        "/pcf/verification",
        "/pcf/assurance/assurance",
        "assurance flag set to true: a v3 verification states that the footprint was verified",
        _VERIFICATION_CLAUSES,
    )
    _coverage(down, ver, new)
    new.update((k, clone(ver[k])) for k in VERIFICATION_COPY if k in ver)
    if "providerName" not in ver:
        down.emit(
            MISSING,
            "/pcf/verification",
            "/pcf/assurance/providerName",
            "providerName is required in a v2 assurance and absent from the v3 verification; left absent",
            _VERIFICATION_CLAUSES,
        )
    extras(down, ver, new, "/pcf/verification", "/pcf/assurance", set(V3_VERIFICATION_FIELDS))
    out["assurance"] = new


def _coverage(down: Downgrade, ver: Mapping[str, Any], new: dict[str, Any]) -> None:
    coverage = ver.get("coverage")
    if not (isinstance(coverage, str) and coverage in COVERAGE):
        if "coverage" in ver:
            new["coverage"] = clone(coverage)
        return
    mapped = COVERAGE[coverage]
    if mapped is None:
        down.emit(
            DROPPED,
            "/pcf/verification/coverage",
            "/pcf/assurance",
            f"verification.coverage {show(coverage)} dropped: v2 Assurance.coverage has no equivalent",
            _VERIFICATION_CLAUSES,
        )
        return
    new["coverage"] = mapped
    if mapped != coverage:
        down.emit(
            CONVERTED,
            "/pcf/verification/coverage",
            "/pcf/assurance/coverage",
            f"verification.coverage {show(coverage)} converted to {show(mapped)} (the inverse of "
            "the upgrade's reading; PACT gives no official mapping)",
            _VERIFICATION_CLAUSES,
        )


_PCF_STEPS: Final[tuple[Step, ...]] = (
    quantities,
    _empty_defaults,
    _packaging_flag,
    _characterization,
    _standards,
    _v3_only,
    _dqi,
    _verification,
)
