"""What a declaration itself shows about each requirement: one small probe per requirement id.

A probe reads a PACT v3 footprint (with the pcf-registry extension) and returns the raw fact and
its basis (the JSON pointer it read), or None when the declaration does not show it. Probes never
raise: a malformed value is simply not a fact. Where absence is itself a fact (a field PACT asks
for is missing) the probe says False; where the declaration merely does not mention something the
study report may hold, it says None and recognition falls back on the source scheme or evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from registry.crosswalk.kinds import BadValue
from registry.crosswalk.model import Crosswalks
from registry.declarations import classification_codes, extension_entries

YEAR_DAYS = 365.25
GATE_BOUNDARIES = ("cradle-to-gate", "gate-to-gate")


class View(NamedTuple):
    """The parts of a declaration the probes read; ``ext_at`` is the extension data's pointer."""

    pf: Mapping[str, Any]
    pcf: Mapping[str, Any]
    ext: Mapping[str, Any]
    ext_at: str


Raw = tuple[Any, str]
Probe = Callable[[View], Raw | None]


def view_of(document: Any) -> View:
    pf = document if isinstance(document, dict) else {}
    pcf = pf.get("pcf")
    ext: Any = {}
    ext_at = "/extensions/0/data"
    for index, entry in extension_entries(pf)[:1]:
        ext, ext_at = entry.get("data"), f"/extensions/{index}/data"
    return View(pf, pcf if isinstance(pcf, dict) else {}, ext if isinstance(ext, dict) else {}, ext_at)


