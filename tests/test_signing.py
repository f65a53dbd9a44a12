"""Signed rule packs: round trips, tampering, keys, envelopes, files (registry/packs/signing.py, ADR 0005)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import textwrap
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import orjson
import pytest
import yaml
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.canonical import canonical_json, sha256_digest
from registry.errors import InputError, PackError, RegistryError
from registry.packs.catalog import Catalog
from registry.packs.rulepack import parse_pack
from registry.packs.signing import (
    FORMAT,
    SCHEMA_ID,
    BadSignature,
    DigestMismatch,
    DisallowedAlgorithm,
    EnvelopeMalformed,
    InvalidKey,
    SignatureError,
    ThresholdNotMet,
    TrustedKey,
    TrustedKeys,
    UnknownKey,
    VerifiedPack,
    WrongSigner,
    add_signature,
    b64url_decode,
    b64url_encode,
    envelope_bytes,
    generate_key_files,
    generate_keypair,
    key_id,
    load_private_key,
    sign_file,
    sign_pack,
    verify_envelope,
    verify_file,
)
from registry.resources import schemas_dir
from registry.yamlpos import load_with_positions

NS = "acme"
PACK_YAML = textwrap.dedent(
    """\
    format: pcf-registry/rulepack/1.0
    id: acme/widget
    version: 1.0.0
    title: {en: Widget, zh: 小部件}
    publisher: {id: acme, name: ACME}
    status: published
    effective: {from: "2026-01-01"}
    parameters:
      cutOffPercent: {value: 0.01, unit: percent, source: "PCR §4.3"}
      bounds: {value: [6.5, 7.7, 9.0, 10.5, 1.0e-7, 2.50, -0.0, 1e+21, 123456789.125]}
      count: {value: 3}
    rules:
      - id: widget.unit
        title: Unit is kilogram
        severity: error
        clauses: ["ACME PCR 1.0 §3"]
        path: /pcf/declaredUnitOfMeasurement
        check: pcf.declaredUnitOfMeasurement == 'kilogram'
        message: unit is ${pcf.declaredUnitOfMeasurement}
    """
)


def _keypair(publisher: str | None = NS, passphrase: bytes | None = None) -> tuple[bytes, dict[str, str]]:
    return generate_keypair(passphrase, publisher=publisher)


KEY_A = _keypair()
KEY_B = _keypair()
KEY_OTHER_NS = _keypair("other-body")
KEY_ANY_NS = _keypair(None)


def jwks(*keys: tuple[bytes, dict[str, str]]) -> dict[str, Any]:
    return {"keys": [k[1] for k in keys]}


@pytest.fixture(scope="module")
def pack() -> dict[str, Any]:
    return parse_pack(PACK_YAML, source="widget.yaml").data


@pytest.fixture
def envelope(pack: dict[str, Any]) -> dict[str, Any]:
    return sign_pack(pack, KEY_A[0], NS)


def raises(exc: type[RegistryError], envelope: Any, keys: Any = None, threshold: int = 1) -> RegistryError:
    with pytest.raises(exc) as info:
        verify_envelope(envelope, keys if keys is not None else jwks(KEY_A), threshold=threshold)
    return info.value


# --- round trips ------------------------------------------------------------------------------


def test_every_shipped_pack_round_trips(catalog: Catalog) -> None:
    packs = catalog.packs()
    assert len(packs) >= 9
    for p in packs:
        namespace = p.id.split("/", 1)[0]
        private, public = _keypair(namespace)
        env = sign_pack(p.data, private, namespace)
        assert env["format"] == FORMAT and env["pack"] == p.data and env["digest"] == p.digest
        result = verify_envelope(env, jwks((private, public)))
        assert result == VerifiedPack(p.data, p.digest, (public["kid"],), namespace)
        assert result.ref == p.ref
        # wire JSON -> parse -> verify still holds
        assert verify_envelope(orjson.loads(envelope_bytes(env)), [public]).digest == p.digest


def test_envelope_shape_and_key_id(envelope: dict[str, Any], pack: dict[str, Any]) -> None:
    [sig] = envelope["signatures"]
    raw = b64url_decode(KEY_A[1]["x"])
    assert len(raw) == 32
    assert sig["keyid"] == KEY_A[1]["kid"] == key_id(raw) == hashlib.sha256(raw).hexdigest()[:16]
    assert sig["alg"] == "Ed25519" and sig["signer"] == NS
    assert len(sig["sig"]) == 86 and "=" not in sig["sig"]
    assert envelope["digest"] == sha256_digest(pack)
    Ed25519PublicKey.from_public_bytes(raw).verify(b64url_decode(sig["sig"]), canonical_json(pack))


def test_envelope_matches_its_schema(envelope: dict[str, Any]) -> None:
    schema = json.loads((schemas_dir() / "signed-rulepack-1.0.json").read_text())
    assert schema["$id"] == SCHEMA_ID
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(envelope)  # the pure-Python cross-check


def test_signing_is_deterministic_and_copies(pack: dict[str, Any]) -> None:
    first, second = sign_pack(pack, KEY_A[0], NS), sign_pack(pack, KEY_A[0], NS)
    assert first == second
    first["pack"]["version"] = "2.0.0"
    assert pack["version"] == "1.0.0"


# --- tampering --------------------------------------------------------------------------------


def test_every_bit_of_the_signature_matters(envelope: dict[str, Any]) -> None:
    raw = b64url_decode(envelope["signatures"][0]["sig"])
    for i in range(len(raw)):
        for bit in range(8):
            bad = copy.deepcopy(envelope)
            bad["signatures"][0]["sig"] = b64url_encode(raw[:i] + bytes([raw[i] ^ (1 << bit)]) + raw[i + 1 :])
            assert raises(BadSignature, bad).location.pointer == "/signatures/0/sig"


def test_every_character_of_the_encoded_signature_matters(envelope: dict[str, Any]) -> None:
    entry = envelope["signatures"][0]
    sig = entry["sig"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    changed = [sig[:i] + new + sig[i + 1 :] for i, old in enumerate(sig) for new in alphabet if new != old]
    changed += [sig[:-1], sig + "A", sig + "AA", "", "A" * 88]
    for bad_sig in changed:  # includes non-canonical base64url (stray bits in the last character)
        raises(BadSignature, {**envelope, "signatures": [{**entry, "sig": bad_sig}]})


def test_every_byte_of_the_canonical_payload_matters(envelope: dict[str, Any], pack: dict[str, Any]) -> None:
    payload = canonical_json(pack)
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(KEY_A[1]["x"]))
    sig = b64url_decode(envelope["signatures"][0]["sig"])
    parsed_variants = 0
    for i in range(len(payload)):
        changed = payload[:i] + bytes([payload[i] ^ 0x01]) + payload[i + 1 :]
        with pytest.raises(InvalidSignature):
            public.verify(sig, changed)
        try:
            variant = json.loads(changed)
        except ValueError:
            continue
        if not isinstance(variant, dict) or canonical_json(variant) == payload:
            continue
        parsed_variants += 1
        bad = {**envelope, "pack": variant}
        with pytest.raises(SignatureError):  # DigestMismatch, or malformed if the id broke
            verify_envelope(bad, jwks(KEY_A))
        with pytest.raises((BadSignature, WrongSigner, EnvelopeMalformed)):  # WrongSigner: the id's namespace changed
            verify_envelope({**bad, "digest": sha256_digest(variant)}, jwks(KEY_A))
    assert parsed_variants > len(payload) // 2


def test_changed_value_is_a_digest_mismatch(envelope: dict[str, Any]) -> None:
    envelope["pack"]["parameters"]["cutOffPercent"]["value"] = 0.02
    err = raises(DigestMismatch, envelope)
    assert err.location.pointer == "/digest" and "sha256:" in err.message


def test_recomputed_digest_after_tampering_is_a_bad_signature(envelope: dict[str, Any]) -> None:
    envelope["pack"]["parameters"]["cutOffPercent"]["value"] = 0.02
    envelope["digest"] = sha256_digest(envelope["pack"])
    assert raises(BadSignature, envelope).location.pointer == "/signatures/0/sig"


def test_reordered_members_still_verify(envelope: dict[str, Any]) -> None:
    envelope["pack"] = dict(reversed(list(envelope["pack"].items())))
    assert verify_envelope(envelope, jwks(KEY_A)).keyids == (KEY_A[1]["kid"],)


def test_integral_float_and_int_sign_alike(envelope: dict[str, Any]) -> None:
    """RFC 8785 has one number type: 9.0 and 9 are the same signed bytes (see ADR 0005)."""
    envelope["pack"]["parameters"]["bounds"]["value"][2] = 9
    verify_envelope(envelope, jwks(KEY_A))


# --- keys and signers -------------------------------------------------------------------------


def test_signature_by_another_key_under_a_trusted_key_id(pack: dict[str, Any]) -> None:
    env = sign_pack(pack, KEY_B[0], NS)
    env["signatures"][0]["keyid"] = KEY_A[1]["kid"]
    raises(BadSignature, env)


def test_unknown_key_id(envelope: dict[str, Any]) -> None:
    err = raises(UnknownKey, envelope, jwks(KEY_B))
    assert err.location.pointer == "/signatures/0/keyid" and KEY_A[1]["kid"] in err.message


def test_signer_of_another_namespace(pack: dict[str, Any], envelope: dict[str, Any]) -> None:
    with pytest.raises(WrongSigner):
        sign_pack(pack, KEY_A[0], "other-body")
    envelope["signatures"][0]["signer"] = "other-body"
    assert raises(WrongSigner, envelope).location.pointer == "/signatures/0/signer"


def test_key_registered_for_another_publisher(pack: dict[str, Any]) -> None:
    env = sign_pack(pack, KEY_OTHER_NS[0], NS)  # the private key knows no namespace
    err = raises(WrongSigner, env, jwks(KEY_OTHER_NS))
    assert err.location.pointer == "/signatures/0/keyid" and "other-body" in err.message


def test_key_without_publisher_may_sign_for_any_namespace(pack: dict[str, Any]) -> None:
    env = sign_pack(pack, KEY_ANY_NS[0], NS)
    assert verify_envelope(env, [KEY_ANY_NS[1]]).signer == NS


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256", "EdDSA", "ed25519"])
def test_other_algorithms_are_refused(envelope: dict[str, Any], alg: str) -> None:
    envelope["signatures"][0]["alg"] = alg
    assert raises(DisallowedAlgorithm, envelope).location.pointer == "/signatures/0/alg"
    envelope["signatures"][0]["sig"] = ""
    raises(DisallowedAlgorithm, envelope)


def test_truncated_key_id_collision_tries_every_key(envelope: dict[str, Any]) -> None:
    real = TrustedKeys.from_json(jwks(KEY_A)).get(KEY_A[1]["kid"])[0]
    impostor = TrustedKey(real.keyid, b64url_decode(KEY_B[1]["x"]), NS)
    assert verify_envelope(envelope, TrustedKeys([impostor, real])).keyids == (real.keyid,)
    raises(BadSignature, envelope, TrustedKeys([impostor]))


# --- thresholds and several signatures --------------------------------------------------------


def test_threshold_two_with_one_signature(envelope: dict[str, Any]) -> None:
    err = raises(ThresholdNotMet, envelope, jwks(KEY_A, KEY_B), threshold=2)
    assert "1 valid" in err.message and err.location.pointer == "/signatures"


def test_two_signatures_meet_threshold_two(envelope: dict[str, Any]) -> None:
    both = add_signature(envelope, KEY_B[0], NS)
    assert [s["keyid"] for s in both["signatures"]] == [KEY_A[1]["kid"], KEY_B[1]["kid"]]
    assert len(envelope["signatures"]) == 1  # add_signature returns a copy
    result = verify_envelope(both, jwks(KEY_A, KEY_B), threshold=2)
    assert result.keyids == (KEY_A[1]["kid"], KEY_B[1]["kid"])


def test_same_key_twice_counts_once(envelope: dict[str, Any]) -> None:
    envelope["signatures"].append(dict(envelope["signatures"][0]))
    raises(ThresholdNotMet, envelope, jwks(KEY_A), threshold=2)
    assert add_signature(envelope, KEY_A[0], NS)["signatures"] == envelope["signatures"][:1]


def test_unknown_keys_are_ignored_when_the_threshold_is_met(envelope: dict[str, Any]) -> None:
    both = add_signature(envelope, KEY_B[0], NS)
    result = verify_envelope(both, jwks(KEY_B))
    assert result.keyids == (KEY_B[1]["kid"],) and result.ignored_keyids == (KEY_A[1]["kid"],)
    err = raises(ThresholdNotMet, both, jwks(KEY_B), threshold=2)
    assert "unknown" in err.message


def test_a_bad_signature_by_a_trusted_key_fails_even_if_another_verifies(envelope: dict[str, Any]) -> None:
    both = add_signature(envelope, KEY_B[0], NS)
    both["signatures"][1]["sig"] = both["signatures"][0]["sig"]
    assert raises(BadSignature, both, jwks(KEY_A, KEY_B)).location.pointer == "/signatures/1/sig"


def test_add_signature_refuses_a_changed_pack(envelope: dict[str, Any]) -> None:
    envelope["pack"]["version"] = "1.0.1"
    with pytest.raises(DigestMismatch):
        add_signature(envelope, KEY_B[0], NS)


def test_threshold_below_one_is_refused(envelope: dict[str, Any]) -> None:
    raises(InputError, envelope, threshold=0)


# --- malformed envelopes ----------------------------------------------------------------------


def _without(d: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != key}


MALFORMED: list[tuple[str, Any, str]] = [
    ("not an object", lambda e: [e], ""),
    ("no format", lambda e: _without(e, "format"), "/format"),
    ("other format", lambda e: {**e, "format": "pcf-registry/signed-rulepack/2.0"}, "/format"),
    ("no pack", lambda e: _without(e, "pack"), "/pack"),
    ("pack not object", lambda e: {**e, "pack": "x"}, "/pack"),
    ("pack id bad", lambda e: {**e, "pack": {**e["pack"], "id": "no-namespace"}}, "/pack/id"),
    ("no digest", lambda e: _without(e, "digest"), "/digest"),
    ("digest pattern", lambda e: {**e, "digest": "md5:00"}, "/digest"),
    ("extra member", lambda e: {**e, "signed": True}, ""),
    ("no signatures", lambda e: {**e, "signatures": []}, "/signatures"),
    (
        "signature missing sig",
        lambda e: {**e, "signatures": [_without(e["signatures"][0], "sig")]},
        "/signatures/0/sig",
    ),
    ("padded sig", lambda e: {**e, "signatures": [{**e["signatures"][0], "sig": "AA=="}]}, "/signatures/0/sig"),
    (
        "keyid case",
        lambda e: {**e, "signatures": [{**e["signatures"][0], "keyid": "ABCDEF0123456789"}]},
        "/signatures/0/keyid",
    ),
    ("big int", lambda e: {**e, "pack": {**e["pack"], "n": 2**60}}, "/pack"),
    ("not JSON", lambda e: {**e, "pack": {**e["pack"], "n": {1, 2}}}, "/pack"),
    ("not JSON at the top", lambda e: {**e, "extra": {1, 2}}, ""),
]


@pytest.mark.parametrize(("case", "mutate", "pointer"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_envelopes(envelope: dict[str, Any], case: str, mutate: Any, pointer: str) -> None:
    err = raises(EnvelopeMalformed, mutate(envelope))
    assert err.location.pointer == pointer, err
    assert isinstance(err, PackError) and err.to_dict()["code"] == "signature.envelope-malformed"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_raises_only_our_errors(value: Any) -> None:
    with pytest.raises(SignatureError):
        verify_envelope(value, jwks(KEY_A))
    with pytest.raises(SignatureError):
        verify_envelope(
            {"format": FORMAT, "pack": value, "digest": "sha256:" + "0" * 64, "signatures": value}, jwks(KEY_A)
        )


_SIGNED = sign_pack(parse_pack(PACK_YAML).data, KEY_A[0], NS)


def _pointers(value: Any, prefix: str = "") -> list[str]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _pointers(v, f"{prefix}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _pointers(v, f"{prefix}/{i}")
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_pointers(_SIGNED)[1:]), json_values)
def test_any_replaced_value_is_caught_or_harmless(pointer: str, value: Any) -> None:
    env = copy.deepcopy(_SIGNED)
    *parents, last = pointer.split("/")[1:]
    target: Any = env
    for token in parents:
        target = target[int(token)] if isinstance(target, list) else target[token]
    target[int(last) if isinstance(target, list) else last] = value
    try:
        verify_envelope(env, jwks(KEY_A))
    except SignatureError:
        return
    assert canonical_json(env["pack"]) == canonical_json(_SIGNED["pack"])


# --- canonicalisation across YAML and JSON ----------------------------------------------------


def test_yaml_json_yaml_round_trip_keeps_digest_and_signature() -> None:
    from_yaml = parse_pack(PACK_YAML, source="widget.yaml")
    from_json = parse_pack(json.dumps(from_yaml.data, ensure_ascii=False), source="widget.json")
    from_orjson = parse_pack(orjson.dumps(from_yaml.data).decode(), source="widget.json")
    back_to_yaml = parse_pack(yaml.safe_dump(from_json.data, allow_unicode=True), source="again.yaml")
    assert isinstance(from_yaml.data["parameters"]["cutOffPercent"]["value"], float)
    digests = {p.digest for p in (from_yaml, from_json, from_orjson, back_to_yaml)}
    assert len(digests) == 1
    env = sign_pack(from_yaml.data, KEY_A[0], NS)
    for other in (from_json, from_orjson, back_to_yaml):
        result = verify_envelope({**env, "pack": other.data}, jwks(KEY_A))
        assert result.digest == from_yaml.digest
    env_from_json = sign_pack(from_json.data, KEY_A[0], NS)
    assert env_from_json["signatures"] == env["signatures"]


def test_shipped_packs_keep_their_digest_through_json(catalog: Catalog) -> None:
    for p in catalog.packs():
        assert parse_pack(json.dumps(p.data, ensure_ascii=False)).digest == p.digest, p.ref


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_canonical_bytes_survive_yaml_and_json(x: float) -> None:
    expected = canonical_json({"v": x})
    via_json, _ = load_with_positions(json.dumps({"v": x}))
    via_yaml, _ = load_with_positions(yaml.safe_dump({"v": x}))
    assert canonical_json(via_json) == expected == canonical_json(via_yaml)


@pytest.mark.parametrize("value", ["1e5", "true", "NO", "2026-01-01", "null", "0.01", "+1"])
def test_number_like_string_survives_our_yaml_dump(value: str) -> None:
    """PyYAML's 1.1 dumper leaves '1e5' unquoted (a float to a YAML 1.2 loader); dump_yaml quotes it."""
    from registry.yamlpos import dump_yaml

    data = {"s": value, "n": 1e5}
    reloaded, _ = load_with_positions(dump_yaml(data))
    assert canonical_json(reloaded) == canonical_json(data)


