"""Repository functions for accreditations: versions are added, read, never changed.

As in :mod:`registry.storage.repo`, nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

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
    query = select(Organisation.id).where(Organisation.kind == OrgKind.ACCREDITATION_BODY).limit(1)
    return session.exec(query).first() is not None


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
