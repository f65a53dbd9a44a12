"""Reading ILCD+EPD process and flow data sets into plain frozen records.

Every value keeps where it came from: a readable XPath (prefixes as in
:data:`~registry.convert.ilcd_tables.PROCESS_PREFIXES`) and its line, so that findings
and errors can name the source element. Elements are matched by namespace URI, so
ILCD+EPD v1.1, v1.2 and v1.3 data sets (and inline namespace declarations) read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final

from lxml import etree

from registry.convert import xmlsafe
from registry.convert.ilcd_tables import COMMON, EPD, EPD2, EPD24, FLOW, FLOW_PREFIXES, PROCESS, PROCESS_PREFIXES, XML
from registry.errors import InputError, Location

__all__ = [
    "Amount",
    "Flow",
    "FlowProperty",
    "Process",
    "Ref",
    "Result",
    "Scenario",
    "Sourced",
    "plain_decimal",
    "read_flow",
    "read_process",
    "to_decimal",
]

_NS: Final = {"p": PROCESS, "c": COMMON, "f": FLOW, "epd": EPD, "epd2": EPD2, "epd24": EPD24}
_NUMBER: Final = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_PLAIN: Final = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
_MAX_EXPONENT: Final = 300


@dataclass(frozen=True)
class Sourced:
    """A text value and where it sits in the source."""

    text: str
    xpath: str
    line: int | None


@dataclass(frozen=True)
class Ref:
    """A global reference (``refObjectId``, ``version``, ``shortDescription``)."""

    uuid: str | None
    version: str | None
    name: str | None
    xpath: str


@dataclass(frozen=True)
class Amount:
    """One ``epd:amount``: a module's value, empty text meaning "not declared"."""

    module: str
    scenario: str | None
    text: str
    xpath: str
    line: int | None


@dataclass(frozen=True)
class Result:
    """One ``LCIAResult`` with its per-module amounts."""

    method: Ref
    unit_group: Ref | None
    amounts: tuple[Amount, ...]
    xpath: str


@dataclass(frozen=True)
class Scenario:
    name: str
    group: str | None
    default: bool


@dataclass(frozen=True)
class Process:
    source: str
    root_xpath: str
    uuid: Sourced
    version: Sourced | None
    name: Sourced | None
    other_name_parts: tuple[Sourced, ...]
    general_comment: Sourced | None
    classification: Sourced | None
    reference_year: Sourced | None
    valid_until: Sourced | None
    publication_date: Sourced | None
    expiration_date: Sourced | None
    location: Sourced | None
    reference_flow: Ref
    reference_amount: Sourced
    owner: Ref | None
    authority: Ref | None
    publisher: Ref | None
    preceding: Ref | None
    pcr: Ref | None
    registration_number: Sourced | None
    compliance: tuple[Ref, ...]
    product_ids: tuple[tuple[str, Sourced], ...]
    scenarios: tuple[Scenario, ...]
    results: tuple[Result, ...]
    inventory: tuple[Ref, ...]
    epd_version: str | None


@dataclass(frozen=True)
class FlowProperty:
    internal_id: str | None
    ref: Ref
    mean_value: Sourced | None


@dataclass(frozen=True)
class Flow:
    source: str
    root_xpath: str
    uuid: Sourced
    name: Sourced | None
    reference_property: Sourced | None
    properties: tuple[FlowProperty, ...]


# --- element access --------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _clark_path(path: str) -> str:
    """``p:a/c:b`` -> ``{uri}a/{uri}b`` (lxml ElementPath)."""
    steps = []
    for step in path.split("/"):
        prefix, _, local = step.partition(":")
        steps.append(xmlsafe.clark(_NS[prefix], local))
    return "/".join(steps)


def _find(el: etree._Element, path: str) -> etree._Element | None:
    return el.find(_clark_path(path))


def _findall(el: etree._Element, path: str) -> list[etree._Element]:
    return list(el.iterfind(_clark_path(path)))


def _attr(el: etree._Element, ns: str | None, name: str) -> str | None:
    value = el.get(xmlsafe.clark(ns, name) if ns else name)
    return value.strip() if value is not None else None


