"""Bulk verification writes the same bytes as before its speed work (docs/adr/0033-bulk-verify-speed.md).

A corpus of every kind of line (valid in each text form, forged, expired, revoked, suspended, unknown kid, out of
scope, malformed, unusable) is verified under three configurations; the result lines must equal, byte for byte,
``data/bulk_golden.jsonl``, written by the code before the speed work. The result lines do not depend on the
signature bytes (ECDSA signs with a random nonce), so the tokens are signed afresh on every run.

Regenerate the golden file only when the output is meant to change: ``python tests/issuance/test_bulk_golden.py``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from test_token_fixtures import BASE, NOW, make_claims, make_key, signed_trust

from issuance import Verifier
from issuance.qr import label_url, offline_url
from issuance.status_list import StatusList
from issuance.token import sign_label, token_to_b64url, token_to_text
from issuance.trust import build_trust_list
from issuance.verify import verify

GOLDEN = Path(__file__).parent / "data" / "bulk_golden.jsonl"
KEY, PRIVATE = make_key(1)
STRANGER, STRANGER_PRIVATE = make_key(2)  # not in the trust list
TRUST = signed_trust(build_trust_list([KEY], now=NOW, issuer="pcf-registry", status_base=BASE))
LATER = NOW + timedelta(days=1)
HOST = "https://reg.example.org"


def _token(idx: int, **overrides: Any) -> bytes:
    return sign_label(make_claims(KEY.kid, status_idx=idx, **overrides), PRIVATE)


def _status() -> dict[str, StatusList]:
    status_list = StatusList(131_072)
    status_list.set(11, 1)
    status_list.set(12, 2)
    return {f"{BASE}/demo-certifier/1": status_list}


def _tokens() -> list[bytes]:
    """Labels whose verdicts differ, valid first; every one a distinct token."""
    day = timedelta(days=1)
    return [
        _token(10),
        _token(11),  # revoked
        _token(12),  # suspended
        _token(13, expires_at=NOW + timedelta(hours=1)),  # expired
        _token(14, issued_at=LATER + day, expires_at=LATER + 30 * day),  # issued in the future
        _token(200_000),  # outside its status list
        _token(15, status_uri=f"{BASE}/demo-certifier/2"),  # no status list given for it
        _token(16, scheme="other-scheme"),
        _token(17, pack="other-body/copper@1.0.0"),
        _token(18, issued_at=NOW - 10 * day),  # before the key's usage period
        _token(19, grade=None),
        _token(20, grade="A", catalogue="example-standards-body/grades@1.0.0"),
        _token(21, batch="L2026-117", audit="0f1e2d3c4b5a6978"),
        _token(22, value="14600", declared_unit="1000 kilogram"),
        _token(23, value="-0.125", declared_unit="1 piece"),
        _token(24, gtin="04006381333931"),
        sign_label(make_claims(STRANGER.kid, status_idx=25), STRANGER_PRIVATE),  # unknown kid
    ]


def _forged(token: bytes) -> bytes:
    return token[:-1] + bytes([token[-1] ^ 1])


def corpus() -> list[bytes]:
    """The input lines: every token in three text forms, then lines of every other kind."""
    tokens = _tokens()
    valid = tokens[0]
    text = token_to_text(valid)
    lines = [token_to_text(t).encode() for t in tokens]
    lines += [token_to_b64url(t).encode() for t in tokens]
    lines += [offline_url(HOST, "A" * 16, t).encode() for t in tokens]
    lines += [
        json.dumps(offline_url(HOST, "B" * 16, valid)).encode(),
        json.dumps({"token": token_to_b64url(valid), "id": "sku-1"}).encode(),
        json.dumps({"url": offline_url(HOST, "C" * 16, valid), "gtin": "9506000134352", "id": 7}).encode(),
        json.dumps({"token": text, "gtin": "4006381333931"}).encode(),  # another product
        json.dumps({"url": label_url(HOST, "D" * 16)}).encode(),  # no token
        b"EEEEEEEEEEEEEEEE",  # a label id
        b"",  # blank: skipped, counted
        token_to_b64url(_forged(valid)).encode(),
        token_to_text(_forged(tokens[3])).encode(),
        text[:100].encode(),  # truncated
        text.lower().encode(),  # lower case: read as base64url
        text[:-1].encode() + b"7",  # stray bits
        text[:-3].encode(),  # a length base32 cannot have
        text[:50].encode() + b"0" + text[51:].encode(),  # a digit base32 does not use
        (text + "======").encode(),  # padding
        b"https://reg.example.org/L/AAAAAAAAAAAAAAAA#",  # an empty fragment
        f"{HOST}/L/{'F' * 16}#{text[:40]} {text[40:]}".encode(),  # a space inside
        b"!!!",
        b"A" * 8200,  # too long, base32 letters
        b"a" * 8200,  # too long, base64url letters
        "\u00fc".encode(),
        b"{not json",
        b"[1, 2]",
        b'{"token": 5}',
        b'{"token": "x", "url": "y"}',
        json.dumps({"token": text, "gtin": "123"}).encode(),
        text.encode(),  # a token seen before (the cache)
        f"  {text}\t".encode(),
    ]
    return lines


CONFIGS: dict[str, Callable[[], Verifier]] = {
    "status": lambda: Verifier(TRUST, _status(), now=LATER),
    "no status lists": lambda: Verifier(TRUST, None, now=LATER),
    "status unchecked": lambda: Verifier(TRUST, None, now=LATER, check_status=False),
}


def outputs(chunk: int) -> list[bytes]:
    lines = corpus()
    return [out for make in CONFIGS.values() for out in make().verify_lines(lines, chunk=chunk)]


@pytest.mark.parametrize("chunk", [1, 5, 64])
def test_result_lines_are_the_bytes_written_before(chunk: int) -> None:
    assert outputs(chunk) == GOLDEN.read_bytes().splitlines(keepends=True)


def test_the_corpus_has_every_verdict() -> None:
    verdicts = {json.loads(line)["verdict"] for line in GOLDEN.read_bytes().splitlines()}
    assert verdicts == {
        "valid",
        "valid_status_unknown",
        "revoked",
        "suspended",
        "expired",
        "unknown",
        "invalid_signature",
        "out_of_scope",
        "unusable",
    }


def test_one_by_one_verify_agrees_with_verify() -> None:
    status = _status()
    verifier = Verifier(TRUST, status, now=LATER)
    for token in [*_tokens(), _forged(_token(30)), b"\xd2\x84", b""]:
        assert verifier.verify(token) == verify(token, trust=TRUST, status=status, now=LATER)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_bytes(b"".join(outputs(64)))
