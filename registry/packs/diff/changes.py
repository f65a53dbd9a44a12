"""What a pack diff is made of: classified changes, the diff, and the error for a bump too small."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from registry.errors import Location, PackError
from registry.packs.diff.versions import Bump, version_bump


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
    RECALCULATION_CHANGED = "recalculation-changed"
    METADATA_CHANGED = "metadata-changed"


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


def change_line(c: Change) -> str:
    """One change on one line: bump, kind, pointer, message."""
    return f"{c.bump.value} {c.kind.value} {c.pointer or '/'}: {c.message}"


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
        lines += ["  - " + change_line(c) for c in self.diff.exceeding()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["diff"] = self.diff.to_json()
        return out


def check_bump(diff: PackDiff) -> None:
    """Raise :class:`IncompatibleVersionError` unless the version bump covers every change."""
    if not diff.ok:
        raise IncompatibleVersionError.from_diff(diff)
