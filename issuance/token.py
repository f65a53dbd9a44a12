"""The label token: a CWT (RFC 8392) in a tagged COSE_Sign1 (RFC 9052), ES256, deterministic CBOR.

Layout (see docs/adr/0009-label-token.md for the reasons and the measured sizes)::

    18([ << {1: -7, 4: kid(8 B), 16: 65000} >>,    / alg ES256, kid, typ [unchecked: see ADR] /
         {},                                       / no unprotected header: nothing unsigned /
         << {1: iss, 4: exp, 6: iat, 7: cti(10 B), -65537: label} >>,
         signature r || s (64 B) ])

``label`` (private-use claim -65537) maps small integer keys to: 1 gtin (uint), 2 batch, 3 grade,
4 value (an integer if it is one, else decimal text), 5 declared unit (PACT unit code, [amount, code]
or text), 6 boundary (uint),
7 pack "id@version", 8 pack digest (8 B), 9 scheme, 10 declaration digest (8 B), 11 audit (8 B),
12 status [list number, index]. The status list URI is ``<status base>/<iss>/<list number>``; the
status base comes from the trust list. Decoding is strict: one encoding per label, anything else
is a :class:`TokenError` with a stable ``reason``, never a cbor2 or cryptography exception.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple, TypeVar

import cbor2
from cryptography import exceptions as crypto_errors
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from pydantic import BaseModel

from issuance.errors import GtinError, TokenError
from issuance.gtin import check_digit, normalize_gtin
from issuance.keys import Rng, kid_of
from issuance.model import Boundary, LabelClaims
from registry.errors import Location

_M = TypeVar("_M", bound=BaseModel)

COSE_SIGN1_TAG = 18
ALG_ES256 = -7
HDR_ALG, HDR_KID, HDR_TYP = 1, 4, 16
TYP_LABEL = 65000  # CoAP Content-Format, experimental range [unchecked]; see ADR 0009
CLAIM_ISS, CLAIM_SUB, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI = 1, 2, 4, 6, 7
CLAIM_LABEL = -65537  # private use (RFC 8392 section 9.1.1: keys below -65536)
MAX_TOKEN_BYTES = 4096
_MAX_TIME = 253402300799  # 9999-12-31T23:59:59Z, the last second a datetime can hold
_GTIN, _BATCH, _GRADE, _VALUE, _UNIT, _BOUNDARY = 1, 2, 3, 4, 5, 6
_PACK, _PACK_DIGEST, _SCHEME, _DECLARATION, _AUDIT, _STATUS = 7, 8, 9, 10, 11, 12
_LABEL_KEYS = frozenset(range(1, 13))
_REQUIRED_LABEL_KEYS = frozenset(_LABEL_KEYS - {_BATCH, _AUDIT})
_OPTIONAL_SETS = (frozenset[int](), frozenset({_BATCH}), frozenset({_AUDIT}), frozenset({_BATCH, _AUDIT}))
_LABEL_KEY_ORDERS = frozenset(tuple(sorted(_REQUIRED_LABEL_KEYS | extra)) for extra in _OPTIONAL_SETS)  # in CBOR order
_TOP_ORDER = [CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI, CLAIM_LABEL]  # deterministic order: 1, 4, 6, 7, -65537
_TOP_KEYS = frozenset(_TOP_ORDER)
_HEADER_ORDER = [HDR_ALG, HDR_KID, HDR_TYP]
DIGEST_BYTES = 8
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
LABEL_ID_BYTES = 10

BOUNDARY_CODES: dict[Boundary, int] = {
    Boundary.CRADLE_TO_GATE: 0,
    Boundary.CRADLE_TO_GRAVE: 1,
    Boundary.GATE_TO_GATE: 2,
}
_BOUNDARY_BY_CODE = {code: boundary for boundary, code in BOUNDARY_CODES.items()}
UNIT_CODES: dict[str, int] = {  # PACT v3 declaredUnitOfMeasurement values
    "liter": 1,
    "kilogram": 2,
    "cubic meter": 3,
    "kilowatt hour": 4,
    "megajoule": 5,
    "ton kilometer": 6,
    "square meter": 7,
    "piece": 8,
    "hour": 9,
    "megabit second": 10,
}
_UNIT_BY_CODE = {code: unit for unit, code in UNIT_CODES.items()}

_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?")
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?")
_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,17}")  # decimal text that travels as a CBOR integer
_ISSUER = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?")
_SCHEME_RE = re.compile(r"[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?")
_PACK_REF = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?/[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?@[0-9A-Za-z.+-]{1,64}")
_GRADE_RE = re.compile(r"[A-Za-z0-9+-]{1,8}")
_BATCH_TEXT = re.compile(r"[!-~]{1,20}")  # GS1 AI (10) is at most 20 characters [unchecked: character set]
_TEXT_CHECKS = (
    (_ISSUER, "/1"),
    (_GRADE_RE, "/-65537/3"),
    (_PACK_REF, "/-65537/7"),
    (_SCHEME_RE, "/-65537/9"),
)
_TEXTS = re.compile("\n".join(f"(?:{pattern.pattern})" for pattern, _ in _TEXT_CHECKS))  # one call, not five
_HEX16 = re.compile(r"[0-9a-f]{16}")
_BASE32 = re.compile(r"[A-Z2-7]*")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_LIST_NUMBER = re.compile(r"0|[1-9][0-9]{0,8}")
_STATUS_BASE = re.compile(r"https?://[!-~]{1,200}")


def _fail(message: str, reason: str, pointer: str | None = None) -> TokenError:
    return TokenError(message, Location(pointer=pointer), reason=reason)


# --- deterministic CBOR (RFC 8949 section 4.2.1) ------------------------------------------------


def _key_order(key: Any) -> tuple[int, int, bytes]:
    """Sorts map keys as the bytewise order of their shortest encodings: major type, argument, content."""
    if type(key) is int:
        return (0, key, b"") if key >= 0 else (1, -1 - key, b"")
    if type(key) is bytes:
        return (2, len(key), key)
    if type(key) is str:
        raw = key.encode("utf-8")
        return (3, len(raw), raw)
    raise _fail(f"map key {key!r} is not an integer, byte string or text string", "malformed")


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _ordered(value[k]) for k in sorted(value, key=_key_order)}
    if isinstance(value, list | tuple):
        return [_ordered(v) for v in value]
    return value


def det_cbor(value: Any) -> bytes:
    """Core deterministic CBOR: shortest forms, definite lengths, map keys in bytewise order of their encodings.

    cbor2's ``canonical=True`` sorts keys length-first (RFC 7049 / RFC 8949 section 4.2.3), which is
    a different order once keys of different lengths mix; we sort ourselves. Integers, byte and text
    strings, arrays, maps, booleans and null only (no floats, no tags).
    """
    return cbor2.dumps(_ordered(value))


def _check_order(value: Any) -> None:
    if isinstance(value, dict):
        keys = [_key_order(k) for k in value]
        if any(a >= b for a, b in pairwise(keys)):
            raise _fail("map keys are not in deterministic order (RFC 8949 section 4.2.1)", "not_deterministic")
        for item in value.values():
            _check_order(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_order(item)
    elif type(value) not in (int, str, bytes, bool) and value is not None:
        raise _fail(f"CBOR item of type {type(value).__name__} is not used in labels", "malformed")


def _loads(data: bytes, what: str) -> Any:
    try:
        return cbor2.loads(data, allow_duplicate_keys=False, allow_indefinite=False, max_depth=8)
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError, MemoryError) as e:
        raise _fail(f"{what} is not well-formed CBOR: {e}", "malformed") from e


def loads_deterministic(data: bytes, what: str) -> Any:
    """Decode ``data`` and insist it is exactly the deterministic encoding of what it holds."""
    value = _loads(data, what)
    _check_order(value)  # also refuses floats, tags and other items a label never holds
    if cbor2.dumps(value) != data:  # cbor2 keeps map order and writes shortest forms
        raise _fail(f"{what} is not deterministically encoded CBOR (RFC 8949 section 4.2.1)", "not_deterministic")
    return value


# --- COSE_Sign1 ---------------------------------------------------------------------------------


class Sign1(NamedTuple):
    """A decoded COSE_Sign1: the protected header (bytes and map), payload and raw r || s signature."""

    protected: bytes
    header: dict[Any, Any]
    payload: bytes
    signature: bytes

    @property
    def kid(self) -> str:
        kid = self.header[HDR_KID]
        assert isinstance(kid, bytes)
        return kid.hex()

    def to_be_signed(self) -> bytes:
        """``Sig_structure`` = ["Signature1", protected, external_aad = h'', payload] (RFC 9052 section 4.4)."""
        p, payload = self.protected, self.payload
        return _SIG1_PREFIX + _bstr_head(len(p)) + p + b"\x40" + _bstr_head(len(payload)) + payload

    def verifies(self, public_key: ec.EllipticCurvePublicKey) -> bool:
        signature = self.signature
        body = _der_integer(signature[:32]) + _der_integer(signature[32:])
        der = b"\x30" + bytes((len(body),)) + body  # ECDSA-Sig-Value, as encode_dss_signature writes it
        try:
            public_key.verify(der, self.to_be_signed(), _ECDSA_SHA256)
        except crypto_errors.InvalidSignature:
            return False
        return True


def _der_integer(unsigned: bytes) -> bytes:
    """A DER INTEGER of a big-endian unsigned value (leading zeros dropped, a 0 byte before a high bit)."""
    digits = unsigned.lstrip(b"\x00") or b"\x00"
    if digits[0] & 0x80:
        digits = b"\x00" + digits
    return b"\x02" + bytes((len(digits),)) + digits


_SIG1_PREFIX = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"


def _head(n: int) -> int:
    """Bytes of the shortest CBOR head carrying the unsigned argument ``n``."""
    return 1 if n < 24 else 2 if n < 0x100 else 3 if n < 0x10000 else 5 if n < 0x100000000 else 9


def _bstr_head(length: int) -> bytes:
    """The shortest CBOR head of a byte string of ``length`` bytes (major type 2)."""
    if length < 24:
        return bytes([0x40 | length])
    if length < 0x100:
        return bytes([0x58, length])
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    return b"\x5a" + length.to_bytes(4, "big")


@lru_cache(maxsize=8)
def _header_tail(typ: int | str) -> bytes:
    return cbor2.dumps(HDR_TYP) + cbor2.dumps(typ)


_HEADER_HEAD = b"\xa3\x01\x26\x04\x48"  # map(3), 1: -7 (ES256), 4: bstr(8) ...


def _header_bytes(kid: bytes, typ: int | str) -> bytes:
    """The deterministic protected header {1: -7, 4: kid, 16: typ} (keys 1 < 4 < 16)."""
    return _HEADER_HEAD + kid + _header_tail(typ)


def sign1(header: Mapping[int, Any], payload: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
    """A tagged COSE_Sign1 over ``payload`` with ``header`` protected and no unprotected header."""
    protected = det_cbor(dict(header))
    tbs = cbor2.dumps(["Signature1", protected, b"", payload])
    r, s = decode_dss_signature(key.sign(tbs, _ECDSA_SHA256))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _check_header(header: Any, typ: int | str) -> dict[Any, Any]:
    if not isinstance(header, dict):
        raise _fail("the protected header is not a map", "malformed", "/protected")
    unknown = set(header) - {HDR_ALG, HDR_KID, HDR_TYP}
    if unknown:
        raise _fail(
            f"the protected header has labels this verifier does not know: {sorted(unknown, key=str)}",
            "unknown_header",
            "/protected",
        )
    alg = header.get(HDR_ALG)
    if type(alg) is not int or alg != ALG_ES256:
        raise _fail(f"alg is {alg!r}; labels are signed with ES256 (-7) only", "bad_alg", "/protected/1")
    kid = header.get(HDR_KID)
    if not isinstance(kid, bytes) or len(kid) != 8:
        raise _fail("kid must be 8 bytes", "bad_kid", "/protected/4")
    found = header.get(HDR_TYP)
    if type(found) is not type(typ) or found != typ:
        raise _fail(f"typ is {header.get(HDR_TYP)!r}, expected {typ!r}", "bad_typ", "/protected/16")
    return header


def _sign1_as_we_write_it(token: bytes, typ: int | str) -> Sign1 | None:
    """The token taken apart by position when it has exactly the shape ``sign1`` writes: tag 18,
    array(4), the 17-byte protected header, an empty map, the payload with the shortest 1- or
    2-byte length, a 64-byte signature, nothing after. None for anything else, which then goes
    through the general, strict path (and its error messages)."""
    if token[:3] != b"\xd2\x84\x51" or len(token) < 91 or token[20] != 0xA0:
        return None
    head = token[21]
    if head == 0x58:
        n, start = token[22], 23
        if n < 24:
            return None
    elif head == 0x59:
        n, start = int.from_bytes(token[22:24], "big"), 24
        if n < 0x100:
            return None
    else:
        return None
    end = start + n
    if end + 66 != len(token) or token[end : end + 2] != b"\x58\x40":
        return None
    protected = token[3:20]
    if protected[:5] != _HEADER_HEAD or protected[13:] != _header_tail(typ):
        return None
    header = {HDR_ALG: ALG_ES256, HDR_KID: protected[5:13], HDR_TYP: typ}
    return Sign1(protected, header, token[start:end], token[end + 2 :])


def parse_sign1(token: object, *, typ: int | str, max_bytes: int = MAX_TOKEN_BYTES) -> Sign1:
    """A strict tagged COSE_Sign1 with an ES256 protected header of type ``typ``; :class:`TokenError` otherwise."""
    if type(token) is not bytes:
        if not isinstance(token, bytes | bytearray | memoryview):
            raise _fail(f"a token is bytes, not {type(token).__name__}", "malformed")
        token = bytes(token)
    if not 0 < len(token) <= max_bytes:
        raise _fail(f"a token has 1 to {max_bytes} bytes, this one {len(token)}", "bad_size")
    fast = _sign1_as_we_write_it(token, typ)
    if fast is not None:
        return fast
    outer = _loads(token, "the token")
    if not isinstance(outer, cbor2.CBORTag) or outer.tag != COSE_SIGN1_TAG:
        raise _fail("the token is not a tagged COSE_Sign1 (CBOR tag 18)", "not_cose_sign1")
    parts = outer.value
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise _fail("a COSE_Sign1 is an array of 4 items", "not_cose_sign1")
    protected, unprotected, payload, signature = parts
    if not (isinstance(protected, bytes) and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise _fail("protected header, payload and signature must be byte strings", "not_cose_sign1")
    if unprotected != {}:
        raise _fail("the unprotected header must be empty: nothing in a label is unsigned", "unprotected_header")
    if len(signature) != 64:
        raise _fail(f"an ES256 signature is 64 bytes (r || s), not {len(signature)}", "bad_signature_size")
    shortest = 2 + _head(len(protected)) + len(protected) + 1 + _head(len(payload)) + len(payload) + 2 + 64
    if shortest != len(token):
        raise _fail("the token has trailing bytes or a non-shortest length", "not_deterministic")
    kid = protected[5:13]
    if len(protected) == 17 and protected[:5] == _HEADER_HEAD and protected[13:] == _header_tail(typ):  # ours
        return Sign1(protected, {HDR_ALG: ALG_ES256, HDR_KID: kid, HDR_TYP: typ}, payload, signature)
    header = _check_header(_loads(protected, "the protected header"), typ)  # say what is wrong with it
    if list(header) != _HEADER_ORDER or cbor2.dumps(header) != protected:
        raise _fail("the protected header is not deterministically encoded CBOR", "not_deterministic", "/protected")
    return Sign1(protected, header, payload, signature)


# --- claims -------------------------------------------------------------------------------------


def status_list_uri(status_base: str, certifier: str, list_number: int) -> str:
    """The URI of a certifier's status list: ``<status base>/<certifier>/<list number>``."""
    return f"{status_base.rstrip('/')}/{certifier}/{list_number}"


