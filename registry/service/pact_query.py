"""PACT v3 ListFootprints criteria and pagination cursors: pure functions, no I/O.

* :func:`parse_criteria` reads the v3 filter parameters (``productId``, ``companyId``, ``geography``,
  ``classification``, ``validOn``, ``validAfter``, ``validBefore``, ``status``; names matched
  case-insensitively, values repeated for OR) into :class:`Criteria`. Values that can match nothing
  (an unknown status, ...) are kept: they select no footprint, they are no error (v3 TC30-39).
* :func:`footprint_keys` and :func:`validity` derive, from a ProductFootprint, what the filters
  compare: lower-cased ids, classifications and geographies, and the validity period.
* :class:`CursorCodec` makes and checks the opaque ``cursor`` of a ``Link: rel="next"`` URL: the last
  footprint id of a page, the client it was made for, the criteria's digest and an expiry, under an
  HMAC-SHA256 (so a cursor cannot be forged, replayed by another client or reused with other filters).

PACT v3.0.4 OpenAPI, parameters ``productId`` ... ``status`` and section "Pagination".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from registry.errors import InputError

# kind of a PactFootprintKey row, per filter parameter
KEY_KINDS = {"productid": "product", "companyid": "company", "classification": "class", "geography": "geo"}
STATUSES = ("active", "deprecated")
# PACT v3: "the validity period ... defaults to referencePeriodEnd + 3 years" (spec v3 §validity-period,
# quoted in ../shared/reference/pact.md section 5, ListFootprints "v3 filter")
DEFAULT_VALIDITY_YEARS = 3
# PACT v3 section "Pagination": a pagination link MUST stay valid for at least 180 seconds
LINK_VALID_SECONDS = 180
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Criteria:
    """The filters of one ListFootprints call (or a RequestCreatedEvent's data): OR within, AND across."""

    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> lower-cased values
    status: tuple[str, ...] | None = None  # lower-cased
    valid_on: datetime | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None

    def digest(self) -> str:
        """A short digest binding a cursor to these criteria."""
        body = {
            "k": {k: sorted(v) for k, v in sorted(self.keys.items())},
            "s": sorted(self.status) if self.status is not None else None,
            "on": _iso(self.valid_on),
            "after": _iso(self.valid_after),
            "before": _iso(self.valid_before),
        }
        return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def matches_nothing(self) -> bool:
        """True when a criterion's values can select no footprint at all (an unknown status only)."""
        return self.status is not None and not any(s in STATUSES for s in self.status)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_datetime(text: str, name: str) -> datetime:
    """An RFC 3339 date-time (``Z`` or an offset); without an offset, UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError as e:
        raise InputError(f"{name} must be an RFC 3339 date-time, not {text[:60]!r}") from e
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def parse_criteria(params: Iterable[tuple[str, str]]) -> Criteria:
    """The v3 criteria from query parameters (other names, such as ``limit`` or ``x-...``, ignored)."""
    keys: dict[str, list[str]] = {}
    status: list[str] | None = None
    dates: dict[str, datetime] = {}
    for raw_name, value in params:
        name = raw_name.lower()
        if name in KEY_KINDS:
            keys.setdefault(KEY_KINDS[name], []).append(value.strip().lower())
        elif name == "status":
            status = [*(status or []), value.strip().lower()]
        elif name in ("validon", "validafter", "validbefore"):
            if name in dates:
                raise InputError(f"{raw_name} may be given once")
            dates[name] = parse_datetime(value, raw_name)
    return Criteria(
        keys={k: tuple(v) for k, v in keys.items()},
        status=tuple(status) if status is not None else None,
        valid_on=dates.get("validon"),
        valid_after=dates.get("validafter"),
        valid_before=dates.get("validbefore"),
    )


def criteria_from_request(data: Mapping[str, Any]) -> Criteria:
    """The criteria of a v3 RequestCreatedEvent's ``data`` (arrays of strings, or single dates)."""
    params: list[tuple[str, str]] = []
    for name in ("productId", "companyId", "geography", "classification", "status"):
        value = data.get(name)
        values = value if isinstance(value, list) else ([value] if value is not None else [])
        for v in values:
            if not isinstance(v, str):
                raise InputError(f"data.{name} must hold strings")
            params.append((name, v))
    for name in ("validOn", "validAfter", "validBefore"):
        value = data.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise InputError(f"data.{name} must be a date-time string")
            params.append((name, value))
    return parse_criteria(params)


# ------------------------------------------------------------------ what a footprint offers the filters


def footprint_keys(pf: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(kind, lower-cased value) of every product id, company id, classification and geography."""
    out: set[tuple[str, str]] = set()
    for kind, name in (("product", "productIds"), ("company", "companyIds"), ("class", "productClassifications")):
        for v in _strings(pf.get(name)):
            out.add((kind, v.lower()))
    pcf = pf.get("pcf") if isinstance(pf.get("pcf"), dict) else {}
    for name in ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion"):
        value = pcf.get(name) if isinstance(pcf, dict) else None
        if isinstance(value, str) and value:
            out.add(("geo", value.lower()))
    return out


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def validity(pf: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """The validity period: ``validityPeriodStart``/``End``, else from ``referencePeriodEnd`` to 3 years after."""
    pcf = pf.get("pcf") if isinstance(pf.get("pcf"), dict) else {}
    ref_end_text = pcf.get("referencePeriodEnd") if isinstance(pcf, dict) else None
    if not isinstance(ref_end_text, str):
        raise InputError("the footprint has no pcf.referencePeriodEnd to derive its validity period from")
    ref_end = parse_datetime(ref_end_text, "pcf.referencePeriodEnd")
    start_text, end_text = pf.get("validityPeriodStart"), pf.get("validityPeriodEnd")
    start = parse_datetime(start_text, "validityPeriodStart") if isinstance(start_text, str) else ref_end
    end = parse_datetime(end_text, "validityPeriodEnd") if isinstance(end_text, str) else _add_years(ref_end)
    return start, end


def _add_years(value: datetime, years: int = DEFAULT_VALIDITY_YEARS) -> datetime:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


# ------------------------------------------------------------------ cursors


@dataclass(frozen=True)
class CursorCodec:
    """Opaque, HMAC'd pagination cursors (``after`` footprint id, client, criteria digest, expiry)."""

    secret: bytes
    ttl: timedelta = timedelta(seconds=LINK_VALID_SECONDS * 5)

    def make(self, after: str, client_id: str, criteria: Criteria, now: datetime) -> str:
        body = orjson.dumps([after, client_id, criteria.digest(), int((now + self.ttl).timestamp())])
        mac = hmac.new(self.secret, body, hashlib.sha256).digest()[:16]
        return _b64(body) + "." + _b64(mac)

    def read(self, cursor: str, client_id: str, criteria: Criteria, now: datetime) -> str:
        """The footprint id the next page starts after; :class:`InputError` for a bad or expired cursor."""
        body_text, _, mac_text = cursor.partition(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except ValueError as e:
            raise InputError("the pagination cursor is malformed") from e
        if not hmac.compare_digest(mac, hmac.new(self.secret, body, hashlib.sha256).digest()[:16]):
            raise InputError("the pagination cursor is not one this host made")
        after, owner, digest, expires = _fields(body)
        if owner != client_id or digest != criteria.digest():
            raise InputError("the pagination cursor was made for another client or other filters")
        if expires < now.timestamp():
            raise InputError("the pagination link has expired; list again from the first page")
        return after


def _fields(body: bytes) -> tuple[str, str, str, int]:
    value = orjson.loads(body)
    if not (isinstance(value, list) and len(value) == 4 and isinstance(value[3], int)):
        raise InputError("the pagination cursor is malformed")
    return str(value[0]), str(value[1]), str(value[2]), value[3]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text:
        raise ValueError("empty")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def page_limit(values: Sequence[str], default: int) -> int:
    """The ``limit`` parameter: a non-negative integer, capped at :data:`MAX_LIMIT`."""
    if not values:
        return default
    text = values[-1].strip()
    if not text.isdigit():
        raise InputError(f"limit must be a non-negative integer, not {text[:30]!r}")
    return min(int(text), MAX_LIMIT)
