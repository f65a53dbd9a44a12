"""Headless Chromium renders every consumer page and the printable label.

Each status page, in both languages, is loaded at a phone's size (390 x 844): the DOM
Chromium built must show the verdict and, where the label is shown, its grade and value.
The printable label is screenshotted and its QR code decoded from the screenshot with
zxing-cpp. Screenshots stay in ``test-artifacts/`` at the repo root.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import browser
import pytest
import zxingcpp
from browser import PHONE, BrowserUnavailable, capture_many, ensure_chromium
from lxml import html
from PIL import Image
from test_label_svg import CERTIFIER, CLAIMS, PACK_TITLE, URL
from test_page import WITH_CLAIMS, view

from issuance.i18n import LANGS, TEXTS
from issuance.label_svg import render_label_svg
from issuance.model import VerifyStatus
from issuance.page import STATUS_COLOURS, render_label_page
from issuance.qr import offline_url, render_qr

LABEL_PX = (1800, 1040)  # twice the label's 900 x 520 user units


def _wrap_svg(svg: str) -> str:
    """An HTML page showing ``svg`` at LABEL_PX, so the screenshot has a few pixels a module."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>body{margin:0;background:#fff}"
        f"svg{{display:block;width:{LABEL_PX[0]}px;height:{LABEL_PX[1]}px}}</style></head><body>{svg}</body></html>"
    )


def test_chromium_is_installed_and_runs(chromium: Path) -> None:
    out = subprocess.run([str(chromium), "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert "Chromium" in out.stdout


def test_install_needs_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    with pytest.raises(BrowserUnavailable, match="not root, so cannot run: apt-get update && apt-get install"):
        ensure_chromium(tmp_path / "no-chromium")


def test_every_status_page_in_both_languages(chromium: Path, artifacts: Path, tmp_path: Path) -> None:
    jobs: list[tuple[Path, Path]] = []
    cases = [(status, lang) for status in VerifyStatus for lang in LANGS]
    for status, lang in cases:
        page = tmp_path / f"page-{status.value}-{lang}.html"
        page.write_text(render_label_page(view(status), lang=lang), encoding="utf-8")
        jobs.append((page, artifacts / f"page-{status.value}-{lang}.png"))
    captures = capture_many(chromium, jobs)
    for (status, lang), got in zip(cases, captures, strict=True):
        doc = html.document_fromstring(got.dom)
        assert doc.findall(".//h1")[0].text_content() == TEXTS[lang][f"status.{status.value}"]
        if status in WITH_CLAIMS:
            badge = doc.find_class("badge")[0]
            assert badge.text_content() == CLAIMS.grade
            assert "2.35 kg CO₂e" in doc.find_class("value")[0].text_content()
        else:
            assert not doc.find_class("badge")
        with Image.open(got.screenshot) as shot:
            assert shot.size == PHONE
            # the verdict banner is painted in the status colour at the top of the screen
            assert shot.convert("RGB").getpixel((5, 5)) == _rgb(status)


def _rgb(status: VerifyStatus) -> tuple[int, int, int]:
    colour = STATUS_COLOURS[status]
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_label_qr_decodes_from_screenshots(chromium: Path, artifacts: Path, tmp_path: Path) -> None:
    long_url = offline_url("https://cl.example.org", CLAIMS.label_id, bytes(range(250)))
    labels = {
        "label-en": render_label_svg(CLAIMS, qr_url=URL, certifier_name=CERTIFIER, pack_title=PACK_TITLE, lang="en"),
        "label-zh": render_label_svg(CLAIMS, qr_url=URL, certifier_name=CERTIFIER, pack_title=PACK_TITLE, lang="zh"),
        "label-offline-en": render_label_svg(
            CLAIMS, qr_url=long_url, certifier_name=CERTIFIER, pack_title=PACK_TITLE, lang="en"
        ),
        "qr-url": render_qr(URL, kind="url", fmt="svg").decode(),
        # issue 13: an ungraded label (its scheme's words) and a catalogue grade lay out around the same QR code
        "label-ungraded-zh": render_label_svg(
            CLAIMS.model_copy(update={"grade": None, "scheme": "eu-battery"}),
            qr_url=URL,
            certifier_name=CERTIFIER,
            pack_title=PACK_TITLE,
            lang="zh",
        ),
        "label-catalogue-en": render_label_svg(
            CLAIMS.model_copy(update={"catalogue": "national-authority/steel-grades@1.0.0"}),
            qr_url=URL,
            certifier_name=CERTIFIER,
            pack_title=PACK_TITLE,
            lang="en",
        ),
    }
    expected = {"label-en": URL, "label-zh": URL, "label-offline-en": long_url, "qr-url": URL}
    expected |= {"label-ungraded-zh": URL, "label-catalogue-en": URL}
    jobs = []
    for name, svg in labels.items():
        page = tmp_path / f"{name}.html"
        page.write_text(_wrap_svg(svg), encoding="utf-8")
        jobs.append((page, artifacts / f"{name}.png"))
    captures = capture_many(chromium, jobs, size=LABEL_PX)
    for name, got in zip(labels, captures, strict=True):
        with Image.open(got.screenshot) as shot:
            found = zxingcpp.read_barcodes(shot)
        assert [f.text for f in found] == [expected[name]], name
        if name.startswith("label"):
            assert "Scan to verify" in got.dom or "扫码验证" in got.dom
