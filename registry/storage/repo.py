"""Repository functions: plain functions over a :class:`~sqlmodel.Session`.

None of them commits: the caller owns the transaction (:func:`registry.storage.db.session_scope`),
so writes that belong together land together. Each write runs in a SAVEPOINT, so a
:class:`Conflict` leaves the caller's transaction usable. Time is a parameter (``now``,
an aware datetime); it defaults to the current UTC time only at this boundary.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, bindparam, exists, insert, literal_column, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from registry.canonical import sha256_digest
from registry.errors import InputError, Location
from registry.findings import ValidationResult
from registry.storage.errors import Conflict as Conflict  # re-exported: callers catch repo.NotFound / repo.Conflict
from registry.storage.errors import NotFound as NotFound
from registry.storage.hashing import DUMMY_HASH, check_secret, hash_secret, new_secret
from registry.storage.models import (
    PACK_ID_PATTERN,
    CodeScheme,
    Credential,
    CredentialCreate,
    CredentialKind,
    Organisation,
    OrganisationCreate,
    OrgKind,
    PackStatus,
    PublisherKey,
    PublisherKeyCreate,
    RecalcSource,
    RulePackCode,
    RulePackVersion,
    RulePackVersionCreate,
    Validation,
)
from registry.storage.semver import version_sort_key
from registry.supervision import region_of

T = TypeVar("T")

# --- helpers ----------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError(f"timestamp {now.isoformat()} has no timezone")
    return now.astimezone(UTC)


@contextmanager
def _writing(session: Session, conflict: str) -> Iterator[None]:
    """Flush inside a SAVEPOINT; a constraint violation becomes :class:`Conflict`."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as e:
        raise Conflict(conflict) from e


MAX_PAGE = 1000


def _bounds(limit: int, offset: int = 0) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(f"limit must be 1..{MAX_PAGE} and offset at least 0 (got {limit}, {offset})")
    return limit, offset


def _status(value: PackStatus | str) -> PackStatus:
    try:
        return PackStatus(value)
    except ValueError as e:
        raise InputError(f"unknown pack status {value!r} (one of {', '.join(s.value for s in PackStatus)})") from e


def _require_absent(session: Session, model: type[Any], key: str, conflict: str) -> None:
    """Fail early (and quietly) on a primary key the session already knows; races still end in _writing."""
    if session.get(model, key) is not None:
        raise Conflict(conflict)


def _require_org(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id!r} not found")
    return org


# --- organisations ----------------------------------------------------------------------


def create_organisation(session: Session, data: OrganisationCreate, *, now: datetime | None = None) -> Organisation:
    conflict = f"organisation {data.id!r} already exists"
    _require_absent(session, Organisation, data.id, conflict)
    org = Organisation(id=data.id, name=data.name, kind=OrgKind(data.kind), created_at=_now(now))
    with _writing(session, conflict):
        session.add(org)
    return org


def get_organisation(session: Session, org_id: str) -> Organisation:
    return _require_org(session, org_id)


def list_organisations(
    session: Session, *, kind: OrgKind | None = None, limit: int = 100, offset: int = 0
) -> list[Organisation]:
    limit, offset = _bounds(limit, offset)
    stmt = select(Organisation).order_by(col(Organisation.id)).limit(limit).offset(offset)
    if kind is not None:
        stmt = stmt.where(Organisation.kind == kind)
    return list(session.exec(stmt))


# --- credentials ------------------------------------------------------------------------

