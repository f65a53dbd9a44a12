"""A factor set in memory: its header (identity, licence, sources, dates) and its records.

Records are slotted dataclasses built once per load, with the repeated strings (activity,
unit, region, boundary, source) interned, so that a set of 100,000 records stays small and
a reference resolves with a few dictionary look-ups. ``to_json`` gives back the document
with the content it was read with (decimals keep their digits), which is what is signed and digested.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from registry.canonical import sha256_digest

_intern = sys.intern


@dataclass(frozen=True, slots=True)
class Text:
    en: str
    zh: str

    def to_json(self) -> dict[str, str]:
        return {"en": self.en, "zh": self.zh}


def _decimals(raw: Mapping[str, str] | None) -> Mapping[str, Decimal] | None:
    if raw is None:
        return None
    return {_intern(k): Decimal(v) for k, v in raw.items()}


def decimal_text(value: Decimal) -> str:
    """The decimal as written in a set (``0.0000001``, never ``1E-7``)."""
    return format(value, "f")


def _strings(raw: Mapping[str, Decimal] | None) -> dict[str, str] | None:
    return None if raw is None else {k: decimal_text(v) for k, v in raw.items()}


_REQUIRED = 8  # the members the schema requires: id, name, activity, unit, value, region, year, source
_NO_OPTIONAL: tuple[None, ...] = (None,) * 12


def _optional(raw: Mapping[str, Any]) -> tuple[Any, ...]:
    """The optional members of a record, in :class:`FactorRecord`'s field order after ``source_locator``."""
    classifications = raw.get("classifications")
    return (
        _intern(raw["boundary"]) if "boundary" in raw else None,
        _decimals(raw.get("gases")),
        _decimals(raw.get("co2eByGas")),
        _decimals(raw.get("co2eParts")),
        tuple(raw["gasesCovered"]) if "gasesCovered" in raw else None,
        {k: tuple(v) for k, v in classifications.items()} if classifications else None,
        raw.get("quality"),
        raw.get("dataSourceType"),
        raw.get("uncertainty"),
        tuple(raw["derivedFrom"]) if "derivedFrom" in raw else None,
        raw.get("valueAsPublished"),
        raw.get("notes"),
    )


@dataclass(frozen=True, slots=True)
class FactorRecord:
    """One factor: ``value`` kg CO2e per ``unit`` of ``activity`` in ``region`` for ``year``."""

    id: str
    name: Text
    activity: str
    unit: str
    value: Decimal
    region: str
    year: int
    source_ref: str
    source_locator: str
    boundary: str | None = None
    gases: Mapping[str, Decimal] | None = None
    co2e_by_gas: Mapping[str, Decimal] | None = None
    co2e_parts: Mapping[str, Decimal] | None = None
    gases_covered: tuple[str, ...] | None = None
    classifications: Mapping[str, tuple[str, ...]] | None = None
    quality: Mapping[str, int] | None = None
    data_source_type: str | None = None
    uncertainty: Mapping[str, str] | None = None
    derived_from: tuple[str, ...] | None = None
    value_as_published: Mapping[str, str] | None = None
    notes: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FactorRecord:
        """A record from its (schema-valid) JSON; members in field order, optional ones only when present."""
        name = raw["name"]
        source = raw["source"]
        return cls(
            raw["id"],
            Text(name["en"], name["zh"]),
            _intern(raw["activity"]),
            _intern(raw["unit"]),
            Decimal(raw["value"]),
            _intern(raw["region"]),
            raw["year"],
            _intern(source["ref"]),
            source["locator"],
            *(_optional(raw) if len(raw) > _REQUIRED else _NO_OPTIONAL),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name.to_json(), "activity": self.activity}
        optional: dict[str, Any] = {
            "classifications": {k: list(v) for k, v in self.classifications.items()} if self.classifications else None,
            "unit": self.unit,
            "value": decimal_text(self.value),
            "valueAsPublished": self.value_as_published,
            "gases": _strings(self.gases),
            "co2eByGas": _strings(self.co2e_by_gas),
            "co2eParts": _strings(self.co2e_parts),
            "gasesCovered": list(self.gases_covered) if self.gases_covered is not None else None,
            "boundary": self.boundary,
            "region": self.region,
            "year": self.year,
            "quality": self.quality,
            "dataSourceType": self.data_source_type,
            "uncertainty": self.uncertainty,
            "derivedFrom": list(self.derived_from) if self.derived_from is not None else None,
            "source": {"ref": self.source_ref, "locator": self.source_locator},
            "notes": self.notes,
        }
        out.update((k, v) for k, v in optional.items() if v is not None)
        return out


@dataclass(frozen=True)
class FactorSet:
    """A factor set: ``header`` is the document without its records (small, kept as read).

    Its status and effective dates are read from the header once (a set never changes).
    """

    header: Mapping[str, Any]
    records: tuple[FactorRecord, ...]
    by_id: Mapping[str, FactorRecord] = field(repr=False, compare=False)

    @classmethod
    def from_parts(cls, header: Mapping[str, Any], records: tuple[FactorRecord, ...]) -> FactorSet:
        return cls(header, records, {r.id: r for r in records})

    @cached_property
    def id(self) -> str:
        return str(self.header["id"])

    @cached_property
    def version(self) -> str:
        return str(self.header["version"])

    @cached_property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def kind(self) -> str:
        return str(self.header["kind"])

    @cached_property
    def status(self) -> str:
        return str(self.header["status"])

    @property
    def title(self) -> Text:
        t = self.header["title"]
        return Text(t["en"], t["zh"])

    @property
    def gwp(self) -> str | None:
        value = self.header.get("gwp")
        return None if value is None else str(value)

    @cached_property
    def effective_from(self) -> date:
        return date.fromisoformat(self.header["effective"]["from"])

    @cached_property
    def effective_until(self) -> date | None:
        until = self.header["effective"].get("until")
        return None if until is None else date.fromisoformat(until)

    def in_effect(self, on: date) -> bool:
        until = self.effective_until
        return self.effective_from <= on and (until is None or on < until)

    @property
    def regions(self) -> Mapping[str, tuple[str, ...]]:
        """Named regions (``grid:...``) and the ISO 3166 codes each covers."""
        return {r["id"]: tuple(r["members"]) for r in self.header.get("regions", ())}

    @property
    def tolerance(self) -> Decimal:
        return Decimal(self.header.get("tolerance", "0.005"))

    @property
    def redistributable(self) -> bool:
        return bool(self.header["licence"]["redistributable"])

    def to_json(self) -> dict[str, Any]:
        return {**self.header, "records": [r.to_json() for r in self.records]}

    def digest(self) -> str:
        """``sha256:`` over the RFC 8785 form of the whole document."""
        return sha256_digest(self.to_json())
