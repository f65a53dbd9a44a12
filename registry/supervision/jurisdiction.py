"""Regions and jurisdictions.

A regulator's jurisdiction is a set of regions, each an ISO 3166-1 alpha-2 country code (``CN``)
or an ISO 3166-2 subdivision code (``CN-GD``). A record is in the jurisdiction when its region is
one of them or, for a country, a subdivision of it: ``CN`` covers ``CN`` and ``CN-GD``; ``CN-GD``
covers ``CN-GD`` only (not a record that says no more than ``CN``).

A record's region is read from the declaration it was made for (PACT v2 and v3 carry the same
fields in ``pcf``): ``geographyCountrySubdivision`` if given, else ``geographyCountry``. A
declaration that gives only ``geographyRegionOrSubregion`` (a UN M49 region such as ``Europe``) or
no geography at all has no region, and no regulator's jurisdiction covers it (docs/supervision.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from registry.errors import InputError, Location

_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


@cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _subdivisions() -> frozenset[str]:
    import pycountry

    return frozenset(s.code for s in pycountry.subdivisions)  # a large table: read only for a code with "-"


def _known(code: str) -> bool:
    """Whether ``code`` (upper case) is an ISO 3166-1 alpha-2 or ISO 3166-2 code."""
    return code in (_subdivisions() if "-" in code else _countries())


def parse_region(code: Any, *, pointer: str = "") -> str:
    """``code`` as an ISO 3166-1 alpha-2 or ISO 3166-2 code, upper case; an unknown one is refused."""
    if not isinstance(code, str):
        raise InputError("a region is an ISO 3166-1 alpha-2 or ISO 3166-2 code (a string)", Location(pointer=pointer))
    text = code.strip().upper()
    if not _CODE.match(text) or not _known(text):
        raise InputError(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code or an ISO 3166-2 subdivision code",
            Location(pointer=pointer),
        )
    return text


def parse_jurisdiction(codes: Iterable[Any]) -> tuple[str, ...]:
    """A jurisdiction: at least one region, each checked, duplicates dropped, sorted."""
    regions = sorted({parse_region(c, pointer=f"/jurisdiction/{i}") for i, c in enumerate(codes)})
    if not regions:
        raise InputError("a regulator needs a jurisdiction: at least one region", Location(pointer="/jurisdiction"))
    return tuple(regions)


def region_of(declaration: Mapping[str, Any] | Any) -> str | None:
    """The region of a declaration (``pcf.geographyCountrySubdivision``, else ``pcf.geographyCountry``)
    when it is a known ISO 3166 code; otherwise None."""
    pcf = declaration.get("pcf") if isinstance(declaration, Mapping) else None
    if not isinstance(pcf, Mapping):
        return None
    for field in ("geographyCountrySubdivision", "geographyCountry"):
        value = pcf.get(field)
        if isinstance(value, str) and _known(value.strip().upper()):
            return value.strip().upper()
    return None


def covers(jurisdiction: Iterable[str], region: str | None) -> bool:
    """Whether a jurisdiction covers a record of ``region`` (see the module's rule)."""
    if region is None:
        return False
    return any(region == r or ("-" not in r and region.startswith(r + "-")) for r in jurisdiction)
