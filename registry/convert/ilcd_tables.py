"""Reference identifiers of the ILCD+EPD format: namespaces, indicator, compliance and flow
property UUIDs, and what they map to.

Sources: InDataWG/ILCD-EPD-Data-Format ``doc/identifiers/*.csv`` (EN15804+A2_EF3.0_indicators,
EN15804+A2_EF3.1_indicators, EN15804+A1_indicators, Country-specific_indicators,
Common_references, Flow_properties_and_unit_groups), checked against the repository text.
Facts not checked against a source carry ``[unchecked]`` in their note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --- namespaces (match on URI, never on prefix) -------------------------------------------
PROCESS: Final = "http://lca.jrc.it/ILCD/Process"
COMMON: Final = "http://lca.jrc.it/ILCD/Common"
FLOW: Final = "http://lca.jrc.it/ILCD/Flow"
EPD: Final = "http://www.iai.kit.edu/EPD/2013"
EPD2: Final = "http://www.indata.network/EPD/2019"
EPD24: Final = "http://www.indata.network/EPD/2024"
XML: Final = "http://www.w3.org/XML/1998/namespace"

# Prefixes used in source paths (XPaths) of findings; the process namespace is unprefixed.
PROCESS_PREFIXES: Final = {PROCESS: "", COMMON: "common", EPD: "epd", EPD2: "epd2", EPD24: "epd24", FLOW: "f"}
FLOW_PREFIXES: Final = {FLOW: "", COMMON: "common", EPD: "epd", PROCESS: "process"}

# --- GWP indicators ------------------------------------------------------------------------
TOTAL, FOSSIL, BIOGENIC, LULUC, GHG = "total", "fossil", "biogenic", "luluc", "ghg"
KIND_LABEL: Final = {
    TOTAL: "GWP-total",
    FOSSIL: "GWP-fossil",
    BIOGENIC: "GWP-biogenic",
    LULUC: "GWP-luluc",
    GHG: "GWP-GHG (GWP-IOBC/GHG)",
}

EF30, EF31, A1, BY_NAME = "EN 15804+A2 (EF 3.0)", "EN 15804+A2 (EF 3.1)", "EN 15804+A1", "named only"
SET_PREFERENCE: Final = (EF31, EF30, BY_NAME, A1)  # which set feeds the declaration when several are present


def label(indicator_set: str | None, kind: str) -> str:
    """The indicator's name in messages; EN 15804+A1's single GWP takes the place of GWP-total."""
    return "GWP (EN 15804+A1)" if indicator_set == A1 and kind == TOTAL else KIND_LABEL[kind]


@dataclass(frozen=True)
class IndicatorId:
    indicator_set: str
    kind: str


GWP_INDICATORS: Final = {
    "6a37f984-a4b3-458a-a20a-64418c145fa2": IndicatorId(EF30, TOTAL),
    "5f635281-343e-44fb-83df-1971b155e6b6": IndicatorId(EF30, FOSSIL),
    "2356e1ab-0185-4db5-86e5-16de51c7485c": IndicatorId(EF30, BIOGENIC),
    "4331bbdb-978a-490d-8707-eeb047f01a55": IndicatorId(EF30, LULUC),
    "fb774615-0575-45de-9a89-1ded92f19770": IndicatorId(EF30, GHG),
    "a7ea142a-9749-11ed-a8fc-0242ac120002": IndicatorId(EF31, TOTAL),
    "a7ea19c0-9749-11ed-a8fc-0242ac120002": IndicatorId(EF31, FOSSIL),
    "a7ea186c-9749-11ed-a8fc-0242ac120002": IndicatorId(EF31, BIOGENIC),
    "a7ea1ae2-9749-11ed-a8fc-0242ac120002": IndicatorId(EF31, LULUC),
    "e03c018f-8526-44bc-b5e4-bc03c3ab32f3": IndicatorId(EF31, GHG),
    # EN 15804+A1 has one GWP indicator; it takes the place of GWP-total.
    "77e416eb-a363-4258-a04e-171d843a6460": IndicatorId(A1, TOTAL),
}

KG_CO2_EQ_UNIT_GROUP: Final = "1ebf3012-d0db-4de2-aefd-ef30cedb0be1"

# IPCC report behind each indicator set's GWP100 factors.
IPCC_REPORTS: Final = {
    EF30: ("AR5", "EF 3.0 climate change uses the IPCC 2013 (AR5) baseline model"),
    EF31: ("AR6", "EF 3.1 updated the climate change factors to IPCC AR6 [unchecked]"),
}

# --- compliance systems (Common_references.csv) -----------------------------------------------
COMPLIANCE: Final = {
    "b00f9ec0-7874-11e3-981f-0800200c9a66": "EN 15804+A1",
    "c0016b33-8cf7-415c-ac6e-deba0d21440d": "EN 15804+A2",
    "d4aa3ec7-b1d7-4a4a-a6cb-37af88dcc902": "EN 15804+A2",
    "4f2eb655-6e44-4874-a95a-e28f5442cd4d": "ISO 14025",
    "9c1e8451-2321-4498-b459-b6568b6b6547": "ISO 21930",
}

# --- flow properties (Flow_properties_and_unit_groups.csv): reference unit -> PACT unit ------
MASS: Final = "93a60a56-a3c8-11da-a746-0800200b9a66"
BIOGENIC_CARBON: Final = "62e503ce-544a-4599-b2ad-bcea15a7bf20"
PACKAGING_BIOGENIC_CARBON: Final = "262a541b-209e-44cc-a426-33bce30de7b1"


@dataclass(frozen=True)
class FlowPropertyId:
    name: str
    unit: str  # ILCD reference unit of the property's unit group
    pact_unit: str | None  # PACT v3 declaredUnitOfMeasurement, None when PACT has none


FLOW_PROPERTIES: Final = {
    MASS: FlowPropertyId("Mass", "kg", "kilogram"),
    "93a60a56-a3c8-22da-a746-0800200c9a66": FlowPropertyId("Volume", "m3", "cubic meter"),
    "93a60a56-a3c8-19da-a746-0800200c9a66": FlowPropertyId("Area", "m2", "square meter"),
    "838aaa23-0117-11db-92e3-0800200c9a66": FlowPropertyId("Length", "m", None),
    "01846770-4cfe-4a25-8ad9-919d8d378345": FlowPropertyId("Number of items", "Item(s)", "piece"),
    "93a60a56-a3c8-14da-a746-0800200c9a66": FlowPropertyId("Gross calorific value", "MJ", "megajoule"),
    "93a60a56-a3c8-11da-a746-0800200c9a66": FlowPropertyId("Net calorific value", "MJ", "megajoule"),
    "838aaa20-0117-11db-92e3-0800200c9a66": FlowPropertyId("Goods transport (mass*distance)", "t*km", "ton kilometer"),
    BIOGENIC_CARBON: FlowPropertyId("Carbon content (biogenic)", "kg", None),
    PACKAGING_BIOGENIC_CARBON: FlowPropertyId("Carbon content (biogenic) - packaging", "kg", None),
}

# --- EN 15804 modules ----------------------------------------------------------------------------
MODULES: Final = (
    "A1", "A2", "A3", "A1-A3", "A4", "A5",
    "B1", "B2", "B3", "B4", "B5", "B6", "B7",
    "C1", "C2", "C3", "C4", "D",
)  # fmt: skip
PRODUCT_STAGE: Final = ("A1", "A2", "A3")
GRAVE_MODULES: Final = ("A4", "A5", "B1", "B2", "B3", "B4", "B5", "B6", "B7", "C1", "C2", "C3", "C4")

# --- ILCD location codes that name a PACT region [unchecked] ------------------------------------
REGIONS: Final = {"RER": "Europe"}
