"""A transparency log, pure: RFC 6962 Merkle hashing, proofs, checkpoints, tiles and offline proofs.

Sources (checked, see docs/adr/0021-transparency-log.md):

- RFC 6962 section 2.1 (and RFC 9162 section 2.1, unchanged): leaf hash ``SHA-256(0x00 || d)``, interior
  node ``SHA-256(0x01 || left || right)``, the empty tree ``SHA-256("")``; a tree of n > 1 leaves splits
  at k, the largest power of two smaller than n. Proofs are made as RFC 6962 sections 2.1.1 (PATH)
  and 2.1.2 (SUBPROOF) define them and checked with RFC 9162 sections 2.1.3.2 and 2.1.4.2.
- C2SP tlog-checkpoint: a signed note whose text is the origin, the decimal tree size and the base64
  root hash, one a line. C2SP signed-note: signature lines ``— <key name> base64(key ID || sig)``,
  Ed25519 key ID ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``, verifier keys
  ``name+hex(key ID)+base64(0x01 || public key)``.
- C2SP tlog-tiles: tile ``n`` of level ``l`` holds the hashes of tree level ``8 l``, indexes
  ``256 n .. 256 n + 255``; paths ``tile/<L>/<N>[.p/<W>]`` with N in 3-digit elements, all but the
  last prefixed ``x``; entry bundles are big-endian uint16 length-prefixed entries.
- C2SP tlog-proof: ``c2sp.org/tlog-proof@v1``, optional ``extra`` line, ``index N``, the inclusion
  path one base64 hash a line, an empty line, the checkpoint verbatim.

The log's state is its *compact range*: the hashes of the complete subtrees covering the leaves,
largest first (one per set bit of the size). Appending a leaf touches O(log n) of them and yields
the interior nodes it completes, which storage keeps: every node of every level, read back by a
``NodeReader`` to make proofs and tiles.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from issuance.errors import LogError

HASH_SIZE = 32
TILE_HEIGHT = 8  # C2SP tlog-tiles: a tile is a subtree of height 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes, 8,192 bytes
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962 section 2.1: MTH({}) = SHA-256()
PROOF_HEADER = "c2sp.org/tlog-proof@v1"
ED25519_SIG_TYPE = 0x01  # C2SP signed-note: signature type of Ed25519
MAX_ENTRY = 0xFFFF  # an entry bundle prefixes each entry with a uint16 length

NodeReader = Callable[[int, int], bytes]
"""``node(level, index)``: the hash of the complete subtree of 2**level leaves starting at index << level."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- appending: the compact range -------------------------------------------------------------


@dataclass(frozen=True)
class Appended:
    size: int  # the tree's size after the append
    peaks: tuple[bytes, ...]  # its compact range, largest subtree first
    nodes: tuple[tuple[int, int, bytes], ...]  # (level, index, hash) of every node the append completed


def append_leaves(size: int, peaks: Sequence[bytes], leaves: Sequence[bytes]) -> Appended:
    """Append the leaf hashes ``leaves`` to a tree of ``size`` leaves whose compact range is ``peaks``."""
    if len(peaks) != size.bit_count():
        raise LogError(f"a tree of {size} leaves has {size.bit_count()} peaks, not {len(peaks)}", reason="corrupt")
    stack = list(peaks)
    nodes: list[tuple[int, int, bytes]] = []
    for h in leaves:
        level, index = 0, size
        nodes.append((0, index, h))
        while index & 1:  # a left sibling completes: merge it, one level up
            h = node_hash(stack.pop(), h)
            level, index = level + 1, index >> 1
            nodes.append((level, index, h))
        stack.append(h)
        size += 1
    return Appended(size, tuple(stack), tuple(nodes))


def root_of(peaks: Sequence[bytes]) -> bytes:
    """The tree's root from its compact range: the peaks folded from the right (RFC 6962's split)."""
    if not peaks:
        return EMPTY_ROOT
    root = peaks[-1]
    for peak in reversed(peaks[:-1]):
        root = node_hash(peak, root)
    return root


