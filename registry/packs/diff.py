"""Pack version compatibility: diff two resolved packs and check the version bump.

Like a schema registry's compatibility check on register: the new version of a pack is
diffed against the previous one and every change is classified by the smallest semver
bump that may carry it (ADR 0004):

* **major** - the change can turn a conformant declaration into a non-conformant one
  (a new error rule, a tightened limit, a changed check whose direction is unknown);
* **minor** - the change can change some other outcome (a new warning, a finding's path,
  a grade, a dropped requirement);
* **patch** - the change alters no outcome (titles, messages, clauses, descriptions,
  provenance, examples, tests, effective dates).

The RESOLVED packs are compared (bases folded in), because what matters is the outcome for
declarations; ``extends`` is reported as metadata. Pure: no I/O; base packs are looked up
only through the optional ``lookup`` callable, to read parameter annotations (``limit``)
and descriptions that resolution does not keep.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol

from registry.errors import InputError, Location, PackError
from registry.findings import Severity
from registry.packs.rulepack import ResolvedPack, Rule, RulePack

__all__ = [
    "Bump",
    "Change",
    "ChangeKind",
    "IncompatibleVersionError",
    "PackDiff",
    "PackSource",
    "check_bump",
    "diff_packs",
    "diff_refs",
    "normalize_cel",
    "render_text",
    "required_bump",
    "version_bump",
]


class ChangeKind(StrEnum):
    """What changed. The values are stable identifiers (kebab-case); see ADR 0004."""

    ID_CHANGED = "id-changed"
    EXTENDS_CHANGED = "extends-changed"
    SCOPE_NARROWED = "scope-narrowed"
    SCOPE_WIDENED = "scope-widened"
    DECLARED_UNIT_CHANGED = "declared-unit-changed"
    BOUNDARY_CHANGED = "boundary-changed"
    STAGE_REQUIRED = "stage-required"
    STAGE_DROPPED = "stage-dropped"
    MODULE_REQUIRED = "module-required"
    MODULE_DROPPED = "module-dropped"
    PARAMETER_ADDED = "parameter-added"
    PARAMETER_REMOVED = "parameter-removed"
    PARAMETER_CHANGED = "parameter-changed"
    THRESHOLD_TIGHTENED = "threshold-tightened"
    THRESHOLD_LOOSENED = "threshold-loosened"
    RULE_ADDED = "rule-added"
    RULE_REMOVED = "rule-removed"
    RULE_KIND_CHANGED = "rule-kind-changed"
    SEVERITY_RAISED = "severity-raised"
    SEVERITY_LOWERED = "severity-lowered"
    RULE_LOGIC_CHANGED = "rule-logic-changed"
    RULE_ITEMS_ADDED = "rule-items-added"
    RULE_ITEMS_REMOVED = "rule-items-removed"
    RULE_PATH_CHANGED = "rule-path-changed"
    RULE_TEXT_CHANGED = "rule-text-changed"
    GRADING_ADDED = "grading-added"
    GRADING_REMOVED = "grading-removed"
    GRADING_METRIC_CHANGED = "grading-metric-changed"
    BAND_ADDED = "band-added"
    BAND_REMOVED = "band-removed"
    BAND_MOVED = "band-moved"
    METADATA_CHANGED = "metadata-changed"


_BUMP_RANK = {"patch": 0, "minor": 1, "major": 2}


class Bump(StrEnum):
    """A semver bump, ordered by size: ``PATCH < MINOR < MAJOR``."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"

    @property
    def rank(self) -> int:
        return _BUMP_RANK[self.value]

    # str's (alphabetical) ordering would put major < minor < patch: order by size instead.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Bump):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Bump):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Bump):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Bump):
            return NotImplemented
        return self.rank >= other.rank


@dataclass(frozen=True)
class Change:
    """One classified difference between two pack versions.

    ``pointer`` is a JSON pointer into the resolved view of the NEW pack (of the old one for
    removals): ``/rules/<rule id>/<field>``, ``/parameters/<name>``, ``/requiredStages/<i>``,
    ``/scope/hs/<i>``, ``/grading/bands/<i>/max``, ``/<top-level key>``.
    """

    kind: ChangeKind
    bump: Bump
    pointer: str
    before: Any
    after: Any
    rule_id: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "bump": self.bump.value,
            "pointer": self.pointer,
            "before": self.before,
            "after": self.after,
            "rule_id": self.rule_id,
            "message": self.message,
        }


def required_bump(changes: Iterable[Change]) -> Bump:
    """The largest bump any of ``changes`` needs; patch when there are none."""
    return max((c.bump for c in changes), default=Bump.PATCH)


