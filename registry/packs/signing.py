"""Signed rule packs: Ed25519 signatures over a pack's RFC 8785 canonical JSON.

A publisher signs the canonical bytes of ``pack.data`` (``registry.canonical``); the
signature travels in an envelope next to the readable pack (``schemas/signed-rulepack-1.0.json``)::

    {"format": "pcf-registry/signed-rulepack/1.0", "pack": {...}, "digest": "sha256:...",
     "signatures": [{"keyid": "<16 hex>", "alg": "Ed25519", "sig": "<base64url>", "signer": "<namespace>"}]}

Public keys are RFC 8037 JWKs (``kty`` OKP, ``crv`` Ed25519) with an optional ``publisher``
member; a key id is the hex of the first 8 bytes of SHA-256 over the raw 32-byte public key.
Verification (:func:`verify_envelope`) is a fixed sequence, each step with its own error:
format, shape (schema), digest, then per signature: known key, algorithm, signer, signature;
last the threshold. The core does no I/O; :func:`sign_file`, :func:`verify_file` and
:func:`generate_key_files` are the CLI's logic and the only functions touching files.
See docs/adr/0005-signed-rule-packs.md.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
from cryptography import exceptions as crypto_errors
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.canonical import canonical_json
from registry.errors import InputError, Location, PackError, RegistryError
from registry.packs.rulepack import load_pack_file
from registry.resources import load_schema
from registry.schemas import pointer_of
from registry.yamlpos import Positions, escape_pointer_token, load_with_positions, position_of

FORMAT = "pcf-registry/signed-rulepack/1.0"
SCHEMA_ID = "https://pcf-registry.org/schemas/signed-rulepack-1.0.json"
ALGORITHMS = frozenset({"Ed25519"})
_ALG = "Ed25519"
_NAMESPACE = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?")
_PACK_ID = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?/[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_MAX_SAFE_INT = 2**53 - 1

Where = Callable[[str], Location]
"""Maps a JSON pointer to a Location (a file's line and column when we have them)."""


def _bare(pointer: str) -> Location:
    return Location(pointer=pointer)


# --- errors -------------------------------------------------------------------------------------


@dataclass
class SignatureError(PackError):
    """A signed pack that must not be trusted. ``location.pointer`` points into the envelope."""

    code: str = "signature-error"


@dataclass
class EnvelopeMalformed(SignatureError):
    """Not a signed rule pack 1.0: wrong format, schema violation, or a pack that is not JSON data."""

    code: str = "signature.envelope-malformed"


@dataclass
class DigestMismatch(SignatureError):
    """``digest`` differs from SHA-256 over the canonical JSON of ``pack``: the pack was changed."""

    code: str = "signature.digest-mismatch"


@dataclass
class UnknownKey(SignatureError):
    """No signature verified, and at least one names a key id the verifier does not trust."""

    code: str = "signature.unknown-key"


@dataclass
class DisallowedAlgorithm(SignatureError):
    """A signature by a trusted key names an algorithm other than Ed25519 ("none", "HS256", ...)."""

    code: str = "signature.disallowed-algorithm"


@dataclass
class WrongSigner(SignatureError):
    """The signer, the pack's namespace and the key's registered publisher do not all agree."""

    code: str = "signature.wrong-signer"


@dataclass
class BadSignature(SignatureError):
    """A signature by a trusted key does not verify over the canonical pack."""

    code: str = "signature.bad-signature"


@dataclass
class ThresholdNotMet(SignatureError):
    """Fewer distinct trusted keys signed than the threshold asks for."""

    code: str = "signature.threshold-not-met"


@dataclass
class InvalidKey(InputError):
    """A key the caller gave is unusable: not Ed25519, bad encoding, wrong passphrase, kid mismatch."""

    code: str = "invalid-key"


# --- encodings and keys -------------------------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object) -> bytes:
    """Strict base64url without padding: one encoding per byte string. ``ValueError`` otherwise."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url without padding")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(raw) != text:
        raise ValueError("not the canonical base64url encoding (stray bits in the last character)")
    return raw


def key_id(public_key: bytes) -> str:
    """Hex of the first 8 bytes of SHA-256 over the raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_key).digest()[:8].hex()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(key: Ed25519PublicKey, *, publisher: str | None = None) -> dict[str, str]:
    """RFC 8037 JWK of a public key, with ``kid`` and, if given, the ``publisher`` it signs for."""
    raw = _raw_public(key)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw), "kid": key_id(raw)}
    if publisher is not None:
        if not _NAMESPACE.fullmatch(publisher):
            raise InputError(f"publisher {publisher!r} is not a publisher namespace")
        jwk["publisher"] = publisher
    return jwk