def peaks_of(node: NodeReader, size: int) -> tuple[bytes, ...]:
    """The compact range of the tree's first ``size`` leaves, read from stored nodes."""
    peaks, start = [], 0
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            peaks.append(node(level, start >> level))
            start += 1 << level
    return tuple(peaks)


# --- proofs ---------------------------------------------------------------------------------------


def subtree_hash(node: NodeReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range RFC 6962's recursion reaches (complete subtrees are read)."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return node(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(subtree_hash(node, start, start + k), subtree_hash(node, start + k, end))


def tree_root(node: NodeReader, size: int) -> bytes:
    return subtree_hash(node, 0, size)


def inclusion_proof(node: NodeReader, index: int, size: int) -> list[bytes]:
    """RFC 6962 section 2.1.1 PATH(m, D[n]): the audit path of leaf ``index`` in the first ``size`` leaves."""
    if not 0 <= index < size:
        raise LogError(f"entry {index} is not in a tree of {size} entries", reason="out_of_range")
    path: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append(subtree_hash(node, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(node, start, start + k))
            start, m = start + k, m - k
    return path[::-1]  # from the leaf's sibling up


def consistency_proof(node: NodeReader, old: int, new: int) -> list[bytes]:
    """RFC 6962 section 2.1.2 PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
    if not 0 <= old <= new:
        raise LogError(f"no consistency proof from size {old} to size {new}", reason="out_of_range")
    if old in (0, new):
        return []
    proof: list[bytes] = []
    start, end, m, whole = 0, new, old, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree_hash(node, start + k, end))
            end = start + k
        else:
            proof.append(subtree_hash(node, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(subtree_hash(node, start, end))
    return proof[::-1]


def _lsb(x: int) -> bool:
    return bool(x & 1)


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 section 2.1.3.2: raise :class:`LogError` unless ``path`` proves leaf hash ``leaf`` at ``index``."""
    if not 0 <= index < size:
        raise LogError(f"entry {index} is not in a tree of {size} entries", reason="inclusion_failed")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise LogError("the inclusion proof is longer than the tree is deep", reason="inclusion_failed")
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            while not _lsb(fn) and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        raise LogError(
            f"the inclusion proof of entry {index} does not lead to the root of the tree of {size} entries",
            reason="inclusion_failed",
        )


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 section 2.1.4.2: raise :class:`LogError` unless the tree of ``old`` leaves is a prefix of
    the tree of ``new`` leaves (an empty tree is a prefix of any; equal sizes need equal roots)."""
    fail = LogError(
        f"the tree of {new} entries does not extend the tree of {old} entries: the log was rewritten",
        reason="inconsistent",
    )
    if not 0 <= old <= new:
        raise LogError(f"the log shrank from {old} to {new} entries: it was rewritten", reason="inconsistent")
    if old == 0 or old == new:
        if proof or (old == new and old_root != new_root) or (old == 0 and old_root != EMPTY_ROOT):
            raise fail
        return
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    if not path:
        raise fail
    fn, sn = old - 1, new - 1
    while _lsb(fn):
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise fail
        if _lsb(fn) or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not _lsb(fn) and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if fr != old_root or sr != new_root or sn != 0:
        raise fail


# --- checkpoints as signed notes ----------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The note text (C2SP tlog-checkpoint): origin, size, base64 root, each ending in a newline."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, key: Ed25519PublicKey) -> bytes:
    """C2SP signed-note: SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519_SIG_TYPE]) + _raw_public(key)).digest()[:4]


