"""The consumer page: both string tables, language choice, every verdict, escaping, links, contrast."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html
from test_label_svg import CLAIMS

from issuance.i18n import LANGS, TEXTS
from issuance.label_svg import OFF_SCALE, contrast, grade_colours
from issuance.model import Verification, VerifyStatus
from issuance.page import (
    _CSS,
    CSS_DARK,
    CSS_LIGHT,
    STATUS_COLOURS,
    STATUS_ICONS,
    LabelPageView,
    pick_language,
    render_label_page,
)
from registry.errors import InputError

CHECKED = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
STATUS_LIST_CHECKED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
WITH_CLAIMS = [s for s in VerifyStatus if s not in (VerifyStatus.INVALID_SIGNATURE, VerifyStatus.UNKNOWN)]


def view(status: VerifyStatus = VerifyStatus.VALID, **overrides: Any) -> LabelPageView:
    claims = None if status in (VerifyStatus.INVALID_SIGNATURE, VerifyStatus.UNKNOWN) else CLAIMS
    verification = Verification(status=status, label_id=CLAIMS.label_id, claims=claims, checked_at=CHECKED)
    args: dict[str, Any] = {
        "verification": verification,
        "product_name": "Oat drink 1 L",
        "certifier_name": "China Quality Certification Centre",
        "pack_title": "Core PCF rules",
        "scheme_title": "GB/T 24067",
        "status_checked_at": STATUS_LIST_CHECKED,
        "grading_url": "/v1/rulepacks/example-standards-body/core/versions/1.2.0/grading",
        "certifier_url": "https://cl.example.org/v1/certifiers/cqc/page",
    }
    args.update(overrides)
    return LabelPageView(**args)


def dom(page: str) -> Any:
    return html.document_fromstring(page)


def shown(page: str) -> str:
    """The body's text, one space between text nodes (dt and dd stay apart)."""
    return " ".join(" ".join(dom(page).body.itertext()).split())


class TestTables:
    def test_same_keys_in_both_languages(self) -> None:
        assert set(TEXTS["en"]) == set(TEXTS["zh"])

    @pytest.mark.parametrize("status", list(VerifyStatus))
    def test_every_status_has_a_verdict_and_help(self, status: VerifyStatus) -> None:
        for lang in LANGS:
            assert TEXTS[lang][f"status.{status.value}"].strip()
            assert TEXTS[lang][f"status.{status.value}.help"].strip()
        assert status in STATUS_COLOURS and status in STATUS_ICONS

    def test_verdicts_differ(self) -> None:
        for lang in LANGS:
            words = [TEXTS[lang][f"status.{s.value}"] for s in VerifyStatus]
            assert len(set(words)) == len(words)
        assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)
        assert len(set(STATUS_ICONS.values())) == len(STATUS_ICONS)

    def test_same_placeholders(self) -> None:
        def fields(s: str) -> set[str]:
            return {name for _, name, _, _ in string.Formatter().parse(s) if name}

        for key, english in TEXTS["en"].items():
            assert fields(english) == fields(TEXTS["zh"][key]), key


class TestPickLanguage:
    @pytest.mark.parametrize(
        ("header", "lang"),
        [
            (None, "en"),
            ("", "en"),
            ("zh", "zh"),
            ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
            ("ZH-hk", "zh"),
            ("zh-Hans", "zh"),
            ("zh-TW", "zh"),
            ("en-US,en;q=0.9,zh;q=0.8", "en"),
            ("fr-FR, zh-TW;q=0.5", "zh"),
            ("fr-FR, de;q=0.5", "en"),
            ("en;q=0.2, zh-Hans;q=0.7", "zh"),
            ("zh;q=0, en;q=0.1", "en"),
            ("zh;q=0", "en"),
            ("en;q=0.5, zh;q=0.5", "en"),
            ("zh;q=0.5, en;q=0.5", "zh"),
            ("zh;q=abc, en;q=0.1", "en"),
            ("zh;q=2", "en"),
            ("*", "en"),
            ("*;q=0.1, zh-CN", "zh"),
            ("zh ; Q=0.8 , en ; q=0.3", "zh"),
            ("zhx, chinese", "en"),
            (",,;;,", "en"),
        ],
    )
    def test_choice(self, header: str | None, lang: str) -> None:
        assert pick_language(header) == lang

    @given(st.text(max_size=200))
    def test_any_header_gives_a_language(self, header: str) -> None:
        assert pick_language(header) in ("en", "zh")