def generate_keypair(passphrase: bytes | None = None, *, publisher: str | None = None) -> tuple[bytes, dict[str, str]]:
    """A new Ed25519 key: PKCS#8 PEM (encrypted when a passphrase is given) and its public JWK."""
    if passphrase is not None and not passphrase:
        raise InputError("the passphrase is empty; pass None for an unencrypted key")
    private = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    return pem, public_jwk(private.public_key(), publisher=publisher)


def load_private_key(
    pem: bytes, passphrase: bytes | None = None, *, location: Location | None = None
) -> Ed25519PrivateKey:
    """An Ed25519 private key from PKCS#8 PEM; :class:`InvalidKey` for anything else."""
    location = location or Location()
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except TypeError as e:  # encrypted without passphrase, or a passphrase for a plain key
        raise InvalidKey(f"cannot load private key: {e}", location) from e
    except (ValueError, crypto_errors.UnsupportedAlgorithm) as e:
        raise InvalidKey("not a PEM private key, or the passphrase is wrong", location) from e
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidKey(f"not an Ed25519 key ({type(key).__name__})", location)
    return key


@dataclass(frozen=True)
class TrustedKey:
    """A public key the verifier trusts, and the publisher namespace it may sign for (None: any)."""

    keyid: str
    public: bytes
    publisher: str | None = None

    def __post_init__(self) -> None:
        if len(self.public) != 32:
            raise InvalidKey(f"an Ed25519 public key has 32 bytes, not {len(self.public)}")

    def may_sign_for(self, namespace: str) -> bool:
        return self.publisher is None or self.publisher == namespace

    def verifies(self, signature: bytes, payload: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, payload)
        except (crypto_errors.InvalidSignature, ValueError):
            return False
        return True


class TrustedKeys:
    """Trusted public keys by key id. A truncated id may be shared, so each id maps to a list."""

    def __init__(self, keys: Iterable[TrustedKey]) -> None:
        self._by_id: dict[str, list[TrustedKey]] = {}
        for key in keys:
            self._by_id.setdefault(key.keyid, []).append(key)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_id.values())

    def get(self, keyid: str) -> tuple[TrustedKey, ...]:
        return tuple(self._by_id.get(keyid, ()))

    def all(self) -> tuple[TrustedKey, ...]:
        return tuple(k for group in self._by_id.values() for k in group)

    @classmethod
    def from_json(cls, value: Any, *, where: Where = _bare) -> TrustedKeys:
        """A JWKS (``{"keys": [...]}``), a list of JWKs, or one JWK."""
        if isinstance(value, Mapping) and "keys" in value:
            entries, prefix = value["keys"], "/keys"
        elif isinstance(value, Mapping):
            entries, prefix = [value], None
        else:
            entries, prefix = value, ""
        if not isinstance(entries, Sequence) or isinstance(entries, str | bytes):
            raise InvalidKey("keys must be a JWKS object, a list of JWKs or one JWK", where(prefix or ""))
        if not entries:
            raise InvalidKey("no keys given", where(prefix or ""))
        return cls(_parse_jwk(e, "" if prefix is None else f"{prefix}/{i}", where) for i, e in enumerate(entries))


def _parse_jwk(jwk: Any, pointer: str, where: Where) -> TrustedKey:
    if not isinstance(jwk, Mapping):
        raise InvalidKey("a key must be a JWK object", where(pointer))
    if "d" in jwk:
        raise InvalidKey("this JWK holds a private key (member d); give the public part only", where(f"{pointer}/d"))
    for member, expected in (("kty", "OKP"), ("crv", "Ed25519")):
        if jwk.get(member) != expected:
            message = f"{member} must be {expected!r} (only Ed25519 keys, RFC 8037)"
            raise InvalidKey(message, where(f"{pointer}/{member}"))
    try:
        raw = b64url_decode(jwk.get("x"))
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as e:
        raise InvalidKey(f"x must be a 32-byte public key in base64url: {e}", where(f"{pointer}/x")) from e
    kid = key_id(raw)
    if "kid" in jwk and jwk["kid"] != kid:
        raise InvalidKey(f"kid {jwk['kid']!r} does not match the key, whose key id is {kid}", where(f"{pointer}/kid"))
    publisher = jwk.get("publisher")
    if publisher is not None and not (isinstance(publisher, str) and _NAMESPACE.fullmatch(publisher)):
        raise InvalidKey(f"publisher {publisher!r} is not a publisher namespace", where(f"{pointer}/publisher"))
    return TrustedKey(kid, raw, publisher)


