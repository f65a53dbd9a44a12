"""COSE_Sign1 (RFC 9052) with an ES256 protected header and no unprotected header, and the CWT (RFC 8392)
claim keys, for label tokens and status list tokens alike.

``parse_sign1`` first tries ``_sign1_as_we_write_it``, which takes a token of exactly the shape ``sign1``
writes apart by position (hand-tuned: offline verification spends its time here and in the signature
check; see bench/labels_offline.py); anything else goes through the general, strict path.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import cbor2
from cryptography import exceptions as crypto_errors
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from issuance.cbor import bstr_head, det_cbor, head_size, loads
from issuance.errors import token_error

COSE_SIGN1_TAG = 18
ALG_ES256 = -7
HDR_ALG, HDR_KID, HDR_TYP = 1, 4, 16
CLAIM_ISS, CLAIM_SUB, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI = 1, 2, 4, 6, 7
MAX_TOKEN_BYTES = 4096
# The order n of the P-256 group (SEC 2 v2, section 2.4.2, secp256r1; FIPS 186-4, appendix D.1.2.3). ECDSA
# accepts (r, s) and (r, n - s) alike; we write and accept only s <= n/2 ("low S", as BIP 62 and libsecp256k1
# do), so that a token has exactly one valid encoding and a twin with n - s is no second valid token.
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_HALF_N = P256_N // 2
_HEADER_ORDER = [HDR_ALG, HDR_KID, HDR_TYP]
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


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
        return _SIG1_PREFIX + bstr_head(len(p)) + p + b"\x40" + bstr_head(len(payload)) + payload

    def verifies(self, public_key: ec.EllipticCurvePublicKey) -> bool:
        try:
            public_key.verify(_der_signature(self.signature), self.to_be_signed(), _ECDSA_SHA256)
        except crypto_errors.InvalidSignature:
            return False
        return True


def _der_signature(signature: bytes) -> bytes:
    """The ECDSA-Sig-Value (DER) of a raw r || s signature, as ``encode_dss_signature`` writes it."""
    r, s = signature[:32], signature[32:]
    if r[0] and s[0]:  # 255 times in 256: no leading zero byte to drop, one of four heads
        head, middle = _DER_HEADS[r[0] >> 7, s[0] >> 7]
        return head + r + middle + s
    body = _der_integer(r) + _der_integer(s)
    return b"\x30" + bytes((len(body),)) + body


def _der_integer(unsigned: bytes) -> bytes:
    """A DER INTEGER of a big-endian unsigned value (leading zeros dropped, a 0 byte before a high bit)."""
    digits = unsigned.lstrip(b"\x00") or b"\x00"
    if digits[0] & 0x80:
        digits = b"\x00" + digits
    return b"\x02" + bytes((len(digits),)) + digits


_SIG1_PREFIX = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"
# SEQUENCE and INTEGER heads of r and s of 32 significant bytes, by their high bits (a 0 byte before a high bit)
_DER_HEADS = {
    (0, 0): (b"\x30\x44\x02\x20", b"\x02\x20"),
    (1, 0): (b"\x30\x45\x02\x21\x00", b"\x02\x20"),
    (0, 1): (b"\x30\x45\x02\x20", b"\x02\x21\x00"),
    (1, 1): (b"\x30\x46\x02\x21\x00", b"\x02\x21\x00"),
}


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
    if s > _HALF_N:
        s = P256_N - s  # the same signature in low-S form
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _check_header(header: Any, typ: int | str) -> dict[Any, Any]:
    if not isinstance(header, dict):
        raise token_error("the protected header is not a map", "malformed", "/protected")
    unknown = set(header) - {HDR_ALG, HDR_KID, HDR_TYP}
    if unknown:
        raise token_error(
            f"the protected header has labels this verifier does not know: {sorted(unknown, key=str)}",
            "unknown_header",
            "/protected",
        )
    alg = header.get(HDR_ALG)
    if type(alg) is not int or alg != ALG_ES256:
        raise token_error(f"alg is {alg!r}; labels are signed with ES256 (-7) only", "bad_alg", "/protected/1")
    kid = header.get(HDR_KID)
    if not isinstance(kid, bytes) or len(kid) != 8:
        raise token_error("kid must be 8 bytes", "bad_kid", "/protected/4")
    found = header.get(HDR_TYP)
    if type(found) is not type(typ) or found != typ:
        raise token_error(f"typ is {header.get(HDR_TYP)!r}, expected {typ!r}", "bad_typ", "/protected/16")
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
    """A strict tagged COSE_Sign1 with an ES256 protected header of type ``typ`` and a low-S signature;
    :class:`TokenError` otherwise."""
    parts = _parse_sign1(token, typ=typ, max_bytes=max_bytes)
    if int.from_bytes(parts.signature[32:], "big") > _HALF_N:
        raise token_error("the signature's s is above n/2: only the low-S form is accepted", "high_s", "/signature")
    return parts


def _parse_sign1(token: object, *, typ: int | str, max_bytes: int) -> Sign1:
    if type(token) is not bytes:
        if not isinstance(token, bytes | bytearray | memoryview):
            raise token_error(f"a token is bytes, not {type(token).__name__}", "malformed")
        token = bytes(token)
    if not 0 < len(token) <= max_bytes:
        raise token_error(f"a token has 1 to {max_bytes} bytes, this one {len(token)}", "bad_size")
    fast = _sign1_as_we_write_it(token, typ)
    if fast is not None:
        return fast
    outer = loads(token, "the token")
    if not isinstance(outer, cbor2.CBORTag) or outer.tag != COSE_SIGN1_TAG:
        raise token_error("the token is not a tagged COSE_Sign1 (CBOR tag 18)", "not_cose_sign1")
    parts = outer.value
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise token_error("a COSE_Sign1 is an array of 4 items", "not_cose_sign1")
    protected, unprotected, payload, signature = parts
    if not (isinstance(protected, bytes) and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise token_error("protected header, payload and signature must be byte strings", "not_cose_sign1")
    if unprotected != {}:
        raise token_error("the unprotected header must be empty: nothing in a label is unsigned", "unprotected_header")
    if len(signature) != 64:
        raise token_error(f"an ES256 signature is 64 bytes (r || s), not {len(signature)}", "bad_signature_size")
    shortest = 2 + head_size(len(protected)) + len(protected) + 1 + head_size(len(payload)) + len(payload) + 2 + 64
    if shortest != len(token):
        raise token_error("the token has trailing bytes or a non-shortest length", "not_deterministic")
    kid = protected[5:13]
    if len(protected) == 17 and protected[:5] == _HEADER_HEAD and protected[13:] == _header_tail(typ):  # ours
        return Sign1(protected, {HDR_ALG: ALG_ES256, HDR_KID: kid, HDR_TYP: typ}, payload, signature)
    header = _check_header(loads(protected, "the protected header"), typ)  # say what is wrong with it
    if list(header) != _HEADER_ORDER or cbor2.dumps(header) != protected:
        raise token_error(
            "the protected header is not deterministically encoded CBOR", "not_deterministic", "/protected"
        )
    return Sign1(protected, header, payload, signature)
