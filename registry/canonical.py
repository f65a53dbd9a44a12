"""Canonical bytes and digests: RFC 8785 (JCS) for JSON.

We use the ``rfc8785`` package (Trail of Bits) rather than our own serializer:
JCS number formatting (ECMAScript shortest round-trip) is easy to get subtly wrong.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from .errors import InputError


def canonical_json(value: Any) -> bytes:
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as e:
        raise InputError(f"value cannot be canonicalised as JSON (RFC 8785): {e}") from e


def sha256_digest(value: Any) -> str:
    """``sha256:<hex>`` over the JCS canonical form."""
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()
