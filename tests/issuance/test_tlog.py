"""The transparency log's pure core against an independent RFC 6962 implementation written here.

``_mth``, ``_path``, ``_subproof`` and ``_root_from_path`` below are RFC 6962 section 2.1 (Merkle Tree
Hash), 2.1.1 (Merkle audit paths) and 2.1.2 (Merkle consistency proofs) transcribed from the RFC's text
over lists of leaf data; they import nothing from :mod:`issuance.tlog`. The known answers are the
RFC 6962 test tree of transparency-dev/merkle ``testonly/constants.go`` (commit 582a6ad).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from issuance import LogError, tlog

# --- RFC 6962 section 2.1, from the text -------------------------------------------------------


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """ "the largest power of two smaller than n (i.e., k < n <= 2k)"."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(d: list[bytes]) -> bytes:
    """MTH({}) = SHA-256(); MTH({d(0)}) = SHA-256(0x00 || d(0));
    MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))."""
    n = len(d)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + d[0])
    k = _k(n)
    return _sha(b"\x01" + _mth(d[:k]) + _mth(d[k:]))


def _path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, {d(m)}) = {}; PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k,
    PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k."""
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*_path(m, d[:k]), _mth(d[k:])]
    return [*_path(m - k, d[k:]), _mth(d[:k])]


def _subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}; for m < n:
    m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]); m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])."""
    n = len(d)
    if m == n:
        return [] if b else [_mth(d)]
    k = _k(n)
    if m <= k:
        return [*_subproof(m, d[:k], b), _mth(d[k:])]
    return [*_subproof(m - k, d[k:], False), _mth(d[:k])]


