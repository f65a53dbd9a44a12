"""The printable SVG label: well-formed and self-contained, the texts present (as outlines), the QR decodable.

The QR is read back out of the SVG path, drawn to a bitmap with Pillow and decoded with
zxing-cpp; tests/browser/test_printed_label.py renders whole labels in Chromium, librsvg and as PDF.
Texts are outlines: each text path says what it draws in ``data-text``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image, ImageDraw

from issuance.label_svg import GRADES, OFF_SCALE, PALETTE, contrast, grade_colours, render_label_svg
from issuance.model import Boundary, LabelClaims
from issuance.outline import UnprintableText, check_printable
from issuance.qr import QRCapacityError, label_url, make_qr, matrix, offline_url
from registry.errors import InputError

SVG = "{http://www.w3.org/2000/svg}"
CLAIMS = LabelClaims(
    label_id="MFRGGZDFMZTWQ2LK",
    issuer="cqc",
    kid="0123456789abcdef",
    issued_at=datetime(2026, 6, 1, tzinfo=UTC),
    expires_at=datetime(2027, 6, 1, tzinfo=UTC),
    gtin="09506000134352",
    batch="B-2026-17",
    grade="B",
    value="2.35",
    declared_unit="1 kilogram",
    boundary=Boundary.CRADLE_TO_GRAVE,
    pack="example-standards-body/core@1.2.0",
    pack_digest="ab" * 8,
    scheme="gb-t-24067",
    declaration_digest="cd" * 8,
    status_uri="https://cl.example.org/status/1",
    status_idx=5,
)
URL = label_url("https://cl.example.org", CLAIMS.label_id)
CERTIFIER = "China Quality Certification Centre"
PACK_TITLE = "Core PCF rules"


def render(**overrides: Any) -> str:
    args: dict[str, Any] = {"qr_url": URL, "certifier_name": CERTIFIER, "pack_title": PACK_TITLE, "lang": "en"}
    args.update(overrides)
    claims = args.pop("claims", CLAIMS)
    return render_label_svg(claims, **args)


def parse(svg: str) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(svg.encode(), parser)


def text_paths(root: Any) -> list[Any]:
    return [p for p in root.iter(f"{SVG}path") if p.get("class") == "text"]


def texts(root: Any) -> list[str]:
    return [p.get("data-text") for p in text_paths(root)]


def x_extent(d: str) -> tuple[float, float]:
    """The smallest and largest x of an outline's absolute path data (pairs of numbers after M, L, C)."""
    xs: list[float] = []
    for command, args in re.findall(r"([MLCQHVZ])([^MLCQHVZ]*)", d):
        numbers = [float(n) for n in args.split()]
        if command == "H":
            xs.extend(numbers)
        elif command in "MLCQ":
            xs.extend(numbers[0::2])
    return min(xs), max(xs)


def qr_modules(root: Any) -> set[tuple[int, int]]:
    path = root.find(f".//{SVG}g[@class='qr']/{SVG}path")
    dark: set[tuple[int, int]] = set()
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d")):
        dark.update((int(x) + i, int(y)) for i in range(int(w)))
    return dark


def decode_modules(dark: set[tuple[int, int]], size: int, px: int = 6) -> Any:
    image = Image.new("L", (size * px, size * px), 255)
    draw = ImageDraw.Draw(image)
    for x, y in dark:
        draw.rectangle((x * px, y * px, (x + 1) * px - 1, (y + 1) * px - 1), fill=0)
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    return found[0]


class TestDocument:
    def test_parses_without_network_or_entities(self) -> None:
        root = parse(render())
        assert root.tag == f"{SVG}svg"
        assert root.get("viewBox") == "0 0 900 520"
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"

    def test_self_contained(self) -> None:
        svg = render()
        root = parse(svg)
        tags = {el.tag for el in root.iter()}
        assert tags <= {f"{SVG}{t}" for t in ("svg", "title", "rect", "g", "path")}
        assert "href" not in svg and "url(" not in svg and "@import" not in svg
        assert all("font-face" not in (el.text or "") for el in root.iter())

    def test_no_fonts_and_no_stretching(self) -> None:
        """Issue 14: nothing depends on a font installed where the label is printed, nothing is squeezed."""
        svg = render(lang="zh")
        assert "<text" not in svg and "font-family" not in svg and "textLength" not in svg
        assert all(p.get("d").startswith("M") for p in text_paths(parse(svg)))

    def test_english_texts(self) -> None:
        shown = texts(parse(render()))
        assert "B" in shown
        assert "2.35 kg CO₂e" in shown
        assert "per 1 kilogram" in shown
        assert "Cradle to grave" in shown
        assert f"Certified by: {CERTIFIER}" in shown
        assert f"Scheme: {PACK_TITLE}" in shown
        assert "Batch: B-2026-17" in shown
        assert not any("example-standards-body/core" in t for t in shown)  # the scheme's name, not the pack id
        assert "Valid until: 2027-06-01" in shown
        assert "Scan to verify" in shown
        assert URL in shown

    def test_chinese_texts(self) -> None:
        root = parse(render(lang="zh"))
        shown = texts(root)
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans"
        assert "每 1 千克" in shown
        assert "从摇篮到坟墓" in shown
        assert "有效期至：2027-06-01" in shown
        assert f"认证机构：{CERTIFIER}" in shown
        assert f"认证方案：{PACK_TITLE}" in shown
        assert "批次：B-2026-17" in shown
        assert "扫码验证" in shown

    def test_no_batch_no_batch_line(self) -> None:
        shown = texts(parse(render(claims=CLAIMS.model_copy(update={"batch": None}))))
        assert not any(t.startswith("Batch") for t in shown)


