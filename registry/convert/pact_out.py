"""Export a declaration as a PACT v3.0 ProductFootprint, or as PACT v2.3 for partners not yet on v3.

``to_pact_v3`` keeps the PACT part as it is and removes our extension on request.
``to_pact_v2`` is the inverse of :mod:`registry.declarations.pact_upgrade`: every v3 field either
reappears in the v2.3 result with the same value (a pure rename, or a decimal string
written as the JSON number of the same value), or an ``info`` finding names it
(``path``: pointer into the v3 declaration; ``source_path``: pointer into the v2
result). Values v2.3 requires that v3 lacks are filled in only by a definition
(``defaulted``/``derived`` findings) or left absent (``missing``), and the result is
checked against the PACT v2.3 schema: each violation is an ``error`` finding.
The mapping is documented in ``docs/convert.md``. Pure functions, no I/O; the input is
never mutated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, Inexact, localcontext
from functools import cache
from typing import Any, Final

import jsonschema_rs

from registry.convert.conversion import Conversion
from registry.declarations import (
    V3_DQI_FIELDS,
    V3_PCF_FIELDS,
    V3_ROOT_FIELDS,
    V3_VERIFICATION_FIELDS,
    extension_entries,
    spec_major,
)
from registry.errors import InputError, Location
from registry.findings import Finding, Severity
from registry.resources import PACT_V3_SCHEMA_ID, load_schema
from registry.schemas import iter_schema_errors, pointer_of

__all__ = [
    "V2_RULE_IDS",
    "V2_SPEC_VERSION",
    "check_declaration",
    "divide",
    "iter_errors",
    "parse_decimal",
    "plain",
    "schema_findings",
    "to_pact_v2",
    "to_pact_v3",
]

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

_TS3 = "PACT Tech Specs v3.0"
_TS23 = "PACT Tech Specs v2.3"
_CHANGELOG = f"{_TS3}, Appendix A (Changelog, version 3.0.0)"
_ADR36 = "PACT ADR-36 (clarify product amount)"
_ADR44 = "PACT ADR-44 (remove assurance flag)"
_ADR45 = "PACT ADR-45 (biogenic attributes)"
_EXT_CLAUSE = f"{_TS3}, DataModelExtension"

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

_ROOT_COPY: Final = (
    "id", "precedingPfIds", "created", "status", "validityPeriodStart", "validityPeriodEnd",
    "companyName", "companyIds", "productDescription", "productIds", "productNameCompany",
)  # fmt: skip
_PCF_COPY: Final = (
    "referencePeriodStart", "referencePeriodEnd", "geographyRegionOrSubregion", "geographyCountry",
    "geographyCountrySubdivision", "productOrSectorSpecificRules", "allocationRulesDescription",
    "secondaryEmissionFactorSources",
)  # fmt: skip
# Strings v2.3 requires and v3 made optional: "" when absent (an empty statement, not an invented one).
_ROOT_EMPTY_DEFAULT: Final = ("comment",)
_PCF_EMPTY_DEFAULT: Final = ("boundaryProcessesDescription", "exemptedEmissionsDescription")

# Quantities per declared unit, v3 name -> v2 name (inverse of pact_upgrade's table).
_PER_UNIT: Final = {
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
_REMAPPED: Final = {
    "landCarbonLeakage": "v3's placeholder for indirect land use change is not defined identically to v2 iLUC",
    "biogenicNonCO2Emissions": "v3 counts biogenic non-CO2 (CH4) emissions only, v2 all other biogenic GHG emissions",
}
_LAND_MANAGEMENT: Final = (
    "landManagementFossilGhgEmissions",
    "landManagementBiogenicCO2Emissions",
    "landManagementBiogenicCO2Removals",
)
_NUMBERS: Final = ("exemptedEmissionsPercent", "primaryDataShare")
# v3 CarbonFootprint fields with no v2.3 home.
_V3_ONLY: Final = (
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
_STANDARDS_USED: Final = {  # v3 spelling -> v2.0-2.2 crossSectoralStandardsUsed value
    "GHGP-Product": "GHG Protocol Product standard",
    "ISO14067": "ISO Standard 14067",
    "ISO14040-44": "ISO Standard 14044",
}
_COVERAGE: Final[dict[str, str | None]] = {
    "product level": "product level",
    "PCF calculation model": "PCF system",
    "PCF program": None,
}
_VERIFICATION_COPY: Final = ("providerName", "completedAt", "standardName", "comments")

_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_CPC_URN = re.compile(r"^urn:cpc:(\d{1,5})$", re.IGNORECASE)
_CPC_OTHER_URN = re.compile(r"^urn:pact:productclassification:un-cpc:(\d{1,5})$", re.IGNORECASE)
_CPC_CODE = re.compile(r"^\d{1,5}$")
_AR = re.compile(r"^AR(\d{1,3})$")


# --- small helpers ----------------------------------------------------------------------
def _ptr(*parts: object) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _show(value: object, limit: int = 80) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clone(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clone(v) for v in value]
    return value


def _ordered(values: dict[str, Any], order: Iterable[str]) -> dict[str, Any]:
    out = {k: values[k] for k in order if k in values}
    out.update((k, v) for k, v in values.items() if k not in out)
    return out


def parse_decimal(value: object) -> Decimal | None:
    """A dotted-decimal JSON string (no exponent) as a Decimal; None otherwise."""
    return Decimal(value) if isinstance(value, str) and _DECIMAL.match(value) else None


def plain(value: Decimal) -> str:
    """Decimal string without exponent or trailing fractional zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0", "") else text


