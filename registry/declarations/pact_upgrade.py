"""Upgrade a PACT v2.x ProductFootprint (2.0 to 2.3) to a PACT v3.0 ProductFootprint.

A declaration in this project is a PACT Technical Specifications v3.0 ProductFootprint.
PACT v2 footprints are accepted by mapping them field by field onto v3; the mapping is
documented in ``docs/pact-v2-to-v3-mapping.md`` (keep the two in step).

The contract:

* every v2 field either appears in the v3 result with exactly the same value (a pure
  rename, or a JSON number written as the decimal string of the same value), or an
  ``info`` :class:`~registry.findings.Finding` names it (``source_path``) and says what
  happened to it. Nothing is dropped silently.
* nothing is invented silently: a value that v3 requires and v2 did not carry is only
  filled in when it follows from the v2 data by a definition of the specifications, and
  then with a finding; otherwise it is left absent, so that v3 schema validation reports it.
* malformed values are left in place (under their v3 name) so that v3 schema validation
  reports them; only input that cannot be upgraded at all raises
  :class:`~registry.errors.InputError`.

Pure functions, no I/O; the input is never mutated and the result shares no mutable
objects with it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any, Final

from registry.errors import InputError, Location
from registry.findings import Finding, Severity

__all__ = [
    "RULE_IDS",
    "V3_SPEC_VERSION",
    "spec_major",
    "upgrade_v2_to_v3",
]

V3_SPEC_VERSION: Final = "3.0.0"

# --- rule ids (stable; documented in docs/pact-v2-to-v3-mapping.md) -------------------
CONVERTED: Final = "pact.upgrade.converted"  # value rewritten (spelling, unit rescaling, ...)
REMAPPED: Final = "pact.upgrade.remapped"  # value kept, v3 field's definition differs
MERGED: Final = "pact.upgrade.merged"  # several v2 values combined into one v3 field
DROPPED: Final = "pact.upgrade.dropped"  # no v3 home: value removed
DEFAULTED: Final = "pact.upgrade.defaulted"  # v3 value fixed by definition, v2 had none
DERIVED: Final = "pact.upgrade.derived"  # v3 value computed from other v2 values
MISSING: Final = "pact.upgrade.missing"  # v3 requires it, v2 lacks it, not derivable
UNSCALED: Final = "pact.upgrade.unscaled"  # could not rescale to the v3 declared unit
EXTRA: Final = "pact.upgrade.extra"  # not a PACT v2 field: kept unchanged

RULE_IDS: Final = (
    CONVERTED,
    REMAPPED,
    MERGED,
    DROPPED,
    DEFAULTED,
    DERIVED,
    MISSING,
    UNSCALED,
    EXTRA,
)

# --- citations ------------------------------------------------------------------------
_TS3 = "PACT Tech Specs v3.0"
_TS23 = "PACT Tech Specs v2.3"
_CHANGELOG = f"{_TS3}, Appendix A (Changelog, version 3.0.0)"
_LIFECYCLE = f"{_TS3}, Product Footprint Lifecycle"
_ADR32 = "PACT ADR-32 (cross-sectoral standards)"
_ADR36 = "PACT ADR-36 (clarify product amount)"
_ADR37 = "PACT ADR-37 (replace productCategoryCpc with productClassifications)"
_ADR39 = "PACT ADR-39 (consistent typing of real numbers)"
_ADR41 = "PACT ADR-41 (version simplification)"
_ADR44 = "PACT ADR-44 (remove assurance flag)"
_ADR45 = "PACT ADR-45 (biogenic attributes)"


def _pf3(name: str) -> str:
    return f"{_TS3}, ProductFootprint.{name}"


def _cf3(name: str) -> str:
    return f"{_TS3}, CarbonFootprint.{name}"


# --- field tables ----------------------------------------------------------------------
# v3 property order, used to lay out the result (extra properties follow).
V3_ROOT_FIELDS: Final = (
    "id",
    "specVersion",
    "precedingPfIds",
    "created",
    "status",
    "validityPeriodStart",
    "validityPeriodEnd",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productClassifications",
    "productNameCompany",
    "comment",
    "pcf",
    "extensions",
)
V3_PCF_FIELDS: Final = (
    "declaredUnitOfMeasurement",
    "declaredUnitAmount",
    "productMassPerDeclaredUnit",
    "referencePeriodStart",
    "referencePeriodEnd",
    "geographyRegionOrSubregion",
    "geographyCountry",
    "geographyCountrySubdivision",
    "boundaryProcessesDescription",
    "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicUptake",
    "fossilCarbonContent",
    "biogenicCarbonContent",
    "recycledCarbonContent",
    "fossilGhgEmissions",
    "landUseChangeGhgEmissions",
    "landCarbonLeakage",
    "landManagementFossilGhgEmissions",
    "landManagementBiogenicCO2Emissions",
    "landManagementBiogenicCO2Removals",
    "biogenicCO2Uptake",
    "biogenicNonCO2Emissions",
    "landAreaOccupation",
    "aircraftGhgEmissions",
    "packagingEmissionsIncluded",
    "packagingGhgEmissions",
    "packagingBiogenicCarbonContent",
    "outboundLogisticsGhgEmissions",
    "ccsTechnologicalCO2CaptureIncluded",
    "ccsTechnologicalCO2Capture",
    "technologicalCO2CaptureOrigin",
    "technologicalCO2Removals",
    "ccuCarbonContent",
    "ccuCalculationApproach",
    "ccuCreditCertification",
    "ipccCharacterizationFactors",
    "crossSectoralStandards",
    "productOrSectorSpecificRules",
    "exemptedEmissionsPercent",
    "exemptedEmissionsDescription",
    "allocationRulesDescription",
    "secondaryEmissionFactorSources",
    "primaryDataShare",
    "dqi",
    "verification",
)
V3_DQI_FIELDS: Final = ("technologicalDQR", "geographicalDQR", "temporalDQR")
V3_VERIFICATION_FIELDS: Final = (
    "coverage",
    "providerName",
    "completedAt",
    "standardName",
    "comments",
)

# ProductFootprint fields that carry over unchanged (same name, same value).
_ROOT_COPY: Final = (
    "id",
    "precedingPfIds",
    "created",
    "status",
    "validityPeriodStart",
    "validityPeriodEnd",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productNameCompany",
    "comment",
    "extensions",
)

# ProductFootprint fields removed in v3: name -> (reason, clauses).
_ROOT_DROP: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "version": (
        "PACT v3 has no in-place versioning: any change gives a new id",
        (_LIFECYCLE, _ADR41, _CHANGELOG),
    ),
    "updated": (
        "PACT v3 footprints are immutable and carry no update timestamp",
        (_LIFECYCLE, _ADR41, _CHANGELOG),
    ),
    "statusComment": (
        "statusComment is obsolete in PACT v3",
        (_LIFECYCLE, _CHANGELOG),
    ),
}

# CarbonFootprint fields that carry over unchanged (same name, same value).
_PCF_COPY: Final = (
    "referencePeriodStart",
    "referencePeriodEnd",
    "geographyRegionOrSubregion",
    "geographyCountry",
    "geographyCountrySubdivision",
    "boundaryProcessesDescription",
    "packagingEmissionsIncluded",
    "productOrSectorSpecificRules",
    "exemptedEmissionsDescription",
    "allocationRulesDescription",
    "secondaryEmissionFactorSources",
)

# Pure renames that are not quantities per declared unit.
_PCF_RENAME: Final = {
    "declaredUnit": "declaredUnitOfMeasurement",
    "unitaryProductAmount": "declaredUnitAmount",
}

# Quantities per declared unit: v2 name -> v3 name. The value is kept, except that it is
# rescaled from "per 1 declaredUnit" (v2) to "per declaredUnitAmount x
# declaredUnitOfMeasurement" (v3) when unitaryProductAmount is not 1 (ADR-36).
_PCF_PER_UNIT: Final = {
    "productMassPerDeclaredUnit": "productMassPerDeclaredUnit",
    "pCfExcludingBiogenic": "pcfExcludingBiogenicUptake",
    "pCfIncludingBiogenic": "pcfIncludingBiogenicUptake",
    "fossilGhgEmissions": "fossilGhgEmissions",
    "fossilCarbonContent": "fossilCarbonContent",
    "biogenicCarbonContent": "biogenicCarbonContent",
    "dLucGhgEmissions": "landUseChangeGhgEmissions",
    "iLucGhgEmissions": "landCarbonLeakage",
    "otherBiogenicGhgEmissions": "biogenicNonCO2Emissions",
    "biogenicCarbonWithdrawal": "biogenicCO2Uptake",
    "aircraftGhgEmissions": "aircraftGhgEmissions",
    "packagingGhgEmissions": "packagingGhgEmissions",
}

# Per-unit quantities whose v3 home is defined differently: v2 name -> (note, clauses).
_PCF_REMAPPED: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "iLucGhgEmissions": (
        "v3 has no iLUC field; landCarbonLeakage is its placeholder for indirect land use "
        "change outside the value chain and is not defined identically",
        (_cf3("landCarbonLeakage"), _ADR45, _CHANGELOG),
    ),
    "otherBiogenicGhgEmissions": (
        "v2 counted all other biogenic GHG emissions here, v3 biogenicNonCO2Emissions "
        "counts biogenic non-CO2 (CH4) emissions only",
        (_cf3("biogenicNonCO2Emissions"), _ADR45, _CHANGELOG),
    ),
}

# JSON numbers in v2 that are decimal strings in v3 (ADR-39).
_PCF_NUMBER: Final = ("exemptedEmissionsPercent", "primaryDataShare")

# CarbonFootprint fields removed in v3: name -> (reason, clauses).
_PCF_DROP: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "landManagementGhgEmissions": (
        "v3 splits land management into landManagementFossilGhgEmissions, "
        "landManagementBiogenicCO2Emissions and landManagementBiogenicCO2Removals, "
        "and a net v2 value cannot be split",
        (
            _cf3("landManagementFossilGhgEmissions"),
            _cf3("landManagementBiogenicCO2Emissions"),
            _cf3("landManagementBiogenicCO2Removals"),
            _ADR45,
            _CHANGELOG,
        ),
    ),
    "biogenicAccountingMethodology": (
        "removed in PACT v3 (the method is stated through crossSectoralStandards or comment)",
        (_CHANGELOG,),
    ),
    "uncertaintyAssessmentDescription": (
        "removed in PACT v3",
        (_CHANGELOG,),
    ),
}

# Dropped quantities per declared unit (messages say which declared unit they refer to).
_PCF_DROP_PER_UNIT: Final = frozenset({"landManagementGhgEmissions"})

_DQI_KEEP: Final = ("technologicalDQR", "temporalDQR", "geographicalDQR")
_DQI_DROP: Final = ("coveragePercent", "completenessDQR", "reliabilityDQR")

_ASSURANCE_COPY: Final = ("providerName", "completedAt", "standardName", "comments")
_ASSURANCE_DROP: Final[dict[str, str]] = {
    "level": "v3 Verification has no level of assurance",
    "boundary": "v3 Verification has no assurance boundary",
}
# Assurance.coverage (v2) -> Verification.coverage (v3); None: no v3 equivalent.
_COVERAGE: Final[dict[str, str | None]] = {
    "product level": "product level",
    "PCF system": "PCF calculation model",
    "corporate level": None,
    "product line": None,
}

_V2_ROOT_KNOWN: Final = frozenset(
    (*_ROOT_COPY, *_ROOT_DROP, "specVersion", "productCategoryCpc", "productClassifications", "pcf")
)
_V2_PCF_KNOWN: Final = frozenset(
    (
        *_PCF_COPY,
        *_PCF_RENAME,
        *_PCF_PER_UNIT,
        *_PCF_NUMBER,
        *_PCF_DROP,
        "characterizationFactors",
        "ipccCharacterizationFactorsSources",
        "crossSectoralStandardsUsed",
        "crossSectoralStandards",
        "dqi",
        "assurance",
    )
)

# Cross-sectoral standards: v2 spellings (2.0-2.2 enum, 2.3 prose, ADR-32 drafts) -> v3.
_V3_STANDARDS: Final = (
    "ISO14067",
    "ISO14083",
    "ISO14040-44",
    "GHGP-Product",
    "PEF",
    "PACT-1.0",
    "PACT-2.0",
    "PACT-3.0",
    "PAS2050",
)
_STANDARD_SPELLINGS: Final[dict[str, str]] = {
    "ghg protocol product standard": "GHGP-Product",
    "ghg protocol product": "GHGP-Product",
    "ghgp product": "GHGP-Product",
    "ghgp-product": "GHGP-Product",
    "iso standard 14067": "ISO14067",
    "iso 14067": "ISO14067",
    "iso14067": "ISO14067",
    "iso standard 14083": "ISO14083",
    "iso 14083": "ISO14083",
    "iso14083": "ISO14083",
    "iso standard 14044": "ISO14040-44",
    "iso 14044": "ISO14040-44",
    "iso14044": "ISO14040-44",
    "iso 14040-44": "ISO14040-44",
    "iso14040-44": "ISO14040-44",
    "iso 14040/44": "ISO14040-44",
    "iso 14040/14044": "ISO14040-44",
    "pef": "PEF",
    "pas 2050": "PAS2050",
    "pas2050": "PAS2050",
}
_PACT_STANDARD = re.compile(r"^(?:pact|pathfinder)(?:[ -](?:methodology|framework))?[ -]?v?(\d{1,3})(?:\.(\d{1,3}))?$")

_SPEC_VERSION = re.compile(r"^(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?(?:-[0-9A-Za-z.-]+)?$")
_V2_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_CPC_CODE = re.compile(r"^\d{1,5}$")


# --- public API ------------------------------------------------------------------------
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
    if not isinstance(doc, Mapping):
        raise InputError(
            f"a PACT v2 ProductFootprint must be a JSON object, not {_json_type(doc)}",
            Location(pointer=""),
        )
    major = _declared_major(doc)
    if major is not None and major != 2:
        raise InputError(
            f"specVersion {_show(doc.get('specVersion'))} is PACT v{major}; "
            "only PACT v2.x footprints can be upgraded to v3",
            Location(pointer="/specVersion"),
        )
    if "pcf" in doc and not isinstance(doc["pcf"], Mapping):
        raise InputError(
            f"pcf must be a JSON object (CarbonFootprint), not {_json_type(doc['pcf'])}",
            Location(pointer="/pcf"),
        )
    try:
        return _Upgrader().run(doc)
    except RecursionError:
        raise InputError("the footprint is nested too deeply to be upgraded", Location(pointer="")) from None


# --- helpers ---------------------------------------------------------------------------
def _ptr(*parts: object) -> str:
    """RFC 6901 JSON pointer from reference tokens."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _declared_major(doc: Mapping[Any, Any]) -> int | None:
    version = doc.get("specVersion")
    if not isinstance(version, str):
        return None
    m = _SPEC_VERSION.match(version.strip())
    return int(m.group(1)) if m else None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _show(value: object, limit: int = 80) -> str:
    """A short JSON rendering of a value for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PLAIN_NAME = re.compile(r"^[A-Za-z_$@][\w$@.:-]*$")


def _name(key: object) -> str:
    """A property name for messages: as is when plain, JSON-quoted otherwise."""
    return key if isinstance(key, str) and _PLAIN_NAME.match(key) else _show(key)


def _clone(value: Any) -> Any:
    """Deep copy of a JSON-like value (objects become dicts, arrays lists)."""
    if isinstance(value, Mapping):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clone(v) for v in value]
    return value


def _number_to_decimal(value: object) -> str | None:
    """A JSON number as a plain decimal string of the same value ("1e-05" -> "0.00001").

    None when the value is not a finite number (booleans are not numbers).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # beyond Python's int->str digit limit
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return format(Decimal(repr(value)), "f")
    return None


