"""Headless Debian Chromium for tests: install it when missing, screenshot a page, dump its DOM.

One Chromium process per page (``--headless=new``, DOM and screenshot in the same run); pages
are loaded a few at a time, each process with its own throw-away profile directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CJK_FONT_PACKAGE = "fonts-wqy-microhei"  # 1.6 MB; without a CJK font the zh screenshots show empty boxes
PHONE = (390, 844)
_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run")


class BrowserUnavailable(RuntimeError):
    """Chromium is absent and could not be installed; the message says why."""


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    return bool(found.stdout.strip())


def missing_packages(binary: Path = CHROMIUM) -> list[str]:
    """The Debian packages the browser tests need that are not installed."""
    return [p for p, ok in (("chromium", binary.exists()), (CJK_FONT_PACKAGE, _has_cjk_font())) if not ok]


def ensure_chromium(binary: Path = CHROMIUM) -> Path:
    """Return the Chromium binary, first installing it (and a CJK font) with apt-get when missing."""
    packages = missing_packages(binary)
    if not packages:
        return binary
    command = f"apt-get update && apt-get install -y --no-install-recommends {' '.join(packages)}"
    if os.geteuid() != 0:
        raise BrowserUnavailable(f"{' and '.join(packages)} missing and we are not root, so cannot run: {command}")
    if shutil.which("apt-get") is None:
        raise BrowserUnavailable(f"{' and '.join(packages)} missing and apt-get is not available to install them")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0 or missing_packages(binary):
        tail = (done.stderr or done.stdout)[-2000:]
        raise BrowserUnavailable(f"installing failed (exit {done.returncode}): {command}\n{tail}")
    return binary


@dataclass(frozen=True)
class Capture:
    """What Chromium made of one page: the serialised DOM and the path of a PNG screenshot."""

    dom: str
    screenshot: Path


def _run(binary: Path, args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [str(binary), *_FLAGS, f"--user-data-dir={profile}", *args, url]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed on {url} (exit {done.returncode}): {done.stderr[-1500:]}")
    return done


def capture(binary: Path, page: Path, out: Path, size: tuple[int, int] = PHONE) -> Capture:
    """Load ``page`` (a local file) at ``size`` CSS pixels: its DOM, and a PNG screenshot written to ``out``.

    One Chromium run does both (``--dump-dom`` and ``--screenshot`` together).
    """
    out.unlink(missing_ok=True)
    args = [f"--window-size={size[0]},{size[1]}", "--dump-dom", f"--screenshot={out}"]
    dom = _run(binary, args, page.resolve().as_uri()).stdout
    if not out.exists():
        raise RuntimeError(f"chromium wrote no screenshot for {page}")
    return Capture(dom=dom, screenshot=out)


def capture_many(
    binary: Path, jobs: list[tuple[Path, Path]], size: tuple[int, int] = PHONE, workers: int = 4
) -> list[Capture]:
    """``capture`` for each ``(page, screenshot path)``, a few Chromium processes at a time, in order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: capture(binary, job[0], job[1], size), jobs))


def capture_url(binary: Path, url: str, out: Path, size: tuple[int, int] = PHONE, lang: str | None = None) -> Capture:
    """``capture`` for a page served over HTTP (``lang`` sets Chromium's Accept-Language)."""
    out.unlink(missing_ok=True)
    args = [f"--window-size={size[0]},{size[1]}", "--dump-dom", f"--screenshot={out}"]
    if lang is not None:
        args += [f"--lang={lang}", f"--accept-lang={lang}"]
    dom = _run(binary, args, url).stdout
    if not out.exists():
        raise RuntimeError(f"chromium wrote no screenshot for {url}")
    return Capture(dom=dom, screenshot=out)
