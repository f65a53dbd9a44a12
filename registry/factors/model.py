"""A factor set in memory: its header (identity, licence, sources, dates) and its records.

Records are slotted dataclasses, each built from its JSON on first use (a load keeps each
record's compact JSON bytes and an index of their ids, so a set of 100,000 records loads in the time it takes
to parse and schema-check it), with the repeated strings (activity, unit, region, boundary,
source) interned; a reference resolves with a few dictionary look-ups. ``to_json`` gives back the document
with the content it was read with (decimals keep their digits), which is what is signed and digested.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

import orjson

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


class RecordIndex(Mapping[str, FactorRecord]):
    """A set's records by id, each built the first time it is asked for.

    Loading a set keeps its records as compact JSON in one bytes buffer (with where each ends) and
    an index of their ids; a :class:`FactorRecord` (exact decimals, interned strings) is made for a
    record only when a reference resolves to it or when all records are listed. The bytes hold a
    record in a fraction of the memory its parsed objects take, and nobody can change them. An id
    given twice indexes its last record, as a dict of built records would.
    """

    __slots__ = ("_all", "_built", "_ends", "_index", "_raw")

    def __init__(self, raw: Sequence[Mapping[str, Any]]) -> None:
        dumps = orjson.dumps
        buffer = bytearray()
        ends = array("Q")
        index: dict[str, int] = {}
        for i, record in enumerate(raw):
            index[record["id"]] = i
            buffer += dumps(record)  # one buffer: a bytes object per record would keep orjson's spare capacity
            ends.append(len(buffer))
        self._raw = bytes(buffer)
        self._ends = ends
        self._index = index
        self._built: dict[str, FactorRecord] = {}
        self._all: tuple[FactorRecord, ...] | None = None

    def _parsed(self, i: int) -> Any:
        start = self._ends[i - 1] if i else 0
        return orjson.loads(memoryview(self._raw)[start : self._ends[i]])

    @classmethod
    def of_records(cls, records: Sequence[FactorRecord]) -> RecordIndex:
        """An index over records already built (an import, a test)."""
        index = cls.__new__(cls)
        index._raw = b""
        index._ends = array("Q")
        index._index = {}
        index._built = {r.id: r for r in records}
        index._all = tuple(records)
        return index

    def __getitem__(self, factor_id: str) -> FactorRecord:
        found = self._built.get(factor_id)
        if found is None:
            found = self._built[factor_id] = FactorRecord.from_json(self._parsed(self._index[factor_id]))
        return found

    def get(self, factor_id: str, default: Any = None) -> Any:
        found = self._built.get(factor_id)
        if found is not None:
            return found
        i = self._index.get(factor_id)
        if i is None:
            return default
        found = self._built[factor_id] = FactorRecord.from_json(self._parsed(i))
        return found

    def __contains__(self, factor_id: object) -> bool:
        return factor_id in self._index or factor_id in self._built

    def __iter__(self) -> Iterator[str]:
        return iter(self._index or self._built)

    def __len__(self) -> int:
        return len(self._index or self._built)

    def all(self) -> tuple[FactorRecord, ...]:
        """Every record in document order (duplicates included), built now if not yet."""
        if self._all is not None:
            return self._all
        built, index = self._built, self._index
        out = []
        for i in range(len(self._ends)):
            raw = self._parsed(i)
            rid = raw["id"]
            record = built.get(rid) if index[rid] == i else None
            if record is None:
                record = FactorRecord.from_json(raw)
                if index[rid] == i:
                    built[rid] = record
            out.append(record)
        return tuple(out)


class FactorSet:
    """A factor set: ``header`` is the document without its records (small, kept as read);
    ``by_id`` its records by id, built on first use (:class:`RecordIndex`).

    Its status and effective dates are read from the header once (a set never changes).
    """

    def __init__(self, header: Mapping[str, Any], by_id: RecordIndex) -> None:
        self.header = header
        self.by_id = by_id

    @classmethod
    def from_parts(cls, header: Mapping[str, Any], records: tuple[FactorRecord, ...]) -> FactorSet:
        return cls(header, RecordIndex.of_records(records))

    @classmethod
    def from_raw(cls, header: Mapping[str, Any], raw: Sequence[Mapping[str, Any]]) -> FactorSet:
        """A set over its schema-valid raw records, kept as compact bytes and built on first use."""
        return cls(header, RecordIndex(raw))

    @cached_property
    def records(self) -> tuple[FactorRecord, ...]:
        return self.by_id.all()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FactorSet):
            return NotImplemented
        return self.header == other.header and self.records == other.records

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FactorSet({self.header.get('id')}@{self.header.get('version')}, {len(self.by_id)} records)"

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
