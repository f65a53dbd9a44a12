"""The registry's transparency log over storage: append events, sign checkpoints, serve proofs and tiles.

Every publish, withdrawal, key withdrawal, issue, suspension, reinstatement and revocation calls
:func:`append_event` (or :func:`append_events`) inside the transaction that makes the change, so the
entry commits with it or not at all. An entry is the RFC 8785 canonical JSON of ``{"kind", "at", ...}``
and the public fields the caller gives: ids, digests, states, times; never a declaration's numbers.
The pure core (hashing, proofs, notes, tiles) is :mod:`issuance.tlog`; docs/adr/0021-transparency-log.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from issuance import LogError, tlog
from registry.canonical import canonical_json
from registry.errors import InternalError
from registry.schemas import is_valid, iter_schema_errors
from registry.storage import tlog as store
from registry.storage.bulk import Rows
from registry.storage.errors import NotFound
from registry.storage.models import Label, LabelState

# the entry kinds; a new kind is a new name here, never a changed meaning
KINDS = frozenset(
    {
        "label.issue",
        "label.suspend",
        "label.reinstate",
        "label.revoke",
        "key.add",
        "key.withdraw",
        "rulepack.publish",
        "rulepack.status",
        "factorset.publish",
        "factorset.status",
        "catalogue.publish",
        "catalogue.status",
        "label.regrade",
        "accreditation.version",
    }
)
ENTRY_SCHEMA_ID = "https://pcf-registry.org/schemas/tlog-entry-1.0.json"
_REF_FIELDS = ("label_id", "ref", "kid", "id")


@dataclass(frozen=True)
class Event:
    kind: str
    fields: Mapping[str, Any]  # public fields only
    at: datetime
    ref: str | None = None  # what it is about (default: the label id, ref, kid or id field)


def origin_of(public_url: str) -> str:
    """C2SP tlog-tiles: the origin is the log's URL prefix without its scheme or trailing slash."""
    parts = urlsplit(public_url.rstrip("/"))
    return f"{parts.netloc}{parts.path}/tlog"


def entry_bytes(event: Event) -> bytes:
    """The entry as logged: canonical JSON of its kind, time and public fields (at most 65,535 bytes)."""
    if event.kind not in KINDS:
        raise InternalError(f"no such log entry kind: {event.kind!r}")
    entry = {**event.fields, "kind": event.kind, "at": event.at.isoformat()}
    if not is_valid(ENTRY_SCHEMA_ID, entry):  # a field the public may not see, or a malformed one: never logged
        problems = iter_schema_errors(ENTRY_SCHEMA_ID, entry)
        where = "; ".join(f"{p.pointer or '/'}: {p.message}" for p in problems[:3])
        raise InternalError(f"a {event.kind} log entry does not match schemas/tlog-entry-1.0.json ({where})")
    data = canonical_json(entry)
    if len(data) > tlog.MAX_ENTRY:
        raise InternalError(f"a {event.kind} log entry of {len(data)} bytes is over the 65,535 an entry may have")
    return data


def _ref(event: Event) -> str:
    if event.ref is not None:
        return event.ref
    return next((str(event.fields[f]) for f in _REF_FIELDS if f in event.fields), event.kind)[:200]


def append_events(
    session: Session, events: Sequence[Event], *, rows_with: Callable[[list[int]], Sequence[Rows]] | None = None
) -> list[int]:
    """Append ``events`` in order, in the caller's transaction; their indexes in the log. ``rows_with(indexes)``:
    rows of other tables that name those indexes (a label's history rows), written with the log's own: one
    statement on PostgreSQL, where every round trip counts when a transaction issues one label."""
    if not events:
        return []
    data = [entry_bytes(e) for e in events]
    size, peaks = store.head(session, lock=True)
    appended = tlog.append_leaves(size, peaks, [tlog.leaf_hash(d) for d in data])
    rows = [{"kind": e.kind, "ref": _ref(e), "data": d, "at": e.at} for e, d in zip(events, data, strict=True)]
    indexes = list(range(size, appended.size))
    also = rows_with(indexes) if rows_with is not None else ()
    store.write_append(session, size, rows, appended.nodes, size=appended.size, peaks=appended.peaks, also=also)
    return indexes


_STATE_EVENT = {
    LabelState.SUSPENDED: "label.suspend",
    LabelState.VALID: "label.reinstate",
    LabelState.REVOKED: "label.revoke",
}


def label_state_event(label: Label, now: datetime) -> Event:
    """The log entry of a label's new state (suspended, reinstated, revoked), whoever changed it."""
    fields = {"label_id": label.id, "certifier": label.certifier_id, "state": LabelState(label.state).value}
    return Event(_STATE_EVENT[LabelState(label.state)], fields, now)


def append_event(session: Session, kind: str, payload_public_fields: Mapping[str, Any], at: datetime) -> int:
    """Append one event (``kind`` from :data:`KINDS`) with its public fields, in the caller's transaction;
    its index in the log. Call it in the transaction that makes the change it records."""
    return append_events(session, [Event(kind, payload_public_fields, at)])[0]


# --- reading: checkpoints, proofs, tiles ----------------------------------------------------------


class _Reader:
    """A node reader over storage: the nodes a computation needs are found by running it once over
    stand-in hashes (which nodes it reads depends only on the sizes and indexes), then read in one query."""

    def __init__(self, session: Session, *computations: Callable[[tlog.NodeReader], object]) -> None:
        wanted: set[tuple[int, int]] = set()

        def record(level: int, index: int) -> bytes:
            wanted.add((level, index))
            return bytes(tlog.HASH_SIZE)

        for compute in computations:
            compute(record)
        self._nodes = store.nodes(session, wanted)

    def __call__(self, level: int, index: int) -> bytes:
        found = self._nodes.get((level, index))
        if found is None:
            raise InternalError(f"the log's node {level}/{index} is missing")
        return found


