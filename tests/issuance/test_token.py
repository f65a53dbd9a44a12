"""The label token: layout (RFC 9052 / RFC 8392), size target, deterministic CBOR and strict decoding."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st
from test_token_fixtures import BASE, NOW, make_claims, make_key, seeded

from issuance.errors import TokenError
from issuance.model import Boundary
from issuance.token import (
    CLAIM_LABEL,
    TYP_LABEL,
    det_cbor,
    digest_prefix,
    encode_claims,
    label_id_bytes,
    new_label_id,
    peek,
    sign1,
    sign_label,
    split_status_uri,
    status_list_uri,
    token_from_b64url,
    token_from_text,
    token_to_b64url,
    token_to_text,
)

KEY, PRIVATE = make_key(1)


def _token(**overrides: Any) -> bytes:
    return sign_label(make_claims(KEY.kid, **overrides), PRIVATE)


def _parts(token: bytes) -> tuple[bytes, dict[Any, Any], bytes, bytes]:
    outer = cbor2.loads(token)
    protected, unprotected, payload, signature = outer.value
    return protected, unprotected, payload, signature


def _resign(payload: Any, header: dict[int, Any] | None = None, *, deterministic: bool = True) -> bytes:
    """A token over a crafted claims set, validly signed by KEY."""
    head = header if header is not None else {1: -7, 4: bytes.fromhex(KEY.kid), 16: TYP_LABEL}
    raw = payload if isinstance(payload, bytes) else det_cbor(payload) if deterministic else cbor2.dumps(payload)
    return sign1(head, raw, PRIVATE)


def _claims_map(token: bytes) -> dict[Any, Any]:
    value = cbor2.loads(_parts(token)[2])
    assert isinstance(value, dict)
    return value


# --- layout -------------------------------------------------------------------------------------


def test_round_trip_gives_back_the_claims() -> None:
    claims = make_claims(KEY.kid, batch="L2026-117", audit="0f1e2d3c4b5a6978")
    kid, decoded = peek(sign_label(claims, PRIVATE), status_base=BASE)
    assert kid == KEY.kid
    assert decoded == claims


def test_without_a_status_base_the_status_uri_is_relative() -> None:
    _, decoded = peek(_token())
    assert decoded.status_uri == "demo-certifier/1"


def test_typical_label_meets_the_250_byte_target() -> None:
    token = _token()
    assert len(token) <= 250
    assert len(make_claims(KEY.kid).status_uri) >= 40  # the brief's "status uri of ~40 chars"


def test_tagged_cose_sign1_with_es256_kid_and_typ_in_the_protected_header() -> None:
    token = _token()
    assert token[0] == 0xD2  # tag 18, COSE_Sign1
    protected, unprotected, payload, signature = _parts(token)
    assert cbor2.loads(protected) == {1: -7, 4: bytes.fromhex(KEY.kid), 16: TYP_LABEL}
    assert unprotected == {}
    assert len(signature) == 64
    claims = cbor2.loads(payload)
    assert set(claims) == {1, 4, 6, 7, CLAIM_LABEL}
    assert claims[1] == "demo-certifier"
    assert claims[6] == int(NOW.timestamp()) and claims[4] == int((NOW + timedelta(days=365)).timestamp())
    assert claims[7] == label_id_bytes(make_claims(KEY.kid).label_id)


def test_signature_is_over_the_rfc_9052_sig_structure() -> None:
    """Checked independently of our code: Sig_structure = ["Signature1", protected, h'', payload]."""
    protected, _, payload, signature = _parts(_token())
    tbs = cbor2.dumps(["Signature1", protected, b"", payload])
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    KEY.public_key_object().verify(der, tbs, ec.ECDSA(hashes.SHA256()))  # raises if wrong


def test_label_claim_uses_compact_encodings() -> None:
    label = _claims_map(_token())[CLAIM_LABEL]
    assert label[1] == 9506000134352  # GTIN as an integer
    assert label[5] == 2  # "1 kilogram" -> PACT unit code
    assert label[6] == 0  # cradle-to-gate
    assert label[8] == bytes.fromhex("5f1c0a3e9b7d2c44")
    assert label[12] == [1, 100_000]  # status list number and index


@pytest.mark.parametrize(
    ("unit", "item"),
    [("1 kilogram", 2), ("1000 kilogram", [1000, 2]), ("0.5 liter", ["0.5", 1]), ("1 banana", "1 banana")],
)
def test_declared_units_round_trip(unit: str, item: Any) -> None:
    token = _token(declared_unit=unit)
    assert _claims_map(token)[CLAIM_LABEL][5] == item
    assert peek(token, status_base=BASE)[1].declared_unit == unit


@pytest.mark.parametrize(("value", "item"), [("2.35", "2.35"), ("14600", 14600), ("-3", -3), ("0", 0), ("-0", "-0")])
def test_values_travel_as_integers_when_they_are_integers(value: str, item: Any) -> None:
    token = _token(value=value)
    assert _claims_map(token)[CLAIM_LABEL][4] == item
    assert peek(token)[1].value == value


@pytest.mark.parametrize("boundary", list(Boundary))
def test_boundaries_round_trip(boundary: Boundary) -> None:
    assert peek(_token(boundary=boundary))[1].boundary is boundary


def test_decoded_claims_are_the_same_model_pydantic_would_build() -> None:
    claims = make_claims(KEY.kid, batch="L1", audit="00" * 8)
    _, decoded = peek(sign_label(claims, PRIVATE), status_base=BASE)
    assert type(decoded) is type(claims)
    assert decoded.model_dump() == claims.model_dump()
    assert decoded.model_dump_json() == claims.model_dump_json()
    assert type(decoded).model_validate(decoded.model_dump()) == decoded
    assert decoded.model_fields_set == set(type(claims).model_fields)


# --- deterministic CBOR -------------------------------------------------------------------------


def test_map_keys_follow_rfc_8949_core_deterministic_order() -> None:
    """RFC 8949 section 4.2.1's own example order: 10, 100, -1, "z", "aa"."""
    encoded = det_cbor({"aa": 0, -1: 0, "z": 0, 100: 0, 10: 0})
    assert encoded == bytes.fromhex("a5" + "0a00" + "186400" + "2000" + "617a00" + "62616100")
    assert encoded != cbor2.dumps({"aa": 0, -1: 0, "z": 0, 100: 0, 10: 0}, canonical=True)  # length-first