def divide(a: Decimal, b: Decimal) -> tuple[Decimal, bool]:
    """a / b, and whether it is exact (else rounded to at least 34 significant digits)."""
    da, db = a.as_tuple(), b.as_tuple()
    with localcontext() as ctx:
        ctx.prec = max(34, len(da.digits) + len(db.digits) + 4)
        ctx.clear_flags()
        quotient = a / b
        return quotient, not ctx.flags[Inexact]


def _json_number(text: str) -> int | float | None:
    """A v3 decimal string as the JSON number v2 uses; None if it is not a decimal string."""
    value = parse_decimal(text)
    if value is None:
        return None
    return int(value) if "." not in text else float(value)


def check_declaration(declaration: Any) -> dict[str, Any]:
    """Refuse input that is not a PACT v3 declaration at all (exporters need a JSON object with a pcf object)."""
    if not isinstance(declaration, dict):
        raise InputError("a declaration must be a JSON object (a PACT v3 ProductFootprint)", Location(pointer=""))
    if spec_major(declaration) == 2:
        raise InputError(
            f"specVersion {_show(declaration.get('specVersion'))} is PACT v2; upgrade it to v3 first "
            "(pcfreg convert --from pact-v2)",
            Location(pointer="/specVersion"),
        )
    if "pcf" in declaration and not isinstance(declaration["pcf"], dict):
        raise InputError("pcf must be a JSON object (CarbonFootprint)", Location(pointer="/pcf"))
    return declaration


# --- schema checks ---------------------------------------------------------------------------
_KEYWORD_FIX = {"OneOfNotValid": "oneOf", "OneOfMultipleValid": "oneOf", "FalseSchema": "false", "Constant": "const"}


@cache
def _validator(relative: str, uri: str) -> Any:
    schema = dict(load_schema(relative))
    schema["$id"] = uri
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def iter_errors(relative: str, uri: str, document: Any) -> list[tuple[str, str, str]]:
    """(pointer, keyword, message) of every violation of a bundled schema, sorted."""
    out: list[tuple[str, str, str]] = []
    for err in _validator(relative, uri).iter_errors(document):
        kind = type(err.kind).__name__
        keyword = _KEYWORD_FIX.get(kind, kind[:1].lower() + kind[1:])
        pointer = pointer_of(err.instance_path)
        if kind == "Required" and isinstance(getattr(err.kind, "property", None), str):
            pointer += _ptr(err.kind.property)
        out.append((pointer, keyword, str(err.message)))
    return sorted(out)


def schema_findings(errors: Iterable[tuple[str, str, str]], prefix: str, what: str, clause: str) -> list[Finding]:
    """One error finding per schema violation of an exported document (``path`` points into it)."""
    return [
        Finding(
            rule_id=f"{prefix}.schema.{keyword}",
            severity=Severity.ERROR,
            path=pointer,
            message=f"the {what} is not schema-valid here: {message}",
            clauses=(clause,),
        )
        for pointer, keyword, message in errors
    ]


