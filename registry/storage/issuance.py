"""Repository functions for audits, recognitions, label signing keys, labels and status lists.

Like :mod:`registry.storage.repo`: plain functions over a session, none commits, time
and randomness are parameters. Status-list bits are not stored as a blob: a list is
the set of its labels' states, and its ``version`` goes up in the same transaction as
any state change, so the published list (ETag = version) can never lag a revocation
that committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, String, bindparam, func, text, true, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from registry.canonical import sha256_digest
from registry.errors import NotPermitted
from registry.findings import PackRef
from registry.storage.bulk import insert_rows
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import (
    Audit,
    KeyState,
    Label,
    LabelSigningKey,
    LabelState,
    Recognition,
    StatusListRow,
    Validation,
)
from registry.storage.repo import HOLDS_RECALCULATION, _now, _require_org, _writing
from registry.supervision import region_of

STATUS_LIST_SIZE = 131_072
# A list takes new labels until this share of its entries is used, so a random
# free index is found in a few tries and every list keeps a large anonymity set.
STATUS_LIST_FILL = 0.5
_MAX_TRIES = 64


# --- audits and recognitions --------------------------------------------------------------


def insert_audit(
    session: Session,
    *,
    certifier_id: str,
    record: dict[str, Any],
    declaration: dict[str, Any],
    pack: PackRef,
    now: datetime | None = None,
    audit_id: str | None = None,
) -> Audit:
    _require_org(session, certifier_id)
    audit_id = audit_id or str(uuid.uuid4())
    row = Audit(
        id=audit_id,
        certifier_id=certifier_id,
        digest=sha256_digest(record),
        record=record,
        declaration=declaration,
        declaration_digest=sha256_digest(declaration),
        pack_id=pack.id,
        pack_version=pack.version,
        pack_digest=pack.digest,
        created_at=_now(now),
        region=region_of(declaration),
    )
    with _writing(session, f"audit {audit_id!r} already exists"):
        session.add(row)
    return row


def get_audit(session: Session, audit_id: str, *, certifier_id: str | None = None) -> Audit:
    """An audit; with ``certifier_id``, only that certifier's (another's looks missing)."""
    row = session.get(Audit, audit_id)
    if row is None or (certifier_id is not None and row.certifier_id != certifier_id):
        raise NotFound(f"audit {audit_id!r} not found")
    return row


def insert_recognition(
    session: Session, *, audit: Audit, result: dict[str, Any], now: datetime | None = None
) -> Recognition:
    row = Recognition(
        id=str(uuid.uuid4()),
        audit_id=audit.id,
        certifier_id=audit.certifier_id,
        result=result,
        created_at=_now(now),
    )
    with _writing(session, "recognition already exists"):
        session.add(row)
    return row


def get_recognition(session: Session, recognition_id: str, *, certifier_id: str) -> Recognition:
    row = session.get(Recognition, recognition_id)
    if row is None or row.certifier_id != certifier_id:
        raise NotFound(f"recognition {recognition_id!r} not found")
    return row


def recognitions_of(session: Session, audit_id: str) -> list[Recognition]:
    stmt = select(Recognition).where(Recognition.audit_id == audit_id).order_by(col(Recognition.created_at))
    return list(session.exec(stmt))


# --- signing keys -------------------------------------------------------------------------


def add_signing_key(session: Session, row: LabelSigningKey) -> LabelSigningKey:
    _require_org(session, row.certifier_id)
    with _writing(session, f"signing key {row.kid!r} already exists"):
        session.add(row)
    return row


def get_signing_key(session: Session, kid: str) -> LabelSigningKey:
    row = session.get(LabelSigningKey, kid)
    if row is None:
        raise NotFound(f"signing key {kid!r} not found")
    return row


def signing_keys(
    session: Session, *, certifier_id: str | None = None, states: Iterable[KeyState] | None = None
) -> list[LabelSigningKey]:
    stmt = select(LabelSigningKey)
    if certifier_id is not None:
        stmt = stmt.where(LabelSigningKey.certifier_id == certifier_id)
    if states is not None:
        stmt = stmt.where(col(LabelSigningKey.state).in_(list(states)))
    return list(session.exec(stmt.order_by(col(LabelSigningKey.created_at), col(LabelSigningKey.kid))))


_KEYS = LabelSigningKey.__table__  # type: ignore[attr-defined]
_ACTIVE_KEYS = (
    sa_select(_KEYS)
    .where(_KEYS.c.certifier_id == bindparam("certifier"), _KEYS.c.state == KeyState.ACTIVE.value)
    .order_by(_KEYS.c.created_at, _KEYS.c.kid)
)


def active_signing_key_rows(session: Session, certifier_id: str) -> list[Any]:
    """The certifier's active keys, oldest first, as plain rows (the attributes of
    :class:`LabelSigningKey`): one prebuilt statement, for the issuing path."""
    return list(session.connection().execute(_ACTIVE_KEYS, {"certifier": certifier_id}))


def latest_label_expiry(session: Session, kid: str) -> datetime | None:
    value = session.exec(select(func.max(Label.expires_at)).where(Label.kid == kid)).one()
    return value if isinstance(value, datetime) else None


# --- status list indexes --------------------------------------------------------------------


# Built once: these run for every label issued, and building a statement costs more than running it.
_LISTS = StatusListRow.__table__  # type: ignore[attr-defined]
_LABELS = Label.__table__  # type: ignore[attr-defined]
# FOR UPDATE (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers): the list taking new
# labels stays locked until the transaction ends, so concurrent issuers take its indexes one after
# the other and each sees the labels the one before it committed.
_NEWEST_LIST = (
    sa_select(_LISTS.c.list_no, _LISTS.c.size, _LISTS.c.used)
    .where(_LISTS.c.certifier_id == bindparam("certifier"))
    .order_by(_LISTS.c.list_no.desc())
    .limit(1)
    .with_for_update()
)
_COUNT_UP = (
    update(_LISTS)
    .where(_LISTS.c.certifier_id == bindparam("certifier"), _LISTS.c.list_no == bindparam("b_list_no"))
    .values(used=_LISTS.c.used + bindparam("take"), updated_at=bindparam("at"))
)
# The common case in one statement: the newest list has room for all ``take`` wanted, counted up and
# locked (the row stays locked until the transaction ends, as with FOR UPDATE). No row: see _open_list.
_TAKE_FROM_NEWEST = (
    update(_LISTS)
    .where(
        _LISTS.c.certifier_id == bindparam("certifier"),
        _LISTS.c.list_no
        == sa_select(func.max(_LISTS.c.list_no))
        .where(_LISTS.c.certifier_id == bindparam("certifier"))
        .scalar_subquery(),
        # the same room as _open_list's int(size * fill) - used: floor(x) >= n exactly when x >= n, n whole
        _LISTS.c.used + bindparam("take") <= _LISTS.c.size * bindparam("fill", type_=Float),
    )
    .values(used=_LISTS.c.used + bindparam("take"), updated_at=bindparam("at"))
    .returning(_LISTS.c.list_no, _LISTS.c.size)
)
_TAKEN = sa_select(_LABELS.c.status_idx).where(
    _LABELS.c.certifier_id == bindparam("certifier"),
    _LABELS.c.status_list == bindparam("list_no"),
    _LABELS.c.status_idx.in_(bindparam("candidates", expanding=True)),
)
# PostgreSQL: one index probe per candidate. With "status_idx IN (...)" (or = ANY) its planner may scan the
# whole list's index entries and filter them when its statistics are stale (a table never analysed says
# one row per list): 140-270 ms at 60k labels, for every group issued. LIMIT 1 keeps the LATERAL
# subquery a parameterised index lookup (certifier, list, index), whatever the statistics say.
_TAKEN_PG = text(
    "SELECT t.status_idx FROM unnest(CAST(:candidates AS integer[])) AS c(idx), LATERAL ("
    "SELECT l.status_idx FROM label AS l WHERE l.certifier_id = :certifier AND l.status_list = :list_no "
    "AND l.status_idx = c.idx LIMIT 1) AS t"
)
_TAKEN_BY_DIALECT: dict[str, Any] = {"postgresql": _TAKEN_PG, "sqlite": _TAKEN}
_INSERTS: dict[str, Any] = {"postgresql": pg_insert, "sqlite": sqlite_insert}  # each with ON CONFLICT


def _new_list(session: Session, certifier_id: str, list_no: int, now: datetime) -> None:
    """Create list ``list_no``, empty, unless a concurrent issuer just did (then nothing happens)."""
    conn = session.connection()
    stmt = _INSERTS[conn.dialect.name](_LISTS).on_conflict_do_nothing(index_elements=["certifier_id", "list_no"])
    row = {"certifier_id": certifier_id, "list_no": list_no, "size": STATUS_LIST_SIZE, "used": 0, "version": 1}
    conn.execute(stmt, {**row, "updated_at": now})


def _open_list(session: Session, certifier_id: str, now: datetime, wanted: int) -> tuple[int, int, int]:
    """(list number, size, how many it takes now, at most ``wanted``) of the certifier's list taking new
    labels, locked and its ``used`` counted up; a new list when the newest is full enough."""
    conn = session.connection()
    params = {"certifier": certifier_id, "take": wanted, "fill": STATUS_LIST_FILL, "at": now}
    taken = conn.execute(_TAKE_FROM_NEWEST, params).first()
    if taken is not None:
        return int(taken.list_no), int(taken.size), wanted
    for _ in range(_MAX_TRIES):
        newest = conn.execute(_NEWEST_LIST, {"certifier": certifier_id}).first()
        if newest is not None:
            room = int(newest.size * STATUS_LIST_FILL) - int(newest.used)
            if room > 0:
                take = min(room, wanted)
                params = {"certifier": certifier_id, "b_list_no": newest.list_no, "take": take, "at": now}
                conn.execute(_COUNT_UP, params)
                return int(newest.list_no), int(newest.size), take
        _new_list(session, certifier_id, 0 if newest is None else int(newest.list_no) + 1, now)
    raise Conflict(f"no status list of {certifier_id!r} could be opened; try again")


def allocate_status_indexes(
    session: Session,
    certifier_id: str,
    n: int,
    *,
    rng: Callable[[int], bytes],
    now: datetime | None = None,
    preferred: Sequence[tuple[int, int] | None] = (),
    lists_seen: dict[str, tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """``n`` distinct random unused (list number, index) slots of the certifier's open status list(s).

    ``rng`` gives random bytes (``os.urandom``); list sizes are powers of two, so taking the low
    bits of 4 random bytes is uniform. A list takes labels until half its entries are used, so
    most candidates are free; the taken ones among a round's candidates are found with one query,
    and the unique constraint on (certifier, list, index) stands behind it.

    ``preferred[i]``, when given, is a slot drawn the same way beforehand for the i-th label (a label
    signed before its transaction, see :func:`registry.service.labels.preseal`): the i-th slot returned
    is that one when it is in the list taking labels and still free, else another drawn here.
    ``lists_seen`` gets ``{certifier: (list number, size)}`` of the list the last slots came from.
    """
    at = _now(now)
    wanted = [*preferred[:n], *([None] * (n - len(preferred[:n])))]
    slots: list[tuple[int, int] | None] = [None] * n
    pending = list(range(n))
    while pending:
        list_no, size, take = _open_list(session, certifier_id, at, len(pending))
        if lists_seen is not None:
            lists_seen[certifier_id] = (list_no, size)
        serve, pending = pending[:take], pending[take:]
        prefer: dict[int, int] = {}  # index -> the place that asked for it
        for place in serve:
            slot = wanted[place]
            if slot is not None and slot[0] == list_no and 0 <= slot[1] < size and slot[1] not in prefer:
                prefer[slot[1]] = place
        chosen: set[int] = set()
        for attempt in range(_MAX_TRIES):
            candidates: set[int] = set(prefer) if attempt == 0 else set()
            while len(candidates) < take - len(chosen):
                idx = int.from_bytes(rng(4), "big") % size
                if idx not in chosen:
                    candidates.add(idx)
            chosen |= candidates - taken_status_indexes(session, certifier_id, list_no, candidates)
            if len(chosen) == take:
                break
        else:
            raise Conflict(f"no free status indexes found in list {list_no} of {certifier_id!r}; try again")
        others = iter(sorted(chosen - prefer.keys()))  # sorted: the same rng, the same slots
        for place in serve:
            slot = wanted[place]
            mine = slot is not None and slot[0] == list_no and prefer.get(slot[1]) == place and slot[1] in chosen
            slots[place] = (list_no, slot[1]) if mine and slot is not None else (list_no, next(others))
    return [s for s in slots if s is not None]


def taken_status_indexes(session: Session, certifier_id: str, list_no: int, candidates: Iterable[int]) -> set[int]:
    """Those of ``candidates`` that a label of the certifier's list ``list_no`` already has (one query)."""
    wanted = sorted(set(candidates))
    if not wanted:
        return set()
    conn = session.connection()
    params = {"certifier": certifier_id, "list_no": list_no, "candidates": wanted}
    return set(conn.execute(_TAKEN_BY_DIALECT[conn.dialect.name], params).scalars())