def checkpoint(session: Session, key: Ed25519PrivateKey, public_url: str) -> str:
    """The current checkpoint, signed (Ed25519 is deterministic: the same size gives the same note)."""
    size, peaks = store.head(session)
    return tlog.sign_checkpoint(tlog.Checkpoint(origin_of(public_url), size, tlog.root_of(peaks)), key)


def _size_asked(session: Session, size: int | None) -> tuple[int, int]:
    current, _ = store.head(session)
    if size is not None and not 0 < size <= current:
        raise NotFound(f"the log has {current} entries; there is no checkpoint of size {size}")
    return current, current if size is None else size


def label_proof(
    session: Session, key: Ed25519PrivateKey, public_url: str, label_id: str, *, size: int | None = None
) -> tlog.OfflineProof:
    """The label's issue entry with its inclusion proof against the checkpoint of ``size`` (the latest)."""
    found = store.entries_about(session, label_id, "label.issue")
    if not found:
        raise NotFound(f"label {label_id} has no entry in the log")
    return entry_proof(session, key, public_url, found[0].idx, size=size)


def label_log(
    session: Session, key: Ed25519PrivateKey, public_url: str, label_id: str, *, size: int | None = None
) -> dict[str, Any] | None:
    """What a label's record shows of the log: its issue entry's index and a C2SP tlog-proof of it against
    the checkpoint of ``size`` (the latest); None for a label issued before the log was kept."""
    if not store.entries_about(session, label_id, "label.issue"):
        return None
    proof = label_proof(session, key, public_url, label_id, size=size)
    checkpoint, _ = tlog.parse_checkpoint(proof.checkpoint)
    return {"index": proof.index, "tree_size": checkpoint.size, "origin": checkpoint.origin, "proof": proof.text()}


def entry_proof(
    session: Session, key: Ed25519PrivateKey, public_url: str, index: int, *, size: int | None = None
) -> tlog.OfflineProof:
    """Entry ``index`` (as extra data) with its inclusion proof, against the checkpoint of ``size``."""
    _, size = _size_asked(session, size)
    if not 0 <= index < size:
        raise NotFound(f"entry {index} is not in the log's first {size} entries")
    reader = _Reader(session, lambda r: tlog.tree_root(r, size), lambda r: tlog.inclusion_proof(r, index, size))
    note = tlog.sign_checkpoint(tlog.Checkpoint(origin_of(public_url), size, tlog.tree_root(reader, size)), key)
    data = store.entry_data(session, index, index + 1)[0]
    return tlog.OfflineProof(index, tuple(tlog.inclusion_proof(reader, index, size)), note, data)


def consistency(session: Session, old: int, new: int | None = None) -> tuple[int, list[bytes]]:
    """The consistency proof from the tree of ``old`` entries to that of ``new`` (the latest): (new, proof)."""
    current, new = _size_asked(session, new)
    if not 0 <= old <= new:
        raise NotFound(f"no consistency proof from {old} to {new} entries (the log has {current})")
    return new, tlog.consistency_proof(_Reader(session, lambda r: tlog.consistency_proof(r, old, new)), old, new)


def tile(session: Session, level: int, n: int, width: int) -> bytes:
    """Tile ``n`` of ``level`` of that ``width`` (256: full), if the log is big enough for it."""
    size, _ = store.head(session)
    _tile_exists(level, n, width, size)
    start = n * tlog.TILE_WIDTH
    hashes = store.node_run(session, tlog.TILE_HEIGHT * level, start, start + width)
    if len(hashes) != width:
        raise InternalError(f"tile {level}/{n} has {len(hashes)} of its {width} hashes")
    return b"".join(hashes)


def bundle(session: Session, n: int, width: int) -> bytes:
    size, _ = store.head(session)
    _tile_exists(0, n, width, size)
    start = n * tlog.TILE_WIDTH
    return tlog.entry_bundle(store.entry_data(session, start, start + width))


def static_files(session: Session, key: Ed25519PrivateKey, public_url: str) -> Iterator[tuple[str, bytes]]:
    """Every file of the log as tlog-tiles lays it out, for the current size: ``checkpoint``, the tiles
    (the partial ones of this size) and the entry bundles; (path, content), to copy to a static host."""
    yield "checkpoint", checkpoint(session, key, public_url).encode()
    size, _ = store.head(session)
    level = 0
    while (size >> (tlog.TILE_HEIGHT * level)) > 0:
        for n in range(-(-(size >> (tlog.TILE_HEIGHT * level)) // tlog.TILE_WIDTH)):
            width = tlog.tile_width(level, n, size)
            yield tlog.tile_path(level, n, width), tile(session, level, n, width)
            if level == 0:
                yield tlog.tile_path("entries", n, width), bundle(session, n, width)
        level += 1


def _tile_exists(level: int, n: int, width: int, size: int) -> None:
    have = tlog.tile_width(level, n, size)
    if not 0 <= level <= 63 or have < width:
        raise NotFound(f"the log of {size} entries has no tile {tlog.tile_path(level, n, width)}")


__all__ = [
    "KINDS",
    "Event",
    "LogError",
    "append_event",
    "append_events",
    "bundle",
    "checkpoint",
    "consistency",
    "entry_bytes",
    "entry_proof",
    "label_log",
    "label_proof",
    "origin_of",
    "static_files",
    "tile",
]
