"""Headless Chromium for the browser tests: Debian's package, installed by the tests when missing.

CI runs the README's test command on a clean machine, so the tests bring the browser themselves:
Debian's `chromium` package (a test tool's own browser download is refused by this network), driven
by Playwright's Python client with `executable_path`. On a machine without apt or root, set
`PCFREG_CHROMIUM` to a Chromium binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

# Chromium's background services reach for Google's hosts; this machine's network refuses them.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
)


class BrowserUnavailable(RuntimeError):
    """No Chromium could be found or installed; the message says what was tried."""


@cache
def chromium_executable() -> str:
    """The Chromium binary: `PCFREG_CHROMIUM`, else on PATH, else installed from Debian's packages."""
    given = os.environ.get("PCFREG_CHROMIUM")
    if given:
        if not Path(given).is_file():
            raise BrowserUnavailable(f"PCFREG_CHROMIUM={given} is not a file")
        return given
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise BrowserUnavailable("no chromium on PATH, and apt-get as root is not available to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(
        [apt, "install", "-y", "--no-install-recommends", "chromium"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        subprocess.run([apt, "update"], env=env, capture_output=True, check=False, timeout=600)
        done = subprocess.run(
            [apt, "install", "-y", "--no-install-recommends", "chromium"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
    found = shutil.which("chromium")
    if done.returncode != 0 or found is None:
        raise BrowserUnavailable(f"apt-get install chromium failed: {done.stderr[-2000:]}")
    return found


def artifacts_dir() -> Path:
    """Where screenshots and rendered labels are kept after a run (`PCFREG_TEST_ARTIFACTS`, else build/)."""
    default = Path(__file__).resolve().parents[1] / "build" / "test-artifacts"
    root = Path(os.environ.get("PCFREG_TEST_ARTIFACTS", default))
    root.mkdir(parents=True, exist_ok=True)
    return root
