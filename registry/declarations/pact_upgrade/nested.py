"""The objects nested in a CarbonFootprint: DataQualityIndicators (``dqi``), and Assurance (v3: Verification)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from registry.declarations.pact_upgrade.extras import extra_finding
from registry.declarations.pact_upgrade.state import Upgrade
from registry.declarations.pact_upgrade.tables import (
    ADR39,
    ADR44,
    ASSURANCE_COPY,
    ASSURANCE_DROP,
    CHANGELOG,
    CONVERTED,
    COVERAGE,
    DQI_DROP,
    DQI_KEEP,
    DROPPED,
    REMAPPED,
    TS3,
    V3_DQI_FIELDS,
    V3_VERIFICATION_FIELDS,
)
from registry.declarations.pact_upgrade.values import clone, number_to_decimal, ordered, ptr, show


def _nested(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any], v2: str, v3: str) -> Mapping[Any, Any] | None:
    """The v2 object ``v2`` of ``pcf``; None when absent, or when malformed (then copied to ``v3`` for validation)."""
    if v2 not in pcf:
        return None
    old = pcf[v2]
    if isinstance(old, Mapping):
        return old
    up.put(out, "/pcf", v3, clone(old), v2)
    return None


# --- dqi ------------------------------------------------------------------------------------------
def dqi(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    old = _nested(up, pcf, out, "dqi", "dqi")
    if old is None:
        return
    new = _kept_ratings(up, old)
    kept = [k for k in old if k not in DQI_KEEP and k not in DQI_DROP]
    empty_after = not new and not kept and len(old) > 0
    for key in DQI_DROP:
        if key in old:
            up.emit(
                DROPPED,
                "/pcf" if empty_after else "/pcf/dqi",
                ptr("pcf", "dqi", key),
                f"dqi.{key} {show(old[key])} dropped: removed from DataQualityIndicators in PACT v3",
                (f"{TS3}, DataQualityIndicators", CHANGELOG),
            )
    if empty_after:
        # Every v2 indicator was dropped: an empty v3 dqi would only add errors.
        return
    up.put(out, "/pcf", "dqi", new, "dqi")
    for key in kept:
        new[key] = clone(old[key])
        extra_finding(up, key, "/pcf/dqi", "dqi.", V3_DQI_FIELDS)
    out["dqi"] = ordered(new, V3_DQI_FIELDS)


def _kept_ratings(up: Upgrade, old: Mapping[Any, Any]) -> dict[Any, Any]:
    """The ratings v3 keeps, each as a decimal string, with a finding that its scale changed."""
    new: dict[Any, Any] = {}
    for key in DQI_KEEP:
        if key not in old:
            continue
        value = old[key]
        text = number_to_decimal(value)
        new[key] = text if text is not None else clone(value)
        up.emit(
            REMAPPED,
            ptr("pcf", "dqi", key),
            ptr("pcf", "dqi", key),
            f"dqi.{key} {show(value)} kept as {show(new[key])}, but it is a rating on "
            "the v2 scale of 1 to 3 while v3 rates on a scale of 1 to 5; PACT defines no "
            "conversion, so the rating is not comparable with native v3 ratings",
            (f"{TS3}, DataQualityIndicators.{key}", ADR39, CHANGELOG),
        )
    return new


# --- assurance -> verification ------------------------------------------------------------------
_CLAUSES: Final = (f"{TS3}, CarbonFootprint.verification", f"{TS3}, Verification", ADR44)
_KNOWN: Final = frozenset({"assurance", "coverage", *ASSURANCE_COPY, *ASSURANCE_DROP})


def assurance(up: Upgrade, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
    old = _nested(up, pcf, out, "assurance", "verification")
    if old is None:
        return
    if old.get("assurance") is False:
        up.emit(
            DROPPED,
            "/pcf",
            "/pcf/assurance",
            f"assurance {show(old)} dropped: its assurance flag is false (the "
            "footprint was not assured), and v3 states that by omitting verification",
            (*_CLAUSES, CHANGELOG),
        )
        return
    new: dict[Any, Any] = {key: clone(old[key]) for key in ASSURANCE_COPY if key in old}
    _dropped_parts(up, old, new)
    for key in old:
        if key not in _KNOWN:
            new[key] = clone(old[key])
            extra_finding(up, key, "/pcf/verification", "assurance.", V3_VERIFICATION_FIELDS)
    up.put(out, "/pcf", "verification", ordered(new, V3_VERIFICATION_FIELDS), "assurance")


def _dropped_parts(up: Upgrade, old: Mapping[Any, Any], new: dict[Any, Any]) -> None:
    """The assurance flag, coverage (when it has no v3 value), level and boundary."""
    if "assurance" in old:
        up.emit(
            DROPPED,
            "/pcf/verification",
            "/pcf/assurance/assurance",
            f"assurance.assurance {show(old['assurance'])} dropped: v3 has no "
            "assurance flag; the presence of verification states it",
            _CLAUSES,
        )
    if "coverage" in old:
        _coverage(up, old["coverage"], new)
    for key, reason in ASSURANCE_DROP.items():
        if key in old:
            up.emit(
                DROPPED,
                "/pcf/verification",
                ptr("pcf", "assurance", key),
                f"assurance.{key} {show(old[key])} dropped: {reason}",
                _CLAUSES,
            )


def _coverage(up: Upgrade, value: Any, new: dict[Any, Any]) -> None:
    src = "/pcf/assurance/coverage"
    if not isinstance(value, str) or value not in COVERAGE:
        new["coverage"] = clone(value)  # malformed: left for v3 validation
        return
    mapped = COVERAGE[value]
    if mapped is None:
        up.emit(
            DROPPED,
            "/pcf/verification",
            src,
            f"assurance.coverage {show(value)} dropped: v3 Verification.coverage has no "
            "equivalent (only PCF calculation model, PCF program, product level)",
            _CLAUSES,
        )
        return
    new["coverage"] = mapped
    if mapped != value:
        up.emit(
            CONVERTED,
            "/pcf/verification/coverage",
            src,
            f"assurance.coverage {show(value)} converted to {show(mapped)}: PACT gives "
            "no official mapping of coverage values; a v2 PCF system is taken to be the "
            "v3 PCF calculation model",
            _CLAUSES,
        )
