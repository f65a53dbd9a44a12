"""Label signing keys: kid, records, scope, rotation, sealing at rest, the master key."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from test_token_fixtures import NOW, SCOPE, make_key, seeded

from issuance.errors import SigningKeyError
from issuance.keys import (
    MASTER_KEY_ENV,
    P256_ORDER,
    KeyScope,
    KeyState,
    SigningKey,
    ensure_master_key,
    generate_signing_key,
    key_can_sign,
    kid_of,
    load_master_key,
    open_private_key,
    rotate,
    seal_private_key,
    withdraw,
)

MASTER = bytes(range(32))


def test_kid_is_the_first_8_bytes_of_sha256_over_der_spki() -> None:
    record, private = make_key(1)
    der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert kid_of(private.public_key()) == hashlib.sha256(der).digest()[:8].hex() == record.kid
    assert len(record.kid) == 16


def test_p256_order_constant_is_the_curve_order() -> None:
    ec.derive_private_key(P256_ORDER - 1, ec.SECP256R1())
    with pytest.raises(ValueError):
        ec.derive_private_key(P256_ORDER, ec.SECP256R1())


def test_generation_is_deterministic_with_a_seeded_source_and_random_without() -> None:
    assert make_key(7)[0].kid == make_key(7)[0].kid != make_key(8)[0].kid
    a, _ = generate_signing_key("demo-certifier", SCOPE, now=NOW)
    b, _ = generate_signing_key("demo-certifier", SCOPE, now=NOW)
    assert a.kid != b.kid


def test_a_new_key_is_active_for_its_usage_period() -> None:
    record, _ = make_key(1, usage_days=30)
    assert record.state is KeyState.ACTIVE
    assert record.alg == "ES256"
    assert record.usage_from == record.created_at == NOW
    assert record.usage_until == NOW + timedelta(days=30)
    assert record.verify_until is None
    assert record.public_pem.startswith("-----BEGIN PUBLIC KEY-----")


@pytest.mark.parametrize(
    "scope", [KeyScope(), KeyScope(schemes=("gb-t-24067",)), KeyScope(categories=("example-standards-body/",))]
)
def test_generation_refuses_an_empty_scope(scope: KeyScope) -> None:
    with pytest.raises(SigningKeyError) as caught:
        generate_signing_key("demo-certifier", scope, now=NOW, rng=seeded(1))
    assert caught.value.reason == "empty_scope"


def test_records_survive_json_and_refuse_a_foreign_kid() -> None:
    record, _ = make_key(1)
    again = SigningKey.model_validate_json(record.model_dump_json())
    assert again == record
    other, _ = make_key(2)
    with pytest.raises(SigningKeyError) as caught:
        SigningKey.parse(record.model_dump() | {"public_key": other.public_key})
    assert "does not match" in caught.value.message


def test_records_refuse_a_non_p256_key() -> None:
    record, _ = make_key(1)
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    der = p384.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(SigningKeyError) as caught:
        SigningKey.parse(record.model_dump() | {"public_key": der, "kid": kid_of(p384)})
    assert caught.value.reason == "wrong_curve"


def test_records_refuse_bad_fields_naming_them() -> None:
    record, _ = make_key(1)
    with pytest.raises(SigningKeyError) as caught:
        SigningKey.parse(record.model_dump() | {"certifier": "Demo Certifier"})
    assert caught.value.location.pointer == "/certifier"
    with pytest.raises(SigningKeyError) as caught:
        SigningKey.parse(record.model_dump() | {"scope": {"schemes": ["GB T"], "categories": []}})
    assert caught.value.location.pointer.startswith("/scope/schemes")


# --- scope and usage ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "pack", "reason"),
    [
        ("gb-t-24067", "example-standards-body/aluminium-ingot", None),
        ("gb-t-24067", "example-standards-body/aluminium-ingot@1.0.0", None),
        ("iso-14067", "example-standards-body/aluminium-ingot", "scheme_out_of_scope"),
        ("gb-t-24067", "other-body/aluminium-ingot", "pack_out_of_scope"),
        ("gb-t-24067", "example-standards-body-2/aluminium-ingot", "pack_out_of_scope"),
    ],
)
def test_key_can_sign_checks_scheme_and_pack(scheme: str, pack: str, reason: str | None) -> None:
    record, _ = make_key(1)
    assert key_can_sign(record, scheme=scheme, pack_id=pack, now=NOW + timedelta(days=1)) == reason


def test_exact_pack_categories_do_not_match_other_packs() -> None:
    scope = KeyScope(schemes=("gb-t-24067",), categories=("example-standards-body/aluminium-ingot",))
    assert scope.refusal(scheme="gb-t-24067", pack="example-standards-body/aluminium-ingot@2.0.0") is None
    assert scope.refusal(scheme="gb-t-24067", pack="example-standards-body/aluminium-ingots") == "pack_out_of_scope"


def test_key_can_sign_checks_state_and_usage_period() -> None:
    record, _ = make_key(1, usage_days=10)
    ok = {"scheme": "gb-t-24067", "pack_id": "example-standards-body/x"}
    assert key_can_sign(record, **ok, now=NOW - timedelta(seconds=1)) == "key_not_yet_in_use"
    assert key_can_sign(record, **ok, now=NOW + timedelta(days=10)) == "key_usage_ended"
    assert key_can_sign(withdraw(record), **ok, now=NOW) == "key_withdrawn"
    retired = rotate([record], "demo-certifier", now=NOW + timedelta(days=1), max_label_days=30, rng=seeded(3))[2][0]
    assert key_can_sign(retired, **ok, now=NOW + timedelta(days=1)) == "key_verify_only"


# --- rotation -----------------------------------------------------------------------------------


def test_rotation_retires_the_active_keys_of_one_certifier_only() -> None:
    old, _ = make_key(1)
    other, _ = make_key(2, certifier="other-certifier")
    when = NOW + timedelta(days=100)
    new, private, retired = rotate([old, other], "demo-certifier", now=when, max_label_days=365, rng=seeded(9))
    assert new.certifier == "demo-certifier" and new.state is KeyState.ACTIVE and new.scope == old.scope
    assert kid_of(private.public_key()) == new.kid != old.kid
    assert [r.kid for r in retired] == [old.kid]
    assert retired[0].state is KeyState.VERIFY_ONLY
    assert retired[0].usage_until == when
    assert retired[0].verify_until == when + timedelta(days=365)


def test_rotation_uses_the_last_label_expiry_when_known() -> None:
    old, _ = make_key(1)
    last = NOW + timedelta(days=200)
    _, _, retired = rotate(
        [old], "demo-certifier", now=NOW + timedelta(days=5), max_label_days=365, last_label_expiry={old.kid: last}
    )
    assert retired[0].verify_until == last


def test_rotation_without_a_key_needs_a_scope() -> None:
    with pytest.raises(SigningKeyError, match="give scope"):
        rotate([], "demo-certifier", now=NOW, max_label_days=365)
    new, _, retired = rotate([], "demo-certifier", now=NOW, max_label_days=365, scope=SCOPE, rng=seeded(4))
    assert retired == [] and new.scope == SCOPE


# --- private keys at rest -----------------------------------------------------------------------


def test_seal_and_open_round_trip() -> None:
    record, private = make_key(1)
    blob = seal_private_key(private, MASTER, kid=record.kid, rng=seeded(11))
    assert blob[0] == 1 and len(blob) > 1 + 12 + 16
    opened = open_private_key(blob, MASTER, kid=record.kid)
    assert opened.private_numbers() == private.private_numbers()


def test_sealing_uses_a_fresh_nonce() -> None:
    record, private = make_key(1)
    assert seal_private_key(private, MASTER, kid=record.kid) != seal_private_key(private, MASTER, kid=record.kid)


def test_wrong_master_key_another_kid_or_altered_bytes_are_refused() -> None:
    record, private = make_key(1)
    other, _ = make_key(2)
    blob = seal_private_key(private, MASTER, kid=record.kid)
    for master, kid, data in [
        (bytes(32), record.kid, blob),
        (MASTER, other.kid, blob),
        (MASTER, record.kid, blob[:-1] + bytes([blob[-1] ^ 1])),
    ]:
        with pytest.raises(SigningKeyError) as caught:
            open_private_key(data, master, kid=kid)
        assert caught.value.reason == "wrong_master_key"
    with pytest.raises(SigningKeyError) as caught:
        open_private_key(b"\x02" + blob[1:], MASTER, kid=record.kid)
    assert caught.value.reason == "bad_blob"
    with pytest.raises(SigningKeyError) as caught:
        open_private_key(blob, MASTER[:16], kid=record.kid)
    assert caught.value.reason == "bad_master_key"


def test_sealing_refuses_a_kid_that_is_not_the_keys() -> None:
    _, private = make_key(1)
    other, _ = make_key(2)
    with pytest.raises(SigningKeyError) as caught:
        seal_private_key(private, MASTER, kid=other.kid)
    assert caught.value.reason == "kid_mismatch"


# --- the master key -----------------------------------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_master_key_from_the_environment(tmp_path: Path) -> None:
    assert load_master_key({MASTER_KEY_ENV: _b64url(MASTER)}, tmp_path) == MASTER
    for bad in (_b64url(MASTER[:31]), "not base64url!"):
        with pytest.raises(SigningKeyError) as caught:
            load_master_key({MASTER_KEY_ENV: bad}, tmp_path)
        assert caught.value.location.pointer == MASTER_KEY_ENV


def test_master_key_file_is_created_0600_once(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError) as caught:
        load_master_key({}, tmp_path)
    assert caught.value.reason == "no_master_key"
    path = ensure_master_key(tmp_path, rng=seeded(1))
    assert path == tmp_path / "secrets" / "master.key"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = load_master_key({}, tmp_path)
    assert len(key) == 32 and key == seeded(1)(32)
    assert ensure_master_key(tmp_path, rng=seeded(2)) == path
    assert load_master_key({}, tmp_path) == key  # never overwritten


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_master_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = ensure_master_key(tmp_path)
    path.chmod(0o644)
    with pytest.raises(SigningKeyError) as caught:
        load_master_key({}, tmp_path)
    assert caught.value.reason == "master_key_permissions"


def test_master_key_file_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    path = ensure_master_key(tmp_path)
    path.write_bytes(b"short")
    with pytest.raises(SigningKeyError) as caught:
        load_master_key({}, tmp_path)
    assert caught.value.reason == "bad_master_key"