_KEYS = st.one_of(st.integers(min_value=-(2**64), max_value=2**64 - 1), st.text(max_size=4), st.binary(max_size=4))
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=0, max_value=2**40), st.text(max_size=3)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(_KEYS, _VALUES, max_size=6) | st.dictionaries(st.integers(0, 2**20), _VALUES, max_size=6))
def test_every_map_has_its_keys_in_the_bytewise_order_of_their_encodings(value: dict[Any, Any]) -> None:
    """The oracle is the definition itself (RFC 8949 4.2.1): each key encoded alone, the byte strings sorted;
    unsigned-integer keys (the label maps') take a fast path that must agree with it."""

    def check(item: Any) -> None:
        if isinstance(item, dict):
            encoded = [cbor2.dumps(k) for k in item]
            assert encoded == sorted(encoded)
            for member in item.values():
                check(member)
        elif isinstance(item, list):
            for member in item:
                check(member)

    decoded = cbor2.loads(det_cbor(value))
    check(decoded)
    assert decoded == cbor2.loads(cbor2.dumps(value))  # the same content, only ordered


def test_claims_encoding_is_deterministic() -> None:
    claims = make_claims(KEY.kid)
    assert encode_claims(claims) == encode_claims(make_claims(KEY.kid))
    payload = encode_claims(claims)
    assert det_cbor(cbor2.loads(payload)) == payload


# --- strict decoding ----------------------------------------------------------------------------


