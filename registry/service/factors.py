"""Factor sets in the registry: publish (signed, meta-checked, diffed), withdraw, read, search, diff.

Publishing is the rule packs' path: the publisher's Ed25519 envelope is checked against the keys
registered for the set's namespace, the set is read and meta-checked (GWP tables are looked up
among the stored published sets), and only a set without an error finding (the licence must
allow publication) is stored. A stored ``id@version`` never changes: the same content again is
a no-op, other content is a :class:`VersionConflict`. Nothing is stored when anything fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from registry.errors import InputError, Location
from registry.factors import (
    FactorLibrary,
    FactorSet,
    FactorSetDiff,
    MetaCheckFailed,
    check_factor_set,
    decimal_text,
    diff_sets,
    factor_set_from_data,
    verify_signed_set,
)
from registry.findings import Finding, Severity
from registry.semver import precedence
from registry.service import statuses, tlog
from registry.service.packs import VersionConflict
from registry.service.principal import Principal
from registry.service.publisher_keys import trusted_keys
from registry.storage import factorsets as store
from registry.storage.errors import NotFound
from registry.storage.models import FactorSetVersion, PackStatus
from registry.storage.repo import APPLICABLE_STATUSES


@dataclass(frozen=True)
class PublishOutcome:
    row: FactorSetVersion
    created: bool  # False when the same content was already published (idempotent)
    diff: FactorSetDiff | None  # against the highest stored published version below this one
    findings: tuple[Finding, ...] = ()  # the meta check's warnings, kept with the answer


def row_set(row: FactorSetVersion) -> FactorSet:
    """The stored set, its status the registry's (published, deprecated, withdrawn), not the document's."""
    return factor_set_from_data({**row.content, "status": PackStatus(row.status).value}, file=f"registry:{row.set_id}")


def _gwp_lookup(session: Session) -> Any:
    def lookup(ref: str) -> FactorSet | None:
        set_id, _, version = ref.partition("@")
        row = store.find_set_version(session, set_id, version)
        return row_set(row) if row is not None and row.status in APPLICABLE_STATUSES else None

    return lookup


def _namespace_of(envelope: Any) -> str:
    document = envelope.get("factorSet") if isinstance(envelope, dict) else None
    set_id = document.get("id") if isinstance(document, dict) else None
    if not isinstance(set_id, str) or "/" not in set_id:
        raise InputError("the envelope has no factor set with an id", Location(pointer="/factorSet/id"))
    return set_id.split("/", 1)[0]


def _meta_check(session: Session, fs: FactorSet) -> tuple[Finding, ...]:
    findings = check_factor_set(fs, _gwp_lookup(session), for_publication=True)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise MetaCheckFailed(
            f"{fs.ref} fails its meta check ({len(errors)} error(s)): {errors[0].path}: {errors[0].message}",
            Location(pointer="/factorSet" + errors[0].path),
            findings=findings,
        )
    return tuple(findings)


def _factor_columns(fs: FactorSet) -> list[dict[str, Any]]:
    return [
        {
            "factor_id": r.id,
            "activity": r.activity,
            "unit": r.unit,
            "region": r.region,
            "year": r.year,
            "boundary": r.boundary,
            "value": decimal_text(r.value),
            "name_en": r.name.en,
            "name_zh": r.name.zh,
            "codes": store.codes_column(r.classifications),
        }
        for r in fs.records
    ]


def previous_version(session: Session, set_id: str, version: str) -> FactorSetVersion | None:
    """The highest stored published or deprecated version below ``version``."""
    lower = [
        r
        for r in store.list_set_versions(session, set_id)
        if r.status in APPLICABLE_STATUSES and precedence(r.version) < precedence(version)
    ]
    return max(lower, key=lambda r: precedence(r.version)) if lower else None


def publish(session: Session, principal: Principal, envelope: Any, *, now: datetime) -> PublishOutcome:
    """Check and store a signed set. ``created`` False for identical content; VersionConflict otherwise on clash."""
    principal.require("publisher")
    namespace = _namespace_of(envelope)
    principal.require_org(namespace)
    verified = verify_signed_set(envelope, trusted_keys(session, namespace))
    fs = verified.factor_set
    if fs.status != "published":
        message = f"{fs.ref} says status {fs.status!r}; only a set whose status is 'published' is published"
        raise InputError(message, Location(pointer="/factorSet/status"))
    existing = store.find_set_version(session, fs.id, fs.version)
    if existing is not None:
        if existing.digest == verified.digest:
            return PublishOutcome(existing, created=False, diff=None)
        raise VersionConflict.of(fs.ref, existing.digest, verified.digest)
    findings = _meta_check(session, fs)
    previous = previous_version(session, fs.id, fs.version)
    diff = diff_sets(row_set(previous), fs) if previous is not None else None
    new = store.NewSetVersion(fs.to_json(), envelope, verified.digest, PackStatus.PUBLISHED, _factor_columns(fs))
    row = store.insert_set_version(session, new, now=now)
    fields = {"ref": fs.ref, "digest": verified.digest, "status": PackStatus.PUBLISHED.value}
    tlog.append_event(session, "factorset.publish", fields, now)
    return PublishOutcome(row, created=True, diff=diff, findings=findings)


def change_status(
    session: Session,
    principal: Principal,
    set_id: str,
    version: str,
    status: PackStatus,
    *,
    reason: str,
    now: datetime,
) -> FactorSetVersion:
    """Deprecate or withdraw a version, with a reason; its content and envelope stay stored."""
    return statuses.change_status(
        session,
        principal,
        set_id,
        version,
        status,
        reason=reason,
        now=now,
        roles=("publisher",),
        get=store.get_set_version,
        move=store.set_status,
        log_kind="factorset.status",
    )


def get_version(session: Session, set_id: str, version: str) -> FactorSetVersion:
    return store.get_set_version(session, set_id, version)


def version_on(session: Session, set_id: str, on: date) -> FactorSetVersion:
    """Which version applied on a date: the newest published/deprecated one in effect then."""
    return store.applicable_on(session, set_id, on)


def diff_versions(session: Session, set_id: str, old: str, new: str) -> FactorSetDiff:
    return diff_sets(row_set(get_version(session, set_id, old)), row_set(get_version(session, set_id, new)))


def factor_of(session: Session, set_id: str, version: str, factor_id: str) -> tuple[FactorSetVersion, dict[str, Any]]:
    """One factor of a stored version, as written in the set."""
    row = get_version(session, set_id, version)
    for record in row.content["records"]:
        if record["id"] == factor_id:
            return row, record
    raise NotFound(f"factor set {set_id}@{version} has no factor {factor_id!r}")


def stored_library(session: Session, rows: Iterable[FactorSetVersion] | None = None) -> FactorLibrary:
    """A :class:`FactorLibrary` of the stored sets (every status: resolving refuses withdrawn ones)."""
    return FactorLibrary(row_set(r) for r in (rows if rows is not None else store.list_set_versions(session)))


def signed_envelope(data_dir: Path, ref: str, *, on: date) -> dict[str, Any]:
    """The stored signed envelope of ``set@version`` (or of the version in effect on ``on``) in a data dir."""
    from registry.storage.db import make_engine, session_scope
    from registry.storage.settings import StorageSettings, database_url_for

    if not data_dir.is_dir():
        raise InputError(f"{data_dir} is not a data directory; run pcfreg init --data-dir {data_dir} first")
    set_id, _, version = ref.partition("@")
    engine = make_engine(database_url_for(StorageSettings(data_dir=data_dir)))
    try:
        with session_scope(engine, write=False) as s:
            row = get_version(s, set_id, version) if version else version_on(s, set_id, on)
            return dict(row.envelope)
    finally:
        engine.dispose()


__all__ = [
    "PublishOutcome",
    "change_status",
    "diff_versions",
    "factor_of",
    "get_version",
    "previous_version",
    "publish",
    "row_set",
    "signed_envelope",
    "stored_library",
    "version_on",
]
