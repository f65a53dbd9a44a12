"""The printable SVG label: well-formed and self-contained, the texts present, the QR decodable.

The QR is read back out of the SVG path, drawn to a bitmap with Pillow and decoded with
zxing-cpp; the browser test also screenshots the whole label and decodes that.
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


def texts(root: Any) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


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
        assert tags <= {f"{SVG}{t}" for t in ("svg", "title", "rect", "g", "text", "path")}
        assert "href" not in svg and "url(" not in svg and "@import" not in svg
        assert all("font-face" not in (el.text or "") for el in root.iter())

    def test_english_texts(self) -> None:
        shown = texts(parse(render()))
        assert "B" in shown
        assert "2.35 kg CO₂e" in shown
        assert "per 1 kilogram" in shown
        assert "Cradle to grave" in shown
        assert f"Certified by: {CERTIFIER}" in shown
        assert f"Rule pack: {PACK_TITLE} (example-standards-body/core@1.2.0)" in shown
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
        assert "扫码验证" in shown


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

    def test_control_characters_replaced(self) -> None:
        root = parse(render(pack_title="bad\x07\x00title"))
        assert any("bad\ufffd\ufffdtitle" in t for t in texts(root))

    def test_long_names_are_cut_and_fitted(self) -> None:
        root = parse(render(certifier_name="Certification " * 20))
        line = next(t for t in root.iter(f"{SVG}text") if t.text.startswith("Certified by"))
        assert line.text.endswith("…")
        assert line.get("textLength") == "840"

    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=80), st.text(max_size=80), st.sampled_from(["en", "zh"]))
    def test_any_names_give_well_formed_svg(self, certifier: str, title: str, lang: str) -> None:
        root = parse(render(certifier_name=certifier, pack_title=title, lang=lang))
        assert root.tag == f"{SVG}svg"
        assert {el.tag for el in root.iter()} <= {f"{SVG}{t}" for t in ("svg", "title", "rect", "g", "text", "path")}
