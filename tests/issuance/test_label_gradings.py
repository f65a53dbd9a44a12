"""Issue 13: a label's grade comes from an authority's catalogue, from the pack's illustrative bands, or is
absent. The token format grew compatibly: tokens of label format 1 (before issue 13, always graded from
the pack's bands) still decode and verify, byte for byte, and mean "illustrative"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cbor2
import pytest
from lxml import etree, html
from test_label_svg import CLAIMS, render
from test_page import view
from test_token import _claims_map, _resign
from test_token_fixtures import BASE, NOW, make_claims, make_key
from test_verify import TRUST, _status

from issuance.errors import TokenError
from issuance.model import Grading, Verification, VerifyStatus
from issuance.page import render_label_page
from issuance.token import encode_claims, peek, sign_label
from issuance.verify import verify

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tokens"
KEY, PRIVATE = make_key(1)
SVG = "{http://www.w3.org/2000/svg}"
CATALOGUE = "national-authority/steel-grades@1.0.0"


def _old(name: str) -> bytes:
    return bytes.fromhex((FIXTURES / name).read_text().strip())


@pytest.mark.parametrize("name", ["label-format-1-graded.hex", "label-format-1-batch-audit.hex"])
def test_tokens_of_label_format_1_still_verify_and_mean_illustrative(name: str) -> None:
    token = _old(name)  # signed by the code before issue 13 (tests/fixtures/tokens)
    _, claims = peek(token, status_base=BASE)
    result = verify(token, trust=TRUST, status=_status(claims), now=NOW)
    assert result.status is VerifyStatus.VALID
    assert result.claims is not None and result.claims.grade == "B"
    assert result.claims.catalogue is None and result.claims.grading is Grading.ILLUSTRATIVE
    assert result.to_json()["label"]["grading"] == "illustrative"
    assert encode_claims(result.claims) == cbor2.loads(token).value[2]  # the same bytes as before


@pytest.mark.parametrize(
    ("overrides", "grading"),
    [({"grade": None}, Grading.UNGRADED), ({"catalogue": CATALOGUE}, Grading.CATALOGUE), ({}, Grading.ILLUSTRATIVE)],
)
def test_each_grading_round_trips_and_verifies(overrides: dict[str, Any], grading: Grading) -> None:
    claims = make_claims(KEY.kid, **overrides)
    token = sign_label(claims, PRIVATE)
    assert peek(token, status_base=BASE)[1] == claims and claims.grading is grading
    result = verify(token, trust=TRUST, status=_status(claims), now=NOW)
    assert result.status is VerifyStatus.VALID and result.claims == claims
    label = _claims_map(token)[-65537]
    assert (3 in label, 13 in label) == (claims.grade is not None, claims.catalogue is not None)


def test_a_catalogue_without_a_grade_is_refused_both_ways() -> None:
    with pytest.raises(TokenError) as e:
        encode_claims(make_claims(KEY.kid, grade=None, catalogue=CATALOGUE))
    assert e.value.location.pointer == "/catalogue"
    claims = _claims_map(sign_label(make_claims(KEY.kid, catalogue=CATALOGUE), PRIVATE))
    del claims[-65537][3]
    with pytest.raises(TokenError) as e:
        peek(_resign(claims))
    assert e.value.reason == "bad_claims"


# --- the printed label --------------------------------------------------------------------------------


def _svg(**update: Any) -> Any:
    return etree.fromstring(render(claims=CLAIMS.model_copy(update=update)).encode())


def _texts(root: Any) -> str:
    return " ".join(p.get("data-text") for p in root.iter(f"{SVG}path") if p.get("class") == "text")


@pytest.mark.parametrize(("lang", "word"), [("en", "Illustrative"), ("zh", "示意")])
def test_printed_illustrative_word_is_as_large_as_the_grade(lang: str, word: str) -> None:
    root = etree.fromstring(render(lang=lang).encode())
    grade = root.find(f".//{SVG}g[@class='grade']/{SVG}g/{SVG}path")
    shown = [p for p in root.iter(f"{SVG}path") if p.get("data-text") == word]
    assert grade is not None and grade.get("data-text") == "B" and len(shown) == 1
    assert shown[0].get("data-size") == grade.get("data-size")


def test_printed_catalogue_grade_names_its_catalogue_and_is_not_illustrative() -> None:
    root = _svg(catalogue=CATALOGUE)
    text = _texts(root)
    assert CATALOGUE in text and "Illustrative" not in text
    assert root.find(f".//{SVG}g[@class='grade']/{SVG}g/{SVG}path").get("data-size") == "150"


@pytest.mark.parametrize(
    ("lang", "scheme", "words"),
    [
        ("en", "eu-battery", ("No grade", "performance classes")),
        ("zh", "eu-battery", ("无等级", "性能等级")),
        ("en", "gb-t-24067", ("No grade", "sets no grades")),
    ],
)
def test_printed_ungraded_label_says_no_grade_in_its_schemes_words(
    lang: str, scheme: str, words: tuple[str, ...]
) -> None:
    claims = CLAIMS.model_copy(update={"grade": None, "scheme": scheme})
    root = etree.fromstring(render(claims=claims, lang=lang).encode())
    text = _texts(root)
    assert all(w in text for w in words) and "Illustrative" not in text
    assert root.get("aria-label", "").find("None") == -1


# --- the consumer page ----------------------------------------------------------------------------


def _page(claims_update: dict[str, Any], lang: str = "en", **overrides: Any) -> Any:
    claims = CLAIMS.model_copy(update=claims_update)
    base = view(**overrides)
    verification = Verification(status=VerifyStatus.VALID, label_id=claims.label_id, claims=claims, checked_at=NOW)
    return html.document_fromstring(
        render_label_page(base.model_copy(update={"verification": verification}), lang=lang)
    )  # type: ignore[arg-type]


def test_page_illustrative_word_has_the_grade_size() -> None:
    doc = _page({})
    assert doc.find_class("badge")[0].get("class") == "badge illustrative"
    assert doc.find_class("grade-word")[0].get("class") == "grade-word illustrative"
    assert ".badge.illustrative,.grade-word.illustrative{font-size:2.2rem" in render_label_page(view())


@pytest.mark.parametrize(
    ("lang", "words"), [("en", ("No grade", "performance classes")), ("zh", ("无等级", "性能等级"))]
)
def test_page_of_an_ungraded_label(lang: str, words: tuple[str, ...]) -> None:
    doc = _page({"grade": None, "scheme": "eu-battery"}, lang)
    text = " ".join(doc.body.text_content().split())
    assert all(w in text for w in words) and "None" not in text and "llustrative" not in text


def test_page_of_a_catalogue_grade_links_the_catalogue() -> None:
    doc = _page({"catalogue": CATALOGUE}, catalogue_url="/catalogues/national-authority/steel-grades/1.0.0")
    text = " ".join(doc.body.text_content().split())
    assert "Grade B" in text and CATALOGUE in text and "llustrative" not in text
    assert "/catalogues/national-authority/steel-grades/1.0.0" in [a.get("href") for a in doc.iter("a")]


@pytest.mark.parametrize(
    ("transition", "words"),
    [
        ({"current": "a/b@1.1.0", "policy": "keep-until-expiry"}, "stays valid until the label expires"),
        (
            {"current": "a/b@1.1.0", "policy": "regrade-by", "by": "2026-09-30", "overdue": False},
            "re-graded by 2026-09-30",
        ),
        ({"current": "a/b@1.1.0", "policy": "regrade-by", "by": "2026-09-30", "overdue": True}, "has not been"),
    ],
)
def test_page_says_what_a_newer_catalogue_version_means_for_the_grade(transition: dict[str, Any], words: str) -> None:
    from issuance import transition_text

    doc = _page({"catalogue": CATALOGUE}, grading_transition=transition_text("en", transition))
    assert words in " ".join(doc.body.text_content().split())
    assert transition_text("zh", transition) and transition_text("en", None) is None