def verifier_key(name: str, key: Ed25519PublicKey) -> str:
    """The note verifier key (vkey): ``name+hex(key ID)+base64(0x01 || public key)``."""
    material = base64.b64encode(bytes([ED25519_SIG_TYPE]) + _raw_public(key)).decode()
    return f"{name}+{key_id(name, key).hex()}+{material}"


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey, *, name: str | None = None) -> str:
    """The checkpoint as a signed note, signed by ``key`` under ``name`` (the origin, as C2SP advises)."""
    name = name or checkpoint.origin
    text = checkpoint.body()
    sig = key_id(name, key.public_key()) + key.sign(text.encode())
    return f"{text}\n\u2014 {name} {base64.b64encode(sig).decode()}\n"


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise LogError(f"{what} is not base64: {text[:60]!r}", reason="malformed") from e


_SIG_LINE = re.compile("^\u2014 (\\S+) (\\S+)$")


def parse_checkpoint(note: str) -> tuple[Checkpoint, list[tuple[str, bytes]]]:
    """The checkpoint a note carries and its signature lines (key name, key ID || signature), unchecked."""
    if any(c < " " and c != "\n" for c in note):  # signed-note: no control characters but newlines
        raise LogError("a signed note holds no control characters other than newlines")
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not note.endswith("\n"):
        raise LogError("not a signed note: no blank line before its signatures, or no final newline")
    lines = text.split("\n")
    if len(lines) < 3 or not lines[0]:
        raise LogError("a checkpoint has an origin, a tree size and a root hash, one a line", reason="malformed")
    if not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise LogError(f"the tree size {lines[1]!r} is not a decimal number", reason="malformed")
    root = _b64(lines[2], "the root hash")
    if len(root) != HASH_SIZE:
        raise LogError(f"the root hash has {len(root)} bytes, not {HASH_SIZE}", reason="malformed")
    signatures = []
    for line in sigs.rstrip("\n").split("\n"):
        match = _SIG_LINE.match(line)
        if match is None:
            raise LogError(f"not a signature line: {line[:80]!r}", reason="malformed")
        signatures.append((match[1], _b64(match[2], "a signature")))
    return Checkpoint(lines[0], int(lines[1]), root), signatures


def verify_checkpoint(note: str, key: Ed25519PublicKey, *, name: str | None = None) -> Checkpoint:
    """The checkpoint, once its signature by ``key`` (under ``name``, default the origin) checks; signatures
    of other keys are ignored, as signed-note requires."""
    checkpoint, signatures = parse_checkpoint(note)
    name = name or checkpoint.origin
    kid = key_id(name, key)
    text = note.rpartition("\n\n")[0] + "\n"
    for sig_name, sig in signatures:
        if sig_name == name and sig[:4] == kid:
            try:
                key.verify(sig[4:], text.encode())
            except InvalidSignature as e:
                raise LogError(f"the checkpoint's signature by {name} does not verify", reason="bad_signature") from e
            return checkpoint
    raise LogError(f"the checkpoint carries no signature by the pinned key of {name}", reason="unknown_key")


# --- offline proofs (C2SP tlog-proof) -----------------------------------------------------------


@dataclass(frozen=True)
class OfflineProof:
    index: int
    path: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim
    extra: bytes | None = None  # here: the entry itself, so that a verifier can hash and read it

    def text(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {base64.b64encode(self.extra).decode()}")
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.path)
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_offline_proof(text: str) -> OfflineProof:
    head, sep, checkpoint = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != PROOF_HEADER:
        raise LogError(f"not a tlog proof: the first line must be {PROOF_HEADER}", reason="malformed")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        extra = _b64(rest.pop(0)[6:], "the extra data")
    if not rest or not re.fullmatch(r"index (0|[1-9][0-9]*)", rest[0]):
        raise LogError("a tlog proof names its entry on a line 'index N'", reason="malformed")
    path = tuple(_b64(line, "an inclusion proof hash") for line in rest[1:])
    if any(len(h) != HASH_SIZE for h in path):
        raise LogError(f"an inclusion proof hash has not {HASH_SIZE} bytes", reason="malformed")
    return OfflineProof(int(rest[0][6:]), path, checkpoint, extra)


