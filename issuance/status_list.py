"""Token Status Lists (IETF draft-ietf-oauth-status-list): revocation and suspension of labels.

A status list is a byte array of ``bits``-wide entries; entry ``i`` sits in byte ``i * bits // 8``
starting at the least significant bit, and the array travels zlib-compressed (DEFLATE, RFC 1950/1951)
[S: draft at commit a4f70cfb, section "Status List"]. We use bits=2: 0 VALID, 1 INVALID (revoked),
2 SUSPENDED. A status list token is a CWT in COSE_Sign1 signed by the certifier's label key with
protected ``typ`` (16) ``application/statuslist+cwt`` and claims 2 sub (the list URI), 6 iat, 4 exp,
65534 ttl, 65533 status list ``{"bits", "lst"}`` [S: same draft; the claim numbers were still moving
between drafts]. Lists have at least 131,072 entries (herd privacy) and indexes are drawn at random.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric import ec

from issuance.cbor import det_cbor, loads_deterministic
from issuance.cose import (
    ALG_ES256,
    CLAIM_EXP,
    CLAIM_IAT,
    CLAIM_ISS,
    CLAIM_SUB,
    HDR_ALG,
    HDR_KID,
    HDR_TYP,
    Sign1,
    parse_sign1,
    sign1,
)
from issuance.errors import StatusListError, TokenError
from issuance.keys import KeyState, Rng, kid_of, usage_refusal
from issuance.label_encode import split_status_uri, status_list_uri
from issuance.trust import TrustedKey, TrustList
from registry.errors import Location

__all__ = [
    "MIN_LIST_SIZE",
    "TYP_STATUS_LIST",
    "Status",
    "StatusList",
    "StatusNote",
    "StatusSelection",
    "allocate_indexes",
    "parse_status_list_token",
    "select_status_lists",
    "sign_status_list",
    "split_status_uri",
    "status_list_uri",
    "status_lists_from_tokens",
]

TYP_STATUS_LIST = "application/statuslist+cwt"
CLAIM_TTL = 65534
CLAIM_STATUS_LIST = 65533
MIN_LIST_SIZE = 131_072
MAX_LIST_BYTES = 16 * 1024 * 1024  # decompressed: 64 M entries at 2 bits
MAX_STATUS_TOKEN_BYTES = 8 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)
_ALLOWED_BITS = (1, 2, 4, 8)
_CLAIM_KEYS = frozenset({CLAIM_ISS, CLAIM_SUB, CLAIM_EXP, CLAIM_IAT, CLAIM_TTL, CLAIM_STATUS_LIST})


def _set_per_byte(bits: int) -> bytes:
    mask, per_byte = (1 << bits) - 1, 8 // bits
    return bytes(sum(1 for k in range(per_byte) if (byte >> (k * bits)) & mask) for byte in range(256))


_SET_PER_BYTE = {bits: _set_per_byte(bits) for bits in _ALLOWED_BITS}  # non-zero entries in each byte value


class Status(IntEnum):
    VALID = 0
    INVALID = 1  # revoked
    SUSPENDED = 2


def _error(message: str, reason: str = "malformed", pointer: str | None = None) -> StatusListError:
    return StatusListError(message, Location(pointer=pointer), reason=reason)


class StatusList:
    """``size`` entries of ``bits`` bits each, all VALID (0) unless ``data`` is given."""

    __slots__ = ("_data", "_mask", "_per_byte", "bits", "size")

    def __init__(self, size: int, bits: int = 2, data: bytes | bytearray | None = None) -> None:
        if bits not in _ALLOWED_BITS:
            raise _error(f"bits must be 1, 2, 4 or 8, not {bits}", "bad_bits", "/bits")
        per_byte = 8 // bits
        if size < 1 or size % per_byte:
            raise _error(f"size must be a positive multiple of {per_byte} for bits={bits}, not {size}", "bad_size")
        if data is not None and len(data) * per_byte != size:
            raise _error(f"{len(data)} bytes hold {len(data) * per_byte} entries, not {size}", "bad_size")
        self.bits, self.size, self._per_byte, self._mask = bits, size, per_byte, (1 << bits) - 1
        self._data = bytearray(data) if data is not None else bytearray(size // per_byte)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusList) and (self.bits, self._data) == (other.bits, other._data)

    def __hash__(self) -> int:
        return hash((self.bits, bytes(self._data)))

    def __repr__(self) -> str:
        return f"StatusList(size={self.size}, bits={self.bits})"

    def _check(self, idx: int) -> None:
        if not 0 <= idx < self.size:
            raise _error(f"index {idx} is outside the list (0..{self.size - 1})", "index_out_of_range")

    def get(self, idx: int) -> int:
        self._check(idx)
        shift = (idx % self._per_byte) * self.bits
        return (self._data[idx // self._per_byte] >> shift) & self._mask

    def set(self, idx: int, value: int) -> None:
        self._check(idx)
        if not 0 <= value <= self._mask:
            raise _error(f"status {value} does not fit in {self.bits} bits", "bad_status")
        shift = (idx % self._per_byte) * self.bits
        byte = idx // self._per_byte
        self._data[byte] = (self._data[byte] & ~(self._mask << shift)) | (value << shift)

    def to_bytes(self) -> bytes:
        """The uncompressed byte array."""
        return bytes(self._data)

    def count_set(self) -> int:
        """How many entries are not VALID (0)."""
        return sum(self._data.translate(_SET_PER_BYTE[self.bits]))

    @classmethod
    def from_bytes(cls, raw: bytes, bits: int = 2) -> StatusList:
        if bits not in _ALLOWED_BITS:
            raise _error(f"bits must be 1, 2, 4 or 8, not {bits}", "bad_bits", "/bits")
        return cls(len(raw) * (8 // bits), bits, raw)

    def compressed(self) -> bytes:
        """``lst``: the byte array, zlib (DEFLATE) at the highest level, as the draft recommends."""
        return zlib.compress(bytes(self._data), 9)

    @classmethod
    def from_compressed(cls, lst: bytes, bits: int, *, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(lst, max_bytes)
        except zlib.error as e:
            raise _error(f"lst is not zlib data: {e}", "bad_lst", "/lst") from e
        if inflater.unconsumed_tail or not inflater.eof:
            raise _error(f"lst is truncated or inflates beyond {max_bytes} bytes", "bad_lst", "/lst")
        if inflater.unused_data or not raw:
            raise _error("lst has trailing bytes after the zlib stream, or is empty", "bad_lst", "/lst")
        return cls.from_bytes(raw, bits)

    def to_json(self) -> dict[str, Any]:
        """The draft's JSON Status List: ``{"bits": 2, "lst": <base64url of the zlib bytes>}``."""
        return {"bits": self.bits, "lst": base64.urlsafe_b64encode(self.compressed()).decode("ascii").rstrip("=")}

    @classmethod
    def from_json(cls, doc: Any) -> StatusList:
        if not _is_list_item(doc):
            raise _error('a JSON status list is {"bits": <1|2|4|8>, "lst": <base64url>}', "malformed", "")
        bits, lst = doc["bits"], doc["lst"]
        if type(bits) is not int or not isinstance(lst, str):
            raise _error("bits must be an integer and lst a string", "malformed", "")
        try:
            raw = base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4))
        except ValueError as e:
            raise _error(f"lst is not base64url: {e}", "bad_lst", "/lst") from e
        return cls.from_compressed(raw, bits)

    def to_cbor_item(self) -> dict[str, Any]:
        return {"bits": self.bits, "lst": self.compressed()}


