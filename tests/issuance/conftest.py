"""Browser fixtures for tests/issuance (nothing else belongs here).

``chromium`` installs Debian's Chromium when it is missing and FAILS (never skips) when it
cannot: CI must exercise the browser. ``artifacts`` is ``test-artifacts/`` at the repo root,
where the browser tests keep their screenshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import BrowserUnavailable, ensure_chromium

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def chromium() -> Path:
    try:
        return ensure_chromium()
    except BrowserUnavailable as e:
        pytest.fail(f"headless Chromium is required for the browser tests: {e}", pytrace=False)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    out = REPO / "test-artifacts"
    out.mkdir(exist_ok=True)
    return out