# --- extensions -------------------------------------------------------------------------------
def _without_extension(doc: dict[str, Any], rule_id: str, where: str) -> tuple[list[Any] | None, list[Finding]]:
    """The ``extensions`` array without ours (None if nothing remains), and a finding per removed entry."""
    ours = {i for i, _ in extension_entries(doc)}
    exts = doc.get("extensions")
    if not ours or not isinstance(exts, list):
        return _clone(exts) if "extensions" in doc else None, []
    findings = []
    for i in sorted(ours):
        data = exts[i].get("data")
        keys = ", ".join(data) if isinstance(data, dict) and data else "no data"
        findings.append(
            Finding(
                rule_id=rule_id,
                severity=Severity.INFO,
                path=_ptr("extensions", i),
                message=f"pcf-registry extension dropped from the {where} ({keys}); keep it with --keep-extension",
                clauses=(_EXT_CLAUSE,),
                source_path="/extensions" if len(ours) < len(exts) else "",
            )
        )
    rest = [_clone(e) for i, e in enumerate(exts) if i not in ours]
    return (rest or None), findings


# --- PACT v3 --------------------------------------------------------------------------------
def to_pact_v3(declaration: dict[str, Any], *, keep_extension: bool) -> Conversion:
    """The declaration as a PACT v3 ProductFootprint, checked against the PACT v3 schema.

    With ``keep_extension=False`` the pcf-registry extension is removed (other parties'
    extensions stay) and a finding says what was dropped.
    """
    doc = check_declaration(declaration)
    out: dict[str, Any] = _clone(doc)
    findings: list[Finding] = []
    if not keep_extension:
        rest, findings = _without_extension(doc, V3_EXTENSION_DROPPED, "PACT v3 footprint")
        out.pop("extensions", None)
        if rest is not None:
            out["extensions"] = rest
        out = _ordered(out, V3_ROOT_FIELDS)
    errors = [(e.pointer, e.keyword, e.message) for e in iter_schema_errors(PACT_V3_SCHEMA_ID, out)]
    findings += schema_findings(errors, "convert.pact-v3", "PACT v3 footprint", f"{_TS3}, ProductFootprint")
    return Conversion(out, tuple(findings))


# --- PACT v2.3 ------------------------------------------------------------------------------
def to_pact_v2(declaration: dict[str, Any], *, keep_extension: bool) -> Conversion:
    """The declaration as a PACT v2.3 ProductFootprint (the inverse of the v2 -> v3 upgrade).

    Raises :class:`InputError` for what v2 cannot express at all: a declared unit of
    ``hour`` or ``megabit second``, or ``piece`` without a positive product mass.
    """
    doc = check_declaration(declaration)
    down = _Downgrader(doc)
    out = down.run(keep_extension)
    errors = iter_errors("pact/pact-productfootprint-v2.3.schema.json", V2_SCHEMA_ID, out)
    findings = down.findings + schema_findings(
        errors, "convert.pact-v2", "PACT v2.3 footprint", f"{_TS23}, ProductFootprint"
    )
    return Conversion(out, tuple(findings))


@dataclass
class _Scale:
    """How v3 values per declared unit become v2 values per 1 declaredUnit."""

    unit: Any
    amount: Any  # the v2 unitaryProductAmount
    divisor: Decimal | None  # None: values cannot be rescaled
    label: str  # the v3 declared unit, for messages


