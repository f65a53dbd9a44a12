"""What every part of a pack diff uses: the two sides, the collector of changes, JSON helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from registry.errors import InputError
from registry.packs.diff.changes import Change, ChangeKind
from registry.packs.diff.versions import Bump
from registry.packs.rulepack import ResolvedPack, RulePack

Lookup = Callable[[str], RulePack]


def _chain_data(rp: ResolvedPack, lookup: Lookup | None) -> list[Mapping[str, Any]]:
    """The raw documents of the resolution chain, bases first; only the pack itself without lookup."""
    if lookup is None:
        return [rp.pack.data]
    out: list[Mapping[str, Any]] = []
    for ref in rp.chain:
        if ref == rp.pack.ref:
            out.append(rp.pack.data)
            continue
        try:
            out.append(lookup(ref).data)
        except InputError:
            continue  # unknown base: its annotations are treated as absent
    return out


@dataclass(frozen=True)
class Side:
    """One of the two packs compared: resolved, with the raw documents of its ``extends`` chain
    (bases first) for what resolution drops (parameter annotations and wording, grading labels)."""

    resolved: ResolvedPack
    chain: list[Mapping[str, Any]]

    @classmethod
    def of(cls, rp: ResolvedPack, lookup: Lookup | None) -> Side:
        return cls(rp, _chain_data(rp, lookup))

    @property
    def data(self) -> Mapping[str, Any]:
        """The pack's own document, as written."""
        return self.resolved.pack.data


class Collector:
    """The changes found so far, in the order they are found."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(
        self,
        kind: ChangeKind,
        bump: Bump,
        pointer: str,
        before: Any,
        after: Any,
        message: str,
        rule_id: str | None = None,
    ) -> None:
        self.changes.append(Change(kind, bump, pointer, before, after, rule_id, message))

    def patch(self, pointer: str, before: Any, after: Any, message: str) -> None:
        """A ``metadata-changed`` change: wording, order or spelling that changes no outcome."""
        self.add(ChangeKind.METADATA_CHANGED, Bump.PATCH, pointer, before, after, message)


def _esc(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def ptr(*parts: str | int) -> str:
    """A JSON pointer from its unescaped tokens."""
    return "".join("/" + _esc(str(p)) for p in parts)


def same(a: Any, b: Any) -> bool:
    """JSON equality that tells 1, 1.0 and true apart (CEL does)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def json_key(value: Any) -> str:
    """A canonical text of a JSON value, for sets and sorting."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def show(value: Any) -> str:
    """A JSON value for a message, cut at 60 characters."""
    text = value if isinstance(value, str) else json_key(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_decimal(value: Any) -> Decimal | None:
    """A finite number or decimal string as a Decimal; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None