def verify_offline_proof(proof: OfflineProof, key: Ed25519PublicKey, *, origin: str | None = None) -> Checkpoint:
    """tlog-proof's steps: the checkpoint signed by the pinned key (and of the expected origin), then the
    inclusion of the entry carried as extra data. Returns the checkpoint it was proven against."""
    if proof.extra is None:
        raise LogError("the proof carries no entry (extra line) to check", reason="malformed")
    checkpoint = verify_checkpoint(proof.checkpoint, key)
    if origin is not None and checkpoint.origin != origin:
        raise LogError(f"the checkpoint is of log {checkpoint.origin!r}, not {origin!r}", reason="unknown_key")
    verify_inclusion(leaf_hash(proof.extra), proof.index, checkpoint.size, proof.path, checkpoint.root)
    return checkpoint


# --- tiles (C2SP tlog-tiles) --------------------------------------------------------------------


def tile_index_path(n: int) -> str:
    """Index ``n`` as 3-digit path elements, all but the last prefixed ``x`` (1234067: x001/x234/067)."""
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        parts.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(parts))


def tile_path(level: int | str, n: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` (level ``entries`` for entry bundles)."""
    partial = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/{level}/{tile_index_path(n)}{partial}"


_TILE = re.compile(r"(?:x\d{3}/)*\d{3}(?:\.p/([1-9]\d{0,2}))?")


def parse_tile_index(path: str) -> tuple[int, int]:
    """(index, width) from ``<N>[.p/<W>]``; a malformed path raises :class:`LogError`."""
    match = _TILE.fullmatch(path)
    width = int(match[1]) if match and match[1] else TILE_WIDTH
    if match is None or (match[1] and width >= TILE_WIDTH):
        raise LogError(f"not a tile index: {path!r}", reason="not_found")
    digits = path.split(".p/")[0].replace("x", "").split("/")
    return int("".join(digits)), width


def tile_width(level: int, n: int, size: int) -> int:
    """How many hashes tile ``n`` of ``level`` holds in a tree of ``size`` leaves (0: none yet)."""
    hashes = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, hashes - n * TILE_WIDTH))


def entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Big-endian uint16 length-prefixed entries."""
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


def split_bundle(bundle: bytes) -> list[bytes]:
    entries, at = [], 0
    while at < len(bundle):
        if at + 2 > len(bundle):
            raise LogError("an entry bundle ends inside a length prefix", reason="malformed")
        n = int.from_bytes(bundle[at : at + 2], "big")
        if at + 2 + n > len(bundle):
            raise LogError("an entry bundle ends inside an entry", reason="malformed")
        entries.append(bundle[at + 2 : at + 2 + n])
        at += 2 + n
    return entries


class TileReader:
    """A :data:`NodeReader` over a log's tiles, fetched with ``fetch(path) -> bytes`` (a monitor's view):
    hashes at tile levels are read, the levels between are rebuilt by hashing, as tlog-tiles says."""

    def __init__(self, fetch: Callable[[str], bytes], size: int) -> None:
        self._fetch, self._size = fetch, size
        self._tiles: dict[tuple[int, int], bytes] = {}

    def _tile(self, level: int, n: int) -> bytes:
        if (level, n) not in self._tiles:
            width = tile_width(level, n, self._size)
            data = self._fetch(tile_path(level, n, width))
            if len(data) != width * HASH_SIZE:
                raise LogError(f"tile {tile_path(level, n, width)} has {len(data)} bytes", reason="malformed")
            self._tiles[(level, n)] = data
        return self._tiles[(level, n)]

    def __call__(self, level: int, index: int) -> bytes:
        tile_level, up = divmod(level, TILE_HEIGHT)
        first = index << up  # the subtree's first hash at the tile's level
        n, offset = divmod(first, TILE_WIDTH)
        tile = self._tile(tile_level, n)
        hashes = [tile[i * HASH_SIZE : (i + 1) * HASH_SIZE] for i in range(offset, offset + (1 << up))]
        if len(hashes[-1]) != HASH_SIZE:
            raise LogError(f"node {level}/{index} is not in the tree of {self._size} entries", reason="out_of_range")
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]