def _is_list_item(item: Any) -> bool:
    return isinstance(item, dict) and {"bits", "lst"} <= set(item) <= {"bits", "lst", "aggregation_uri"}


def _uniform_below(rng: Rng, bound: int) -> int:
    bits = (bound - 1).bit_length()
    if bits == 0:
        return 0
    nbytes, mask = (bits + 7) // 8, (1 << bits) - 1
    while True:  # rejection sampling, no modulo bias
        draw = int.from_bytes(rng(nbytes), "big") & mask
        if draw < bound:
            return draw


def allocate_indexes(rng: Rng, used: set[int], size: int, n: int) -> list[int]:
    """``n`` distinct random indexes in ``[0, size)`` not in ``used`` (which is not modified)."""
    taken = {i for i in used if 0 <= i < size}
    if n < 0 or size < 1:
        raise _error("n must be >= 0 and size >= 1", "bad_request")
    if n > size - len(taken):
        raise _error(f"only {size - len(taken)} free indexes, {n} asked", "list_full")
    if 2 * (len(taken) + n) <= size:
        chosen: list[int] = []
        seen = set(taken)
        while len(chosen) < n:
            idx = _uniform_below(rng, size)
            if idx not in seen:
                seen.add(idx)
                chosen.append(idx)
        return chosen
    free = [i for i in range(size) if i not in taken]
    for i in range(n):  # partial Fisher-Yates
        j = i + _uniform_below(rng, len(free) - i)
        free[i], free[j] = free[j], free[i]
    return free[:n]


# --- status list tokens -------------------------------------------------------------------------