class TestVerdicts:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    @pytest.mark.parametrize("status", list(VerifyStatus))
    def test_each_verdict(self, status: VerifyStatus, lang: str) -> None:
        page = render_label_page(view(status), lang=lang)  # type: ignore[arg-type]
        doc = dom(page)
        assert doc.get("lang") == ("en" if lang == "en" else "zh-Hans")
        h1 = doc.findall(".//h1")
        assert len(h1) == 1 and h1[0].text_content() == TEXTS[lang][f"status.{status.value}"]  # type: ignore[index]
        header = doc.find(".//header")
        assert f"background:{STATUS_COLOURS[status]}" in header.get("style")
        assert header.find("svg").get("aria-hidden") == "true"
        assert TEXTS[lang][f"status.{status.value}.help"] in header.text_content()  # type: ignore[index]
        assert ("2026-07-01 09:30 UTC" if lang == "en" else "2026年7月1日 09:30 UTC") in shown(page)

    def test_valid_page_shows_the_label(self) -> None:
        page = render_label_page(view(), lang="en")
        text = shown(page)
        for expected in (
            "What the label states",
            "Illustrative grade B",
            "2.35 kg CO₂e",
            "per kilogram",
            "Boundary: Cradle to grave",
            "Oat drink 1 L",
            "09506000134352",
            "B-2026-17",
            "China Quality Certification Centre",
            "GB/T 24067 gb-t-24067",
            "Core PCF rules example-standards-body/core@1.2.0",
            "Issued 2026-06-01",
            "Valid until 2027-06-01",
            "Status list checked 2026-07-01 09:00 UTC",
            "MFRGGZDFMZTWQ2LK",
        ):
            assert expected in text, expected
        badge = dom(page).find_class("badge")[0]
        fill, ink = grade_colours("B")
        assert badge.get("style") == f"background:{fill};color:{ink}"
        assert badge.get("aria-label") == "Illustrative grade B"

    def test_an_unknown_label_is_a_counterfeit_warning(self) -> None:
        """Issue 14: an unknown label was shown in a neutral blue as "Unknown label"; it must warn (red or amber)."""
        en, zh = (shown(render_label_page(view(VerifyStatus.UNKNOWN), lang=lang)) for lang in ("en", "zh"))
        assert "Not found: this may be a counterfeit" in en and "未找到：可能是假冒标签" in zh
        assert "compare the product name and gtin" in en.lower() and "产品名称和 GTIN" in zh
        red, green, blue = (int(STATUS_COLOURS[VerifyStatus.UNKNOWN][i : i + 2], 16) for i in (1, 3, 5))
        assert red > 2 * max(green, blue), STATUS_COLOURS[VerifyStatus.UNKNOWN]  # a warm warning, never neutral

    @pytest.mark.parametrize("status", [VerifyStatus.VALID, VerifyStatus.VALID_STATUS_UNKNOWN])
    def test_a_genuine_label_says_to_check_the_product_in_hand(self, status: VerifyStatus) -> None:
        en, zh = (shown(render_label_page(view(status), lang=lang)) for lang in ("en", "zh"))
        assert "Check that this is the product you hold" in en and "请确认这就是您手中的商品" in zh

    def test_chinese_page_translates_units_and_boundary(self) -> None:
        text = shown(render_label_page(view(), lang="zh"))
        assert "每千克" in text and "系统边界：从摇篮到坟墓" in text and "等级 B" in text

    @pytest.mark.parametrize("status", [s for s in WITH_CLAIMS if s is not VerifyStatus.VALID])
    def test_not_valid_shows_past_claims_in_grey(self, status: VerifyStatus) -> None:
        page = render_label_page(view(status, grade_scale=("A", "B", "C")))
        assert "What the label stated (not valid now)" in shown(page)
        assert dom(page).find_class("badge")[0].get("style").startswith(f"background:{OFF_SCALE};")

    @pytest.mark.parametrize("status", [VerifyStatus.INVALID_SIGNATURE, VerifyStatus.UNKNOWN])
    def test_unverified_claims_never_shown(self, status: VerifyStatus) -> None:
        verification = Verification(status=status, claims=CLAIMS, checked_at=CHECKED, detail="bad_signature")
        page = render_label_page(view(status, verification=verification))
        text = shown(page)
        assert "No label details can be shown." in text
        assert CLAIMS.gtin not in text and "2.35" not in text and not dom(page).find_class("badge")

    def test_detail_shown_as_reason(self) -> None:
        verification = Verification(
            status=VerifyStatus.REVOKED, claims=CLAIMS, checked_at=CHECKED, detail="key withdrawn"
        )
        assert "Details: key withdrawn" in shown(render_label_page(view(verification=verification)))

    def test_optional_parts_left_out(self) -> None:
        bare = Verification(status=VerifyStatus.UNKNOWN, checked_at=CHECKED)
        page = render_label_page(LabelPageView(verification=bare))
        assert "<nav" not in page and "Label " not in shown(page) and "Status list" not in shown(page)