def allocate_status_index(
    session: Session, certifier_id: str, *, rng: Callable[[int], bytes], now: datetime | None = None
) -> tuple[int, int]:
    """One random unused (list number, index) slot (see :func:`allocate_status_indexes`)."""
    return allocate_status_indexes(session, certifier_id, 1, rng=rng, now=now)[0]


def status_lists(session: Session, certifier_id: str) -> list[StatusListRow]:
    stmt = select(StatusListRow).where(StatusListRow.certifier_id == certifier_id)
    return list(session.exec(stmt.order_by(col(StatusListRow.list_no))))


_MAX_LIST_NO = 2**31 - 1  # list_no is a 32-bit INTEGER column; a larger number names no list


def get_status_list(session: Session, certifier_id: str, list_no: int) -> StatusListRow:
    # A number out of range is not looked up: SQLite cannot even bind one past 64 bits.
    row = session.get(StatusListRow, (certifier_id, list_no)) if 0 <= list_no <= _MAX_LIST_NO else None
    if row is None:
        raise NotFound(f"status list {list_no} of {certifier_id!r} not found")
    return row


def status_entries(session: Session, certifier_id: str, list_no: int) -> list[tuple[int, LabelState]]:
    """The (index, state) of every label in the list that is not valid."""
    stmt = select(Label.status_idx, Label.state).where(
        Label.certifier_id == certifier_id, Label.status_list == list_no, Label.state != LabelState.VALID
    )
    return [(int(idx), LabelState(state)) for idx, state in session.exec(stmt)]


