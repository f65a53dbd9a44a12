"""What every converter returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.findings import Finding

MAX_INPUT_BYTES = 64 * 1024 * 1024  # the largest input a converter reads (a ZIP bundle); refused before reading


@dataclass(frozen=True)
class Conversion:
    document: dict[str, Any]
    findings: tuple[Finding, ...] = field(default=())
