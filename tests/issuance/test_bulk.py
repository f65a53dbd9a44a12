"""Bulk offline verification (issue 14): one Verifier, many lines, one result a line in order, bad lines named."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from test_token_fixtures import BASE, NOW, make_claims, make_key, signed_trust

from issuance import Verifier
from issuance.bulk import UNUSABLE, claims_json, token_of
from issuance.model import VerifyStatus
from issuance.qr import label_url, offline_url
from issuance.status_list import StatusList
from issuance.token import sign_label, token_to_b64url, token_to_text
from issuance.trust import build_trust_list
from issuance.verify import verify

KEY, PRIVATE = make_key(1)
TRUST = signed_trust(build_trust_list([KEY], now=NOW, issuer="pcf-registry", status_base=BASE))
LATER = NOW + timedelta(days=1)
HOST = "https://reg.example.org"


def _token(idx: int, **overrides: Any) -> bytes:
    return sign_label(make_claims(KEY.kid, status_idx=idx, **overrides), PRIVATE)


def _status(revoked: int, suspended: int) -> dict[str, StatusList]:
    status_list = StatusList(131_072)
    status_list.set(revoked, 1)
    status_list.set(suspended, 2)
    return {f"{BASE}/demo-certifier/1": status_list}


def _results(verifier: Verifier, lines: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(out) for out in verifier.verify_lines(lines)]


def test_every_kind_of_line_gives_one_result_in_order() -> None:
    good, revoked, suspended = _token(10), _token(11), _token(12)
    expired = _token(13, expires_at=NOW + timedelta(hours=1))
    genuine = _token(14)
    forged = genuine[:-1] + bytes([genuine[-1] ^ 1])  # the signature altered
    lines = [
        token_to_b64url(good).encode(),
        token_to_text(revoked).encode(),
        b"",  # blank: skipped, but counted
        json.dumps(offline_url(HOST, "A" * 16, suspended)).encode(),
        json.dumps({"token": token_to_b64url(expired), "id": "sku-4"}).encode(),
        token_to_b64url(forged).encode(),
        json.dumps({"url": label_url(HOST, "B" * 16)}).encode(),
        json.dumps({"token": token_to_b64url(good), "gtin": "4006381333931"}).encode(),
    ]
    results = _results(Verifier(TRUST, _status(11, 12), now=LATER), lines)
    assert [(r["line"], r["verdict"]) for r in results] == [
        (1, "valid"),
        (2, "revoked"),
        (4, "suspended"),
        (5, "expired"),
        (6, "invalid_signature"),
        (7, "unknown"),
        (8, "out_of_scope"),
    ]
    assert results[0]["reasons"] == [] and results[0]["label"]["status_idx"] == 10
    assert results[1]["reasons"][0]["code"] == "revoked" and results[1]["label_id"]
    assert results[3]["id"] == "sku-4" and results[3]["reasons"][0]["code"] == "expired"
    assert results[4]["reasons"][0]["code"] == "bad_signature" and "label" not in results[4]
    assert results[5]["reasons"][0]["code"] == "no_token" and results[5]["label_id"] == "B" * 16
    assert "/v1/labels:verify" in results[5]["reasons"][0]["message"]
    assert results[6]["reasons"][0]["code"] == "gtin_mismatch"


def test_bad_lines_are_results_naming_their_line_never_a_crash() -> None:
    lines = [b"{not json", b"[1, 2]", b'{"token": 5}', b'{"token": "x", "url": "y"}', "ü".encode(), b"!!!"]
    lines.append(json.dumps({"token": token_to_b64url(_token(1)), "gtin": "123"}).encode())
    results = _results(Verifier(TRUST, None, now=LATER), lines)
    assert [r["line"] for r in results] == list(range(1, 8))
    for r in results[:5]:
        assert r["verdict"] == UNUSABLE and r["reasons"][0]["code"] == "bad_line"
        assert r["reasons"][0]["message"].startswith(f"line {r['line']}: ")
    assert results[5]["verdict"] == "invalid_signature" and results[5]["reasons"][0]["code"] == "malformed"
    assert results[6]["verdict"] == UNUSABLE and results[6]["reasons"][0]["code"] == "bad_length"


def test_the_verifier_agrees_with_verify_also_when_a_token_repeats() -> None:
    status = _status(11, 12)
    verifier = Verifier(TRUST, status, now=LATER, cache_size=2)
    tokens = [_token(i) for i in (10, 11, 12, 10, 11, 13, 10)]
    for token in tokens + tokens:
        assert verifier.verify(token) == verify(token, trust=TRUST, status=status, now=LATER)
    expired_later = verifier.verify(tokens[0], now=NOW + timedelta(days=400))
    assert expired_later.status is VerifyStatus.EXPIRED  # a cached signature never caches the verdict
    assert len(verifier._signers) <= 2 and len(verifier._repeated) <= 2


def test_claims_json_is_what_pydantic_writes() -> None:
    result = Verifier(TRUST, None, now=LATER, check_status=False).verify(_token(3, batch="L-7"))
    assert result.claims is not None and result.status is VerifyStatus.VALID
    expected = result.claims.model_dump(mode="json")
    written = json.loads(
        next(Verifier(TRUST, None, now=LATER).verify_lines([token_to_b64url(_token(3, batch="L-7")).encode()]))
    )
    assert written["label"] == expected
    assert claims_json(result.claims)["grading"] == expected["grading"]


def test_token_of_reads_every_text_form() -> None:
    token = _token(5)
    for text in (token_to_b64url(token), token_to_text(token), offline_url(HOST, "C" * 16, token)):
        assert token_of(f"  {text}\n") == token


def test_what_looks_like_base32_is_what_the_pattern_says() -> None:
    import re

    from issuance.bulk import _looks_base32

    pattern = re.compile(r"[A-Z2-7]+")
    for text in ("ABC234", "234567", "ABC", "abc", "AB0", "AB1", "AB8", "AB9", "AB-", "AB_", "AÄ", "Ab", "A B", "7"):
        assert _looks_base32(text) == bool(pattern.fullmatch(text)), text


def test_each_distinct_token_has_its_signature_checked_once(monkeypatch: Any) -> None:
    import issuance.bulk

    checked: list[bytes] = []
    real = issuance.bulk.signature_step

    def counting(decoded: Any, trust: Any, now: Any) -> Any:
        checked.append(decoded.sign1.payload)
        return real(decoded, trust, now)

    monkeypatch.setattr(issuance.bulk, "signature_step", counting)
    first, second = _token(1), _token(2)
    lines = [token_to_text(t).encode() for t in (first, second, first, first, second, first)]
    verifier = Verifier(TRUST, None, now=LATER)
    results = _results(verifier, lines[:3]) + _results(verifier, lines[3:])
    assert [r["verdict"] for r in results] == ["valid_status_unknown"] * 6
    assert len(checked) == 2
    assert verifier.verify(first).status is VerifyStatus.VALID_STATUS_UNKNOWN and len(checked) == 2