def _reason(token: object) -> str:
    with pytest.raises(TokenError) as caught:
        peek(token)
    return caught.value.reason


def test_refuses_what_is_not_a_cose_sign1() -> None:
    token = _token()
    assert _reason("not bytes") == "malformed"
    assert _reason(b"") == "bad_size"
    assert _reason(b"\xd2" * 5000) == "bad_size"
    assert _reason(b"\xff\x00") == "malformed"
    assert _reason(token[1:]) == "not_cose_sign1"  # the untagged array
    assert _reason(cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(token)))) == "not_cose_sign1"  # CWT tag around it
    assert _reason(token[:-1]) == "malformed"


def test_refuses_trailing_bytes_and_long_heads() -> None:
    token = _token()
    assert _reason(token + b"\x00") == "not_deterministic"
    protected, _, payload, signature = _parts(token)
    long_head = b"\xd2\x84" + b"\x58" + bytes([len(protected)]) + protected  # 1-byte length written in 2 bytes
    assert _reason(long_head + b"\xa0" + cbor2.dumps(payload) + cbor2.dumps(signature)) == "not_deterministic"


def test_refuses_an_unprotected_header() -> None:
    protected, _, payload, signature = _parts(_token())
    tampered = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: b"12345678"}, payload, signature]))
    assert _reason(tampered) == "unprotected_header"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({1: -35, 4: b"12345678", 16: TYP_LABEL}, "bad_alg"),
        ({1: "ES256", 4: b"12345678", 16: TYP_LABEL}, "bad_alg"),
        ({1: -7, 4: b"1234", 16: TYP_LABEL}, "bad_kid"),
        ({1: -7, 4: b"12345678", 16: "application/statuslist+cwt"}, "bad_typ"),
        ({1: -7, 4: b"12345678"}, "bad_typ"),
        ({1: -7, 2: [16], 4: b"12345678", 16: TYP_LABEL}, "unknown_header"),
    ],
)
def test_refuses_other_protected_headers(header: dict[int, Any], reason: str) -> None:
    assert _reason(_resign(encode_claims(make_claims(KEY.kid)), header)) == reason


def test_refuses_claims_not_in_deterministic_order() -> None:
    claims = _claims_map(_token())
    reordered = {k: claims[k] for k in (CLAIM_LABEL, 7, 6, 4, 1)}
    assert _reason(_resign(reordered, deterministic=False)) == "not_deterministic"


def test_refuses_non_shortest_integers_in_the_claims() -> None:
    payload = bytearray(_parts(_token())[2])
    at = payload.index(b"\x06\x1a")  # iat: key 6, 4-byte unsigned
    longer = bytes(payload[: at + 1]) + b"\x1b\x00\x00\x00\x00" + bytes(payload[at + 2 :])  # same value, 8 bytes
    assert cbor2.loads(longer) == cbor2.loads(bytes(payload))
    assert _reason(_resign(longer)) == "not_deterministic"
    assert _reason(_resign(bytes(payload) + b"\x00")) == "not_deterministic"  # trailing byte inside the payload


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c.pop(1),  # no iss
        lambda c: c.__setitem__(2, "subject"),  # a claim labels never carry
        lambda c: c[CLAIM_LABEL].__setitem__(1, 9506000134353),  # GTIN with a wrong check digit
        lambda c: c[CLAIM_LABEL].__setitem__(1, "09506000134352"),  # GTIN as text
        lambda c: c[CLAIM_LABEL].__setitem__(4, 2.35),  # value as a float
        lambda c: c[CLAIM_LABEL].__setitem__(5, "1 kilogram"),  # a unit that has a code, written as text
        lambda c: c[CLAIM_LABEL].__setitem__(5, [1, 2]),  # amount 1 written in the long form
        lambda c: c[CLAIM_LABEL].__setitem__(5, ["1000", 2]),  # an integer amount written as text
        lambda c: c[CLAIM_LABEL].__setitem__(4, "14600"),  # an integer value written as text
        lambda c: c[CLAIM_LABEL].__setitem__(4, 10**18),  # beyond the decimal range
        lambda c: c[CLAIM_LABEL].__setitem__(6, 7),  # unknown boundary
        lambda c: c[CLAIM_LABEL].__setitem__(8, b"short"),  # pack digest not 8 bytes
        lambda c: c[CLAIM_LABEL].__setitem__(12, [1]),  # status without index
        lambda c: c[CLAIM_LABEL].__setitem__(14, 1),  # unknown label key
        lambda c: c[CLAIM_LABEL].__setitem__(13, 1),  # a catalogue that is not a reference
        lambda c: (c[CLAIM_LABEL].__setitem__(13, "a/b@1.0.0"), c[CLAIM_LABEL].pop(3)),  # a catalogue, no grade
        lambda c: c[CLAIM_LABEL].__setitem__(3, "<script>"),  # grade outside its alphabet
        lambda c: c.__setitem__(4, c[6]),  # exp not after iat
        lambda c: c.__setitem__(7, b"x" * 12),  # cti not 10 bytes
    ],
)
def test_refuses_bad_claims_even_when_signed(mutate: Any) -> None:
    claims = _claims_map(_token())
    mutate(claims)
    with pytest.raises(TokenError) as caught:
        peek(_resign(claims))
    assert caught.value.reason in {"bad_claims", "not_deterministic"}
    assert caught.value.location.pointer is not None


