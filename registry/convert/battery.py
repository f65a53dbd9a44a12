"""A declaration as an EU Battery Regulation carbon footprint declaration.

The output takes the field names and units of the Battery Pass data model aspect
``io.BatteryPass.CarbonFootprint`` 1.2.0 (``batteryCarbonFootprint`` in kg CO2e per kWh of
the total energy over the expected service life, ``carbonFootprintPerLifecycleStage``,
``carbonFootprintPerformanceClass``, ``carbonFootprintStudy``, ``absoluteCarbonFootprint``);
the other items of Regulation (EU) 2023/1542 Art. 7(1) [unchecked] (manufacturer, model,
plant, EU declaration of conformity id) go under ``declaration``. Values come from our
extension (``stages``, ``productParameters``, ``site``) and the PACT fields; what cannot be
expressed per kWh of total energy is refused with an :class:`InputError` naming the field.
Findings: ``path`` points into the declaration, ``source_path`` into the output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from registry.convert.checks import check_declaration, iter_errors, schema_findings
from registry.convert.conversion import Conversion
from registry.convert.decimals import divide, parse_decimal, plain
from registry.declarations import extension_entries
from registry.errors import InputError, Location
from registry.findings import Finding, Severity

__all__ = ["ASPECT_MODEL", "BATTERY_CF_SCHEMA_ID", "FUNCTIONAL_UNIT", "STAGES", "to_battery_cf"]

BATTERY_CF_SCHEMA_ID: Final = "https://pcf-registry.org/schemas/battery-cf-1.0.json"
ASPECT_MODEL: Final = "urn:samm:io.BatteryPass.CarbonFootprint:1.2.0#CarbonFootprintForBatteries"
FUNCTIONAL_UNIT: Final = "1 kWh of the total energy provided by the battery over its expected service life"

# Our ISO 14067 stage names -> the Battery Pass 1.2.0 LifecycleStage values (the use stage is excluded).
STAGES: Final = {
    "raw-material-acquisition": "RawMaterialExtraction",
    "production": "MainProduction",
    "distribution": "Distribution",
    "end-of-life": "Recycling",
}

_R: Final = "convert.battery-cf."
DERIVED, ASSUMED, OMITTED, DROPPED, STAGE_SUM = (
    _R + k for k in ("derived", "assumed", "omitted", "dropped", "stage-sum")
)

_BP: Final = "Battery Pass data model io.BatteryPass.CarbonFootprint 1.2.0"
_TOTALS: Final = ("pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake")
_URL = re.compile(r"^https?://\S+$")


def _art7(letter: str) -> str:
    return f"Regulation (EU) 2023/1542 Art. 7(1)({letter}) [unchecked]"


def _number(value: Decimal) -> int | float:
    """A JSON number, as the Battery Pass model uses (integers stay integers)."""
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


def to_battery_cf(declaration: dict[str, Any]) -> Conversion:
    """The battery carbon footprint declaration, checked against ``schemas/battery-cf-1.0.json``.

    Raises :class:`InputError` when the footprint cannot be stated per kWh of total energy
    over the service life (declared unit, missing ``totalEnergyKWh``), when stage values, the
    total or the study link are missing or malformed, or for a use stage other than zero.
    """
    builder = _Builder(check_declaration(declaration))
    out = builder.run()
    errors = iter_errors("battery-cf-1.0.json", BATTERY_CF_SCHEMA_ID, out)
    clause = "pcf-registry battery carbon footprint declaration 1.0"
    findings = builder.findings + schema_findings(errors, "convert.battery-cf", "battery declaration", clause)
    return Conversion(out, tuple(findings))


def _extension(doc: dict[str, Any]) -> tuple[dict[str, Any], str]:
    for index, entry in extension_entries(doc)[:1]:
        data = entry.get("data")
        if isinstance(data, dict):
            return data, f"/extensions/{index}/data"
    raise InputError(
        "a battery carbon footprint declaration needs the pcf-registry extension (stages, productParameters, site)",
        Location(pointer="/extensions"),
    )


@dataclass
class _Per:
    """How a value per declared unit becomes a value per kWh of total energy over the service life."""

    divisor: Decimal
    energy: Decimal | None  # total energy over the service life of one battery, kWh
    amount: Decimal  # declaredUnitAmount


@dataclass
class _Builder:
    doc: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        pcf = self.doc.get("pcf")
        self.pcf: dict[str, Any] = pcf if isinstance(pcf, dict) else {}
        self.ext, self.ext_ptr = _extension(self.doc)
        params = self.ext.get("productParameters")
        self.params: dict[str, Any] = params if isinstance(params, dict) else {}
        self.params_ptr = self.ext_ptr + "/productParameters"

    def note(self, rule: str, sev: Severity, path: str, target: str | None, message: str, *clauses: str) -> None:
        self.findings.append(
            Finding(rule_id=rule, severity=sev, path=path, message=message, clauses=clauses, source_path=target)
        )

    def run(self) -> dict[str, Any]:
        per = self.per_kwh()
        stages, stage_sum = self.stages(per)
        total_raw, total = self.total(per)
        if stage_sum != total_raw:
            self.note(
                STAGE_SUM,
                Severity.WARNING,
                self.ext_ptr + "/stages/values",
                "/carbonFootprintPerLifecycleStage",
                f"the stage values add up to {plain(stage_sum)}, not to the total {plain(total_raw)} per declared unit",
                _art7("e"),
            )
        out: dict[str, Any] = {
            "batteryCarbonFootprint": _number(total),
            "carbonFootprintPerLifecycleStage": [
                {"lifecycleStage": s, "carbonFootprint": _number(v)} for s, v in stages
            ],
        }
        self.performance_class(out)
        out["carbonFootprintStudy"] = self.study()
        self.absolute(out, per, total)
        out["declaration"] = self.declaration(per)
        return out

    # -- values -----------------------------------------------------------------------------
    def per_kwh(self) -> _Per:
        amount = parse_decimal(self.pcf.get("declaredUnitAmount"))
        if amount is None or amount <= 0:
            raise InputError(
                "declaredUnitAmount must be a decimal greater than 0", Location(pointer="/pcf/declaredUnitAmount")
            )
        energy = self.total_energy()
        unit = self.pcf.get("declaredUnitOfMeasurement")
        if unit == "kilowatt hour":
            if energy is None:
                self.note(
                    ASSUMED,
                    Severity.WARNING,
                    "/pcf/declaredUnitOfMeasurement",
                    "/batteryCarbonFootprint",
                    "the declared unit is kilowatt hour and productParameters.totalEnergyKWh is not stated, so "
                    "the kWh is taken to be of total energy over the service life, not of rated capacity",
                    _art7("d"),
                    f"{_BP}, batteryCarbonFootprint",
                )
            return _Per(amount, energy, amount)
        if unit == "piece":
            if energy is None:
                raise InputError(
                    "the declared unit is piece; stating the footprint per kWh of total energy over the "
                    "service life needs productParameters.totalEnergyKWh (kWh per battery)",
                    Location(pointer=self.params_ptr + "/totalEnergyKWh"),
                )
            self.note(
                DERIVED,
                Severity.INFO,
                "/pcf/declaredUnitOfMeasurement",
                "/batteryCarbonFootprint",
                f"values per {plain(amount)} piece(s) divided by {plain(amount)} x totalEnergyKWh "
                f"{plain(energy)} to give kg CO2e per kWh of total energy over the service life",
                _art7("d"),
                f"{_BP}, batteryCarbonFootprint",
            )
            return _Per(amount * energy, energy, amount)
        raise InputError(
            f"declared unit {unit!r} cannot be stated per kWh of total energy over the service life; declare per "
            "kilowatt hour, or per piece with productParameters.totalEnergyKWh",
            Location(pointer="/pcf/declaredUnitOfMeasurement"),
        )

    def total_energy(self) -> Decimal | None:
        if "totalEnergyKWh" not in self.params:
            return None
        energy = parse_decimal(self.params["totalEnergyKWh"])
        if energy is None or energy <= 0:
            raise InputError(
                "productParameters.totalEnergyKWh must be a decimal string greater than 0",
                Location(pointer=self.params_ptr + "/totalEnergyKWh"),
            )
        return energy

    def stages(self, per: _Per) -> tuple[list[tuple[str, Decimal]], Decimal]:
        """(Battery Pass stage, value per kWh) in Battery Pass order, and the sum of the values per declared unit."""
        values = self.stage_values()
        out: list[tuple[str, Decimal]] = []
        total = Decimal(0)
        for name, stage in STAGES.items():
            if name in values:
                out.append((stage, divide(values[name], per.divisor)[0]))
                total += values[name]
        missing = [n for n in STAGES if n not in values]
        if missing:
            self.note(
                OMITTED,
                Severity.WARNING,
                self.ext_ptr + "/stages/values",
                "/carbonFootprintPerLifecycleStage",
                f"no value for the stage(s) {', '.join(missing)}; the declaration lists a value per life-cycle stage",
                _art7("e"),
                f"{_BP}, carbonFootprintPerLifecycleStage",
            )
        return out, total

    def stage_values(self) -> dict[str, Decimal]:
        where = self.ext_ptr + "/stages"
        stages = self.ext.get("stages")
        values = stages.get("values") if isinstance(stages, dict) else None
        if not isinstance(values, dict) or not values:
            raise InputError(
                "the carbon footprint per life-cycle stage is required (extension stages.values)",
                Location(pointer=where + ("/values" if isinstance(stages, dict) else "")),
            )
        out: dict[str, Decimal] = {}
        for name, raw in values.items():
            pointer = f"{where}/values/{name}"
            value = parse_decimal(raw)
            if value is None:
                raise InputError(f"stage value {raw!r} is not a decimal string", Location(pointer=pointer))
            if name == "use" and value == 0:
                self.note(
                    DROPPED,
                    Severity.INFO,
                    pointer,
                    None,
                    "use stage value 0 dropped: the declaration excludes the use stage",
                    "Regulation (EU) 2023/1542 Annex II point 4 [unchecked]",
                )
            elif name not in STAGES:
                raise InputError(
                    f"the stage {name!r} ({raw}) cannot be expressed: the Battery Regulation declaration "
                    "excludes the use stage and has no other stages [unchecked]",
                    Location(pointer=pointer),
                )
            else:
                out[name] = value
        return out

    def total(self, per: _Per) -> tuple[Decimal, Decimal]:
        """(the PACT total the stages add up to, per declared unit; the same per kWh)."""
        basis_ptr = self.ext_ptr + "/stages/basis"
        basis = self.ext["stages"].get("basis")
        if basis not in _TOTALS:
            raise InputError(f"stages.basis must be one of {', '.join(_TOTALS)}", Location(pointer=basis_ptr))
        raw = parse_decimal(self.pcf.get(basis))
        if raw is None:
            raise InputError(f"pcf.{basis} must be a decimal string", Location(pointer=f"/pcf/{basis}"))
        total = divide(raw, per.divisor)[0]
        self.note(
            DERIVED,
            Severity.INFO,
            f"/pcf/{basis}",
            "/batteryCarbonFootprint",
            f"batteryCarbonFootprint = pcf.{basis} ({plain(raw)}, the total the stage values add up to) "
            f"/ {plain(per.divisor)} = {plain(total)} kg CO2e per kWh",
            _art7("d"),
            f"{_BP}, batteryCarbonFootprint",
        )
        return raw, total

    def absolute(self, out: dict[str, Any], per: _Per, total: Decimal) -> None:
        if per.energy is None:
            return
        absolute = total * per.energy
        out["absoluteCarbonFootprint"] = _number(absolute)
        self.note(
            DERIVED,
            Severity.INFO,
            self.params_ptr + "/totalEnergyKWh",
            "/absoluteCarbonFootprint",
            f"absoluteCarbonFootprint = {plain(total)} kg CO2e/kWh x totalEnergyKWh {plain(per.energy)} = "
            f"{plain(absolute)} kg CO2e for one battery",
            f"{_BP}, absoluteCarbonFootprint",
        )

    # -- declaration items ---------------------------------------------------------------------
    def performance_class(self, out: dict[str, Any]) -> None:
        value = self.params.get("carbonFootprintPerformanceClass")
        pointer = self.params_ptr + "/carbonFootprintPerformanceClass"
        clauses = (f"{_BP}, carbonFootprintPerformanceClass", "Regulation (EU) 2023/1542 Art. 7(2) [unchecked]")
        if isinstance(value, str) and value:
            out["carbonFootprintPerformanceClass"] = value
            self.note(
                ASSUMED,
                Severity.INFO,
                pointer,
                "/carbonFootprintPerformanceClass",
                f"performance class {value!r} copied as declared; the classes are to be set by a delegated "
                "act [unchecked] and are not checked here",
                *clauses,
            )
        else:
            self.note(
                OMITTED,
                Severity.INFO,
                pointer,
                None,
                "carbonFootprintPerformanceClass omitted: the declaration states none (the Battery Pass aspect "
                "lists it; no text setting the classes was found [unchecked])",
                *clauses,
            )

    def study(self) -> str:
        value = self.params.get("publicStudyUrl")
        if not isinstance(value, str) or not _URL.match(value):
            raise InputError(
                "a web link to the public carbon footprint study is required "
                "(productParameters.publicStudyUrl, an http(s) URL)",
                Location(pointer=self.params_ptr + "/publicStudyUrl"),
            )
        return value

    def declaration(self, per: _Per) -> dict[str, Any]:
        doc, params = self.doc, self.params
        out: dict[str, Any] = {"aspectModel": ASPECT_MODEL, "functionalUnit": FUNCTIONAL_UNIT}
        if per.energy is not None:
            out["totalEnergyOverServiceLifeKWh"] = _number(per.energy)
        out["manufacturer"] = {"name": doc.get("companyName"), "identifiers": doc.get("companyIds")}
        out["batteryModel"] = self.battery_model()
        plant = self.plant()
        if plant:
            out["manufacturingPlant"] = plant
        doc_id = params.get("euDeclarationOfConformityId")
        if isinstance(doc_id, str) and doc_id:
            out["euDeclarationOfConformityId"] = doc_id
        else:
            self.note(
                OMITTED,
                Severity.WARNING,
                self.params_ptr + "/euDeclarationOfConformityId",
                None,
                "no EU declaration of conformity id (productParameters.euDeclarationOfConformityId)",
                _art7("f"),
            )
        for key in ("referencePeriodStart", "referencePeriodEnd"):
            if isinstance(self.pcf.get(key), str):
                out[key] = self.pcf[key]
        out["productFootprintId"] = doc.get("id")
        return out

    def battery_model(self) -> dict[str, Any]:
        model: dict[str, Any] = {}
        ident = self.params.get("batteryModel")
        if isinstance(ident, str) and ident:
            model["identifier"] = ident
        else:
            self.note(
                OMITTED,
                Severity.WARNING,
                self.params_ptr + "/batteryModel",
                "/declaration/batteryModel",
                "no battery model identifier (productParameters.batteryModel); only the trade name and "
                "product ids identify the model",
                _art7("b"),
            )
        model["name"] = self.doc.get("productNameCompany")
        model["productIds"] = self.doc.get("productIds")
        category = self.params.get("batteryCategory")
        if isinstance(category, str) and category:
            model["batteryCategory"] = category
        return model

    def plant(self) -> dict[str, Any]:
        site = self.ext.get("site")
        if isinstance(site, dict) and site:
            names = {"id": "identifier", "name": "name", "country": "country", "subdivision": "subdivision"}
            return {names[k]: v for k, v in site.items() if k in names}
        plant = {
            k: self.pcf[f"geography{f}"]
            for k, f in (("country", "Country"), ("subdivision", "CountrySubdivision"))
            if isinstance(self.pcf.get(f"geography{f}"), str)
        }
        if plant:
            self.note(
                DERIVED,
                Severity.WARNING,
                "/pcf",
                "/declaration/manufacturingPlant",
                "no manufacturing site in the extension (site); the plant's location is taken from the "
                "footprint's geography",
                _art7("c"),
            )
        else:
            self.note(
                OMITTED,
                Severity.WARNING,
                self.ext_ptr + "/site",
                None,
                "no manufacturing plant (extension site) and no country in the footprint's geography",
                _art7("c"),
            )
        return plant
