"""The tables of the PACT v2 -> v3 upgrade: rule ids, citations, and what becomes of each v2 field.

Kept in step with ``docs/pact-v2-to-v3-mapping.md``.
"""

from __future__ import annotations

import re
from typing import Final

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
NULL_OPTIONAL: Final = "pact.upgrade.null"  # an optional v2 property set to null: read as absent

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
    NULL_OPTIONAL,
)

# --- citations ------------------------------------------------------------------------
TS3 = "PACT Tech Specs v3.0"
TS23 = "PACT Tech Specs v2.3"
CHANGELOG = f"{TS3}, Appendix A (Changelog, version 3.0.0)"
LIFECYCLE = f"{TS3}, Product Footprint Lifecycle"
ADR32 = "PACT ADR-32 (cross-sectoral standards)"
ADR36 = "PACT ADR-36 (clarify product amount)"
ADR37 = "PACT ADR-37 (replace productCategoryCpc with productClassifications)"
ADR39 = "PACT ADR-39 (consistent typing of real numbers)"
ADR41 = "PACT ADR-41 (version simplification)"
ADR44 = "PACT ADR-44 (remove assurance flag)"
ADR45 = "PACT ADR-45 (biogenic attributes)"


def pf3(name: str) -> str:
    return f"{TS3}, ProductFootprint.{name}"


def cf3(name: str) -> str:
    return f"{TS3}, CarbonFootprint.{name}"


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
ROOT_COPY: Final = (
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
ROOT_DROP: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "version": (
        "PACT v3 has no in-place versioning: any change gives a new id",
        (LIFECYCLE, ADR41, CHANGELOG),
    ),
    "updated": (
        "PACT v3 footprints are immutable and carry no update timestamp",
        (LIFECYCLE, ADR41, CHANGELOG),
    ),
    "statusComment": (
        "statusComment is obsolete in PACT v3",
        (LIFECYCLE, CHANGELOG),
    ),
}

# CarbonFootprint fields that carry over unchanged (same name, same value).
PCF_COPY: Final = (
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
PCF_RENAME: Final = {
    "declaredUnit": "declaredUnitOfMeasurement",
    "unitaryProductAmount": "declaredUnitAmount",
}

# Quantities per declared unit: v2 name -> v3 name. The value is kept, except that it is
# rescaled from "per 1 declaredUnit" (v2) to "per declaredUnitAmount x
# declaredUnitOfMeasurement" (v3) when unitaryProductAmount is not 1 (ADR-36).
PCF_PER_UNIT: Final = {
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
PCF_REMAPPED: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "iLucGhgEmissions": (
        "v3 has no iLUC field; landCarbonLeakage is its placeholder for indirect land use "
        "change outside the value chain and is not defined identically",
        (cf3("landCarbonLeakage"), ADR45, CHANGELOG),
    ),
    "otherBiogenicGhgEmissions": (
        "v2 counted all other biogenic GHG emissions here, v3 biogenicNonCO2Emissions "
        "counts biogenic non-CO2 (CH4) emissions only",
        (cf3("biogenicNonCO2Emissions"), ADR45, CHANGELOG),
    ),
}

# JSON numbers in v2 that are decimal strings in v3 (ADR-39).
PCF_NUMBER: Final = ("exemptedEmissionsPercent", "primaryDataShare")

# CarbonFootprint fields removed in v3: name -> (reason, clauses).
PCF_DROP: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "landManagementGhgEmissions": (
        "v3 splits land management into landManagementFossilGhgEmissions, "
        "landManagementBiogenicCO2Emissions and landManagementBiogenicCO2Removals, "
        "and a net v2 value cannot be split",
        (
            cf3("landManagementFossilGhgEmissions"),
            cf3("landManagementBiogenicCO2Emissions"),
            cf3("landManagementBiogenicCO2Removals"),
            ADR45,
            CHANGELOG,
        ),
    ),
    "biogenicAccountingMethodology": (
        "removed in PACT v3 (the method is stated through crossSectoralStandards or comment)",
        (CHANGELOG,),
    ),
    "uncertaintyAssessmentDescription": (
        "removed in PACT v3",
        (CHANGELOG,),
    ),
}

# Dropped quantities per declared unit (messages say which declared unit they refer to).
PCF_DROP_PER_UNIT: Final = frozenset({"landManagementGhgEmissions"})

DQI_KEEP: Final = ("technologicalDQR", "temporalDQR", "geographicalDQR")
DQI_DROP: Final = ("coveragePercent", "completenessDQR", "reliabilityDQR")

ASSURANCE_COPY: Final = ("providerName", "completedAt", "standardName", "comments")
ASSURANCE_DROP: Final[dict[str, str]] = {
    "level": "v3 Verification has no level of assurance",
    "boundary": "v3 Verification has no assurance boundary",
}
# Assurance.coverage (v2) -> Verification.coverage (v3); None: no v3 equivalent.
COVERAGE: Final[dict[str, str | None]] = {
    "product level": "product level",
    "PCF system": "PCF calculation model",
    "corporate level": None,
    "product line": None,
}

V2_ROOT_KNOWN: Final = frozenset(
    (*ROOT_COPY, *ROOT_DROP, "specVersion", "productCategoryCpc", "productClassifications", "pcf")
)
V2_PCF_KNOWN: Final = frozenset(
    (
        *PCF_COPY,
        *PCF_RENAME,
        *PCF_PER_UNIT,
        *PCF_NUMBER,
        *PCF_DROP,
        "characterizationFactors",
        "ipccCharacterizationFactorsSources",
        "crossSectoralStandardsUsed",
        "crossSectoralStandards",
        "dqi",
        "assurance",
    )
)

# Cross-sectoral standards: v2 spellings (2.0-2.2 enum, 2.3 prose, ADR-32 drafts) -> v3.
V3_STANDARDS: Final = (
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
STANDARD_SPELLINGS: Final[dict[str, str]] = {
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
PACT_STANDARD = re.compile(r"^(?:pact|pathfinder)(?:[ -](?:methodology|framework))?[ -]?v?(\d{1,3})(?:\.(\d{1,3}))?$")

SPEC_VERSION = re.compile(r"^(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?(?:-[0-9A-Za-z.-]+)?$")
V2_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
CPC_CODE = re.compile(r"^\d{1,5}$")
