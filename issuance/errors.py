"""Errors of the label signing core, each a :class:`registry.errors.InputError` (the caller's input).

Every class carries ``reason``, a stable machine key (``malformed``, ``bad_alg``, ``wrong_master_key``...),
next to the human ``message``; the HTTP API and the CLI map the classes once, by ``code``.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import InputError, Location


@dataclass
class IssuanceError(InputError):
    """Root of the issuance errors; ``reason`` is a stable key naming what went wrong."""

    code: str = "issuance-error"
    reason: str = "invalid"

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["reason"] = self.reason
        return out


@dataclass
class TokenError(IssuanceError):
    """A label token that cannot be decoded, or claims that cannot be encoded into one."""

    code: str = "token-error"
    reason: str = "malformed"


def token_error(message: str, reason: str, pointer: str | None = None) -> TokenError:
    """A :class:`TokenError` with its stable ``reason`` and, when known, the JSON pointer of the culprit."""
    return TokenError(message, Location(pointer=pointer), reason=reason)


@dataclass
class GtinError(IssuanceError):
    """Not a GTIN-8/12/13/14: wrong characters, wrong length or a wrong GS1 check digit."""

    code: str = "gtin-error"
    reason: str = "invalid_gtin"


@dataclass
class SigningKeyError(IssuanceError):
    """A signing key or its sealed form is unusable: wrong curve, wrong master key, kid mismatch."""

    code: str = "signing-key-error"
    reason: str = "invalid_key"


@dataclass
class TrustListError(IssuanceError):
    """A trust list that must not be used: schema violation, bad key material, expired, bad signature."""

    code: str = "trust-list-error"
    reason: str = "malformed"


@dataclass
class StatusListError(IssuanceError):
    """A status list or status list token that must not be used."""

    code: str = "status-list-error"
    reason: str = "malformed"


@dataclass
class LogError(IssuanceError):
    """A transparency log proof, checkpoint, tile or entry that does not check: ``reason`` says which
    (``inclusion_failed``, ``inconsistent``, ``bad_signature``, ``unknown_key``, ``malformed`` ...)."""

    code: str = "log-error"
    reason: str = "malformed"