# --- key handling -----------------------------------------------------------------------------


def test_passphrase_protected_key() -> None:
    pem, public = _keypair(passphrase=b"correct horse")
    assert b"ENCRYPTED PRIVATE KEY" in pem
    load_private_key(pem, b"correct horse")
    with pytest.raises(InvalidKey, match="encrypted"):
        load_private_key(pem)
    with pytest.raises(InvalidKey, match="passphrase"):
        load_private_key(pem, b"wrong")
    env = sign_pack(parse_pack(PACK_YAML).data, pem, NS, passphrase=b"correct horse")
    verify_envelope(env, [public])
    with pytest.raises(InputError):
        generate_keypair(b"")


def test_non_ed25519_and_garbage_private_keys() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    for pem in (ec_pem, b"not a key", b""):
        with pytest.raises(InvalidKey):
            load_private_key(pem)
    plain = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InvalidKey):
        load_private_key(plain, b"unneeded")


BAD_JWKS: list[tuple[Any, str]] = [
    ({"keys": []}, "/keys"),
    ({"keys": "x"}, "/keys"),
    (42, ""),
    ({"keys": [{**KEY_A[1], "kty": "RSA"}]}, "/keys/0/kty"),
    ({"keys": [{**KEY_A[1], "crv": "X25519"}]}, "/keys/0/crv"),
    ({"keys": [{**KEY_A[1], "x": KEY_A[1]["x"][:-2]}]}, "/keys/0/x"),
    ({"keys": [{**KEY_A[1], "x": KEY_A[1]["x"] + "="}]}, "/keys/0/x"),
    ({"keys": [{**KEY_A[1], "kid": KEY_B[1]["kid"]}]}, "/keys/0/kid"),
    ({"keys": [{**KEY_A[1], "d": KEY_A[1]["x"]}]}, "/keys/0/d"),
    ({"keys": [KEY_B[1], {**KEY_A[1], "publisher": "Not A Namespace"}]}, "/keys/1/publisher"),
    ([KEY_A[1], "x"], "/1"),
]


