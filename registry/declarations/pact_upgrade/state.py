"""What an upgrade collects on its way: the findings, and which v2 field each v3 field came from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.findings import Finding, Severity


@dataclass
class Upgrade:
    findings: list[Finding] = field(default_factory=list)
    # v3 key (per object pointer) -> v2 key it was produced from, for conflict messages.
    produced: dict[tuple[str, str], str] = field(default_factory=dict)

    def emit(self, rule: str, path: str, source: str | None, message: str, clauses: tuple[str, ...]) -> None:
        self.findings.append(
            Finding(
                rule_id=rule,
                severity=Severity.INFO,
                path=path,
                message=message,
                clauses=clauses,
                source_path=source,
            )
        )

    def put(self, out: dict[Any, Any], where: str, key: str, value: Any, source: str) -> None:
        out[key] = value
        self.produced[(where, key)] = source


# One step of an object's upgrade: reads the v2 object, writes into the v3 one, records findings.
Step = Callable[[Upgrade, Mapping[Any, Any], dict[Any, Any]], None]
