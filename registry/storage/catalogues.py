"""Repository functions for grading catalogues (issue 13): store a published version, read them, and the
label figures that category statistics and percentile catalogues are computed from. Nothing here commits.
A stored version never changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import bindparam, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from registry.storage.errors import NotFound
from registry.storage.models import CatalogueVersion, Label, LabelState, PackStatus, Validation
from registry.storage.repo import APPLICABLE_STATUSES, _writing, move_version_status
from registry.storage.semver import version_sort_key


def insert_version(
    session: Session, content: Mapping[str, Any], envelope: Mapping[str, Any], digest: str, *, now: datetime
) -> CatalogueVersion:
    effective = content["effective"]
    row = CatalogueVersion(
        catalogue_id=str(content["id"]),
        version=str(content["version"]),
        version_sort=version_sort_key(str(content["version"])),
        namespace=str(content["id"]).split("/", 1)[0],
        status=PackStatus.PUBLISHED,
        digest=digest,
        content=dict(content),
        envelope=dict(envelope),
        effective_from=date.fromisoformat(effective["from"]),
        effective_until=date.fromisoformat(effective["until"]) if "until" in effective else None,
        created_at=now,
    )
    with _writing(session, f"grading catalogue {row.catalogue_id}@{row.version} already exists"):
        session.add(row)
    return row


def find_version(session: Session, catalogue_id: str, version: str) -> CatalogueVersion | None:
    stmt = select(CatalogueVersion).where(
        CatalogueVersion.catalogue_id == catalogue_id, CatalogueVersion.version == version
    )
    return session.exec(stmt).first()


def get_version(session: Session, catalogue_id: str, version: str) -> CatalogueVersion:
    row = find_version(session, catalogue_id, version)
    if row is None:
        raise NotFound(f"grading catalogue {catalogue_id}@{version} not found")
    return row


def list_versions(session: Session, catalogue_id: str | None = None) -> list[CatalogueVersion]:
    stmt = select(CatalogueVersion).order_by(col(CatalogueVersion.catalogue_id), col(CatalogueVersion.version_sort))
    if catalogue_id is not None:
        stmt = stmt.where(CatalogueVersion.catalogue_id == catalogue_id)
    return list(session.exec(stmt))


def set_status(
    session: Session, catalogue_id: str, version: str, status: PackStatus, *, reason: str, now: datetime
) -> CatalogueVersion:
    """Deprecate or withdraw a version with a reason (the moves of packs and factor sets; withdrawn is final)."""
    row = get_version(session, catalogue_id, version)
    what = f"grading catalogue {catalogue_id}@{version}"
    return cast(CatalogueVersion, move_version_status(session, row, what, status, reason=reason, now=now))


def published_on(session: Session, on: date) -> list[CatalogueVersion]:
    """Published or deprecated (not withdrawn) versions whose effective period holds ``on``: what may grade."""
    stmt = select(CatalogueVersion).where(
        col(CatalogueVersion.status).in_(APPLICABLE_STATUSES), col(CatalogueVersion.effective_from) <= on
    )
    return [r for r in session.exec(stmt) if r.effective_until is None or on < r.effective_until]


_VERSIONS = CatalogueVersion.__table__  # type: ignore[attr-defined]
# Built once: issuing asks for every label (or group of labels) issued.
_PUBLISHED_KEYS = (
    sa_select(_VERSIONS.c.id, _VERSIONS.c.digest)
    .where(
        _VERSIONS.c.status.in_(APPLICABLE_STATUSES),
        _VERSIONS.c.effective_from <= bindparam("on"),
        or_(_VERSIONS.c.effective_until.is_(None), _VERSIONS.c.effective_until > bindparam("on")),
    )
    .order_by(_VERSIONS.c.id)
)


def published_keys(session: Session, on: date) -> list[tuple[int, str]]:
    """``(row id, digest)`` of the versions :func:`published_on` gives, with one prebuilt statement and no
    documents (a caller that has parsed a version before need not read it again: a version never changes)."""
    return [(int(i), str(d)) for i, d in session.connection().execute(_PUBLISHED_KEYS, {"on": on})]


def versions_by_id(session: Session, ids: Sequence[int]) -> dict[int, CatalogueVersion]:
    if not ids:
        return {}
    rows = session.exec(select(CatalogueVersion).where(col(CatalogueVersion.id).in_(list(ids))))
    return {int(r.id): r for r in rows if r.id is not None}


def label_figures(
    session: Session, pack_ids: Sequence[str], *, until: datetime | None = None
) -> list[tuple[str | None, str, datetime]]:
    """``(company, value, issued_at)`` of the valid labels issued under any of ``pack_ids`` (up to ``until``)."""
    stmt = select(Label.company, Label.claims, Label.issued_at).where(
        col(Label.pack_id).in_(list(pack_ids)), Label.state == LabelState.VALID
    )
    if until is not None:
        stmt = stmt.where(col(Label.issued_at) <= until)
    return [(company, str(claims["value"]), issued) for company, claims, issued in session.exec(stmt)]


def graded_labels(session: Session, catalogue_id: str, *, now: datetime) -> list[Label]:
    """Labels graded under any version of ``catalogue_id`` that still stand: not revoked, not expired."""
    stmt = select(Label).where(
        col(Label.catalogue).like(f"{catalogue_id}@%"),
        Label.state != LabelState.REVOKED,
        col(Label.expires_at) > now,
    )
    return list(session.exec(stmt.order_by(col(Label.issued_at), col(Label.id))))


def declarations_of(session: Session, digests: Sequence[str]) -> dict[str, dict[str, Any]]:
    """A stored declaration (from any validation of it) per declaration digest, where one is stored."""
    if not digests:
        return {}
    stmt = select(Validation.declaration_digest, Validation.declaration).where(
        col(Validation.declaration_digest).in_(list(digests))
    )
    return {digest: dict(declaration) for digest, declaration in session.exec(stmt)}