TrustedInput = TrustedKeys | Mapping[str, Any] | Sequence[Mapping[str, Any]]


def _trusted(value: TrustedInput) -> TrustedKeys:
    return value if isinstance(value, TrustedKeys) else TrustedKeys.from_json(value)


# --- envelope checks (steps 1-3) ----------------------------------------------------------------


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(dict(load_schema("signed-rulepack-1.0.json")))


def _schema_problems(envelope: Any, where: Where) -> list[RegistryError]:
    try:
        errors = list(_validator().iter_errors(envelope))
    except (ValueError, TypeError, OverflowError) as e:  # not JSON data (a set, a lone surrogate, ...)
        return [InputError(f"not JSON data: {e}", where(""))]
    problems: list[RegistryError] = []
    for err in errors:
        pointer = pointer_of(err.instance_path)
        if type(err.kind).__name__ == "Required" and isinstance(err.kind.property, str):
            pointer += "/" + escape_pointer_token(err.kind.property)
        problems.append(InputError(str(err.message), where(pointer)))
    return sorted(problems, key=lambda p: (p.location.pointer or "", p.message))


def _check_shape(envelope: Any, where: Where) -> None:
    """Steps 1-2: a JSON object naming our format, then the envelope schema."""
    if not isinstance(envelope, dict):
        raise EnvelopeMalformed("a signed rule pack must be a JSON object", where(""))
    if envelope.get("format") != FORMAT:
        found = repr(envelope["format"]) if "format" in envelope else "none"
        raise EnvelopeMalformed(f"format is {found}; this verifier reads {FORMAT!r}", where("/format"))
    problems = _schema_problems(envelope, where)
    if problems:
        first = problems[0]
        raise EnvelopeMalformed(
            f"signed rule pack does not match its schema ({len(problems)} problem(s)): {first.message}",
            first.location,
            problems=problems,
        )


def _payload(pack: Any, where: Where) -> bytes:
    try:
        return canonical_json(pack)
    except InputError as e:
        raise EnvelopeMalformed(f"pack cannot be canonicalised: {e.message}", where("/pack")) from e


def _digest(payload: bytes) -> str:
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def _check_digest(envelope: dict[str, Any], where: Where) -> tuple[bytes, str]:
    """Step 3: the digest recomputed over the canonical JSON of ``pack``."""
    payload = _payload(envelope["pack"], where)
    digest = _digest(payload)
    if digest != envelope["digest"]:
        raise DigestMismatch(
            f"digest {envelope['digest']} does not match the pack, whose canonical JSON hashes to {digest}",
            where("/digest"),
        )
    return payload, digest


def _namespace(pack: Any, where: Where, pointer: str = "/pack/id") -> str:
    pack_id = pack.get("id") if isinstance(pack, Mapping) else None
    if not isinstance(pack_id, str) or not _PACK_ID.fullmatch(pack_id):
        raise EnvelopeMalformed(f"pack id {pack_id!r} is not <namespace>/<name>", where(pointer))
    return pack_id.split("/", 1)[0]


# --- signing ------------------------------------------------------------------------------------


def _signed_envelope(envelope: dict[str, Any], payload: bytes, key: Ed25519PrivateKey, signer: str) -> dict[str, Any]:
    namespace = _namespace(envelope["pack"], _bare)
    if signer != namespace:
        raise WrongSigner(f"signer {signer!r} may not sign for namespace {namespace!r}", _bare("/pack/id"))
    raw = _raw_public(key.public_key())
    entry = {"keyid": key_id(raw), "alg": _ALG, "sig": b64url_encode(key.sign(payload)), "signer": signer}
    others = [s for s in envelope["signatures"] if s.get("keyid") != entry["keyid"]]
    out = {**envelope, "signatures": [*others, entry]}
    _check_shape(out, _bare)  # never hand out what a verifier would refuse
    return out


def _sign_data(pack_data: Mapping[str, Any], key: Ed25519PrivateKey, signer: str) -> dict[str, Any]:
    if not isinstance(pack_data, Mapping):
        raise EnvelopeMalformed("a rule pack must be a JSON object", _bare("/pack"))
    pack = copy.deepcopy(dict(pack_data))
    payload = _payload(pack, _bare)
    envelope = {"format": FORMAT, "pack": pack, "digest": _digest(payload), "signatures": []}
    return _signed_envelope(envelope, payload, key, signer)


