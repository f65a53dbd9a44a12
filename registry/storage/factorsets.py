"""Repository functions for factor sets: store a published version, read, search, change status.

As in :mod:`registry.storage.repo`, nothing here commits: the caller owns the transaction. A
stored version's content and envelope never change; only its status and reason move
(published -> deprecated -> withdrawn, withdrawn is final).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import insert, or_
from sqlmodel import Session, col, select

from registry.errors import InputError
from registry.storage.errors import NotFound
from registry.storage.models import FactorRow, FactorSetVersion, PackStatus
from registry.storage.repo import (
    APPLICABLE_STATUSES,
    _bounds,
    _like_pattern,
    _require_org,
    _writing,
    move_version_status,
)
from registry.storage.semver import version_sort_key

_CHUNK = 5000


@dataclass(frozen=True)
class NewSetVersion:
    """A checked, verified set version to store: the service has read ``content`` as a factor set."""

    content: Mapping[str, Any]
    envelope: Mapping[str, Any]
    digest: str
    status: PackStatus
    factors: Sequence[Mapping[str, Any]]  # FactorRow columns but set_version_id, one per record


def _header_columns(content: Mapping[str, Any]) -> dict[str, Any]:
    set_id, version = str(content["id"]), str(content["version"])
    effective = content["effective"]
    return {
        "set_id": set_id,
        "version": version,
        "version_sort": version_sort_key(version),
        "namespace": set_id.split("/", 1)[0],
        "kind": str(content["kind"]),
        "title_en": str(content["title"]["en"]),
        "title_zh": str(content["title"]["zh"]),
        "records": len(content["records"]),
        "effective_from": date.fromisoformat(effective["from"]),
        "effective_until": date.fromisoformat(effective["until"]) if "until" in effective else None,
    }


def insert_set_version(session: Session, data: NewSetVersion, *, now: datetime) -> FactorSetVersion:
    """Store one version and its factors. Conflict when ``id@version`` exists; NotFound without its organisation."""
    columns = _header_columns(data.content)
    _require_org(session, columns["namespace"])
    row = FactorSetVersion(
        **columns,
        status=data.status,
        digest=data.digest,
        content=dict(data.content),
        envelope=dict(data.envelope),
        created_at=now,
        status_changed_at=now,
    )
    with _writing(session, f"factor set {columns['set_id']}@{columns['version']} already exists"):
        session.add(row)
        session.flush()
        assert row.id is not None
        rows = [{**f, "set_version_id": row.id} for f in data.factors]
        for start in range(0, len(rows), _CHUNK):
            session.execute(insert(FactorRow), rows[start : start + _CHUNK])
    return row


def find_set_version(session: Session, set_id: str, version: str) -> FactorSetVersion | None:
    stmt = select(FactorSetVersion).where(FactorSetVersion.set_id == set_id, FactorSetVersion.version == version)
    return session.exec(stmt).first()


def get_set_version(session: Session, set_id: str, version: str) -> FactorSetVersion:
    row = find_set_version(session, set_id, version)
    if row is None:
        raise NotFound(f"factor set {set_id}@{version} not found")
    return row


def list_set_versions(session: Session, set_id: str | None = None) -> list[FactorSetVersion]:
    """Versions of one set (or of every set), by set id and SemVer order, newest first."""
    stmt = select(FactorSetVersion)
    if set_id is not None:
        stmt = stmt.where(FactorSetVersion.set_id == set_id)
    order = col(FactorSetVersion.version_sort).desc()
    return list(session.exec(stmt.order_by(col(FactorSetVersion.set_id), order)))


def applicable_on(session: Session, set_id: str, on: date) -> FactorSetVersion:
    """The newest published or deprecated version in effect on ``on`` (until is exclusive); NotFound if none."""
    until = col(FactorSetVersion.effective_until)
    stmt = (
        select(FactorSetVersion)
        .where(
            FactorSetVersion.set_id == set_id,
            col(FactorSetVersion.status).in_(APPLICABLE_STATUSES),
            col(FactorSetVersion.effective_from) <= on,
            or_(until.is_(None), until > on),
        )
        .order_by(col(FactorSetVersion.version_sort).desc())
    )
    row = session.exec(stmt).first()
    if row is None:
        raise NotFound(f"no published version of factor set {set_id} is in effect on {on.isoformat()}")
    return row


def set_status(
    session: Session, set_id: str, version: str, status: PackStatus, *, reason: str, now: datetime
) -> FactorSetVersion:
    """Move a version to ``status`` (deprecated or withdrawn) with a reason; a forbidden move is a Conflict."""
    row = get_set_version(session, set_id, version)
    return cast(
        FactorSetVersion,
        move_version_status(session, row, f"factor set {set_id}@{version}", status, reason=reason, now=now),
    )


@dataclass(frozen=True)
class FactorQuery:
    """What to look for; every filter given must hold. ``code`` is ``scheme:prefix`` (``hs:7601``)."""

    activity: str | None = None  # the activity, or a dotted prefix of it (``fuel.`` finds every fuel)
    region: str | None = None
    code: str | None = None
    text: str | None = None  # a substring of the factor id, activity or either name
    set_id: str | None = None
    statuses: tuple[PackStatus, ...] = APPLICABLE_STATUSES


def search_factors(
    session: Session, query: FactorQuery, *, limit: int = 50, offset: int = 0
) -> list[tuple[FactorRow, FactorSetVersion]]:
    """Factors matching ``query``, by set, newest version first, then factor id."""
    limit, offset = _bounds(limit, offset)
    stmt = select(FactorRow, FactorSetVersion).where(col(FactorRow.set_version_id) == FactorSetVersion.id)
    stmt = stmt.where(col(FactorSetVersion.status).in_(list(query.statuses)))
    if query.set_id:
        stmt = stmt.where(FactorSetVersion.set_id == query.set_id)
    if query.activity:
        activity = col(FactorRow.activity)
        prefix = query.activity.rstrip(".") + "."
        stmt = stmt.where(or_(activity == query.activity, activity.startswith(prefix, autoescape=True)))
    if query.region:
        stmt = stmt.where(FactorRow.region == query.region)
    if query.code:
        stmt = stmt.where(col(FactorRow.codes).contains(" " + normalise_code(query.code), autoescape=True))
    if query.text:
        pattern = _like_pattern(query.text)
        fields = (FactorRow.factor_id, FactorRow.activity, FactorRow.name_en, FactorRow.name_zh)
        stmt = stmt.where(or_(*(col(f).ilike(pattern, escape="\\") for f in fields)))
    order = (col(FactorSetVersion.set_id), col(FactorSetVersion.version_sort).desc(), col(FactorRow.factor_id))
    return [(f, v) for f, v in session.exec(stmt.order_by(*order).limit(limit).offset(offset)).all()]


def normalise_code(code: str) -> str:
    """``hs:7601.10`` -> ``hs:760110``: the scheme in lower case, dots and spaces dropped from the code."""
    scheme, sep, digits = code.partition(":")
    if not sep or not scheme or not digits:
        raise InputError(f"classification {code!r} is not scheme:code (cpc:41, hs:7601, gb-t-4754:C31, naics:331)")
    return f"{scheme.strip().lower()}:{digits.replace('.', '').replace(' ', '')}"


def codes_column(classifications: Mapping[str, Sequence[str]] | None) -> str:
    """A record's classification codes as stored for search: `` hs:760110 cpc:41 `` (leading space each)."""
    if not classifications:
        return ""
    return "".join(
        " " + normalise_code(f"{scheme}:{code}") for scheme, codes in classifications.items() for code in codes
    )
