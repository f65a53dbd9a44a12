"""Signed rule packs: Ed25519 signatures over a pack's RFC 8785 canonical JSON.

A publisher signs the canonical bytes of ``pack.data`` (``registry.canonical``); the
signature travels in an envelope next to the readable pack (``schemas/signed-rulepack-1.0.json``)::

    {"format": "pcf-registry/signed-rulepack/1.0", "pack": {...}, "digest": "sha256:...",
     "signatures": [{"keyid": "<16 hex>", "alg": "Ed25519", "sig": "<base64url>", "signer": "<namespace>"}]}

The envelope, keys and the verification sequence are shared with factor sets
(:mod:`registry.signed`); this module names the rule-pack kind of envelope and keeps the
pack-facing functions. :func:`sign_file` and :func:`verify_file` are the CLI's logic.
See docs/adr/0005-signed-rule-packs.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry import signed as _env
from registry.packs.rulepack import load_pack_file
from registry.signed import (
    ALGORITHMS,
    BadSignature,
    DigestMismatch,
    DisallowedAlgorithm,
    EnvelopeKind,
    EnvelopeMalformed,
    InvalidKey,
    SignatureError,
    ThresholdNotMet,
    TrustedInput,
    TrustedKey,
    TrustedKeys,
    UnknownKey,
    Verified,
    Where,
    WrongSigner,
    b64url_decode,
    b64url_encode,
    envelope_bytes,
    generate_key_files,
    generate_keypair,
    key_id,
    load_private_key,
    public_jwk,
)

FORMAT = "pcf-registry/signed-rulepack/1.0"
SCHEMA_ID = "https://pcf-registry.org/schemas/signed-rulepack-1.0.json"
KIND = EnvelopeKind(format=FORMAT, schema="signed-rulepack-1.0.json", member="pack", noun="rule pack", short="pack")

__all__ = [
    "ALGORITHMS",
    "FORMAT",
    "KIND",
    "SCHEMA_ID",
    "BadSignature",
    "DigestMismatch",
    "DisallowedAlgorithm",
    "EnvelopeMalformed",
    "InvalidKey",
    "SignatureError",
    "ThresholdNotMet",
    "TrustedInput",
    "TrustedKey",
    "TrustedKeys",
    "UnknownKey",
    "VerifiedPack",
    "Where",
    "WrongSigner",
    "add_signature",
    "b64url_decode",
    "b64url_encode",
    "envelope_bytes",
    "generate_key_files",
    "generate_keypair",
    "key_id",
    "load_private_key",
    "public_jwk",
    "sign_file",
    "sign_pack",
    "verify_envelope",
    "verify_file",
]


@dataclass(frozen=True)
class VerifiedPack(Verified):
    """A pack whose signatures met the threshold: its data (``pack``), digest and the keys that signed."""

    @property
    def pack(self) -> dict[str, Any]:
        return self.data


def _as_pack(verified: Verified) -> VerifiedPack:
    return VerifiedPack(verified.data, verified.digest, verified.keyids, verified.signer, verified.ignored_keyids)


def sign_pack(
    pack_data: Mapping[str, Any], private_key_pem: bytes, signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """A new envelope around (a copy of) ``pack_data``, signed by one key for namespace ``signer``."""
    return _env.sign_data(KIND, pack_data, load_private_key(private_key_pem, passphrase), signer)


def add_signature(
    envelope: Any, private_key_pem: bytes, signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """A copy of ``envelope`` with one more signature (replacing an earlier one by the same key).

    The envelope's shape and digest are checked first: nobody co-signs a changed pack.
    """
    return _env.add_signature(KIND, envelope, private_key_pem, signer, passphrase=passphrase)


def verify_envelope(envelope: Any, trusted: TrustedInput, *, threshold: int = 1) -> VerifiedPack:
    """Check a signed rule pack against trusted keys; raise a :class:`SignatureError` subclass.

    The sequence is :func:`registry.signed.verify`'s: format, schema, digest, each signature,
    the threshold of distinct trusted keys.
    """
    return _as_pack(_env.verify(KIND, envelope, trusted, threshold))


def sign_file(
    pack_path: str | os.PathLike[str], key_path: str | os.PathLike[str], signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """``pcfreg packs sign``: load and check a pack (YAML or JSON), sign it with a PEM key file."""
    pack = load_pack_file(Path(pack_path))
    namespace = pack.id.split("/", 1)[0]
    if signer != namespace:
        raise WrongSigner(f"signer {signer!r} may not sign for namespace {namespace!r}", pack.location("/id"))
    return _env.sign_data(KIND, pack.data, _env.load_key_file(key_path, passphrase), signer)


def verify_file(
    envelope_path: str | os.PathLike[str], keys_path: str | os.PathLike[str], *, threshold: int = 1
) -> VerifiedPack:
    """``pcfreg packs verify``: a signed pack (JSON) against a keys file (JWKS, list of JWKs or one JWK)."""
    return _as_pack(_env.verify_path(KIND, envelope_path, keys_path, threshold=threshold))