def _parse_decimal(value: object) -> Decimal | None:
    """A v2 Decimal (dotted-decimal JSON string) as a Decimal; None otherwise."""
    if isinstance(value, str) and _V2_DECIMAL.match(value):
        return Decimal(value)
    return None


def _format_decimal(value: Decimal) -> str:
    """Plain decimal string without exponent or trailing fractional zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0", ""):
        text = "0"
    return text


def _exact(op: str, a: Decimal, b: Decimal) -> Decimal:
    """a*b or a+b without rounding (the context is made wide enough)."""
    da, db = a.as_tuple(), b.as_tuple()
    ea = da.exponent if isinstance(da.exponent, int) else 0
    eb = db.exponent if isinstance(db.exponent, int) else 0
    digits = len(da.digits) + len(db.digits) + abs(ea - eb) + 4
    with localcontext() as ctx:
        ctx.prec = max(28, digits)
        return a * b if op == "*" else a + b


def _map_standard(value: str) -> str:
    """The v3 spelling of a cross-sectoral standard; unknown values are kept as they are."""
    key = " ".join(value.split()).lower()
    mapped = _STANDARD_SPELLINGS.get(key)
    if mapped is not None:
        return mapped
    m = _PACT_STANDARD.match(key)
    if m:
        candidate = f"PACT-{int(m.group(1))}.{int(m.group(2) or 0)}"
        if candidate in _V3_STANDARDS:
            return candidate
    return value


def _v3_clause(where: str, key: object) -> str:
    """Citation of the v3 definition of property ``key`` of the object at ``where``."""
    owner = {
        "": "ProductFootprint",
        "/pcf": "CarbonFootprint",
        "/pcf/dqi": "DataQualityIndicators",
        "/pcf/verification": "Verification",
    }.get(where, "ProductFootprint")
    return f"{_TS3}, {owner}.{key}"


def _ordered(values: dict[Any, Any], order: tuple[str, ...]) -> dict[Any, Any]:
    out = {k: values[k] for k in order if k in values}
    out.update((k, v) for k, v in values.items() if k not in out)
    return out


@dataclass
class _Upgrader:
    findings: list[Finding] = field(default_factory=list)
    # v3 key (per object pointer) -> v2 key it was produced from, for conflict messages.
    produced: dict[tuple[str, str], str] = field(default_factory=dict)

    def emit(self, rule: str, path: str, source: str | None, message: str, clauses: tuple[str, ...]) -> None:
        self.findings.append(
            Finding(
                rule_id=rule,
                severity=Severity.INFO,
                path=path,
                message=message,
                clauses=clauses,
                source_path=source,
            )
        )

    def put(self, out: dict[Any, Any], where: str, key: str, value: Any, source: str) -> None:
        out[key] = value
        self.produced[(where, key)] = source

    # -- ProductFootprint ---------------------------------------------------------------
    def run(self, doc: Mapping[Any, Any]) -> tuple[dict[str, Any], list[Finding]]:
        out: dict[Any, Any] = {}

        for key in _ROOT_COPY:
            if key in doc:
                self.put(out, "", key, _clone(doc[key]), key)

        self.spec_version(doc, out)

        for key, (reason, clauses) in _ROOT_DROP.items():
            if key in doc:
                self.emit(
                    DROPPED,
                    "",
                    _ptr(key),
                    f"{key} {_show(doc[key])} dropped: {reason}",
                    clauses,
                )

        self.classifications(doc, out)

        if "pcf" in doc:
            self.put(out, "", "pcf", self.carbon_footprint(doc["pcf"]), "pcf")

        self.extras(doc, out, "", "", _V2_ROOT_KNOWN, V3_ROOT_FIELDS)
        return _ordered(out, V3_ROOT_FIELDS), self.findings

    def spec_version(self, doc: Mapping[Any, Any], out: dict[Any, Any]) -> None:
        clauses = (_pf3("specVersion"),)
        if "specVersion" in doc:
            old = doc["specVersion"]
            self.emit(
                CONVERTED,
                "/specVersion",
                "/specVersion",
                f"specVersion {_show(old)} replaced by {_show(V3_SPEC_VERSION)}: "
                "the document now follows PACT Tech Specs v3.0",
                clauses,
            )
        else:
            self.emit(
                DEFAULTED,
                "/specVersion",
                "/specVersion",
                f"specVersion absent; set to {_show(V3_SPEC_VERSION)} for the upgraded document",
                clauses,
            )
        self.put(out, "", "specVersion", V3_SPEC_VERSION, "specVersion")

    def classifications(self, doc: Mapping[Any, Any], out: dict[Any, Any]) -> None:
        clauses = (_pf3("productClassifications"), _ADR37, _CHANGELOG)
        classes: Any = _clone(doc["productClassifications"]) if "productClassifications" in doc else None
        if "productClassifications" in doc:
            self.put(out, "", "productClassifications", classes, "productClassifications")
        if "productCategoryCpc" not in doc:
            return
        cpc = doc["productCategoryCpc"]
        src = "/productCategoryCpc"
        code = cpc.strip() if isinstance(cpc, str) else None
        if code is None or not _CPC_CODE.match(code):
            self.emit(
                DROPPED,
                "",
                src,
                f"productCategoryCpc {_show(cpc)} dropped: it is not a UN CPC code "
                "(1 to 5 digits), so no urn:cpc: product classification can be made from it",
                clauses,
            )
            return
        urn = f"urn:cpc:{code}"
        if "productClassifications" not in doc:
            classes = []
            self.put(out, "", "productClassifications", classes, "productCategoryCpc")
        if not isinstance(classes, list):
            self.emit(
                DROPPED,
                "",
                src,
                f"productCategoryCpc {_show(cpc)} dropped: productClassifications is not an "
                f"array, so {urn} could not be added to it",
                clauses,
            )
            return
        for i, existing in enumerate(classes):
            if isinstance(existing, str) and existing.lower() == urn.lower():
                self.emit(
                    MERGED,
                    _ptr("productClassifications", i),
                    src,
                    f"productCategoryCpc {_show(cpc)} is {urn}, already listed in productClassifications; merged",
                    clauses,
                )
                return
        classes.append(urn)
        self.emit(
            CONVERTED,
            _ptr("productClassifications", len(classes) - 1),
            src,
            f"productCategoryCpc {_show(cpc)} converted to the product classification {urn} in productClassifications",
            clauses,
        )

    # -- CarbonFootprint ----------------------------------------------------------------
    def carbon_footprint(self, pcf: Mapping[Any, Any]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        where = "/pcf"

        for v2, v3 in _PCF_RENAME.items():
            if v2 in pcf:
                self.put(out, where, v3, _clone(pcf[v2]), v2)
        for key in _PCF_COPY:
            if key in pcf:
                self.put(out, where, key, _clone(pcf[key]), key)

        self.per_unit_values(pcf, out)

        for key in _PCF_NUMBER:
            if key in pcf:
                value = pcf[key]
                text = _number_to_decimal(value)
                self.put(out, where, key, text if text is not None else _clone(value), key)

        amount = _parse_decimal(pcf.get("unitaryProductAmount"))
        unit = pcf.get("declaredUnit")
        for key, (reason, clauses) in _PCF_DROP.items():
            if key in pcf:
                per_unit = ""
                if key in _PCF_DROP_PER_UNIT and amount is not None and 0 < amount != 1:
                    unit_text = unit if isinstance(unit, str) else _show(unit)
                    per_unit = f" (per 1 {unit_text}, the v2 declared unit)"
                self.emit(
                    DROPPED,
                    where,
                    _ptr("pcf", key),
                    f"{key} {_show(pcf[key])}{per_unit} dropped: {reason}",
                    clauses,
                )

        self.characterization_factors(pcf, out)
        self.cross_sectoral_standards(pcf, out)
        if "dqi" in pcf:
            self.dqi(pcf["dqi"], out)
        if "assurance" in pcf:
            self.assurance(pcf["assurance"], out)

        self.extras(pcf, out, where, "/pcf", _V2_PCF_KNOWN, V3_PCF_FIELDS)
        return _ordered(out, V3_PCF_FIELDS)

    def per_unit_values(self, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
        """Quantities per declared unit, rescaled to the v3 declared unit (ADR-36).

        v2: values per 1 ``declaredUnit``; ``unitaryProductAmount`` is the product's size.
        v3: the declared unit is ``declaredUnitAmount`` x ``declaredUnitOfMeasurement`` and
        values are per that declared unit. So v3 value = v2 value x unitaryProductAmount.
        """
        unit = pcf.get("declaredUnit")
        unit_text = unit if isinstance(unit, str) else _show(unit)
        amount_raw = pcf.get("unitaryProductAmount")
        amount = _parse_decimal(amount_raw)
        if amount is not None and amount <= 0:
            amount = None
        scale = amount is not None and amount != 1
        scale_clauses = (_cf3("declaredUnitAmount"), _cf3("declaredUnitOfMeasurement"), _ADR36)

        present = [k for k in _PCF_PER_UNIT if k in pcf]
        if present and amount is None:
            has_amount = "unitaryProductAmount" in pcf
            self.emit(
                UNSCALED,
                "/pcf/declaredUnitAmount" if has_amount else "/pcf",
                "/pcf/unitaryProductAmount",
                f"unitaryProductAmount {_show(amount_raw) if has_amount else '(absent)'}"
                " is not a positive decimal, so the values per declared unit "
                f"({', '.join(present)}) could not be rescaled to the v3 declared unit "
                "and were copied unchanged",
                scale_clauses,
            )

        for v2 in present:
            v3 = _PCF_PER_UNIT[v2]
            value = pcf[v2]
            src = _ptr("pcf", v2)
            dst = _ptr("pcf", v3)
            names = v2 if v2 == v3 else f"{v2} moved to {v3}"
            new: Any = _clone(value)
            scaled_note = ""
            if scale and amount is not None:
                parsed = _parse_decimal(value)
                if parsed is None:
                    self.emit(
                        UNSCALED,
                        dst,
                        src,
                        f"{names}: {_show(value)} is not a decimal, so it could not be "
                        f"rescaled from per 1 {unit_text} to per {amount_raw} {unit_text} "
                        "and was copied unchanged",
                        scale_clauses,
                    )
                else:
                    new = _format_decimal(_exact("*", parsed, amount))
                    scaled_note = (
                        f"rescaled from per 1 {unit_text} to the v3 declared unit of {amount_raw} {unit_text}: {new}"
                    )
            self.put(out, "/pcf", v3, new, v2)

            if v2 in _PCF_REMAPPED:
                note, clauses = _PCF_REMAPPED[v2]
                kept = scaled_note or "value kept"
                self.emit(
                    REMAPPED,
                    dst,
                    src,
                    f"{v2} {_show(value)} moved to {v3}: {note}; {kept}",
                    clauses + (scale_clauses if scaled_note else ()),
                )
            elif scaled_note:
                renamed = f" renamed to {v3} and" if v2 != v3 else ""
                self.emit(
                    CONVERTED,
                    dst,
                    src,
                    f"{v2} {_show(value)}{renamed} {scaled_note}",
                    (_cf3(v3), *scale_clauses),
                )

        self.product_mass(pcf, out, unit, amount)
        self.pcf_including(pcf, out)

    def product_mass(self, pcf: Mapping[Any, Any], out: dict[Any, Any], unit: Any, amount: Decimal | None) -> None:
        if "productMassPerDeclaredUnit" in pcf:
            return
        src = "/pcf/productMassPerDeclaredUnit"
        clauses = (_cf3("productMassPerDeclaredUnit"), _ADR36)
        if unit == "kilogram" and amount is not None:
            mass = _format_decimal(amount)
            self.put(out, "/pcf", "productMassPerDeclaredUnit", mass, "declaredUnit")
            self.emit(
                DEFAULTED,
                src,
                src,
                "productMassPerDeclaredUnit absent in v2 and required in v3; declaredUnit is "
                f"kilogram, so the mass of the declared unit ({mass} kilogram) is {mass} kg "
                "by definition",
                (*clauses, f"{_TS23}, CarbonFootprint.productMassPerDeclaredUnit"),
            )
        else:
            why = (
                "unitaryProductAmount is not a positive decimal"
                if unit == "kilogram"
                else f"the mass of one {unit} of product is not known from v2 data"
                if isinstance(unit, str)
                else f"declaredUnit {_show(unit)} is not a unit"
            )
            self.emit(
                MISSING,
                src,
                src,
                "productMassPerDeclaredUnit absent in v2 and required in v3; it cannot be "
                f"derived ({why}), so it is left absent",
                clauses,
            )

    def pcf_including(self, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
        if "pCfIncludingBiogenic" in pcf:
            return
        src = "/pcf/pCfIncludingBiogenic"
        dst = "/pcf/pcfIncludingBiogenicUptake"
        clauses = (_cf3("pcfIncludingBiogenicUptake"), _cf3("pcfExcludingBiogenicUptake"))
        excl = _parse_decimal(out.get("pcfExcludingBiogenicUptake"))
        uptake = _parse_decimal(out.get("biogenicCO2Uptake"))
        if excl is not None and uptake is not None:
            total = _format_decimal(_exact("+", excl, uptake))
            self.put(out, "/pcf", "pcfIncludingBiogenicUptake", total, "pCfIncludingBiogenic")
            self.emit(
                DERIVED,
                dst,
                src,
                "pCfIncludingBiogenic absent in v2 and pcfIncludingBiogenicUptake required in "
                "v3; derived by the v3 definition as pcfExcludingBiogenicUptake + "
                f"biogenicCO2Uptake (from pCfExcludingBiogenic and biogenicCarbonWithdrawal) "
                f"= {total}",
                clauses,
            )
        else:
            self.emit(
                MISSING,
                dst,
                src,
                "pCfIncludingBiogenic absent in v2 and pcfIncludingBiogenicUptake required in "
                "v3; it cannot be derived without both pCfExcludingBiogenic and "
                "biogenicCarbonWithdrawal as decimals, so it is left absent",
                clauses,
            )

    def characterization_factors(self, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
        clauses = (_cf3("ipccCharacterizationFactors"), _CHANGELOG)
        target = "ipccCharacterizationFactors"
        has_sources = "ipccCharacterizationFactorsSources" in pcf
        sources: Any = None
        if has_sources:
            sources = _clone(pcf["ipccCharacterizationFactorsSources"])
            self.put(out, "/pcf", target, sources, "ipccCharacterizationFactorsSources")
        if "characterizationFactors" not in pcf:
            return
        cf = pcf["characterizationFactors"]
        src = "/pcf/characterizationFactors"
        if not has_sources:
            if isinstance(cf, str):
                self.put(out, "/pcf", target, [cf], "characterizationFactors")
                self.emit(
                    CONVERTED,
                    _ptr("pcf", target, 0),
                    src,
                    f"characterizationFactors {_show(cf)} converted to ipccCharacterizationFactors [{_show(cf)}]",
                    clauses,
                )
            else:
                self.put(out, "/pcf", target, _clone(cf), "characterizationFactors")
                self.emit(
                    CONVERTED,
                    _ptr("pcf", target),
                    src,
                    f"characterizationFactors {_show(cf)} is not a string; copied unchanged "
                    "to ipccCharacterizationFactors",
                    clauses,
                )
            return
        if not isinstance(sources, list) or not isinstance(cf, str):
            why = (
                "ipccCharacterizationFactorsSources is not an array"
                if not isinstance(sources, list)
                else "it is not a string"
            )
            self.emit(
                DROPPED,
                "/pcf",
                src,
                f"characterizationFactors {_show(cf)} dropped: {why}, so it could not be "
                "merged into ipccCharacterizationFactors",
                clauses,
            )
            return
        if cf in sources:
            self.emit(
                MERGED,
                _ptr("pcf", target, sources.index(cf)),
                src,
                f"characterizationFactors {_show(cf)} is already listed in "
                "ipccCharacterizationFactorsSources (now ipccCharacterizationFactors); merged",
                clauses,
            )
            return
        sources.append(cf)
        self.emit(
            MERGED,
            _ptr("pcf", target, len(sources) - 1),
            src,
            f"characterizationFactors {_show(cf)} (the earliest IPCC report used) was not "
            "listed in ipccCharacterizationFactorsSources; added to ipccCharacterizationFactors",
            clauses,
        )

    def cross_sectoral_standards(self, pcf: Mapping[Any, Any], out: dict[Any, Any]) -> None:
        clauses = (_cf3("crossSectoralStandards"), _ADR32, _CHANGELOG)
        target = "crossSectoralStandards"
        has_new = target in pcf
        has_old = "crossSectoralStandardsUsed" in pcf
        if not has_new and not has_old:
            return
        new = pcf.get(target)
        old = pcf.get("crossSectoralStandardsUsed")

        if has_new and not isinstance(new, list | tuple):
            self.put(out, "/pcf", target, _clone(new), target)
            if has_old:
                self.emit(
                    DROPPED,
                    "/pcf",
                    "/pcf/crossSectoralStandardsUsed",
                    f"crossSectoralStandardsUsed {_show(old)} dropped: crossSectoralStandards "
                    "is not an array, so it could not be merged into it",
                    clauses,
                )
            return
        if not has_new and not isinstance(old, list | tuple):
            self.put(out, "/pcf", target, _clone(old), "crossSectoralStandardsUsed")
            self.emit(
                MERGED,
                _ptr("pcf", target),
                "/pcf/crossSectoralStandardsUsed",
                f"crossSectoralStandardsUsed {_show(old)} is not an array; copied unchanged to crossSectoralStandards",
                clauses,
            )
            return

        result: list[Any] = []
        self.put(out, "/pcf", target, result, target if has_new else "crossSectoralStandardsUsed")
        groups: list[tuple[str, Any]] = []
        if has_new:
            groups.append((target, new))
        if has_old:
            groups.append(("crossSectoralStandardsUsed", old))
        for name, values in groups:
            if not isinstance(values, list | tuple):
                self.emit(
                    DROPPED,
                    "/pcf",
                    _ptr("pcf", name),
                    f"{name} {_show(values)} dropped: it is not an array, so it could not be "
                    "merged into crossSectoralStandards",
                    clauses,
                )
                continue
            if not values and name != target:
                self.emit(
                    MERGED,
                    _ptr("pcf", target),
                    _ptr("pcf", name),
                    f"{name} is an empty array; merged into crossSectoralStandards (it adds no value)",
                    clauses,
                )
            for i, value in enumerate(values):
                src = _ptr("pcf", name, i)
                mapped = _map_standard(value) if isinstance(value, str) else _clone(value)
                label = f"{name}[{i}] {_show(value)}"
                found = _json_index(result, mapped)
                if found is not None:
                    same = "" if _json_key(mapped) == _json_key(value) else f" is {_show(mapped)},"
                    self.emit(
                        MERGED,
                        _ptr("pcf", target, found),
                        src,
                        f"{label}{same} already listed in crossSectoralStandards; merged",
                        clauses,
                    )
                    continue
                result.append(mapped)
                dst = _ptr("pcf", target, len(result) - 1)
                if name == target and len(result) - 1 != i and _json_key(mapped) == _json_key(value):
                    self.emit(
                        MERGED,
                        dst,
                        src,
                        f"{label} moved to position {len(result) - 1} of crossSectoralStandards "
                        "after duplicates before it were merged",
                        clauses,
                    )
                    continue
                if mapped != value:
                    self.emit(
                        CONVERTED,
                        dst,
                        src,
                        f"{label} converted to the v3 spelling {_show(mapped)} in crossSectoralStandards",
                        clauses,
                    )
                elif name != target:
                    self.emit(
                        MERGED,
                        dst,
                        src,
                        f"{label} moved into crossSectoralStandards; value kept",
                        clauses,
                    )

    def dqi(self, dqi: Any, out: dict[Any, Any]) -> None:
        if not isinstance(dqi, Mapping):
            self.put(out, "/pcf", "dqi", _clone(dqi), "dqi")
            return
        new: dict[Any, Any] = {}
        for key in _DQI_KEEP:
            if key not in dqi:
                continue
            value = dqi[key]
            text = _number_to_decimal(value)
            new[key] = text if text is not None else _clone(value)
            self.emit(
                REMAPPED,
                _ptr("pcf", "dqi", key),
                _ptr("pcf", "dqi", key),
                f"dqi.{key} {_show(value)} kept as {_show(new[key])}, but it is a rating on "
                "the v2 scale of 1 to 3 while v3 rates on a scale of 1 to 5; PACT defines no "
                "conversion, so the rating is not comparable with native v3 ratings",
                (f"{_TS3}, DataQualityIndicators.{key}", _ADR39, _CHANGELOG),
            )
        kept = [k for k in dqi if k not in _DQI_KEEP and k not in _DQI_DROP]
        empty_after = not new and not kept and len(dqi) > 0
        for key in _DQI_DROP:
            if key in dqi:
                self.emit(
                    DROPPED,
                    "/pcf" if empty_after else "/pcf/dqi",
                    _ptr("pcf", "dqi", key),
                    f"dqi.{key} {_show(dqi[key])} dropped: removed from DataQualityIndicators in PACT v3",
                    (f"{_TS3}, DataQualityIndicators", _CHANGELOG),
                )
        if empty_after:
            # Every v2 indicator was dropped: an empty v3 dqi would only add errors.
            return
        self.put(out, "/pcf", "dqi", new, "dqi")
        for key in kept:
            new[key] = _clone(dqi[key])
            self.extra_finding(key, "/pcf/dqi", "dqi.", V3_DQI_FIELDS)
        out["dqi"] = _ordered(new, V3_DQI_FIELDS)

    def assurance(self, assurance: Any, out: dict[Any, Any]) -> None:
        clauses = (f"{_TS3}, CarbonFootprint.verification", f"{_TS3}, Verification", _ADR44)
        if not isinstance(assurance, Mapping):
            self.put(out, "/pcf", "verification", _clone(assurance), "assurance")
            return
        if assurance.get("assurance") is False:
            self.emit(
                DROPPED,
                "/pcf",
                "/pcf/assurance",
                f"assurance {_show(assurance)} dropped: its assurance flag is false (the "
                "footprint was not assured), and v3 states that by omitting verification",
                (*clauses, _CHANGELOG),
            )
            return
        new: dict[Any, Any] = {}
        for key in _ASSURANCE_COPY:
            if key in assurance:
                new[key] = _clone(assurance[key])
        if "assurance" in assurance:
            self.emit(
                DROPPED,
                "/pcf/verification",
                "/pcf/assurance/assurance",
                f"assurance.assurance {_show(assurance['assurance'])} dropped: v3 has no "
                "assurance flag; the presence of verification states it",
                clauses,
            )
        if "coverage" in assurance:
            self.coverage(assurance["coverage"], new, clauses)
        for key, reason in _ASSURANCE_DROP.items():
            if key in assurance:
                self.emit(
                    DROPPED,
                    "/pcf/verification",
                    _ptr("pcf", "assurance", key),
                    f"assurance.{key} {_show(assurance[key])} dropped: {reason}",
                    clauses,
                )
        known = {"assurance", "coverage", *_ASSURANCE_COPY, *_ASSURANCE_DROP}
        for key in assurance:
            if key not in known:
                new[key] = _clone(assurance[key])
                self.extra_finding(key, "/pcf/verification", "assurance.", V3_VERIFICATION_FIELDS)
        self.put(out, "/pcf", "verification", _ordered(new, V3_VERIFICATION_FIELDS), "assurance")

    def coverage(self, value: Any, new: dict[Any, Any], clauses: tuple[str, ...]) -> None:
        src = "/pcf/assurance/coverage"
        if not isinstance(value, str) or value not in _COVERAGE:
            new["coverage"] = _clone(value)  # malformed: left for v3 validation
            return
        mapped = _COVERAGE[value]
        if mapped is None:
            self.emit(
                DROPPED,
                "/pcf/verification",
                src,
                f"assurance.coverage {_show(value)} dropped: v3 Verification.coverage has no "
                "equivalent (only PCF calculation model, PCF program, product level)",
                clauses,
            )
            return
        new["coverage"] = mapped
        if mapped != value:
            self.emit(
                CONVERTED,
                "/pcf/verification/coverage",
                src,
                f"assurance.coverage {_show(value)} converted to {_show(mapped)}: PACT gives "
                "no official mapping of coverage values; a v2 PCF system is taken to be the "
                "v3 PCF calculation model",
                clauses,
            )

    # -- properties that are not PACT v2 fields ------------------------------------------
    def extras(
        self,
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
            src = source_where + _ptr(key)
            value = source[key]
            if key in out:
                origin = self.produced.get((where, key), "another field")
                if out[key] == value:
                    self.emit(
                        MERGED,
                        where + _ptr(key),
                        src,
                        f"{_name(key)} is not a PACT v2 field; its value equals the one "
                        f"mapped from {origin}, so it is kept once",
                        (_v3_clause(where, key),),
                    )
                else:
                    self.emit(
                        DROPPED,
                        where or "",
                        src,
                        f"{_name(key)} {_show(value)} is not a PACT v2 field and conflicts "
                        f"with the value mapped from {origin}; the mapped value is kept and "
                        "this one dropped",
                        (_v3_clause(where, key),),
                    )
                continue
            out[key] = _clone(value)
            self.extra_finding(key, where, "", v3_fields, src)

    def extra_finding(
        self,
        key: Any,
        where: str,
        label_prefix: str,
        v3_fields: tuple[str, ...],
        src: str | None = None,
    ) -> None:
        path = where + _ptr(key)
        if src is None:
            # nested objects keep their v2 location: /pcf/dqi/x or /pcf/assurance/x
            src = path.replace("/pcf/verification/", "/pcf/assurance/", 1)
        clauses: tuple[str, ...] = ()
        if key in v3_fields:
            message = (
                f"{label_prefix}{_name(key)} is not a PACT v2 field but is defined in PACT v3; "
                "kept unchanged and now read with its v3 meaning"
            )
            clauses = (_v3_clause(where, key),)
        else:
            message = (
                f"{label_prefix}{_name(key)} is not a PACT v2 or v3 field; kept unchanged as an additional property"
            )
        self.emit(EXTRA, path, src, message, clauses)


def _json_key(value: Any) -> str:
    """JSON identity: ``False``, ``0`` and ``0.0`` are different values here, unlike in Python."""
    return json.dumps(value, sort_keys=True)


def _json_index(values: list[Any], value: Any) -> int | None:
    key = _json_key(value)
    return next((i for i, v in enumerate(values) if _json_key(v) == key), None)
