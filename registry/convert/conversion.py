"""What every converter returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.findings import Finding


@dataclass(frozen=True)
class Conversion:
    document: dict[str, Any]
    findings: tuple[Finding, ...] = field(default=())