# --- labels -----------------------------------------------------------------------------------


_BY_REQUEST_KEY = sa_select(_LABELS).where(
    _LABELS.c.certifier_id == bindparam("certifier"), _LABELS.c.request_key.in_(bindparam("keys", expanding=True))
)
# PostgreSQL: one probe of the unique (certifier, request key) index per key. With "request_key IN (...)" its
# planner, on statistics never gathered (autovacuum off, or a table grown since the last ANALYZE), scanned all
# the certifier's labels through another index: 120-180 ms per 500-label group at 100k labels, against 10 ms.
_KEYS = func.unnest(bindparam("keys", type_=ARRAY(String))).table_valued("key").render_derived().alias("k")
_KEY_PROBE = (
    sa_select(_LABELS)
    .where(_LABELS.c.certifier_id == bindparam("certifier"), _LABELS.c.request_key == _KEYS.c.key)
    .limit(1)
    .lateral("l")
)
_BY_REQUEST_KEY_PG = sa_select(_KEY_PROBE).select_from(_KEYS).join(_KEY_PROBE, true())
_BY_REQUEST_KEY_BY_DIALECT: dict[str, Any] = {"postgresql": _BY_REQUEST_KEY_PG, "sqlite": _BY_REQUEST_KEY}


_REQUEST_KEY = ("certifier_id", "request_key")
_LABEL_COLUMN_NAMES = tuple(c.name for c in _LABELS.columns)


