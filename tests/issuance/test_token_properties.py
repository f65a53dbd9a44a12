"""Property tests: claims round-trip through the token, and only TokenError escapes the decoder."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import cbor2
from hypothesis import given, settings
from hypothesis import strategies as st
from test_token_fixtures import BASE, make_key

from issuance.errors import TokenError
from issuance.gtin import check_digit
from issuance.model import Boundary, LabelClaims
from issuance.token import UNIT_CODES, peek, sign_label, status_list_uri, token_from_b64url, token_from_text

KEY, PRIVATE = make_key(5)
TOKEN = sign_label(
    LabelClaims(
        label_id="AAAAAAAAAAAAAAAA",
        issuer="demo-certifier",
        kid=KEY.kid,
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
        expires_at=datetime(2027, 1, 1, tzinfo=UTC),
        gtin="09506000134352",
        grade="B",
        value="2.35",
        declared_unit="1 kilogram",
        boundary=Boundary.CRADLE_TO_GRAVE,
        pack="example-standards-body/aluminium-ingot@1.0.0",
        pack_digest="00" * 8,
        scheme="gb-t-24067",
        declaration_digest="11" * 8,
        status_uri=status_list_uri(BASE, "demo-certifier", 0),
        status_idx=0,
    ),
    PRIVATE,
)

gtins = st.text(alphabet="0123456789", min_size=13, max_size=13).filter(lambda b: b != "0" * 13)
hex16 = st.binary(min_size=8, max_size=8).map(bytes.hex)
decimal = st.from_regex(r"-?(0|[1-9][0-9]{0,6})(\.[0-9]{1,4})?", fullmatch=True)
amounts = st.from_regex(r"(0|[1-9][0-9]{0,4})(\.[0-9]{1,3})?", fullmatch=True)
units = st.one_of(
    st.builds(lambda a, u: f"{a} {u}", amounts, st.sampled_from(sorted(UNIT_CODES))),
    st.text(min_size=1, max_size=30).filter(lambda t: t.partition(" ")[2] not in UNIT_CODES),
)
seconds = st.integers(min_value=0, max_value=4_000_000_000)


@st.composite
def label_claims(draw: st.DrawFn) -> LabelClaims:
    body = draw(gtins)
    issued = draw(seconds)
    issuer = draw(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True))
    return LabelClaims(
        label_id=draw(st.from_regex(r"[A-Z2-7]{16}", fullmatch=True)),
        issuer=issuer,
        kid=KEY.kid,
        issued_at=datetime.fromtimestamp(issued, UTC),
        expires_at=datetime.fromtimestamp(issued, UTC) + timedelta(seconds=draw(st.integers(1, 10**9))),
        gtin=body + str(check_digit(body)),
        batch=draw(st.none() | st.from_regex(r"[!-~]{1,20}", fullmatch=True)),
        grade=draw(st.from_regex(r"[A-Za-z0-9+-]{1,8}", fullmatch=True)),
        value=draw(decimal),
        declared_unit=draw(units),
        boundary=draw(st.sampled_from(list(Boundary))),
        pack=draw(st.from_regex(r"[a-z0-9]{1,10}/[a-z0-9][a-z0-9.-]{0,10}[a-z0-9]@[0-9.]{1,8}", fullmatch=True)),
        pack_digest=draw(hex16),
        scheme=draw(st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?", fullmatch=True)),
        declaration_digest=draw(hex16),
        audit=draw(st.none() | hex16),
        status_uri=status_list_uri(BASE, issuer, draw(st.integers(0, 10**6))),
        status_idx=draw(st.integers(0, 2**32 - 1)),
    )


@settings(max_examples=150, deadline=None)
@given(label_claims())
def test_every_valid_label_round_trips(claims: LabelClaims) -> None:
    kid, decoded = peek(sign_label(claims, PRIVATE), status_base=BASE)
    assert kid == KEY.kid
    assert decoded == claims


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_only_token_errors_escape_on_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(TokenError):
        peek(data)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(0, len(TOKEN) - 1), st.integers(0, 255)), min_size=1, max_size=4))
def test_only_token_errors_escape_on_damaged_tokens(edits: list[tuple[int, int]]) -> None:
    damaged = bytearray(TOKEN)
    for at, value in edits:
        damaged[at] = value
    with contextlib.suppress(TokenError):
        peek(bytes(damaged))


@settings(max_examples=200)
@given(st.recursive(st.integers() | st.text(max_size=5) | st.binary(max_size=5), lambda c: st.lists(c, max_size=3)))
def test_only_token_errors_escape_on_arbitrary_cbor(item: object) -> None:
    with contextlib.suppress(TokenError):
        peek(cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {}, cbor2.dumps(item), b"\x00" * 64])))


@given(st.text(max_size=60))
def test_only_token_errors_escape_from_text_transport(text: str) -> None:
    for decode in (token_from_text, token_from_b64url):
        with contextlib.suppress(TokenError):
            decode(text)


_HALF = st.binary(min_size=32, max_size=32) | st.integers(0, 2**256 - 1).map(lambda n: n.to_bytes(32, "big"))
_LEADING = st.sampled_from([b"", b"\x00", b"\x00\x00", b"\x00\x80", b"\x00\x7f", b"\x80", b"\x01"])


@given(_HALF, _HALF, _LEADING, _LEADING)
def test_der_signature_is_what_encode_dss_signature_writes(r: bytes, s: bytes, r_head: bytes, s_head: bytes) -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from issuance.cose import _der_signature

    r, s = (r_head + r)[:32], (s_head + s)[:32]
    expected = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
    assert _der_signature(r + s) == expected
