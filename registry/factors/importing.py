"""Importing factor sets from the formats factor data comes in: CSV with a column mapping, ILCD LCIA methods.

A *mapping* (a small YAML or JSON file) gives what the data does not say::

    set:                      # the set's header, as in schemas/factorset-1.0.json (no records)
      format: pcf-registry/factorset/1.0
      kind: emission-factors
      id: acme/fuels
      ...
    columns:                  # CSV only: record member <- column header (dotted members nest)
      id: ID
      name.en: Name
      value: kg CO2e
      classifications.hs: HS  # list members split on ";"
    defaults:                 # members for every record; a non-empty cell wins
      name.zh: 燃料
      source.ref: s1
      year: 2025

Every record is built, then the whole document is read as a set (schema with JSON pointers);
each problem names the file and line it came from (the CSV row, the ILCD ``<factor>`` element).
What a record does not say about its source is filled with where it was read (file and line).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from registry.errors import InputError, Location, RegistryError
from registry.factors.errors import FactorSetError
from registry.factors.load import FORMAT, factor_set_from_data
from registry.factors.model import FactorSet, decimal_text
from registry.yamlpos import Positions, load_with_positions, position_of

MAX_PROBLEMS = 100
_LIST_MEMBERS = ("classifications.", "gasesCovered", "derivedFrom")
_DECIMAL_MEMBERS = ("value", "gases.", "co2eByGas.", "co2eParts.")


class ImportMapping:
    """A parsed mapping file: the set header, the column map and the defaults, with positions."""

    def __init__(self, data: Any, file: str, positions: Positions) -> None:
        self.file, self._positions = file, positions
        if not isinstance(data, dict) or not isinstance(data.get("set"), dict):
            raise InputError("a mapping is an object with a set member (the set's header)", self.at("/set"))
        self.header: dict[str, Any] = {"format": FORMAT, **data["set"]}
        self.columns: dict[str, str] = self._strings(data, "columns")
        self.defaults: dict[str, Any] = dict(data.get("defaults") or {})
        if "records" in self.header:
            raise InputError(
                "the set header of a mapping has no records: they come from the data", self.at("/set/records")
            )

    def _strings(self, data: dict[str, Any], member: str) -> dict[str, str]:
        value = data.get(member) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise InputError(f"{member} maps record members to column headers (strings)", self.at(f"/{member}"))
        return value

    def at(self, pointer: str) -> Location:
        line, column = position_of(self._positions, pointer)
        return Location(self.file, line, column, pointer)


def read_mapping(path: Path) -> ImportMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read the mapping: {e}", Location(str(path))) from e
    data, positions = load_with_positions(text, file=str(path))
    return ImportMapping(data, str(path), positions)


# --- building records -------------------------------------------------------------------------


def _convert(member: str, text: str) -> Any:
    if member.startswith(_LIST_MEMBERS):
        return [part.strip() for part in text.split(";") if part.strip()]
    if member == "year" or member.startswith("quality."):
        try:
            return int(text)
        except ValueError as e:
            raise ValueError(f"{text!r} is not a whole number") from e
    if member.startswith(_DECIMAL_MEMBERS):
        try:
            number = Decimal(text.strip())
        except InvalidOperation as e:
            raise ValueError(f"{text!r} is not a decimal number (write 1234.5, not 1,234.5)") from e
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a finite number")
        return decimal_text(number)
    return text


def _put(record: dict[str, Any], member: str, value: Any) -> None:
    *parents, last = member.split(".")
    node = record
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value


def _record(values: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for member, value in values:
        _put(record, member, value)
    return record


def _with_problems_located(build: Callable[[], FactorSet], lines: list[int | None], file: str) -> FactorSet:
    """Read the document; a problem under ``/records/i`` names the line record ``i`` came from."""
    try:
        return build()
    except FactorSetError as e:
        for problem in e.problems:
            pointer = problem.location.pointer or ""
            line = None
            if pointer.startswith("/records/"):
                index = int(pointer.split("/")[2])
                line = lines[index] if index < len(lines) else None
            problem.location = Location(file, line, None, pointer)
        raise


def _raise(problems: list[RegistryError], what: str, file: str) -> None:
    if problems:
        more = " (first shown)" if len(problems) >= MAX_PROBLEMS else ""
        raise FactorSetError(f"{len(problems)} problem(s) in {what}{more}", Location(file), problems=problems)


# --- CSV ----------------------------------------------------------------------------------------


def _csv_rows(data: bytes, file: str) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"the CSV file is not UTF-8: {e.reason} at byte {e.start}", Location(file)) from e
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as e:
        raise InputError("the CSV file is empty", Location(file, 1)) from e
    except csv.Error as e:
        raise InputError(f"not CSV: {e}", Location(file, 1)) from e

    def rows() -> Iterable[tuple[int, list[str]]]:
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except csv.Error as e:
            raise InputError(f"not CSV: {e}", Location(file, reader.line_num)) from e

    return header, rows()


def _column_index(mapping: ImportMapping, header: list[str], file: str) -> dict[str, int]:
    where = {name.strip(): i for i, name in enumerate(header)}
    out: dict[str, int] = {}
    for member, column in mapping.columns.items():
        if column not in where:
            message = f"column {column!r} (for {member}) is not in the CSV header of {file}: {', '.join(header)}"
            raise InputError(message, mapping.at(f"/columns/{member}"))
        out[member] = where[column]
    return out


def import_csv(data: bytes, mapping: ImportMapping, *, file: str = "<csv>") -> FactorSet:
    """A set from CSV rows and a mapping; every bad cell is a problem naming its line and column header."""
    header, rows = _csv_rows(data, file)
    index = _column_index(mapping, header, file)
    records: list[dict[str, Any]] = []
    lines: list[int | None] = []
    problems: list[RegistryError] = []
    for line, row in rows:
        values = dict(mapping.defaults)
        values.setdefault("source.locator", f"{Path(file).name} line {line}")
        for member, i in index.items():
            cell = row[i].strip() if i < len(row) else ""
            if not cell:
                continue
            try:
                values[member] = _convert(member, cell)
            except ValueError as e:
                pointer = f"/records/{len(records)}/{member.replace('.', '/')}"
                problems.append(
                    InputError(f"column {mapping.columns[member]!r}: {e}", Location(file, line, i + 1, pointer))
                )
        if len(problems) >= MAX_PROBLEMS:
            break
        records.append(_record(values.items()))
        lines.append(line)
    _raise(problems, file, file)
    document = {**mapping.header, "records": records}
    return _with_problems_located(lambda: factor_set_from_data(document, file=file), lines, file)


# --- ILCD LCIA method data sets -----------------------------------------------------------------


def _factor_id(uuid: str, location: str | None) -> str:
    return uuid if not location else f"{uuid}.{location}"


def import_ilcd(
    method: bytes, mapping: ImportMapping, *, file: str = "<lcia>", flows: Iterable[tuple[bytes, str]] = ()
) -> FactorSet:
    """A set from an ILCD LCIA method data set: one record per characterisation factor.

    A record's id is the flow's UUID (``.LOCATION`` added for a regionalised factor), its activity
    ``flow.<uuid>``, its region the factor's location or ``GLO``, its boundary ``characterisation``;
    names come from the flow data sets given (else the reference's short description). Unit
    (default ``kg``), year and source come from the mapping's defaults.
    """
    from registry.convert import read_flow, read_lcia_method

    lcia = read_lcia_method(method, source=file)
    names = {}
    for data, source in flows:
        flow = read_flow(data, source=source)
        if flow.name is not None:
            names[flow.uuid.text] = flow.name.text
    defaults = {"unit": "kg", "boundary": "characterisation", **mapping.defaults}
    records: list[dict[str, Any]] = []
    lines: list[int | None] = []
    for factor in lcia.factors:
        name = names.get(factor.flow_uuid) or factor.flow_name or factor.flow_uuid
        values = {
            **defaults,
            "id": _factor_id(factor.flow_uuid, factor.location),
            "name.en": name,
            "name.zh": defaults.get("name.zh", name),
            "activity": f"flow.{factor.flow_uuid}",
            "value": decimal_text(factor.value),
            "region": factor.location or "GLO",
            "source.locator": f"{lcia.name or 'LCIA method'} ({lcia.uuid}), {factor.xpath}, line {factor.line}",
        }
        if factor.direction:
            values["notes"] = f"exchange direction {factor.direction} (ILCD)"
        records.append(_record(values.items()))
        lines.append(factor.line)
    document = {**mapping.header, "records": records}
    return _with_problems_located(lambda: factor_set_from_data(document, file=file), lines, file)
