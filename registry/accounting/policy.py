"""What a rule pack asks of a recalculation: an inventory, deviation bounds, factor sets, named fallbacks.

Read from a pack's ``recalculation`` member (schemas/rulepack-1.0.json). A fallback is never
silent: a pack names it, says why, and every line that used it gets a finding saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class RegionFallback:
    """Lines in ``region`` (or a subdivision of it) may use factors of ``factor_region``."""

    name: str
    region: str
    factor_region: str
    reason: str


@dataclass(frozen=True)
class RecalcPolicy:
    require_inventory: bool = False
    warn_percent: Decimal | None = None
    fail_percent: Decimal | None = None
    require_factor_sets: tuple[str, ...] = ()
    region_fallbacks: tuple[RegionFallback, ...] = ()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> RecalcPolicy:
        if not raw:
            return NO_POLICY
        deviation = raw.get("deviation", {})
        warn, fail = deviation.get("warnPercent"), deviation.get("failPercent")
        return cls(
            require_inventory=bool(raw.get("requireInventory", False)),
            warn_percent=None if warn is None else Decimal(str(warn)),
            fail_percent=None if fail is None else Decimal(str(fail)),
            require_factor_sets=tuple(raw.get("requireFactorSets", ())),
            region_fallbacks=tuple(
                RegionFallback(f["name"], f["region"], f["factorRegion"], f["reason"]) for f in raw.get("fallbacks", ())
            ),
        )

    def fallback_for(self, region: str, factor_region: str) -> RegionFallback | None:
        for f in self.region_fallbacks:
            if f.factor_region == factor_region and (region == f.region or region.startswith(f.region + "-")):
                return f
        return None


NO_POLICY = RecalcPolicy()
