"""Repository functions for accreditations: versions are added, read, never changed.

As in :mod:`registry.storage.repo`, nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from registry.storage.errors import NotFound
from registry.storage.models import AccreditationVersion, Label, LabelState, Organisation, OrgKind
from registry.storage.repo import _writing


def add_version(session: Session, row: AccreditationVersion) -> AccreditationVersion:
    """Store one version; a version number already taken (a concurrent change) is a Conflict."""
    with _writing(session, f"{row.accreditation_id} already has a version {row.version}; fetch it and sign the next"):
        session.add(row)
    return row


def versions(
    session: Session, *, accreditation_id: str | None = None, certifier_id: str | None = None
) -> list[AccreditationVersion]:
    """Stored versions (oldest first), of one accreditation, of one certifier's, or all."""
    query = select(AccreditationVersion)
    if accreditation_id is not None:
        query = query.where(AccreditationVersion.accreditation_id == accreditation_id)
    if certifier_id is not None:
        query = query.where(AccreditationVersion.certifier_id == certifier_id)
    return list(
        session.exec(query.order_by(col(AccreditationVersion.accreditation_id), col(AccreditationVersion.version)))
    )


_VERSIONS = AccreditationVersion.__table__  # type: ignore[attr-defined]
_ORGS = Organisation.__table__  # type: ignore[attr-defined]
# Built once: issuing asks for every label (or group of labels) issued.
_CERTIFIER_KEYS = (
    sa_select(_VERSIONS.c.id, _VERSIONS.c.digest, _VERSIONS.c.recorded_at)
    .where(_VERSIONS.c.certifier_id == bindparam("certifier"))
    .order_by(_VERSIONS.c.accreditation_id, _VERSIONS.c.version)
)
_CONTENTS = sa_select(_VERSIONS.c.id, _VERSIONS.c.content).where(_VERSIONS.c.id.in_(bindparam("ids", expanding=True)))
_ANY_BODY = sa_select(_ORGS.c.id).where(_ORGS.c.kind == OrgKind.ACCREDITATION_BODY).limit(1)


def version_keys(session: Session, certifier_id: str) -> list[tuple[int, str, datetime]]:
    """``(row id, digest, recorded_at)`` of the certifier's versions in the order of :func:`versions`, with
    one prebuilt statement and no documents (a version never changes: a caller may have parsed it before)."""
    rows = session.connection().execute(_CERTIFIER_KEYS, {"certifier": certifier_id})
    return [(int(i), str(d), at) for i, d, at in rows]


def contents(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The documents of these versions, by row id."""
    if not ids:
        return {}
    return {int(i): c for i, c in session.connection().execute(_CONTENTS, {"ids": list(ids)})}


def latest(session: Session, accreditation_id: str) -> AccreditationVersion | None:
    found = versions(session, accreditation_id=accreditation_id)
    return found[-1] if found else None


def get_version(session: Session, accreditation_id: str, version: int) -> AccreditationVersion:
    for row in versions(session, accreditation_id=accreditation_id):
        if row.version == version:
            return row
    raise NotFound(f"no accreditation {accreditation_id} version {version}")


def has_accreditation_body(session: Session) -> bool:
    """Whether any accreditation body exists here: from then on every label needs an accreditation."""
    return session.connection().execute(_ANY_BODY).first() is not None


def labels_of(
    session: Session, certifier_id: str, schemes: list[str], state: LabelState, *, accreditation_id: str
) -> list[Label]:
    """The certifier's labels in ``state`` under any of ``schemes`` that ``accreditation_id`` covered when
    they were issued (for a scheme's label policy)."""
    query = select(Label).where(
        Label.certifier_id == certifier_id,
        col(Label.scheme).in_(schemes),
        Label.state == state,
        Label.accreditation_id == accreditation_id,
    )
    return list(session.exec(query.order_by(col(Label.id))))
