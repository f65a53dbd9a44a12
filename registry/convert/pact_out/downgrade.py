"""What a PACT v2.3 export collects on its way, and the findings several of its steps share."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from registry.convert.pact_out.tables import CONVERTED, DEFAULTED, DROPPED, EXTRA, MERGED
from registry.convert.values import clone, ptr, show
from registry.findings import Finding, Severity


@dataclass
class Scale:
    """How v3 values per declared unit become v2 values per 1 declaredUnit."""

    unit: Any
    amount: Any  # the v2 unitaryProductAmount
    divisor: Decimal | None  # None: values cannot be rescaled
    label: str  # the v3 declared unit, for messages


@dataclass
class Downgrade:
    doc: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    scale: Scale | None = None

    def emit(self, rule: str, path: str, target: str | None, message: str, clauses: tuple[str, ...]) -> None:
        self.findings.append(
            Finding(
                rule_id=rule, severity=Severity.INFO, path=path, message=message, clauses=clauses, source_path=target
            )
        )


# One step of an object's export: reads the v3 object, writes into the v2 one, records findings.
Step = Callable[[Downgrade, Mapping[str, Any], dict[str, Any]], None]


def empty_default(
    down: Downgrade, src: Mapping[str, Any], out: dict[str, Any], where: str, key: str, clause: str
) -> None:
    """A string v2.3 requires and v3 made optional: "" when absent (an empty statement, not an invented one)."""
    if key in src:
        out[key] = clone(src[key])
        return
    out[key] = ""
    down.emit(
        DEFAULTED,
        where + ptr(key),
        where + ptr(key),
        f"{key} absent in v3 and required in v2.3; set to the empty string (nothing stated)",
        (clause,),
    )


def shifted(down: Downgrade, where: str, old: int, new: int, value: Any, clauses: tuple[str, ...]) -> None:
    """An array item that moved because an item before it was removed."""
    if old != new:
        name = where.rsplit("/", 1)[-1]
        msg = f"{name}[{old}] {show(value)} moved to position {new} after an item before it was removed"
        down.emit(CONVERTED, f"{where}/{old}", f"{where}/{new}", msg, clauses)


def extras(
    down: Downgrade, src: Mapping[str, Any], out: dict[str, Any], where: str, target: str, known: set[str]
) -> None:
    """Properties that are not v3 fields: kept as they are (both versions allow additional properties)."""
    for key, value in src.items():
        if key in known:
            continue
        path, dst = where + ptr(key), target + ptr(key)
        if key in out:
            same = json.dumps(out[key], sort_keys=True) == json.dumps(value, sort_keys=True)
            rule, what = (
                (MERGED, "its value equals the mapped one; kept once")
                if same
                else (DROPPED, f"{show(value)} conflicts with the mapped value, which is kept")
            )
            down.emit(rule, path, dst, f"{key} is not a PACT v3 field; {what}", ())
            continue
        out[key] = clone(value)
        down.emit(EXTRA, path, dst, f"{key} is not a PACT v3 field; kept unchanged as an additional property", ())
