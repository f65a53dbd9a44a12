"""Rules, keyed by id: added and removed rules, then per rule one small function per field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from registry.findings import Severity
from registry.packs.diff.changes import ChangeKind
from registry.packs.diff.common import Collector, Side, ptr, same
from registry.packs.diff.normalize import normalize_cel
from registry.packs.diff.versions import Bump
from registry.packs.rulepack import Rule

_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def rule_json(rule: Rule) -> dict[str, Any]:
    """A rule as its resolved JSON (the ``before`` or ``after`` of an added or removed rule)."""
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


def _rule_added_bump(severity: Severity) -> Bump:
    return Bump.MAJOR if severity is Severity.ERROR else Bump.MINOR


def _add(col: Collector, rule: Rule, kind: ChangeKind, bump: Bump, fld: str, before: Any, after: Any, msg: str) -> None:
    """A change to field ``fld`` of ``rule``."""
    col.add(kind, bump, ptr("rules", rule.id, fld), before, after, msg, rule.id)


# one function per field, in the order of ADR 0004


def _diff_kind(col: Collector, o: Rule, n: Rule) -> None:
    if o.kind == n.kind:
        return
    if n.kind == "attestation":
        message = f"rule {n.id} changed from a {o.kind} to an {n.kind} rule"
    else:
        message = f"rule {n.id} changed from an {o.kind} to a {n.kind} rule"
    _add(col, n, ChangeKind.RULE_KIND_CHANGED, Bump.MAJOR, "kind", o.kind, n.kind, message)


def _diff_severity(col: Collector, o: Rule, n: Rule) -> None:
    if o.severity == n.severity:
        return
    before, after = o.severity.value, n.severity.value
    if _SEVERITY_RANK[n.severity] > _SEVERITY_RANK[o.severity]:
        kind, verb = ChangeKind.SEVERITY_RAISED, "raised"
        bump = Bump.MAJOR if n.severity is Severity.ERROR else Bump.MINOR
    else:
        kind, verb, bump = ChangeKind.SEVERITY_LOWERED, "lowered", Bump.MINOR
    _add(col, n, kind, bump, "severity", before, after, f"severity of {n.id} {verb} from {before} to {after}")


def _diff_expression(col: Collector, o: Rule, n: Rule, fld: str, before: str | None, after: str | None) -> None:
    if before == after:
        return
    if normalize_cel(before) == normalize_cel(after):
        message = f"{fld} of {n.id} reformatted (whitespace or comments only)"
        _add(col, n, ChangeKind.RULE_TEXT_CHANGED, Bump.PATCH, fld, before, after, message)
        return
    verb = "added" if before is None else "removed" if after is None else "changed"
    if Severity.ERROR in (o.severity, n.severity):
        message = f"{fld} of {n.id} {verb}; which declarations pass cannot be known, so it may reject conformant ones"
        bump = Bump.MAJOR
    else:  # a warning or info rule never decides conformance, as adding one is minor
        message = f"{fld} of {n.id} {verb}; a {n.severity.value} rule, so conformance is unchanged"
        bump = Bump.MINOR
    _add(col, n, ChangeKind.RULE_LOGIC_CHANGED, bump, fld, before, after, message)


def _diff_when(col: Collector, o: Rule, n: Rule) -> None:
    _diff_expression(col, o, n, "when", o.when, n.when)


def _diff_check(col: Collector, o: Rule, n: Rule) -> None:
    if o.kind == n.kind:  # else the kind change already says that the check changed
        _diff_expression(col, o, n, "check", o.check, n.check)


def _diff_items(col: Collector, n: Rule, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    added = [(i, x) for i, x in enumerate(new) if x not in old]
    removed = [(i, x) for i, x in enumerate(old) if x not in new]
    for i, item in added:
        message = f"{n.id} now also checks {item} ({n.severity.value})"
        bump = _rule_added_bump(n.severity)
        col.add(ChangeKind.RULE_ITEMS_ADDED, bump, ptr("rules", n.id, "forEach", i), None, item, message, n.id)
    for i, item in removed:
        message = f"{n.id} no longer checks {item}"
        col.add(ChangeKind.RULE_ITEMS_REMOVED, Bump.MINOR, ptr("rules", n.id, "forEach", i), item, None, message, n.id)
    if not added and not removed:
        message = f"forEach items of {n.id} reordered (findings are sorted, so no outcome changes)"
        _add(col, n, ChangeKind.RULE_TEXT_CHANGED, Bump.PATCH, "forEach", list(old), list(new), message)


def _diff_for_each(col: Collector, o: Rule, n: Rule) -> None:
    if o.for_each == n.for_each:
        return
    if o.for_each is not None and n.for_each is not None:
        _diff_items(col, n, o.for_each, n.for_each)
        return
    before = list(o.for_each) if o.for_each is not None else None
    after = list(n.for_each) if n.for_each is not None else None
    verb = "added" if o.for_each is None else "removed"
    message = f"forEach of {n.id} {verb}; which declarations pass cannot be known"
    _add(col, n, ChangeKind.RULE_LOGIC_CHANGED, Bump.MAJOR, "forEach", before, after, message)


def _diff_path(col: Collector, o: Rule, n: Rule) -> None:
    if o.path == n.path:
        return
    message = f"path of {n.id} changed from {o.path or '(none)'} to {n.path or '(none)'}: its findings point elsewhere"
    _add(col, n, ChangeKind.RULE_PATH_CHANGED, Bump.MINOR, "path", o.path or None, n.path or None, message)


def _diff_texts(col: Collector, o: Rule, n: Rule) -> None:
    texts: tuple[tuple[str, Any, Any], ...] = (
        ("title", o.title, n.title),
        ("message", o.message, n.message),
        ("clauses", list(o.clauses), list(n.clauses)),
        ("stage", o.stage, n.stage),
    )
    for fld, before, after in texts:
        if not same(before, after):
            _add(col, n, ChangeKind.RULE_TEXT_CHANGED, Bump.PATCH, fld, before, after, f"{fld} of {n.id} changed")


_RULE_FIELDS: tuple[Callable[[Collector, Rule, Rule], None], ...] = (
    _diff_kind,
    _diff_severity,
    _diff_when,
    _diff_check,
    _diff_for_each,
    _diff_path,
    _diff_texts,
)


# the rule set


def _rule_added(col: Collector, r: Rule) -> None:
    kind = "attestation rule" if r.kind == "attestation" else "rule"
    effect = "a declaration can now fail it" if r.severity is Severity.ERROR else "new findings"
    message = f"{kind} {r.id} added ({r.severity.value}): {effect}"
    col.add(ChangeKind.RULE_ADDED, _rule_added_bump(r.severity), ptr("rules", r.id), None, rule_json(r), message, r.id)


def _rule_removed(col: Collector, r: Rule) -> None:
    message = f"rule {r.id} removed (was {r.severity.value}): its findings disappear"
    col.add(ChangeKind.RULE_REMOVED, Bump.MINOR, ptr("rules", r.id), rule_json(r), None, message, r.id)


def _diff_rule_sets(col: Collector, old: Sequence[Rule], new: Sequence[Rule]) -> None:
    old_by = {r.id: r for r in old}
    new_by = {r.id: r for r in new}
    for rid in sorted(old_by.keys() | new_by.keys()):
        if rid not in old_by:
            _rule_added(col, new_by[rid])
        elif rid not in new_by:
            _rule_removed(col, old_by[rid])
        else:
            for diff_field in _RULE_FIELDS:
                diff_field(col, old_by[rid], new_by[rid])


def diff_rules(col: Collector, old: Side, new: Side) -> None:
    _diff_rule_sets(col, old.resolved.rules, new.resolved.rules)