def _proof(m: int, d: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
    return _subproof(m, d, True)


def _root_from_path(m: int, n: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The root an audit path leads to, walking PATH's definition backwards (the last hash is the top's)."""
    if n == 1:
        assert not path, "a one-leaf tree has an empty audit path"
        return leaf
    assert path, "a bigger tree needs a hash per level"
    k = _k(n)
    if m < k:
        return _sha(b"\x01" + _root_from_path(m, k, leaf, path[:-1]) + path[-1])
    return _sha(b"\x01" + path[-1] + _root_from_path(m - k, n - k, leaf, path[:-1]))


# --- known answers (transparency-dev/merkle testonly/constants.go) -------------------------------

LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


class MemoryLog:
    """The module's incremental log, its nodes kept in a dict (as storage keeps them in rows)."""

    def __init__(self, data: list[bytes]) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0
        self.peaks: tuple[bytes, ...] = ()
        self.roots = [tlog.root_of(())]
        for item in data:  # one at a time: every size's compact range is exercised
            self.append([item])

    def append(self, data: list[bytes]) -> None:
        out = tlog.append_leaves(self.size, self.peaks, [tlog.leaf_hash(d) for d in data])
        self.size, self.peaks = out.size, out.peaks
        self.nodes.update({(lv, ix): h for lv, ix, h in out.nodes})
        self.roots.append(tlog.root_of(self.peaks))

    def node(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]


def test_roots_match_the_rfc_6962_reference_tree_at_every_size() -> None:
    log = MemoryLog(LEAVES)
    assert [r.hex() for r in log.roots] == ROOTS
    assert [_mth(LEAVES[:n]).hex() for n in range(9)] == ROOTS  # the transcription agrees too
    assert [tlog.tree_root(log.node, n).hex() for n in range(9)] == ROOTS


DATA = [f"entry {i}".encode() for i in range(70)]
SIZES = [*range(1, 34), 63, 64, 65, 70]


@pytest.fixture(scope="module")
def log() -> MemoryLog:
    return MemoryLog(DATA)


def test_every_inclusion_proof_is_rfc_6962_path_and_verifies_both_ways(log: MemoryLog) -> None:
    for n in SIZES:
        root = _mth(DATA[:n])
        assert tlog.tree_root(log.node, n) == root
        for m in range(n):
            path = tlog.inclusion_proof(log.node, m, n)
            assert path == _path(m, DATA[:n]), (m, n)
            leaf = _sha(b"\x00" + DATA[m])
            assert _root_from_path(m, n, leaf, path) == root
            tlog.verify_inclusion(leaf, m, n, path, root)


def test_every_consistency_proof_is_rfc_6962_proof_and_verifies(log: MemoryLog) -> None:
    for n in SIZES:
        for m in range(1, n + 1):
            proof = tlog.consistency_proof(log.node, m, n)
            assert proof == _proof(m, DATA[:n]), (m, n)
            tlog.verify_consistency(m, n, _mth(DATA[:m]), _mth(DATA[:n]), proof)


def test_a_tampered_inclusion_proof_fails(log: MemoryLog) -> None:
    n, m = 70, 37
    root, leaf = _mth(DATA[:n]), _sha(b"\x00" + DATA[m])
    path = _path(m, DATA[:n])
    bad = [[*path[:2], _sha(b"x"), *path[3:]], path[:-1], [*path, path[0]]]
    for wrong in bad:
        with pytest.raises(LogError) as e:
            tlog.verify_inclusion(leaf, m, n, wrong, root)
        assert e.value.reason == "inclusion_failed"
    for index, size in ((m + 1, n), (m, 38), (n, n)):  # (the size itself is bound by the signed checkpoint)
        with pytest.raises(LogError):
            tlog.verify_inclusion(leaf, index, size, path, root)
    with pytest.raises(LogError):  # a leaf passed off as an interior node: the 0x00 prefix tells them apart
        tlog.verify_inclusion(_sha(b"\x01" + DATA[m]), m, n, path, root)


def test_a_rewritten_log_fails_the_consistency_check() -> None:
    honest = DATA[:40]
    rewritten = [*DATA[:20], b"a different entry 20", *DATA[21:40], *DATA[40:50]]
    old_root = _mth(honest[:30])
    new = MemoryLog(rewritten)
    proof = tlog.consistency_proof(new.node, 30, 50)
    assert proof == _proof(30, rewritten)
    with pytest.raises(LogError) as e:
        tlog.verify_consistency(30, 50, old_root, _mth(rewritten), proof)
    assert e.value.reason == "inconsistent"
    with pytest.raises(LogError):  # shrinking is a rewrite too
        tlog.verify_consistency(50, 30, _mth(rewritten), old_root, [])
    with pytest.raises(LogError):  # same size, other root
        tlog.verify_consistency(30, 30, old_root, _mth(rewritten[:30]), [])


def test_the_compact_range_is_one_peak_per_set_bit_and_refuses_a_wrong_one(log: MemoryLog) -> None:
    assert len(log.peaks) == bin(70).count("1")
    assert tlog.peaks_of(log.node, 70) == log.peaks
    with pytest.raises(LogError):
        tlog.append_leaves(70, log.peaks[:-1], [tlog.leaf_hash(b"x")])


def test_appending_stores_each_node_once_and_about_two_per_leaf() -> None:
    big = MemoryLog([str(i).encode() for i in range(1000)])
    assert len(big.nodes) == 2 * 1000 - bin(1000).count("1")


# --- checkpoints and signed notes --------------------------------------------------------------


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_a_checkpoint_is_a_c2sp_signed_note() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    root = bytes.fromhex(ROOTS[8])
    note = tlog.sign_checkpoint(tlog.Checkpoint("registry.example/tlog", 8, root), key)
    body, sig_line = note.split("\n\n")
    assert body == f"registry.example/tlog\n8\n{base64.b64encode(root).decode()}"
    assert sig_line.startswith("\u2014 registry.example/tlog ") and sig_line.endswith("\n")
    sig = base64.b64decode(sig_line.split(" ")[2])
    # signed-note: key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4], then the Ed25519 signature of the text
    assert sig[:4] == _sha(b"registry.example/tlog\n\x01" + _raw(key))[:4]
    key.public_key().verify(sig[4:], (body + "\n").encode())
    assert tlog.verify_checkpoint(note, key.public_key()) == tlog.Checkpoint("registry.example/tlog", 8, root)
    vkey = tlog.verifier_key("registry.example/tlog", key.public_key())
    name, kid, material = vkey.split("+", 2)  # (base64 may hold a "+" too)
    assert (name, kid, base64.b64decode(material)) == ("registry.example/tlog", sig[:4].hex(), b"\x01" + _raw(key))


def test_a_checkpoint_altered_or_signed_by_another_key_is_refused() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    note = tlog.sign_checkpoint(tlog.Checkpoint("r.example/tlog", 5, bytes.fromhex(ROOTS[5])), key)
    with pytest.raises(LogError) as e:
        tlog.verify_checkpoint(note.replace("\n5\n", "\n6\n"), key.public_key())
    assert e.value.reason == "bad_signature"
    with pytest.raises(LogError) as e:
        tlog.verify_checkpoint(note, other.public_key())
    assert e.value.reason == "unknown_key"
    # a second signature by an unknown key is ignored, as signed-note requires
    extra = tlog.sign_checkpoint(tlog.Checkpoint("r.example/tlog", 5, bytes.fromhex(ROOTS[5])), other, name="witness")
    cosigned = note + extra.split("\n\n")[1]
    assert tlog.verify_checkpoint(cosigned, key.public_key()).size == 5
    broken_notes = ("", "r.example/tlog\n5\n", note.replace("\n5\n", "\n05\n"), note.replace("\u2014", "-"))
    controlled = tlog.sign_checkpoint(tlog.Checkpoint("r.\x01example/tlog", 5, bytes.fromhex(ROOTS[5])), key)
    for broken in (*broken_notes, controlled):
        with pytest.raises(LogError):
            tlog.verify_checkpoint(broken, key.public_key())


def test_an_offline_proof_is_c2sp_tlog_proof_and_verifies(log: MemoryLog) -> None:
    key = Ed25519PrivateKey.generate()
    n, m = 70, 12
    note = tlog.sign_checkpoint(tlog.Checkpoint("r.example/tlog", n, _mth(DATA[:n])), key)
    proof = tlog.OfflineProof(m, tuple(tlog.inclusion_proof(log.node, m, n)), note, DATA[m])
    text = proof.text()
    lines = text.split("\n")
    assert lines[:3] == ["c2sp.org/tlog-proof@v1", f"extra {base64.b64encode(DATA[m]).decode()}", f"index {m}"]
    assert [base64.b64decode(x) for x in lines[3 : 3 + len(proof.path)]] == _path(m, DATA[:n])
    assert text.endswith("\n\n" + note)
    assert tlog.parse_offline_proof(text) == proof
    assert tlog.verify_offline_proof(tlog.parse_offline_proof(text), key.public_key()).size == n
    forged = tlog.OfflineProof(m, proof.path, note, b"another entry")
    with pytest.raises(LogError):
        tlog.verify_offline_proof(forged, key.public_key())
    with pytest.raises(LogError):
        tlog.verify_offline_proof(proof, key.public_key(), origin="other.example/tlog")


# --- tiles ------------------------------------------------------------------------------------


def test_tile_paths_follow_c2sp_tlog_tiles() -> None:
    assert tlog.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tlog.tile_path(2, 0, 1) == "tile/2/000.p/1"
    assert tlog.tile_path("entries", 5, 17) == "tile/entries/005.p/17"
    assert tlog.parse_tile_index("x001/x234/067") == (1234067, 256)
    assert tlog.parse_tile_index("000.p/255") == (0, 255)
    for bad in ("1", "x001", "001.p/0", "001.p/256", "001.p/010", "x01/001", "001/x002"):
        with pytest.raises(LogError):
            tlog.parse_tile_index(bad)
    # tlog-tiles' example: a tree of 70,000 has 273 full level-0 tiles and a partial one of 112, ...
    assert [tlog.tile_width(0, n, 70000) for n in (272, 273, 274)] == [256, 112, 0]
    assert [tlog.tile_width(1, n, 70000) for n in (0, 1)] == [256, 17]
    assert tlog.tile_width(2, 0, 70000) == 1


def test_entry_bundles_are_uint16_length_prefixed() -> None:
    bundle = tlog.entry_bundle([b"", b"ab", b"x" * 300])
    assert bundle[:4] == b"\x00\x00\x00\x02" and bundle[6:8] == (300).to_bytes(2, "big")
    assert tlog.split_bundle(bundle) == [b"", b"ab", b"x" * 300]
    with pytest.raises(LogError):
        tlog.split_bundle(bundle[:-1])


def test_proofs_made_from_tiles_alone_match_rfc_6962() -> None:
    """A monitor's view: tiles hold only every 8th level; the levels between are rebuilt by hashing."""
    data = [str(i).encode() for i in range(600)]
    full = MemoryLog(data)

    def fetch(path: str) -> bytes:
        parts = path.split("/")
        level = int(parts[1])
        n, width = tlog.parse_tile_index("/".join(parts[2:]))
        return b"".join(full.nodes[(8 * level, n * 256 + i)] for i in range(width))

    for size in (1, 255, 256, 257, 513, 600):
        tiles = tlog.TileReader(fetch, size)
        assert tlog.tree_root(tiles, size) == _mth(data[:size])
        assert tlog.inclusion_proof(tiles, size // 3, size) == _path(size // 3, data[:size])
        if size > 1:
            assert tlog.consistency_proof(tiles, size // 2, size) == _proof(size // 2, data[:size])


# --- parsers: only LogError escapes (STYLE habit 7) ---------------------------------------------


_NOTE_ALPHABET = st.sampled_from(["\n", "\u2014", " ", "+", "/", "=", "A", "z", "0", "9", ".", "p", "x", "\x00", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_NOTE_ALPHABET, max_size=120).map("".join))
def test_only_log_errors_escape_the_note_and_proof_parsers(text: str) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    for parse in (
        tlog.parse_checkpoint,
        tlog.parse_offline_proof,
        lambda t: tlog.verify_checkpoint(t, key.public_key()),
        tlog.parse_tile_index,
    ):
        with contextlib.suppress(LogError):
            parse(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_only_log_errors_escape_the_bundle_reader(data: bytes) -> None:
    try:
        entries = tlog.split_bundle(data)
    except LogError:
        return
    assert tlog.entry_bundle(entries) == data


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 300), st.data())
def test_proofs_verify_for_any_size_and_index(size: int, data: st.DataObject) -> None:
    items = [i.to_bytes(2, "big") for i in range(size)]
    log = MemoryLog(items)
    m = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(1, size))
    tlog.verify_inclusion(_sha(b"\x00" + items[m]), m, size, tlog.inclusion_proof(log.node, m, size), log.roots[size])
    tlog.verify_consistency(old, size, log.roots[old], log.roots[size], tlog.consistency_proof(log.node, old, size))
