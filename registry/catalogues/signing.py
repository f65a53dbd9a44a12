"""Signed grading catalogues: the rule packs' Ed25519 envelope (:mod:`registry.signed`) around a catalogue.

``{"format": "pcf-registry/signed-gradingcatalogue/1.0", "catalogue": {...}, "digest": "sha256:...",
"signatures": [...]}`` (``schemas/signed-gradingcatalogue-1.0.json``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry import signed as _env
from registry.catalogues.errors import CatalogueError
from registry.catalogues.load import catalogue_from_data, load_catalogue_file
from registry.catalogues.model import Catalogue
from registry.errors import Location
from registry.signed import EnvelopeKind, TrustedInput, Verified, WrongSigner

FORMAT = "pcf-registry/signed-gradingcatalogue/1.0"
KIND = EnvelopeKind(
    format=FORMAT,
    schema="signed-gradingcatalogue-1.0.json",
    member="catalogue",
    noun="grading catalogue",
    short="catalogue",
)


@dataclass(frozen=True)
class VerifiedCatalogue:
    catalogue: Catalogue
    verified: Verified

    @property
    def digest(self) -> str:
        return self.verified.digest


def sign_catalogue(catalogue: Catalogue, key: Any, signer: str) -> dict[str, Any]:
    """A signed envelope around the catalogue, by one Ed25519 key for namespace ``signer``."""
    if signer != catalogue.namespace:
        message = f"signer {signer!r} may not sign for namespace {catalogue.namespace!r}"
        raise WrongSigner(message, Location(pointer="/id"))
    return _env.sign_data(KIND, catalogue.to_json(), key, signer)


def _read_inside(verified: Verified, file: str | None) -> Catalogue:
    try:
        return catalogue_from_data(verified.data, file=file)
    except CatalogueError as e:
        for error in (e, *e.problems):
            pointer = error.location.pointer
            error.location = Location(error.location.file, pointer=None if pointer is None else KIND.pointer + pointer)
        raise


def verify_signed_catalogue(envelope: Any, trusted: TrustedInput, *, threshold: int = 1) -> VerifiedCatalogue:
    """Check the envelope (format, schema, digest, signatures, threshold), then read the catalogue inside."""
    verified = _env.verify(KIND, envelope, trusted, threshold)
    return VerifiedCatalogue(_read_inside(verified, None), verified)


def sign_file(
    path: str | os.PathLike[str], key_path: str | os.PathLike[str], signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """``pcfreg catalogues sign``: read a catalogue file (schema-checked), sign it with a PEM key file."""
    catalogue = load_catalogue_file(Path(path))
    return sign_catalogue(catalogue, _env.load_key_file(key_path, passphrase), signer)


def verify_file(
    envelope_path: str | os.PathLike[str], keys_path: str | os.PathLike[str], *, threshold: int = 1
) -> VerifiedCatalogue:
    verified = _env.verify_path(KIND, envelope_path, keys_path, threshold=threshold)
    return VerifiedCatalogue(_read_inside(verified, str(envelope_path)), verified)
