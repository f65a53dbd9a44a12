"""Findings and validation results: data, never bare strings.

The CLI, the HTTP API and the HTML report all render these same objects. Plain frozen dataclasses
(pydantic validates them where an API body holds one): every command that validates a declaration
builds them, and importing pydantic would cost it about a third of its start-up (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a rule found in a declaration.

    ``path`` is an RFC 6901 JSON pointer into the declaration as validated (PACT v3);
    ``source_path`` points into the input as given when that differs (a PACT v2
    field that was upgraded, an XPath into ILCD XML).
    """

    # how pydantic validates one in an API body, as when this was a model: other members ignored
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}

    rule_id: str
    severity: Severity
    path: str
    message: str
    clauses: tuple[str, ...] = ()
    stage: str | None = None
    source_path: str | None = None

    def __post_init__(self) -> None:  # what pydantic coerced: a severity by its value, clauses from any sequence
        if type(self.severity) is not Severity:
            object.__setattr__(self, "severity", Severity(self.severity))
        if type(self.clauses) is not tuple:
            object.__setattr__(self, "clauses", tuple(self.clauses))

    def sort_key(self) -> tuple[int, str, str, str]:
        return (SEVERITY_ORDER[self.severity], self.rule_id, self.path, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "path": self.path,
            "message": self.message,
            "clauses": list(self.clauses),
        }
        if self.stage is not None:
            out["stage"] = self.stage
        if self.source_path is not None:
            out["source_path"] = self.source_path
        return out


@dataclass(frozen=True, slots=True)
class PackRef:
    id: str
    version: str
    digest: str

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """``conformant`` is true exactly when no finding has severity error."""

    conformant: bool
    pack: PackRef
    findings: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        if type(self.findings) is not tuple:
            object.__setattr__(self, "findings", tuple(self.findings))

    @classmethod
    def from_findings(cls, pack: PackRef, findings: list[Finding]) -> ValidationResult:
        ordered = tuple(sorted(findings, key=Finding.sort_key)) if len(findings) > 1 else tuple(findings)
        conformant = True
        for f in ordered:
            if f.severity is Severity.ERROR:
                conformant = False
                break
        return cls(conformant=conformant, pack=pack, findings=ordered)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def to_json(self) -> dict[str, Any]:
        return {
            "conformant": self.conformant,
            "pack": {"id": self.pack.id, "version": self.pack.version, "digest": self.pack.digest},
            "findings": [f.to_json() for f in self.findings],
        }