# --- encoding errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"gtin": "09506000134353"}, "/gtin"),
        ({"value": "2,35"}, "/value"),
        ({"pack_digest": "sha256:5f1c0a3e9b7d2c44"}, "/pack_digest"),
        ({"declaration_digest": "A0B1C2D3E4F50617"}, "/declaration_digest"),
        ({"issued_at": NOW.replace(microsecond=5)}, "/issued_at"),
        ({"issued_at": NOW.replace(tzinfo=None)}, "/issued_at"),
        ({"expires_at": NOW}, "/expires_at"),
        ({"status_uri": "https://reg.example.org/status/other-certifier/1"}, "/status_uri"),
        ({"status_uri": "demo-certifier/1"}, "/status_uri"),
        ({"label_id": "not-a-label-id!!"}, "/label_id"),
        ({"pack": "aluminium-ingot"}, "/pack"),
        ({"batch": "L 1"}, "/batch"),
    ],
)
def test_encoding_refuses_bad_claims_naming_the_field(overrides: dict[str, Any], pointer: str) -> None:
    with pytest.raises(TokenError) as caught:
        _token(**overrides)
    assert caught.value.location.pointer == pointer


def test_sign_refuses_a_key_that_is_not_the_claims_kid() -> None:
    other, other_private = make_key(2)
    with pytest.raises(TokenError) as caught:
        sign_label(make_claims(KEY.kid), other_private)
    assert caught.value.reason == "kid_mismatch"
    assert other.kid in caught.value.message


def test_sign_checks_the_status_base_when_given() -> None:
    sign_label(make_claims(KEY.kid), PRIVATE, status_base=BASE + "/")
    with pytest.raises(TokenError, match="not under"):
        sign_label(make_claims(KEY.kid), PRIVATE, status_base="https://elsewhere.example/status")


def test_status_uri_helpers() -> None:
    uri = status_list_uri(BASE + "/", "demo-certifier", 7)
    assert uri == "https://reg.example.org/status/demo-certifier/7"
    assert split_status_uri(uri, "demo-certifier") == (BASE, 7)
    with pytest.raises(TokenError):
        split_status_uri(uri + "0x", "demo-certifier")


def test_digest_prefix_accepts_the_registry_forms() -> None:
    full = "5f1c0a3e9b7d2c44" + "0" * 48
    assert digest_prefix("sha256:" + full) == digest_prefix(full) == "5f1c0a3e9b7d2c44"
    assert digest_prefix(bytes.fromhex(full)) == "5f1c0a3e9b7d2c44"
    with pytest.raises(TokenError):
        digest_prefix("md5:abc")


