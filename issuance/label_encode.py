"""Label claims as the claims set a token carries: checked, and written as deterministic CBOR."""

from __future__ import annotations

import base64
import os
import re
from datetime import datetime
from typing import Any

from issuance.cbor import det_cbor
from issuance.cose import CLAIM_CTI, CLAIM_EXP, CLAIM_IAT, CLAIM_ISS
from issuance.errors import GtinError, token_error
from issuance.gtin import normalize_gtin
from issuance.keys import Rng
from issuance.label_layout import (
    AMOUNT,
    AUDIT,
    BASE32,
    BATCH,
    BATCH_TEXT,
    BOUNDARY,
    BOUNDARY_CODES,
    CATALOGUE,
    CLAIM_LABEL,
    DECIMAL,
    DECLARATION,
    DIGEST_BYTES,
    GRADE,
    GRADE_RE,
    GTIN,
    HEX16,
    INTEGER,
    ISSUER,
    LABEL_ID_BYTES,
    LIST_NUMBER,
    MAX_TIME,
    PACK,
    PACK_DIGEST,
    PACK_REF,
    SCHEME,
    SCHEME_RE,
    STATUS,
    STATUS_BASE,
    UNIT,
    UNIT_CODES,
    VALUE,
)
from issuance.model import LabelClaims


def status_list_uri(status_base: str, certifier: str, list_number: int) -> str:
    """The URI of a certifier's status list: ``<status base>/<certifier>/<list number>``."""
    return f"{status_base.rstrip('/')}/{certifier}/{list_number}"