CLIENT_ID_PREFIX = {CredentialKind.CLIENT_SECRET: "cli", CredentialKind.API_KEY: "key"}


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential and its secret. The secret is shown once and never stored."""

    credential: Credential
    secret: str = field(repr=False)


def create_credential(session: Session, data: CredentialCreate, *, now: datetime | None = None) -> IssuedCredential:
    """A new credential for ``data.org_id``; the plaintext secret is in the result only."""
    _require_org(session, data.org_id)
    kind = CredentialKind(data.kind)
    secret = new_secret()
    row = Credential(
        client_id=f"{CLIENT_ID_PREFIX[kind]}_{secrets.token_hex(12)}",
        org_id=data.org_id,
        kind=kind,
        secret_hash=hash_secret(secret),
        label=data.label,
        created_at=_now(now),
    )
    with _writing(session, "credential id collision; try again"):
        session.add(row)
    return IssuedCredential(credential=row, secret=secret)


@dataclass(frozen=True)
class CredentialCheck:
    """What checking a secret needs, read in one short transaction so the hash is checked outside it."""

    client_id: str
    org_id: str
    org_kind: OrgKind
    kind: CredentialKind
    secret_hash: str = field(repr=False)
    revoked_at: datetime | None

    def accepts(self, secret: str) -> bool:
        """Whether ``secret`` is right and the credential not revoked (scrypt: call it outside transactions)."""
        return check_secret(secret, self.secret_hash) and self.revoked_at is None


def credential_for_check(session: Session, client_id: str) -> CredentialCheck | None:
    """The stored hash and owner of a credential, or None when there is no such client id."""
    row = session.get(Credential, client_id)
    if row is None:
        return None
    org = _require_org(session, row.org_id)
    return CredentialCheck(
        row.client_id, org.id, OrgKind(org.kind), CredentialKind(row.kind), row.secret_hash, row.revoked_at
    )


def check_without_credential(secret: str) -> bool:
    """The scrypt an unknown client id costs (always False), so timing tells no id apart."""
    check_secret(secret, DUMMY_HASH)
    return False


def verify_credential(session: Session, client_id: str, secret: str) -> Organisation | None:
    """The organisation when ``secret`` is right and the credential not revoked, else None.

    An unknown client id costs the same scrypt as a known one, and the comparison is
    constant-time, so timing tells an attacker neither which ids exist nor how close a guess is.
    This checks the hash inside the caller's transaction: request paths use
    :func:`credential_for_check` and check the hash after the transaction ends.
    """
    found = credential_for_check(session, client_id)
    ok = found.accepts(secret) if found is not None else check_without_credential(secret)
    return session.get(Organisation, found.org_id) if found is not None and ok else None


def credential_revoked(session: Session, client_id: str, *, now: datetime | None = None) -> bool:
    """Whether the credential is revoked (or gone) at ``now``: what a token carrying its id depends on."""
    row = session.get(Credential, client_id)
    return row is None or (row.revoked_at is not None and row.revoked_at <= _now(now))


def get_credential(session: Session, client_id: str, *, org_id: str | None = None) -> Credential:
    row = session.get(Credential, client_id)
    if row is None or (org_id is not None and row.org_id != org_id):
        raise NotFound(f"credential {client_id!r} not found")
    return row


def list_credentials(session: Session, org_id: str) -> list[Credential]:
    stmt = select(Credential).where(Credential.org_id == org_id)
    stmt = stmt.order_by(col(Credential.created_at), col(Credential.client_id))
    return list(session.exec(stmt))


def revoke_credential(
    session: Session, client_id: str, *, org_id: str | None = None, now: datetime | None = None
) -> Credential:
    """Revoke (idempotent: the first revocation time is kept). ``org_id`` scopes the lookup."""
    row = get_credential(session, client_id, org_id=org_id)
    if row.revoked_at is None:
        row.revoked_at = _now(now)
        with _writing(session, f"credential {client_id!r} changed concurrently"):
            session.add(row)
    return row


def mark_credential_used(session: Session, client_id: str, *, now: datetime | None = None) -> None:
    row = get_credential(session, client_id)
    row.last_used_at = _now(now)
    with _writing(session, f"credential {client_id!r} changed concurrently"):
        session.add(row)


# --- publisher keys ---------------------------------------------------------------------


def add_publisher_key(session: Session, data: PublisherKeyCreate, *, now: datetime | None = None) -> PublisherKey:
    _require_org(session, data.org_id)
    conflict = f"publisher key {data.keyid!r} already exists"
    _require_absent(session, PublisherKey, data.keyid, conflict)
    row = PublisherKey(keyid=data.keyid, org_id=data.org_id, public_jwk=dict(data.public_jwk), created_at=_now(now))
    with _writing(session, conflict):
        session.add(row)
    return row


def get_publisher_key(session: Session, keyid: str) -> PublisherKey:
    row = session.get(PublisherKey, keyid)
    if row is None:
        raise NotFound(f"publisher key {keyid!r} not found")
    return row


def list_publisher_keys(session: Session, org_id: str, *, include_revoked: bool = False) -> list[PublisherKey]:
    stmt = select(PublisherKey).where(PublisherKey.org_id == org_id)
    if not include_revoked:
        stmt = stmt.where(col(PublisherKey.revoked_at).is_(None))
    return list(session.exec(stmt.order_by(col(PublisherKey.created_at), col(PublisherKey.keyid))))


def revoke_publisher_key(
    session: Session, keyid: str, *, org_id: str | None = None, now: datetime | None = None
) -> PublisherKey:
    row = get_publisher_key(session, keyid)
    if org_id is not None and row.org_id != org_id:
        raise NotFound(f"publisher key {keyid!r} not found")
    if row.revoked_at is None:
        row.revoked_at = _now(now)
        with _writing(session, f"publisher key {keyid!r} changed concurrently"):
            session.add(row)
    return row


# --- rule pack versions -----------------------------------------------------------------

_CODE_RE = re.compile(r"[0-9]+", re.ASCII)

# Allowed status changes; anything else is a Conflict. Withdrawn is final.
STATUS_TRANSITIONS: Mapping[PackStatus, frozenset[PackStatus]] = {
    PackStatus.DRAFT: frozenset({PackStatus.PUBLISHED, PackStatus.WITHDRAWN}),
    PackStatus.PUBLISHED: frozenset({PackStatus.DEPRECATED, PackStatus.WITHDRAWN}),
    PackStatus.DEPRECATED: frozenset({PackStatus.PUBLISHED, PackStatus.WITHDRAWN}),
    PackStatus.WITHDRAWN: frozenset(),
}
APPLICABLE_STATUSES = (PackStatus.PUBLISHED, PackStatus.DEPRECATED)


def move_version_status(
    session: Session, row: Any, what: str, status: PackStatus, *, reason: str, now: datetime
) -> Any:
    """Move a published version (a factor set's, a grading catalogue's: any row with ``status``,
    ``status_reason`` and ``status_changed_at``) to ``status`` with a reason; a forbidden move is a Conflict."""
    if status not in STATUS_TRANSITIONS[PackStatus(row.status)]:
        raise Conflict(f"{what} cannot go from {PackStatus(row.status).value} to {status.value}")
    if not reason.strip():
        raise InputError("a status change needs a reason", Location(pointer="/reason"))
    row.status, row.status_reason, row.status_changed_at = status, reason, now
    with _writing(session, f"{what} changed concurrently"):
        session.add(row)
    return row


def normalise_code(code: str) -> str:
    """``7601.10`` -> ``760110``: digits only, as stored in ``rulepack_code``."""
    digits = code.replace(".", "").replace(" ", "")
    if not _CODE_RE.fullmatch(digits):
        raise InputError(f"classification code {code!r} must be digits (dots and spaces are ignored)")
    return digits


def _date(value: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as e:
        raise InputError(f"{what} {value!r} is not an ISO 8601 date") from e


def _pack_columns(content: Mapping[str, Any]) -> dict[str, Any]:
    """The searchable columns, read from a (schema-valid) pack document."""
    try:
        pack_id, version = str(content["id"]), str(content["version"])
        title, effective = content["title"], content["effective"]
        scope = content.get("scope", {})
        columns = {
            "pack_id": pack_id,
            "version": version,
            "version_sort": version_sort_key(version),
            "namespace": pack_id.split("/", 1)[0],
            "title_en": str(title["en"]),
            "title_zh": str(title["zh"]),
            "hs_codes": [str(c) for c in scope.get("hs", [])],
            "cpc_codes": [str(c) for c in scope.get("cpc", [])],
            "effective_from": _date(effective["from"], "effective.from"),
            "effective_until": _date(effective["until"], "effective.until") if "until" in effective else None,
        }
    except (KeyError, TypeError, AttributeError) as e:
        raise InputError(f"rule pack content lacks a required field: {e}") from e
    if not re.fullmatch(PACK_ID_PATTERN, pack_id):
        raise InputError(f"pack id {pack_id!r} is not <namespace>/<name> (lower-case letters, digits, '-')")
    return columns


def insert_pack_version(
    session: Session, data: RulePackVersionCreate, *, now: datetime | None = None
) -> RulePackVersion:
    """Store one pack version. Conflict when ``id@version`` exists; NotFound when its namespace is no organisation."""
    columns = _pack_columns(data.content)
    status = _status(data.status)
    if status is not PackStatus.DRAFT and data.envelope is None:
        raise InputError(f"a {status.value} pack version needs its signed envelope")
    _require_org(session, columns["namespace"])
    at = _now(now)
    row = RulePackVersion(
        **columns,
        status=status,
        digest=sha256_digest(data.content),
        content=data.content,
        envelope=data.envelope,
        created_at=at,
        published_at=at if status is PackStatus.PUBLISHED else None,
        status_changed_at=at,
    )
    codes = {(CodeScheme.HS, normalise_code(c)) for c in columns["hs_codes"]}
    codes |= {(CodeScheme.CPC, normalise_code(c)) for c in columns["cpc_codes"]}
    with _writing(session, f"rule pack {columns['pack_id']}@{columns['version']} already exists"):
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add_all(RulePackCode(pack_version_id=row.id, scheme=s, code=c) for s, c in sorted(codes))
    return row


def get_pack_version(session: Session, pack_id: str, version: str) -> RulePackVersion:
    stmt = select(RulePackVersion).where(RulePackVersion.pack_id == pack_id, RulePackVersion.version == version)
    row = session.exec(stmt).first()
    if row is None:
        raise NotFound(f"rule pack {pack_id}@{version} not found")
    return row


def list_pack_versions(
    session: Session, pack_id: str, *, statuses: Collection[PackStatus] | None = None, newest_first: bool = False
) -> list[RulePackVersion]:
    """The versions of one pack in SemVer order (1.9.0 before 1.10.0; pre-releases before their release)."""
    order = col(RulePackVersion.version_sort)
    stmt = select(RulePackVersion).where(RulePackVersion.pack_id == pack_id)
    if statuses is not None:
        stmt = stmt.where(col(RulePackVersion.status).in_(list(statuses)))
    stmt = stmt.order_by(order.desc() if newest_first else order.asc(), col(RulePackVersion.version))
    return list(session.exec(stmt))


def _code_filter(prefix: str, scheme: CodeScheme | None) -> ColumnElement[bool]:
    """Packs with a code starting with ``prefix``: a range scan on the (scheme, code) index."""
    digits = normalise_code(prefix)
    code = col(RulePackCode.code)
    cond = and_(col(RulePackCode.pack_version_id) == RulePackVersion.id, code >= digits)
    # digits only: every code starting with `digits` is below `digits` with its last digit
    # bumped; ":" follows "9" bytewise (C collation on PostgreSQL).
    cond = and_(cond, code < digits[:-1] + chr(ord(digits[-1]) + 1))
    if scheme is not None:
        cond = and_(cond, col(RulePackCode.scheme) == scheme)
    return exists().where(cond)


def _covering_filter(code: str, scheme: CodeScheme | None) -> ColumnElement[bool]:
    """Packs whose scope code is a prefix of ``code`` (how a declaration finds its pack)."""
    digits = normalise_code(code)
    prefixes = [digits[:i] for i in range(1, len(digits) + 1)]
    cond = and_(col(RulePackCode.pack_version_id) == RulePackVersion.id, col(RulePackCode.code).in_(prefixes))
    if scheme is not None:
        cond = and_(cond, col(RulePackCode.scheme) == scheme)
    return exists().where(cond)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_pack_versions(
    session: Session,
    *,
    code_prefix: str | None = None,
    covering_code: str | None = None,
    scheme: CodeScheme | None = None,
    text: str | None = None,
    namespace: str | None = None,
    statuses: Collection[PackStatus] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[RulePackVersion]:
    """Pack versions matching every filter given, by pack id then newest version first.

    ``code_prefix``: a code of ``scheme`` (HS or CPC; both when None) starts with it
    (``76`` finds ``7601.10``). ``covering_code``: a scope code is a prefix of it (``7601.10.00``
    finds a pack scoped to ``7601``). ``text``: case-insensitive substring of the pack id or
    either title.
    """
    limit, offset = _bounds(limit, offset)
    stmt = select(RulePackVersion)
    if code_prefix:
        stmt = stmt.where(_code_filter(code_prefix, scheme))
    if covering_code:
        stmt = stmt.where(_covering_filter(covering_code, scheme))
    if text:
        pattern = _like_pattern(text)
        stmt = stmt.where(
            or_(
                col(RulePackVersion.pack_id).ilike(pattern, escape="\\"),
                col(RulePackVersion.title_en).ilike(pattern, escape="\\"),
                col(RulePackVersion.title_zh).ilike(pattern, escape="\\"),
            )
        )
    if namespace is not None:
        stmt = stmt.where(RulePackVersion.namespace == namespace)
    if statuses is not None:
        stmt = stmt.where(col(RulePackVersion.status).in_(list(statuses)))
    stmt = stmt.order_by(
        col(RulePackVersion.pack_id), col(RulePackVersion.version_sort).desc(), col(RulePackVersion.version)
    )
    return list(session.exec(stmt.limit(limit).offset(offset)))


def applicable_versions(session: Session, pack_id: str, on: date) -> list[RulePackVersion]:
    """Published or deprecated versions whose effective range contains ``on`` (both ends inclusive), newest first."""
    until = col(RulePackVersion.effective_until)
    stmt = (
        select(RulePackVersion)
        .where(
            RulePackVersion.pack_id == pack_id,
            col(RulePackVersion.status).in_(APPLICABLE_STATUSES),
            col(RulePackVersion.effective_from) <= on,
            or_(until.is_(None), until >= on),
        )
        .order_by(col(RulePackVersion.version_sort).desc(), col(RulePackVersion.version))
    )
    return list(session.exec(stmt))


def applicable_on(session: Session, pack_id: str, on: date) -> RulePackVersion:
    """The newest published/deprecated version of ``pack_id`` in effect on ``on``; NotFound if none."""
    found = applicable_versions(session, pack_id, on)
    if not found:
        raise NotFound(f"no published version of {pack_id} is in effect on {on.isoformat()}")
    return found[0]


def set_pack_status(
    session: Session,
    pack_id: str,
    version: str,
    status: PackStatus | str,
    *,
    reason: str | None = None,
    envelope: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> RulePackVersion:
    """Move a version along draft -> published -> deprecated, or to withdrawn (final).

    Publishing needs the signed envelope (stored, or given here). A forbidden move is a Conflict.
    """
    status = _status(status)
    row = get_pack_version(session, pack_id, version)
    if status not in STATUS_TRANSITIONS[row.status]:
        raise Conflict(f"rule pack {pack_id}@{version} cannot go from {row.status.value} to {status.value}")
    if envelope is not None:
        row.envelope = envelope
    if status is PackStatus.PUBLISHED and row.envelope is None:
        raise InputError(f"publishing {pack_id}@{version} needs its signed envelope")
    at = _now(now)
    row.status, row.status_reason, row.status_changed_at = status, reason, at
    if status is PackStatus.PUBLISHED and row.published_at is None:
        row.published_at = at
    with _writing(session, f"rule pack {pack_id}@{version} changed concurrently"):
        session.add(row)
    return row


# --- validations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated listing; pass ``next_cursor`` back for the next."""

    items: list[T]
    next_cursor: str | None


