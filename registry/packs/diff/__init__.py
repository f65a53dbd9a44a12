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

* ``versions.py`` - :class:`Bump`, SemVer precedence, :func:`version_bump`;
* ``changes.py`` - :class:`Change`, :class:`PackDiff`, :func:`check_bump` and its error;
* ``compare.py`` - :func:`diff_packs`: one function per part of a pack, in a fixed order
  (``structure.py``, ``parameters.py``, ``rules.py``, ``grading.py``);
* ``normalize.py`` - CEL compared without layout; ``render.py`` - the diff as text.
"""

from __future__ import annotations

from registry.packs.diff.changes import (
    Change,
    ChangeKind,
    IncompatibleVersionError,
    PackDiff,
    check_bump,
    required_bump,
)
from registry.packs.diff.compare import PackSource, diff_packs, diff_refs
from registry.packs.diff.normalize import normalize_cel
from registry.packs.diff.render import render_text
from registry.packs.diff.versions import Bump, version_bump
from registry.semver import Precedence, precedence

__all__ = [
    "Bump",
    "Change",
    "ChangeKind",
    "IncompatibleVersionError",
    "PackDiff",
    "PackSource",
    "Precedence",
    "check_bump",
    "diff_packs",
    "diff_refs",
    "normalize_cel",
    "precedence",
    "render_text",
    "required_bump",
    "version_bump",
]