@pytest.mark.parametrize(("keys", "pointer"), BAD_JWKS)
def test_bad_trusted_keys(envelope: dict[str, Any], keys: Any, pointer: str) -> None:
    with pytest.raises(InvalidKey) as info:
        verify_envelope(envelope, keys)
    assert info.value.location.pointer == pointer


def test_trusted_keys_accept_jwks_list_and_single_jwk(envelope: dict[str, Any]) -> None:
    for keys in (jwks(KEY_A), [KEY_A[1]], KEY_A[1], TrustedKeys.from_json(jwks(KEY_B, KEY_A))):
        assert verify_envelope(envelope, keys).keyids == (KEY_A[1]["kid"],)


def test_error_hierarchy() -> None:
    for cls in (EnvelopeMalformed, DigestMismatch, UnknownKey, DisallowedAlgorithm, WrongSigner, BadSignature):
        assert issubclass(cls, SignatureError)
    assert issubclass(ThresholdNotMet, SignatureError) and issubclass(SignatureError, PackError)
    assert issubclass(InvalidKey, InputError)


# --- files (the CLI's logic) ------------------------------------------------------------------


@pytest.fixture
def key_files(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "acme.pem", tmp_path / "acme.jwk.json"
    jwk = generate_key_files(private, public, publisher=NS)
    assert json.loads(public.read_text()) == jwk
    return private, public


def test_files_sign_and_verify(tmp_path: Path, key_files: tuple[Path, Path]) -> None:
    private, public = key_files
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    pack_file = tmp_path / "widget.yaml"
    pack_file.write_text(PACK_YAML, encoding="utf-8")
    env = sign_file(pack_file, private, NS)
    signed = tmp_path / "widget.signed.json"
    signed.write_bytes(envelope_bytes(env))
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"keys": [json.loads(public.read_text())]}))
    for keys in (keys_file, public):
        assert verify_file(signed, keys).ref == "acme/widget@1.0.0"