class _Reader:
    def __init__(self, source: str, prefixes: dict[str, str]) -> None:
        self.source = source
        self.prefixes = prefixes

    def path(self, el: etree._Element) -> str:
        return xmlsafe.readable_path(el, self.prefixes)

    def sourced(self, el: etree._Element | None) -> Sourced | None:
        if el is None:
            return None
        text = (el.text or "").strip()
        return Sourced(text, self.path(el), xmlsafe.line_of(el)) if text else None

    def text(self, el: etree._Element, path: str) -> Sourced | None:
        return self.sourced(_find(el, path))

    def localised(self, el: etree._Element, path: str) -> Sourced | None:
        """The English variant of a multilingual element, else the first non-empty one."""
        candidates = [c for c in _findall(el, path) if (c.text or "").strip()]
        for c in candidates:
            if c.get(xmlsafe.clark(XML, "lang")) == "en":
                return self.sourced(c)
        return self.sourced(candidates[0]) if candidates else None

    def ref(self, el: etree._Element | None) -> Ref | None:
        if el is None:
            return None
        name = self.localised(el, "c:shortDescription")
        return Ref(
            _attr(el, None, "refObjectId"), _attr(el, None, "version"), name.text if name else None, self.path(el)
        )

    def required(self, el: etree._Element, path: str, what: str) -> Sourced:
        found = self.text(el, path)
        if found is None:
            where = f"{self.path(el)}/{self.display(path)}"
            raise InputError(
                f"{what} is missing or empty ({where})", Location(self.source, xmlsafe.line_of(el), None, where)
            )
        return found

    def display(self, path: str) -> str:
        """``p:a/c:b`` with this reader's display prefixes."""
        steps = []
        for step in path.split("/"):
            short, _, local = step.partition(":")
            prefix = self.prefixes.get(_NS[short], "")
            steps.append(f"{prefix}:{local}" if prefix else local)
        return "/".join(steps)


# --- process data set --------------------------------------------------------------------------
def read_process(data: bytes, *, source: str) -> Process:
    root = xmlsafe.parse(data, source=source, expected_root=(xmlsafe.clark(PROCESS, "processDataSet"),))
    r = _Reader(source, PROCESS_PREFIXES)
    info = _find(root, "p:processInformation")
    if info is None:
        raise InputError("process data set has no processInformation", Location(source, xmlsafe.line_of(root)))
    dsi = _find(info, "p:dataSetInformation")
    if dsi is None:
        raise InputError("process data set has no dataSetInformation", Location(source, xmlsafe.line_of(info)))
    admin = _find(root, "p:administrativeInformation/p:publicationAndOwnership")
    lci = _find(root, "p:modellingAndValidation/p:LCIMethodAndAllocation")
    flow, amount = _reference_exchange(root, info, r)
    return Process(
        source=source,
        root_xpath=r.path(root),
        uuid=r.required(dsi, "c:UUID", "the data set UUID"),
        version=r.text(admin, "c:dataSetVersion") if admin is not None else None,
        name=r.localised(dsi, "p:name/p:baseName"),
        other_name_parts=_other_name_parts(dsi, r),
        general_comment=r.localised(dsi, "c:generalComment"),
        classification=_classification(dsi, r),
        reference_year=r.text(info, "p:time/c:referenceYear"),
        valid_until=r.text(info, "p:time/c:dataSetValidUntil"),
        publication_date=r.text(info, "p:time/c:other/epd2:publicationDateOfEPD"),
        expiration_date=r.text(info, "p:time/c:other/epd24:expirationDateOfEPD"),
        location=_location(info, r),
        reference_flow=flow,
        reference_amount=amount,
        owner=r.ref(_find(admin, "c:referenceToOwnershipOfDataSet")) if admin is not None else None,
        authority=r.ref(_find(admin, "c:referenceToRegistrationAuthority")) if admin is not None else None,
        publisher=r.ref(_find(admin, "c:other/epd2:referenceToPublisher")) if admin is not None else None,
        preceding=r.ref(_find(admin, "c:referenceToPrecedingDataSetVersion")) if admin is not None else None,
        pcr=r.ref(_find(lci, "p:referenceToLCAMethodDetails")) if lci is not None else None,
        registration_number=r.text(admin, "c:registrationNumber") if admin is not None else None,
        compliance=_compliance(root, r),
        product_ids=_product_ids(dsi, r),
        scenarios=_scenarios(dsi),
        results=tuple(_result(el, r) for el in _findall(root, "p:LCIAResults/p:LCIAResult")),
        inventory=_inventory(root, r),
        epd_version=_attr(root, EPD2, "epd-version"),
    )


