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

Code: ``issuance/cbor.py`` (deterministic CBOR), ``issuance/cose.py`` (COSE_Sign1, ES256, CWT claim keys,
the positional fast path), ``issuance/label_layout.py`` (the claims set's keys, codes and patterns),
``issuance/label_encode.py`` (claims to CBOR), ``issuance/label_decode.py`` (the strict decoder),
``issuance/token_text.py`` (base32 and base64url text). This module signs labels and is the face the
rest of the code imports token names from.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from issuance.cbor import det_cbor, loads_deterministic
from issuance.cose import (
    ALG_ES256,
    CLAIM_CTI,
    CLAIM_EXP,
    CLAIM_IAT,
    CLAIM_ISS,
    CLAIM_SUB,
    COSE_SIGN1_TAG,
    HDR_ALG,
    HDR_KID,
    HDR_TYP,
    MAX_TOKEN_BYTES,
    Sign1,
    parse_sign1,
    sign1,
)
from issuance.errors import token_error
from issuance.keys import kid_of
from issuance.label_decode import DecodedLabel, decode_label, peek, trusted_model
from issuance.label_encode import (
    digest_prefix,
    encode_claims,
    label_id_bytes,
    label_id_text,
    new_label_id,
    split_status_uri,
    status_list_uri,
)
from issuance.label_layout import (
    BOUNDARY_CODES,
    CLAIM_LABEL,
    DIGEST_BYTES,
    LABEL_ID_BYTES,
    TYP_LABEL,
    UNIT_CODES,
)
from issuance.model import LabelClaims
from issuance.token_text import token_from_b64url, token_from_text, token_to_b64url, token_to_text

__all__ = [
    "ALG_ES256",
    "BOUNDARY_CODES",
    "CLAIM_CTI",
    "CLAIM_EXP",
    "CLAIM_IAT",
    "CLAIM_ISS",
    "CLAIM_LABEL",
    "CLAIM_SUB",
    "COSE_SIGN1_TAG",
    "DIGEST_BYTES",
    "HDR_ALG",
    "HDR_KID",
    "HDR_TYP",
    "LABEL_ID_BYTES",
    "MAX_TOKEN_BYTES",
    "TYP_LABEL",
    "UNIT_CODES",
    "DecodedLabel",
    "Sign1",
    "decode_label",
    "det_cbor",
    "digest_prefix",
    "encode_claims",
    "label_id_bytes",
    "label_id_text",
    "loads_deterministic",
    "new_label_id",
    "parse_sign1",
    "peek",
    "sign1",
    "sign_label",
    "split_status_uri",
    "status_list_uri",
    "token_from_b64url",
    "token_from_text",
    "token_to_b64url",
    "token_to_text",
    "trusted_model",
]


# The kid of each private key signing now, by the key object (its public key's DER and digest cost ~25 us
# a label); the object itself is kept, so an id is never taken for another key's
_SIGNING_KIDS: dict[int, tuple[ec.EllipticCurvePrivateKey, str]] = {}


def _signing_kid(key: ec.EllipticCurvePrivateKey) -> str:
    known = _SIGNING_KIDS.get(id(key))
    if known is not None and known[0] is key:
        return known[1]
    kid = kid_of(key.public_key())
    if len(_SIGNING_KIDS) >= 256:
        _SIGNING_KIDS.clear()
    _SIGNING_KIDS[id(key)] = (key, kid)
    return kid


def sign_label(claims: LabelClaims, key: ec.EllipticCurvePrivateKey, *, status_base: str | None = None) -> bytes:
    """The signed label token. ``claims.kid`` must be the kid of ``key``; ``status_base``, when given,
    must be the base of ``claims.status_uri`` (it is not carried: verifiers take it from the trust list)."""
    kid = _signing_kid(key)
    if claims.kid != kid:
        raise token_error(f"claims.kid {claims.kid} is not the kid of the signing key ({kid})", "kid_mismatch", "/kid")
    if status_base is not None and split_status_uri(claims.status_uri, claims.issuer)[0] != status_base.rstrip("/"):
        raise token_error(
            f"status_uri {claims.status_uri!r} is not under {status_base!r}", "bad_status_uri", "/status_uri"
        )
    header = {HDR_ALG: ALG_ES256, HDR_KID: bytes.fromhex(kid), HDR_TYP: TYP_LABEL}
    return sign1(header, encode_claims(claims), key)
