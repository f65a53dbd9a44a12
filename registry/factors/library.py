"""A library of factor sets, and resolving references against it as of a date.

Resolution never falls back: a reference names a set, optionally a version, and a factor; if
any of them is missing, withdrawn or not in effect on the date, the answer is a
:class:`FactorRefError` with a stable ``reason``, never another region's or year's figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from registry.errors import Location
from registry.factors.errors import FactorRefError
from registry.factors.model import FactorRecord, FactorSet
from registry.factors.refs import FactorRef, parse_ref
from registry.semver import precedence


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a reference resolved to: the record, and the exact ``set@version`` it came from."""

    ref: str
    set_ref: str
    record: FactorRecord
    factor_set: FactorSet
    deprecated: bool = False

    @property
    def pinned(self) -> str:
        """``set@version#factor-id``: the reference that replays this resolution."""
        return f"{self.set_ref}#{self.record.id}"


_CACHE_SIZE = 65536


class FactorLibrary:
    """Factor sets by id and version. Adding the same ``id@version`` twice keeps the first.

    Sets never change, so a resolution is remembered per (reference, date) until a set is added.
    """

    def __init__(self, sets: Iterable[FactorSet] = ()) -> None:
        self._sets: dict[tuple[str, str], FactorSet] = {}
        self._versions: dict[str, list[FactorSet]] = {}
        self._resolved: dict[tuple[str, date], Resolved] = {}
        for s in sets:
            self.add(s)

    def add(self, factor_set: FactorSet) -> None:
        key = (factor_set.id, factor_set.version)
        if key in self._sets:
            return
        self._sets[key] = factor_set
        self._resolved.clear()
        versions = self._versions.setdefault(factor_set.id, [])
        versions.append(factor_set)
        versions.sort(key=lambda s: precedence(s.version))

    def __iter__(self) -> Iterator[FactorSet]:
        return iter(self._sets.values())

    def __len__(self) -> int:
        return len(self._sets)

    def get(self, set_id: str, version: str) -> FactorSet | None:
        return self._sets.get((set_id, version))

    def versions(self, set_id: str) -> list[FactorSet]:
        return list(self._versions.get(set_id, ()))

    def in_effect(self, set_id: str, on: date) -> FactorSet | None:
        """The newest published or deprecated version of ``set_id`` in effect on ``on``."""
        for s in reversed(self._versions.get(set_id, ())):
            if s.status in ("published", "deprecated") and s.in_effect(on):
                return s
        return None

    def resolve(self, ref: str, *, on: date) -> Resolved:
        found = self._resolved.get((ref, on))
        if found is None:
            found = self._resolve(ref, on)
            if len(self._resolved) >= _CACHE_SIZE:
                self._resolved.clear()
            self._resolved[(ref, on)] = found
        return found

    def _resolve(self, ref: str, on: date) -> Resolved:
        parsed = parse_ref(ref)
        factor_set = self._set_for(parsed, ref, on)
        record = factor_set.by_id.get(parsed.factor_id)
        if record is None:
            raise _error(ref, "unknown-factor", f"{factor_set.ref} has no factor {parsed.factor_id!r}")
        return Resolved(ref, factor_set.ref, record, factor_set, factor_set.status == "deprecated")

    def _set_for(self, parsed: FactorRef, ref: str, on: date) -> FactorSet:
        if parsed.set_id not in self._versions:
            raise _error(ref, "unknown-set", f"no factor set {parsed.set_id!r} in this registry")
        if parsed.version is None:
            found = self.in_effect(parsed.set_id, on)
            if found is None:
                raise _error(ref, "not-in-effect", f"no version of {parsed.set_id} is in effect on {on.isoformat()}")
            return found
        factor_set = self._sets.get((parsed.set_id, parsed.version))
        if factor_set is None:
            known = ", ".join(s.version for s in self._versions[parsed.set_id])
            raise _error(ref, "unknown-version", f"{parsed.set_id} has no version {parsed.version} (known: {known})")
        if factor_set.status == "withdrawn":
            raise _error(ref, "withdrawn", f"{factor_set.ref} is withdrawn")
        if not factor_set.in_effect(on):
            raise _error(ref, "not-in-effect", f"{factor_set.ref} is not in effect on {on.isoformat()}")
        return factor_set


def _error(ref: str, reason: str, message: str) -> FactorRefError:
    return FactorRefError(message, Location(), reason=reason, ref=ref)
