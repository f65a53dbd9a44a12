"""Builders shared by the label token, trust, status list and verify tests (no tests here).

Keys come from a seeded random source, so every run signs with the same keys.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from issuance.keys import KeyScope, SigningKey, generate_signing_key
from issuance.model import Boundary, LabelClaims
from issuance.token import new_label_id, status_list_uri
from issuance.trust import TrustList, sign_trust_list
from registry.packs.signing import TrustedKey as RegistryKey
from registry.packs.signing import TrustedKeys, key_id

NOW = datetime(2026, 6, 30, tzinfo=UTC)
BASE = "https://reg.example.org/status"
CERTIFIER = "demo-certifier"
SCOPE = KeyScope(schemes=("gb-t-24067",), categories=("example-standards-body/",))
PACK = "example-standards-body/aluminium-ingot@1.0.0"


def seeded(seed: int) -> Any:
    return random.Random(seed).randbytes


def make_key(
    seed: int = 1, *, certifier: str = CERTIFIER, scope: KeyScope = SCOPE, now: datetime = NOW, usage_days: int = 365
) -> tuple[SigningKey, ec.EllipticCurvePrivateKey]:
    return generate_signing_key(certifier, scope, now=now, rng=seeded(seed), usage_days=usage_days)


def make_claims(kid: str, **overrides: Any) -> LabelClaims:
    """The typical label of the brief: 14-digit GTIN, the aluminium pack, GB/T 24067, a 47-character status URI."""
    issuer = overrides.get("issuer", CERTIFIER)
    fields: dict[str, Any] = {
        "label_id": new_label_id(seeded(len(kid) + sum(map(ord, kid)))),
        "issuer": issuer,
        "kid": kid,
        "issued_at": NOW,
        "expires_at": NOW + timedelta(days=365),
        "gtin": "09506000134352",
        "grade": "B",
        "value": "2.35",
        "declared_unit": "1 kilogram",
        "boundary": Boundary.CRADLE_TO_GATE,
        "pack": PACK,
        "pack_digest": "5f1c0a3e9b7d2c44",
        "scheme": "gb-t-24067",
        "declaration_digest": "a0b1c2d3e4f50617",
        "status_uri": status_list_uri(BASE, issuer, 1),
        "status_idx": 100_000,
    }
    return LabelClaims(**(fields | overrides))


REGISTRY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
REGISTRY_RAW = REGISTRY.public_key().public_bytes_raw()
REGISTRY_KEYS = TrustedKeys([RegistryKey(key_id(REGISTRY_RAW), REGISTRY_RAW)])


def signed_trust(doc: dict[str, Any], **kwargs: Any) -> TrustList:
    """A trust list document signed by the test registry key, then parsed against it (the pinned root)."""
    return TrustList.from_json(sign_trust_list(doc, REGISTRY), registry_keys=REGISTRY_KEYS, **kwargs)