@dataclass(frozen=True)
class PackDiff:
    """The classified changes from ``old_ref`` to ``new_ref`` (both ``id@version``)."""

    old_ref: str
    new_ref: str
    changes: tuple[Change, ...]

    @property
    def old_version(self) -> str:
        return self.old_ref.rpartition("@")[2]

    @property
    def new_version(self) -> str:
        return self.new_ref.rpartition("@")[2]

    @property
    def required(self) -> Bump:
        return required_bump(self.changes)

    @property
    def actual(self) -> Bump | None:
        """The bump from the old version to the new; None if the new version is not greater."""
        return version_bump(self.old_version, self.new_version)

    @property
    def ok(self) -> bool:
        actual = self.actual
        return actual is not None and actual >= self.required

    def exceeding(self) -> tuple[Change, ...]:
        """The changes that need more than the actual bump (all of them if there is none)."""
        actual = self.actual
        if actual is None:
            return self.changes
        return tuple(c for c in self.changes if c.bump > actual)

    def to_json(self) -> dict[str, Any]:
        actual = self.actual
        return {
            "old": self.old_ref,
            "new": self.new_ref,
            "required": self.required.value,
            "actual": actual.value if actual is not None else None,
            "ok": self.ok,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass
class IncompatibleVersionError(PackError):
    """A new pack version's number is too small for its changes; carries the diff."""

    code: str = "incompatible-version"
    diff: PackDiff = field(kw_only=True)

    @classmethod
    def from_diff(cls, diff: PackDiff) -> IncompatibleVersionError:
        actual = diff.actual
        if actual is None:
            message = (
                f"{diff.new_ref} is not a newer version than {diff.old_ref}; "
                f"its changes need a {diff.required.value} release"
            )
        else:
            message = (
                f"{diff.new_ref} is a {actual.value} release after {diff.old_ref}, "
                f"but its changes need a {diff.required.value} release"
            )
        return cls(message, Location(pointer="/version"), diff=diff)

    def __str__(self) -> str:
        lines = [self.message]
        lines += ["  - " + _change_line(c) for c in self.diff.exceeding()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["diff"] = self.diff.to_json()
        return out


def check_bump(diff: PackDiff) -> None:
    """Raise :class:`IncompatibleVersionError` unless the version bump covers every change."""
    if not diff.ok:
        raise IncompatibleVersionError.from_diff(diff)


# --- versions -----------------------------------------------------------------------------

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z.-]+))?$")


def _parse_version(version: str) -> tuple[tuple[int, int, int], tuple[str, ...]]:
    m = _SEMVER.match(version)
    if m is None:
        raise InputError(f"not a semantic version: {version!r}")
    core = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    return core, pre


Precedence = tuple[tuple[int, int, int], int, tuple[tuple[int, int, str], ...]]


def precedence(version: str) -> Precedence:
    """Public sort key for versions (SemVer 2.0.0 precedence); used by the catalog too."""
    return _precedence(version)


def _precedence(version: str) -> Precedence:
    """SemVer 2.0.0 precedence: a release outranks its pre-releases; numeric identifiers
    compare as numbers and rank below alphanumeric ones."""
    core, pre = _parse_version(version)
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre)
    return core, (0 if pre else 1), ids


def _core_bump(old: tuple[int, int, int], new: tuple[int, int, int]) -> Bump:
    """The bump between two different release cores (new > old), 0.y.z read as Cargo does."""
    if new[0] != old[0]:
        return Bump.MAJOR
    if new[0] == 0:  # 0.y.z: a new y is breaking, a new z is a feature; 0.0.z is always breaking
        if new[1] != old[1] or new[1] == 0:
            return Bump.MAJOR
        return Bump.MINOR
    return Bump.MINOR if new[1] != old[1] else Bump.PATCH


def _core_level(core: tuple[int, int, int]) -> Bump:
    """What a release core says of itself relative to its predecessor: X.0.0 major, X.Y.0 minor."""
    major, minor, patch = core
    if major == 0:
        return Bump.MAJOR if minor == 0 or patch == 0 else Bump.MINOR
    if minor == 0 and patch == 0:
        return Bump.MAJOR
    return Bump.MINOR if patch == 0 else Bump.PATCH


