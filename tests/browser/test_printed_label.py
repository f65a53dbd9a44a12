"""Issue 14, done when: the printed label is rendered by two renderers and scanned back by zxing in each.

Every variant (regular, small, mono; the offline-QR code; zh and en; a catalogue grade and an ungraded
label) is rendered from its SVG by headless
Chromium and by librsvg, and its PDF by poppler, all at 300 dpi; zxing-cpp reads the QR code back from
each PNG and the payload must be the label's URL (with the token, offline). The renderings are compared
region by region (the share of dark pixels in each cell of a grid, and the share of pixels that differ), so
a layout that renders differently in one of them is caught; a control shifts one block by 3 mm and must be
caught. The PNGs are kept in the artifacts folder (tests/browser_support.py).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from browser_support import artifacts_dir
from PIL import Image, ImageChops, ImageStat
from render_support import pdf_png, rsvg_png

from issuance import Boundary, LabelClaims, label_url, offline_url, render_label_artwork, render_label_pdf

DPI = 300
GRID = (18, 10)  # cells across, down
CELL_TOLERANCE = 0.06  # largest difference of a cell's dark share between two renderers (seen: 0.045)
PIXEL_TOLERANCE = 0.02  # largest share of pixels dark in one rendering, light in the other (seen: 0.013)
CLAIMS = LabelClaims(
    label_id="MFRGGZDFMZTWQ2LK",
    issuer="cqc",
    kid="0123456789abcdef",
    issued_at=datetime(2026, 6, 1, tzinfo=UTC),
    expires_at=datetime(2027, 6, 1, tzinfo=UTC),
    gtin="09506000134352",
    batch="B-2026-17",
    grade="C",
    value="12.8",
    declared_unit="1 kilogram",
    boundary=Boundary.CRADLE_TO_GATE,
    pack="example-standards-body/aluminium-ingot@1.0.0",
    pack_digest="ab" * 8,
    scheme="gb-t-24067",
    declaration_digest="cd" * 8,
    status_uri="https://cl.example.org/status/1",
    status_idx=5,
)
BASE = "https://cl.example.org"
URL = label_url(BASE, CLAIMS.label_id)
OFFLINE = offline_url(BASE, CLAIMS.label_id, bytes(range(7, 250)))
NAMES = {
    "en": ("China Quality Certification Centre", "Aluminium ingot carbon footprint rules"),
    "zh": ("中国质量认证中心", "原铝锭产品碳足迹核算规则"),
}
GRADINGS: dict[str, dict[str, Any]] = {
    "illustrative": {},
    "catalogue": {"catalogue": "national-authority/aluminium-grades@1.0.0"},
    "ungraded": {"grade": None, "scheme": "eu-battery"},
}
CASES = [(v, lang, "url", "illustrative") for v in ("regular", "small", "mono") for lang in ("en", "zh")]
CASES += [(v, lang, "offline", "illustrative") for v in ("regular", "small") for lang in ("en", "zh")]
CASES += [
    ("mono", "en", "offline", "catalogue"),
    ("regular", "zh", "url", "ungraded"),
    ("small", "en", "url", "ungraded"),
]


@dataclass(frozen=True)
class Rendered:
    chromium: Image.Image
    rsvg: Image.Image
    pdf: Image.Image
    payload: str


def pixels(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def chromium_png(browser: Any, svg: str, width: int, height: int, out: Path) -> Path:
    """The SVG drawn by Chromium at ``width`` x ``height`` CSS pixels (device scale 1), as an <img>."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        page.set_content(
            f'<html><body style="margin:0;background:#fff"><img width="{width}" height="{height}" '
            f'style="display:block" src="data:image/svg+xml;base64,{data}"></body></html>'
        )
        page.wait_for_function("document.images[0].complete && document.images[0].naturalWidth > 0")
        page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": width, "height": height})
    finally:
        page.close()
    return out


