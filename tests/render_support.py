"""Renderers for the printed-label tests besides Chromium: librsvg's ``rsvg-convert`` and poppler's ``pdftoppm``.

As tests/browser_support.py does for Chromium, the tests install Debian's package (``librsvg2-bin``,
``poppler-utils``) with apt-get when the tool is missing, so a clean machine runs them; on a machine without
apt or root, put the tools on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

PACKAGES = {"rsvg-convert": "librsvg2-bin", "pdftoppm": "poppler-utils"}


class ToolUnavailable(RuntimeError):
    """The tool is not on PATH and could not be installed; the message says what was tried."""


def _apt_install(package: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "--no-install-recommends", package]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=900)
    if done.returncode != 0:  # a stale package list: refresh it once and try again
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False, timeout=600)
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=900)
    return done


@cache
def debian_tool(binary: str) -> str:
    """The path of ``binary`` (a key of :data:`PACKAGES`), installing its Debian package when it is missing."""
    found = shutil.which(binary)
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise ToolUnavailable(f"{binary} is not on PATH, and apt-get as root is not available to install it")
    done = _apt_install(PACKAGES[binary])
    found = shutil.which(binary)
    if found is None:
        raise ToolUnavailable(f"apt-get install {PACKAGES[binary]} failed: {done.stderr[-2000:]}")
    return found


def rsvg_png(svg: Path, out: Path, width: int, height: int) -> Path:
    """``svg`` rendered by librsvg at ``width`` x ``height`` pixels on white."""
    command = [debian_tool("rsvg-convert"), "-w", str(width), "-h", str(height), "-b", "white", "-o", str(out)]
    subprocess.run([*command, str(svg)], check=True, capture_output=True, timeout=120)
    return out


def pdf_png(pdf: Path, out: Path, width: int, height: int) -> Path:
    """The first page of ``pdf`` rendered by poppler at ``width`` x ``height`` pixels."""
    if out.suffix != ".png":
        raise ValueError(f"{out} must end in .png")
    stem = str(out)[: -len(".png")]  # pdftoppm adds the suffix itself
    size = ["-scale-to-x", str(width), "-scale-to-y", str(height)]
    command = [debian_tool("pdftoppm"), *size, "-png", "-singlefile", str(pdf), stem]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return out
