"""What a JSON file holds: one PACT footprint, several, an API envelope around them, or no PACT at all.

PACT clients receive footprints wrapped: ``GET /footprints/{id}`` answers ``{"data": PF}``,
``GET /footprints`` answers ``{"data": [PF, ...]}`` (PACT Tech Specs v2.0-v3.0, HTTP REST API),
and an asynchronous request is fulfilled by a CloudEvent whose ``data.pfs`` lists them
(PACT Tech Specs, Action Events). :func:`unwrap` finds each footprint with its JSON pointer
into the file; :func:`check_pact` says, in one :class:`~registry.errors.NotAFootprint`, when a
document is not a PACT v2 or v3 ProductFootprint at all (no ``specVersion``, PACT 1.x, openEPD,
ILCD as JSON, a Catena-X payload) instead of letting the schema list every missing property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from registry.errors import Location, NotAFootprint

ENVELOPE_CLAUSE: Final = "PACT Tech Specs v3.0, HTTP REST API (ListFootprints, GetFootprint) and Action Events"
_VERSION: Final = re.compile(r"^\s*(\d+)\.\d+\.\d+")

# Members that name a format other than PACT, checked in order: (member, what the document looks like).
_LOOKALIKES: Final = (
    ("processInformation", "an ILCD process data set written as JSON"),
    ("openepd_version", "an openEPD document"),
    ("declared_unit", "an openEPD document"),
    ("productLifeCycleStagesAndEmissions", "a Catena-X PCF payload"),
    ("productFootprint", "a Catena-X PCF payload"),
    ("carbonContent", "a Catena-X PCF payload"),
    ("pcfValues", "a Catena-X PCF payload (battery component supplier)"),
    ("sustainability", "a Battery Pass (Catena-X BatteryPass aspect)"),
)


@dataclass(frozen=True)
class Item:
    """One footprint of a file: where it is (JSON pointer, "" for the whole file) and the document."""

    pointer: str
    document: Any


@dataclass(frozen=True)
class Unwrapped:
    """The footprints of a file; ``envelope`` names the wrapping, None for a bare footprint."""

    items: tuple[Item, ...]
    envelope: str | None = None


def _looks_like_footprint(value: Any) -> bool:
    return isinstance(value, dict) and ("specVersion" in value or "pcf" in value)


def unwrap(document: Any) -> Unwrapped:
    """The footprints a parsed JSON file holds, each with its pointer; a bare footprint is one item at ""."""
    if isinstance(document, list):
        return Unwrapped(tuple(Item(f"/{i}", d) for i, d in enumerate(document)), "a JSON array of footprints")
    if not isinstance(document, dict) or _looks_like_footprint(document):
        return Unwrapped((Item("", document),))
    data = document.get("data")
    if isinstance(data, dict) and isinstance(data.get("pfs"), list) and "specversion" in document:
        items = tuple(Item(f"/data/pfs/{i}", d) for i, d in enumerate(data["pfs"]))
        return Unwrapped(items, "a CloudEvent whose data.pfs lists footprints")
    if isinstance(data, list) and all(isinstance(d, dict) for d in data):
        items = tuple(Item(f"/data/{i}", d) for i, d in enumerate(data))
        return Unwrapped(items, 'a PACT API response {"data": [...]}')
    if _looks_like_footprint(data):
        return Unwrapped((Item("/data", data),), 'a PACT API response {"data": {...}}')
    return Unwrapped((Item("", document),))


def spec_version_major(document: dict[Any, Any]) -> int | None:
    """The major version ``specVersion`` names ("2.3.0" -> 2), None when it is absent or not a version."""
    version = document.get("specVersion")
    match = _VERSION.match(version) if isinstance(version, str) else None
    return int(match.group(1)) if match else None


def check_pact(document: Any) -> None:
    """Raise :class:`NotAFootprint` unless ``document`` is an object declaring PACT v2.x or v3.x.

    A non-object is left to the schema (it says "must be a JSON object").
    """
    if not isinstance(document, dict):
        return
    major = spec_version_major(document)
    if major in (2, 3):
        return
    looks = next((what for member, what in _LOOKALIKES if member in document), None)
    version = document.get("specVersion")
    if "specVersion" not in document:
        why = "it has no specVersion"
    elif major is None:
        why = f"its specVersion {version!r} is not a PACT version (major.minor.patch)"
    elif major < 2:
        why = f"its specVersion {version!r} is PACT {major}.x, which has another data model"
    else:
        why = f"its specVersion {version!r} names PACT {major}.x, which this registry does not know"
    raise NotAFootprint(
        f"not a PACT v2 or v3 ProductFootprint: {why}"
        + (f"; it looks like {looks}" if looks else "")
        + "; only PACT Tech Specs v2.x and v3.x footprints are read (ILCD+EPD XML: pcfreg convert)",
        Location(pointer="/specVersion" if "specVersion" in document else ""),
    )
