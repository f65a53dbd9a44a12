"""GTINs: GTIN-8/12/13/14 normalised to 14 digits, with the GS1 check digit verified.

The check digit is the GS1 standard modulo-10 digit (GS1 General Specifications section 7.9.1, as
implemented by GS1 Germany's check digit calculator [S2]): weights 3, 1, 3, ... from the rightmost
data digit; the check digit brings the weighted sum up to a multiple of ten. A GTIN shorter than
14 digits is the same number with leading zeros, which leaves the check digit unchanged.
"""

from __future__ import annotations

from issuance.errors import GtinError
from registry.errors import Location

GTIN_LENGTHS = (8, 12, 13, 14)


def check_digit(body: str) -> int:
    """The GS1 check digit for ``body`` (the digits before the check digit)."""
    digits = body.encode("ascii")
    threes, ones = digits[-1::-2], digits[-2::-2]  # weight 3 on the rightmost data digit
    total = 3 * (sum(threes) - 48 * len(threes)) + sum(ones) - 48 * len(ones)
    return (10 - total % 10) % 10


def normalize_gtin(value: object, *, field: str = "gtin") -> str:
    """``value`` as 14 digits; :class:`GtinError` naming ``field`` if it is not a valid GTIN."""
    where = Location(pointer=f"/{field}")
    if not isinstance(value, str):
        raise GtinError(f"{field} must be a string of digits, not {type(value).__name__}", where)
    if value and not (value.isascii() and value.isdigit()):
        raise GtinError(f"{field} {value!r} must contain only the digits 0-9", where, reason="not_digits")
    if len(value) not in GTIN_LENGTHS:
        raise GtinError(
            f"{field} {value!r} has {len(value)} digits; a GTIN has 8, 12, 13 or 14", where, reason="bad_length"
        )
    expected = check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise GtinError(
            f"{field} {value!r} has check digit {value[-1]}, but the GS1 check digit is {expected}",
            where,
            reason="bad_check_digit",
        )
    return value.rjust(14, "0")


def is_gtin(value: object) -> bool:
    try:
        normalize_gtin(value)
    except GtinError:
        return False
    return True