def sign_status_list(
    status_list: StatusList,
    key: ec.EllipticCurvePrivateKey,
    *,
    uri: str,
    now: datetime,
    expires_at: datetime | None = None,
    ttl: int | None = None,
    issuer: str | None = None,
) -> bytes:
    """A Status List Token (CWT, COSE_Sign1, ES256) for ``status_list`` published at ``uri``."""
    if status_list.size < MIN_LIST_SIZE:
        raise _error(f"a published list has at least {MIN_LIST_SIZE} entries (herd privacy)", "too_small")
    if ttl is not None and ttl < 1:
        raise _error("ttl must be a positive number of seconds", "bad_ttl")
    iat = int(now.timestamp())
    claims: dict[int, Any] = {CLAIM_SUB: uri, CLAIM_IAT: iat, CLAIM_STATUS_LIST: status_list.to_cbor_item()}
    if expires_at is not None:
        if int(expires_at.timestamp()) <= iat:
            raise _error("expires_at must be after now", "bad_exp")
        claims[CLAIM_EXP] = int(expires_at.timestamp())
    if ttl is not None:
        claims[CLAIM_TTL] = ttl
    if issuer is not None:
        claims[CLAIM_ISS] = issuer
    header = {HDR_ALG: ALG_ES256, HDR_KID: bytes.fromhex(kid_of(key.public_key())), HDR_TYP: TYP_STATUS_LIST}
    return sign1(header, det_cbor(claims), key)


def _signer(parts: Sign1, trust: TrustList, certifier: str | None) -> TrustedKey:
    candidates = trust.candidates(parts.kid)
    if not candidates:
        raise _error(f"no trusted key has kid {parts.kid}", "unknown_kid", "/protected/4")
    key = next((k for k in candidates if parts.verifies(k.public_key)), None)
    if key is None:
        raise _error("the status list token's signature does not verify", "bad_signature")
    if key.state is KeyState.WITHDRAWN:
        raise _error(f"key {key.kid} is withdrawn", "key_withdrawn")
    if certifier is not None and key.certifier != certifier:
        raise _error(f"signed by {key.certifier}, not by {certifier}", "wrong_signer")
    return key


def _claims(payload: bytes) -> dict[Any, Any]:
    try:
        claims = loads_deterministic(payload, "the status list claims")
    except TokenError as e:
        raise _error(e.message, e.reason) from e
    if not isinstance(claims, dict) or not {CLAIM_SUB, CLAIM_IAT, CLAIM_STATUS_LIST} <= set(claims) <= _CLAIM_KEYS:
        raise _error("claims must hold sub (2), iat (6) and status_list (65533), and only known claims", "bad_claims")
    for key in (CLAIM_IAT, CLAIM_EXP, CLAIM_TTL):
        if key in claims and (type(claims[key]) is not int or not 0 <= claims[key] <= 253402300799):
            raise _error(f"claim {key} must be an unsigned integer", "bad_claims", f"/{key}")
    if claims.get(CLAIM_TTL) == 0:
        raise _error("ttl must be a positive number of seconds", "bad_claims", "/65534")
    if type(claims[CLAIM_SUB]) is not str or (CLAIM_ISS in claims and type(claims[CLAIM_ISS]) is not str):
        raise _error("sub must be the list's URI and iss, if present, text", "bad_claims", "/2")
    return claims


def _list_item(item: Any) -> StatusList:
    if not _is_list_item(item):
        raise _error('the status list claim must be {"bits", "lst"}', "bad_claims", "/65533")
    if type(item["bits"]) is not int or not isinstance(item["lst"], bytes):
        raise _error("bits must be an unsigned integer and lst a byte string", "bad_claims", "/65533")
    return StatusList.from_compressed(item["lst"], item["bits"])


def _check_time(claims: dict[Any, Any], now: datetime) -> None:
    stamp = int(now.timestamp())
    if claims[CLAIM_IAT] > stamp + CLOCK_SKEW.total_seconds():
        raise _error("the status list token is issued in the future", "not_yet_valid", "/6")
    if CLAIM_EXP in claims and claims[CLAIM_EXP] <= stamp:
        raise _error("the status list token has expired; fetch a fresh one", "expired", "/4")


class _Parsed(NamedTuple):
    uri: str
    iat: int
    exp: int
    status_list: StatusList

    def newer_than(self, other: _Parsed) -> bool:
        """Newer by iat; the token carries no version, so a tie goes to the later expiry, then to the
        list with more entries set (revocations and suspensions), then to the greater bytes: whatever order
        the lists came in, the same one wins."""
        if (self.iat, self.exp) != (other.iat, other.exp):
            return (self.iat, self.exp) > (other.iat, other.exp)
        mine, theirs = self.status_list.count_set(), other.status_list.count_set()
        if mine != theirs:
            return mine > theirs
        return self.status_list.to_bytes() > other.status_list.to_bytes()


