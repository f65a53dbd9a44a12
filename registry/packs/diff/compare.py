"""diff_packs: every part of two resolved packs compared in a fixed order (ADR 0004)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from registry.packs.diff.changes import PackDiff
from registry.packs.diff.common import Collector, Lookup, Side
from registry.packs.diff.grading import diff_grading
from registry.packs.diff.parameters import diff_parameters
from registry.packs.diff.recalculation import diff_recalculation
from registry.packs.diff.rules import diff_rules
from registry.packs.diff.structure import (
    diff_boundary,
    diff_declared_unit,
    diff_extends,
    diff_id,
    diff_metadata,
    diff_modules,
    diff_scope,
    diff_stages,
)
from registry.packs.rulepack import ResolvedPack, RulePack

# One function per part of a pack, in the order its changes are listed.
_PARTS: tuple[Callable[[Collector, Side, Side], None], ...] = (
    diff_id,
    diff_extends,
    diff_scope,
    diff_declared_unit,
    diff_boundary,
    diff_stages,
    diff_modules,
    diff_parameters,
    diff_rules,
    diff_grading,
    diff_recalculation,
    diff_metadata,
)


def diff_packs(old: ResolvedPack, new: ResolvedPack, *, lookup: Lookup | None = None) -> PackDiff:
    """Classify every change from ``old`` to ``new`` (ADR 0004). Deterministic.

    ``lookup`` (e.g. ``Catalog.get``) finds base packs by exact ``id@version``, so that a
    parameter's ``limit`` and wording can be inherited from the base that defines it. Without
    it only the packs' own parameter definitions are read; a changed inherited parameter then
    has no known ``limit`` and needs a major release.
    """
    col = Collector()
    old_side, new_side = Side.of(old, lookup), Side.of(new, lookup)
    for diff_part in _PARTS:
        diff_part(col, old_side, new_side)
    return PackDiff(old_ref=old.ref, new_ref=new.ref, changes=tuple(col.changes))


class PackSource(Protocol):
    """What :func:`diff_refs` needs of a catalog (``registry.packs.catalog.Catalog`` fits)."""

    def get(self, ref: str) -> RulePack: ...

    def resolve(self, ref: str) -> ResolvedPack: ...


def diff_refs(catalog: PackSource, old_ref: str, new_ref: str) -> PackDiff:
    """Resolve two pack references in ``catalog`` and diff them, reading bases through it."""
    return diff_packs(catalog.resolve(old_ref), catalog.resolve(new_ref), lookup=catalog.get)