# --- label ids and text transport ---------------------------------------------------------------


def test_label_ids_are_16_base32_characters_of_10_random_bytes() -> None:
    ids = {new_label_id(seeded(i)) for i in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[A-Z2-7]{16}", i) for i in ids)
    assert new_label_id(seeded(3)) == new_label_id(seeded(3))
    assert len(label_id_bytes(new_label_id(seeded(3)))) == 10


def test_label_ids_issued_at_a_time_start_with_it_and_stay_apart() -> None:
    """ADR 0038: the time first, so labels issued together are stored together; 6 random bytes after it."""
    at = datetime(2026, 12, 7, 9, 30, 5, 700_000, tzinfo=UTC)
    same_second = [new_label_id(seeded(i), at=at) for i in range(50)]
    raw = [label_id_bytes(i) for i in same_second]
    assert len(set(same_second)) == 50 and all(re.fullmatch(r"[A-Z2-7]{16}", i) for i in same_second)
    assert {r[:4] for r in raw} == {int(at.timestamp()).to_bytes(4, "big")}
    assert {i[:6] for i in same_second} == {same_second[0][:6]}  # one prefix: one place in an index
    assert len({r[4:] for r in raw}) == 50
    later = label_id_bytes(new_label_id(seeded(0), at=at + timedelta(seconds=1)))
    assert max(raw) < later and later[4:] == raw[0][4:]  # the random part is the source's, after the time
    assert new_label_id(seeded(3), at=at) == new_label_id(seeded(3), at=at)
    with pytest.raises(ValueError, match="1970 to 2106"):
        new_label_id(seeded(3), at=datetime(2106, 2, 8, tzinfo=UTC))


def test_text_transport_is_qr_alphanumeric_and_round_trips() -> None:
    token = _token()
    text = token_to_text(token)
    assert re.fullmatch(r"[A-Z2-7]+", text)  # within the QR alphanumeric set, no padding
    assert token_from_text(text) == token
    assert token_from_b64url(token_to_b64url(token)) == token


@pytest.mark.parametrize("text", ["", "abcd", "AB======", "AB", "A", "ABC", "AB CD", "ÄB"])
def test_text_transport_is_strict(text: str) -> None:
    with pytest.raises(TokenError) as caught:
        token_from_text(text)
    assert caught.value.reason == "bad_text"


@pytest.mark.parametrize("text", ["", "a+b/", "AB==", "A", "AB"])
def test_base64url_transport_is_strict(text: str) -> None:
    with pytest.raises(TokenError):
        token_from_b64url(text)


@pytest.mark.parametrize("batch", [None, "L2026-117"])
def test_the_positional_fast_path_agrees_with_the_general_decoder(batch: str | None) -> None:
    from issuance.cose import _sign1_as_we_write_it
    from issuance.token import TYP_LABEL, Sign1, parse_sign1

    token = _token(batch=batch)
    fast = _sign1_as_we_write_it(token, TYP_LABEL)
    assert fast is not None
    protected, unprotected, payload, signature = cbor2.loads(token).value
    assert unprotected == {}
    assert fast == Sign1(protected, cbor2.loads(protected), payload, signature)
    assert list(fast.header.items()) == list(cbor2.loads(protected).items())
    # any other shape is left to the general path: a longer length head, a trailing byte, a text typ
    assert _sign1_as_we_write_it(token + b"\x00", TYP_LABEL) is None
    assert _sign1_as_we_write_it(token, "application/other") is None
    head_at = 21
    longer = token[:head_at] + b"\x59\x00" + token[head_at + 1 :]  # the same payload length in 2 bytes
    assert _sign1_as_we_write_it(longer, TYP_LABEL) is None
    with pytest.raises(TokenError):
        parse_sign1(longer, typ=TYP_LABEL)
