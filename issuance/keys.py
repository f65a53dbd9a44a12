"""Per-certifier P-256 label signing keys: records, scope, rotation, and private keys sealed at rest.

A :class:`SigningKey` is the public record (it goes into the trust list); the private key never
leaves :func:`generate_signing_key` except sealed with AES-256-GCM under the registry's master key
(:func:`seal_private_key`). Time and randomness are parameters. See docs/adr/0009-label-token.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography import exceptions as crypto_errors
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from issuance.errors import SigningKeyError
from registry.errors import Location

Rng = Callable[[int], bytes]
"""A source of random bytes with the signature of :func:`os.urandom`; tests pass a seeded one."""

ALG = "ES256"
MASTER_KEY_ENV = "PCFREG_MASTER_KEY"
MASTER_KEY_FILE = Path("secrets") / "master.key"
DEFAULT_USAGE_DAYS = 365
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_SEAL_VERSION = 1
_SEAL_AAD = b"pcf-registry/label-key/1\x00"
_NONCE_BYTES = 12
_CERTIFIER = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?")
_CATEGORY = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?/([a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?)?")
_SCHEME = re.compile(r"[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?")
_KID = re.compile(r"[0-9a-f]{16}")


class KeyState(StrEnum):
    ACTIVE = "active"  # may sign labels within its usage period
    VERIFY_ONLY = "verify-only"  # rotated out: its labels verify until verify_until, it signs nothing new
    WITHDRAWN = "withdrawn"  # compromised or revoked: nothing it signed verifies


def kid_of(public_key: ec.EllipticCurvePublicKey) -> str:
    """16 hex characters: the first 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo."""
    return hashlib.sha256(spki_der(public_key)).digest()[:8].hex()


def spki_der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@lru_cache(maxsize=1024)
def load_public_key(der: bytes) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from DER SubjectPublicKeyInfo; :class:`SigningKeyError` otherwise."""
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, crypto_errors.UnsupportedAlgorithm) as e:
        raise SigningKeyError("public_key is not a DER SubjectPublicKeyInfo", Location(pointer="/public_key")) from e
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SigningKeyError(
            "public_key must be an EC P-256 key", Location(pointer="/public_key"), reason="wrong_curve"
        )
    return key


class KeyScope(BaseModel):
    """What a key may grade under: crosswalk scheme ids, and rule pack ids or id prefixes ending in "/".

    An empty tuple allows nothing.
    """

    model_config = ConfigDict(frozen=True)

    schemes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @field_validator("schemes")
    @classmethod
    def _schemes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for scheme in value:
            if not _SCHEME.fullmatch(scheme):
                raise ValueError(f"scheme {scheme!r} is not a scheme id (lowercase letters, digits, '-', '.')")
        return value

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for category in value:
            if not _CATEGORY.fullmatch(category):
                raise ValueError(f"category {category!r} is neither a pack id nor a prefix '<namespace>/'")
        return value

    def refusal(self, *, scheme: str, pack: str) -> str | None:
        """None when the scope covers ``scheme`` and ``pack`` ("id" or "id@version"), else a reason key."""
        if scheme not in self.schemes:
            return "scheme_out_of_scope"
        pack_id = pack.split("@", 1)[0]
        for category in self.categories:
            if pack_id == category or (category.endswith("/") and pack_id.startswith(category)):
                return None
        return "pack_out_of_scope"


def usage_refusal(usage_from: datetime, usage_until: datetime, at: datetime) -> str | None:
    """None when ``at`` lies in the usage period [usage_from, usage_until), else a reason key."""
    if at < usage_from:
        return "key_not_yet_in_use"
    if at >= usage_until:
        return "key_usage_ended"
    return None


class SigningKey(BaseModel):
    """The public record of one label signing key (stored by the registry, published in the trust list).

    ``usage_until`` ends signing; ``verify_until`` is None while active and, from rotation on, the
    time after which no label signed by the key can still be unexpired.
    """

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    kid: str
    certifier: str
    alg: Literal["ES256"] = "ES256"
    public_key: bytes  # DER SubjectPublicKeyInfo
    scope: KeyScope
    created_at: AwareDatetime
    usage_from: AwareDatetime
    usage_until: AwareDatetime
    verify_until: AwareDatetime | None = None
    state: KeyState = KeyState.ACTIVE
    withdrawn_from: AwareDatetime | None = None  # withdrawn: labels issued from then on are refused

    def refuses(self, issued_at: datetime) -> bool:
        """Whether the key's withdrawal refuses a label issued at ``issued_at``."""
        return withdrawal_refuses(self.state, self.withdrawn_from, issued_at)

    @field_validator("certifier")
    @classmethod
    def _certifier(cls, value: str) -> str:
        if not _CERTIFIER.fullmatch(value):
            raise ValueError(f"certifier {value!r} is not an organisation id (lowercase letters, digits, '-')")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SigningKey:
        if not _KID.fullmatch(self.kid):
            raise ValueError(f"kid {self.kid!r} must be 16 lowercase hex characters")
        actual = kid_of(load_public_key(self.public_key))
        if actual != self.kid:
            raise ValueError(f"kid {self.kid} does not match the public key, whose kid is {actual}")
        if self.usage_until < self.usage_from:
            raise ValueError("usage_until is before usage_from")
        return self

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> SigningKey:
        """A record from storage or JSON; :class:`SigningKeyError` naming the first bad field."""
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            first = e.errors()[0]
            pointer = "/" + "/".join(str(p) for p in first["loc"])
            raise SigningKeyError(f"invalid signing key record: {first['msg']}", Location(pointer=pointer)) from e

    def public_key_object(self) -> ec.EllipticCurvePublicKey:
        return load_public_key(self.public_key)

    @property
    def public_pem(self) -> str:
        pem = self.public_key_object().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode("ascii")


