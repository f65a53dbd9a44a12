"""Signed accreditations: the rule packs' Ed25519 envelope (:mod:`registry.signed`) around one version.

``{"format": "pcf-registry/signed-accreditation/1.0", "accreditation": {...}, "digest": "sha256:...",
"signatures": [...]}`` (``schemas/signed-accreditation-1.0.json``). The namespace of the document's
id is the accreditation body: only keys registered for it may sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry import signed as _env
from registry.accreditation.model import Accreditation, AccreditationError, parse_accreditation, to_document
from registry.errors import Location
from registry.signed import EnvelopeKind, TrustedInput, Verified

FORMAT = "pcf-registry/signed-accreditation/1.0"
KIND = EnvelopeKind(
    format=FORMAT,
    schema="signed-accreditation-1.0.json",
    member="accreditation",
    noun="accreditation",
    short="accreditation",
)


def sign_accreditation(doc: Accreditation | Mapping[str, Any], private_key_pem: bytes, signer: str) -> dict[str, Any]:
    """A signed envelope around one version (checked first), by one key of the body ``signer``."""
    data = to_document(doc) if isinstance(doc, Accreditation) else dict(doc)
    parse_accreditation(data)
    return _env.sign_data(KIND, data, _env.load_private_key(private_key_pem), signer)


def verify_signed(envelope: Any, trusted: TrustedInput) -> tuple[Accreditation, Verified]:
    """Check the envelope (format, schema, digest, signatures), then read the version inside it."""
    verified = _env.verify(KIND, envelope, trusted)
    return parse_accreditation(verified.data, base=KIND.pointer), verified


def sign_file(doc_path: str, key_path: str, signer: str, *, passphrase: bytes | None = None) -> dict[str, Any]:
    """``pcfreg accreditations sign``: read a version's JSON file (checked in full), sign it with a PEM key file."""
    from pathlib import Path

    data, _ = _env.read_json(Path(doc_path), "accreditation")
    try:
        parse_accreditation(data)
    except AccreditationError as e:
        for problem in (e, *e.problems):
            problem.location = Location(doc_path, pointer=problem.location.pointer)
        raise
    return _env.sign_data(KIND, data, _env.load_key_file(key_path, passphrase), signer)


def body_of(envelope: Any) -> str:
    """The accreditation body an envelope speaks for (the namespace of its id), before any check of it."""
    _env.check_shape(KIND, envelope)
    return _env.namespace_of(KIND, envelope[KIND.member])


def digest_of(doc: Accreditation) -> str:
    """The digest a next version names as ``previous``: SHA-256 over the canonical JSON of the document."""
    from registry.canonical import sha256_digest

    return sha256_digest(to_document(doc))