def sign_pack(
    pack_data: Mapping[str, Any], private_key_pem: bytes, signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """A new envelope around (a copy of) ``pack_data``, signed by one key for namespace ``signer``."""
    return _sign_data(pack_data, load_private_key(private_key_pem, passphrase), signer)


def add_signature(
    envelope: Any, private_key_pem: bytes, signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """A copy of ``envelope`` with one more signature (replacing an earlier one by the same key).

    The envelope's shape and digest are checked first: nobody co-signs a changed pack.
    """
    _check_shape(envelope, _bare)
    payload, _ = _check_digest(envelope, _bare)
    key = load_private_key(private_key_pem, passphrase)
    return _signed_envelope(copy.deepcopy(envelope), payload, key, signer)


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedPack:
    """A pack whose signatures met the threshold: its data, digest and the keys that signed."""

    pack: dict[str, Any]
    digest: str
    keyids: tuple[str, ...]  # trusted keys whose signatures verified, in envelope order
    signer: str  # the publisher namespace
    ignored_keyids: tuple[str, ...] = ()  # signatures by keys not in the trusted set, not counted

    @property
    def id(self) -> str:
        return str(self.pack["id"])

    @property
    def version(self) -> str:
        return str(self.pack["version"])

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


def _check_signature(
    entry: Mapping[str, str], pointer: str, payload: bytes, namespace: str, keys: TrustedKeys, where: Where
) -> TrustedKey | None:
    """Step 4 for one signature: known key, algorithm, signer, signature. None if the key is unknown."""
    candidates = keys.get(entry["keyid"])
    if not candidates:
        return None
    if entry["alg"] not in ALGORITHMS:
        raise DisallowedAlgorithm(f"algorithm {entry['alg']!r} is not allowed (only Ed25519)", where(f"{pointer}/alg"))
    if entry["signer"] != namespace:
        raise WrongSigner(
            f"signer {entry['signer']!r} differs from the pack's namespace {namespace!r}", where(f"{pointer}/signer")
        )
    allowed = [k for k in candidates if k.may_sign_for(namespace)]
    if not allowed:
        owners = ", ".join(sorted({str(k.publisher) for k in candidates}))
        raise WrongSigner(f"key {entry['keyid']} signs for {owners}, not for {namespace!r}", where(f"{pointer}/keyid"))
    try:
        signature = b64url_decode(entry["sig"])
    except ValueError as e:
        raise BadSignature(f"signature is not valid base64url: {e}", where(f"{pointer}/sig")) from e
    for key in allowed:
        if key.verifies(signature, payload):
            return key
    raise BadSignature(f"signature by key {entry['keyid']} does not verify over the pack", where(f"{pointer}/sig"))


def _shortfall(verified: int, unknown: list[tuple[int, str]], threshold: int, where: Where) -> SignatureError:
    if verified == 0 and unknown:
        index, keyid = unknown[0]
        more = f" (nor {len(unknown) - 1} other signature(s))" if len(unknown) > 1 else ""
        return UnknownKey(f"no trusted key has key id {keyid}{more}", where(f"/signatures/{index}/keyid"))
    ignored = f"; {len(unknown)} signature(s) by unknown keys ignored" if unknown else ""
    return ThresholdNotMet(
        f"{verified} valid signature(s) by distinct trusted keys, {threshold} required{ignored}", where("/signatures")
    )


def _verify(envelope: Any, keys: TrustedKeys, threshold: int, where: Where) -> VerifiedPack:
    if threshold < 1:
        raise InputError(f"threshold must be at least 1, not {threshold}")
    _check_shape(envelope, where)
    payload, digest = _check_digest(envelope, where)
    namespace = _namespace(envelope["pack"], where)
    verified: dict[bytes, str] = {}  # distinct keys, not distinct key ids or signatures
    unknown: list[tuple[int, str]] = []
    for i, entry in enumerate(envelope["signatures"]):
        key = _check_signature(entry, f"/signatures/{i}", payload, namespace, keys, where)
        if key is None:
            unknown.append((i, entry["keyid"]))
        else:
            verified.setdefault(key.public, key.keyid)
    if len(verified) < threshold:
        raise _shortfall(len(verified), unknown, threshold, where)
    return VerifiedPack(
        pack=copy.deepcopy(envelope["pack"]),
        digest=digest,
        keyids=tuple(verified.values()),
        signer=namespace,
        ignored_keyids=tuple(k for _, k in unknown),
    )


def verify_envelope(envelope: Any, trusted: TrustedInput, *, threshold: int = 1) -> VerifiedPack:
    """Check a signed rule pack against trusted keys; raise a :class:`SignatureError` subclass.

    Order: format, schema, digest, then per signature (known key id, alg Ed25519, signer equals
    the pack namespace and the key's publisher, signature valid), then the threshold of distinct
    trusted keys. Signatures by unknown keys are skipped, not counted; if nothing verified
    because of them the error is :class:`UnknownKey`. A bad signature by a trusted key always fails.
    """
    return _verify(envelope, _trusted(trusted), threshold, _bare)


# --- files: the CLI's logic ---------------------------------------------------------------------


def _file_where(file: str, positions: Positions) -> Where:
    def where(pointer: str) -> Location:
        line, column = position_of(positions, pointer)
        return Location(file, line, column, pointer)

    return where


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {what}: {e.strerror or e}", Location(str(path))) from e


def _json_number(text: str) -> int | float:
    value = int(text)
    return value if abs(value) <= _MAX_SAFE_INT else float(text)  # JCS numbers are IEEE doubles


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _read_json(path: Path, what: str) -> tuple[Any, Positions]:
    """Strict JSON (no duplicate keys, no NaN) and, best effort, a map pointer -> (line, column)."""
    try:
        text = _read(path, what).decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{what} is not UTF-8: {e.reason}", Location(str(path))) from e
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_json_number, parse_constant=_not_json)
    except json.JSONDecodeError as e:
        raise InputError(f"{what} is not valid JSON: {e.msg}", Location(str(path), e.lineno, e.colno)) from e
    except (ValueError, RecursionError) as e:
        raise InputError(f"{what} is not valid JSON: {e}", Location(str(path))) from e
    try:
        _, positions = load_with_positions(text, file=str(path))
    except InputError:
        positions = {}
    return data, positions


def sign_file(
    pack_path: str | os.PathLike[str], key_path: str | os.PathLike[str], signer: str, *, passphrase: bytes | None = None
) -> dict[str, Any]:
    """``pcfreg packs sign``: load and check a pack (YAML or JSON), sign it with a PEM key file."""
    pack = load_pack_file(Path(pack_path))
    namespace = pack.id.split("/", 1)[0]
    if signer != namespace:
        raise WrongSigner(f"signer {signer!r} may not sign for namespace {namespace!r}", pack.location("/id"))
    key = load_private_key(_read(Path(key_path), "private key"), passphrase, location=Location(str(key_path)))
    return _sign_data(pack.data, key, signer)


def verify_file(
    envelope_path: str | os.PathLike[str], keys_path: str | os.PathLike[str], *, threshold: int = 1
) -> VerifiedPack:
    """``pcfreg packs verify``: a signed pack (JSON) against a keys file (JWKS, list of JWKs or one JWK)."""
    keys_doc, key_positions = _read_json(Path(keys_path), "keys file")
    keys = TrustedKeys.from_json(keys_doc, where=_file_where(str(keys_path), key_positions))
    envelope, positions = _read_json(Path(envelope_path), "signed rule pack")
    return _verify(envelope, keys, threshold, _file_where(str(envelope_path), positions))


def envelope_bytes(envelope: Mapping[str, Any]) -> bytes:
    """Wire JSON of an envelope (indented, key order kept). Not what is signed: that is the canonical pack."""
    return orjson.dumps(envelope, option=orjson.OPT_INDENT_2) + b"\n"


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as e:
        raise InputError("file exists; refusing to overwrite a key", Location(str(path))) from e
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", Location(str(path))) from e
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def generate_key_files(
    private_path: str | os.PathLike[str],
    public_path: str | os.PathLike[str],
    *,
    passphrase: bytes | None = None,
    publisher: str | None = None,
) -> dict[str, str]:
    """``pcfreg keys generate``: a PEM private key (mode 0600) and its public JWK; never overwrites."""
    for path in (Path(private_path), Path(public_path)):
        if path.exists():
            raise InputError("file exists; refusing to overwrite a key", Location(str(path)))
    pem, jwk = generate_keypair(passphrase, publisher=publisher)
    _write_new(Path(private_path), pem, 0o600)
    _write_new(Path(public_path), orjson.dumps(jwk, option=orjson.OPT_INDENT_2) + b"\n", 0o644)
    return jwk
