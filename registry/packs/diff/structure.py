"""The pack's outline: id, extends, scope, declared unit, boundary, required stages and modules,
and the other top-level keys (metadata)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from registry.packs.diff.changes import ChangeKind
from registry.packs.diff.common import Collector, Side, as_decimal, ptr, same
from registry.packs.diff.versions import Bump


def diff_id(col: Collector, old: Side, new: Side) -> None:
    o, n = old.data["id"], new.data["id"]
    if o != n:
        message = f"pack id changed from {o} to {n}: declarations that name the old id no longer select it"
        col.add(ChangeKind.ID_CHANGED, Bump.MAJOR, "/id", o, n, message)


def diff_extends(col: Collector, old: Side, new: Side) -> None:
    od, nd = old.data, new.data
    if not same(list(od.get("extends", [])), list(nd.get("extends", []))):
        message = "extends changed (its effect on rules and parameters is listed separately)"
        col.add(ChangeKind.EXTENDS_CHANGED, Bump.PATCH, "/extends", od.get("extends"), nd.get("extends"), message)


# scope


def _norm_code(code: str) -> str:
    return code.replace(".", "").replace(" ", "")


def _covered(code: str, by: Iterable[str]) -> str | None:
    """The code in ``by`` that selects every declaration ``code`` selects (prefix match), if any."""
    c = _norm_code(code)
    for s in by:
        if c.startswith(_norm_code(s)):
            return s
    return None


def _diff_abstract(col: Collector, od: Mapping[str, Any], nd: Mapping[str, Any]) -> None:
    old_abs, new_abs = bool(od.get("abstract", False)), bool(nd.get("abstract", False))
    if old_abs == new_abs:
        return
    if new_abs:
        kind, bump = ChangeKind.SCOPE_NARROWED, Bump.MAJOR
        message = "the pack became abstract: its codes no longer select it for a declaration"
    else:
        kind, bump = ChangeKind.SCOPE_WIDENED, Bump.MINOR
        message = "the pack is no longer abstract: its codes now select it for declarations"
    col.add(kind, bump, "/abstract", od.get("abstract"), nd.get("abstract"), message)


def _codes_gone(col: Collector, system: str, codes: list[str], others: list[str], *, removed: bool) -> None:
    """The ``codes`` of one side that the ``others`` lack: removed from the old side, or added to the new."""
    for i, code in enumerate(codes):
        if code in others:
            continue
        cover = _covered(code, others)
        pointer, name = ptr("scope", system, i), f"{system.upper()} code {code}"
        before, after = (code, None) if removed else (None, code)
        if cover is not None:
            how = "removed from the scope; still" if removed else "added to the scope; already"
            col.patch(pointer, before, after, f"{name} {how} covered by {cover}")
        elif removed:
            message = f"{name} removed from the scope: declarations it selected may select no pack"
            col.add(ChangeKind.SCOPE_NARROWED, Bump.MAJOR, pointer, before, after, message)
        else:
            message = f"{name} added to the scope: more declarations select this pack"
            col.add(ChangeKind.SCOPE_WIDENED, Bump.MINOR, pointer, before, after, message)


def _diff_codes(col: Collector, system: str, old_codes: list[str], new_codes: list[str]) -> None:
    _codes_gone(col, system, old_codes, new_codes, removed=True)
    _codes_gone(col, system, new_codes, old_codes, removed=False)
    if set(old_codes) == set(new_codes) and old_codes != new_codes:
        col.patch(ptr("scope", system), old_codes, new_codes, f"{system.upper()} codes reordered")


def diff_scope(col: Collector, old: Side, new: Side) -> None:
    od, nd = old.data, new.data
    _diff_abstract(col, od, nd)
    os_, ns = od.get("scope", {}), nd.get("scope", {})
    for system in ("hs", "cpc"):
        _diff_codes(col, system, list(os_.get(system, [])), list(ns.get(system, [])))
    ot = {k: v for k, v in os_.items() if k not in ("hs", "cpc")}
    nt = {k: v for k, v in ns.items() if k not in ("hs", "cpc")}
    if not same(ot, nt):
        col.patch("/scope/description", ot or None, nt or None, "scope text changed")


# declared unit and boundary


def _unit_essence(u: dict[str, Any] | None) -> tuple[Any, Any] | None:
    """What a declared unit means: the unit and the amount as a decimal (``1`` is ``1.0``)."""
    if u is None:
        return None
    return (u.get("unit"), as_decimal(u.get("amount")))


def _unit_text(u: dict[str, Any] | None) -> str:
    return "none" if u is None else f"{u.get('amount')} {u.get('unit')}"


def diff_declared_unit(col: Collector, old: Side, new: Side) -> None:
    o, n = old.resolved.declared_unit, new.resolved.declared_unit
    if _unit_essence(o) != _unit_essence(n):
        message = f"declared unit changed from {_unit_text(o)} to {_unit_text(n)}"
        col.add(ChangeKind.DECLARED_UNIT_CHANGED, Bump.MAJOR, "/declaredUnit", o, n, message)
    elif not same(o, n):
        col.patch("/declaredUnit", o, n, "declared unit reworded (same unit and amount)")


def diff_boundary(col: Collector, old: Side, new: Side) -> None:
    o, n = old.resolved.system_boundary, new.resolved.system_boundary
    if o != n:
        message = f"system boundary changed from {o or 'none'} to {n or 'none'}"
        col.add(ChangeKind.BOUNDARY_CHANGED, Bump.MAJOR, "/systemBoundary", o, n, message)


# required stages and modules


def _diff_required(
    col: Collector,
    key: str,
    old: Sequence[str],
    new: Sequence[str],
    kinds: tuple[ChangeKind, ChangeKind],
    noun: str,
) -> None:
    required, dropped = kinds
    for i, item in enumerate(new):
        if item not in old:
            col.add(required, Bump.MAJOR, ptr(key, i), None, item, f"{noun} {item} is now required")
    for i, item in enumerate(old):
        if item not in new:
            col.add(dropped, Bump.MINOR, ptr(key, i), item, None, f"{noun} {item} is no longer required")
    if set(old) == set(new) and list(old) != list(new):
        col.patch(ptr(key), list(old), list(new), f"{key} reordered")


def diff_stages(col: Collector, old: Side, new: Side) -> None:
    kinds = (ChangeKind.STAGE_REQUIRED, ChangeKind.STAGE_DROPPED)
    o, n = old.resolved.required_stages, new.resolved.required_stages
    _diff_required(col, "requiredStages", o, n, kinds, "stage")


def diff_modules(col: Collector, old: Side, new: Side) -> None:
    kinds = (ChangeKind.MODULE_REQUIRED, ChangeKind.MODULE_DROPPED)
    o, n = old.resolved.required_modules, new.resolved.required_modules
    _diff_required(col, "requiredModules", o, n, kinds, "module")


# metadata

# Top-level keys compared structurally; every other key is metadata (one change per key).
_STRUCTURAL_KEYS = frozenset(
    {
        "id",
        "version",
        "extends",
        "abstract",
        "scope",
        "declaredUnit",
        "systemBoundary",
        "requiredStages",
        "requiredModules",
        "parameters",
        "rules",
        "grading",
        "recalculation",
    }
)


def diff_metadata(col: Collector, old: Side, new: Side) -> None:
    od, nd = old.data, new.data
    for key in sorted((od.keys() | nd.keys()) - _STRUCTURAL_KEYS):
        if key not in od or key not in nd or not same(od[key], nd[key]):
            verb = "added" if key not in od else "removed" if key not in nd else "changed"
            col.patch(ptr(key), od.get(key), nd.get(key), f"{key} {verb}")
