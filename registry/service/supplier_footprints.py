"""Supplier footprints: footprints received from partners' PACT hosts, validated and stored.

A supplier footprint is a stored validation (:class:`~registry.storage.models.Validation`) of the
receiving organisation, whose result carries a ``supplier`` member with its provenance: the
partner's URL, the footprint's id there, when it was retrieved, how (``pact-pull`` or
``pact-request``) and its digest (RFC 8785 SHA-256, equal to the validation's
``declaration_digest``). The accounting cites it by the validation's id and that digest.

:func:`pull_footprints` pages through a partner's ``/3/footprints``; each footprint is stored in
its own transaction, so a failure never leaves one half-stored, and a failed page leaves what came
before it stored and complete, the report saying where it stopped. Everything that went wrong is
data (:class:`FootprintOutcome`, :class:`PartnerError` dicts), never a bare string.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from registry.canonical import sha256_digest
from registry.errors import Location, RegistryError
from registry.findings import ValidationResult
from registry.packs import Catalog, validate_document
from registry.service.pact_partner import FootprintPage, PartnerError, PartnerHost
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.pact_client import SUPPLIER_KEY, find_supplier_footprint

Validator = Callable[[Any], ValidationResult]
"""Validates one footprint against its packs; raises a RegistryError for one that cannot be used."""

STORED, ALREADY_STORED, REFUSED = "stored", "already-stored", "refused"


def validator_for(catalog: Catalog, clock: Callable[[], datetime]) -> Validator:
    """Each footprint against the pack it names or its codes select, else its format's base pack (with a
    warning), as ``pcfreg validate`` does: a supplier's footprint rarely names one of our product packs."""
    return lambda document: validate_document(catalog, document, pack=None, now=clock())


@dataclass
class FootprintOutcome:
    """What became of one received footprint: stored (with its validation id and digest) or refused."""

    pointer: str
    footprint_id: str | None
    status: str
    page: int | None = None
    validation_id: str | None = None
    digest: str | None = None
    conformant: bool | None = None
    error: dict[str, object] | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass
class PullReport:
    """A pull: the partner, how the token endpoint was found, each footprint, and where it stopped."""

    partner: str
    footprints: list[FootprintOutcome] = field(default_factory=list)
    pages: int = 0
    token_endpoint: str | None = None
    discovered: bool = False
    stopped: dict[str, object] | None = None

    @property
    def complete(self) -> bool:
        return self.stopped is None

    def count(self, status: str) -> int:
        return sum(1 for f in self.footprints if f.status == status)

    def to_json(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "token_endpoint": self.token_endpoint,
            "discovered": self.discovered,
            "complete": self.complete,
            "pages": self.pages,
            "stored": self.count(STORED),
            "already_stored": self.count(ALREADY_STORED),
            "refused": self.count(REFUSED),
            "not_conformant": sum(1 for f in self.footprints if f.conformant is False),
            "footprints": [f.to_json() for f in self.footprints],
            "stopped": self.stopped,
        }


def provenance(
    *, partner: str, footprint_id: str, digest: str, retrieved_at: datetime, via: str, **more: Any
) -> dict[str, Any]:
    """The ``supplier`` member of a stored supplier footprint's result."""
    return {
        "partner": partner,
        "footprint_id": footprint_id,
        "digest": digest,
        "retrieved_at": retrieved_at.isoformat(),
        "via": via,
        **{k: v for k, v in more.items() if v is not None},
    }


@dataclass(frozen=True)
class Received:
    """A received footprint that its packs could read: its id, its validation and its digest."""

    footprint: dict[str, Any]
    footprint_id: str
    result: ValidationResult
    digest: str


def examine(footprint: Any, *, pointer: str, validate: Validator) -> Received | FootprintOutcome:
    """Validate one received footprint (no storage): a :class:`Received`, or the outcome refusing it.

    A footprint without a string ``id``, or one its packs cannot read, is refused."""
    fid = footprint.get("id") if isinstance(footprint, dict) else None
    if not isinstance(fid, str) or not fid:
        error = PartnerError(
            "not a PACT footprint (an object with a string id)", Location(pointer=pointer), code="partner-bad-footprint"
        )
        return FootprintOutcome(pointer, None, REFUSED, error=error.to_dict())
    try:
        result = validate(footprint)
    except RegistryError as e:
        loc = e.location
        e.location = Location(loc.file, loc.line, loc.column, pointer + (loc.pointer or ""))
        return FootprintOutcome(pointer, fid, REFUSED, error=e.to_dict())
    assert isinstance(footprint, dict)
    return Received(footprint, fid, result, sha256_digest(footprint))


def store_received(
    session: Session,
    received: Received,
    *,
    org_id: str,
    partner: str,
    pointer: str,
    now: datetime,
    via: str,
    **more: Any,
) -> FootprintOutcome:
    """Store a validated footprint as ``org_id``'s supplier footprint, in ``session``; the same footprint
    (same partner, id and digest) stored before is not stored again."""
    fid, digest = received.footprint_id, received.digest
    existing = find_supplier_footprint(session, org_id, digest=digest, partner=partner, footprint_id=fid)
    if existing is not None:
        return FootprintOutcome(
            pointer, fid, ALREADY_STORED, validation_id=existing.id, digest=digest, conformant=existing.conformant
        )
    origin = provenance(partner=partner, footprint_id=fid, digest=digest, retrieved_at=now, via=via, **more)
    row = repo.insert_validation(
        session,
        org_id=org_id,
        result=received.result,
        declaration=received.footprint,
        now=now,
        extra={SUPPLIER_KEY: origin},
    )
    return FootprintOutcome(
        pointer, fid, STORED, validation_id=row.id, digest=row.declaration_digest, conformant=row.conformant
    )


def pull_footprints(
    partner: PartnerHost,
    engine: Engine,
    *,
    org_id: str,
    filters: Mapping[str, Sequence[str]],
    limit: int | None,
    validate: Validator,
    clock: Callable[[], datetime],
) -> PullReport:
    """Every footprint ``partner`` lists for ``filters``, validated and stored one transaction each.

    A failure of the partner (authentication, a page) ends the pull: the report's ``stopped`` says
    where (page, URL, status) and why; what was stored before stays stored.
    """
    report = PullReport(partner=partner.base_url)
    with session_scope(engine, write=False) as session:
        repo.get_organisation(session, org_id)  # an unknown organisation fails before the partner is called
    try:
        for page in partner.footprint_pages(filters, limit):
            report.pages = page.number
            _store_page(page, engine, report, org_id=org_id, partner=partner.base_url, validate=validate, clock=clock)
    except PartnerError as e:
        report.stopped = {"page": report.pages + 1, **e.to_dict()}
    report.token_endpoint, report.discovered = partner.token_endpoint, partner.discovered
    return report


def _store_page(
    page: FootprintPage,
    engine: Engine,
    report: PullReport,
    *,
    org_id: str,
    partner: str,
    validate: Validator,
    clock: Callable[[], datetime],
) -> None:
    for index, footprint in enumerate(page.footprints):
        pointer = f"/data/{index}"
        outcome = examine(footprint, pointer=pointer, validate=validate)
        if isinstance(outcome, Received):  # validated outside the write transaction, stored in its own
            with session_scope(engine) as session:
                outcome = store_received(
                    session,
                    outcome,
                    org_id=org_id,
                    partner=partner,
                    pointer=pointer,
                    now=clock(),
                    via="pact-pull",
                    page_url=page.url,
                )
        outcome.page = page.number
        report.footprints.append(outcome)