def _obj(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _years(start: Any, end: Any) -> float | None:
    a, b = _when(start), _when(end)
    return None if a is None or b is None else (b - a).total_seconds() / 86400 / YEAR_DAYS


def _decimal(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        d = Decimal(value)
    except InvalidOperation:
        return None
    return format(d.normalize(), "f") if d.is_finite() else None


def _present(v: View, key: str) -> Raw:
    return (key in v.pcf, f"/pcf/{key}")


def _pcf(key: str) -> Probe:
    return lambda v: (v.pcf[key], f"/pcf/{key}") if key in v.pcf else None


def _ext(*path: str) -> Probe:
    def probe(v: View) -> Raw | None:
        node: Any = v.ext
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return (node, v.ext_at + "".join("/" + k for k in path))

    return probe


def _unit_kind(v: View) -> Raw | None:
    if "functionalUnit" in v.ext:
        return ("functional-unit", f"{v.ext_at}/functionalUnit")
    if v.ext.get("systemBoundary") in GATE_BOUNDARIES:  # a partial footprint has a declared unit
        return ("declared-unit", f"{v.ext_at}/systemBoundary")
    return None


def _unit_amount(v: View) -> Raw | None:
    amount = _decimal(v.pcf.get("declaredUnitAmount"))
    return None if amount is None else (amount, "/pcf/declaredUnitAmount")


def _use_stage(v: View) -> Raw | None:
    values = _obj(_obj(v.ext, "stages"), "values")
    if values:
        return ("use" in values, f"{v.ext_at}/stages/values")
    if v.ext.get("systemBoundary") in GATE_BOUNDARIES:
        return (False, f"{v.ext_at}/systemBoundary")
    return None


def _exempted(v: View) -> Raw | None:
    value = v.pcf.get("exemptedEmissionsPercent")
    return (value, "/pcf/exemptedEmissionsPercent") if isinstance(value, (str, int, float)) else None


def _cut_off_stated(v: View) -> Raw | None:
    if _text(_obj(v.ext, "cutOff").get("criteria")):
        return (True, f"{v.ext_at}/cutOff/criteria")
    if _text(v.pcf.get("exemptedEmissionsDescription")):
        return (True, "/pcf/exemptedEmissionsDescription")
    return None


def _allocation_procedure(v: View) -> Raw | None:
    if _obj(v.ext, "allocation").get("approach") in ("none", "subdivision"):
        return ("avoided", f"{v.ext_at}/allocation/approach")
    return None


def _allocation_stated(v: View) -> Raw | None:
    if "allocation" in v.ext:
        return (True, f"{v.ext_at}/allocation")
    if _text(v.pcf.get("allocationRulesDescription")):
        return (True, "/pcf/allocationRulesDescription")
    return None


def _conventions(v: View) -> Raw | None:
    used = [
        c
        for c, key in (
            ("include-uptake", "pcfIncludingBiogenicUptake"),
            ("exclude-uptake", "pcfExcludingBiogenicUptake"),
        )
        if key in v.pcf
    ]
    return (used, "/pcf/pcfIncludingBiogenicUptake") if used else None


def _both_totals(v: View) -> Raw:
    both = "pcfIncludingBiogenicUptake" in v.pcf and "pcfExcludingBiogenicUptake" in v.pcf
    return (both, "/pcf/pcfIncludingBiogenicUptake")


def _biogenic_terms(v: View) -> Raw:
    for key in ("biogenicCO2Uptake", "biogenicNonCO2Emissions"):
        if key in v.pcf:
            return (True, f"/pcf/{key}")
    return (False, "/pcf/biogenicCO2Uptake")


def _instruments(v: View) -> Raw | None:
    electricity = _obj(v.ext, "electricity")
    if "instruments" in electricity:
        return (electricity["instruments"], f"{v.ext_at}/electricity/instruments")
    approach = electricity.get("modellingApproach")
    if approach is not None and approach != "market-based":
        return ([], f"{v.ext_at}/electricity/modellingApproach")
    return None


def _not_in_pact_totals(v: View) -> Raw:
    return (False, "/pcf (PACT v3 aggregation formulas)")


def _verification_party(v: View) -> Raw | None:
    party = _obj(v.ext, "assurance").get("party")
    if party is not None:
        return (party, f"{v.ext_at}/assurance/party")
    if _text(_obj(v.pcf, "verification").get("providerName")):  # PACT: an independent third party
        return ("third-party", "/pcf/verification/providerName")
    return None


def _period_years(v: View) -> Raw | None:
    years = _years(v.pcf.get("referencePeriodStart"), v.pcf.get("referencePeriodEnd"))
    return None if years is None else (years, "/pcf/referencePeriodEnd")


def _data_age(v: View) -> Raw | None:
    years = _years(v.pcf.get("referencePeriodEnd"), v.pf.get("created"))
    return None if years is None else (max(years, 0.0), "/created")


def _validity(v: View) -> Raw | None:
    if "validityPeriodEnd" not in v.pf:
        return (3.0, "/validityPeriodEnd (absent: PACT v3 default of 3 years)")
    years = _years(v.pcf.get("referencePeriodEnd"), v.pf.get("validityPeriodEnd"))
    return None if years is None else (years, "/validityPeriodEnd")


def _hs_codes(v: View) -> Raw | None:
    hs, _ = classification_codes(v.pf)
    codes = [c for c in hs if isinstance(c, str)]
    return (codes, f"{v.ext_at}/classifications/hs") if codes else None


PROBES: dict[str, Probe] = {
    "unit.kind": _unit_kind,
    "unit.of-measurement": _pcf("declaredUnitOfMeasurement"),
    "unit.amount": _unit_amount,
    "system-boundary.scope": _ext("systemBoundary"),
    "system-boundary.use-stage": _use_stage,
    "cut-off.max-exempted-percent": _exempted,
    "cut-off.criteria-stated": _cut_off_stated,
    "allocation.procedure": _allocation_procedure,
    "allocation.stated": _allocation_stated,
    "end-of-life.approach": _ext("endOfLife", "approach"),
    "gwp.ipcc-report": _pcf("ipccCharacterizationFactors"),
    "biogenic.uptake-convention": _conventions,
    "biogenic.both-totals": _both_totals,
    "biogenic.separate-reporting": _biogenic_terms,
    "land-use-change.direct": lambda v: _present(v, "landUseChangeGhgEmissions"),
    "land-use-change.indirect": _not_in_pact_totals,
    "electricity.modelling": _ext("electricity", "modellingApproach"),
    "electricity.contractual-instruments": _instruments,
    "aircraft.separate-reporting": lambda v: (
        (True, "/pcf/aircraftGhgEmissions") if "aircraftGhgEmissions" in v.pcf else None
    ),
    "offsets.in-result": _not_in_pact_totals,
    "data-quality.primary-data-share": lambda v: _present(v, "primaryDataShare"),
    "data-quality.rating": lambda v: ("dqi" in v.pcf or "dataQuality" in v.ext, "/pcf/dqi"),
    "reference-period.max-years": _period_years,
    "reference-period.max-data-age-years": _data_age,
    "verification.statement": lambda v: (isinstance(v.pcf.get("verification"), dict), "/pcf/verification"),
    "verification.party": _verification_party,
    "verification.assurance-level": _ext("assurance", "level"),
    "verification.body": _ext("assurance", "body"),
    "reporting.per-stage": lambda v: ("stages" in v.ext, f"{v.ext_at}/stages"),
    "validity.max-years": _validity,
    "uncertainty.statement": lambda v: (True, f"{v.ext_at}/uncertainty") if "uncertainty" in v.ext else None,
    "packaging.included": _pcf("packagingEmissionsIncluded"),
    "capital-goods.included": _ext("capitalGoods", "included"),
    "scope.product": _hs_codes,
}


Fact = tuple[Any, str]


def _bound(crosswalks: Crosswalks) -> tuple[tuple[str, Probe, Callable[[Any], Any]], ...]:
    """(requirement id, probe, fact conversion) for every probed requirement of the vocabulary."""
    return tuple(
        (rid, probe, crosswalks.by_id[rid].kind.fact_of) for rid, probe in PROBES.items() if rid in crosswalks.by_id
    )


def declaration_facts(crosswalks: Crosswalks, document: Any) -> dict[str, Fact]:
    """Typed facts the declaration shows, by requirement id, each with the pointer it came from."""
    bound = crosswalks.derived.get("probes")
    if bound is None:
        bound = crosswalks.derived["probes"] = _bound(crosswalks)
    view = view_of(document)
    out: dict[str, Fact] = {}
    for requirement_id, probe, convert in bound:
        try:
            raw = probe(view)
            if raw is not None:
                out[requirement_id] = (convert(raw[0]), raw[1])
        except (BadValue, TypeError, AttributeError, ValueError):
            continue  # a malformed value is not a fact
    return out