class TestQr:
    def test_qr_is_paths_that_decode_to_the_url(self) -> None:
        root = parse(render())
        code = make_qr(URL)
        modules = matrix(code)
        dark = qr_modules(root)
        expected = {(x + 4, y + 4) for y, row in enumerate(modules) for x, on in enumerate(row) if on}
        assert dark == expected
        found = decode_modules(dark, len(modules) + 8)
        assert found.text == URL
        assert found.extra["Version"] == "3"

    def test_offline_url_encoded_whole_and_printed_short(self) -> None:
        url = offline_url("https://cl.example.org", CLAIMS.label_id, bytes(range(250)))
        root = parse(render(qr_url=url))
        assert decode_modules(qr_modules(root), int(make_qr(url, kind="offline").version) * 4 + 17 + 8).text == url
        shown = texts(root)
        assert URL in shown and url not in shown

    def test_too_long_for_any_budget(self) -> None:
        with pytest.raises(QRCapacityError):
            render(qr_url=offline_url("https://cl.example.org", CLAIMS.label_id, bytes(400)))


def test_unknown_language_refused() -> None:
    with pytest.raises(InputError) as err:
        render(lang="fr")
    assert err.value.location.pointer == "/lang"


class TestGradeColours:
    @pytest.mark.parametrize(
        ("grade", "scale", "fill"),
        [
            ("A", GRADES, PALETTE[0]),
            ("D", GRADES, PALETTE[3]),
            ("G", GRADES, PALETTE[6]),
            ("A", ("A", "B", "C", "D", "E"), PALETTE[0]),
            ("E", ("A", "B", "C", "D", "E"), PALETTE[6]),
            ("C", ("A", "B", "C", "D", "E"), PALETTE[3]),
            ("A", ("A",), PALETTE[0]),
            ("Z", GRADES, OFF_SCALE),
        ],
    )
    def test_band_picks_the_fill(self, grade: str, scale: tuple[str, ...], fill: str) -> None:
        assert grade_colours(grade, scale)[0] == fill

    @pytest.mark.parametrize("fill", [*PALETTE, OFF_SCALE])
    def test_badge_letter_contrast(self, fill: str) -> None:
        grade = GRADES[PALETTE.index(fill)] if fill in PALETTE else "Z"
        assert grade_colours(grade)[0] == fill
        assert contrast(*grade_colours(grade)) >= 4.5

    def test_badge_in_svg_uses_the_colours(self) -> None:
        root = parse(render(claims=CLAIMS.model_copy(update={"grade": "E"}), grade_scale=("A", "B", "C", "D", "E")))
        badge = root.find(f".//{SVG}g[@class='grade']/{SVG}rect")
        assert badge.get("fill") == PALETTE[-1]

    def test_contrast_formula(self) -> None:
        assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
        assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


class TestHostileText:
    def test_markup_is_text(self) -> None:
        evil = "<script>alert(1)</script>&amp;\"'"
        root = parse(render(certifier_name=evil, pack_title="]]><x/>"))
        assert not list(root.iter(f"{SVG}script", "script", "x"))
        assert f"Certified by: {evil}" in texts(root)

    def test_control_characters_refused_naming_the_field(self) -> None:
        with pytest.raises(UnprintableText) as err:
            render(pack_title="bad\x07\x00title")
        assert err.value.location.pointer == "/pack_title"
        assert err.value.character == "\x07" and "U+0007" in err.value.message and "position 3" in err.value.message

    def test_long_names_are_cut_and_fitted(self) -> None:
        root = parse(render(certifier_name="Certification " * 20))
        line = next(p for p in text_paths(root) if p.get("data-text").startswith("Certified by"))
        assert line.get("data-text").endswith("…")
        assert float(line.get("data-size")) < 24  # made smaller first, then cut
        left, right = x_extent(line.get("d"))
        assert left >= 30 and right <= 30 + 840  # within the fixed width, measured on the drawn outline

    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=80), st.text(max_size=80), st.sampled_from(["en", "zh"]))
    def test_any_names_give_well_formed_svg_or_name_the_character(self, certifier: str, title: str, lang: str) -> None:
        try:
            root = parse(render(certifier_name=certifier, pack_title=title, lang=lang))
        except UnprintableText as e:
            field = e.location.pointer.strip("/")
            assert field in ("certifier_name", "pack_title")
            assert e.character in {"certifier_name": certifier, "pack_title": title}[field]
            with pytest.raises(UnprintableText):
                check_printable(e.character, field)
            return
        assert root.tag == f"{SVG}svg"
        assert {el.tag for el in root.iter()} <= {f"{SVG}{t}" for t in ("svg", "title", "rect", "g", "path")}
