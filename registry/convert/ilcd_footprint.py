"""ILCD+EPD to PACT v3: the ProductFootprint fields (identity, validity, company, product).

Part of :mod:`registry.convert.ilcd`; the mapping is documented in ``docs/ilcd-mapping.md``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from registry.convert.ilcd_findings import CONVERTED, DEFAULTED, DOUBT, DROPPED, ILCD_EPD, MISSING, REMAPPED, Notes, pf
from registry.convert.ilcd_read import Process, Sourced
from registry.errors import InputError, Location

__all__ = ["identity", "product"]

_DATE: Final = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})")
_YEAR: Final = re.compile(r"^[0-9]{4}$")
_GTIN: Final = re.compile(r"^([0-9]{8}|[0-9]{12,14})$")


def identity(doc: dict[str, Any], proc: Process, now: datetime, notes: Notes) -> None:
    """id, precedingPfIds, created, status, validity, company and comment."""
    doc["id"] = _uuid(proc.uuid, proc.source, "the data set UUID")
    notes.add(
        REMAPPED,
        "/id",
        proc.uuid.xpath,
        "id is the ILCD data set UUID, which all versions of the data set share, while PACT v3 gives each "
        "version a new id: " + DOUBT,
        pf("id"),
    )
    preceding = proc.preceding
    if preceding is not None and preceding.uuid:
        if preceding.uuid.lower() == doc["id"].lower():
            notes.add(
                DROPPED,
                "/precedingPfIds",
                preceding.xpath,
                f"preceding data set version {preceding.version} has the same UUID; PACT v3 gives every "
                "version a new id, so it cannot be listed",
                pf("precedingPfIds"),
            )
        elif _is_uuid(preceding.uuid):
            doc["precedingPfIds"] = [preceding.uuid]
            notes.add(
                REMAPPED,
                "/precedingPfIds/0",
                preceding.xpath,
                f"the preceding ILCD data set ({preceding.uuid}, version {preceding.version}) is listed as "
                "preceding footprint",
                pf("precedingPfIds"),
            )
    doc["created"] = _timestamp(now)
    notes.add(DEFAULTED, "/created", proc.root_xpath, "created is the time of conversion", pf("created"))
    doc["status"] = "Active"
    notes.add(DEFAULTED, "/status", proc.root_xpath, "status set to Active: ILCD has no status", pf("status"))
    _validity(doc, proc, notes)
    _company(doc, proc, notes)
    doc["comment"] = _comment(proc, notes)


def _timestamp(now: datetime) -> str:
    """RFC 3339 in UTC, whole seconds; a naive ``now`` is taken as UTC."""
    aware = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid(value: Sourced, source: str, what: str) -> str:
    if not _is_uuid(value.text):
        raise InputError(f"{what} is {value.text!r}, not a UUID", Location(source, value.line, None, value.xpath))
    return value.text


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


def _validity(doc: dict[str, Any], proc: Process, notes: Notes) -> None:
    start = _date(proc.publication_date, "/validityPeriodStart", notes)
    if start is not None and proc.publication_date is not None:
        doc["validityPeriodStart"] = f"{start.isoformat()}T00:00:00Z"
        notes.add(
            CONVERTED,
            "/validityPeriodStart",
            proc.publication_date.xpath,
            f"publication date {start} taken as the start of validity",
            pf("validityPeriodStart"),
        )
    end = _date(proc.expiration_date, "/validityPeriodEnd", notes)
    if end is not None and proc.expiration_date is not None:
        doc["validityPeriodEnd"] = f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z"
        also = f"; dataSetValidUntil {proc.valid_until.text} not used" if proc.valid_until else ""
        notes.add(
            CONVERTED,
            "/validityPeriodEnd",
            proc.expiration_date.xpath,
            f"EPD valid until {end} (inclusive): validity ends at the start of the next day{also}",
            pf("validityPeriodEnd"),
        )
    elif proc.valid_until is not None and _YEAR.match(proc.valid_until.text):
        doc["validityPeriodEnd"] = f"{int(proc.valid_until.text) + 1:04d}-01-01T00:00:00Z"
        notes.add(
            CONVERTED,
            "/validityPeriodEnd",
            proc.valid_until.xpath,
            f"data set valid until {proc.valid_until.text} (a year): validity ends when that year ends; " + DOUBT,
            pf("validityPeriodEnd"),
        )
    elif proc.valid_until is not None:
        notes.add(
            DROPPED,
            "/validityPeriodEnd",
            proc.valid_until.xpath,
            f"dataSetValidUntil {proc.valid_until.text!r} is not a year",
            pf("validityPeriodEnd"),
        )


def _date(value: Sourced | None, path: str, notes: Notes) -> date | None:
    if value is None:
        return None
    match = _DATE.match(value.text)
    try:
        if match:
            return date.fromisoformat(match.group(1))
    except ValueError:
        pass
    notes.add(DROPPED, path, value.xpath, f"{value.text!r} is not a date (YYYY-MM-DD)", ILCD_EPD)
    return None


def _company(doc: dict[str, Any], proc: Process, notes: Notes) -> None:
    owner = proc.owner
    where = owner.xpath if owner else f"{proc.root_xpath}/administrativeInformation/publicationAndOwnership"
    if owner is not None and owner.name:
        doc["companyName"] = owner.name
        notes.add(
            REMAPPED,
            "/companyName",
            owner.xpath,
            "company name is the short description of the data set owner's contact reference",
            pf("companyName"),
        )
    else:
        notes.add(
            MISSING, "/companyName", where, "no owner of the data set named: companyName left absent", pf("companyName")
        )
    if owner is not None and owner.uuid and _is_uuid(owner.uuid):
        doc["companyIds"] = [f"urn:uuid:{owner.uuid.lower()}"]
        notes.add(
            CONVERTED,
            "/companyIds/0",
            owner.xpath,
            "company id is the owner's ILCD contact data set UUID as a urn:uuid URN (RFC 4122)",
            pf("companyIds"),
        )
    else:
        notes.add(
            MISSING, "/companyIds", where, "no owner contact data set UUID: companyIds left absent", pf("companyIds")
        )


def _comment(proc: Process, notes: Notes) -> str:
    parts = [f"Converted from ILCD+EPD process data set {proc.uuid.text}"]
    if proc.version is not None:
        parts.append(f"version {proc.version.text}")
        notes.add(
            CONVERTED,
            "/comment",
            proc.version.xpath,
            "data set version has no PACT v3 field (a new version gets a new id): kept in comment",
            pf("comment"),
        )
    if proc.registration_number is not None:
        parts.append(f"registration number {proc.registration_number.text}")
        notes.add(
            CONVERTED,
            "/comment",
            proc.registration_number.xpath,
            "EPD registration number kept in comment",
            pf("comment"),
        )
    if proc.epd_version:
        parts.append(f"EPD data format {proc.epd_version}")
    return ", ".join(parts) + "."


def product(doc: dict[str, Any], proc: Process, notes: Notes) -> None:
    """productDescription, productNameCompany and productIds."""
    described = proc.general_comment or proc.name
    if described is not None:
        doc["productDescription"] = described.text
        what = "the general comment" if proc.general_comment else "the product name (no general comment)"
        notes.add(
            REMAPPED, "/productDescription", described.xpath, f"product description is {what}", pf("productDescription")
        )
    else:
        notes.add(
            MISSING,
            "/productDescription",
            proc.root_xpath,
            "no name or comment to describe the product",
            pf("productDescription"),
        )
    if proc.name is not None:
        doc["productNameCompany"] = proc.name.text
    else:
        notes.add(
            MISSING, "/productNameCompany", proc.root_xpath, "the data set has no baseName", pf("productNameCompany")
        )
    for part in proc.other_name_parts:
        notes.add(
            DROPPED,
            "/productNameCompany",
            part.xpath,
            f"name part {part.text!r} not carried over",
            pf("productNameCompany"),
        )
    if proc.classification is not None:
        notes.add(
            DROPPED,
            "/productClassifications",
            proc.classification.xpath,
            f"ILCD classification {proc.classification.text!r} has no URN form: not carried over",
            pf("productClassifications"),
        )
    doc["productIds"] = _product_ids(proc, notes)


def _product_ids(proc: Process, notes: Notes) -> list[str]:
    flow = proc.reference_flow
    ids = [f"urn:uuid:{(flow.uuid or '').lower()}"]
    notes.add(
        CONVERTED,
        "/productIds/0",
        flow.xpath,
        "product id is the reference product flow data set's UUID as a urn:uuid URN (RFC 4122)",
        pf("productIds"),
    )
    for kind, value in proc.product_ids:
        if kind.upper() == "GTIN" and _GTIN.match(value.text) and f"urn:gtin:{value.text}" not in ids:
            ids.append(f"urn:gtin:{value.text}")
            notes.add(
                CONVERTED,
                f"/productIds/{len(ids) - 1}",
                value.xpath,
                f"GTIN {value.text} written as urn:gtin:{value.text} [unchecked: URN form]",
                pf("productIds"),
            )
        else:
            notes.add(
                DROPPED,
                "/productIds",
                value.xpath,
                f"product id {value.text!r} of type {kind or '?'} has no URN form here",
                pf("productIds"),
            )
    return ids
