"""Errors of factor sets and factor references, split by fault like the rest of the registry."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.errors import InputError, InputProblems
from registry.findings import Finding


@dataclass
class FactorSetError(InputProblems):
    """A factor set document that cannot be read: not JSON, not the format, schema violations.

    ``problems`` holds one error per violation, each with its JSON pointer.
    """

    code: str = "factorset-error"


@dataclass
class FactorRefError(InputError):
    """A factor reference that does not resolve. ``reason`` is a stable key:

    ``malformed``, ``unknown-set``, ``unknown-version``, ``unknown-factor``, ``not-in-effect``,
    ``withdrawn``.
    """

    code: str = "factor-ref"
    reason: str = "malformed"
    ref: str = ""

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["reason"] = self.reason
        out["ref"] = self.ref
        return out


@dataclass
class MetaCheckFailed(FactorSetError):
    """A set whose meta check found errors (or whose licence forbids publication): never published.

    ``findings`` holds every finding of the check (errors and warnings), each with its JSON pointer.
    """

    code: str = "factorset-meta-check"
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["findings"] = [f.to_json() for f in self.findings]
        return out
