"""Deterministic CBOR (RFC 8949 section 4.2.1): writing it, and decoding only what is written that way."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import cbor2

from issuance.errors import token_error


def _key_order(key: Any) -> tuple[int, int, bytes]:
    """Sorts map keys as the bytewise order of their shortest encodings: major type, argument, content."""
    if type(key) is int:
        return (0, key, b"") if key >= 0 else (1, -1 - key, b"")
    if type(key) is bytes:
        return (2, len(key), key)
    if type(key) is str:
        raw = key.encode("utf-8")
        return (3, len(raw), raw)
    raise token_error(f"map key {key!r} is not an integer, byte string or text string", "malformed")


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        if all(type(k) is int and k >= 0 for k in keys):
            keys.sort()  # unsigned integers (the label maps' keys): numeric order is their encodings' order
        else:
            keys.sort(key=_key_order)
        out = {}
        for k in keys:  # scalars (most members) are taken as they are, without a call each
            v = value[k]
            out[k] = _ordered(v) if isinstance(v, _NESTED) else v
        return out
    if isinstance(value, list | tuple):
        return [_ordered(v) if isinstance(v, _NESTED) else v for v in value]
    return value


_NESTED = (dict, list, tuple)


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
            raise token_error("map keys are not in deterministic order (RFC 8949 section 4.2.1)", "not_deterministic")
        for item in value.values():
            _check_order(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_order(item)
    elif type(value) not in (int, str, bytes, bool) and value is not None:
        raise token_error(f"CBOR item of type {type(value).__name__} is not used in labels", "malformed")


def loads(data: bytes, what: str) -> Any:
    try:
        return cbor2.loads(data, allow_duplicate_keys=False, allow_indefinite=False, max_depth=8)
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError, MemoryError) as e:
        raise token_error(f"{what} is not well-formed CBOR: {e}", "malformed") from e


def loads_deterministic(data: bytes, what: str) -> Any:
    """Decode ``data`` and insist it is exactly the deterministic encoding of what it holds."""
    value = loads(data, what)
    _check_order(value)  # also refuses floats, tags and other items a label never holds
    if cbor2.dumps(value) != data:  # cbor2 keeps map order and writes shortest forms
        raise token_error(f"{what} is not deterministically encoded CBOR (RFC 8949 section 4.2.1)", "not_deterministic")
    return value


def head_size(n: int) -> int:
    """Bytes of the shortest CBOR head carrying the unsigned argument ``n``."""
    return 1 if n < 24 else 2 if n < 0x100 else 3 if n < 0x10000 else 5 if n < 0x100000000 else 9


def bstr_head(length: int) -> bytes:
    """The shortest CBOR head of a byte string of ``length`` bytes (major type 2)."""
    if length < 24:
        return bytes([0x40 | length])
    if length < 0x100:
        return bytes([0x58, length])
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    return b"\x5a" + length.to_bytes(4, "big")
