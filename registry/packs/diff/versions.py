"""Semantic versions: the size of a bump, SemVer 2.0.0 precedence, and the bump between two versions."""

from __future__ import annotations

from enum import StrEnum

from registry.semver import parse_version, precedence

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


_parse_version = parse_version
_precedence = precedence


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
