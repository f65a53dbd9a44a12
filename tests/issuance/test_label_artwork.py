"""Issue 14, the printed label: outlined text from the bundled font, the variants, the QR module floor, PDF.

Rendering in real renderers (Chromium, librsvg, poppler) and scanning back: tests/browser/test_printed_label.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from test_label_svg import CLAIMS, URL, parse, render, text_paths, texts, x_extent

from issuance.label_pdf import render_label_pdf
from issuance.label_svg import MIN_MODULE_MM, ModuleTooSmall, module_mm, render_label_artwork
from issuance.outline import FONT_FILES, UnprintableText, check_printable, fit, measure, outline
from issuance.qr import offline_url

OFFLINE = offline_url("https://cl.example.org", CLAIMS.label_id, bytes(range(250)))  # a version 13 code


def y_values(d: str) -> list[float]:
    ys: list[float] = []
    for command, args in re.findall(r"([MLCQHVZ])([^MLCQHVZ]*)", d):
        numbers = [float(n) for n in args.split()]
        ys.extend(numbers if command == "V" else numbers[1::2] if command in "MLCQ" else [])
    return ys


def artwork(**overrides: Any) -> Any:
    args: dict[str, Any] = {"qr_url": URL, "certifier_name": "C", "pack_title": "P", "lang": "en"}
    args.update(overrides)
    return render_label_artwork(args.pop("claims", CLAIMS), **args)


class TestOutlines:
    def test_widths_are_the_fonts_advance_widths(self) -> None:
        font = TTFont(str(FONT_FILES[False]))
        cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
        expected = sum(metrics[cmap[ord(ch)]][0] for ch in "碳 Ab1") / 1000 * 30
        assert measure("碳 Ab1", 30) == pytest.approx(expected)

    def test_the_bundled_fonts_stay_small(self) -> None:
        assert sum(path.stat().st_size for path in FONT_FILES.values()) < 3_000_000

    @pytest.mark.parametrize("ch", ["碳", "中", "é", "…", "：", "A"])
    def test_label_characters_are_printable(self, ch: str) -> None:
        check_printable(ch, "certifier_name")

    @pytest.mark.parametrize("ch", ["\U0001f600", "\u0e01", "\x07", "\ufffd", "\u0151"])
    def test_a_character_the_font_lacks_is_refused_by_name(self, ch: str) -> None:
        with pytest.raises(UnprintableText) as err:
            check_printable(f"ab{ch}", "certifier_name")
        assert err.value.character == ch and f"U+{ord(ch):04X}" in err.value.message
        assert err.value.location.pointer == "/certifier_name" and "position 2" in err.value.message

    @pytest.mark.parametrize("ch", list("堃燊珺喆犇䶮昇玥琇镕燋崀砄𫔎俍叇郿坰瑖鬘傕觃"))
    def test_name_characters_outside_gb2312_from_the_general_standard_table_are_printable(self, ch: str) -> None:
        # Characters of the Table of General Standard Chinese Characters (2013) that GB 2312 lacks: company and
        # personal names use them (堃, 燊, 喆 ...); the first ten are common in names, the rest a random sample.
        assert ch.encode("gb2312", errors="replace") == b"?"
        check_printable(f"山东{ch}业有限公司", "certifier_name")
        check_printable(ch, "certifier_name", bold=True)  # drawn from the regular font when bold lacks it

    def test_gb2312_hanzi_and_the_label_vocabulary_are_all_there(self) -> None:
        hanzi = "".join(
            bytes([0xB0 + r, 0xA1 + c]).decode("gb2312", errors="ignore") for r in range(0, 72) for c in range(94)
        )
        assert len(hanzi) == 3755 + 3008
        check_printable(hanzi, "pack_title")
        from issuance.i18n import TEXTS

        for table in TEXTS.values():
            for value in table.values():
                check_printable(value, "text", bold=True)

    def test_every_bundled_pack_title_and_scheme_title_is_printable(self) -> None:
        """The scheme's name is printed (issue 14): a bundled pack whose title the font lacks would fail to print."""
        from registry.crosswalk import load_crosswalks
        from registry.packs.catalog import Catalog

        for pack in Catalog.bundled().packs():
            for lang in ("en", "zh"):
                check_printable(pack.data["title"][lang], "pack_title")
        for scheme in load_crosswalks().schemes.values():
            check_printable(str(scheme.title), "scheme")

    def test_subscript_two_is_a_smaller_lowered_two_not_a_box(self) -> None:
        two, sub = outline("2", 0, 100, 40), outline("₂", 0, 100, 40)
        assert two != sub and sub.startswith("M")
        assert max(y_values(sub)) > max(y_values(two))  # lowered (SVG y grows downwards)
        assert max(y_values(sub)) - min(y_values(sub)) < 0.7 * (max(y_values(two)) - min(y_values(two)))  # smaller

    def test_fit_lowers_the_size_before_cutting(self) -> None:
        value = "Carbon footprint label"
        natural = measure(value, 40)
        shown, size = fit(value, 40, natural * 0.9, min_size=30)
        assert shown == value and size < 40 and measure(shown, size) <= natural * 0.9 + 1e-6
        shown, size = fit(value, 40, natural * 0.5, min_size=30)
        assert shown.endswith("…") and size == 30 and measure(shown, size) <= natural * 0.5

    @settings(max_examples=80, deadline=None)
    @given(
        st.text(alphabet=st.sampled_from("Aa Il1WMm.,-碳足迹标签中国质量认证：（）…"), min_size=1, max_size=60),
        st.floats(10, 80),
        st.floats(40, 900),
    )
    def test_a_fitted_line_never_overflows(self, value: str, size: float, width: float) -> None:
        shown, used = fit(value, size, width, min_size=size * 0.75)
        assert size * 0.75 - 1e-9 <= used <= size
        assert shown == value or shown.endswith("…")
        if shown != "…":  # the ellipsis alone is the last resort, even when wider
            assert measure(shown, used) <= width + 1e-6