def version_bump(old_version: str, new_version: str) -> Bump | None:
    """The bump from ``old_version`` to ``new_version``; None unless the new one is greater.

    ``1.2.3 -> 2.0.0`` major, ``-> 1.3.0`` minor, ``-> 1.2.4`` patch. Pre-releases: when the
    cores differ the cores decide (``1.2.3 -> 2.0.0-rc.1`` is major); on the same core
    (``2.0.0-rc.1 -> 2.0.0-rc.2 -> 2.0.0``) the core's own level decides (X.0.0 major, X.Y.0
    minor, else patch). Below 1.0.0: ``0.y -> 0.y+1`` and any ``0.0.z`` change are major,
    ``0.y.z -> 0.y.z+1`` minor.
    """
    old_core, _ = _parse_version(old_version)
    new_core, _ = _parse_version(new_version)
    if _precedence(new_version) <= _precedence(old_version):
        return None
    if new_core != old_core:
        return _core_bump(old_core, new_core)
    return _core_level(new_core)


# --- CEL normalisation ----------------------------------------------------------------------


def _wordish(c: str) -> bool:
    return c.isalnum() or c == "_"


def normalize_cel(source: str | None) -> str | None:
    """CEL source with insignificant whitespace and ``//`` comments removed.

    String literals (quoted, triple-quoted, raw) are kept verbatim; a space survives only
    between two identifier or number characters, where it separates tokens.
    """
    if source is None:
        return None
    out: list[str] = []
    i, n = 0, len(source)
    gap = False
    while i < n:
        c = source[i]
        if c in "'\"":
            raw = False
            k = i - 1
            while k >= 0 and i - k <= 2 and source[k] in "rRbB":
                raw = raw or source[k] in "rR"
                k -= 1
            quote = source[i : i + 3] if source[i : i + 3] in ("'''", '"""') else c
            end = i + len(quote)
            while end < n:
                if not raw and source[end] == "\\":
                    end += 2
                    continue
                if source.startswith(quote, end):
                    end += len(quote)
                    break
                end += 1
            out.append(source[i:end])
            gap = False
            i = end
            continue
        if c.isspace():
            gap = True
            i += 1
            continue
        if source.startswith("//", i):
            nl = source.find("\n", i)
            i = n if nl < 0 else nl
            gap = True
            continue
        if gap and out and _wordish(out[-1][-1]) and _wordish(c):
            out.append(" ")
        gap = False
        out.append(c)
        i += 1
    return "".join(out)


# --- helpers --------------------------------------------------------------------------------


def _esc(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _ptr(*parts: str | int) -> str:
    return "".join("/" + _esc(str(p)) for p in parts)


def _same(a: Any, b: Any) -> bool:
    """JSON equality that tells 1, 1.0 and true apart (CEL does)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _key(value: Any) -> str:
    """A canonical text of a JSON value, for sets and sorting."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else _key(value)
    return text if len(text) <= 60 else text[:57] + "..."


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def _rule_json(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "title": rule.title,
        "severity": rule.severity.value,
        "kind": rule.kind,
        "clauses": list(rule.clauses),
    }
    if rule.stage is not None:
        out["stage"] = rule.stage
    if rule.path:
        out["path"] = rule.path
    if rule.for_each is not None:
        out["forEach"] = list(rule.for_each)
    if rule.when is not None:
        out["when"] = rule.when
    if rule.check is not None:
        out["check"] = rule.check
    if rule.message is not None:
        out["message"] = rule.message
    return out


class _Collector:
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


# --- the chain's raw data (for what resolution drops) ----------------------------------------


def _chain_data(rp: ResolvedPack, lookup: Callable[[str], RulePack] | None) -> list[Mapping[str, Any]]:
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


def _param_def(raw: Any) -> dict[str, Any]:
    return dict(raw) if isinstance(raw, dict) else {"value": raw}


def _param_defs(rp: ResolvedPack, chain: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per parameter: its nearest definition (object form), with ``limit`` inherited by name."""
    defs: dict[str, dict[str, Any]] = {}
    limits: dict[str, str] = {}
    for data in chain:
        for name, raw in data.get("parameters", {}).items():
            d = _param_def(raw)
            defs[name] = d
            if "limit" in d:
                limits[name] = d["limit"]
    out: dict[str, dict[str, Any]] = {}
    for name, value in rp.parameters.items():
        d = dict(defs.get(name, {}))
        d["value"] = value
        d.pop("limit", None)
        if name in limits:
            d["limit"] = limits[name]
        out[name] = d
    return out


def _grading_text(chain: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The wording of the nearest grading (unit, basis, band labels): what changes no grade."""
    for data in reversed(chain):
        g = data.get("grading")
        if g is not None:
            return {
                "unit": g.get("unit"),
                "basis": g.get("basis"),
                "labels": {b["grade"]: b["label"] for b in g.get("bands", []) if "label" in b},
            }
    return None


# --- comparison -----------------------------------------------------------------------------

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
    }
)