def split_status_uri(uri: str, certifier: str) -> tuple[str, int]:
    """``(status base, list number)`` of a status list URI of ``certifier``; :class:`TokenError` otherwise."""
    base, owner, number = ["", "", "", *uri.rsplit("/", 2)][-3:]
    if owner != certifier or not _LIST_NUMBER.fullmatch(number) or not _STATUS_BASE.fullmatch(base):
        raise _fail(
            f"status_uri {uri!r} must be <http(s) status base>/{certifier}/<list number>",
            "bad_status_uri",
            "/status_uri",
        )
    return base, int(number)


def digest_prefix(digest: str | bytes) -> str:
    """The 16 hex characters a token carries: the first 8 bytes of a SHA-256 given as bytes, hex or "sha256:hex"."""
    if isinstance(digest, bytes):
        return digest[:DIGEST_BYTES].hex()
    text = digest.removeprefix("sha256:")
    if not re.fullmatch(r"[0-9a-f]{16,64}", text):
        raise _fail(f"{digest!r} is not a lowercase hex SHA-256 digest", "bad_claims")
    return text[:16]


def _check_text(value: str, pattern: re.Pattern[str], field: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise _fail(f"{field} {value!r} is not {what}", "bad_claims", f"/{field}")
    return value


def _seconds(value: datetime, field: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise _fail(f"{field} must be timezone-aware", "bad_claims", f"/{field}")
    if value.microsecond:
        raise _fail(f"{field} must be whole seconds (a CWT NumericDate here is an integer)", "bad_claims", f"/{field}")
    seconds = int(value.timestamp())
    if not 0 <= seconds <= _MAX_TIME:
        raise _fail(f"{field} is outside 1970..9999", "bad_claims", f"/{field}")
    return seconds


def _digest_bytes(value: str, field: str) -> bytes:
    if not _HEX16.fullmatch(value):
        raise _fail(f"{field} must be 16 lowercase hex characters (8 bytes of SHA-256)", "bad_claims", f"/{field}")
    return bytes.fromhex(value)


def _unit_item(declared_unit: str) -> int | list[Any] | str:
    amount, _, unit = declared_unit.partition(" ")
    code = UNIT_CODES.get(unit)
    if code is None or not _AMOUNT.fullmatch(amount):
        if not 0 < len(declared_unit) <= 64:
            raise _fail("declared_unit must have 1 to 64 characters", "bad_claims", "/declared_unit")
        return declared_unit
    return code if amount == "1" else [_number_item(amount), code]


def _number_item(text: str) -> int | str:
    """A decimal as the token carries it: an integer when it is one ("14600"), else its text ("2.35")."""
    return int(text) if _INTEGER.fullmatch(text) else text


def label_id_bytes(label_id: str) -> bytes:
    """The 10 bytes of a label id (16 base32 characters); :class:`TokenError` otherwise."""
    if len(label_id) != 16 or not _BASE32.fullmatch(label_id):
        raise _fail(f"label_id {label_id!r} must be 16 base32 characters (A-Z, 2-7)", "bad_claims", "/label_id")
    return base64.b32decode(label_id)


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # 10 bits -> 2 characters


def label_id_text(raw: bytes) -> str:
    """16 base32 characters of a 10-byte label id (as base64.b32encode, without its slowness)."""
    n = int.from_bytes(raw, "big")
    return "".join([_B32_PAIRS[(n >> shift) & 1023] for shift in (70, 60, 50, 40, 30, 20, 10, 0)])


def new_label_id(rng: Rng = os.urandom) -> str:
    """A fresh label id: 10 random bytes as 16 base32 characters (RFC 4648, no padding needed)."""
    return label_id_text(rng(LABEL_ID_BYTES))


def _label_map(c: LabelClaims) -> dict[int, Any]:
    try:
        gtin = int(normalize_gtin(c.gtin))
    except GtinError as e:
        raise _fail(e.message, "bad_claims", "/gtin") from e
    _, list_number = split_status_uri(c.status_uri, c.issuer)
    if not 0 <= c.status_idx < 2**32:
        raise _fail("status_idx must be in 0..2^32-1", "bad_claims", "/status_idx")
    label: dict[int, Any] = {
        _GTIN: gtin,
        _GRADE: _check_text(c.grade, _GRADE_RE, "grade", "a grade (1-8 letters, digits, '+', '-')"),
        _VALUE: _number_item(_check_text(c.value, _DECIMAL, "value", "a decimal number such as 2.35")),
        _UNIT: _unit_item(c.declared_unit),
        _BOUNDARY: BOUNDARY_CODES[c.boundary],
        _PACK: _check_text(c.pack, _PACK_REF, "pack", "a rule pack reference <namespace>/<name>@<version>"),
        _PACK_DIGEST: _digest_bytes(c.pack_digest, "pack_digest"),
        _SCHEME: _check_text(c.scheme, _SCHEME_RE, "scheme", "a scheme id"),
        _DECLARATION: _digest_bytes(c.declaration_digest, "declaration_digest"),
        _STATUS: [list_number, c.status_idx],
    }
    if c.batch is not None:
        label[_BATCH] = _check_text(c.batch, _BATCH_TEXT, "batch", "a batch number (1-20 printable ASCII characters)")
    if c.audit is not None:
        label[_AUDIT] = _digest_bytes(c.audit, "audit")
    return label


def encode_claims(claims: LabelClaims) -> bytes:
    """The CWT claims set of a label as deterministic CBOR (the COSE payload)."""
    issued, expires = _seconds(claims.issued_at, "issued_at"), _seconds(claims.expires_at, "expires_at")
    if expires <= issued:
        raise _fail("expires_at must be after issued_at", "bad_claims", "/expires_at")
    return det_cbor(
        {
            CLAIM_ISS: _check_text(claims.issuer, _ISSUER, "issuer", "a certifier id"),
            CLAIM_IAT: issued,
            CLAIM_EXP: expires,
            CLAIM_CTI: label_id_bytes(claims.label_id),
            CLAIM_LABEL: _label_map(claims),
        }
    )


def sign_label(claims: LabelClaims, key: ec.EllipticCurvePrivateKey, *, status_base: str | None = None) -> bytes:
    """The signed label token. ``claims.kid`` must be the kid of ``key``; ``status_base``, when given,
    must be the base of ``claims.status_uri`` (it is not carried: verifiers take it from the trust list)."""
    kid = kid_of(key.public_key())
    if claims.kid != kid:
        raise _fail(f"claims.kid {claims.kid} is not the kid of the signing key ({kid})", "kid_mismatch", "/kid")
    if status_base is not None and split_status_uri(claims.status_uri, claims.issuer)[0] != status_base.rstrip("/"):
        raise _fail(f"status_uri {claims.status_uri!r} is not under {status_base!r}", "bad_status_uri", "/status_uri")
    header = {HDR_ALG: ALG_ES256, HDR_KID: bytes.fromhex(kid), HDR_TYP: TYP_LABEL}
    return sign1(header, encode_claims(claims), key)


# --- decoding -----------------------------------------------------------------------------------


def _text(value: Any, pattern: re.Pattern[str], pointer: str) -> str:
    if type(value) is not str or not pattern.fullmatch(value):
        raise _fail(f"claim {pointer} is missing, not text or invalid", "bad_claims", pointer)
    return value


def _digest(value: Any, pointer: str) -> str:
    if type(value) is not bytes or len(value) != DIGEST_BYTES:
        raise _fail(f"claim {pointer} must be {DIGEST_BYTES} bytes", "bad_claims", pointer)
    return value.hex()


def _times(iat: Any, exp: Any) -> tuple[datetime, datetime]:
    if type(iat) is not int or type(exp) is not int or not 0 <= iat < exp <= _MAX_TIME:
        raise _fail("iat and exp must be seconds in 1970..9999 with exp after iat", "bad_claims", "/4")
    return datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC)


def _decode_gtin(value: Any) -> str:
    if type(value) is not int or not 0 < value < 10**14:
        raise _fail("gtin must be an integer of at most 14 digits", "bad_claims", "/-65537/1")
    text = f"{value:014d}"
    if check_digit(text[:-1]) != ord(text[-1]) - 48:
        raise _fail(f"gtin {text} has a wrong GS1 check digit", "bad_claims", "/-65537/1")
    return text


def _decode_unit(value: Any) -> str:
    if type(value) is int and value in _UNIT_BY_CODE:
        return f"1 {_UNIT_BY_CODE[value]}"
    if isinstance(value, list) and len(value) == 2 and type(value[1]) is int and value[1] in _UNIT_BY_CODE:
        amount = _decode_number(value[0], "/-65537/5/0")
        if _AMOUNT.fullmatch(amount) and amount != "1":
            return f"{amount} {_UNIT_BY_CODE[value[1]]}"
    if type(value) is str and 0 < len(value) <= 64 and _unit_item(value) == value:
        return value
    raise _fail("declared unit is not a unit code, [amount, unit code] or a unit text", "bad_claims", "/-65537/5")


def _decode_number(value: Any, pointer: str) -> str:
    """The decimal text of a number item; text that should have been an integer is refused."""
    if type(value) is int and -(10**18) < value < 10**18:
        return str(value)
    if type(value) is str and _DECIMAL.fullmatch(value) and not _INTEGER.fullmatch(value):
        return value
    raise _fail(f"claim {pointer} is not a decimal number in its one encoding", "bad_claims", pointer)


def _decode_boundary(value: Any) -> Boundary:
    if type(value) is not int or value not in _BOUNDARY_BY_CODE:
        raise _fail(f"boundary code {value!r} is unknown", "bad_claims", "/-65537/6")
    return _BOUNDARY_BY_CODE[value]


def _decode_status(value: Any) -> tuple[int, int]:
    ok = type(value) is list and len(value) == 2 and type(value[0]) is int and type(value[1]) is int
    if not ok or not (0 <= value[0] < 2**32 and 0 <= value[1] < 2**32):
        raise _fail("status must be [list number, index] of two unsigned integers", "bad_claims", "/-65537/12")
    return value[0], value[1]


def trusted_model(cls: type[_M], fields: dict[str, Any]) -> _M:
    """An instance of a pydantic model from fields this module has already validated, strictly.

    What ``model_construct`` does, without its per-field Python loop: about 1 us instead of 2-5 us
    (bench/labels_offline.py). Only for fields that are complete and of the declared types.
    """
    instance = cls.__new__(cls)
    object.__setattr__(instance, "__dict__", fields)
    object.__setattr__(instance, "__pydantic_fields_set__", set(fields))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def _text_size(text: str) -> int:
    n = len(text) if text.isascii() else len(text.encode("utf-8"))
    return n + (1 if n < 24 else _head(n))


def _number_size(value: int | str) -> int:
    if isinstance(value, int):
        return _head(value if value >= 0 else -1 - value)
    return _text_size(value)


def _shortest_size(claims: dict[Any, Any], label: dict[int, Any]) -> int:
    """Bytes of the deterministic encoding of a claims set whose keys and values are already checked.

    A payload that decodes to these claims but is longer holds a non-shortest head or trailing bytes.
    Fixed: map heads 2, keys 1/4/6/7 4, cti 11, key -65537 5, label keys, digests 2 x 9, boundary 1.
    """
    unit, status = label[_UNIT], label[_STATUS]
    size = 41 + len(label) + _head(claims[CLAIM_EXP]) + _head(claims[CLAIM_IAT]) + _head(label[_GTIN])
    size += 1 + _head(status[0]) + _head(status[1])
    for text in (claims[CLAIM_ISS], label[_GRADE], label[_PACK], label[_SCHEME]):
        n = len(text)  # ASCII: their patterns allow nothing else
        size += n + (1 if n < 24 else _head(n))
    size += _number_size(label[_VALUE])
    if type(unit) is int:
        size += 1
    else:
        size += _text_size(unit) if type(unit) is str else 2 + _number_size(unit[0])
    if _BATCH in label:
        size += _text_size(label[_BATCH])
    return size + (9 if _AUDIT in label else 0)


class DecodedLabel(NamedTuple):
    """A label token taken apart without checking its signature."""

    sign1: Sign1
    kid: str
    claims: LabelClaims
    list_number: int


def _label_claims(claims: dict[Any, Any], kid: str, status_base: str | None) -> tuple[LabelClaims, int]:
    keys = list(claims)
    if keys != _TOP_ORDER:
        if set(keys) != _TOP_KEYS:
            raise _fail(f"the claims set must have exactly the keys {sorted(_TOP_KEYS)}", "bad_claims", "")
        raise _fail("claim keys are not in deterministic order (RFC 8949 section 4.2.1)", "not_deterministic", "")
    label, cti = claims[CLAIM_LABEL], claims[CLAIM_CTI]
    if type(label) is not dict or tuple(label) not in _LABEL_KEY_ORDERS:
        if type(label) is not dict or not _REQUIRED_LABEL_KEYS <= label.keys() <= _LABEL_KEYS:
            raise _fail("the label claim is not a map with the label keys", "bad_claims", "/-65537")
        raise _fail("label keys are not in deterministic order (RFC 8949 section 4.2.1)", "not_deterministic", "")
    if type(cti) is not bytes or len(cti) != LABEL_ID_BYTES:
        raise _fail(f"cti must be {LABEL_ID_BYTES} bytes", "bad_claims", "/7")
    texts = issuer, grade, pack, scheme = claims[CLAIM_ISS], label[_GRADE], label[_PACK], label[_SCHEME]
    all_text = type(issuer) is str and type(grade) is str and type(pack) is str and type(scheme) is str
    if not (all_text and _TEXTS.fullmatch("\n".join(texts))):
        for text, (pattern, pointer) in zip(texts, _TEXT_CHECKS, strict=True):  # find the culprit
            _text(text, pattern, pointer)
    issued_at, expires_at = _times(claims[CLAIM_IAT], claims[CLAIM_EXP])
    list_number, idx = _decode_status(label[_STATUS])
    base = status_base.rstrip("/") if status_base is not None else ""
    batch, audit = label.get(_BATCH), label.get(_AUDIT)
    fields: dict[str, Any] = {
        "label_id": label_id_text(cti),
        "issuer": issuer,
        "kid": kid,
        "issued_at": issued_at,
        "expires_at": expires_at,
        "gtin": _decode_gtin(label[_GTIN]),
        "batch": None if batch is None else _text(batch, _BATCH_TEXT, "/-65537/2"),
        "grade": grade,
        "value": _decode_number(label[_VALUE], "/-65537/4"),
        "declared_unit": _decode_unit(label[_UNIT]),
        "boundary": _decode_boundary(label[_BOUNDARY]),
        "pack": pack,
        "pack_digest": _digest(label[_PACK_DIGEST], "/-65537/8"),
        "scheme": scheme,
        "declaration_digest": _digest(label[_DECLARATION], "/-65537/10"),
        "audit": None if audit is None else _digest(audit, "/-65537/11"),
        "status_uri": f"{base}/{issuer}/{list_number}" if base else f"{issuer}/{list_number}",
        "status_idx": idx,
    }
    return trusted_model(LabelClaims, fields), list_number


def decode_label(token: object, *, status_base: str | None = None) -> DecodedLabel:
    """Take a label token apart, strictly, without verifying it. Without ``status_base`` the claims'
    ``status_uri`` is the relative reference ``<issuer>/<list number>``."""
    parts = parse_sign1(token, typ=TYP_LABEL)
    claims = _loads(parts.payload, "the claims set")
    if type(claims) is not dict:
        raise _fail("the claims set is not a map", "bad_claims", "")
    kid = parts.kid
    label, list_number = _label_claims(claims, kid, status_base)  # exact keys, their order and every type
    if _shortest_size(claims, claims[CLAIM_LABEL]) != len(parts.payload):  # then only shortest heads remain
        raise _fail("the claims set is not deterministically encoded CBOR", "not_deterministic", "")
    return DecodedLabel(parts, kid, label, list_number)


def peek(token: object, *, status_base: str | None = None) -> tuple[str, LabelClaims]:
    """``(kid, claims)`` of a label token, NOT verified: for lookups only."""
    decoded = decode_label(token, status_base=status_base)
    return decoded.kid, decoded.claims


# --- text transport -----------------------------------------------------------------------------


def token_to_text(token: bytes) -> str:
    """Uppercase RFC 4648 base32 without padding: only A-Z and 2-7, so a QR code can use alphanumeric mode."""
    return base64.b32encode(token).decode("ascii").rstrip("=")


def token_from_text(text: object, *, max_chars: int = 2 * MAX_TOKEN_BYTES) -> bytes:
    """The bytes of :func:`token_to_text` output; strict (uppercase, no padding, no stray bits)."""
    if not isinstance(text, str) or not 0 < len(text) <= max_chars:
        raise _fail(f"token text must be a string of 1 to {max_chars} characters", "bad_text")
    if not _BASE32.fullmatch(text) or len(text) % 8 in (1, 3, 6):
        raise _fail("token text is not uppercase base32 (A-Z, 2-7) without padding", "bad_text")
    raw = base64.b32decode(text + "=" * (-len(text) % 8))
    if token_to_text(raw) != text:
        raise _fail("token text has stray bits in its last character", "bad_text")
    return raw


def token_to_b64url(token: bytes) -> str:
    return base64.urlsafe_b64encode(token).decode("ascii").rstrip("=")


def token_from_b64url(text: object, *, max_chars: int = 2 * MAX_TOKEN_BYTES) -> bytes:
    """The bytes of :func:`token_to_b64url` output; strict (no padding, no stray bits)."""
    if not isinstance(text, str) or not 0 < len(text) <= max_chars:
        raise _fail(f"token text must be a string of 1 to {max_chars} characters", "bad_text")
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise _fail("token text is not base64url without padding", "bad_text")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as e:
        raise _fail("token text is not base64url without padding", "bad_text") from e
    if token_to_b64url(raw) != text:
        raise _fail("token text has stray bits in its last character", "bad_text")
    return raw
