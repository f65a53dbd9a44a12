"""A text key whose bytewise order is SemVer 2.0.0 precedence, so the database can sort.

Each numeric part is written as its digit count (3 digits) then its digits, so longer
numbers sort after shorter ones and ``1.10.0`` follows ``1.9.0``. A release ends in
``~``, which sorts after the ``-`` that starts a pre-release, so ``1.0.0-rc.1`` <
``1.0.0``. Pre-release identifiers are joined by a space (below every identifier
character, so a shorter list sorts first); numeric ones start with ``0`` and
alphanumeric ones with ``1`` (numeric < alphanumeric, as the spec says).

The grammar is the rule pack schema's (``schemas/rulepack-1.0.json#/$defs/SemVer``),
which also lets through empty pre-release identifiers (``1.0.0-a..b``); they are
treated as empty alphanumeric identifiers rather than refused.
"""

from __future__ import annotations

import re

from registry.errors import InputError

SEMVER_RE = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z.-]+))?",
    re.ASCII,
)
_MAX_DIGITS = 999


def _number(digits: str, version: str) -> str:
    digits = digits.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        raise InputError(f"version {version!r} has a number with more than {_MAX_DIGITS} digits")
    return f"{len(digits):03d}{digits}"


def _identifier(ident: str, version: str) -> str:
    return "0" + _number(ident, version) if ident.isdigit() else "1" + ident


def version_sort_key(version: str) -> str:
    """The sort key of a SemVer version (no build metadata); InputError when it is not one."""
    m = SEMVER_RE.fullmatch(version)
    if m is None:
        raise InputError(f"{version!r} is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE])")
    major, minor, patch, pre = m.groups()
    core = "".join(_number(part, version) for part in (major, minor, patch))
    if pre is None:
        return core + "~"
    return core + "-" + " ".join(_identifier(i, version) for i in pre.split("."))
