"""Errors of grading catalogues, split by fault like the rest of the registry."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.errors import InputProblems
from registry.findings import Finding


@dataclass
class CatalogueError(InputProblems):
    """A grading catalogue that cannot be read: not JSON, not the format, schema violations (one problem each)."""

    code: str = "catalogue-error"


@dataclass
class CatalogueCheckFailed(CatalogueError):
    """A catalogue whose meta check found errors: never published. ``findings`` holds every finding."""

    code: str = "catalogue-meta-check"
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["findings"] = [f.to_json() for f in self.findings]
        return out
