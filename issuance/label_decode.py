"""A label token taken apart, strictly, without checking its signature: one encoding per label, anything else
is a :class:`TokenError` with a stable ``reason``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from issuance.cbor import head_size, loads
from issuance.cose import CLAIM_CTI, CLAIM_EXP, CLAIM_IAT, CLAIM_ISS, Sign1, parse_sign1
from issuance.errors import token_error
from issuance.gtin import check_digit
from issuance.label_encode import label_id_text, unit_item
from issuance.label_layout import (
    AMOUNT,
    AUDIT,
    BATCH,
    BATCH_TEXT,
    BOUNDARY,
    BOUNDARY_BY_CODE,
    CATALOGUE,
    CLAIM_LABEL,
    DECIMAL,
    DECLARATION,
    DIGEST_BYTES,
    GRADE,
    GRADE_RE,
    GTIN,
    INTEGER,
    LABEL_ID_BYTES,
    LABEL_KEY_ORDERS,
    LABEL_KEYS,
    MAX_TIME,
    PACK,
    PACK_DIGEST,
    PACK_REF,
    REQUIRED_LABEL_KEYS,
    SCHEME,
    STATUS,
    TEXT_CHECKS,
    TEXTS,
    TOP_KEYS,
    TOP_ORDER,
    TYP_LABEL,
    UNIT,
    UNIT_BY_CODE,
    VALUE,
)
from issuance.model import Boundary, LabelClaims

_M = TypeVar("_M", bound=BaseModel)


def _text(value: Any, pattern: re.Pattern[str], pointer: str) -> str:
    if type(value) is not str or not pattern.fullmatch(value):
        raise token_error(f"claim {pointer} is missing, not text or invalid", "bad_claims", pointer)
    return value


def _digest(value: Any, pointer: str) -> str:
    if type(value) is not bytes or len(value) != DIGEST_BYTES:
        raise token_error(f"claim {pointer} must be {DIGEST_BYTES} bytes", "bad_claims", pointer)
    return value.hex()


def _times(iat: Any, exp: Any) -> tuple[datetime, datetime]:
    if type(iat) is not int or type(exp) is not int or not 0 <= iat < exp <= MAX_TIME:
        raise token_error("iat and exp must be seconds in 1970..9999 with exp after iat", "bad_claims", "/4")
    return datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC)


def _decode_gtin(value: Any) -> str:
    if type(value) is not int or not 0 < value < 10**14:
        raise token_error("gtin must be an integer of at most 14 digits", "bad_claims", "/-65537/1")
    text = f"{value:014d}"
    if check_digit(text[:-1]) != ord(text[-1]) - 48:
        raise token_error(f"gtin {text} has a wrong GS1 check digit", "bad_claims", "/-65537/1")
    return text


def _decode_unit(value: Any) -> str:
    if type(value) is int and value in UNIT_BY_CODE:
        return f"1 {UNIT_BY_CODE[value]}"
    if isinstance(value, list) and len(value) == 2 and type(value[1]) is int and value[1] in UNIT_BY_CODE:
        amount = _decode_number(value[0], "/-65537/5/0")
        if AMOUNT.fullmatch(amount) and amount != "1":
            return f"{amount} {UNIT_BY_CODE[value[1]]}"
    if type(value) is str and 0 < len(value) <= 64 and unit_item(value) == value:
        return value
    raise token_error("declared unit is not a unit code, [amount, unit code] or a unit text", "bad_claims", "/-65537/5")


def _decode_number(value: Any, pointer: str) -> str:
    """The decimal text of a number item; text that should have been an integer is refused."""
    if type(value) is int and -(10**18) < value < 10**18:
        return str(value)
    if type(value) is str and DECIMAL.fullmatch(value) and not INTEGER.fullmatch(value):
        return value
    raise token_error(f"claim {pointer} is not a decimal number in its one encoding", "bad_claims", pointer)


def _decode_boundary(value: Any) -> Boundary:
    if type(value) is not int or value not in BOUNDARY_BY_CODE:
        raise token_error(f"boundary code {value!r} is unknown", "bad_claims", "/-65537/6")
    return BOUNDARY_BY_CODE[value]


def _decode_status(value: Any) -> tuple[int, int]:
    ok = type(value) is list and len(value) == 2 and type(value[0]) is int and type(value[1]) is int
    if not ok or not (0 <= value[0] < 2**32 and 0 <= value[1] < 2**32):
        raise token_error("status must be [list number, index] of two unsigned integers", "bad_claims", "/-65537/12")
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
    return n + (1 if n < 24 else head_size(n))


def _number_size(value: int | str) -> int:
    if isinstance(value, int):
        return head_size(value if value >= 0 else -1 - value)
    return _text_size(value)


def _shortest_size(claims: dict[Any, Any], label: dict[int, Any]) -> int:
    """Bytes of the deterministic encoding of a claims set whose keys and values are already checked.

    A payload that decodes to these claims but is longer holds a non-shortest head or trailing bytes.
    Fixed: map heads 2, keys 1/4/6/7 4, cti 11, key -65537 5, label keys, digests 2 x 9, boundary 1.
    """
    unit, status = label[UNIT], label[STATUS]
    size = 41 + len(label) + head_size(claims[CLAIM_EXP]) + head_size(claims[CLAIM_IAT]) + head_size(label[GTIN])
    size += 1 + head_size(status[0]) + head_size(status[1])
    texts = [claims[CLAIM_ISS], label[PACK], label[SCHEME], label.get(GRADE), label.get(CATALOGUE)]
    for text in texts:
        if text is None:
            continue
        n = len(text)  # ASCII: their patterns allow nothing else
        size += n + (1 if n < 24 else head_size(n))
    size += _number_size(label[VALUE])
    if type(unit) is int:
        size += 1
    else:
        size += _text_size(unit) if type(unit) is str else 2 + _number_size(unit[0])
    if BATCH in label:
        size += _text_size(label[BATCH])
    return size + (9 if AUDIT in label else 0)


def _known_key_set(label: dict[Any, Any]) -> bool:
    """The label keys make one of the allowed sets (a catalogue only with a grade), in whatever order."""
    if not REQUIRED_LABEL_KEYS <= label.keys() <= LABEL_KEYS:
        return False
    return tuple(sorted(label)) in LABEL_KEY_ORDERS


class DecodedLabel(NamedTuple):
    """A label token taken apart without checking its signature."""

    sign1: Sign1
    kid: str
    claims: LabelClaims
    list_number: int


def _label_claims(claims: dict[Any, Any], kid: str, status_base: str | None) -> tuple[LabelClaims, int]:
    keys = list(claims)
    if keys != TOP_ORDER:
        if set(keys) != TOP_KEYS:
            raise token_error(f"the claims set must have exactly the keys {sorted(TOP_KEYS)}", "bad_claims", "")
        raise token_error("claim keys are not in deterministic order (RFC 8949 section 4.2.1)", "not_deterministic", "")
    label, cti = claims[CLAIM_LABEL], claims[CLAIM_CTI]
    if type(label) is not dict or tuple(label) not in LABEL_KEY_ORDERS:
        if type(label) is not dict or not _known_key_set(label):
            raise token_error("the label claim is not a map with the label keys", "bad_claims", "/-65537")
        raise token_error("label keys are not in deterministic order (RFC 8949 section 4.2.1)", "not_deterministic", "")
    if type(cti) is not bytes or len(cti) != LABEL_ID_BYTES:
        raise token_error(f"cti must be {LABEL_ID_BYTES} bytes", "bad_claims", "/7")
    texts = issuer, pack, scheme = claims[CLAIM_ISS], label[PACK], label[SCHEME]
    all_text = type(issuer) is str and type(pack) is str and type(scheme) is str
    if not (all_text and TEXTS.fullmatch("\n".join(texts))):
        for text, (pattern, pointer) in zip(texts, TEXT_CHECKS, strict=True):  # find the culprit
            _text(text, pattern, pointer)
    grade, catalogue = label.get(GRADE), label.get(CATALOGUE)  # LABEL_KEY_ORDERS: a catalogue only with a grade
    if grade is not None:
        _text(grade, GRADE_RE, "/-65537/3")
    if catalogue is not None:
        _text(catalogue, PACK_REF, "/-65537/13")
    issued_at, expires_at = _times(claims[CLAIM_IAT], claims[CLAIM_EXP])
    list_number, idx = _decode_status(label[STATUS])
    base = status_base.rstrip("/") if status_base is not None else ""
    batch, audit = label.get(BATCH), label.get(AUDIT)
    fields: dict[str, Any] = {
        "label_id": label_id_text(cti),
        "issuer": issuer,
        "kid": kid,
        "issued_at": issued_at,
        "expires_at": expires_at,
        "gtin": _decode_gtin(label[GTIN]),
        "batch": None if batch is None else _text(batch, BATCH_TEXT, "/-65537/2"),
        "grade": grade,
        "value": _decode_number(label[VALUE], "/-65537/4"),
        "declared_unit": _decode_unit(label[UNIT]),
        "boundary": _decode_boundary(label[BOUNDARY]),
        "pack": pack,
        "pack_digest": _digest(label[PACK_DIGEST], "/-65537/8"),
        "scheme": scheme,
        "declaration_digest": _digest(label[DECLARATION], "/-65537/10"),
        "audit": None if audit is None else _digest(audit, "/-65537/11"),
        "status_uri": f"{base}/{issuer}/{list_number}" if base else f"{issuer}/{list_number}",
        "status_idx": idx,
        "catalogue": catalogue,
    }
    return trusted_model(LabelClaims, fields), list_number


def decode_label(token: object, *, status_base: str | None = None) -> DecodedLabel:
    """Take a label token apart, strictly, without verifying it. Without ``status_base`` the claims'
    ``status_uri`` is the relative reference ``<issuer>/<list number>``."""
    parts = parse_sign1(token, typ=TYP_LABEL)
    claims = loads(parts.payload, "the claims set")
    if type(claims) is not dict:
        raise token_error("the claims set is not a map", "bad_claims", "")
    kid = parts.kid
    label, list_number = _label_claims(claims, kid, status_base)  # exact keys, their order and every type
    if _shortest_size(claims, claims[CLAIM_LABEL]) != len(parts.payload):  # then only shortest heads remain
        raise token_error("the claims set is not deterministically encoded CBOR", "not_deterministic", "")
    return DecodedLabel(parts, kid, label, list_number)


def peek(token: object, *, status_base: str | None = None) -> tuple[str, LabelClaims]:
    """``(kid, claims)`` of a label token, NOT verified: for lookups only."""
    decoded = decode_label(token, status_base=status_base)
    return decoded.kid, decoded.claims