def insert_label(session: Session, columns: Mapping[str, Any]) -> bool:
    """Insert a new label, given column by column (a column not given is NULL), in the caller's
    transaction, as one prebuilt statement (no model object: making one costs more than the insert).
    False when the certifier already has a label for the row's ``request_key`` (a concurrent issue
    of the same request that committed first): nothing is inserted. Any other clash fails the whole
    issue, which then stores nothing."""
    return bool(insert_labels(session, [columns]))


def insert_labels(session: Session, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Insert new labels (as :func:`insert_label`) with one statement: the ids of those inserted. A row
    whose ``request_key`` the certifier already has a label for (a concurrent issue of the same request
    that committed first) is left out; any other clash fails the whole issue, which then stores nothing."""
    if not rows:
        return set()
    params = [{name: columns.get(name) for name in _LABEL_COLUMN_NAMES} for columns in rows]
    return set(insert_rows(session.connection(), _LABELS, params, on_conflict_do_nothing=_REQUEST_KEY, returning="id"))


def labels_by_request_key(session: Session, certifier_id: str, keys: Iterable[str]) -> dict[str, Label]:
    """The certifier's labels issued for any of these request keys, by key."""
    wanted = sorted(set(keys))
    found: dict[str, Label] = {}
    conn = session.connection()
    for start in range(0, len(wanted), 500):  # bounded IN lists
        params = {"certifier": certifier_id, "keys": wanted[start : start + 500]}
        for r in conn.execute(_BY_REQUEST_KEY_BY_DIALECT[conn.dialect.name], params).mappings():
            found[r["request_key"]] = Label.model_validate(dict(r))
    return found


_VALIDATIONS = Validation.__table__  # type: ignore[attr-defined]
# As repo.recalculations_of_declarations asks it (the same conditions, so the same partial index), built once
_RECALCULATION_IDS = sa_select(_VALIDATIONS.c.id).where(
    HOLDS_RECALCULATION,  # the partial index's own term (registry.storage.repo)
    _VALIDATIONS.c.org_id == bindparam("org"),
    _VALIDATIONS.c.declaration_digest.in_(bindparam("digests", expanding=True)),
)


def recalculation_ids(session: Session, org_id: str, digests: Iterable[str]) -> list[str]:
    """The ids of ``org_id``'s stored recalculations of these declarations: what issuing asks for every
    transaction, with one prebuilt statement and no rows read (most declarations have none)."""
    wanted = sorted(set(digests))
    if not wanted:
        return []
    params = {"org": org_id, "digests": wanted}
    return [str(i) for i in session.connection().execute(_RECALCULATION_IDS, params).scalars()]


def get_label(session: Session, label_id: str) -> Label:
    row = session.get(Label, label_id)
    if row is None:
        raise NotFound(f"label {label_id!r} not found")
    return row


def get_labels(session: Session, label_ids: Iterable[str]) -> dict[str, Label]:
    ids = list(dict.fromkeys(label_ids))
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(Label).where(col(Label.id).in_(ids)))}