class TestSafety:
    def test_hostile_strings_are_text(self) -> None:
        evil = "<script>alert(1)</script>"
        attr = '"><img src=x onerror=alert(1)>'
        claims = CLAIMS.model_copy(update={"batch": evil, "grade": attr})
        verification = Verification(status=VerifyStatus.VALID, claims=claims, checked_at=CHECKED, detail=evil)
        page = render_label_page(view(verification=verification, product_name=evil, certifier_name=attr))
        doc = dom(page)
        assert not doc.findall(".//script") and not doc.findall(".//img")
        assert "<script>" not in page and "<img" not in page
        assert shown(page).count(evil) == 3
        assert doc.find_class("badge")[0].get("aria-label") == f"Illustrative grade {attr}"

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/x", "data:text/html,hi", " vbscript:x"])
    def test_unsafe_links_refused(self, url: str) -> None:
        with pytest.raises(InputError) as err:
            render_label_page(view(certifier_url=url))
        assert err.value.location.pointer == "/certifier_url"
        assert err.value.to_dict()["reason"] == "unsafe_link"

    def test_no_external_assets_or_script(self) -> None:
        page = render_label_page(view())
        doc = dom(page)
        assert not doc.xpath("//script | //link | //img | //iframe | //object | //@src | //@style[contains(., 'url(')]")
        assert "url(" not in _CSS and "@import" not in _CSS
        csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
        assert "default-src 'none'" in csp
        assert doc.xpath("//meta[@name='viewport']/@content") == ["width=device-width,initial-scale=1"]

    def test_unknown_language_refused(self) -> None:
        with pytest.raises(InputError) as err:
            render_label_page(view(), lang="fr")  # type: ignore[arg-type]
        assert err.value.location.pointer == "/lang"


class TestAccessibility:
    @pytest.mark.parametrize("status", list(VerifyStatus))
    def test_verdict_colour_contrast_with_white(self, status: VerifyStatus) -> None:
        assert contrast(STATUS_COLOURS[status], "#ffffff") >= 4.5

    def test_text_colours_contrast(self) -> None:
        colours = re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", CSS_LIGHT)
        assert len(colours) >= 4
        for colour in colours:
            assert contrast(colour, "#ffffff") >= 4.5, colour
            assert contrast(colour, "#f2f4f7") >= 4.5, colour

    def test_dark_mode_text_colours_contrast(self) -> None:
        """Issue 14: dark mode by prefers-color-scheme, every text colour at least 4.5:1 on both dark grounds."""
        assert CSS_DARK.startswith("@media (prefers-color-scheme:dark){") and CSS_DARK in _CSS
        colours = re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", CSS_DARK)
        grounds = re.findall(r"background:(#[0-9a-f]{6})", CSS_DARK)
        assert len(colours) >= 4 and set(grounds) == {"#0b1220", "#1a2333"}
        for colour in colours:
            for ground in grounds:
                assert contrast(colour, ground) >= 4.5, (colour, ground)

    def test_headings_in_order(self) -> None:
        doc = dom(render_label_page(view()))
        levels = [int(el.tag[1]) for el in doc.iter("h1", "h2", "h3")]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in pairwise(levels))
