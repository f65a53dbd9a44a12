"""The browser the other browser tests use starts, renders a page and reads it back."""

from __future__ import annotations

from typing import Any


def test_chromium_renders_a_page(browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_content('<html lang="zh"><body><main><h1>碳标签</h1></main></body></html>')
    assert page.inner_text("h1") == "碳标签"
    assert page.evaluate("document.documentElement.lang") == "zh"
    page.close()