def labels_resting_on(session: Session, validation_ids: Iterable[str], *, certifier_id: str) -> list[Label]:
    """The certifier's labels that rest on these stored recalculations, oldest first."""
    ids = sorted(set(validation_ids))
    if not ids:
        return []
    stmt = select(Label).where(col(Label.recalculation_id).in_(ids), Label.certifier_id == certifier_id)
    return list(session.exec(stmt.order_by(col(Label.issued_at), col(Label.id))))


def labels_of_declarations(session: Session, digests: Iterable[str]) -> list[Label]:
    """Every label of the declarations with these digests (labels are public), oldest first."""
    wanted = sorted(set(digests))
    if not wanted:
        return []
    stmt = select(Label).where(col(Label.declaration_digest).in_(wanted))
    return list(session.exec(stmt.order_by(col(Label.issued_at), col(Label.id))))


def list_labels(
    session: Session,
    certifier_id: str,
    *,
    audit_id: str | None = None,
    gtin: str | None = None,
    state: LabelState | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Label]:
    """The certifier's labels, newest first, filtered by audit, GTIN and state."""
    stmt = select(Label).where(Label.certifier_id == certifier_id)
    if audit_id is not None:
        stmt = stmt.where(Label.audit_id == audit_id)
    if gtin is not None:
        stmt = stmt.where(Label.gtin == gtin)
    if state is not None:
        stmt = stmt.where(Label.state == state)
    stmt = stmt.order_by(col(Label.issued_at).desc(), col(Label.id)).offset(offset).limit(limit)
    return list(session.exec(stmt))


def list_audits(session: Session, certifier_id: str, *, limit: int = 100, offset: int = 0) -> list[Audit]:
    """The certifier's audits, newest first."""
    stmt = select(Audit).where(Audit.certifier_id == certifier_id)
    stmt = stmt.order_by(col(Audit.created_at).desc(), col(Audit.id)).offset(offset).limit(limit)
    return list(session.exec(stmt))


_ALLOWED = {
    LabelState.VALID: {LabelState.SUSPENDED, LabelState.REVOKED},
    LabelState.SUSPENDED: {LabelState.VALID, LabelState.REVOKED},
    LabelState.REVOKED: set(),
}


