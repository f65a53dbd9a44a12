"""Findings of the ILCD+EPD converter: rule ids, citations and a collector.

Every finding has severity ``info`` (``warning`` where the user should act: a unit the files do
not back, a validity period PACT does not allow), ``path`` = JSON pointer into the converted
declaration (for a value with no home: the nearest object that exists) and
``source_path`` = XPath of the source element (prefixes: docs/ilcd-mapping.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from registry.findings import Finding, Severity

__all__ = ["RULE_IDS", "Notes"]

CONVERTED: Final = "ilcd.convert.converted"  # value rewritten: a year into a period, a code into a URN
REMAPPED: Final = "ilcd.convert.remapped"  # value kept, but the target's definition differs
DERIVED: Final = "ilcd.convert.derived"  # computed from other ILCD values
DEFAULTED: Final = "ilcd.convert.defaulted"  # set by the converter, no ILCD source
SCENARIO: Final = "ilcd.convert.scenario"  # a module value of the default scenario
DROPPED: Final = "ilcd.convert.dropped"  # ILCD value with no home in the declaration
NOT_DECLARED: Final = "ilcd.convert.not-declared"  # empty or absent module: not declared, never zero
MISSING: Final = "ilcd.convert.missing"  # PACT requires it, ILCD does not carry it: left absent
BY_NAME: Final = "ilcd.convert.matched-by-name"  # indicator recognised by name, not UUID
ADJUSTED: Final = "ilcd.convert.adjusted"  # an ILCD value changed to what PACT allows (validity period)
BY_UUID: Final = "ilcd.convert.matched-by-uuid"  # GWP indicator recognised by its UUID
UNPLACED: Final = "ilcd.convert.unplaced-gwp"  # looks like a GWP indicator, but which one (or its unit) is unclear

RULE_IDS: Final = (
    CONVERTED,
    REMAPPED,
    DERIVED,
    DEFAULTED,
    SCENARIO,
    DROPPED,
    NOT_DECLARED,
    MISSING,
    BY_NAME,
    ADJUSTED,
    BY_UUID,
    UNPLACED,
)

DOUBT: Final = "doubtful (see docs/ilcd-mapping.md)"  # ends the message of every doubtful mapping

PACT: Final = "PACT Tech Specs v3.0"
EN15804: Final = "EN 15804:2012+A2:2019 [unchecked]"
ILCD_EPD: Final = "ILCD+EPD data format v1.3 (InData)"
EXTENSION: Final = "pcf-registry declaration extension 1.0"


def pf(name: str) -> str:
    return f"{PACT}, ProductFootprint.{name}"


def cf(name: str) -> str:
    return f"{PACT}, CarbonFootprint.{name}"


@dataclass
class Notes:
    """Collects the converter's findings in the order they arise."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, path: str, source: str | None, message: str, *clauses: str) -> None:
        self._append(Severity.INFO, rule, path, source, message, clauses)

    def warn(self, rule: str, path: str, source: str | None, message: str, *clauses: str) -> None:
        """A finding the user should act on (a value the files do not back, a change PACT forces)."""
        self._append(Severity.WARNING, rule, path, source, message, clauses)

    def _append(
        self, severity: Severity, rule: str, path: str, source: str | None, message: str, clauses: tuple[str, ...]
    ) -> None:
        self.findings.append(
            Finding(
                rule_id=rule,
                severity=severity,
                path=path,
                message=message,
                clauses=clauses,
                source_path=source,
            )
        )
