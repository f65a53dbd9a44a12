"""Issue 14 on the consumer page and its human pages, without a browser: the scale, units and dates in the
page's language, the language switch, the log line, landmarks, and the grading and certifier pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from lxml import html
from test_label_svg import CLAIMS

from issuance import (
    AccreditationLine,
    Band,
    CertifierView,
    GradeScale,
    LabelPageView,
    LogLine,
    PackGradingView,
    ScaleBand,
    SchemePolicy,
    Verification,
    VerifyStatus,
    render_certifier_page,
    render_grading_page,
    render_label_page,
)
from issuance.i18n import TEXTS, long_date, per_unit, text_lang
from registry.errors import InputError

CHECKED = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
SCALE = GradeScale(
    bands=(ScaleBand(grade="A", max="4500"), ScaleBand(grade="B", max="8000"), ScaleBand(grade="C")),
    category="Primary aluminium ingot",
    illustrative=True,
)
TONNE = CLAIMS.model_copy(update={"declared_unit": "1000 kilogram", "value": "7900"})


def page(status: VerifyStatus = VerifyStatus.VALID, lang: str = "en", claims: Any = TONNE, **extra: Any) -> Any:
    v = Verification(
        status=status, label_id=CLAIMS.label_id, claims=claims, checked_at=CHECKED, reason=extra.pop("reason", None)
    )
    fields: dict[str, Any] = {"scale": SCALE, "page_path": f"/L/{CLAIMS.label_id}"} | extra
    view = LabelPageView(verification=v, **fields)
    return parse(render_label_page(view, lang=lang))  # type: ignore[arg-type]


def parse(page_html: str) -> Any:
    return html.document_fromstring(page_html)


def words(doc: Any) -> str:
    return " ".join(" ".join(doc.body.itertext()).split())


class TestUnits:
    @pytest.mark.parametrize(
        ("declared", "en", "zh"),
        [
            ("1000 kilogram", "per tonne", "每吨"),
            ("1 kilogram", "per kilogram", "每千克"),
            ("2000 kilogram", "per 2 tonnes", "每 2 吨"),
            ("1 piece", "per piece", "每件"),
            ("1 kilowatt hour", "per kilowatt hour", "每千瓦时"),
            ("1000 megajoule", "per gigajoule", "每吉焦"),
            ("1 cubic meter", "per cubic metre", "每立方米"),
        ],
    )
    def test_declared_units_read_naturally(self, declared: str, en: str, zh: str) -> None:
        """Issue 14: "每 1000 千克" read as "每吨"; pint converts, a table names the unit."""
        assert (per_unit(declared, "en"), per_unit(declared, "zh")) == (en, zh)

    @pytest.mark.parametrize("declared", ["1 furlong", "abc kilogram", "-5 kilogram", "kilogram"])
    def test_an_unknown_unit_is_shown_as_declared(self, declared: str) -> None:
        assert declared in per_unit(declared, "en")

    def test_dates_in_chinese(self) -> None:
        assert long_date(datetime(2026, 12, 7, 23, 0, tzinfo=UTC), "zh") == "2026年12月7日"
        assert long_date(datetime(2026, 12, 7, 23, 0, tzinfo=UTC), "en") == "2026-12-07"

    def test_text_language_of_free_text(self) -> None:
        assert text_lang("审核中") == "zh-Hans" and text_lang("under review") == "en"


class TestScale:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_the_scale_marks_this_label_in_words(self, lang: str) -> None:
        doc = page(lang=lang)
        items = doc.xpath("//section[contains(@class,'scale')]//li")
        assert [li.xpath("string(span[1])") for li in items] == ["A", "B", "C"]
        here = [li for li in items if li.get("class") == "here"]
        assert len(here) == 1 and here[0].get("aria-current") == "true"
        assert TEXTS[lang]["scale.here"] in here[0].text_content()  # type: ignore[index]
        text = words(doc)
        limits = {
            "en": ("up to 4,500", "up to 8,000", "above 8,000"),
            "zh": ("不超过 4,500", "不超过 8,000", "超过 8,000"),
        }
        assert all(limit in text for limit in limits[lang])
        compared = {
            "en": "Compared with other Primary aluminium ingot only.",
            "zh": "仅与其他Primary aluminium ingot比较。",
        }
        assert compared[lang] in text
        assert ("kg CO₂e per tonne" if lang == "en" else "kg CO₂e 每吨") in text

    def test_illustrative_scale_says_so_in_its_heading(self) -> None:
        heading = page().xpath("//section[contains(@class,'scale')]/h2")[0]
        assert heading.text_content() == "Illustrative scale" and heading.get("class") == "illustrative"
        official = page(scale=SCALE.model_copy(update={"illustrative": False}))
        assert official.xpath("//section[contains(@class,'scale')]/h2")[0].text_content() == "Grading scale"

    def test_an_ungraded_label_has_no_scale_and_says_why(self) -> None:
        doc = page(claims=TONNE.model_copy(update={"grade": None, "scheme": "eu-battery"}))
        assert not doc.xpath("//section[contains(@class,'scale')]")
        assert "No scale: The EU Battery Regulation has not yet set" in words(doc)

    def test_a_label_not_valid_now_shows_its_scale_as_stale(self) -> None:
        doc = page(VerifyStatus.REVOKED, reason="revoked")
        assert doc.xpath("//section[contains(@class,'scale') and contains(@class,'stale')]")
        assert not doc.xpath("//li[@aria-current]")
        assert "Reason: withdrawn by the certifier" in words(doc)


class TestPageParts:
    def test_landmarks_and_switch(self) -> None:
        doc = page(grading_url="/v1/rulepacks/a/b/versions/1.0.0/grading", certifier_url="/v1/certifiers/c/page")
        body = doc.body
        assert [child.tag for child in body] == ["header", "main", "footer"]
        switch = body.xpath("header//a")[0]
        assert switch.get("href") == f"/L/{CLAIMS.label_id}?lang=zh" and switch.get("lang") == "zh-Hans"
        assert switch.text_content() == "中文"
        hrefs = [a.get("href") for a in body.xpath("footer//a")]
        assert hrefs == ["/v1/rulepacks/a/b/versions/1.0.0/grading", "/v1/certifiers/c/page"]

    def test_a_catalogue_page_is_the_grading_link_when_there_is_one(self) -> None:
        doc = page(grading_url="/pack", catalogue_url="/v1/catalogues/a/b/versions/1.0.0/page")
        assert [a.get("href") for a in doc.body.xpath("footer//a")] == ["/v1/catalogues/a/b/versions/1.0.0/page"]

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/x"])
    def test_unsafe_page_path_refused(self, url: str) -> None:
        with pytest.raises(InputError) as err:
            page(page_path=url)
        assert err.value.location.pointer == "/page_path"

    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_log_line(self, lang: str) -> None:
        doc = page(lang=lang, log=LogLine(index=41, size=57, proof_url=f"/v1/labels/{CLAIMS.label_id}/log-proof"))
        line = TEXTS[lang]["log"].format(index="41", size="57")  # type: ignore[index]
        assert line in words(doc)
        assert f"/v1/labels/{CLAIMS.label_id}/log-proof" in [a.get("href") for a in doc.iter("a")]
        assert TEXTS[lang]["log.none"] in words(page(lang=lang, log=LogLine()))  # type: ignore[index]

    def test_reason_and_dates_in_chinese(self) -> None:
        text = words(page(VerifyStatus.SUSPENDED, lang="zh", reason="suspended"))
        assert "原因： 认证机构已暂停" in text and "签发日期 2026年6月1日" in text and "每吨" in text
        assert "1000 千克" not in text


GRADING = PackGradingView(
    pack_ref="example-standards-body/aluminium-ingot@1.2.1",
    title="Primary aluminium ingot",
    publisher="Example Standards Body",
    declared_unit="1000 kilogram",
    metric="pcfExcludingBiogenicUptake",
    bands=(Band(grade="A", max="4500", meaning="hydro"), Band(grade="B")),
    basis="Spread around the IAI average.",
    notice="An example pack.",
    page_path="/v1/rulepacks/example-standards-body/aluminium-ingot/versions/1.2.1/grading",
)


class TestHumanPages:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_grading_page(self, lang: str) -> None:
        doc = parse(render_grading_page(GRADING, lang=lang))  # type: ignore[arg-type]
        text = words(doc)
        assert doc.get("lang") == {"en": "en", "zh": "zh-Hans"}[lang]
        assert doc.xpath("string(//h1)") == TEXTS[lang]["grading.title"]  # type: ignore[index]
        assert TEXTS[lang]["grading.illustrative"] in text  # type: ignore[index]
        assert "Example Standards Body" in text and "Spread around the IAI average." in text
        rows = doc.xpath("//tbody/tr")
        assert [r.xpath("string(th)") for r in rows] == ["A", "B"]
        assert ("above 4,500" if lang == "en" else "超过 4,500") in rows[1].text_content()
        assert not doc.xpath("//script") and [c.tag for c in doc.body] == ["header", "main", "footer"]
        assert len(render_grading_page(GRADING, lang=lang).encode()) < 12_000  # type: ignore[arg-type]

    def test_grading_page_of_a_pack_without_bands(self) -> None:
        doc = parse(render_grading_page(GRADING.model_copy(update={"bands": ()})))
        assert "sets no grades" in words(doc) and not doc.xpath("//table")

    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_certifier_page(self, lang: str) -> None:
        line = AccreditationLine(
            ref="cnas/cqc@2",
            body_name="CNAS",
            state="suspended",
            since=date(2026, 9, 1),
            valid_from=date(2026, 1, 1),
            valid_until=date(2029, 1, 1),
            schemes=("GB/T 24067",),
            categories=("hs:7601",),
            regions=("CN",),
            standard="ISO/IEC 17065",
        )
        view = CertifierView(
            org_id="cqc",
            name="China Quality Certification Centre",
            accreditations=(line,),
            policies=(SchemePolicy(scheme="GB/T 24067", policy="labels_stay_valid"),),
            page_path="/v1/certifiers/cqc/page",
        )
        doc = parse(render_certifier_page(view, lang=lang))  # type: ignore[arg-type]
        text = words(doc)
        assert doc.xpath("string(//h1)") == "China Quality Certification Centre"
        for expected in ("CNAS", "cnas/cqc@2", "hs:7601", "CN", "ISO/IEC 17065", "2026-01-01 – 2029-01-01"):
            assert expected in text, expected
        assert TEXTS[lang]["accreditation.suspended"] in text  # type: ignore[index]
        assert TEXTS[lang]["accreditation.policy.labels_stay_valid"] in text  # type: ignore[index]
        assert TEXTS[lang]["certifier.contact.text"] in text  # type: ignore[index]
        assert (
            doc.xpath("//header//a")[0].get("href") == f"/v1/certifiers/cqc/page?lang={'zh' if lang == 'en' else 'en'}"
        )

    def test_unknown_certifier_and_no_accreditation(self) -> None:
        assert "No certifier with this id" in words(parse(render_certifier_page(None)))
        bare = CertifierView(org_id="x", name="X")
        assert "No accreditation of this certifier" in words(parse(render_certifier_page(bare)))


def test_the_catalogue_page_states_its_unit_in_the_page_language() -> None:
    """Issue 14: the catalogue page, linked from the Chinese label page, said "kg CO2e per tonne" in Chinese."""
    import importlib.util
    from pathlib import Path

    from registry.catalogues import Catalogue, render_catalogue_page

    path = Path(__file__).resolve().parent.parent / "catalogues" / "catalogue_support.py"
    spec = importlib.util.spec_from_file_location("catalogue_support_i14", path)
    assert spec is not None and spec.loader is not None
    support: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    zh = words(parse(render_catalogue_page(Catalogue(support.catalogue()), lang="zh")))
    en = words(parse(render_catalogue_page(Catalogue(support.catalogue()), lang="en")))
    assert "kg CO₂e 每吨" in zh and "kg CO₂e per tonne" in en


def _catalogue_support() -> Any:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "catalogues" / "catalogue_support.py"
    spec = importlib.util.spec_from_file_location("catalogue_support_i14", path)
    assert spec is not None and spec.loader is not None
    support: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    return support


@pytest.mark.parametrize(("lang", "other"), [("en", "zh"), ("zh", "en")])
def test_the_catalogue_page_has_the_language_switch_and_landmarks(lang: str, other: str) -> None:
    """Issue 14: the catalogue page was the one human page without the 中文/English switch and landmarks."""
    from registry.catalogues import Catalogue, render_catalogue_page

    support = _catalogue_support()
    path = "/v1/catalogues/example-standards-body/test-grades/versions/1.0.0/page"
    catalogue = Catalogue(support.catalogue(support.fixed_category(), support.benchmark_category()))
    doc = parse(render_catalogue_page(catalogue, lang=lang, path=path))  # type: ignore[arg-type]
    assert [e.tag for e in doc.body] == ["header", "main", "footer"]
    switch = doc.xpath("/html/body/header//p[@class='switch']/a")
    assert len(switch) == 1 and switch[0].get("href") == f"{path}?lang={other}"
    assert switch[0].get("hreflang") == switch[0].get("lang") == {"en": "en", "zh": "zh-Hans"}[other]
    assert switch[0].text == TEXTS[lang]["switch"]
    assert doc.xpath("/html/body/header/h1")[0].text == catalogue.data["title"][lang]
    assert all(th.text_content().strip() for th in doc.xpath("//th"))  # every column has a heading
    no_path = parse(render_catalogue_page(catalogue, lang=lang))  # type: ignore[arg-type]
    assert not no_path.xpath("//*[@class='switch']")  # the CLI's file has no address to switch to


def test_the_chinese_catalogue_page_leaves_no_english_unmarked() -> None:
    """Every Latin word on the Chinese catalogue page is a code, a unit, or the publisher's own text marked
    ``lang="en"``; the page's own words and punctuation are Chinese."""
    from registry.catalogues import Catalogue, render_catalogue_page

    support = _catalogue_support()
    catalogue = Catalogue(support.catalogue(support.fixed_category(), support.benchmark_category()))
    doc = parse(render_catalogue_page(catalogue, lang="zh", path="/x/page"))  # type: ignore[arg-type]
    for marked in doc.xpath('//body//*[@lang="en"] | //code'):
        marked.drop_tree()
    left = words(doc).replace("kg CO₂e", "").replace("HS", "").replace("example-standards-body/aluminium-ingot", "")
    codes = {"CN", "T1", "T2", "T3"}  # a region code and the catalogue's own grade names
    assert not [w for w in left.split() if any("a" <= c.lower() <= "z" for c in w) and w not in codes], left
    assert "（" in left and "(" not in left


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_certifier_page_shows_a_published_contact(lang: str) -> None:
    from issuance import CertifierContact

    contact = CertifierContact(
        email="a@b.example", url="https://b.example/", phone="+86 10 1234", address="路一号\n北京"
    )
    doc = parse(render_certifier_page(CertifierView(org_id="c", name="C", contact=contact), lang=lang))  # type: ignore[arg-type]
    hrefs = [a.get("href") for a in doc.xpath("//main//a")]
    assert hrefs == ["mailto:a@b.example", "https://b.example/", "tel:+86101234"]
    assert doc.xpath("//main//span[@lang='zh-Hans']")[0].text_content() == "路一号北京"  # two lines, <br> between
    assert TEXTS[lang]["certifier.contact.report"] in words(doc)
    assert TEXTS[lang]["certifier.contact.text"] not in words(doc)


def test_a_certifier_contact_with_an_unsafe_link_is_refused() -> None:
    from issuance import CertifierContact
    from issuance.page import PageError

    for url in ("javascript:alert(1)", "/relative"):
        with pytest.raises(PageError):
            render_certifier_page(CertifierView(org_id="c", name="C", contact=CertifierContact(url=url)))
