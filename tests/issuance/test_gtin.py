from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from issuance.errors import GtinError
from issuance.gtin import check_digit, is_gtin, normalize_gtin

# Check digits published with GS1 material: the GS1 Digital Link example GTIN 09506000134352,
# and GS1 Germany's calculator examples 629104150021 -> 3 and 123456789012 -> 8 [S2].
KNOWN = [("950600013435", 2), ("629104150021", 3), ("123456789012", 8), ("400638133393", 1)]


@pytest.mark.parametrize(("body", "digit"), KNOWN)
def test_check_digit_matches_published_examples(body: str, digit: int) -> None:
    assert check_digit(body) == digit


@pytest.mark.parametrize(
    ("gtin", "normalized"),
    [
        ("09506000134352", "09506000134352"),  # GTIN-14
        ("6291041500213", "06291041500213"),  # GTIN-13
        ("123456789012", "00123456789012"),  # GTIN-12 (UPC-A)
        ("96385074", "00000096385074"),  # GTIN-8
    ],
)
def test_normalizes_every_length_to_14_digits(gtin: str, normalized: str) -> None:
    assert normalize_gtin(gtin) == normalized
    assert is_gtin(gtin)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("09506000134353", "bad_check_digit"),
        ("0950600013435", "bad_check_digit"),  # 13 digits, so the last one is read as the check digit
        ("950600013435", "bad_check_digit"),
        ("1234567", "bad_length"),
        ("123456789012345", "bad_length"),
        ("0950600013435X", "not_digits"),
        ("０９５０６０００１３４３５２", "not_digits"),  # full-width digits are not ASCII digits
        (" 9506000134352", "not_digits"),
        ("", "bad_length"),
    ],
)
def test_refuses_with_the_field_named(value: str, reason: str) -> None:
    with pytest.raises(GtinError) as caught:
        normalize_gtin(value, field="product_gtin")
    assert caught.value.reason == reason
    assert caught.value.location.pointer == "/product_gtin"
    assert "product_gtin" in caught.value.message
    assert not is_gtin(value)


def test_refuses_non_strings() -> None:
    with pytest.raises(GtinError, match="must be a string"):
        normalize_gtin(9506000134352)


@given(st.text(alphabet="0123456789", min_size=7, max_size=13))
def test_appending_the_check_digit_always_gives_a_valid_gtin(body: str) -> None:
    candidate = body + str(check_digit(body))
    if len(candidate) in (8, 12, 13, 14):
        normalized = normalize_gtin(candidate)
        assert normalized.endswith(candidate) and len(normalized) == 14
        wrong = candidate[:-1] + str((int(candidate[-1]) + 1) % 10)
        assert not is_gtin(wrong)


@given(st.text(max_size=20))
def test_only_gtin_errors_escape(value: str) -> None:
    with contextlib.suppress(GtinError):
        normalize_gtin(value)
