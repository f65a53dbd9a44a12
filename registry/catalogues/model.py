"""A grading catalogue as data: its header, its categories and each category's bands as limits.

The document (``schemas/gradingcatalogue-1.0.json``) is kept as read; :class:`Catalogue` adds what the
registry computes from it: each category's bands as absolute upper limits (a benchmark share times the
benchmark, in exact decimals), which category grades a label, and whether a version is in force.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from registry.canonical import canonical_json
from registry.packs import GradingBand

FORMAT = "pcf-registry/gradingcatalogue/1.0"
BASIS_KINDS = ("fixed", "benchmark_share", "percentiles")


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text, no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Category:
    """One product category of a catalogue."""

    data: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def title_text(self) -> str:
        return str(self.data["title"]["en"])

    @property
    def metric(self) -> str:
        return str(self.data["metric"])

    @property
    def unit(self) -> str:
        return str(self.data["unit"])

    def declared_unit_differs(self, amount: Any, unit: Any) -> str | None:
        """None when a declaration's declared unit (PACT amount and unit) is the one the bands are per; else
        what the bands are per, for the refusal."""
        want = self.data["declaredUnit"]
        try:
            same = Decimal(str(amount)) == Decimal(want["amount"]) and unit == want["unit"]
        except ArithmeticError:
            same = False
        return None if same else f"{want['amount']} {want['unit']}"

    @property
    def kind(self) -> str:
        return str(self.data["basis"]["kind"])

    def limit(self, band: Mapping[str, Any]) -> str | None:
        """A band's upper limit in the metric's unit; None for an open band."""
        basis = self.data["basis"]
        if self.kind == "benchmark_share":
            share = band.get("max_share")
            if share is None:
                return None
            return decimal_text(Decimal(basis["benchmark"]["value"]) * Decimal(share))
        limit = band.get("max")
        return None if limit is None else str(limit)

    @property
    def bands(self) -> tuple[GradingBand, ...]:
        return tuple(GradingBand(str(b["grade"]), self.limit(b)) for b in self.data["basis"]["bands"])

    def matches(self, pack_id: str, hs_codes: Sequence[str], region: str | None) -> bool:
        """True when every member of ``match`` this category gives holds for the label."""
        match = self.data["match"]
        if "packs" in match and pack_id not in match["packs"]:
            return False
        digits = [c.replace(".", "") for c in hs_codes]
        if "hs" in match and not any(code.startswith(prefix) for code in digits for prefix in match["hs"]):
            return False
        return "regions" not in match or (region is not None and _in_regions(region, match["regions"]))


def _in_regions(region: str, regions: Sequence[str]) -> bool:
    """``CN-XJ`` is in ``CN``; ``CN`` is not in ``CN-XJ``."""
    return any(region == r or region.startswith(r + "-") for r in regions)


@dataclass(frozen=True)
class Catalogue:
    """One catalogue version, schema-valid."""

    data: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def namespace(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def effective_from(self) -> date:
        return date.fromisoformat(self.data["effective"]["from"])

    @property
    def effective_until(self) -> date | None:
        until = self.data["effective"].get("until")
        return None if until is None else date.fromisoformat(until)

    def in_force(self, on: date) -> bool:
        until = self.effective_until
        return self.effective_from <= on and (until is None or on < until)

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(Category(c) for c in self.data["categories"])

    def category_for(self, pack_id: str, hs_codes: Sequence[str], region: str | None) -> Category | None:
        return next((c for c in self.categories if c.matches(pack_id, hs_codes, region)), None)

    def digest(self) -> str:
        import hashlib

        return "sha256:" + hashlib.sha256(canonical_json(dict(self.data))).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return dict(self.data)
