"""The trust list: JWKS building, strict parsing with pointers, expiry, registry signature, kid candidates."""

from __future__ import annotations

import base64
import contextlib
import copy
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from test_token_fixtures import BASE, NOW, REGISTRY, REGISTRY_KEYS, REGISTRY_RAW, make_key, signed_trust

from issuance.errors import TrustListError
from issuance.keys import KeyState, withdraw
from issuance.trust import TrustedKey, TrustList, build_trust_list, key_jwk, sign_trust_list
from registry.packs.signing import key_id

ACTIVE, _ = make_key(1)
OTHER, _ = make_key(2, certifier="other-certifier")
WITHDRAWN = withdraw(make_key(3)[0])


def _doc() -> dict[str, Any]:
    return build_trust_list([ACTIVE, OTHER, WITHDRAWN], now=NOW, issuer="pcf-registry", status_base=BASE + "/")


def _pointer(doc: Any, *, sign: bool = True, **kwargs: Any) -> tuple[str | None, str]:
    """Where and why parsing refuses ``doc`` (signed by the registry first, unless ``sign`` is False)."""
    kwargs.setdefault("registry_keys", REGISTRY_KEYS)
    with pytest.raises(TrustListError) as caught:
        TrustList.from_json(sign_trust_list(doc, REGISTRY) if sign else doc, **kwargs)
    return caught.value.location.pointer, caught.value.reason


def test_jwks_members() -> None:
    doc = _doc()
    assert doc["format"] == "pcf-registry/trust-list/1.0"
    assert doc["status_base"] == BASE
    assert doc["issued_at"] == "2026-06-30T00:00:00Z" and doc["expires_at"] == "2026-07-01T00:00:00Z"
    jwk = next(k for k in doc["keys"] if k["kid"] == ACTIVE.kid)
    expected = {"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig"}
    assert {k: jwk[k] for k in expected} == expected
    assert jwk["certifier"] == "demo-certifier" and jwk["state"] == "active" and jwk["verify_until"] is None
    assert jwk["scope"] == {"schemes": ["gb-t-24067"], "categories": ["example-standards-body/"]}
    numbers = ACTIVE.public_key_object().public_numbers()
    x = base64.urlsafe_b64decode(jwk["x"] + "=")
    y = base64.urlsafe_b64decode(jwk["y"] + "=")
    assert len(x) == len(y) == 32  # RFC 7518 section 6.2.1.2: full coordinate size
    assert (int.from_bytes(x, "big"), int.from_bytes(y, "big")) == (numbers.x, numbers.y)


def test_round_trip_keeps_every_key_and_state() -> None:
    trust = signed_trust(_doc(), now=NOW)
    assert len(trust) == 3 and trust.status_base == BASE and trust.issuer == "pcf-registry"
    [key] = trust.candidates(ACTIVE.kid)
    assert (key.certifier, key.state, key.scope) == (ACTIVE.certifier, KeyState.ACTIVE, ACTIVE.scope)
    assert (key.usage_from, key.usage_until, key.verify_until) == (ACTIVE.usage_from, ACTIVE.usage_until, None)
    assert key.public_key.public_numbers() == ACTIVE.public_key_object().public_numbers()
    assert trust.candidates(WITHDRAWN.kid)[0].state is KeyState.WITHDRAWN
    assert trust.candidates("0123456789abcdef") == []
    assert trust.status_uri("demo-certifier", 4) == BASE + "/demo-certifier/4"


def test_from_signing_keys_matches_from_json() -> None:
    direct = TrustList.from_signing_keys([ACTIVE, OTHER, WITHDRAWN], status_base=BASE)
    parsed = signed_trust(_doc())
    assert sorted(direct.keys(), key=lambda k: k.kid) == sorted(parsed.keys(), key=lambda k: k.kid)


def test_a_kid_is_a_hint_every_key_with_it_is_a_candidate() -> None:
    a, b = (TrustedKey.from_signing_key(k) for k in (ACTIVE, OTHER))
    kid = "00000000000000aa"
    twin = TrustedKey(kid, b.certifier, b.scope, b.state, b.usage_from, b.usage_until, None, b.public_key)
    first = TrustedKey(kid, a.certifier, a.scope, a.state, a.usage_from, a.usage_until, None, a.public_key)
    trust = TrustList([first, twin], status_base=BASE)
    assert [k.certifier for k in trust.candidates(kid)] == ["demo-certifier", "other-certifier"]


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [
        (lambda d: d.pop("keys"), "/keys"),
        (lambda d: d.__setitem__("format", "pcf-registry/trust-list/2.0"), "/format"),
        (lambda d: d["keys"][0].__setitem__("d", "AAAA"), "/keys/0"),
        (lambda d: d["keys"][1].__setitem__("crv", "P-384"), "/keys/1/crv"),
        (lambda d: d["keys"][0].__setitem__("alg", "none"), "/keys/0/alg"),
        (lambda d: d["keys"][0].__setitem__("x", d["keys"][0]["x"][:-1]), "/keys/0/x"),
        (lambda d: d["keys"][0].__setitem__("usage_until", "2026-06-30"), "/keys/0/usage_until"),
        (lambda d: d["keys"][0].__setitem__("state", "revoked"), "/keys/0/state"),
        (lambda d: d["keys"][0]["scope"].__setitem__("categories", ["Example/"]), "/keys/0/scope/categories/0"),
        (lambda d: d.__setitem__("status_base", "ftp://x"), "/status_base"),
    ],
)
def test_schema_violations_name_the_place(mutate: Any, pointer: str) -> None:
    doc = _doc()
    mutate(doc)
    assert _pointer(doc)[0] == pointer