def set_label_state(
    session: Session,
    label: Label,
    state: LabelState,
    *,
    by: str,
    reason: str | None,
    now: datetime | None = None,
) -> Label:
    """Suspend, reinstate or revoke ``label`` for certifier ``by``; revocation is final."""
    if label.certifier_id != by:
        raise NotPermitted(f"label {label.id} was issued by {label.certifier_id}; {by} may not change it")
    if state == label.state:
        return label
    if state not in _ALLOWED[LabelState(label.state)]:
        raise Conflict(f"label {label.id} is {label.state}; it cannot become {state.value}")
    at = _now(now)
    label.state, label.state_reason, label.state_changed_at = state, reason, at
    session.add(label)
    lst = get_status_list(session, label.certifier_id, label.status_list)
    lst.version += 1
    lst.updated_at = at
    session.add(lst)
    return label


def revoke_audit(session: Session, audit: Audit, *, by: str, reason: str, now: datetime | None = None) -> list[Label]:
    """Revoke the audit and every label issued from it; returns the labels revoked now."""
    if audit.certifier_id != by:
        raise NotPermitted(f"audit {audit.id} belongs to {audit.certifier_id}; {by} may not revoke it")
    at = _now(now)
    if audit.revoked_at is None:
        audit.revoked_at, audit.revoke_reason = at, reason
        session.add(audit)
    changed = []
    stmt = select(Label).where(Label.audit_id == audit.id, Label.state != LabelState.REVOKED)
    for label in session.exec(stmt):
        changed.append(set_label_state(session, label, LabelState.REVOKED, by=by, reason=reason, now=at))
    return changed


__all__ = [
    "STATUS_LIST_SIZE",
    "active_signing_key_rows",
    "add_signing_key",
    "allocate_status_index",
    "allocate_status_indexes",
    "get_audit",
    "get_label",
    "get_labels",
    "get_recognition",
    "get_signing_key",
    "get_status_list",
    "insert_audit",
    "insert_label",
    "insert_recognition",
    "labels_by_request_key",
    "latest_label_expiry",
    "list_audits",
    "list_labels",
    "recognitions_of",
    "revoke_audit",
    "set_label_state",
    "signing_keys",
    "status_entries",
    "status_lists",
]


def labels_for_gtin(session: Session, gtin: str, *, limit: int = 20) -> list[Label]:
    """The labels of a product (any certifier), newest first: what the front page's search shows."""
    stmt = select(Label).where(Label.gtin == gtin)
    stmt = stmt.order_by(col(Label.issued_at).desc(), col(Label.id)).limit(limit)
    return list(session.exec(stmt))


def directory_labels(
    session: Session,
    *,
    now: datetime,
    gtin: str | None = None,
    company: str | None = None,
    pack_ids: Iterable[str] | None = None,
    grades: Iterable[str] | None = None,
    region: str | None = None,
    scheme: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[Label]:
    """Labels valid now (state valid, not expired), filtered, by label id after ``after`` (keyset)."""
    stmt = select(Label).where(Label.state == LabelState.VALID, col(Label.expires_at) > now)
    for column, value in ((Label.gtin, gtin), (Label.company, company), (Label.region, region), (Label.scheme, scheme)):
        if value is not None:
            stmt = stmt.where(col(column) == value)
    if pack_ids is not None:
        stmt = stmt.where(col(Label.pack_id).in_(list(pack_ids)))
    if grades is not None:
        stmt = stmt.where(col(Label.grade).in_(list(grades)))
    if after is not None:
        stmt = stmt.where(col(Label.id) > after)
    return list(session.exec(stmt.order_by(col(Label.id)).limit(limit)))


def changed_labels(session: Session, *, since: tuple[datetime, str] | None, limit: int) -> list[Label]:
    """Labels by (state_changed_at, id), those after ``since``: issued or changed since then, oldest first."""
    stmt = select(Label)
    if since is not None:
        at, label_id = since
        later = col(Label.state_changed_at) > at
        stmt = stmt.where(later | ((col(Label.state_changed_at) == at) & (col(Label.id) > label_id)))
    return list(session.exec(stmt.order_by(col(Label.state_changed_at), col(Label.id)).limit(limit)))
