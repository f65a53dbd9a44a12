"""The tables of the PACT v3 -> v2.3 export: rule ids, citations, and what becomes of each v3 field.

Kept in step with ``docs/convert.md``.
"""

from __future__ import annotations

import re
from typing import Final

V2_SPEC_VERSION: Final = "2.3.0"
V2_SCHEMA_ID: Final = "https://pcf-registry.org/schemas/pact/pact-productfootprint-v2.3.schema.json"

V3_EXTENSION_DROPPED: Final = "convert.pact-v3.extension-dropped"
_V2: Final = "convert.pact-v2."
CONVERTED, REMAPPED, MERGED, DROPPED = (_V2 + k for k in ("converted", "remapped", "merged", "dropped"))
DEFAULTED, DERIVED, MISSING, UNSCALED, EXTRA = (
    _V2 + k for k in ("defaulted", "derived", "missing", "unscaled", "extra")
)
EXTENSION_DROPPED: Final = _V2 + "extension-dropped"
V2_RULE_IDS: Final = (
    CONVERTED,
    REMAPPED,
    MERGED,
    DROPPED,
    DEFAULTED,
    DERIVED,
    MISSING,
    UNSCALED,
    EXTRA,
    EXTENSION_DROPPED,
)

TS3 = "PACT Tech Specs v3.0"
TS23 = "PACT Tech Specs v2.3"
CHANGELOG = f"{TS3}, Appendix A (Changelog, version 3.0.0)"
ADR36 = "PACT ADR-36 (clarify product amount)"
ADR44 = "PACT ADR-44 (remove assurance flag)"
ADR45 = "PACT ADR-45 (biogenic attributes)"
EXT_CLAUSE = f"{TS3}, DataModelExtension"

# --- field tables (v3 -> v2.3) ------------------------------------------------------------
V2_ROOT_ORDER: Final = (
    "id", "specVersion", "precedingPfIds", "version", "created", "updated", "status", "statusComment",
    "validityPeriodStart", "validityPeriodEnd", "companyName", "companyIds", "productDescription", "productIds",
    "productClassifications", "productCategoryCpc", "productNameCompany", "comment", "pcf", "extensions",
)  # fmt: skip
V2_PCF_ORDER: Final = (
    "declaredUnit", "unitaryProductAmount", "productMassPerDeclaredUnit", "pCfExcludingBiogenic",
    "pCfIncludingBiogenic", "fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent", "dLucGhgEmissions",
    "landManagementGhgEmissions", "otherBiogenicGhgEmissions", "iLucGhgEmissions", "biogenicCarbonWithdrawal",
    "aircraftGhgEmissions", "packagingEmissionsIncluded", "packagingGhgEmissions", "characterizationFactors",
    "ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed", "crossSectoralStandards",
    "productOrSectorSpecificRules", "biogenicAccountingMethodology", "boundaryProcessesDescription",
    "referencePeriodStart", "referencePeriodEnd", "geographyRegionOrSubregion", "geographyCountry",
    "geographyCountrySubdivision", "secondaryEmissionFactorSources", "exemptedEmissionsPercent",
    "exemptedEmissionsDescription", "allocationRulesDescription", "uncertaintyAssessmentDescription",
    "primaryDataShare", "dqi", "assurance",
)  # fmt: skip

ROOT_COPY: Final = (
    "id", "precedingPfIds", "created", "status", "validityPeriodStart", "validityPeriodEnd",
    "companyName", "companyIds", "productDescription", "productIds", "productNameCompany",
)  # fmt: skip
PCF_COPY: Final = (
    "referencePeriodStart", "referencePeriodEnd", "geographyRegionOrSubregion", "geographyCountry",
    "geographyCountrySubdivision", "productOrSectorSpecificRules", "allocationRulesDescription",
    "secondaryEmissionFactorSources",
)  # fmt: skip
# Strings v2.3 requires and v3 made optional: "" when absent (an empty statement, not an invented one).
ROOT_EMPTY_DEFAULT: Final = ("comment",)
PCF_EMPTY_DEFAULT: Final = ("boundaryProcessesDescription", "exemptedEmissionsDescription")

# Quantities per declared unit, v3 name -> v2 name (inverse of the upgrade's table, pact_upgrade/tables.py).
PER_UNIT: Final = {
    "productMassPerDeclaredUnit": "productMassPerDeclaredUnit",
    "pcfExcludingBiogenicUptake": "pCfExcludingBiogenic",
    "pcfIncludingBiogenicUptake": "pCfIncludingBiogenic",
    "fossilGhgEmissions": "fossilGhgEmissions",
    "fossilCarbonContent": "fossilCarbonContent",
    "biogenicCarbonContent": "biogenicCarbonContent",
    "landUseChangeGhgEmissions": "dLucGhgEmissions",
    "landCarbonLeakage": "iLucGhgEmissions",
    "biogenicNonCO2Emissions": "otherBiogenicGhgEmissions",
    "biogenicCO2Uptake": "biogenicCarbonWithdrawal",
    "aircraftGhgEmissions": "aircraftGhgEmissions",
    "packagingGhgEmissions": "packagingGhgEmissions",
}
REMAPPED_NOTES: Final = {
    "landCarbonLeakage": "v3's placeholder for indirect land use change is not defined identically to v2 iLUC",
    "biogenicNonCO2Emissions": "v3 counts biogenic non-CO2 (CH4) emissions only, v2 all other biogenic GHG emissions",
}
LAND_MANAGEMENT: Final = (
    "landManagementFossilGhgEmissions",
    "landManagementBiogenicCO2Emissions",
    "landManagementBiogenicCO2Removals",
)
NUMBERS: Final = ("exemptedEmissionsPercent", "primaryDataShare")
# v3 CarbonFootprint fields with no v2.3 home.
V3_ONLY: Final = (
    "recycledCarbonContent", "landAreaOccupation", "packagingBiogenicCarbonContent", "outboundLogisticsGhgEmissions",
    "ccsTechnologicalCO2CaptureIncluded", "ccsTechnologicalCO2Capture", "technologicalCO2CaptureOrigin",
    "technologicalCO2Removals", "ccuCarbonContent", "ccuCalculationApproach", "ccuCreditCertification",
)  # fmt: skip

V2_UNITS: Final = ("liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter")
V23_STANDARDS: Final = (
    "ISO14067",
    "ISO14083",
    "ISO14040-44",
    "GHGP-Product",
    "PEF",
    "PACT-1.0",
    "PACT-2.0",
    "PACT-3.0",
)
STANDARDS_USED: Final = {  # v3 spelling -> v2.0-2.2 crossSectoralStandardsUsed value
    "GHGP-Product": "GHG Protocol Product standard",
    "ISO14067": "ISO Standard 14067",
    "ISO14040-44": "ISO Standard 14044",
}
COVERAGE: Final[dict[str, str | None]] = {
    "product level": "product level",
    "PCF calculation model": "PCF system",
    "PCF program": None,
}
VERIFICATION_COPY: Final = ("providerName", "completedAt", "standardName", "comments")

CPC_URN = re.compile(r"^urn:cpc:(\d{1,5})$", re.IGNORECASE)
CPC_OTHER_URN = re.compile(r"^urn:pact:productclassification:un-cpc:(\d{1,5})$", re.IGNORECASE)
CPC_CODE = re.compile(r"^\d{1,5}$")
AR = re.compile(r"^AR(\d{1,3})$")
