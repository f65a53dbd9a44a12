"""A label token as text: uppercase base32 for QR codes (alphanumeric mode), base64url for URLs."""

from __future__ import annotations

import base64
import binascii
import re

from issuance.cose import MAX_TOKEN_BYTES
from issuance.errors import token_error

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# RFC 4648 base32 -> the digits int(..., 32) reads (base32hex): decoding by one int() call is 20 times faster
# than base64.b32decode, which works in Python (bench/labels_offline.py, bulk verification). Every other ASCII
# character becomes "!", which int() refuses and a C search finds: the check a pattern over 300 characters did
# in 3 us costs a fraction of that, inside the translation decoding needs anyway.
_NOT_BASE32 = "!"
_TO_BASE32HEX = {c: _NOT_BASE32 for c in range(128)} | str.maketrans(_ALPHABET, "0123456789ABCDEFGHIJKLMNOPQRSTUV")


def token_to_text(token: bytes) -> str:
    """Uppercase RFC 4648 base32 without padding: only A-Z and 2-7, so a QR code can use alphanumeric mode."""
    return base64.b32encode(token).decode("ascii").rstrip("=")


def token_from_text(text: object, *, max_chars: int = 2 * MAX_TOKEN_BYTES) -> bytes:
    """The bytes of :func:`token_to_text` output; strict (uppercase, no padding, no stray bits)."""
    if not isinstance(text, str) or not 0 < len(text) <= max_chars:
        raise token_error(f"token text must be a string of 1 to {max_chars} characters", "bad_text")
    return token_from_digits(text, base32_digits(text), max_chars=max_chars)


def base32_digits(text: str) -> str | None:
    """``text`` as the base32hex digits ``int(..., 32)`` reads when it is ``[A-Z2-7]*``, else None."""
    if not text.isascii():  # a non-ASCII digit would pass the translation unchanged, and int() reads it
        return None
    digits = text.translate(_TO_BASE32HEX)
    return None if _NOT_BASE32 in digits else digits


def token_from_digits(text: str, digits: str | None, *, max_chars: int = 2 * MAX_TOKEN_BYTES) -> bytes:
    """:func:`token_from_text` of ``text`` given its :func:`base32_digits` (when a caller has them already)."""
    if not 0 < len(text) <= max_chars:
        raise token_error(f"token text must be a string of 1 to {max_chars} characters", "bad_text")
    if digits is None or len(text) % 8 in (1, 3, 6):
        raise token_error("token text is not uppercase base32 (A-Z, 2-7) without padding", "bad_text")
    size, stray = divmod(len(text) * 5, 8)
    number = int(digits, 32)
    if number & ((1 << stray) - 1):
        raise token_error("token text has stray bits in its last character", "bad_text")
    return (number >> stray).to_bytes(size, "big")


def token_to_b64url(token: bytes) -> str:
    return base64.urlsafe_b64encode(token).decode("ascii").rstrip("=")


def token_from_b64url(text: object, *, max_chars: int = 2 * MAX_TOKEN_BYTES) -> bytes:
    """The bytes of :func:`token_to_b64url` output; strict (no padding, no stray bits)."""
    if not isinstance(text, str) or not 0 < len(text) <= max_chars:
        raise token_error(f"token text must be a string of 1 to {max_chars} characters", "bad_text")
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise token_error("token text is not base64url without padding", "bad_text")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as e:
        raise token_error("token text is not base64url without padding", "bad_text") from e
    if token_to_b64url(raw) != text:
        raise token_error("token text has stray bits in its last character", "bad_text")
    return raw