def split_status_uri(uri: str, certifier: str) -> tuple[str, int]:
    """``(status base, list number)`` of a status list URI of ``certifier``; :class:`TokenError` otherwise."""
    base, owner, number = ["", "", "", *uri.rsplit("/", 2)][-3:]
    if owner != certifier or not LIST_NUMBER.fullmatch(number) or not STATUS_BASE.fullmatch(base):
        raise token_error(
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
        raise token_error(f"{digest!r} is not a lowercase hex SHA-256 digest", "bad_claims")
    return text[:16]


def _check_text(value: str, pattern: re.Pattern[str], field: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise token_error(f"{field} {value!r} is not {what}", "bad_claims", f"/{field}")
    return value


def _seconds(value: datetime, field: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise token_error(f"{field} must be timezone-aware", "bad_claims", f"/{field}")
    if value.microsecond:
        raise token_error(
            f"{field} must be whole seconds (a CWT NumericDate here is an integer)", "bad_claims", f"/{field}"
        )
    seconds = int(value.timestamp())
    if not 0 <= seconds <= MAX_TIME:
        raise token_error(f"{field} is outside 1970..9999", "bad_claims", f"/{field}")
    return seconds


def _digest_bytes(value: str, field: str) -> bytes:
    if not HEX16.fullmatch(value):
        raise token_error(
            f"{field} must be 16 lowercase hex characters (8 bytes of SHA-256)", "bad_claims", f"/{field}"
        )
    return bytes.fromhex(value)


def unit_item(declared_unit: str) -> int | list[Any] | str:
    amount, _, unit = declared_unit.partition(" ")
    code = UNIT_CODES.get(unit)
    if code is None or not AMOUNT.fullmatch(amount):
        if not 0 < len(declared_unit) <= 64:
            raise token_error("declared_unit must have 1 to 64 characters", "bad_claims", "/declared_unit")
        return declared_unit
    return code if amount == "1" else [number_item(amount), code]


def number_item(text: str) -> int | str:
    """A decimal as the token carries it: an integer when it is one ("14600"), else its text ("2.35")."""
    return int(text) if INTEGER.fullmatch(text) else text


def label_id_bytes(label_id: str) -> bytes:
    """The 10 bytes of a label id (16 base32 characters); :class:`TokenError` otherwise."""
    if len(label_id) != 16 or not BASE32.fullmatch(label_id):
        raise token_error(f"label_id {label_id!r} must be 16 base32 characters (A-Z, 2-7)", "bad_claims", "/label_id")
    return base64.b32decode(label_id)


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # 10 bits -> 2 characters


def label_id_text(raw: bytes) -> str:
    """16 base32 characters of a 10-byte label id (as base64.b32encode, without its slowness)."""
    n = int.from_bytes(raw, "big")
    return "".join([_B32_PAIRS[(n >> shift) & 1023] for shift in (70, 60, 50, 40, 30, 20, 10, 0)])


def new_label_id(rng: Rng = os.urandom, *, at: datetime | None = None) -> str:
    """A fresh label id: 10 bytes as 16 base32 characters (RFC 4648, no padding needed). Issued ``at`` a time:
    its Unix time in seconds (4 bytes, big-endian) then 6 random bytes, so that labels issued together are
    stored together, in the database's indexes of label ids as in the log's (ADR 0038: ids drawn wholly at
    random put every label on another page of each index, and issuing slowed as they grew). Without
    ``at``: 10 random bytes."""
    if at is None:
        return label_id_text(rng(LABEL_ID_BYTES))
    seconds = int(at.timestamp())
    if not 0 <= seconds < 2**32:
        raise ValueError(f"a label id's time must be from 1970 to 2106, not {at.isoformat()}")
    return label_id_text(seconds.to_bytes(4, "big") + rng(LABEL_ID_BYTES - 4))


def _label_map(c: LabelClaims) -> dict[int, Any]:
    try:
        gtin = int(normalize_gtin(c.gtin))
    except GtinError as e:
        raise token_error(e.message, "bad_claims", "/gtin") from e
    _, list_number = split_status_uri(c.status_uri, c.issuer)
    if not 0 <= c.status_idx < 2**32:
        raise token_error("status_idx must be in 0..2^32-1", "bad_claims", "/status_idx")
    label: dict[int, Any] = {
        GTIN: gtin,
        VALUE: number_item(_check_text(c.value, DECIMAL, "value", "a decimal number such as 2.35")),
        UNIT: unit_item(c.declared_unit),
        BOUNDARY: BOUNDARY_CODES[c.boundary],
        PACK: _check_text(c.pack, PACK_REF, "pack", "a rule pack reference <namespace>/<name>@<version>"),
        PACK_DIGEST: _digest_bytes(c.pack_digest, "pack_digest"),
        SCHEME: _check_text(c.scheme, SCHEME_RE, "scheme", "a scheme id"),
        DECLARATION: _digest_bytes(c.declaration_digest, "declaration_digest"),
        STATUS: [list_number, c.status_idx],
    }
    if c.batch is not None:
        label[BATCH] = _check_text(c.batch, BATCH_TEXT, "batch", "a batch number (1-20 printable ASCII characters)")
    if c.audit is not None:
        label[AUDIT] = _digest_bytes(c.audit, "audit")
    return label | _grading_items(c)


def _grading_items(c: LabelClaims) -> dict[int, Any]:
    """The grade (absent on an ungraded label) and the catalogue that set it (absent: the pack's own bands)."""
    if c.grade is None:
        if c.catalogue is not None:
            raise token_error("a label without a grade names no grading catalogue", "bad_claims", "/catalogue")
        return {}
    items: dict[int, Any] = {GRADE: _check_text(c.grade, GRADE_RE, "grade", "a grade (1-8 letters, digits, '+', '-')")}
    if c.catalogue is not None:
        items[CATALOGUE] = _check_text(
            c.catalogue, PACK_REF, "catalogue", "a catalogue reference <namespace>/<name>@<version>"
        )
    return items


def encode_claims(claims: LabelClaims) -> bytes:
    """The CWT claims set of a label as deterministic CBOR (the COSE payload)."""
    issued, expires = _seconds(claims.issued_at, "issued_at"), _seconds(claims.expires_at, "expires_at")
    if expires <= issued:
        raise token_error("expires_at must be after issued_at", "bad_claims", "/expires_at")
    return det_cbor(
        {
            CLAIM_ISS: _check_text(claims.issuer, ISSUER, "issuer", "a certifier id"),
            CLAIM_IAT: issued,
            CLAIM_EXP: expires,
            CLAIM_CTI: label_id_bytes(claims.label_id),
            CLAIM_LABEL: _label_map(claims),
        }
    )
