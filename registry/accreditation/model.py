"""The accreditation document: what an accreditation body allows a certifier to certify, one version.

A version is data (``schemas/accreditation-1.0.json``): an id ``<body>/<name>`` (the body is the
namespace, so only its keys may sign it), a version number, the certifier, what this version does
(``change``), the resulting ``state``, the scope (schemes x product categories x regions) and the
validity period. Reading one checks the schema (every problem with its JSON pointer) and the
rules the schema cannot say (the period, the state a change leads to, a reason for a change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Any

import jsonschema_rs
from pydantic import BaseModel, ConfigDict

from registry.errors import InputProblems, Location, RegistryError
from registry.resources import load_schema
from registry.schemas import pointer_of
from registry.yamlpos import escape_pointer_token

FORMAT = "pcf-registry/accreditation/1.0"
GLOBAL = "global"


class Change(StrEnum):
    GRANT = "grant"
    REDUCE = "reduce"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    WITHDRAW = "withdraw"


class State(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


STATE_AFTER = {
    Change.GRANT: State.ACTIVE,
    Change.REDUCE: State.ACTIVE,
    Change.SUSPEND: State.SUSPENDED,
    Change.REINSTATE: State.ACTIVE,
    Change.WITHDRAW: State.WITHDRAWN,
}
NEEDS_REASON = frozenset({Change.REDUCE, Change.SUSPEND, Change.WITHDRAW})


@dataclass
class AccreditationError(InputProblems):
    """An accreditation document that cannot be used; ``problems`` has one error per violation."""

    code: str = "accreditation-invalid"


class Scope(BaseModel):
    """Schemes x product categories x regions. Categories: a pack id, a namespace ``ns/``, ``hs:`` or
    ``cpc:`` and a code prefix (digits). Regions: ISO 3166-1 alpha-2 (covering its subdivisions),
    ISO 3166-2, or ``global``."""

    model_config = ConfigDict(frozen=True)

    schemes: tuple[str, ...]
    categories: tuple[str, ...]
    regions: tuple[str, ...]

    def to_json(self) -> dict[str, list[str]]:
        return {"schemes": list(self.schemes), "categories": list(self.categories), "regions": list(self.regions)}


class Accreditation(BaseModel):
    """One version of an accreditation, as read from its document."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    certifier: str
    change: Change
    state: State
    scope: Scope
    valid_from: date
    valid_until: date
    reason: str | None = None
    previous: str | None = None
    standard: str | None = None

    @property
    def body(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day < self.valid_until


@dataclass(frozen=True)
class Recorded:
    """An accreditation version as the registry stored it: in force from ``recorded_at``."""

    accreditation: Accreditation
    digest: str
    recorded_at: datetime


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(dict(load_schema("accreditation-1.0.json")))


def _schema_problems(data: Any, base: str) -> list[RegistryError]:
    try:
        errors = list(_validator().iter_errors(data))
    except (ValueError, TypeError, OverflowError) as e:
        return [RegistryError(f"not JSON data: {e}", Location(pointer=base))]
    problems: list[RegistryError] = []
    for err in errors:
        pointer = base + pointer_of(err.instance_path)
        if type(err.kind).__name__ == "Required" and isinstance(err.kind.property, str):
            pointer += "/" + escape_pointer_token(err.kind.property)
        problems.append(RegistryError(str(err.message), Location(pointer=pointer), code="schema"))
    return sorted(problems, key=lambda p: (p.location.pointer or "", p.message))


def _rule_problems(doc: Accreditation, base: str) -> list[RegistryError]:
    problems: list[RegistryError] = []
    if doc.valid_until <= doc.valid_from:
        problems.append(RegistryError("valid_until must be after valid_from", Location(pointer=f"{base}/valid_until")))
    if doc.state is not STATE_AFTER[doc.change]:
        message = (
            f"a {doc.change.value} leaves the accreditation {STATE_AFTER[doc.change].value}, not {doc.state.value}"
        )
        problems.append(RegistryError(message, Location(pointer=f"{base}/state")))
    if doc.change in NEEDS_REASON and not doc.reason:
        problems.append(RegistryError(f"a {doc.change.value} needs a reason", Location(pointer=f"{base}/reason")))
    if (doc.version == 1) != (doc.change is Change.GRANT):
        message = "version 1 is the grant, and a grant is version 1"
        problems.append(RegistryError(message, Location(pointer=f"{base}/change")))
    if (doc.version == 1) != (doc.previous is None):
        message = "every version after the first names the digest of the one before (previous), the first none"
        problems.append(RegistryError(message, Location(pointer=f"{base}/previous")))
    return problems


def parse_accreditation(data: Any, *, base: str = "") -> Accreditation:
    """An accreditation version from its JSON document; :class:`AccreditationError` listing every problem
    (pointers under ``base``, e.g. ``/accreditation`` inside an envelope)."""
    problems = _schema_problems(data, base)
    if not problems:
        doc = Accreditation.model_validate({k: v for k, v in data.items() if k != "format"})
        problems = _rule_problems(doc, base)
        if not problems:
            return doc
    first = problems[0]
    raise AccreditationError(
        f"the accreditation is not valid ({len(problems)} problem(s)): {first.message}",
        first.location,
        problems=problems,
    )


def to_document(doc: Accreditation) -> dict[str, Any]:
    """The JSON document of a version (what its body signs)."""
    out: dict[str, Any] = {
        "format": FORMAT,
        "id": doc.id,
        "version": doc.version,
        "certifier": doc.certifier,
        "change": doc.change.value,
        "state": doc.state.value,
        "scope": doc.scope.to_json(),
        "valid_from": doc.valid_from.isoformat(),
        "valid_until": doc.valid_until.isoformat(),
    }
    for name in ("reason", "previous", "standard"):
        value = getattr(doc, name)
        if value is not None:
            out[name] = value
    return out