def insert_validation(
    session: Session,
    *,
    org_id: str,
    result: ValidationResult,
    declaration: dict[str, Any],
    now: datetime | None = None,
    validation_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Validation:
    """Record a validation run by ``org_id``; ``declaration_digest`` is over its RFC 8785 form.

    ``extra`` is stored beside the result's members (a recalculation and its inventory)."""
    _require_org(session, org_id)
    validation_id = validation_id or str(uuid.uuid4())
    conflict = f"validation {validation_id!r} already exists"
    _require_absent(session, Validation, validation_id, conflict)
    row = Validation(
        id=validation_id,
        org_id=org_id,
        pack_id=result.pack.id,
        pack_version=result.pack.version,
        pack_digest=result.pack.digest,
        conformant=result.conformant,
        result={**result.to_json(), **(extra or {})},
        declaration=declaration,
        declaration_digest=sha256_digest(declaration),
        created_at=_now(now),
        region=region_of(declaration),
        recalculation="recalculation" in (extra or {}),
    )
    with _writing(session, conflict):
        session.add(row)
    return row


def insert_validations(
    session: Session, items: Sequence[tuple[str, ValidationResult, dict[str, Any]]], *, now: datetime | None = None
) -> list[tuple[str, datetime]]:
    """Record many validations ``(org_id, result, declaration)`` in one INSERT; returns (id, created_at).

    :func:`insert_validation_rows` inside a SAVEPOINT of the session's transaction.
    """
    with _writing(session, "validation id clash"):
        return insert_validation_rows(session.connection(), items, now=now)


def insert_validation_rows(
    connection: Connection,
    items: Sequence[tuple[str, ValidationResult, dict[str, Any]]],
    *,
    now: datetime | None = None,
    check_orgs: bool = True,
) -> list[tuple[str, datetime]]:
    """Record many validations ``(org_id, result, declaration)`` in the connection's transaction; returns
    (id, created_at) of each.

    For the group-committing writer, which runs it on a bare Core connection (:func:`connection_scope`):
    each organisation is checked once, ids are fresh UUIDs (so no duplicate check is needed), and the
    rows go in as one executemany, with no ORM objects or unit-of-work bookkeeping (nothing reads them
    back in this transaction). A stored validation costs its share of one transaction's fixed work.
    ``check_orgs=False`` leaves an unknown organisation to the foreign key: the INSERT fails as a whole
    (an IntegrityError, a Conflict once out of :func:`connection_scope`), and the caller tries each row
    again with the check, which names the organisation (NotFound).
    """
    at = _now(now)
    if check_orgs:
        _require_orgs(connection, {org for org, _, _ in items})
    rows: list[dict[str, Any]] = [
        {
            "id": str(uuid.uuid4()),
            "org_id": org_id,
            "pack_id": result.pack.id,
            "pack_version": result.pack.version,
            "pack_digest": result.pack.digest,
            "conformant": result.conformant,
            "result": result.to_json(),
            "declaration": declaration,
            "declaration_digest": sha256_digest(declaration),
            "created_at": at,
            "region": region_of(declaration),
            "recalculation": False,
        }
        for org_id, result, declaration in items
    ]
    if rows:
        connection.execute(_VALIDATION_TABLE.insert(), rows)
    return [(str(row["id"]), at) for row in rows]


_VALIDATION_TABLE = Validation.__table__  # type: ignore[attr-defined]
_ORG_IDS = Organisation.__table__.c.id  # type: ignore[attr-defined]
_ORGS_AMONG = sa_select(_ORG_IDS).where(_ORG_IDS.in_(bindparam("ids", expanding=True)))  # built once


def _require_orgs(connection: Connection, org_ids: Collection[str]) -> None:
    """NotFound naming the first of ``org_ids`` that is not an organisation (one query, no ORM objects)."""
    if not org_ids:
        return
    found = set(connection.execute(_ORGS_AMONG, {"ids": list(org_ids)}).scalars())
    for org_id in sorted(org_ids):
        if org_id not in found:
            raise NotFound(f"organisation {org_id!r} not found")


def get_validation(session: Session, validation_id: str, *, org_id: str | None) -> Validation:
    """A validation, only if ``org_id`` ran it (another organisation's looks like a missing one); ``org_id``
    None: whoever ran it (the caller proved access otherwise, e.g. by a signed report link)."""
    row = session.get(Validation, validation_id)
    if row is None or (org_id is not None and row.org_id != org_id):
        raise NotFound(f"validation {validation_id!r} not found")
    return row


def validations_by_id(session: Session, org_id: str, ids: Collection[str]) -> dict[str, Validation]:
    """The validations ``org_id`` ran among ``ids`` (another organisation's are not there)."""
    if not ids:
        return {}
    rows = session.exec(select(Validation).where(col(Validation.id).in_(list(ids)), Validation.org_id == org_id))
    return {row.id: row for row in rows}


def validations_of_declarations(
    session: Session, digests: Collection[str], *, org_id: str | None = None
) -> list[Validation]:
    """Stored validations of the declarations with these digests (of ``org_id`` only, when given),
    oldest first."""
    if not digests:
        return []
    query = select(Validation).where(col(Validation.declaration_digest).in_(list(digests)))
    if org_id is not None:
        query = query.where(Validation.org_id == org_id)
    return list(session.exec(query.order_by(col(Validation.created_at), col(Validation.id))))


# The partial index ``ix_validation_recalculations`` holds the rows ``WHERE recalculation``; SQLAlchemy writes a
# boolean column as ``recalculation = 1`` on SQLite, which SQLite does not take to imply the index's condition
# (its partial-index rule wants the same term), so it searched every validation of the declaration instead: a
# label issued after thousands of stored validations of its declaration cost milliseconds more. The condition
# is written as the index's own term.
HOLDS_RECALCULATION: ColumnElement[Any] = literal_column("validation.recalculation")


def recalculations_of_declarations(session: Session, digests: Collection[str], *, org_id: str) -> list[Validation]:
    """``org_id``'s stored recalculations of the declarations with these digests, oldest first: read
    through an index of the recalculations alone, so plain validations of the same declaration (stored
    by the thousand) cost nothing here."""
    if not digests:
        return []
    query = select(Validation).where(
        HOLDS_RECALCULATION,
        Validation.org_id == org_id,
        col(Validation.declaration_digest).in_(sorted(digests)),
    )
    return list(session.exec(query.order_by(col(Validation.created_at), col(Validation.id))))


def insert_recalc_sources(session: Session, validation_id: str, org_id: str, sources: Mapping[str, str | None]) -> None:
    """Record what a stored recalculation rests on: ``{source: digest}`` (``factorset:id@version`` or
    ``declaration:<PACT id>``)."""
    if sources:
        rows = [
            {"validation_id": validation_id, "source": src, "org_id": org_id, "digest": digest}
            for src, digest in sorted(sources.items())
        ]
        with _writing(session, f"sources of {validation_id!r} already recorded"):
            session.execute(insert(RecalcSource), rows)


def recalculations_citing(session: Session, sources: Collection[str], *, org_id: str) -> list[RecalcSource]:
    """The ``org_id``'s stored recalculations that rest on any of ``sources``."""
    if not sources:
        return []
    stmt = select(RecalcSource).where(col(RecalcSource.source).in_(sorted(sources)), RecalcSource.org_id == org_id)
    return list(session.exec(stmt.order_by(col(RecalcSource.validation_id), col(RecalcSource.source))))


def validations_of_declaration_id(session: Session, declaration_id: str, *, org_id: str) -> list[Validation]:
    """The ``org_id``'s stored validations of the declaration whose PACT ``id`` this is, oldest first."""
    stmt = select(Validation).where(
        Validation.org_id == org_id, Validation.declaration["id"].as_string() == declaration_id
    )
    return list(session.exec(stmt.order_by(col(Validation.created_at), col(Validation.id))))


def list_validations(session: Session, org_id: str, *, limit: int = 50, cursor: str | None = None) -> Page[Validation]:
    """``org_id``'s validations, newest first (by created_at, then id), ``limit`` at a time."""
    limit, _ = _bounds(limit)
    created, vid = col(Validation.created_at), col(Validation.id)
    stmt = select(Validation).where(Validation.org_id == org_id)
    if cursor is not None:
        at, last_id = _decode_cursor(cursor)
        stmt = stmt.where(or_(created < at, and_(created == at, vid < last_id)))
    rows = list(session.exec(stmt.order_by(created.desc(), vid.desc()).limit(limit + 1)))
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, next_cursor=_encode_cursor(items[-1]) if more else None)


def _encode_cursor(row: Validation) -> str:
    raw = f"{row.created_at.astimezone(UTC).isoformat()}|{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, last_id = raw.split("|", 1)
        at = datetime.fromisoformat(at_text)
    except (ValueError, UnicodeDecodeError, binascii.Error) as e:
        raise InputError(f"invalid page cursor {cursor!r}") from e
    if at.tzinfo is None:
        raise InputError(f"invalid page cursor {cursor!r}")
    return at, last_id