class TestVariants:
    def test_small_is_smaller_with_the_same_content(self) -> None:
        small, regular = artwork(variant="small"), artwork()
        assert (small.width_mm, small.height_mm) == (60, 34) and (regular.width_mm, regular.height_mm) == (90, 52)
        assert set(texts(parse(small.svg))) == set(texts(parse(regular.svg)))

    def test_mono_uses_black_and_white_only(self) -> None:
        svg = artwork(variant="mono", lang="zh").svg
        colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', svg))
        assert colours == {"#000000", "#ffffff"}
        assert set(re.findall(r"#[0-9a-fA-F]{6}", artwork().svg)) - {"#000000", "#ffffff"}  # the regular has colour

    @pytest.mark.parametrize("variant", ["regular", "small", "mono"])
    def test_the_scale_is_under_the_grade_with_this_grade_marked(self, variant: str) -> None:
        root = parse(artwork(variant=variant, grade_scale=("A", "B", "C", "D", "E")).svg)
        badge = root.find(".//{*}g[@class='grade']/{*}rect")
        boxes = root.findall(".//{*}g[@class='scale']/{*}rect")
        assert len(boxes) == 5 and [b.get("data-mine") for b in boxes] == [None, "1", None, None, None]
        badge_bottom = float(badge.get("y")) + float(badge.get("height"))
        assert all(float(b.get("y")) >= badge_bottom for b in boxes)
        letters = [p.get("data-text") for p in root.findall(".//{*}g[@class='scale']//{*}path")]
        assert letters == ["A", "B", "C", "D", "E"]

    def test_an_ungraded_label_has_no_scale(self) -> None:
        root = parse(artwork(claims=CLAIMS.model_copy(update={"grade": None})).svg)
        assert root.find(".//{*}g[@class='scale']") is None and "No grade" in texts(root)

    def test_unknown_variant_refused(self) -> None:
        with pytest.raises(Exception) as err:
            artwork(variant="huge")
        assert err.value.location.pointer == "/variant"  # type: ignore[attr-defined]


class TestModuleSize:
    def test_module_size_from_version_and_print_size(self) -> None:
        assert module_mm(3, 24) == pytest.approx(24 / 37)
        assert module_mm(13, 24) == pytest.approx(24 / 77) and module_mm(13, 24) < MIN_MODULE_MM

    @pytest.mark.parametrize("variant", ["regular", "small", "mono"])
    def test_url_codes_print_at_the_variants_own_size(self, variant: str) -> None:
        art = artwork(variant=variant)
        assert not art.enlarged and art.module_mm >= MIN_MODULE_MM and art.qr_version <= 4

    @pytest.mark.parametrize(("variant", "width"), [("regular", 95.3), ("small", 82.9)])
    def test_an_offline_code_enlarges_the_label_to_the_floor(self, variant: str, width: float) -> None:
        art = artwork(variant=variant, qr_url=OFFLINE)
        assert art.qr_version == 13 and art.enlarged and art.width_mm == width
        assert MIN_MODULE_MM <= art.module_mm < MIN_MODULE_MM + 0.001
        assert f'width="{width:g}mm"' in art.svg and "0.33 mm" in art.notes[0]

    def test_an_explicit_width_too_small_is_refused_with_the_minimum(self) -> None:
        with pytest.raises(ModuleTooSmall) as err:
            artwork(qr_url=OFFLINE, width_mm=90)
        assert err.value.min_width_mm == 95.3 and err.value.location.pointer == "/width_mm"
        assert "at least 95.3 mm wide" in err.value.message and err.value.module_mm < MIN_MODULE_MM

    def test_a_larger_width_is_allowed(self) -> None:
        art = artwork(qr_url=OFFLINE, width_mm=120)
        assert art.width_mm == 120 and art.height_mm == pytest.approx(120 * 52 / 90, abs=0.01)
        assert art.module_mm == pytest.approx(24 * 120 / 90 / 77, abs=1e-4) and not art.enlarged


