"""Signed factor sets: the rule packs' Ed25519 envelope (:mod:`registry.signed`) around a set.

``{"format": "pcf-registry/signed-factorset/1.0", "factorSet": {...}, "digest": "sha256:...",
"signatures": [...]}`` (``schemas/signed-factorset-1.0.json``). The digest is the set's content
digest (:meth:`FactorSet.digest`, the ``.digest`` file beside a bundled set), so a signature
covers every figure exactly as written. :func:`verify_signed_set` checks the envelope, then
reads the set inside it (schema errors with their pointers under ``/factorSet``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry import signed as _env
from registry.errors import Location
from registry.factors.errors import FactorSetError
from registry.factors.load import factor_set_from_data, load_factor_set_file
from registry.factors.model import FactorSet
from registry.signed import EnvelopeKind, TrustedInput, Verified, WrongSigner

FORMAT = "pcf-registry/signed-factorset/1.0"
KIND = EnvelopeKind(
    format=FORMAT, schema="signed-factorset-1.0.json", member="factorSet", noun="factor set", short="factor set"
)


@dataclass(frozen=True)
class VerifiedSet:
    """A factor set whose envelope verified: the set, and who signed it with which keys."""

    factor_set: FactorSet
    verified: Verified

    @property
    def ref(self) -> str:
        return self.factor_set.ref

    @property
    def digest(self) -> str:
        return self.verified.digest


def sign_factor_set(
    factor_set: FactorSet, private_key_pem: bytes, signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """A signed envelope around the set's document, by one key for namespace ``signer``."""
    key = _env.load_private_key(private_key_pem, passphrase)
    return _env.sign_data(KIND, factor_set.to_json(), key, signer)


def verify_signed_set(envelope: Any, trusted: TrustedInput, *, threshold: int = 1) -> VerifiedSet:
    """Check the envelope (format, schema, digest, signatures, threshold), then read the set inside."""
    verified = _env.verify(KIND, envelope, trusted, threshold)
    return VerifiedSet(_read_inside(verified, None), verified)


def _inside(location: Location) -> Location:
    pointer = None if location.pointer is None else KIND.pointer + location.pointer
    return Location(location.file, pointer=pointer)


def _read_inside(verified: Verified, file: str | None) -> FactorSet:
    """The set in a verified envelope; its schema errors point into the envelope (``/factorSet/...``)."""
    try:
        return factor_set_from_data(verified.data, file=file)
    except FactorSetError as e:
        for error in (e, *e.problems):
            error.location = _inside(error.location)
        raise


def sign_file(
    set_path: str | os.PathLike[str], key_path: str | os.PathLike[str], signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """``pcfreg factors sign``: read a set file (schema-checked), sign it with a PEM key file."""
    factor_set = load_factor_set_file(Path(set_path))
    namespace = factor_set.id.split("/", 1)[0]
    if signer != namespace:
        message = f"signer {signer!r} may not sign for namespace {namespace!r}"
        raise WrongSigner(message, Location(str(set_path), pointer="/id"))
    return _env.sign_data(KIND, factor_set.to_json(), _env.load_key_file(key_path, passphrase), signer)


def verify_file(
    envelope_path: str | os.PathLike[str], keys_path: str | os.PathLike[str], *, threshold: int = 1
) -> VerifiedSet:
    """``pcfreg factors verify``: a signed set (JSON) against a keys file, offline."""
    verified = _env.verify_path(KIND, envelope_path, keys_path, threshold=threshold)
    return VerifiedSet(_read_inside(verified, str(envelope_path)), verified)
