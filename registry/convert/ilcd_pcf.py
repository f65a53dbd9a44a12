"""ILCD+EPD to PACT v3: the CarbonFootprint (``pcf``) fields.

Part of :mod:`registry.convert.ilcd`; the mapping is documented in ``docs/ilcd-mapping.md``.
Totals are cradle-to-gate: modules A1-A3 (or A1 + A2 + A3).
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import Any, Final

from registry.convert.ilcd_findings import (
    CONVERTED,
    DEFAULTED,
    DERIVED,
    DOUBT,
    DROPPED,
    EN15804,
    MISSING,
    REMAPPED,
    Notes,
    cf,
)
from registry.convert.ilcd_modules import GwpTable, ModuleValue
from registry.convert.ilcd_read import Flow, Process, Ref, plain_decimal, to_decimal
from registry.convert.ilcd_tables import (
    BIOGENIC_CARBON,
    COMPLIANCE,
    FLOW_PROPERTIES,
    FOSSIL,
    GHG,
    IPCC_REPORTS,
    LULUC,
    MASS,
    PACKAGING_BIOGENIC_CARBON,
    PRODUCT_STAGE,
    REGIONS,
    TOTAL,
)
from registry.convert.ilcd_unit import DeclaredUnit

__all__ = ["carbon_footprint"]

_YEAR: Final = re.compile(r"^[0-9]{4}$")
_SUBDIVISION: Final = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


def carbon_footprint(
    proc: Process, flow: Flow | None, unit: DeclaredUnit, gwp: GwpTable, notes: Notes
) -> dict[str, Any]:
    """The ``pcf`` object: declared unit, flow properties, period, geography, A1-A3 totals, standards."""
    out: dict[str, Any] = {}
    _unit(out, proc, unit, notes)
    _flow_properties(out, proc, flow, unit, notes)
    _reference_period(out, proc, notes)
    _geography(out, proc, notes)
    _totals(out, proc, gwp, notes)
    notes.add(
        MISSING,
        "/pcf/fossilCarbonContent",
        proc.root_xpath,
        "ILCD+EPD has no fossil carbon content: left absent",
        cf("fossilCarbonContent"),
    )
    _ipcc(out, proc, gwp, notes)
    _standards(out, proc, notes)
    _rules(out, proc, notes)
    notes.add(
        MISSING,
        "/pcf/exemptedEmissionsPercent",
        proc.root_xpath,
        "ILCD+EPD states no exempted share of emissions (cut-off is described in text, if at all): left absent",
        cf("exemptedEmissionsPercent"),
    )
    return out


def _unit(out: dict[str, Any], proc: Process, unit: DeclaredUnit, notes: Notes) -> None:
    out["declaredUnitOfMeasurement"] = unit.unit
    out["declaredUnitAmount"] = unit.amount
    clause = cf("declaredUnitOfMeasurement")
    if unit.reference is None:
        notes.warn(
            DEFAULTED,
            "/pcf/declaredUnitOfMeasurement",
            proc.reference_flow.xpath,
            f"declared unit {unit.unit} as stated by the caller, not read from the files (no flow data set): "
            "check it against the EPD",
            clause,
        )
        return
    known = FLOW_PROPERTIES.get(unit.reference.ref.uuid or "")
    name = known.name if known else unit.reference.ref.name or unit.reference.ref.uuid
    if unit.stated:
        notes.warn(
            DEFAULTED,
            "/pcf/declaredUnitOfMeasurement",
            unit.reference.ref.xpath,
            f"the flow's reference flow property {name} has no PACT unit; {unit.unit} as stated by the caller, "
            "not read from the files: check it against the EPD",
            clause,
        )
    else:
        notes.add(
            CONVERTED,
            "/pcf/declaredUnitOfMeasurement",
            unit.reference.ref.xpath,
            f"reference flow property {name} (reference unit {known.unit if known else '?'}) is {unit.unit}",
            clause,
        )
    if unit.reference_value != 1:
        _amount_steps(proc, unit, notes)


def _amount_steps(proc: Process, unit: DeclaredUnit, notes: Notes) -> None:
    """The declared amount = meanAmount x meanValue, one finding per step."""
    assert unit.reference is not None
    mean = unit.reference.mean_value
    clause = cf("declaredUnitAmount")
    path = "/pcf/declaredUnitAmount"
    notes.add(
        DERIVED,
        path,
        proc.reference_amount.xpath,
        f"step 1: the reference exchange's meanAmount {unit.mean_amount_text} counts units of the reference flow",
        clause,
    )
    notes.add(
        DERIVED,
        path,
        mean.xpath if mean else unit.reference.ref.xpath,
        f"step 2: one unit of the reference flow is {mean.text if mean else '1'} of its reference flow property "
        f"(meanValue), in {unit.unit}",
        clause,
    )
    notes.add(
        DERIVED,
        path,
        proc.reference_amount.xpath,
        f"step 3: declared amount = meanAmount x meanValue = {unit.mean_amount_text} x "
        f"{mean.text if mean else '1'} = {unit.amount} {unit.unit} (exact)",
        clause,
    )


def _flow_properties(out: dict[str, Any], proc: Process, flow: Flow | None, unit: DeclaredUnit, notes: Notes) -> None:
    if unit.unit == "kilogram":
        out["productMassPerDeclaredUnit"] = unit.amount
        notes.add(
            DERIVED,
            "/pcf/productMassPerDeclaredUnit",
            proc.reference_amount.xpath,
            "the declared unit is a mass: product mass per declared unit is the declared amount",
            cf("productMassPerDeclaredUnit"),
        )
    targets = (
        (MASS, "productMassPerDeclaredUnit"),
        (BIOGENIC_CARBON, "biogenicCarbonContent"),
        (PACKAGING_BIOGENIC_CARBON, "packagingBiogenicCarbonContent"),
    )
    for prop_uuid, field in targets:
        if field not in out:
            _property(out, field, prop_uuid, flow, unit, notes)
    if "productMassPerDeclaredUnit" not in out:
        where = flow.root_xpath if flow else proc.reference_flow.xpath
        notes.add(
            MISSING,
            "/pcf/productMassPerDeclaredUnit",
            where,
            "no mass flow property for the reference flow: left absent",
            cf("productMassPerDeclaredUnit"),
        )


def _property(
    out: dict[str, Any], field: str, prop_uuid: str, flow: Flow | None, unit: DeclaredUnit, notes: Notes
) -> None:
    prop = next((p for p in flow.properties if p.ref.uuid == prop_uuid), None) if flow else None
    if prop is None or prop.mean_value is None:
        return
    per_unit = to_decimal(prop.mean_value, source=flow.source if flow else "", what=f"flowProperty {field}")
    if unit.mean_amount == 1:
        out[field] = plain_decimal(prop.mean_value, source=flow.source if flow else "", what=f"flowProperty {field}")
        return
    with localcontext() as ctx:
        ctx.prec = 60
        value = per_unit * unit.mean_amount
    out[field] = _plain(value)
    notes.add(
        DERIVED,
        f"/pcf/{field}",
        prop.mean_value.xpath,
        f"{prop.mean_value.text} per unit of the reference flow, times meanAmount {unit.mean_amount_text} "
        f"(the declared amount is {unit.amount} {unit.unit})",
        cf(field),
    )


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _reference_period(out: dict[str, Any], proc: Process, notes: Notes) -> None:
    year = proc.reference_year
    if year is None or not _YEAR.match(year.text):
        where = year.xpath if year else proc.root_xpath
        notes.add(
            MISSING,
            "/pcf/referencePeriodStart",
            where,
            "no reference year (common:referenceYear): reference period left absent",
            cf("referencePeriodStart"),
        )
        return
    out["referencePeriodStart"] = f"{year.text}-01-01T00:00:00Z"
    out["referencePeriodEnd"] = f"{int(year.text) + 1:04d}-01-01T00:00:00Z"
    notes.add(
        CONVERTED,
        "/pcf/referencePeriodStart",
        year.xpath,
        f"reference year {year.text} taken as the calendar year {year.text} (end exclusive); ILCD's reference "
        "year is the most representative year, not a data collection period: " + DOUBT,
        cf("referencePeriodStart"),
        cf("referencePeriodEnd"),
    )


def _geography(out: dict[str, Any], proc: Process, notes: Notes) -> None:
    code = proc.location
    if code is None:
        return
    if re.fullmatch(r"[A-Z]{2}", code.text):
        out["geographyCountry"] = code.text
    elif _SUBDIVISION.match(code.text) and not code.text.startswith("EU-"):
        out["geographyCountrySubdivision"] = code.text
    elif code.text in REGIONS:
        out["geographyRegionOrSubregion"] = REGIONS[code.text]
        notes.add(
            CONVERTED,
            "/pcf/geographyRegionOrSubregion",
            code.xpath,
            f"location {code.text} is the region {REGIONS[code.text]} [unchecked]",
            cf("geographyRegionOrSubregion"),
        )
    else:
        notes.add(
            DROPPED,
            "/pcf",
            code.xpath,
            f"location {code.text!r} is neither an ISO 3166 code nor a UN region PACT lists",
            cf("geographyCountry"),
        )


# --- totals (cradle-to-gate, modules A1-A3) --------------------------------------------------------
def _a1_a3(gwp: GwpTable, kind: str) -> tuple[ModuleValue, ...]:
    """The A1-A3 value, else A1, A2 and A3 when all three are declared."""
    values = gwp.values.get(kind, {})
    if "A1-A3" in values:
        return (values["A1-A3"],)
    if all(m in values for m in PRODUCT_STAGE):
        return tuple(values[m] for m in PRODUCT_STAGE)
    return ()


def _sum(parts: tuple[ModuleValue, ...]) -> str:
    if len(parts) == 1:
        return parts[0].text
    with localcontext() as ctx:
        ctx.prec = 200
        total = sum((p.value for p in parts), Decimal(0))
    return _plain(total)


def _totals(out: dict[str, Any], proc: Process, gwp: GwpTable, notes: Notes) -> None:
    where = gwp.results[TOTAL].xpath if TOTAL in gwp.results else f"{proc.root_xpath}/LCIAResults"
    fossil, total, luluc, ghg = (_a1_a3(gwp, k) for k in (FOSSIL, TOTAL, LULUC, GHG))
    _total(out, "fossilGhgEmissions", fossil, gwp.label(FOSSIL), "as fossil GHG emissions", where, notes)
    _total(
        out,
        "pcfIncludingBiogenicUptake",
        total,
        gwp.label(TOTAL),
        "as the PCF including biogenic uptake (EN 15804+A2 counts biogenic carbon by the -1/+1 approach "
        "[unchecked]): " + DOUBT,
        where,
        notes,
    )
    if ghg:
        _total(
            out,
            "pcfExcludingBiogenicUptake",
            ghg,
            gwp.label(GHG),
            "(biogenic CO2 characterised as zero) as the PCF excluding biogenic uptake: " + DOUBT,
            where,
            notes,
        )
    elif fossil and luluc:
        both = fossil + luluc
        out["pcfExcludingBiogenicUptake"] = _sum(both)
        notes.add(
            DERIVED,
            "/pcf/pcfExcludingBiogenicUptake",
            both[0].amount.xpath,
            "GWP-fossil + GWP-luluc of A1-A3 as the PCF excluding biogenic uptake; it leaves out biogenic "
            "methane, which EN 15804+A2 counts in GWP-biogenic: " + DOUBT,
            cf("pcfExcludingBiogenicUptake"),
            EN15804,
        )
    else:
        notes.add(
            MISSING,
            "/pcf/pcfExcludingBiogenicUptake",
            where,
            "neither GWP-GHG nor GWP-fossil and GWP-luluc declared for A1-A3: left absent",
            cf("pcfExcludingBiogenicUptake"),
        )


def _total(
    out: dict[str, Any], field: str, parts: tuple[ModuleValue, ...], name: str, what: str, where: str, notes: Notes
) -> None:
    if not parts:
        notes.add(MISSING, f"/pcf/{field}", where, f"{name} not declared for A1-A3: {field} left absent", cf(field))
        return
    out[field] = _sum(parts)
    of = "A1-A3" if len(parts) == 1 else "A1 + A2 + A3 (summed)"
    notes.add(
        REMAPPED if len(parts) == 1 else DERIVED,
        f"/pcf/{field}",
        parts[0].amount.xpath,
        f"{name} of {of} {what}",
        cf(field),
        EN15804,
    )


def _ipcc(out: dict[str, Any], proc: Process, gwp: GwpTable, notes: Notes) -> None:
    report = IPCC_REPORTS.get(gwp.indicator_set or "")
    where = gwp.results[TOTAL].xpath if TOTAL in gwp.results else proc.root_xpath
    if report is None:
        notes.add(
            MISSING,
            "/pcf/ipccCharacterizationFactors",
            where,
            f"the IPCC report cannot be told from the indicators ({gwp.indicator_set or 'no GWP indicator'})",
            cf("ipccCharacterizationFactors"),
        )
        return
    out["ipccCharacterizationFactors"] = [report[0]]
    notes.add(
        DERIVED,
        "/pcf/ipccCharacterizationFactors",
        where,
        f"{report[0]}: the GWP indicators are {gwp.indicator_set}; {report[1]}",
        cf("ipccCharacterizationFactors"),
    )


def _standards(out: dict[str, Any], proc: Process, notes: Notes) -> None:
    names: list[str] = []
    for ref in proc.compliance:
        name = COMPLIANCE.get((ref.uuid or "").lower()) or ref.name
        if name and name not in names:
            names.append(name)
            notes.add(
                REMAPPED,
                f"/pcf/crossSectoralStandards/{len(names) - 1}",
                ref.xpath,
                f"compliance system {name!r} listed as a standard applied",
                cf("crossSectoralStandards"),
            )
    if names:
        out["crossSectoralStandards"] = names
    else:
        notes.add(
            MISSING,
            "/pcf/crossSectoralStandards",
            proc.root_xpath,
            "no compliance declaration names a standard: left absent",
            cf("crossSectoralStandards"),
        )


def _rules(out: dict[str, Any], proc: Process, notes: Notes) -> None:
    pcr = proc.pcr
    if pcr is None or not pcr.name:
        return
    operator = _programme(proc)
    rule: dict[str, Any] = {"operator": operator[0], "ruleNames": [pcr.name]}
    if operator[0] == "Other" and operator[1]:
        rule["otherOperatorName"] = operator[1]
    out["productOrSectorSpecificRules"] = [rule]
    notes.add(
        REMAPPED,
        "/pcf/productOrSectorSpecificRules/0",
        pcr.xpath,
        f"PCR {pcr.name!r} (source data set {pcr.uuid}); operator from the registration authority or "
        f"publisher: {operator[1] or 'not named'}",
        cf("productOrSectorSpecificRules"),
    )


def _programme(proc: Process) -> tuple[str, str | None]:
    refs: tuple[Ref | None, ...] = (proc.authority, proc.publisher)
    name = next((r.name for r in refs if r is not None and r.name), None)
    if name and ("epd international" in name.lower() or "environdec" in name.lower()):
        return "EPD International", name
    return "Other", name