def _parse(token: object, trust: TrustList, *, now: datetime, uri: str | None, certifier: str | None) -> _Parsed:
    try:
        parts = parse_sign1(token, typ=TYP_STATUS_LIST, max_bytes=MAX_STATUS_TOKEN_BYTES)
    except TokenError as e:
        raise StatusListError(e.message, e.location, reason=e.reason) from e
    key = _signer(parts, trust, certifier)
    claims = _claims(parts.payload)
    sub = claims[CLAIM_SUB]
    if uri is not None and sub != uri:
        raise _error(f"the token is for {sub!r}, not {uri!r}", "uri_mismatch", "/2")
    try:
        base, _ = split_status_uri(sub, key.certifier)
    except TokenError as e:
        raise _error(f"sub {sub!r} is not a status list of {key.certifier}", "wrong_signer", "/2") from e
    if base != trust.status_base:
        raise _error(f"sub {sub!r} is not under the trust list's status base", "uri_mismatch", "/2")
    if CLAIM_ISS in claims and claims[CLAIM_ISS] != key.certifier:
        raise _error(f"iss {claims[CLAIM_ISS]!r} is not the signer {key.certifier!r}", "wrong_signer", "/1")
    _check_time(claims, now)
    issued = datetime.fromtimestamp(claims[CLAIM_IAT], UTC)
    if usage_refusal(key.usage_from, key.usage_until, issued) is not None:
        message = f"key {key.kid} was not in use at iat {issued:%Y-%m-%dT%H:%M:%SZ}: a rotated key signs no new list"
        raise _error(message, "key_not_in_use", "/6")
    return _Parsed(sub, claims[CLAIM_IAT], claims.get(CLAIM_EXP, 0), _list_item(claims[CLAIM_STATUS_LIST]))


def parse_status_list_token(
    token: object, trust: TrustList, *, now: datetime, uri: str | None = None, certifier: str | None = None
) -> StatusList:
    """The verified status list of a status list token; :class:`StatusListError` with a ``reason`` otherwise.

    Checks, in order: COSE_Sign1 shape and header (typ statuslist+cwt), a trusted signer (kid hint,
    every candidate tried, not withdrawn, of ``certifier`` when given), the claims, that ``sub``
    is a list of the signer's certifier under the trust list's status base (and equals ``uri`` when
    given), iat/exp against ``now``, then the list itself.
    """
    return _parse(token, trust, now=now, uri=uri, certifier=certifier).status_list


@dataclass(frozen=True, slots=True)
class StatusNote:
    """Something a verifier should know about the lists it was given: a stable ``reason`` and a sentence."""

    uri: str
    reason: str  # "superseded": an older list for the same URI, ignored
    message: str


@dataclass(frozen=True, slots=True)
class StatusSelection:
    """The newest verified list of each URI, its ``iat`` (seconds), and notes on the lists left out."""

    lists: dict[str, StatusList]
    issued_at: dict[str, int]
    notes: tuple[StatusNote, ...]


def _stamp(iat: int) -> str:
    return datetime.fromtimestamp(iat, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def select_status_lists(
    tokens: Iterable[bytes], trust: TrustList, *, now: datetime, seen: Mapping[str, int] | None = None
) -> StatusSelection:
    """Verify every token and keep, for each list URI, the newest (by iat; see ``_Parsed.newer_than``); older
    ones are ignored with a note. ``seen`` maps URIs to the newest iat this verifier has accepted before:
    a newest list older than that is a rollback (an attacker replaying a list from before a revocation)
    and raises :class:`StatusListError` (reason ``rollback``)."""
    newest: dict[str, _Parsed] = {}
    notes: list[StatusNote] = []
    for token in tokens:
        parsed = _parse(token, trust, now=now, uri=None, certifier=None)
        kept = newest.get(parsed.uri)
        if kept is not None and not parsed.newer_than(kept):
            parsed, kept = kept, parsed
        if kept is not None:
            why = (
                "is newer"
                if parsed.iat > kept.iat
                else "has the same iat and was preferred (later exp, more entries set)"
            )
            message = f"a list of {_stamp(kept.iat)} was ignored: the one of {_stamp(parsed.iat)} {why}"
            notes.append(StatusNote(parsed.uri, "superseded", message))
        newest[parsed.uri] = parsed
    for uri, parsed in newest.items():
        floor = (seen or {}).get(uri)
        if floor is not None and parsed.iat < floor:
            message = (
                f"the status list {uri} of {_stamp(parsed.iat)} is older than the one of {_stamp(floor)} "
                "already seen here: refused (a rollback would hide revocations); fetch a fresh list"
            )
            raise _error(message, "rollback", "/6")
    return StatusSelection(
        {u: p.status_list for u, p in newest.items()}, {u: p.iat for u, p in newest.items()}, tuple(notes)
    )


def status_lists_from_tokens(tokens: Iterable[bytes], trust: TrustList, *, now: datetime) -> dict[str, StatusList]:
    """Verified lists by URI (each token's ``sub``; the newest of several), ready for :func:`issuance.verify`."""
    return select_status_lists(tokens, trust, now=now).lists