def _reference_exchange(root: etree._Element, info: etree._Element, r: _Reader) -> tuple[Ref, Sourced]:
    ref_id = r.required(info, "p:quantitativeReference/p:referenceToReferenceFlow", "the reference flow")
    for exchange in _findall(root, "p:exchanges/p:exchange"):
        if _attr(exchange, None, "dataSetInternalID") != ref_id.text:
            continue
        flow = r.ref(_find(exchange, "p:referenceToFlowDataSet"))
        if flow is None or not flow.uuid:
            raise InputError(
                f"the reference exchange {ref_id.text} names no flow data set (referenceToFlowDataSet/@refObjectId)",
                Location(r.source, xmlsafe.line_of(exchange), None, r.path(exchange)),
            )
        return flow, r.required(exchange, "p:meanAmount", "the reference flow amount (meanAmount)")
    raise InputError(
        f"the reference flow {ref_id.text!r} matches no exchange's dataSetInternalID",
        Location(r.source, ref_id.line, None, ref_id.xpath),
    )


def _inventory(root: etree._Element, r: _Reader) -> tuple[Ref, ...]:
    """Exchanges that carry module amounts (EN 15804 inventory indicators), as flow references."""
    out: list[Ref] = []
    for exchange in _findall(root, "p:exchanges/p:exchange"):
        if _find(exchange, "c:other/epd:amount") is None:
            continue
        flow = r.ref(_find(exchange, "p:referenceToFlowDataSet"))
        out.append(Ref(flow.uuid if flow else None, None, flow.name if flow else None, r.path(exchange)))
    return tuple(out)


def _other_name_parts(dsi: etree._Element, r: _Reader) -> tuple[Sourced, ...]:
    parts = ("treatmentStandardsRoutes", "mixAndLocationTypes", "functionalUnitFlowProperties")
    found = (r.localised(dsi, f"p:name/p:{p}") for p in parts)
    return tuple(s for s in found if s is not None)


def _classification(dsi: etree._Element, r: _Reader) -> Sourced | None:
    first = _find(dsi, "p:classificationInformation/c:classification")
    if first is None:
        return None
    classes = [(c.text or "").strip() for c in _findall(first, "c:class")]
    text = " > ".join(c for c in classes if c)
    return Sourced(text, r.path(first), xmlsafe.line_of(first)) if text else None


def _location(info: etree._Element, r: _Reader) -> Sourced | None:
    el = _find(info, "p:geography/p:locationOfOperationSupplyOrProduction")
    code = _attr(el, None, "location") if el is not None else None
    if el is None or not code:
        return None
    return Sourced(code, r.path(el) + "/@location", xmlsafe.line_of(el))


def _compliance(root: etree._Element, r: _Reader) -> tuple[Ref, ...]:
    path = "p:modellingAndValidation/p:complianceDeclarations/p:compliance/c:referenceToComplianceSystem"
    refs = (r.ref(el) for el in _findall(root, path))
    return tuple(ref for ref in refs if ref is not None)


def _product_ids(dsi: etree._Element, r: _Reader) -> tuple[tuple[str, Sourced], ...]:
    out: list[tuple[str, Sourced]] = []
    for el in _findall(dsi, "c:other/epd24:productIds/epd24:productId"):
        value = r.sourced(el)
        if value is not None:
            out.append((_attr(el, EPD24, "type") or "", value))
    return tuple(out)


def _scenarios(dsi: etree._Element) -> tuple[Scenario, ...]:
    out: list[Scenario] = []
    for el in _findall(dsi, "c:other/epd:scenarios/epd:scenario"):
        name = _attr(el, EPD, "name")
        if name:
            out.append(Scenario(name, _attr(el, EPD, "group"), _attr(el, EPD, "default") == "true"))
    return tuple(out)


