"""Rule packs in the registry: publish (signed, checked, diffed), change status, read, validate.

Published versions are immutable. The in-process :class:`StoredPacks` keeps parsed and
compiled packs by ``id@version`` (their content never changes once stored) and re-reads
statuses from the database at most every ``ttl`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from registry.errors import InputError
from registry.findings import Finding
from registry.packs import (
    Catalog,
    CompiledPack,
    PackCache,
    PackDiff,
    RulePack,
    check_bump,
    compile_cached,
    diff_packs,
    pack_from_data,
    precedence,
    resolve,
    verify_envelope,
)
from registry.service import statuses, tlog
from registry.service.principal import Principal
from registry.service.publisher_keys import trusted_keys
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import PackStatus, RulePackVersion, RulePackVersionCreate


@dataclass
class VersionConflict(Conflict):
    """Other content under a stored ``id@version``: both digests, so the caller sees what differs."""

    code: str = "conflict"
    stored_digest: str = ""
    digest: str = ""

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "stored_digest": self.stored_digest, "digest": self.digest}

    @classmethod
    def of(cls, ref: str, stored_digest: str, digest: str) -> VersionConflict:
        """``ref`` is stored with ``stored_digest``; an upload with ``digest`` may not replace it."""
        message = (
            f"{ref} is already stored with different content ({stored_digest}); "
            "a stored version never changes: publish a new version"
        )
        return cls(message, stored_digest=stored_digest, digest=digest)


@dataclass(frozen=True)
class PublishOutcome:
    row: RulePackVersion
    created: bool  # False when the same content was already published (idempotent)
    diff: PackDiff | None


def _row_pack(row: RulePackVersion) -> RulePack:
    return pack_from_data(row.content, source=f"registry:{row.pack_id}@{row.version}")


def previous_version(session: Session, pack_id: str, version: str) -> RulePackVersion | None:
    """The highest stored published or deprecated version below ``version``."""
    rows = repo.list_pack_versions(session, pack_id)
    lower = [
        r
        for r in rows
        if r.status in (PackStatus.PUBLISHED, PackStatus.DEPRECATED) and precedence(r.version) < precedence(version)
    ]
    return max(lower, key=lambda r: precedence(r.version)) if lower else None


def publish(
    session: Session,
    principal: Principal,
    envelope: Any,
    *,
    now: datetime,
) -> PublishOutcome:
    """Check and store a signed pack. 200 (created False) for identical content, 409 otherwise on clash."""
    principal.require("publisher")
    namespace = _namespace_of(envelope)
    principal.require_org(namespace)
    verified = verify_envelope(envelope, trusted_keys(session, namespace))
    pack = pack_from_data(verified.pack, source=f"upload:{verified.ref}")
    status = PackStatus.DRAFT if pack.status == "draft" else PackStatus.PUBLISHED
    existing = _get_row(session, pack.id, pack.version)
    if existing is not None:
        return _stored_already(existing, pack)
    diff = _check_against_stored(session, pack, status)
    row = repo.insert_pack_version(
        session, RulePackVersionCreate(content=pack.data, status=status, envelope=envelope), now=now
    )
    fields = {"ref": pack.ref, "digest": row.digest, "status": PackStatus(status).value}
    tlog.append_event(session, "rulepack.publish", fields, now)
    return PublishOutcome(row, created=True, diff=diff)


def _namespace_of(envelope: Any) -> str:
    pack_data = envelope.get("pack") if isinstance(envelope, dict) else None
    pack_id = pack_data.get("id") if isinstance(pack_data, dict) else None
    if not isinstance(pack_id, str) or "/" not in pack_id:
        raise InputError("the envelope has no pack with an id (/pack/id)")
    return pack_id.split("/", 1)[0]


def _stored_already(existing: RulePackVersion, pack: RulePack) -> PublishOutcome:
    """Publishing the same content again changes nothing; other content under a stored id@version is a conflict."""
    if existing.digest == pack.digest:
        return PublishOutcome(existing, created=False, diff=None)
    raise VersionConflict.of(pack.ref, existing.digest, pack.digest)


def _check_against_stored(session: Session, pack: RulePack, status: PackStatus) -> PackDiff | None:
    """Resolve the pack over the stored packs it builds on and compile it; a published version is diffed
    against the previous one, whose version bump must match what changed."""
    lookup = _stored_lookup(session, pack)
    resolved = resolve(pack, lookup)
    compile_cached(resolved, lookup, PackCache.default())  # every expression compiles, or PackError (422)
    previous = previous_version(session, pack.id, pack.version)
    if previous is None or status is not PackStatus.PUBLISHED:
        return None
    diff = diff_packs(resolve(_row_pack(previous), lookup), resolved, lookup=lookup)
    check_bump(diff)
    return diff


def _stored_lookup(session: Session, pack: RulePack) -> Callable[[str], RulePack]:
    """Pack references resolved to ``pack`` itself or to published (or deprecated) stored versions."""

    def lookup(ref: str) -> RulePack:
        if ref == pack.ref:
            return pack
        base_id, _, base_version = ref.partition("@")
        row = _get_row(session, base_id, base_version)
        if row is None or row.status not in (PackStatus.PUBLISHED, PackStatus.DEPRECATED):
            raise InputError(f"base pack {ref} is not published in this registry")
        return _row_pack(row)

    return lookup


def _get_row(session: Session, pack_id: str, version: str) -> RulePackVersion | None:
    return session.exec(
        select(RulePackVersion).where(RulePackVersion.pack_id == pack_id, RulePackVersion.version == version)
    ).first()


def change_status(
    session: Session,
    principal: Principal,
    pack_id: str,
    version: str,
    status: PackStatus,
    *,
    reason: str,
    now: datetime,
) -> RulePackVersion:
    return statuses.change_status(
        session,
        principal,
        pack_id,
        version,
        status,
        reason=reason,
        now=now,
        roles=("publisher",),
        get=_require_row,
        move=repo.set_pack_status,
        log_kind="rulepack.status",
    )


def _require_row(session: Session, pack_id: str, version: str) -> RulePackVersion:
    row = _get_row(session, pack_id, version)
    if row is None:
        raise NotFound(f"no rule pack {pack_id}@{version}")
    return row


def version_on(session: Session, pack_id: str, on: date) -> RulePackVersion:
    """Which version applied on a date: the newest published/deprecated one effective then."""
    try:
        return repo.applicable_on(session, pack_id, on)
    except repo.NotFound as e:
        raise NotFound(f"no version of {pack_id} applied on {on.isoformat()}") from e


@dataclass
class StoredPacks:
    """Parsed and compiled packs from the database, shared by the requests of one process."""

    engine: Engine
    ttl: float = 2.0
    _packs: dict[str, RulePack] = field(default_factory=dict)
    _status: dict[str, str] = field(default_factory=dict)
    _compiled: dict[str, CompiledPack] = field(default_factory=dict)
    # a catalog and, resolved in it, (ref as asked, date) -> compiled pack
    _by_request: tuple[Catalog | None, dict[tuple[str, date | None], CompiledPack]] = (None, {})
    _loaded_at: float = -1.0
    _catalog: Catalog | None = None
    _changes: int = 0  # packs added and statuses moved, counted: the catalog is rebuilt when this moves
    _catalog_at: int = -1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, *, force: bool = False) -> None:
        if not force and self._loaded_at >= 0 and time.monotonic() - self._loaded_at < self.ttl:
            return
        with self._lock, session_scope(self.engine, write=False) as session:
            cols = (col(RulePackVersion.id), RulePackVersion.pack_id, RulePackVersion.version, RulePackVersion.status)
            rows = session.exec(select(*cols)).all()
            new = [row_id for row_id, pack_id, version, _ in rows if f"{pack_id}@{version}" not in self._packs]
            for pack in _packs_of_rows(session, new):
                self._packs[pack.ref] = pack
                self._changes += 1
            for _, pack_id, version, status in rows:
                ref = f"{pack_id}@{version}"
                if self._status.get(ref) != (value := PackStatus(status).value):
                    self._status[ref] = value
                    self._changes += 1
            self._loaded_at = time.monotonic()

    def catalog(self) -> Catalog:
        self.refresh()
        # rebuilt only when a pack was added or its status moved: building one costs tens of milliseconds
        if self._catalog is None or self._catalog_at != self._changes:
            self._catalog = _StatusCatalog(self._packs.values(), dict(self._status))
            self._catalog_at = self._changes
        return self._catalog

    def compiled(self, ref: str, *, on: date | None = None) -> CompiledPack:
        catalog = self.catalog()
        # each label of a batch asks the same: answered without resolving again, in the same catalog
        seen_in, known = self._by_request
        if seen_in is not catalog:
            known = {}
            self._by_request = (catalog, known)
        elif (found := known.get((ref, on))) is not None:
            return found
        pack = catalog.get(ref, on=on)
        if catalog.status_of(pack.ref) == PackStatus.WITHDRAWN.value:
            raise InputError(f"{pack.ref} is withdrawn and no longer validates declarations")
        found = self._compiled.get(pack.ref)
        if found is None:
            found = self._compiled[pack.ref] = catalog.compiled(pack.ref)
        known[(ref, on)] = found
        return found

    def select(self, document: Any, *, now: datetime) -> RulePack:
        return self.catalog().select(document, now=now)

    def choose(self, document: Any, *, now: datetime) -> tuple[RulePack, Finding | None]:
        """:meth:`Catalog.choose` over the stored packs: the base pack of the declaration's format
        when no product pack fits, with the finding that says so."""
        return self.catalog().choose(document, now=now)


_ROWS_PER_QUERY = 500


def _packs_of_rows(session: Session, ids: list[Any]) -> Iterable[RulePack]:
    """The packs stored in the rows ``ids``, their content read a few hundred rows per query (one query per
    row, each decoding its envelope too, took most of the first validation's time with 500 packs stored)."""
    cols = (RulePackVersion.pack_id, RulePackVersion.version, RulePackVersion.content)
    for start in range(0, len(ids), _ROWS_PER_QUERY):
        chunk = ids[start : start + _ROWS_PER_QUERY]
        for pack_id, version, content in session.exec(select(*cols).where(col(RulePackVersion.id).in_(chunk))):
            yield pack_from_data(content, source=f"registry:{pack_id}@{version}")


class _StatusCatalog(Catalog):
    """A catalog whose packs' statuses come from the database, not from their files."""

    def __init__(self, packs: Iterable[RulePack], status: dict[str, str]) -> None:
        super().__init__(packs, cache=PackCache.default())
        self._db_status = status

    def status_of(self, ref: str) -> str:
        return self._db_status.get(ref, "draft")


__all__ = [
    "PublishOutcome",
    "StoredPacks",
    "change_status",
    "previous_version",
    "publish",
    "version_on",
]