def diff_packs(
    old: ResolvedPack,
    new: ResolvedPack,
    *,
    lookup: Callable[[str], RulePack] | None = None,
) -> PackDiff:
    """Classify every change from ``old`` to ``new`` (ADR 0004). Deterministic.

    ``lookup`` (e.g. ``Catalog.get``) finds base packs by exact ``id@version``, so that a
    parameter's ``limit`` and wording can be inherited from the base that defines it. Without
    it only the packs' own parameter definitions are read; a changed inherited parameter then
    has no known ``limit`` and needs a major release.
    """
    col = _Collector()
    old_chain, new_chain = _chain_data(old, lookup), _chain_data(new, lookup)
    od, nd = old.pack.data, new.pack.data
    if od["id"] != nd["id"]:
        col.add(
            ChangeKind.ID_CHANGED,
            Bump.MAJOR,
            "/id",
            od["id"],
            nd["id"],
            f"pack id changed from {od['id']} to {nd['id']}: declarations that name the old id no longer select it",
        )
    if not _same(list(od.get("extends", [])), list(nd.get("extends", []))):
        col.add(
            ChangeKind.EXTENDS_CHANGED,
            Bump.PATCH,
            "/extends",
            od.get("extends"),
            nd.get("extends"),
            "extends changed (its effect on rules and parameters is listed separately)",
        )
    _diff_scope(col, od, nd)
    _diff_declared_unit(col, old.declared_unit, new.declared_unit)
    if old.system_boundary != new.system_boundary:
        col.add(
            ChangeKind.BOUNDARY_CHANGED,
            Bump.MAJOR,
            "/systemBoundary",
            old.system_boundary,
            new.system_boundary,
            f"system boundary changed from {old.system_boundary or 'none'} to {new.system_boundary or 'none'}",
        )
    _diff_set(
        col,
        "requiredStages",
        old.required_stages,
        new.required_stages,
        (ChangeKind.STAGE_REQUIRED, ChangeKind.STAGE_DROPPED),
        "stage",
    )
    _diff_set(
        col,
        "requiredModules",
        old.required_modules,
        new.required_modules,
        (ChangeKind.MODULE_REQUIRED, ChangeKind.MODULE_DROPPED),
        "module",
    )
    _diff_parameters(col, _param_defs(old, old_chain), _param_defs(new, new_chain))
    _diff_rules(col, old.rules, new.rules)
    _diff_grading(col, old, new, _grading_text(old_chain), _grading_text(new_chain))
    for key in sorted((od.keys() | nd.keys()) - _STRUCTURAL_KEYS):
        if key not in od or key not in nd or not _same(od[key], nd[key]):
            verb = "added" if key not in od else "removed" if key not in nd else "changed"
            col.add(ChangeKind.METADATA_CHANGED, Bump.PATCH, _ptr(key), od.get(key), nd.get(key), f"{key} {verb}")
    return PackDiff(old_ref=old.ref, new_ref=new.ref, changes=tuple(col.changes))


class PackSource(Protocol):
    """What :func:`diff_refs` needs of a catalog (``registry.packs.catalog.Catalog`` fits)."""

    def get(self, ref: str) -> RulePack: ...

    def resolve(self, ref: str) -> ResolvedPack: ...


def diff_refs(catalog: PackSource, old_ref: str, new_ref: str) -> PackDiff:
    """Resolve two pack references in ``catalog`` and diff them, reading bases through it."""
    return diff_packs(catalog.resolve(old_ref), catalog.resolve(new_ref), lookup=catalog.get)


def _norm_code(code: str) -> str:
    return code.replace(".", "").replace(" ", "")


def _covered(code: str, by: Iterable[str]) -> str | None:
    """The code in ``by`` that selects every declaration ``code`` selects (prefix match), if any."""
    c = _norm_code(code)
    for s in by:
        if c.startswith(_norm_code(s)):
            return s
    return None