def test_files_verify_reports_file_line_and_key(tmp_path: Path, key_files: tuple[Path, Path]) -> None:
    private, public = key_files
    pack_file = tmp_path / "widget.yaml"
    pack_file.write_text(PACK_YAML, encoding="utf-8")
    env = sign_file(pack_file, private, NS)
    env["signatures"][0]["alg"] = "HS256"
    signed = tmp_path / "widget.signed.json"
    signed.write_bytes(envelope_bytes(env))
    with pytest.raises(DisallowedAlgorithm) as info:
        verify_file(signed, public)
    loc = info.value.location
    assert loc.file == str(signed) and loc.pointer == "/signatures/0/alg"
    assert loc.line == signed.read_text().splitlines().index('      "alg": "HS256",') + 1


def test_files_bad_input(tmp_path: Path, key_files: tuple[Path, Path]) -> None:
    private, public = key_files
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "format": ,\n}')
    with pytest.raises(InputError) as info:
        verify_file(broken, public)
    assert (info.value.location.file, info.value.location.line) == (str(broken), 2)
    duplicate = tmp_path / "dup.json"
    duplicate.write_text('{"format": "a", "format": "b"}')
    with pytest.raises(InputError, match="duplicate"):
        verify_file(duplicate, public)
    nan = tmp_path / "nan.json"
    nan.write_text('{"format": NaN}')
    with pytest.raises(InputError, match="NaN"):
        verify_file(nan, public)
    with pytest.raises(InputError) as missing:
        verify_file(tmp_path / "missing.json", public)
    assert missing.value.location.file == str(tmp_path / "missing.json")
    with pytest.raises(InputError) as not_a_jwk:
        verify_file(broken, private)  # keys are read first; a PEM file is not JSON
    assert not_a_jwk.value.location.file == str(private)


