"""Converters between declaration formats: ILCD+EPD XML in; PACT v3, PACT v2.3 and the
EU Battery Regulation carbon footprint declaration out.

Every converter returns a :class:`Conversion`: the converted document plus findings,
one per thing that did not carry over exactly (each names the source element or
field, so nothing is lost silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.findings import Finding


@dataclass(frozen=True)
class Conversion:
    document: dict[str, Any]
    findings: tuple[Finding, ...] = field(default=())