def render_all(browser: Any, variant: str, lang: str, kind: str, grading: str, folder: Path) -> Rendered:
    payload = URL if kind == "url" else OFFLINE
    certifier, scheme = NAMES[lang]
    art = render_label_artwork(
        CLAIMS.model_copy(update=GRADINGS[grading]),
        qr_url=payload,
        certifier_name=certifier,
        pack_title=scheme,
        lang=lang,  # type: ignore[arg-type]
        grade_scale=("A", "B", "C", "D", "E"),
        variant=variant,  # type: ignore[arg-type]
    )
    name = f"label-{variant}-{kind}-{grading}-{lang}"
    svg_path, pdf_path = folder / f"{name}.svg", folder / f"{name}.pdf"
    svg_path.write_text(art.svg, encoding="utf-8")
    pdf_path.write_bytes(render_label_pdf(art))
    width, height = pixels(art.width_mm), pixels(art.height_mm)
    chromium = chromium_png(browser, art.svg, width, height, folder / f"{name}.chromium.png")
    rsvg = rsvg_png(svg_path, folder / f"{name}.rsvg.png", width, height)
    pdf = pdf_png(pdf_path, folder / f"{name}.pdf.png", width, height)
    images = [Image.open(p).convert("L") for p in (chromium, rsvg, pdf)]
    return Rendered(*images, payload=payload)


def scanned(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def dark(image: Image.Image) -> Image.Image:
    return image.point(lambda v: 255 if v < 128 else 0)


def cell_shares(image: Image.Image) -> list[float]:
    mask, (cols, rows) = dark(image), GRID
    w, h = image.size
    return [
        ImageStat.Stat(mask.crop((c * w // cols, r * h // rows, (c + 1) * w // cols, (r + 1) * h // rows))).mean[0]
        / 255
        for r in range(rows)
        for c in range(cols)
    ]


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """``(largest cell difference of dark share, share of pixels that differ)`` of two same-size renderings."""
    assert a.size == b.size, (a.size, b.size)
    cells = max(abs(x - y) for x, y in zip(cell_shares(a), cell_shares(b), strict=True))
    differing = ImageStat.Stat(ImageChops.difference(dark(a), dark(b))).mean[0] / 255
    return cells, differing


@pytest.fixture(scope="module")
def folder() -> Path:
    path = artifacts_dir() / "printed-label"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize(("variant", "lang", "kind", "grading"), CASES)
def test_two_renderers_and_the_pdf_agree_and_scan(
    browser: Any, folder: Path, variant: str, lang: str, kind: str, grading: str
) -> None:
    r = render_all(browser, variant, lang, kind, grading, folder)
    assert scanned(r.chromium) == [r.payload]
    assert scanned(r.rsvg) == [r.payload]
    assert scanned(r.pdf) == [r.payload]
    assert r.chromium.size == r.rsvg.size == r.pdf.size
    for other in (r.rsvg, r.pdf):
        cells, differing = difference(r.chromium, other)
        assert cells <= CELL_TOLERANCE and differing <= PIXEL_TOLERANCE, (cells, differing)


def test_the_comparison_catches_a_block_rendered_elsewhere(browser: Any, folder: Path, tmp_path: Path) -> None:
    """The control: the same label with its details block 3 mm lower must not pass as the same rendering."""
    art = render_label_artwork(CLAIMS, qr_url=URL, certifier_name=NAMES["en"][0], pack_title=NAMES["en"][1])
    moved = art.svg.replace('<g class="details">', '<g class="details" transform="translate(0 30)">')
    assert moved != art.svg
    width, height = pixels(art.width_mm), pixels(art.height_mm)
    (tmp_path / "moved.svg").write_text(moved, encoding="utf-8")
    shifted = Image.open(rsvg_png(tmp_path / "moved.svg", folder / "control-moved.rsvg.png", width, height))
    original = Image.open(chromium_png(browser, art.svg, width, height, folder / "control.chromium.png"))
    cells, differing = difference(original.convert("L"), shifted.convert("L"))
    assert cells > CELL_TOLERANCE or differing > PIXEL_TOLERANCE, (cells, differing)
