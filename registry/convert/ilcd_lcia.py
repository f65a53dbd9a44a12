"""Reading an ILCD LCIA method data set: its identity and its characterisation factors, each sourced.

Parsed by the hardened reader (:mod:`registry.convert.xmlsafe`); every factor keeps the readable
XPath and line of its ``<factor>`` element, so an importer can cite it, and a bad number is an
:class:`~registry.errors.InputError` naming the element. The flows a factor names are read with
:func:`registry.convert.ilcd_read.read_flow` (for their names).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from lxml import etree

from registry.convert import xmlsafe
from registry.convert.ilcd_read import Sourced, to_decimal
from registry.convert.ilcd_tables import COMMON, XML
from registry.errors import InputError, Location

LCIA: Final = "http://lca.jrc.it/ILCD/LCIAMethod"
LCIA_PREFIXES: Final = {LCIA: "", COMMON: "common"}

__all__ = ["LCIA", "CharacterisationFactor", "LciaMethod", "read_lcia_method"]


@dataclass(frozen=True)
class CharacterisationFactor:
    flow_uuid: str
    flow_name: str | None  # the reference's shortDescription, when given
    direction: str | None
    location: str | None
    value: Decimal
    xpath: str
    line: int | None


@dataclass(frozen=True)
class LciaMethod:
    source: str
    uuid: str
    name: str | None
    reference_quantity: str | None  # the referenceQuantity's shortDescription ("kg CO2 eq")
    factors: tuple[CharacterisationFactor, ...]


def _q(ns: str, path: str) -> str:
    return "/".join(
        xmlsafe.clark(ns if not step.startswith("common:") else COMMON, step.removeprefix("common:"))
        for step in path.split("/")
    )


def _text(el: etree._Element | None) -> str | None:
    text = (el.text or "").strip() if el is not None else ""
    return text or None


def _english(el: etree._Element, path: str) -> str | None:
    found = [c for c in el.iterfind(_q(LCIA, path)) if _text(c)]
    english = [c for c in found if c.get(xmlsafe.clark(XML, "lang")) == "en"]
    chosen = english or found
    return _text(chosen[0]) if chosen else None


def _factor(el: etree._Element, source: str) -> CharacterisationFactor:
    path = xmlsafe.readable_path(el, LCIA_PREFIXES)
    ref = el.find(_q(LCIA, "referenceToFlowDataSet"))
    uuid = (ref.get("refObjectId") or "").strip() if ref is not None else ""
    if not uuid:
        where = f"{path}/referenceToFlowDataSet"
        raise InputError(
            "a factor names no flow (referenceToFlowDataSet/@refObjectId)",
            Location(source, xmlsafe.line_of(el), None, where),
        )
    mean = el.find(_q(LCIA, "meanValue"))
    if _text(mean) is None or mean is None:
        raise InputError("a factor has no meanValue", Location(source, xmlsafe.line_of(el), None, f"{path}/meanValue"))
    sourced = Sourced(_text(mean) or "", f"{path}/meanValue", xmlsafe.line_of(mean))
    return CharacterisationFactor(
        flow_uuid=uuid,
        flow_name=_english(ref, "common:shortDescription") if ref is not None else None,
        direction=_text(el.find(_q(LCIA, "exchangeDirection"))),
        location=_text(el.find(_q(LCIA, "location"))),
        value=to_decimal(sourced, source=source, what="meanValue"),
        xpath=path,
        line=xmlsafe.line_of(el),
    )


def read_lcia_method(data: bytes, *, source: str) -> LciaMethod:
    """An LCIA method data set's identity and characterisation factors, or an InputError naming the element."""
    root = xmlsafe.parse(data, source=source, expected_root=(xmlsafe.clark(LCIA, "LCIAMethodDataSet"),))
    info = root.find(_q(LCIA, "LCIAMethodInformation/dataSetInformation"))
    uuid = _text(info.find(_q(LCIA, "common:UUID"))) if info is not None else None
    if info is None or uuid is None:
        raise InputError(
            "the LCIA method data set has no UUID",
            Location(
                source,
                xmlsafe.line_of(root),
                None,
                "/LCIAMethodDataSet/LCIAMethodInformation/dataSetInformation/common:UUID",
            ),
        )
    quantity = root.find(_q(LCIA, "LCIAMethodInformation/quantitativeReference/referenceQuantity"))
    factors = tuple(_factor(el, source) for el in root.iterfind(_q(LCIA, "characterisationFactors/factor")))
    if not factors:
        raise InputError(
            "the LCIA method data set has no characterisation factors", Location(source, xmlsafe.line_of(root))
        )
    return LciaMethod(
        source=source,
        uuid=uuid,
        name=_english(info, "common:name"),
        reference_quantity=_english(quantity, "common:shortDescription") if quantity is not None else None,
        factors=factors,
    )
