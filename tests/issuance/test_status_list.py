"""Token Status Lists: the draft's worked examples, allocation, signed status list tokens."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_token_fixtures import BASE, NOW, make_claims, make_key, seeded

from issuance.errors import StatusListError
from issuance.keys import withdraw
from issuance.status_list import (
    MIN_LIST_SIZE,
    TYP_STATUS_LIST,
    Status,
    StatusList,
    allocate_indexes,
    parse_status_list_token,
    select_status_lists,
    sign_status_list,
    status_lists_from_tokens,
)
from issuance.token import det_cbor, sign1, sign_label, status_list_uri
from issuance.trust import TrustList

KEY, PRIVATE = make_key(1)
OTHER, OTHER_PRIVATE = make_key(2, certifier="other-certifier")
URI = status_list_uri(BASE, "demo-certifier", 1)
TRUST = TrustList.from_signing_keys([KEY, OTHER], status_base=BASE)
LATER = NOW + timedelta(hours=3)

# draft-ietf-oauth-status-list, section "Status List": 16 one-bit statuses -> bytes 0xB9 0xA3 [S]
ONE_BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
# examples/status_list_encoding2_*: bits=2, byte_array [0xc9, 0x44, 0xf9] [S]; the statuses are read
# from those bytes with the draft's rule (entry 0 in the least significant bits) [I]
TWO_BIT = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


def test_one_bit_example_of_the_draft() -> None:
    status_list = StatusList(16, bits=1)
    for idx, value in enumerate(ONE_BIT):
        status_list.set(idx, value)
    assert status_list.to_bytes() == bytes([0xB9, 0xA3])
    # the one-bit list inside the draft's CWT example (examples/status_list_cwt_diag)
    example = StatusList.from_compressed(bytes.fromhex("78dadbb918000217015d"), 1)
    assert [example.get(i) for i in range(16)] == ONE_BIT


def test_two_bit_example_of_the_draft() -> None:
    status_list = StatusList(12, bits=2)
    for idx, value in enumerate(TWO_BIT):
        status_list.set(idx, value)
    assert status_list.to_bytes() == bytes([0xC9, 0x44, 0xF9])
    assert status_list.compressed() == bytes.fromhex("78da3be9f2130003df0207")
    assert status_list.to_json() == {"bits": 2, "lst": "eNo76fITAAPfAgc"}
    draft_cbor = bytes.fromhex("a2646269747302636c73744b78da3be9f2130003df0207")
    assert cbor2.loads(draft_cbor) == status_list.to_cbor_item()
    assert StatusList.from_json({"bits": 2, "lst": "eNo76fITAAPfAgc"}) == status_list


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_get_and_set_at_every_width(bits: int) -> None:
    size = 64
    status_list = StatusList(size, bits=bits)
    values = [(i * 7 + 3) % (1 << bits) for i in range(size)]
    for idx, value in enumerate(values):
        status_list.set(idx, value)
    assert [status_list.get(i) for i in range(size)] == values
    status_list.set(5, 0)
    assert status_list.get(5) == 0 and status_list.get(4) == values[4] and status_list.get(6) == values[6]
    again = StatusList.from_compressed(status_list.compressed(), bits)
    assert again == status_list and again.size == size


def test_status_values() -> None:
    assert (Status.VALID, Status.INVALID, Status.SUSPENDED) == (0, 1, 2)


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda: StatusList(16, bits=3), "bad_bits"),
        (lambda: StatusList(7, bits=2), "bad_size"),
        (lambda: StatusList(0), "bad_size"),
        (lambda: StatusList(8, bits=2, data=b"\x00"), "bad_size"),
        (lambda: StatusList(8).get(8), "index_out_of_range"),
        (lambda: StatusList(8).get(-1), "index_out_of_range"),
        (lambda: StatusList(8).set(0, 4), "bad_status"),
        (lambda: StatusList.from_compressed(b"not zlib", 2), "bad_lst"),
        (lambda: StatusList.from_compressed(zlib.compress(b"\x00" * 64) + b"x", 2), "bad_lst"),
        (lambda: StatusList.from_compressed(zlib.compress(b""), 2), "bad_lst"),
        (lambda: StatusList.from_compressed(zlib.compress(b"\x00" * 4096), 2, max_bytes=1024), "bad_lst"),
        (lambda: StatusList.from_json({"bits": 2}), "malformed"),
        (lambda: StatusList.from_json({"bits": "2", "lst": "eNo76fITAAPfAgc"}), "malformed"),
    ],
)
def test_refusals(call: Any, reason: str) -> None:
    with pytest.raises(StatusListError) as caught:
        call()
    assert caught.value.reason == reason


# --- allocation ---------------------------------------------------------------------------------


def test_allocation_is_random_distinct_and_avoids_used_indexes() -> None:
    used = set(range(0, 1000, 2))
    got = allocate_indexes(seeded(1), used, 1000, 300)
    assert len(got) == len(set(got)) == 300
    assert not set(got) & used and all(0 <= i < 1000 for i in got)
    assert got == allocate_indexes(seeded(1), used, 1000, 300)
    assert got != sorted(got)
    assert used == set(range(0, 1000, 2))  # not modified


def test_allocation_fills_a_nearly_full_list_exactly() -> None:
    used = set(range(1000)) - {3, 500, 999}
    assert sorted(allocate_indexes(seeded(2), used, 1000, 3)) == [3, 500, 999]
    with pytest.raises(StatusListError) as caught:
        allocate_indexes(seeded(2), used, 1000, 4)
    assert caught.value.reason == "list_full"


def test_allocation_spreads_over_the_whole_list() -> None:
    got = allocate_indexes(seeded(3), set(), MIN_LIST_SIZE, 2000)
    quarters = [sum(1 for i in got if q * MIN_LIST_SIZE // 4 <= i < (q + 1) * MIN_LIST_SIZE // 4) for q in range(4)]
    assert all(400 < q < 600 for q in quarters)


# --- status list tokens -------------------------------------------------------------------------


def _list(*entries: tuple[int, int]) -> StatusList:
    status_list = StatusList(MIN_LIST_SIZE)
    for idx, value in entries:
        status_list.set(idx, value)
    return status_list


def _token(status_list: StatusList | None = None, **kwargs: Any) -> bytes:
    args: dict[str, Any] = {"uri": URI, "now": NOW, "expires_at": NOW + timedelta(days=1), "ttl": 3600}
    return sign_status_list(status_list or _list((7, 1), (9, 2)), PRIVATE, **(args | kwargs))


def test_token_layout_follows_the_draft() -> None:
    outer = cbor2.loads(_token(issuer="demo-certifier"))
    assert outer.tag == 18
    protected, unprotected, payload, _ = outer.value
    assert cbor2.loads(protected) == {1: -7, 4: bytes.fromhex(KEY.kid), 16: "application/statuslist+cwt"}
    assert unprotected == {}
    claims = cbor2.loads(payload)
    assert claims[2] == URI and claims[6] == int(NOW.timestamp()) and claims[65534] == 3600
    assert claims[4] == int((NOW + timedelta(days=1)).timestamp()) and claims[1] == "demo-certifier"
    assert set(claims[65533]) == {"bits", "lst"} and claims[65533]["bits"] == 2
    assert det_cbor(claims) == payload


def test_round_trip() -> None:
    status_list = _list((7, 1), (9, 2), (MIN_LIST_SIZE - 1, 1))
    parsed = parse_status_list_token(_token(status_list), TRUST, now=NOW, uri=URI, certifier="demo-certifier")
    assert parsed == status_list
    assert [parsed.get(i) for i in (6, 7, 9, MIN_LIST_SIZE - 1)] == [0, 1, 2, 1]
    assert status_lists_from_tokens([_token(status_list)], TRUST, now=NOW) == {URI: status_list}


def test_of_several_lists_for_one_uri_the_newest_wins_in_any_order() -> None:
    """Issue 10: the last list given won, so an old list passed after a new one hid a revocation."""
    old = _token(_list((7, 1)), now=NOW + timedelta(hours=1))
    new_list = _list((7, 1), (9, 1))
    new = _token(new_list, now=NOW + timedelta(hours=2))
    other_uri = status_list_uri(BASE, "demo-certifier", 2)
    other = _token(_list((3, 2)), uri=other_uri, now=NOW + timedelta(hours=1))
    for order in ([old, new, other], [new, old, other], [other, old, new]):
        assert status_lists_from_tokens(order, TRUST, now=LATER)[URI] == new_list
        selection = select_status_lists(order, TRUST, now=LATER)
        assert set(selection.lists) == {URI, other_uri} and selection.lists[URI] == new_list
        assert selection.issued_at[URI] == int((NOW + timedelta(hours=2)).timestamp())
        assert [(n.uri, n.reason) for n in selection.notes] == [(URI, "superseded")]


def test_a_list_older_than_one_seen_before_is_refused() -> None:
    """Rollback protection: a replayed list from before a revocation is refused, not used."""
    old = _token(_list((7, 1)), now=NOW + timedelta(hours=1))
    seen = {URI: int((NOW + timedelta(hours=2)).timestamp())}
    with pytest.raises(StatusListError) as caught:
        select_status_lists([old], TRUST, now=LATER, seen=seen)
    assert caught.value.reason == "rollback" and URI in caught.value.message
    same_or_newer = _token(_list((7, 1)), now=NOW + timedelta(hours=2))
    assert select_status_lists([old, same_or_newer], TRUST, now=LATER, seen=seen).lists[URI] == _list((7, 1))


def test_signing_refuses_small_lists_and_bad_times() -> None:
    with pytest.raises(StatusListError, match="herd privacy"):
        sign_status_list(StatusList(1024), PRIVATE, uri=URI, now=NOW)
    with pytest.raises(StatusListError):
        _token(expires_at=NOW)
    with pytest.raises(StatusListError):
        _token(ttl=0)


def _reason(token: object, **kwargs: Any) -> str:
    args: dict[str, Any] = {"now": NOW} | kwargs
    with pytest.raises(StatusListError) as caught:
        parse_status_list_token(token, TRUST, **args)
    return caught.value.reason


def test_parse_refusals() -> None:
    good = _token()
    assert _reason(sign_label(make_claims(KEY.kid), PRIVATE)) == "bad_typ"
    assert _reason(b"junk") == "malformed"
    assert _reason(good[:-1] + bytes([good[-1] ^ 1])) == "bad_signature"
    assert _reason(good, uri=status_list_uri(BASE, "demo-certifier", 2)) == "uri_mismatch"
    assert _reason(good, certifier="other-certifier") == "wrong_signer"
    assert _reason(good, now=NOW + timedelta(days=1)) == "expired"
    assert _reason(good, now=NOW - timedelta(hours=1)) == "not_yet_valid"
    _stranger, stranger_private = make_key(9)
    assert _reason(sign_status_list(_list(), stranger_private, uri=URI, now=NOW)) == "unknown_kid"


def test_a_certifier_cannot_sign_another_certifiers_list() -> None:
    theirs = status_list_uri(BASE, "other-certifier", 1)
    assert _reason(sign_status_list(_list(), PRIVATE, uri=theirs, now=NOW)) == "wrong_signer"
    elsewhere = status_list_uri("https://elsewhere.example/status", "demo-certifier", 1)
    assert _reason(sign_status_list(_list(), PRIVATE, uri=elsewhere, now=NOW)) == "uri_mismatch"


def test_a_rotated_key_signs_no_new_list() -> None:
    from issuance.keys import rotate

    new, new_private, retired = rotate([KEY], "demo-certifier", now=NOW + timedelta(days=10), max_label_days=365)
    trust = TrustList.from_signing_keys([new, *retired], status_base=BASE)
    later = NOW + timedelta(days=11)
    with pytest.raises(StatusListError) as caught:
        parse_status_list_token(_token(now=later, expires_at=None), trust, now=later)
    assert caught.value.reason == "key_not_in_use"
    fresh = sign_status_list(_list(), new_private, uri=URI, now=later)
    assert parse_status_list_token(fresh, trust, now=later, certifier="demo-certifier") == _list()


def test_iss_must_name_the_signer() -> None:
    assert _reason(_token(issuer="other-certifier")) == "wrong_signer"
    assert parse_status_list_token(_token(issuer="demo-certifier"), TRUST, now=NOW) == _list((7, 1), (9, 2))


def test_a_withdrawn_key_signs_no_status_list() -> None:
    trust = TrustList.from_signing_keys([withdraw(KEY)], status_base=BASE)
    with pytest.raises(StatusListError) as caught:
        parse_status_list_token(_token(), trust, now=NOW)
    assert caught.value.reason == "key_withdrawn"


def test_claims_are_checked() -> None:
    header = {1: -7, 4: bytes.fromhex(KEY.kid), 16: TYP_STATUS_LIST}
    item = _list().to_cbor_item()
    base = {2: URI, 6: int(NOW.timestamp()), 65533: item}
    for claims in (
        {k: v for k, v in base.items() if k != 2},  # no sub
        base | {7: b"cti"},  # a claim a status list token does not carry here
        base | {65534: -5},
        base | {65534: 0},
        base | {65533: {"bits": 2}},
        base | {65533: {"bits": 2, "lst": "text"}},
        base | {6: "yesterday"},
    ):
        with pytest.raises(StatusListError) as caught:
            parse_status_list_token(sign1(header, det_cbor(claims), PRIVATE), TRUST, now=NOW)
        assert caught.value.reason in {"bad_claims", "malformed"}


def test_a_compression_bomb_is_refused() -> None:
    bomb = zlib.compress(b"\x00" * (17 * 1024 * 1024), 9)
    header = {1: -7, 4: bytes.fromhex(KEY.kid), 16: TYP_STATUS_LIST}
    claims = {2: URI, 6: int(NOW.timestamp()), 65533: {"bits": 2, "lst": bomb}}
    assert _reason(sign1(header, det_cbor(claims), PRIVATE)) == "bad_lst"


_TIMED = [  # (hours after NOW, list): two lists share an iat, the second has one more entry set
    (1, _list((7, 1))),
    (2, _list((7, 1), (12, 2))),
    (2, _list((7, 1), (12, 2), (13, 1))),
    (4, _list((7, 1), (14, 2))),
]
_TIMED_TOKENS = [_token(lst, now=NOW + timedelta(hours=h)) for h, lst in _TIMED]


@settings(max_examples=50, deadline=None)
@given(st.permutations(range(len(_TIMED_TOKENS))))
def test_the_list_chosen_does_not_depend_on_the_order(order: list[int]) -> None:
    chosen = select_status_lists([_TIMED_TOKENS[i] for i in order], TRUST, now=NOW + timedelta(hours=5))
    assert chosen.lists[URI] == _TIMED[3][1] and len(chosen.notes) == 3
    tied = select_status_lists([_TIMED_TOKENS[i] for i in order if i in (1, 2)], TRUST, now=NOW + timedelta(hours=5))
    assert tied.lists[URI] == _TIMED[2][1]  # same iat and exp: the list with more entries set
