"""Semantic versions (SemVer 2.0.0): parsing and precedence, for every versioned artifact
(rule packs, factor sets, grading catalogues)."""

from __future__ import annotations

import re

from registry.errors import InputError

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z.-]+))?$")

Precedence = tuple[tuple[int, int, int], int, tuple[tuple[int, int, str], ...]]


def parse_version(version: str) -> tuple[tuple[int, int, int], tuple[str, ...]]:
    """The release core and the pre-release identifiers; :class:`InputError` if not a version."""
    m = _SEMVER.match(version)
    if m is None:
        raise InputError(f"not a semantic version: {version!r}")
    core = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    return core, pre


def precedence(version: str) -> Precedence:
    """A sort key in SemVer 2.0.0 precedence: a release outranks its pre-releases; numeric
    identifiers compare as numbers and rank below alphanumeric ones."""
    core, pre = parse_version(version)
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre)
    return core, (0 if pre else 1), ids