def _result(el: etree._Element, r: _Reader) -> Result:
    method = r.ref(_find(el, "p:referenceToLCIAMethodDataSet")) or Ref(None, None, None, r.path(el))
    unit = r.ref(_find(el, "c:other/epd:referenceToUnitGroupDataSet"))
    amounts = _findall(el, "c:other/epd:amount")
    return Result(method, unit, tuple(_amount(a, amounts, r) for a in amounts), r.path(el))


def _amount(el: etree._Element, siblings: list[etree._Element], r: _Reader) -> Amount:
    module = _attr(el, EPD, "module") or ""
    scenario = _attr(el, EPD, "scenario")
    parent = el.getparent()
    assert parent is not None  # found below common:other
    return Amount(
        module, scenario, (el.text or "").strip(), f"{r.path(parent)}/{_amount_step(el, siblings)}", xmlsafe.line_of(el)
    )


def _amount_step(el: etree._Element, siblings: list[etree._Element]) -> str:
    """``epd:amount[@epd:module='A4'][@epd:scenario='x']``, or a position when not unique."""
    module, scenario = _attr(el, EPD, "module"), _attr(el, EPD, "scenario")
    key = (module, scenario)
    unique = sum(1 for s in siblings if (_attr(s, EPD, "module"), _attr(s, EPD, "scenario")) == key) == 1
    literals = [_literal(v) for v in (module, scenario) if v is not None]
    if not unique or module is None or None in literals:
        return f"epd:amount[{siblings.index(el) + 1}]"
    step = f"epd:amount[@epd:module={literals[0]}]"
    return step + (f"[@epd:scenario={literals[1]}]" if scenario is not None else "")


def _literal(value: str) -> str | None:
    if "'" not in value:
        return f"'{value}'"
    return f'"{value}"' if '"' not in value else None


# --- flow data set -------------------------------------------------------------------------------
def read_flow(data: bytes, *, source: str) -> Flow:
    root = xmlsafe.parse(data, source=source, expected_root=(xmlsafe.clark(FLOW, "flowDataSet"),))
    r = _Reader(source, FLOW_PREFIXES)
    info = _find(root, "f:flowInformation")
    if info is None:
        raise InputError("flow data set has no flowInformation", Location(source, xmlsafe.line_of(root)))
    properties = []
    for el in _findall(root, "f:flowProperties/f:flowProperty"):
        ref = r.ref(_find(el, "f:referenceToFlowPropertyDataSet")) or Ref(None, None, None, r.path(el))
        properties.append(FlowProperty(_attr(el, None, "dataSetInternalID"), ref, r.text(el, "f:meanValue")))
    return Flow(
        source=source,
        root_xpath=r.path(root),
        uuid=r.required(info, "f:dataSetInformation/c:UUID", "the flow data set UUID"),
        name=r.localised(info, "f:dataSetInformation/f:name/f:baseName"),
        reference_property=r.text(info, "f:quantitativeReference/f:referenceToReferenceFlowProperty"),
        properties=tuple(properties),
    )


# --- numbers -------------------------------------------------------------------------------------
def to_decimal(value: Sourced, *, source: str, what: str) -> Decimal:
    """The exact value of an ILCD number (``.`` as decimal separator, exponent allowed)."""
    text = value.text
    if not _NUMBER.match(text):
        raise InputError(f"{what} is {text!r}, not a decimal number", Location(source, value.line, None, value.xpath))
    try:
        number = Decimal(text)
    except InvalidOperation as e:  # pragma: no cover - the pattern admits only valid literals
        raise InputError(f"{what} is {text!r}, not a decimal number", Location(source, value.line)) from e
    if number and abs(number.adjusted()) > _MAX_EXPONENT:
        raise InputError(
            f"{what} is {text!r}, outside the range this converter accepts (exponent beyond ±{_MAX_EXPONENT})",
            Location(source, value.line, None, value.xpath),
        )
    return number


def plain_decimal(value: Sourced, *, source: str, what: str) -> str:
    """The number as a PACT decimal string: the source text when already plain, else exact."""
    number = to_decimal(value, source=source, what=what)
    if _PLAIN.match(value.text):
        return value.text
    return format(number, "f")