@dataclass
class _Downgrader:
    doc: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    scale: _Scale | None = None

    def emit(self, rule: str, path: str, target: str | None, message: str, clauses: tuple[str, ...]) -> None:
        self.findings.append(
            Finding(
                rule_id=rule, severity=Severity.INFO, path=path, message=message, clauses=clauses, source_path=target
            )
        )

    # -- ProductFootprint --------------------------------------------------------------------
    def run(self, keep_extension: bool) -> dict[str, Any]:
        doc = self.doc = self.without_nulls(self.doc)
        out: dict[str, Any] = {k: _clone(doc[k]) for k in _ROOT_COPY if k in doc}
        self.emit(
            CONVERTED,
            "/specVersion",
            "/specVersion",
            f"specVersion {_show(doc.get('specVersion'))} replaced by {_show(V2_SPEC_VERSION)}: the document now "
            "follows PACT Tech Specs v2.3",
            (f"{_TS23}, ProductFootprint.specVersion",),
        )
        out["specVersion"] = V2_SPEC_VERSION
        out["version"] = 0
        self.emit(
            DEFAULTED,
            "",
            "/version",
            "version set to 0: v2.3 requires it; a PACT v3 footprint is never changed in place, so this is the "
            "first and only version of its id",
            (f"{_TS23}, ProductFootprint.version", f"{_TS3}, Product Footprint Lifecycle"),
        )
        for key in _ROOT_EMPTY_DEFAULT:
            self.empty_default(doc, out, "", key, f"{_TS23}, ProductFootprint.{key}")
        self.classifications(out)
        if isinstance(doc.get("pcf"), dict):
            out["pcf"] = self.carbon_footprint(doc["pcf"])
        self.extensions(out, keep_extension)
        self.extras(doc, out, "", "", set(V3_ROOT_FIELDS))
        return _ordered(out, V2_ROOT_ORDER)

    def without_nulls(self, doc: dict[str, Any]) -> dict[str, Any]:
        """PACT v3 reads a null property as undefined; v2 has no null values, so such properties are omitted."""
        pcf = doc.get("pcf")
        ver = pcf.get("verification") if isinstance(pcf, dict) else None
        objects = [("", doc), ("/pcf", pcf), ("/pcf/verification", ver)]
        nulls = [
            where + _ptr(k) for where, obj in objects if isinstance(obj, dict) for k, v in obj.items() if v is None
        ]
        for path in nulls:
            name = path.rsplit("/", 1)[-1]
            msg = f"{name} is null, which PACT v3 reads as undefined; omitted"
            self.emit(CONVERTED, path, None, msg, (f"{_TS3}, Data Types",))
        if not nulls:
            return doc
        out = {k: v for k, v in doc.items() if v is not None}
        if isinstance(pcf, dict):
            out["pcf"] = {k: v for k, v in pcf.items() if v is not None}
            if isinstance(ver, dict):
                out["pcf"]["verification"] = {k: v for k, v in ver.items() if v is not None}
        return out

    def empty_default(self, src: Mapping[str, Any], out: dict[str, Any], where: str, key: str, clause: str) -> None:
        if key in src:
            out[key] = _clone(src[key])
            return
        out[key] = ""
        self.emit(
            DEFAULTED,
            where + _ptr(key),
            where + _ptr(key),
            f"{key} absent in v3 and required in v2.3; set to the empty string (nothing stated)",
            (clause,),
        )

    def classifications(self, out: dict[str, Any]) -> None:
        clauses = (f"{_TS23}, ProductFootprint.productCategoryCpc", f"{_TS3}, ProductFootprint.productClassifications")
        classes = self.doc.get("productClassifications")
        if classes is not None:
            out["productClassifications"] = _clone(classes)
        items = classes if isinstance(classes, list) else []
        for i, urn in enumerate(items):
            m = _CPC_URN.match(urn) if isinstance(urn, str) else None
            if m:
                out["productCategoryCpc"] = m.group(1)
                rest = [c for j, c in enumerate(out["productClassifications"]) if j != i]
                if rest:
                    out["productClassifications"] = rest
                else:
                    del out["productClassifications"]
                msg = f"productClassifications[{i}] {_show(urn)} moved to productCategoryCpc {_show(m.group(1))}"
                self.emit(CONVERTED, _ptr("productClassifications", i), "/productCategoryCpc", msg, clauses)
                for j in range(i + 1, len(items)):
                    self.shifted("/productClassifications", j, j - 1, items[j], clauses)
                return
        for i, urn in enumerate(items):
            m = _CPC_OTHER_URN.match(urn) if isinstance(urn, str) else None
            if m:
                out["productCategoryCpc"] = m.group(1)
                msg = f"productCategoryCpc {_show(m.group(1))} derived from productClassifications[{i}] {_show(urn)}"
                self.emit(DERIVED, _ptr("productClassifications", i), "/productCategoryCpc", msg, clauses)
                return
        self.cpc_from_extension(out, clauses)

    def shifted(self, where: str, old: int, new: int, value: Any, clauses: tuple[str, ...]) -> None:
        """An array item that moved because an item before it was removed."""
        if old != new:
            name = where.rsplit("/", 1)[-1]
            msg = f"{name}[{old}] {_show(value)} moved to position {new} after an item before it was removed"
            self.emit(CONVERTED, f"{where}/{old}", f"{where}/{new}", msg, clauses)

    def cpc_from_extension(self, out: dict[str, Any], clauses: tuple[str, ...]) -> None:
        for index, entry in extension_entries(self.doc)[:1]:
            data = entry.get("data")
            found = data.get("classifications") if isinstance(data, dict) else None
            codes = found.get("cpc") if isinstance(found, dict) else None
            code = codes[0] if isinstance(codes, list) and codes else None
            if isinstance(code, str) and _CPC_CODE.match(code):
                out["productCategoryCpc"] = code
                src = _ptr("extensions", index, "data", "classifications", "cpc", 0)
                msg = f"productCategoryCpc {_show(code)} taken from the pcf-registry extension's classifications.cpc"
                self.emit(DERIVED, src, "/productCategoryCpc", msg, clauses)
                return
        self.emit(
            MISSING,
            "/productClassifications",
            "/productCategoryCpc",
            "productCategoryCpc is required in v2.3, but no UN CPC code (urn:cpc:...) is given in "
            "productClassifications "
            "or the extension; left absent",
            clauses,
        )

    def extensions(self, out: dict[str, Any], keep: bool) -> None:
        if keep:
            if "extensions" in self.doc:
                out["extensions"] = _clone(self.doc["extensions"])
            self.extension_scale_note()
            return
        rest, found = _without_extension(self.doc, EXTENSION_DROPPED, "PACT v2.3 footprint")
        self.findings.extend(found)
        if rest is not None:
            out["extensions"] = rest

    def extension_scale_note(self) -> None:
        """Our extension's stage and module values stay per the v3 declared unit; say so when v2's differs."""
        scale = self.scale
        if scale is None or scale.divisor is None or scale.divisor == 1:
            return
        for index, entry in extension_entries(self.doc)[:1]:
            data = entry.get("data")
            scaled = [k for k in ("stages", "modules") if isinstance(data, dict) and k in data]
            if scaled:
                where = _ptr("extensions", index, "data")
                self.emit(
                    UNSCALED,
                    where,
                    where,
                    f"the pcf-registry extension's {' and '.join(scaled)} values stay per {scale.label} (the v3 "
                    f"declared unit), while the v2 values are per 1 {scale.unit}",
                    (_ADR36,),
                )

    def extras(self, src: Mapping[str, Any], out: dict[str, Any], where: str, target: str, known: set[str]) -> None:
        """Properties that are not v3 fields: kept as they are (both versions allow additional properties)."""
        for key, value in src.items():
            if key in known:
                continue
            path, dst = where + _ptr(key), target + _ptr(key)
            if key in out:
                same = json.dumps(out[key], sort_keys=True) == json.dumps(value, sort_keys=True)
                rule, what = (
                    (MERGED, "its value equals the mapped one; kept once")
                    if same
                    else (DROPPED, f"{_show(value)} conflicts with the mapped value, which is kept")
                )
                self.emit(rule, path, dst, f"{key} is not a PACT v3 field; {what}", ())
                continue
            out[key] = _clone(value)
            self.emit(EXTRA, path, dst, f"{key} is not a PACT v3 field; kept unchanged as an additional property", ())

    # -- CarbonFootprint -------------------------------------------------------------------
    def carbon_footprint(self, pcf: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {k: _clone(pcf[k]) for k in _PCF_COPY if k in pcf}
        scale = self.scale = self.declared_unit(pcf, out)
        self.per_unit(pcf, out, scale)
        self.land_management(pcf, out, scale)
        for key in _NUMBERS:
            if key in pcf:
                self.number(pcf[key], out, key)
        for key in _PCF_EMPTY_DEFAULT:
            self.empty_default(pcf, out, "/pcf", key, f"{_TS23}, CarbonFootprint.{key}")
        self.packaging_flag(pcf, out)
        self.characterization(pcf, out)
        self.standards(pcf, out)
        for key in _V3_ONLY:
            if key in pcf:
                self.emit(
                    DROPPED,
                    _ptr("pcf", key),
                    "/pcf",
                    f"{key} {_show(pcf[key])} dropped: PACT v2.3 has no such field (added in v3)",
                    (_CHANGELOG,),
                )
        if "dqi" in pcf:
            self.dqi(pcf["dqi"])
        if "verification" in pcf:
            self.verification(pcf["verification"], out)
        self.extras(pcf, out, "/pcf", "/pcf", set(V3_PCF_FIELDS))
        return _ordered(out, V2_PCF_ORDER)

    def declared_unit(self, pcf: Mapping[str, Any], out: dict[str, Any]) -> _Scale:
        unit, amount = pcf.get("declaredUnitOfMeasurement"), pcf.get("declaredUnitAmount")
        label = f"{amount} {unit}" if isinstance(amount, str) and isinstance(unit, str) else "the v3 declared unit"
        if unit == "piece":
            scale = self.piece_to_kilogram(pcf, label)
        else:
            if unit in ("hour", "megabit second"):
                raise InputError(
                    f"declared unit {_show(unit)} has no PACT v2 equivalent (v2 units: {', '.join(V2_UNITS)})",
                    Location(pointer="/pcf/declaredUnitOfMeasurement"),
                )
            parsed = parse_decimal(amount)
            scale = _Scale(unit, amount, parsed if parsed is not None and parsed > 0 else None, label)
        for key, value in (("declaredUnit", scale.unit), ("unitaryProductAmount", scale.amount)):
            if value is not None:
                out[key] = _clone(value)
        return scale

    def piece_to_kilogram(self, pcf: Mapping[str, Any], label: str) -> _Scale:
        mass = parse_decimal(pcf.get("productMassPerDeclaredUnit"))
        if mass is None or mass <= 0:
            raise InputError(
                "declared unit 'piece' has no PACT v2 equivalent; it can be exported per kilogram only when "
                "productMassPerDeclaredUnit is a decimal greater than 0",
                Location(pointer="/pcf/declaredUnitOfMeasurement"),
            )
        kg = plain(mass)
        clauses = (f"{_TS3}, CarbonFootprint.productMassPerDeclaredUnit", f"{_TS23}, DeclaredUnit", _ADR36)
        self.emit(
            CONVERTED,
            "/pcf/declaredUnitOfMeasurement",
            "/pcf/declaredUnit",
            f"declared unit {label} (piece has no v2 equivalent) converted to kilogram: the declared unit weighs "
            f"{kg} kg (productMassPerDeclaredUnit), so unitaryProductAmount is {kg} and values are per 1 kilogram",
            clauses,
        )
        self.emit(
            CONVERTED,
            "/pcf/declaredUnitAmount",
            "/pcf/unitaryProductAmount",
            f"declaredUnitAmount {_show(pcf.get('declaredUnitAmount'))} (pieces) replaced by unitaryProductAmount "
            f"{_show(kg)} (kilograms)",
            clauses,
        )
        return _Scale("kilogram", kg, mass, label)

    def per_unit(self, pcf: Mapping[str, Any], out: dict[str, Any], scale: _Scale) -> None:
        """v3 values per declared unit (amount x unit) -> v2 values per 1 unit: divide by the amount (ADR-36)."""
        present = [k for k in _PER_UNIT if k in pcf]
        rescale = scale.divisor is not None and scale.divisor != 1
        clauses = (
            f"{_TS3}, CarbonFootprint.declaredUnitAmount",
            f"{_TS23}, CarbonFootprint.unitaryProductAmount",
            _ADR36,
        )
        if present and scale.divisor is None:
            self.emit(
                UNSCALED,
                "/pcf/declaredUnitAmount",
                "/pcf/unitaryProductAmount",
                f"declaredUnitAmount {_show(pcf.get('declaredUnitAmount'))} is not a positive decimal, so the values "
                f"per declared unit ({', '.join(present)}) were copied without rescaling",
                clauses,
            )
        for v3 in present:
            v2, value = _PER_UNIT[v3], pcf[v3]
            src, dst = _ptr("pcf", v3), _ptr("pcf", v2)
            new, note = _clone(value), ""
            parsed = parse_decimal(value)
            if rescale and scale.divisor is not None:
                if parsed is None:
                    msg = f"{v3} {_show(value)} is not a decimal, so it was not rescaled from per {scale.label}"
                    self.emit(UNSCALED, src, dst, msg, clauses)
                else:
                    quotient, exact = divide(parsed, scale.divisor)
                    new = plain(quotient)
                    unit = scale.unit if isinstance(scale.unit, str) else "declared unit"
                    rounded = "" if exact else " (rounded: the quotient does not terminate)"
                    note = f"rescaled from per {scale.label} to per 1 {unit}: {new}{rounded}"
            out[v2] = new
            renamed = f" renamed to {v2} and" if v2 != v3 else ""
            if v3 in _REMAPPED:
                self.emit(
                    REMAPPED,
                    src,
                    dst,
                    f"{v3} {_show(value)} moved to {v2}: {_REMAPPED[v3]}; {note or 'value kept'}",
                    (f"{_TS3}, CarbonFootprint.{v3}", _ADR45),
                )
            elif note:
                self.emit(
                    CONVERTED,
                    src,
                    dst,
                    f"{v3} {_show(value)}{renamed} {note}",
                    (f"{_TS3}, CarbonFootprint.{v3}", *clauses),
                )

    def land_management(self, pcf: Mapping[str, Any], out: dict[str, Any], scale: _Scale) -> None:
        """v3's three land management fields -> v2's one net value (their sum), per 1 declared unit."""
        present = [k for k in _LAND_MANAGEMENT if k in pcf]
        if not present:
            return
        clauses = (
            f"{_TS23}, CarbonFootprint.landManagementGhgEmissions",
            *(f"{_TS3}, CarbonFootprint.{k}" for k in present),
            _ADR45,
        )
        values = [parse_decimal(pcf[k]) for k in present]
        if scale.divisor is None or any(v is None for v in values):
            why = "declaredUnitAmount is not a positive decimal" if scale.divisor is None else "not all are decimals"
            for k in present:
                self.emit(
                    DROPPED,
                    _ptr("pcf", k),
                    "/pcf",
                    f"{k} {_show(pcf[k])} dropped: no net v2 landManagementGhgEmissions could be formed ({why})",
                    clauses,
                )
            return
        total = sum((v for v in values if v is not None), Decimal(0))
        net = plain(divide(total, scale.divisor)[0] if scale.divisor != 1 else total)
        out["landManagementGhgEmissions"] = net
        names = " + ".join(present)
        for k in present:
            self.emit(
                MERGED,
                _ptr("pcf", k),
                "/pcf/landManagementGhgEmissions",
                f"{k} {_show(pcf[k])} merged into the net v2 landManagementGhgEmissions = {names} = {net} "
                f"(per 1 {scale.unit}); the split into fossil, biogenic emissions and removals is lost",
                clauses,
            )

    def number(self, value: Any, out: dict[str, Any], key: str) -> None:
        number = _json_number(value) if isinstance(value, str) else None
        if number is None:
            out[key] = _clone(value)  # not a decimal string: left for v2 schema validation
            return
        out[key] = number
        if Decimal(repr(number)) != Decimal(value):
            self.emit(
                CONVERTED,
                _ptr("pcf", key),
                _ptr("pcf", key),
                f"{key} {_show(value)} written as the JSON number {number!r}, the nearest double",
                (),
            )

    def packaging_flag(self, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
        clauses = (f"{_TS23}, CarbonFootprint.packagingEmissionsIncluded",)
        if "packagingEmissionsIncluded" in pcf:
            out["packagingEmissionsIncluded"] = _clone(pcf["packagingEmissionsIncluded"])
        elif "packagingGhgEmissions" in pcf:
            out["packagingEmissionsIncluded"] = True
            self.emit(
                DERIVED,
                "/pcf/packagingGhgEmissions",
                "/pcf/packagingEmissionsIncluded",
                "packagingEmissionsIncluded absent in v3 and required in v2.3; set to true because "
                "packagingGhgEmissions is given (it must be undefined when the flag is false)",
                clauses,
            )
        else:
            self.emit(
                MISSING,
                "/pcf",
                "/pcf/packagingEmissionsIncluded",
                "packagingEmissionsIncluded absent in v3 and required in v2.3; it cannot be derived, so it "
                "is left absent",
                clauses,
            )

    def characterization(self, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
        clauses = (
            f"{_TS23}, CarbonFootprint.characterizationFactors",
            f"{_TS3}, CarbonFootprint.ipccCharacterizationFactors",
        )
        factors = pcf.get("ipccCharacterizationFactors")
        if factors is not None:
            out["ipccCharacterizationFactorsSources"] = _clone(factors)
        reports = [
            int(m.group(1))
            for f in (factors if isinstance(factors, list) else [])
            if isinstance(f, str) and (m := _AR.match(f))
        ]
        earliest = min(reports) if reports else None
        if earliest in (5, 6):
            out["characterizationFactors"] = f"AR{earliest}"
            self.emit(
                DERIVED,
                "/pcf/ipccCharacterizationFactors",
                "/pcf/characterizationFactors",
                f"characterizationFactors (deprecated, still required by v2.3) set to AR{earliest}, the "
                "earliest IPCC report listed in ipccCharacterizationFactors",
                clauses,
            )
        else:
            why = "none is listed" if earliest is None else f"the earliest listed is AR{earliest}"
            self.emit(
                MISSING,
                "/pcf/ipccCharacterizationFactors",
                "/pcf/characterizationFactors",
                f"characterizationFactors must be AR5 or AR6, the earliest report used, and {why}; left absent",
                clauses,
            )

    def standards(self, pcf: Mapping[str, Any], out: dict[str, Any]) -> None:
        clauses = (
            f"{_TS23}, CarbonFootprint.crossSectoralStandards",
            f"{_TS23}, CarbonFootprint.crossSectoralStandardsUsed",
        )
        values = pcf.get("crossSectoralStandards")
        if values is not None and not isinstance(values, list):
            out["crossSectoralStandards"] = _clone(values)  # malformed: left for v2 schema validation
        kept: list[Any] = []
        for i, value in enumerate(values if isinstance(values, list) else []):
            if value in V23_STANDARDS:
                kept.append(value)
                self.shifted("/pcf/crossSectoralStandards", i, len(kept) - 1, value, clauses)
                continue
            self.emit(
                DROPPED,
                _ptr("pcf", "crossSectoralStandards", i),
                "/pcf",
                f"crossSectoralStandards[{i}] {_show(value)} dropped: not a value of the v2.3 list "
                f"({', '.join(V23_STANDARDS)})",
                clauses,
            )
        if kept:
            out["crossSectoralStandards"] = kept
        used = list(dict.fromkeys(_STANDARDS_USED[v] for v in kept if v in _STANDARDS_USED))
        if used:
            out["crossSectoralStandardsUsed"] = used
            self.emit(
                DERIVED,
                "/pcf/crossSectoralStandards",
                "/pcf/crossSectoralStandardsUsed",
                f"crossSectoralStandardsUsed (deprecated, still required by v2.3) set to {_show(used)}, the "
                "v2.0 spellings of the standards listed in crossSectoralStandards",
                clauses,
            )
        else:
            self.emit(
                MISSING,
                "/pcf/crossSectoralStandards",
                "/pcf/crossSectoralStandardsUsed",
                "crossSectoralStandardsUsed is required by v2.3 and can only name the GHG Protocol Product "
                "standard, ISO 14067 or ISO 14044, none of which is listed; left absent",
                clauses,
            )

    def dqi(self, dqi: Any) -> None:
        shown = {k: dqi[k] for k in V3_DQI_FIELDS if k in dqi} if isinstance(dqi, Mapping) else dqi
        self.emit(
            DROPPED,
            "/pcf/dqi",
            "/pcf",
            f"dqi {_show(shown, 160)} dropped: a v2 dqi requires coveragePercent, completenessDQR and reliabilityDQR, "
            "which v3 does not have, and rates on a scale of 1 to 3 where v3 rates 1 to 5, with no published "
            "conversion between the scales",
            (f"{_TS23}, DataQualityIndicators", f"{_TS3}, DataQualityIndicators", _CHANGELOG),
        )

    def verification(self, ver: Any, out: dict[str, Any]) -> None:
        clauses = (f"{_TS23}, Assurance", f"{_TS3}, Verification", _ADR44)
        if not isinstance(ver, Mapping):
            out["assurance"] = _clone(ver)  # malformed: left for v2 schema validation
            return
        new: dict[str, Any] = {"assurance": True}
        self.emit(
            DEFAULTED,
            "/pcf/verification",
            "/pcf/assurance/assurance",
            "assurance flag set to true: a v3 verification states that the footprint was verified",
            clauses,
        )
        coverage = ver.get("coverage")
        if isinstance(coverage, str) and coverage in _COVERAGE:
            mapped = _COVERAGE[coverage]
            if mapped is None:
                self.emit(
                    DROPPED,
                    "/pcf/verification/coverage",
                    "/pcf/assurance",
                    f"verification.coverage {_show(coverage)} dropped: v2 Assurance.coverage has no equivalent",
                    clauses,
                )
            else:
                new["coverage"] = mapped
                if mapped != coverage:
                    self.emit(
                        CONVERTED,
                        "/pcf/verification/coverage",
                        "/pcf/assurance/coverage",
                        f"verification.coverage {_show(coverage)} converted to {_show(mapped)} (the inverse of "
                        "the upgrade's reading; PACT gives no official mapping)",
                        clauses,
                    )
        elif "coverage" in ver:
            new["coverage"] = _clone(coverage)
        new.update((k, _clone(ver[k])) for k in _VERIFICATION_COPY if k in ver)
        if "providerName" not in ver:
            self.emit(
                MISSING,
                "/pcf/verification",
                "/pcf/assurance/providerName",
                "providerName is required in a v2 assurance and absent from the v3 verification; left absent",
                clauses,
            )
        self.extras(ver, new, "/pcf/verification", "/pcf/assurance", set(V3_VERIFICATION_FIELDS))
        out["assurance"] = new