def test_a_point_off_the_curve_is_refused() -> None:
    doc = _doc()
    doc["keys"][0]["y"] = doc["keys"][1]["y"]
    assert _pointer(doc) == ("/keys/0/x", "bad_key")


def test_a_kid_that_is_not_the_keys_is_refused() -> None:
    doc = _doc()
    doc["keys"][0]["kid"] = doc["keys"][1]["kid"]
    assert _pointer(doc) == ("/keys/0/kid", "kid_mismatch")


def test_expired_or_future_lists_are_refused_given_a_time() -> None:
    doc = _doc()
    signed_trust(doc, now=NOW + timedelta(hours=23))
    assert _pointer(doc, now=NOW + timedelta(days=1))[1] == "expired"
    assert _pointer(doc, now=NOW - timedelta(seconds=1))[1] == "not_yet_valid"


def test_registry_signature() -> None:
    signed = sign_trust_list(_doc(), REGISTRY)
    assert TrustList.from_json(signed, registry_keys=REGISTRY_KEYS, now=NOW)
    assert sign_trust_list(signed, REGISTRY)["signatures"] == signed["signatures"]  # replaced, not added
    tampered = copy.deepcopy(signed)
    tampered["keys"][0]["state"] = "verify-only"
    assert _pointer(tampered, sign=False) == ("/signatures", "bad_signature")
    assert _pointer(_doc(), sign=False) == ("/signatures", "unsigned")
    stranger = Ed25519PrivateKey.from_private_bytes(bytes(32))
    assert _pointer(sign_trust_list(_doc(), stranger), sign=False)[1] == "bad_signature"


def test_a_trust_list_is_never_used_without_the_pinned_registry_key() -> None:
    """Issue 10: a list with an attacker's key appended after signing, or with no signature, was used."""
    signed = sign_trust_list(_doc(), REGISTRY)
    with pytest.raises(TypeError):
        TrustList.from_json(signed)  # type: ignore[call-arg]  # no trust root: no trust list
    appended = copy.deepcopy(signed)
    appended["keys"].append(key_jwk(make_key(9, certifier="demo-certifier")[0]))
    assert _pointer(appended, sign=False) == ("/signatures", "bad_signature")
    stranger = Ed25519PrivateKey.from_private_bytes(bytes(32))
    resigned = sign_trust_list(appended, stranger)  # the attacker's own signature beside the registry's
    assert _pointer(resigned, sign=False) == ("/signatures", "bad_signature")


def test_a_list_older_than_one_seen_before_is_refused() -> None:
    assert signed_trust(_doc(), now=NOW, seen_issued_at=NOW)
    assert _pointer(_doc(), now=NOW, seen_issued_at=NOW + timedelta(seconds=1)) == ("/issued_at", "rollback")


def test_signature_does_not_verify_as_a_plain_jcs_signature() -> None:
    """The domain tag keeps a trust-list signature from passing for a signature over the bare JSON."""
    from registry.canonical import canonical_json

    signed = sign_trust_list(_doc(), REGISTRY)
    body = {k: v for k, v in signed.items() if k != "signatures"}
    sig = base64.urlsafe_b64decode(signed["signatures"][0]["sig"] + "==")
    assert not REGISTRY_KEYS.get(key_id(REGISTRY_RAW))[0].verifies(sig, canonical_json(body))


def test_not_a_json_object() -> None:
    assert _pointer([1, 2])[0] == ""
    doc = _doc()
    doc["keys"][0]["scope"]["schemes"] = {"gb-t-24067"}  # a set is not JSON
    with pytest.raises(TrustListError):
        TrustList.from_json(doc, registry_keys=REGISTRY_KEYS)


def test_keys_must_be_p256_points_not_other_curves() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key().public_numbers()
    doc = _doc()
    doc["keys"][0]["x"] = base64.urlsafe_b64encode(p384.x.to_bytes(48, "big")[:32]).decode().rstrip("=")
    assert _pointer(doc)[1] in {"bad_key", "malformed"}


@settings(max_examples=200)
@given(st.data())
def test_only_trust_list_errors_escape(data: st.DataObject) -> None:
    doc = _doc()
    key = data.draw(st.sampled_from(["format", "issuer", "issued_at", "expires_at", "status_base", "keys"]))
    doc[key] = data.draw(st.none() | st.integers() | st.text(max_size=30) | st.lists(st.text(max_size=5), max_size=2))
    with contextlib.suppress(TrustListError):
        signed_trust(doc, now=NOW)
