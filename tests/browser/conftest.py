from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import CHROMIUM_ARGS, chromium_executable


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per module (Playwright driving Debian's chromium). Not per session: Playwright's
    sync API keeps an event loop running in the main thread while it is open, and later tests that call
    ``asyncio.run`` would fail."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_executable(), args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()