def _private_from_rng(rng: Rng) -> ec.EllipticCurvePrivateKey:
    while True:  # rejection sampling: a uniform scalar in [1, n-1]
        scalar = int.from_bytes(rng(32), "big")
        if 0 < scalar < P256_ORDER:
            return ec.derive_private_key(scalar, ec.SECP256R1())


def generate_signing_key(
    certifier: str,
    scope: KeyScope,
    *,
    now: datetime,
    rng: Rng | None = None,
    usage_days: int = DEFAULT_USAGE_DAYS,
) -> tuple[SigningKey, ec.EllipticCurvePrivateKey]:
    """A new active P-256 key for ``certifier`` usable from ``now`` for ``usage_days`` days."""
    if not scope.schemes or not scope.categories:
        raise SigningKeyError("a key needs at least one scheme and one category in its scope", reason="empty_scope")
    if usage_days < 1:
        raise SigningKeyError(f"usage_days must be at least 1, not {usage_days}", reason="bad_usage_days")
    private = ec.generate_private_key(ec.SECP256R1()) if rng is None else _private_from_rng(rng)
    public = private.public_key()
    record = {
        "kid": kid_of(public),
        "certifier": certifier,
        "public_key": spki_der(public),
        "scope": scope,
        "created_at": now,
        "usage_from": now,
        "usage_until": now + timedelta(days=usage_days),
    }
    return SigningKey.parse(record), private


def key_can_sign(key: SigningKey, *, scheme: str, pack_id: str, now: datetime) -> str | None:
    """None when ``key`` may sign a label for ``scheme`` and ``pack_id`` at ``now``, else a reason key."""
    if key.state is KeyState.WITHDRAWN:
        return "key_withdrawn"
    if key.state is KeyState.VERIFY_ONLY:
        return "key_verify_only"
    return usage_refusal(key.usage_from, key.usage_until, now) or key.scope.refusal(scheme=scheme, pack=pack_id)


def _retire(key: SigningKey, *, now: datetime, max_label_days: int, last_expiry: datetime | None) -> SigningKey:
    end = max(key.usage_from, min(now, key.usage_until))
    verify_until = last_expiry if last_expiry is not None else end + timedelta(days=max_label_days)
    data = key.model_dump() | {"state": KeyState.VERIFY_ONLY, "usage_until": end, "verify_until": verify_until}
    return SigningKey.parse(data)


def rotate(
    keys: Iterable[SigningKey],
    certifier: str,
    *,
    now: datetime,
    max_label_days: int,
    scope: KeyScope | None = None,
    rng: Rng | None = None,
    usage_days: int = DEFAULT_USAGE_DAYS,
    last_label_expiry: Mapping[str, datetime] | None = None,
) -> tuple[SigningKey, ec.EllipticCurvePrivateKey, list[SigningKey]]:
    """A new active key for ``certifier``; its active keys become verify-only (returned updated).

    An old key stops signing at ``now``; it verifies until ``last_label_expiry[kid]`` when given,
    else until its end of use + ``max_label_days``. The new key inherits the newest old key's
    scope unless ``scope`` is given.
    """
    if max_label_days < 1:
        raise SigningKeyError(f"max_label_days must be at least 1, not {max_label_days}", reason="bad_usage_days")
    active = [k for k in keys if k.certifier == certifier and k.state is KeyState.ACTIVE]
    if scope is None:
        if not active:
            raise SigningKeyError(f"certifier {certifier!r} has no active key to inherit a scope from; give scope")
        scope = max(active, key=lambda k: k.usage_from).scope
    new, private = generate_signing_key(certifier, scope, now=now, rng=rng, usage_days=usage_days)
    expiries = last_label_expiry or {}
    retired = [_retire(k, now=now, max_label_days=max_label_days, last_expiry=expiries.get(k.kid)) for k in active]
    return new, private, retired


