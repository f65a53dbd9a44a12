"""The recognition matrix on a 1280-pixel screen (issue 14): the page never overflows sideways, the matrix
scrolls inside its box with its header row and first column sticky, and the zh/en switch works without
JavaScript. Screenshots are kept in the test artifacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import artifacts_dir
from click.testing import CliRunner

from registry import cli
from registry.packs import Catalog


@pytest.fixture(scope="module")
def matrix_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    declaration = tmp_path_factory.mktemp("matrix") / "al.json"
    declaration.write_text(json.dumps(Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example))
    args = ["recognise", str(declaration), "--format", "html", "--at", "2026-06-01T00:00:00Z"]
    r = CliRunner().invoke(cli.main, args)
    assert r.exit_code == 0, r.stderr
    return r.stdout


def _metrics(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => {
        const box = document.querySelector('.matrix');
        const corner = box.querySelector('thead th').getBoundingClientRect();
        const first = box.querySelector('tbody th').getBoundingClientRect();
        return {page: document.documentElement.scrollWidth, body: document.body.scrollWidth,
                boxScroll: box.scrollWidth, boxWidth: box.clientWidth, boxLeft: box.getBoundingClientRect().left,
                boxTop: box.getBoundingClientRect().top, cornerTop: corner.top, firstLeft: first.left};
    }"""
        )
    )


def test_the_matrix_fits_1280_pixels_and_scrolls_inside(browser: Any, matrix_page: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_content(matrix_page)
    before = _metrics(page)
    assert before["page"] <= 1280 and before["body"] <= 1280, before
    assert before["boxScroll"] > before["boxWidth"], before  # more schemes than fit: the box scrolls, not the page
    page.evaluate("() => { const b = document.querySelector('.matrix'); b.scrollLeft = 600; b.scrollTop = 300; }")
    after = _metrics(page)
    assert after["page"] <= 1280
    assert abs(after["firstLeft"] - after["boxLeft"]) < 2, after  # the first column stays at the box's left
    assert abs(after["cornerTop"] - after["boxTop"]) < 2, after  # the header row stays at the box's top
    out = artifacts_dir() / "matrix"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(out) / "matrix-1280-en.png"))
    page.close()


def test_the_matrix_switches_to_chinese_without_script(browser: Any, matrix_page: str) -> None:
    assert "<script" not in matrix_page
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_content(matrix_page)
    assert page.inner_text("h1") == "One audit, many schemes: recognition"
    page.click("label[for=lang-zh]")
    assert page.inner_text("h1") == "一次审核，多个制度：互认结果"
    assert page.inner_text(".matrix thead th >> nth=0") == "制度"
    assert _metrics(page)["page"] <= 1280
    page.screenshot(path=str(artifacts_dir() / "matrix" / "matrix-1280-zh.png"))
    page.click("label[for=lang-en]")
    assert page.inner_text("h1") == "One audit, many schemes: recognition"
    page.close()