def _diff_scope(col: _Collector, od: Mapping[str, Any], nd: Mapping[str, Any]) -> None:
    old_abs, new_abs = bool(od.get("abstract", False)), bool(nd.get("abstract", False))
    if old_abs != new_abs:
        if new_abs:
            col.add(
                ChangeKind.SCOPE_NARROWED,
                Bump.MAJOR,
                "/abstract",
                od.get("abstract"),
                nd.get("abstract"),
                "the pack became abstract: its codes no longer select it for a declaration",
            )
        else:
            col.add(
                ChangeKind.SCOPE_WIDENED,
                Bump.MINOR,
                "/abstract",
                od.get("abstract"),
                nd.get("abstract"),
                "the pack is no longer abstract: its codes now select it for declarations",
            )
    os_, ns = od.get("scope", {}), nd.get("scope", {})
    for system in ("hs", "cpc"):
        old_codes: list[str] = list(os_.get(system, []))
        new_codes: list[str] = list(ns.get(system, []))
        for i, code in enumerate(old_codes):
            if code in new_codes:
                continue
            cover = _covered(code, new_codes)
            if cover is None:
                col.add(
                    ChangeKind.SCOPE_NARROWED,
                    Bump.MAJOR,
                    _ptr("scope", system, i),
                    code,
                    None,
                    f"{system.upper()} code {code} removed from the scope: declarations it selected may select no pack",
                )
            else:
                col.add(
                    ChangeKind.METADATA_CHANGED,
                    Bump.PATCH,
                    _ptr("scope", system, i),
                    code,
                    None,
                    f"{system.upper()} code {code} removed from the scope; still covered by {cover}",
                )
        for i, code in enumerate(new_codes):
            if code in old_codes:
                continue
            cover = _covered(code, old_codes)
            if cover is None:
                col.add(
                    ChangeKind.SCOPE_WIDENED,
                    Bump.MINOR,
                    _ptr("scope", system, i),
                    None,
                    code,
                    f"{system.upper()} code {code} added to the scope: more declarations select this pack",
                )
            else:
                col.add(
                    ChangeKind.METADATA_CHANGED,
                    Bump.PATCH,
                    _ptr("scope", system, i),
                    None,
                    code,
                    f"{system.upper()} code {code} added to the scope; already covered by {cover}",
                )
        if set(old_codes) == set(new_codes) and old_codes != new_codes:
            col.add(
                ChangeKind.METADATA_CHANGED,
                Bump.PATCH,
                _ptr("scope", system),
                old_codes,
                new_codes,
                f"{system.upper()} codes reordered",
            )
    ot = {k: v for k, v in os_.items() if k not in ("hs", "cpc")}
    nt = {k: v for k, v in ns.items() if k not in ("hs", "cpc")}
    if not _same(ot, nt):
        col.add(
            ChangeKind.METADATA_CHANGED, Bump.PATCH, "/scope/description", ot or None, nt or None, "scope text changed"
        )


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _diff_declared_unit(col: _Collector, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    def essence(u: dict[str, Any] | None) -> tuple[Any, Any] | None:
        if u is None:
            return None
        return (u.get("unit"), _decimal(u.get("amount")))

    if essence(old) != essence(new):

        def show(u: dict[str, Any] | None) -> str:
            return "none" if u is None else f"{u.get('amount')} {u.get('unit')}"

        col.add(
            ChangeKind.DECLARED_UNIT_CHANGED,
            Bump.MAJOR,
            "/declaredUnit",
            old,
            new,
            f"declared unit changed from {show(old)} to {show(new)}",
        )
    elif not _same(old, new):
        col.add(
            ChangeKind.METADATA_CHANGED,
            Bump.PATCH,
            "/declaredUnit",
            old,
            new,
            "declared unit reworded (same unit and amount)",
        )


def _diff_set(
    col: _Collector,
    key: str,
    old: Sequence[str],
    new: Sequence[str],
    kinds: tuple[ChangeKind, ChangeKind],
    noun: str,
) -> None:
    required, dropped = kinds
    for i, item in enumerate(new):
        if item not in old:
            col.add(required, Bump.MAJOR, _ptr(key, i), None, item, f"{noun} {item} is now required")
    for i, item in enumerate(old):
        if item not in new:
            col.add(dropped, Bump.MINOR, _ptr(key, i), item, None, f"{noun} {item} is no longer required")
    if set(old) == set(new) and list(old) != list(new):
        col.add(ChangeKind.METADATA_CHANGED, Bump.PATCH, _ptr(key), list(old), list(new), f"{key} reordered")


# parameters


def _ordered(value: Any) -> Decimal | datetime | None:
    """A value a limit can compare: a number, a decimal string, an ISO date or date-time."""
    d = _decimal(value)
    if d is not None:
        return d
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _compare(old: Any, new: Any) -> int | None:
    """-1/0/1 if ``new`` is lower/equal/higher than ``old``; None if they do not compare."""
    if type(old) is not type(new):
        return None
    a, b = _ordered(old), _ordered(new)
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return -1 if b < a else 1 if b > a else 0
    if isinstance(a, datetime) and isinstance(b, datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None  # a date against a date-time with a zone
        return -1 if b < a else 1 if b > a else 0
    return None


def _classify_value(name: str, old: Any, new: Any, limit: str | None) -> tuple[ChangeKind, Bump, str]:
    shown = f"{name} changed from {_show(old)} to {_show(new)}"
    if limit in ("max", "min"):
        cmp = _compare(old, new)
        if cmp is not None and cmp != 0:
            word = "lowered" if cmp < 0 else "raised"
            what = "an upper limit" if limit == "max" else "a lower limit"
            tighter = (cmp < 0) == (limit == "max")
            if tighter:
                return (
                    ChangeKind.THRESHOLD_TIGHTENED,
                    Bump.MAJOR,
                    f"{name} {word} from {_show(old)} to {_show(new)} ({what}: stricter)",
                )
            return (
                ChangeKind.THRESHOLD_LOOSENED,
                Bump.MINOR,
                f"{name} {word} from {_show(old)} to {_show(new)} ({what}: more lenient)",
            )
        if cmp == 0:
            reason = "the same value written differently, which rules may read differently"
        else:
            reason = f"the values do not compare as limit: {limit}, so the direction is unknown"
        return ChangeKind.PARAMETER_CHANGED, Bump.MAJOR, f"{shown}; {reason}"
    if limit == "allowed":
        old_items = old if isinstance(old, list) else [old]
        new_items = new if isinstance(new, list) else [new]
        old_keys, new_keys = {_key(x) for x in old_items}, {_key(x) for x in new_items}
        removed = [x for x in old_items if _key(x) not in new_keys]
        added = [x for x in new_items if _key(x) not in old_keys]
        parts = []
        if removed:
            parts.append("no longer accepts " + ", ".join(_show(x) for x in removed))
        if added:
            parts.append("now accepts " + ", ".join(_show(x) for x in added))
        if removed:
            return ChangeKind.THRESHOLD_TIGHTENED, Bump.MAJOR, f"{name} " + "; ".join(parts) + " (stricter)"
        if added:
            return ChangeKind.THRESHOLD_LOOSENED, Bump.MINOR, f"{name} " + "; ".join(parts) + " (more lenient)"
        return ChangeKind.PARAMETER_CHANGED, Bump.PATCH, f"{name}: the same accepted items, reordered"
    return ChangeKind.PARAMETER_CHANGED, Bump.MAJOR, f"{shown}; it has no limit annotation, so the direction is unknown"


def _diff_parameters(col: _Collector, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> None:
    for name in sorted(old.keys() | new.keys()):
        p = _ptr("parameters", name)
        if name not in old:
            col.add(
                ChangeKind.PARAMETER_ADDED,
                Bump.PATCH,
                p,
                None,
                new[name]["value"],
                f"parameter {name} added (rules that read it are listed as rule changes)",
            )
            continue
        if name not in new:
            col.add(
                ChangeKind.PARAMETER_REMOVED,
                Bump.PATCH,
                p,
                old[name]["value"],
                None,
                f"parameter {name} removed (rules that read it are listed as rule changes)",
            )
            continue
        o, n = old[name], new[name]
        if not _same(o["value"], n["value"]):
            ol, nl = o.get("limit"), n.get("limit")
            if ol is not None and nl is not None and ol != nl:
                kind, bump = ChangeKind.PARAMETER_CHANGED, Bump.MAJOR
                message = (
                    f"{name} changed from {_show(o['value'])} to {_show(n['value'])} and its limit from {ol} "
                    f"to {nl}; direction unknown"
                )
            else:
                kind, bump, message = _classify_value(name, o["value"], n["value"], nl or ol)
            col.add(kind, bump, p, o["value"], n["value"], message)
        ot = {k: v for k, v in o.items() if k != "value"}
        nt = {k: v for k, v in n.items() if k != "value"}
        if not _same(ot, nt):
            keys = sorted(k for k in ot.keys() | nt.keys() if k not in ot or k not in nt or not _same(ot[k], nt[k]))
            col.add(
                ChangeKind.METADATA_CHANGED,
                Bump.PATCH,
                p,
                ot,
                nt,
                f"parameter {name}: {', '.join(keys)} changed",
            )


# rules


def _rule_added_bump(severity: Severity) -> Bump:
    return Bump.MAJOR if severity is Severity.ERROR else Bump.MINOR


def _diff_rules(col: _Collector, old: Sequence[Rule], new: Sequence[Rule]) -> None:
    old_by = {r.id: r for r in old}
    new_by = {r.id: r for r in new}
    for rid in sorted(old_by.keys() | new_by.keys()):
        p = _ptr("rules", rid)
        if rid not in old_by:
            r = new_by[rid]
            kind = "attestation rule" if r.kind == "attestation" else "rule"
            effect = "a declaration can now fail it" if r.severity is Severity.ERROR else "new findings"
            col.add(
                ChangeKind.RULE_ADDED,
                _rule_added_bump(r.severity),
                p,
                None,
                _rule_json(r),
                f"{kind} {rid} added ({r.severity.value}): {effect}",
                rid,
            )
        elif rid not in new_by:
            r = old_by[rid]
            col.add(
                ChangeKind.RULE_REMOVED,
                Bump.MINOR,
                p,
                _rule_json(r),
                None,
                f"rule {rid} removed (was {r.severity.value}): its findings disappear",
                rid,
            )
        else:
            _diff_rule(col, old_by[rid], new_by[rid])


def _diff_rule(col: _Collector, o: Rule, n: Rule) -> None:
    rid = n.id

    def add(kind: ChangeKind, bump: Bump, fld: str, before: Any, after: Any, message: str) -> None:
        col.add(kind, bump, _ptr("rules", rid, fld), before, after, message, rid)

    kind_changed = o.kind != n.kind
    if kind_changed:
        add(
            ChangeKind.RULE_KIND_CHANGED,
            Bump.MAJOR,
            "kind",
            o.kind,
            n.kind,
            f"rule {rid} changed from a {o.kind} to an {n.kind} rule"
            if n.kind == "attestation"
            else f"rule {rid} changed from an {o.kind} to a {n.kind} rule",
        )
    if o.severity != n.severity:
        raised = _SEVERITY_RANK[n.severity] > _SEVERITY_RANK[o.severity]
        if raised:
            bump = Bump.MAJOR if n.severity is Severity.ERROR else Bump.MINOR
            add(
                ChangeKind.SEVERITY_RAISED,
                bump,
                "severity",
                o.severity.value,
                n.severity.value,
                f"severity of {rid} raised from {o.severity.value} to {n.severity.value}",
            )
        else:
            add(
                ChangeKind.SEVERITY_LOWERED,
                Bump.MINOR,
                "severity",
                o.severity.value,
                n.severity.value,
                f"severity of {rid} lowered from {o.severity.value} to {n.severity.value}",
            )
    for fld, before, after in (("when", o.when, n.when), ("check", o.check, n.check)):
        if before == after or (fld == "check" and kind_changed):
            continue
        if normalize_cel(before) == normalize_cel(after):
            add(
                ChangeKind.RULE_TEXT_CHANGED,
                Bump.PATCH,
                fld,
                before,
                after,
                f"{fld} of {rid} reformatted (whitespace or comments only)",
            )
        else:
            verb = "added" if before is None else "removed" if after is None else "changed"
            add(
                ChangeKind.RULE_LOGIC_CHANGED,
                Bump.MAJOR,
                fld,
                before,
                after,
                f"{fld} of {rid} {verb}; which declarations pass cannot be known, so it may reject conformant ones",
            )
    _diff_for_each(col, o, n)
    if o.path != n.path:
        add(
            ChangeKind.RULE_PATH_CHANGED,
            Bump.MINOR,
            "path",
            o.path or None,
            n.path or None,
            f"path of {rid} changed from {o.path or '(none)'} to {n.path or '(none)'}: its findings point elsewhere",
        )
    texts: tuple[tuple[str, Any, Any], ...] = (
        ("title", o.title, n.title),
        ("message", o.message, n.message),
        ("clauses", list(o.clauses), list(n.clauses)),
        ("stage", o.stage, n.stage),
    )
    for fld, before, after in texts:
        if not _same(before, after):
            add(ChangeKind.RULE_TEXT_CHANGED, Bump.PATCH, fld, before, after, f"{fld} of {rid} changed")


def _diff_for_each(col: _Collector, o: Rule, n: Rule) -> None:
    rid = n.id
    p = _ptr("rules", rid, "forEach")
    if o.for_each == n.for_each:
        return
    if o.for_each is None or n.for_each is None:
        verb = "added" if o.for_each is None else "removed"
        col.add(
            ChangeKind.RULE_LOGIC_CHANGED,
            Bump.MAJOR,
            p,
            list(o.for_each) if o.for_each is not None else None,
            list(n.for_each) if n.for_each is not None else None,
            f"forEach of {rid} {verb}; which declarations pass cannot be known",
            rid,
        )
        return
    added = [(i, x) for i, x in enumerate(n.for_each) if x not in o.for_each]
    removed = [(i, x) for i, x in enumerate(o.for_each) if x not in n.for_each]
    for i, item in added:
        col.add(
            ChangeKind.RULE_ITEMS_ADDED,
            _rule_added_bump(n.severity),
            _ptr("rules", rid, "forEach", i),
            None,
            item,
            f"{rid} now also checks {item} ({n.severity.value})",
            rid,
        )
    for i, item in removed:
        col.add(
            ChangeKind.RULE_ITEMS_REMOVED,
            Bump.MINOR,
            _ptr("rules", rid, "forEach", i),
            item,
            None,
            f"{rid} no longer checks {item}",
            rid,
        )
    if not added and not removed:
        col.add(
            ChangeKind.RULE_TEXT_CHANGED,
            Bump.PATCH,
            p,
            list(o.for_each),
            list(n.for_each),
            f"forEach items of {rid} reordered (findings are sorted, so no outcome changes)",
            rid,
        )


# grading


def _max_key(value: str | None) -> Decimal | None:
    return None if value is None else _decimal(value)


def _diff_grading(
    col: _Collector,
    old: ResolvedPack,
    new: ResolvedPack,
    old_text: dict[str, Any] | None,
    new_text: dict[str, Any] | None,
) -> None:
    og, ng = old.grading, new.grading
    if og is None and ng is None:
        return
    if og is None or ng is None:
        grading = og if ng is None else ng
        assert grading is not None
        as_json = {"metric": grading.metric, "bands": [{"grade": b.grade, "max": b.max} for b in grading.bands]}
        if ng is None:
            col.add(
                ChangeKind.GRADING_REMOVED, Bump.MINOR, "/grading", as_json, None, "grading removed: no more grades"
            )
        else:
            col.add(
                ChangeKind.GRADING_ADDED,
                Bump.MINOR,
                "/grading",
                None,
                as_json,
                "grading added: declarations get a grade",
            )
        return
    if og.metric != ng.metric:
        col.add(
            ChangeKind.GRADING_METRIC_CHANGED,
            Bump.MINOR,
            "/grading/metric",
            og.metric,
            ng.metric,
            f"grading metric changed from {og.metric} to {ng.metric}",
        )
    old_bands = {b.grade: (i, b) for i, b in enumerate(og.bands)}
    new_bands = {b.grade: (i, b) for i, b in enumerate(ng.bands)}
    for i, band in enumerate(ng.bands):
        if band.grade not in old_bands:
            upper = f"up to {band.max}" if band.max is not None else "open-ended"
            col.add(
                ChangeKind.BAND_ADDED,
                Bump.MINOR,
                _ptr("grading", "bands", i),
                None,
                {"grade": band.grade, "max": band.max},
                f"grade {band.grade} added ({upper})",
            )
            continue
        before = old_bands[band.grade][1].max
        if before == band.max:
            continue
        a, b = _max_key(before), _max_key(band.max)
        if a == b and a is not None:
            col.add(
                ChangeKind.METADATA_CHANGED,
                Bump.PATCH,
                _ptr("grading", "bands", i, "max"),
                before,
                band.max,
                f"upper bound of grade {band.grade} rewritten ({before} -> {band.max}), same value",
            )
            continue
        lowered = b is not None and (a is None or b < a)
        how = (
            "lowered (stricter: fewer footprints get it)"
            if lowered
            else "raised (more lenient: more footprints get it)"
        )
        col.add(
            ChangeKind.BAND_MOVED,
            Bump.MINOR,
            _ptr("grading", "bands", i, "max"),
            before,
            band.max,
            f"upper bound of grade {band.grade} {how}: {before or 'open'} -> {band.max or 'open'}",
        )
    for i, band in enumerate(og.bands):
        if band.grade not in new_bands:
            col.add(
                ChangeKind.BAND_REMOVED,
                Bump.MINOR,
                _ptr("grading", "bands", i),
                {"grade": band.grade, "max": band.max},
                None,
                f"grade {band.grade} removed",
            )
    if not _same(old_text, new_text):
        col.add(ChangeKind.METADATA_CHANGED, Bump.PATCH, "/grading", old_text, new_text, "grading wording changed")


# --- rendering ------------------------------------------------------------------------------


def _change_line(c: Change) -> str:
    return f"{c.bump.value} {c.kind.value} {c.pointer or '/'}: {c.message}"


def _iter_lines(diff: PackDiff) -> Iterator[str]:
    actual = diff.actual
    verdict = "ok" if diff.ok else "REFUSED"
    actual_text = actual.value if actual is not None else "not a newer version"
    yield (
        f"{diff.old_ref} -> {diff.new_ref}: {len(diff.changes)} change(s); "
        f"required {diff.required.value}, actual {actual_text}: {verdict}"
    )
    if not diff.changes:
        return
    kind_w = max(len(c.kind.value) for c in diff.changes)
    ptr_w = max(len(c.pointer) for c in diff.changes)
    for c in diff.changes:
        yield f"{c.bump.value:<5}  {c.kind.value:<{kind_w}}  {c.pointer:<{ptr_w}}  {c.message}"


def render_text(diff: PackDiff) -> str:
    """A header line, then one line per change: bump, kind, pointer, message."""
    return "\n".join(_iter_lines(diff)) + "\n"