class TestPdf:
    def test_vector_pdf_at_the_printed_size_with_no_text(self) -> None:
        art = artwork(lang="zh", qr_url=OFFLINE)
        pdf = render_label_pdf(art)
        assert pdf.startswith(b"%PDF-")
        box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert box is not None
        assert float(box.group(1)) == pytest.approx(art.width_mm * 72 / 25.4, abs=0.01)
        assert float(box.group(2)) == pytest.approx(art.height_mm * 72 / 25.4, abs=0.01)
        assert render_label_pdf(art) == pdf  # reproducible bytes

    def test_the_outlines_of_the_svg_are_within_its_view_box(self) -> None:
        root = parse(render(lang="zh", certifier_name="中国质量认证中心" * 6))
        width = float(root.get("viewBox").split()[2])
        for path in text_paths(root):
            left, right = x_extent(path.get("d"))
            assert left >= 0 and right <= width, path.get("data-text")


def _box(d: str) -> tuple[float, float, float, float]:
    left, right = x_extent(d)
    ys = y_values(d)
    return left, min(ys), right, max(ys)


def _rect_box(el: Any) -> tuple[float, float, float, float]:
    x, y = float(el.get("x")), float(el.get("y"))
    return x, y, x + float(el.get("width")), y + float(el.get("height"))


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


GRADINGS = {
    "illustrative": {},
    "catalogue": {"catalogue": "national-authority/steel-grades@2.0.0"},
    "ungraded": {"grade": None, "scheme": "eu-battery"},
}


@pytest.mark.parametrize("variant", ["regular", "small", "mono"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("grading", sorted(GRADINGS))
@pytest.mark.parametrize("kind", ["url", "offline"])
def test_the_layout_is_fixed_nothing_overlaps_or_leaves_the_label(
    variant: str, lang: str, grading: str, kind: str
) -> None:
    """Every text's drawn outline (its control-point box, a little larger than the ink) stays inside the label's
    border and apart from every other text, the badge and the QR code, with long names in both languages."""
    claims = CLAIMS.model_copy(update=GRADINGS[grading])
    art = artwork(
        claims=claims,
        variant=variant,
        lang=lang,
        qr_url=URL if kind == "url" else OFFLINE,
        certifier_name="中国质量认证中心 China Quality Certification Centre " * 3,
        pack_title="电解（原铝）铝锭，每吨，从摇篮到大门 Electrolytic aluminium ingot " * 3,
        grade_scale=("A", "B", "C", "D", "E", "F", "G"),
    )
    root = parse(art.svg)
    width, height = (float(n) for n in root.get("viewBox").split()[2:])
    paths = [(p.get("data-text"), _box(p.get("d"))) for p in text_paths(root)]
    for name, box in paths:
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, name
    for i, (name, box) in enumerate(paths):
        for other, other_box in paths[i + 1 :]:
            assert not _overlap(box, other_box), (name, other)
    qr = _rect_box(root.find(".//{*}g[@class='qr']/{*}rect"))
    badge = _rect_box(root.find(".//{*}g[@class='grade']/{*}rect"))
    on_boxes = root.findall(".//{*}g[@class='scale']//{*}path")  # the scale letters sit on their boxes
    on_boxes += root.findall(".//{*}g[@class='grade']/{*}path")  # "No grade" inside its dashed box
    on_boxes += root.findall(".//{*}g[@class='grade']/{*}g[@fill]/{*}path")  # the grade letter on its badge
    for p in text_paths(root):
        if p in on_boxes:
            continue
        box = _box(p.get("d"))
        assert not _overlap(box, qr) and not _overlap(box, badge), p.get("data-text")