def withdraw(key: SigningKey, *, refuse_from: datetime | None = None) -> SigningKey:
    """The record of ``key`` withdrawn: what it signed from ``refuse_from`` on (None: everything) no
    longer verifies; labels issued before that time still do (the key itself signs nothing more)."""
    return SigningKey.parse(key.model_dump() | {"state": KeyState.WITHDRAWN, "withdrawn_from": refuse_from})


def withdrawal_refuses(state: str, withdrawn_from: datetime | None, issued_at: datetime) -> bool:
    """A withdrawn key refuses labels issued at or after ``withdrawn_from`` (all of them when None)."""
    return state == KeyState.WITHDRAWN and (withdrawn_from is None or issued_at >= withdrawn_from)


# --- private keys at rest -----------------------------------------------------------------------


def _aad(kid: str) -> bytes:
    return _SEAL_AAD + kid.encode("ascii")


def _check_master(master_key: bytes) -> AESGCM:
    if len(master_key) != 32:
        raise SigningKeyError(f"the master key must be 32 bytes, not {len(master_key)}", reason="bad_master_key")
    return AESGCM(master_key)


def seal_private_key(key: ec.EllipticCurvePrivateKey, master_key: bytes, *, kid: str, rng: Rng = os.urandom) -> bytes:
    """``version(1) || nonce(12) || AES-256-GCM(PKCS#8 DER)`` with the kid as associated data."""
    if kid_of(key.public_key()) != kid:
        raise SigningKeyError(f"kid {kid} is not the kid of this key", reason="kid_mismatch")
    aead = _check_master(master_key)
    nonce = rng(_NONCE_BYTES)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return bytes([_SEAL_VERSION]) + nonce + aead.encrypt(nonce, der, _aad(kid))


def open_private_key(blob: bytes, master_key: bytes, *, kid: str) -> ec.EllipticCurvePrivateKey:
    """The private key sealed by :func:`seal_private_key`; :class:`SigningKeyError` if it cannot be opened."""
    aead = _check_master(master_key)
    if len(blob) < 1 + _NONCE_BYTES + 16 or blob[0] != _SEAL_VERSION:
        raise SigningKeyError(
            f"sealed key for kid {kid} is not a version-{_SEAL_VERSION} sealed key", reason="bad_blob"
        )
    nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        der = aead.decrypt(nonce, sealed, _aad(kid))
    except crypto_errors.InvalidTag as e:
        message = f"cannot open the sealed key for kid {kid}: wrong master key, another key's blob, or altered bytes"
        raise SigningKeyError(message, reason="wrong_master_key") from e
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, crypto_errors.UnsupportedAlgorithm) as e:
        raise SigningKeyError(f"the sealed blob for kid {kid} holds no private key", reason="bad_blob") from e
    if not isinstance(key, ec.EllipticCurvePrivateKey) or kid_of(key.public_key()) != kid:
        raise SigningKeyError(f"the sealed key is not the P-256 key with kid {kid}", reason="kid_mismatch")
    return key


def _b64url_32(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as e:
        raise SigningKeyError(f"{MASTER_KEY_ENV} is not base64url", Location(pointer=MASTER_KEY_ENV)) from e
    if len(raw) != 32:
        message = f"{MASTER_KEY_ENV} must be base64url of 32 bytes, not of {len(raw)}"
        raise SigningKeyError(message, Location(pointer=MASTER_KEY_ENV), reason="bad_master_key")
    return raw


def load_master_key(env: Mapping[str, str], data_dir: Path) -> bytes:
    """The master key from ``PCFREG_MASTER_KEY`` (base64url, 32 bytes), else ``<data_dir>/secrets/master.key``."""
    if env.get(MASTER_KEY_ENV):
        return _b64url_32(env[MASTER_KEY_ENV].strip())
    path = Path(data_dir) / MASTER_KEY_FILE
    try:
        mode = path.stat().st_mode
        raw = path.read_bytes()
    except FileNotFoundError as e:
        message = f"no master key: set {MASTER_KEY_ENV} (base64url of 32 bytes) or create {path} (ensure_master_key)"
        raise SigningKeyError(message, Location(str(path)), reason="no_master_key") from e
    except OSError as e:
        raise SigningKeyError(f"cannot read the master key: {e.strerror or e}", Location(str(path))) from e
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        message = f"master key file is readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it"
        raise SigningKeyError(message, Location(str(path)), reason="master_key_permissions")
    if len(raw) != 32:
        raise SigningKeyError(
            f"master key file has {len(raw)} bytes, not 32", Location(str(path)), reason="bad_master_key"
        )
    return raw


def ensure_master_key(data_dir: Path, *, rng: Rng = os.urandom) -> Path:
    """Create ``<data_dir>/secrets/master.key`` (mode 0600, 32 random bytes) unless it exists; its path."""
    path = Path(data_dir) / MASTER_KEY_FILE
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    except OSError as e:
        raise SigningKeyError(f"cannot create the master key: {e.strerror or e}", Location(str(path))) from e
    with os.fdopen(fd, "wb") as f:
        f.write(rng(32))
    return path
