"""Offline verification: every verdict of the fixed sequence, and every single-byte change caught."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_token_fixtures import BASE, NOW, SCOPE, make_claims, make_key, signed_trust

from issuance.errors import GtinError
from issuance.keys import KeyScope, rotate, withdraw
from issuance.model import LabelClaims, Verification, VerifyStatus
from issuance.status_list import MIN_LIST_SIZE, StatusList
from issuance.token import HDR_ALG, HDR_KID, HDR_TYP, TYP_LABEL, encode_claims, sign1, sign_label
from issuance.trust import TrustedKey, TrustList, build_trust_list
from issuance.verify import verify

KEY, PRIVATE = make_key(1)
OTHER, OTHER_PRIVATE = make_key(2, certifier="other-certifier")
GONE, GONE_PRIVATE = make_key(3)
STRANGER, STRANGER_PRIVATE = make_key(4)
LATER = NOW + timedelta(days=1)


def _trust(*keys: Any) -> TrustList:
    records = keys or (KEY, OTHER, withdraw(GONE))
    return signed_trust(build_trust_list(records, now=NOW, issuer="pcf-registry", status_base=BASE))


TRUST = _trust()


def _label(key: Any = KEY, private: Any = PRIVATE, **overrides: Any) -> tuple[bytes, LabelClaims]:
    claims = make_claims(key.kid, **overrides)
    return sign_label(claims, private), claims


def _status(claims: LabelClaims, value: int = 0, size: int = MIN_LIST_SIZE) -> dict[str, StatusList]:
    status_list = StatusList(size)
    if value:
        status_list.set(claims.status_idx, value)
    return {claims.status_uri: status_list}


def _check(token: bytes, expected: VerifyStatus, reason: str | None, **kwargs: Any) -> Verification:
    args: dict[str, Any] = {"trust": TRUST, "status": None, "now": LATER} | kwargs
    result = verify(token, **args)
    assert (result.status, result.reason) == (expected, reason)
    assert result.checked_at == args["now"]
    return result


def test_a_good_label_is_valid_with_its_claims() -> None:
    token, claims = _label()
    result = _check(token, VerifyStatus.VALID, None, status=_status(claims))
    assert result.ok and result.claims == claims
    assert (result.label_id, result.kid) == (claims.label_id, KEY.kid)
    assert result.to_json()["label"]["gtin"] == "09506000134352"


def test_without_its_status_list_a_label_is_valid_status_unknown() -> None:
    token, _claims = _label()
    result = _check(token, VerifyStatus.VALID_STATUS_UNKNOWN, "no_status_list")
    assert not result.ok and result.claims is not None
    assert result.detail and "unknown whether it was revoked" in result.detail
    other_list = {BASE + "/demo-certifier/2": StatusList(8)}
    _check(token, VerifyStatus.VALID_STATUS_UNKNOWN, "no_status_list", status=other_list)
    asked = _check(token, VerifyStatus.VALID, "status_unchecked", check_status=False)
    assert asked.ok and asked.detail and "not checked, as asked" in asked.detail


def test_without_its_status_list_a_product_mismatch_still_shows() -> None:
    token, _claims = _label()
    _check(token, VerifyStatus.OUT_OF_SCOPE, "gtin_mismatch", gtin="4006381333931")


def test_every_single_byte_change_is_caught() -> None:
    token, claims = _label()
    status = _status(claims)
    assert verify(token, trust=TRUST, status=status, now=LATER).ok
    changed = 0
    for position in range(len(token)):
        original = token[position]
        for value in {original ^ 0x01, original ^ 0x80, original ^ 0xFF, (original + 1) % 256}:
            damaged = token[:position] + bytes([value]) + token[position + 1 :]
            result = verify(damaged, trust=TRUST, status=status, now=LATER)
            assert result.status is not VerifyStatus.VALID, (position, value)
            changed += 1
    assert changed >= 4 * len(token) - len(token)  # a few values coincide; every position is hit


def test_a_key_we_do_not_know_is_unknown_not_invalid() -> None:
    token, _ = _label(STRANGER, STRANGER_PRIVATE)
    result = _check(token, VerifyStatus.UNKNOWN, "unknown_kid")
    assert result.claims is None and result.kid == STRANGER.kid


def test_a_signature_by_another_key_under_a_trusted_kid_is_invalid() -> None:
    claims = make_claims(KEY.kid)
    header = {HDR_ALG: -7, HDR_KID: bytes.fromhex(KEY.kid), HDR_TYP: TYP_LABEL}
    forged = sign1(header, encode_claims(claims), STRANGER_PRIVATE)
    result = _check(forged, VerifyStatus.INVALID_SIGNATURE, "bad_signature")
    assert result.claims is None


def test_every_key_sharing_a_kid_is_tried() -> None:
    token, claims = _label()
    real = TRUST.candidates(KEY.kid)[0]
    decoy = TrustedKey(
        *[getattr(real, f) for f in ("kid", "certifier", "scope", "state")],
        real.usage_from,
        real.usage_until,
        None,
        STRANGER.public_key_object(),
    )
    trust = TrustList([decoy, real], status_base=BASE)
    assert verify(token, trust=trust, status=_status(claims), now=LATER).ok


def test_malformed_tokens() -> None:
    result = _check(b"\xd2\x84", VerifyStatus.INVALID_SIGNATURE, "malformed")
    assert result.detail and result.detail.startswith("malformed:")
    assert result.claims is None and result.label_id is None


def test_a_withdrawn_key_invalidates_its_labels() -> None:
    token, _ = _label(GONE, GONE_PRIVATE)
    result = _check(token, VerifyStatus.INVALID_SIGNATURE, "key_withdrawn")
    assert result.claims is not None  # the signature held: show what it claimed


def test_expired() -> None:
    token, claims = _label()
    result = _check(token, VerifyStatus.EXPIRED, "expired", now=claims.expires_at, status=_status(claims))
    assert result.claims == claims
    _check(token, VerifyStatus.VALID, None, now=claims.expires_at - timedelta(seconds=1), status=_status(claims))


@pytest.mark.parametrize(
    ("value", "status", "reason"),
    [
        (1, VerifyStatus.REVOKED, "revoked"),
        (2, VerifyStatus.SUSPENDED, "suspended"),
        (3, VerifyStatus.UNKNOWN, "status_unrecognised"),
    ],
)
def test_status_bits(value: int, status: VerifyStatus, reason: str) -> None:
    token, claims = _label()
    assert _check(token, status, reason, status=_status(claims, value)).claims == claims


def test_an_index_outside_the_list_is_unknown() -> None:
    token, claims = _label()
    _check(token, VerifyStatus.UNKNOWN, "status_index_out_of_range", status=_status(claims, size=1024))


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"scheme": "iso-14067"}, "scheme_out_of_scope"),
        ({"pack": "other-body/aluminium-ingot@1.0.0"}, "pack_out_of_scope"),
        ({"issued_at": NOW - timedelta(days=1)}, "key_not_yet_in_use"),
        ({"issued_at": NOW + timedelta(days=366), "expires_at": NOW + timedelta(days=400)}, "key_usage_ended"),
    ],
)
def test_out_of_scope(overrides: dict[str, Any], reason: str) -> None:
    token, claims = _label(**overrides)
    _check(token, VerifyStatus.OUT_OF_SCOPE, reason, now=claims.issued_at + timedelta(hours=1))


def test_a_key_signs_only_for_its_own_certifier() -> None:
    claims = make_claims(OTHER.kid, issuer="demo-certifier")
    _check(sign_label(claims, OTHER_PRIVATE), VerifyStatus.OUT_OF_SCOPE, "issuer_mismatch")


def test_replayed_on_another_product() -> None:
    token, claims = _label()
    status = _status(claims)
    _check(token, VerifyStatus.OUT_OF_SCOPE, "gtin_mismatch", status=status, gtin="04006381333931")
    _check(token, VerifyStatus.VALID, None, status=status, gtin="9506000134352")  # same product as GTIN-13
    with pytest.raises(GtinError):
        verify(token, trust=TRUST, status=status, now=LATER, gtin="9506000134353")


def test_a_label_issued_in_the_future_is_unknown() -> None:
    token, _claims = _label(issued_at=NOW + timedelta(days=2), expires_at=NOW + timedelta(days=30))
    _check(token, VerifyStatus.UNKNOWN, "issued_in_future", now=NOW + timedelta(days=2) - timedelta(minutes=10))
    _check(
        token, VerifyStatus.VALID_STATUS_UNKNOWN, "no_status_list", now=NOW + timedelta(days=2) - timedelta(minutes=4)
    )


def test_a_verify_only_key_still_verifies_its_old_labels() -> None:
    old_token, old_claims = _label()
    rotated_at = NOW + timedelta(days=30)
    new, new_private, retired = rotate([KEY], "demo-certifier", now=rotated_at, max_label_days=365)
    trust = _trust(new, *retired)
    status = _status(old_claims)
    result = verify(old_token, trust=trust, status=status, now=rotated_at + timedelta(days=10))
    assert result.status is VerifyStatus.VALID and result.kid == KEY.kid
    new_token, new_claims = _label(new, new_private, issued_at=rotated_at, expires_at=rotated_at + timedelta(days=90))
    assert verify(new_token, trust=trust, status=_status(new_claims), now=rotated_at + timedelta(days=1)).ok
    late, _ = _label(issued_at=rotated_at + timedelta(days=1), expires_at=rotated_at + timedelta(days=90))
    assert verify(late, trust=trust, status=status, now=rotated_at + timedelta(days=2)).reason == "key_usage_ended"


def test_a_label_may_not_outlive_its_keys_verify_period() -> None:
    rotated_at = NOW + timedelta(days=30)
    _, _, retired = rotate([KEY], "demo-certifier", now=rotated_at, max_label_days=60)
    token, _ = _label(expires_at=rotated_at + timedelta(days=61))
    result = verify(token, trust=_trust(*retired), status=None, now=NOW + timedelta(days=31))
    assert (result.status, result.reason) == (VerifyStatus.OUT_OF_SCOPE, "exp_beyond_key_validity")


def test_the_first_failing_step_decides() -> None:
    gone_expired, claims = _label(GONE, GONE_PRIVATE)
    _check(gone_expired, VerifyStatus.INVALID_SIGNATURE, "key_withdrawn", now=claims.expires_at + timedelta(days=1))
    outside, claims = _label(scheme="iso-14067")
    _check(outside, VerifyStatus.OUT_OF_SCOPE, "scheme_out_of_scope", status=_status(claims, 1))
    revoked_elsewhere, claims = _label()
    _check(revoked_elsewhere, VerifyStatus.REVOKED, "revoked", status=_status(claims, 1), gtin="04006381333931")


def test_a_narrow_scope_key() -> None:
    scope = KeyScope(schemes=SCOPE.schemes, categories=("example-standards-body/x",))
    narrow, narrow_private = make_key(6, scope=scope)
    token, _ = _label(narrow, narrow_private, pack="example-standards-body/x@2.1.0")
    assert verify(token, trust=_trust(narrow), status=None, now=LATER, check_status=False).status is VerifyStatus.VALID


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_and_never_verify(data: bytes) -> None:
    assert verify(data, trust=TRUST, status=None, now=LATER).status is not VerifyStatus.VALID


# The order n of the P-256 group (SEC 2 v2, section 2.4.2, secp256r1; FIPS 186-4, appendix D.1.2.3).
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def test_signing_writes_low_s_and_a_high_s_twin_is_refused() -> None:
    """Issue 10: (r, n - s) verifies as ECDSA too, so each label had a second, different valid token."""
    for number in range(40):  # ECDSA is randomised: about half of the raw signatures have a high s
        token, claims = _label(status_idx=number)
        s = int.from_bytes(token[-32:], "big")
        assert 0 < s <= P256_N // 2
        twin = token[:-32] + (P256_N - s).to_bytes(32, "big")
        result = verify(twin, trust=TRUST, status=_status(claims), now=LATER)
        assert (result.status, result.reason) == (VerifyStatus.INVALID_SIGNATURE, "malformed")
        assert result.detail and "high_s" in result.detail
