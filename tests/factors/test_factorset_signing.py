"""Signed factor sets: the rule packs' envelope around a set (registry/factors/signing.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from registry.factors import (
    FactorSet,
    FactorSetError,
    sign_factor_set,
    sign_set_file,
    verify_set_file,
    verify_signed_set,
)
from registry.packs import generate_keypair, sign_pack
from registry.signed import BadSignature, DigestMismatch, EnvelopeMalformed, WrongSigner, envelope_bytes

KEY, JWK = generate_keypair(publisher="test-body")
OTHER, OTHER_JWK = generate_keypair(publisher="test-body")


def test_round_trip_and_digest_is_the_content_digest(make_set: Callable[..., FactorSet]) -> None:
    fs = make_set()
    envelope = sign_factor_set(fs, KEY, "test-body")
    assert envelope["format"] == "pcf-registry/signed-factorset/1.0"
    assert envelope["digest"] == fs.digest()
    verified = verify_signed_set(orjson.loads(envelope_bytes(envelope)), [JWK])
    assert verified.ref == "test-body/fuels@1.0.0"
    assert verified.factor_set.to_json() == fs.to_json()
    assert verified.verified.keyids == (JWK["kid"],)


def test_bundled_set_signs_to_its_committed_digest(bundled: dict[str, FactorSet]) -> None:
    fs = bundled["pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0"]
    key, jwk = generate_keypair(publisher="pcf-registry")
    envelope = sign_factor_set(fs, key, "pcf-registry")
    assert verify_signed_set(envelope, [jwk]).digest == fs.digest()


def test_a_changed_figure_is_caught(make_set: Callable[..., FactorSet]) -> None:
    envelope = sign_factor_set(make_set(), KEY, "test-body")
    envelope["factorSet"]["records"][0]["value"] = "0.1956"
    with pytest.raises(DigestMismatch) as info:
        verify_signed_set(envelope, [JWK])
    assert info.value.location.pointer == "/digest"


def test_a_signature_by_another_trusted_key_does_not_verify(make_set: Callable[..., FactorSet]) -> None:
    envelope = sign_factor_set(make_set(), KEY, "test-body")
    forged = sign_factor_set(make_set(), OTHER, "test-body")
    envelope["signatures"][0]["sig"] = forged["signatures"][0]["sig"]
    with pytest.raises(BadSignature) as info:
        verify_signed_set(envelope, [JWK])
    assert info.value.location.pointer == "/signatures/0/sig"


def test_signer_must_own_the_namespace(make_set: Callable[..., FactorSet]) -> None:
    with pytest.raises(WrongSigner):
        sign_factor_set(make_set(), KEY, "someone-else")


def test_a_signed_pack_is_not_a_signed_factor_set() -> None:
    pack_env = sign_pack({"id": "test-body/p", "version": "1.0.0"}, KEY, "test-body")
    with pytest.raises(EnvelopeMalformed) as info:
        verify_signed_set(pack_env, [JWK])
    assert info.value.location.pointer == "/format"


def test_a_validly_signed_broken_set_is_refused_with_pointers_into_the_envelope(
    make_set: Callable[..., FactorSet],
) -> None:
    from registry.factors import ENVELOPE_KIND
    from registry.signed import load_private_key, sign_data

    doc: dict[str, Any] = copy.deepcopy(make_set().to_json())
    doc["records"][1]["year"] = "2024"
    envelope = sign_data(ENVELOPE_KIND, doc, load_private_key(KEY), "test-body")
    with pytest.raises(FactorSetError) as info:
        verify_signed_set(envelope, [JWK])
    assert [p.location.pointer for p in info.value.problems] == ["/factorSet/records/1/year"]


def test_files_sign_and_verify_offline(tmp_path: Path, make_set: Callable[..., FactorSet]) -> None:
    set_file, key_file, keys_file = tmp_path / "set.json", tmp_path / "k.pem", tmp_path / "keys.json"
    set_file.write_bytes(orjson.dumps(make_set().to_json()))
    key_file.write_bytes(KEY)
    keys_file.write_bytes(orjson.dumps({"keys": [JWK]}))
    signed = tmp_path / "signed.json"
    signed.write_bytes(envelope_bytes(sign_set_file(set_file, key_file, "test-body")))
    assert verify_set_file(signed, keys_file).ref == "test-body/fuels@1.0.0"
    with pytest.raises(WrongSigner) as info:
        sign_set_file(set_file, key_file, "other")
    assert info.value.location.file == str(set_file)
