"""Credential secrets: random tokens, stored only as salted scrypt hashes, checked in constant time.

The stored form is ``scrypt$N$r$p$<salt>$<hash>`` (unpadded URL-safe base64), so the cost
parameters can be raised later without invalidating existing credentials. The secrets are
256-bit random tokens, so brute force is hopeless whatever the KDF; scrypt is defence in
depth should the table leak, and costs about 16 MiB and some tens of milliseconds per check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**14, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024  # refuses absurd parameters read back from the database
# Checked when the client id is unknown, so that answer costs the same time as a wrong secret.
DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def new_secret() -> str:
    """256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = _scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches ``stored`` (a :func:`hash_secret` value); constant-time compare."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(secret, _unb64(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual, _unb64(expected))
    except (ValueError, binascii.Error):
        return False


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=SCRYPT_LEN)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
