"""What a recalculation gives: per line the factor used, the unit chain, kg CO2e and share; the totals.

Plain slotted records with exact decimals; ``to_json`` writes decimals as strings (PACT's habit)
and is the one result object the CLI, the API and the stored validation share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from registry.findings import Finding

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def text(value: Decimal) -> str:
    """A decimal as plain text (``0.0000001``, never ``1E-7``), trailing zeros kept as computed."""
    return format(value, "f")


def rounded(value: Decimal, places: int = 4) -> str:
    """``value`` to ``places`` decimals (a value that rounds to zero is ``0.000``, never ``-0.000``)."""
    q = value.quantize(Decimal(1).scaleb(-places))
    return format(q.copy_abs() if q.is_zero() else q, "f")


class Step(NamedTuple):
    """One unit conversion: 1 ``source`` = ``factor`` ``target``."""

    source: str
    target: str
    factor: Decimal

    def to_json(self) -> dict[str, str]:
        return {"from": self.source, "to": self.target, "factor": text(self.factor)}


class LineResult(NamedTuple):
    """One line computed (a named tuple: built 50 times per recalculation, it has to be cheap)."""

    pointer: str
    id: str
    stage: str
    kind: str
    quantity: Decimal
    unit: str
    allocation: Decimal
    primary: bool
    factor: str | None  # pinned set@version#factor-id, or pact:id@version for a supplier footprint
    factor_value: Decimal | None
    factor_unit: str | None
    chain: tuple[Step, ...]
    kg: Decimal | None  # None: the line could not be computed (see the findings)
    fossil: Decimal | None
    biogenic: Decimal | None
    land_use: Decimal | None
    primary_share: Decimal  # 0..1: the part of this line's emissions that counts as primary data
    fallback: str | None = None

    def to_json(self, total: Decimal) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pointer": self.pointer,
            "id": self.id,
            "stage": self.stage,
            "kind": self.kind,
            "quantity": text(self.quantity),
            "unit": self.unit,
            "allocation": text(self.allocation),
            "primary": self.primary,
            "factor": self.factor,
            "factorValue": None if self.factor_value is None else text(self.factor_value),
            "factorUnit": self.factor_unit,
            "conversion": [s.to_json() for s in self.chain],
            "kgCO2e": None if self.kg is None else text(self.kg),
            "share": None if self.kg is None or not total else rounded(self.kg / total, 6),
        }
        if self.fallback is not None:
            out["fallback"] = self.fallback
        return out


@dataclass(frozen=True)
class Recalculation:
    """The recalculation of one declaration from one inventory."""

    inventory_digest: str
    reference_amount: Decimal  # the lines were stated for this many declared units
    lines: tuple[LineResult, ...]
    total: Decimal
    stages: Mapping[str, Decimal]
    fossil: Decimal
    biogenic: Decimal
    land_use: Decimal
    unsplit: Decimal  # emissions of factors that give no fossil/biogenic/land-use split
    primary_data_share: Decimal | None  # percent
    dqr: Mapping[str, Decimal] | None  # emissions-weighted technological/geographical/temporal, 1-5
    dqr_coverage: Decimal | None  # percent of emissions whose factor carries ratings
    declared: Mapping[str, Decimal]
    deviation: Mapping[str, Decimal]  # percent, (declared - recomputed) / recomputed
    sets_used: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def complete(self) -> bool:
        """Every line was computed."""
        return all(line.kg is not None for line in self.lines)

    @property
    def total_deviation(self) -> Decimal | None:
        return self.deviation.get("total")

    def to_json(self) -> dict[str, Any]:
        total = self.total
        return {
            "inventoryDigest": self.inventory_digest,
            "referenceAmount": text(self.reference_amount),
            "complete": self.complete,
            "total": text(total),
            "stages": {k: text(v) for k, v in self.stages.items()},
            "parts": {
                "fossil": text(self.fossil),
                "biogenic": text(self.biogenic),
                "landUse": text(self.land_use),
                "unsplit": text(self.unsplit),
            },
            "primaryDataShare": None if self.primary_data_share is None else rounded(self.primary_data_share, 2),
            "dqr": None if self.dqr is None else {k: rounded(v, 2) for k, v in self.dqr.items()},
            "dqrCoveragePercent": None if self.dqr_coverage is None else rounded(self.dqr_coverage, 2),
            "declared": {k: text(v) for k, v in self.declared.items()},
            "deviationPercent": {k: rounded(v, 3) for k, v in self.deviation.items()},
            "setsUsed": list(self.sets_used),
            "lines": [line.to_json(total) for line in self.lines],
            "findings": [f.to_json() for f in self.findings],
        }

    def summary(self) -> dict[str, Any]:
        """What a label records: deviation, the sets used, the inventory digest (small, no activity data)."""
        dev = self.total_deviation
        return {
            "inventoryDigest": self.inventory_digest,
            "deviationPercent": None if dev is None else rounded(dev, 2),
            "sets": list(self.sets_used),
        }


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def cel_view(recalc: Recalculation) -> dict[str, Any]:
    """The recalculation as rule packs read it in CEL (``recalc.total``, ``recalc.stage("A3")``,
    ``recalc.lines`` ...): numbers as doubles, kg CO2e per declared unit, percentages as percent."""
    total = recalc.total
    return {
        "total": float(total),
        "referenceAmount": float(recalc.reference_amount),
        "complete": recalc.complete,
        "stages": {k: float(v) for k, v in recalc.stages.items()},
        "fossil": float(recalc.fossil),
        "biogenic": float(recalc.biogenic),
        "landUse": float(recalc.land_use),
        "unsplit": float(recalc.unsplit),
        "primaryDataShare": _f(recalc.primary_data_share),
        "dqr": None if recalc.dqr is None else {k: float(v) for k, v in recalc.dqr.items()},
        "deviation": _f(recalc.total_deviation),
        "deviations": {k: float(v) for k, v in recalc.deviation.items()},
        "setsUsed": list(recalc.sets_used),
        "inventoryDigest": recalc.inventory_digest,
        "lines": [
            {
                "id": line.id,
                "stage": line.stage,
                "kind": line.kind,
                "quantity": float(line.quantity),
                "unit": line.unit,
                "allocation": float(line.allocation),
                "primary": line.primary,
                "factor": line.factor,
                "factorValue": _f(line.factor_value),
                "kgCO2e": _f(line.kg),
                "share": None if line.kg is None or not total else float(line.kg / total),
            }
            for line in recalc.lines
        ],
    }
