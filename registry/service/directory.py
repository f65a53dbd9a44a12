"""The public directory of certified products and the bulk feed of labels (issue 14).

Only what a label's consumer page shows: product, GTIN, company id, certifier, scheme, rule pack, grade,
value per declared unit, boundary, region, validity and state, and the page's URL. Never the declaration,
the audit, the recalculation, the inventory, digests or request keys (what a certifier may keep secret).

* :func:`search` - labels valid now, by GTIN, company, category (pack id or HS prefix), grade or better,
  region, scheme; keyset pages by label id.
* :func:`feed` - every label by (state change time, id) after a cursor: new labels and state changes, so
  that a platform keeps a copy current by asking for what changed since its last cursor.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from registry.errors import InputError, Location
from registry.packs import Catalog
from registry.storage import issuance as store
from registry.storage.models import Label

FIELDS = (
    "label_id",
    "url",
    "product_name",
    "gtin",
    "company",
    "certifier",
    "scheme",
    "pack",
    "category",
    "grade",
    "catalogue",
    "value",
    "declared_unit",
    "boundary",
    "region",
    "issued_at",
    "expires_at",
    "state",
    "state_changed_at",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(\d{1,17})\.([A-Z2-7]{16})")
_HS = re.compile(r"\d{2,10}")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


@dataclass(frozen=True)
class DirectoryQuery:
    gtin: str | None = None
    company: str | None = None
    category: str | None = None  # a pack id (namespace/name) or an HS code prefix (digits)
    grade_at_least: str | None = None
    region: str | None = None
    scheme: str | None = None
    after: str | None = None
    limit: int = 50


def public_record(label: Label, base_url: str) -> dict[str, Any]:
    """What the public may know of a label: what its consumer page shows."""
    claims = label.claims
    return {
        "label_id": label.id,
        "url": f"{base_url.rstrip('/')}/L/{label.id}",
        "product_name": label.product_name,
        "gtin": label.gtin,
        "company": label.company,
        "certifier": label.certifier_id,
        "scheme": label.scheme,
        "pack": f"{label.pack_id}@{label.pack_version}",
        "category": label.pack_id,
        "grade": label.grade,
        "catalogue": label.catalogue,
        "value": claims.get("value"),
        "declared_unit": claims.get("declared_unit"),
        "boundary": claims.get("boundary"),
        "region": label.region,
        "issued_at": label.issued_at.isoformat(),
        "expires_at": label.expires_at.isoformat(),
        "state": label.state.value,
        "state_changed_at": label.state_changed_at.isoformat(),
    }


def pack_ids_of_category(catalog: Catalog, category: str) -> set[str]:
    """A pack id is itself; digits are an HS prefix: the packs whose scope has a code under it (or over it)."""
    if "/" in category:
        return {category}
    if not _HS.fullmatch(category):
        raise InputError(
            f"category {category!r} is neither a rule pack id (namespace/name) nor an HS code prefix (2-10 digits)",
            Location(pointer="/category"),
        )
    found = set()
    for pack in catalog.packs():
        codes = [str(c).replace(".", "") for c in pack.data.get("scope", {}).get("hs", [])]
        if any(code.startswith(category) or category.startswith(code) for code in codes):
            found.add(pack.id)
    return found


def grades_at_least(catalog: Catalog, grade: str) -> set[str]:
    """The grades as good as ``grade`` or better, on every scale (the packs' bands, best first) that has it."""
    found: set[str] = set()
    for pack in catalog.packs():
        grading = pack.data.get("grading")
        scale = [b.get("grade") for b in grading.get("bands", [])] if isinstance(grading, dict) else []
        if grade in scale:
            found.update(scale[: scale.index(grade) + 1])
    if not found:
        raise InputError(f"grade {grade!r} is on no grading scale", Location(pointer="/grade_at_least"))
    return found


def search(s: Any, catalog: Catalog, query: DirectoryQuery, *, now: datetime, base_url: str) -> list[dict[str, Any]]:
    """One page of the directory: labels valid now, by label id after ``query.after``."""
    pack_ids = pack_ids_of_category(catalog, query.category) if query.category else None
    grades = grades_at_least(catalog, query.grade_at_least) if query.grade_at_least else None
    rows = store.directory_labels(
        s,
        now=now,
        gtin=query.gtin,
        company=query.company,
        pack_ids=pack_ids,
        grades=grades,
        region=query.region,
        scheme=query.scheme,
        after=query.after,
        limit=query.limit,
    )
    return [public_record(row, base_url) for row in rows]


# --- the feed -----------------------------------------------------------------------------------


def cursor_of(label: Label) -> str:
    """``<microseconds since 1970>.<label id>`` of the label's last change: where a feed page ends."""
    micros = (label.state_changed_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{label.id}"


def parse_cursor(text: str) -> tuple[datetime, str]:
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise InputError(
            "since must be a cursor a feed page gave (its Feed-Next-Cursor header or Link rel=next)",
            Location(pointer="/since"),
        )
    return _EPOCH + timedelta(microseconds=int(match.group(1))), match.group(2)


@dataclass(frozen=True)
class FeedPage:
    records: list[dict[str, Any]]
    next_cursor: str | None  # None: nothing after ``since`` yet (ask again with the same cursor)


def feed(s: Any, *, since: str | None, limit: int, base_url: str) -> FeedPage:
    rows = store.changed_labels(s, since=parse_cursor(since) if since else None, limit=limit)
    return FeedPage([public_record(row, base_url) for row in rows], cursor_of(rows[-1]) if rows else since)


def as_jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records)


def as_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """RFC 4180 CSV with a header row; an empty cell for a missing value."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(v) for k, v in record.items()})
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    """An empty cell for None; text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