def test_files_sign_errors_name_the_file(tmp_path: Path, key_files: tuple[Path, Path]) -> None:
    private, public = key_files
    pack_file = tmp_path / "widget.yaml"
    pack_file.write_text(PACK_YAML, encoding="utf-8")
    with pytest.raises(WrongSigner) as wrong:
        sign_file(pack_file, private, "other-body")
    assert (wrong.value.location.file, wrong.value.location.line) == (str(pack_file), 2)
    with pytest.raises(InvalidKey) as bad_key:
        sign_file(pack_file, public, NS)
    assert bad_key.value.location.file == str(public)
    broken = tmp_path / "broken.yaml"
    broken.write_text(PACK_YAML.replace("severity: error", "severity: fatal"))
    with pytest.raises(PackError) as bad_pack:
        sign_file(broken, private, NS)
    assert not isinstance(bad_pack.value, SignatureError)


def test_generate_key_files_never_overwrites(key_files: tuple[Path, Path]) -> None:
    private, public = key_files
    before = private.read_bytes()
    with pytest.raises(InputError, match="exists"):
        generate_key_files(private, public.with_name("new.json"))
    assert private.read_bytes() == before and not public.with_name("new.json").exists()


def test_shipped_pack_file_signs(catalog: Catalog, tmp_path: Path) -> None:
    p = catalog.get("example-standards-body/core")
    assert p.source is not None
    private, public = tmp_path / "k.pem", tmp_path / "k.json"
    generate_key_files(private, public, passphrase=b"s3cret", publisher="example-standards-body")
    env = sign_file(p.source, private, "example-standards-body", passphrase=b"s3cret")
    assert verify_envelope(env, [json.loads(public.read_text())]).digest == p.digest
