"""Signing keys follow the accreditation (issue 13): a key's effective scope is its own scope narrowed to what
the certifier's accreditation versions in force allow, from each change on.

A key's stored scope is never rewritten (a reinstatement would have to widen it back, and the stored scope is
what the operator set); its *effective* scope is computed from the accreditation history: for each moment an
accreditation version of the certifier was recorded, the schemes of the key that an active version in force
names, and the key's categories as far as that version covers them (a pack or a namespace of the key inside an
accreditation's namespace stays; a key namespace with only some of its packs accredited narrows to those packs;
an accreditation by HS or CPC code keeps the key's categories, since a token names no product code and those
are enforced at issue time). Suspended and withdrawn versions allow nothing. The trust list carries the
timeline with each key; offline verification names the key's effective scope at the issue time when it
refuses a label the accreditation no longer covered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from registry.accreditation.model import Recorded, State
from registry.accreditation.scope import in_force


@dataclass(frozen=True)
class EffectiveScope:
    """A key's scope from ``since`` until the next change: schemes x categories, and the versions allowing it."""

    since: datetime
    schemes: tuple[str, ...]
    categories: tuple[str, ...]
    accreditations: tuple[str, ...]  # id@version of the active versions in force

    def to_json(self) -> dict[str, object]:
        return {
            "from": self.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "schemes": list(self.schemes),
            "categories": list(self.categories),
            "accreditations": list(self.accreditations),
        }


def _narrow(key_categories: Sequence[str], accredited: Sequence[str]) -> list[str]:
    out: list[str] = []
    for k in key_categories:
        for c in accredited:
            if c.startswith(("hs:", "cpc:")) or c == k or (c.endswith("/") and k.startswith(c)):
                found = k
            elif k.endswith("/") and c.startswith(k):
                found = c
            else:
                continue
            if found not in out:
                out.append(found)
    return out


def effective_scopes(
    schemes: Sequence[str], categories: Sequence[str], certifier: str, history: Iterable[Recorded]
) -> list[EffectiveScope]:
    """The key's effective scope from each change of the certifier's accreditations on, oldest first (empty:
    the certifier has none, and the key allows nothing while accreditation is checked)."""
    mine = [r for r in history if r.accreditation.certifier == certifier]
    out = []
    for at in sorted({r.recorded_at for r in mine}):
        allowed_schemes: list[str] = []
        allowed_categories: list[str] = []
        refs = []
        for rec in sorted(in_force(mine, at), key=lambda r: r.accreditation.id):
            a = rec.accreditation
            if a.state is not State.ACTIVE:
                continue
            key_schemes = [s for s in schemes if s in a.scope.schemes]
            key_categories = _narrow(categories, a.scope.categories)
            if not key_schemes or not key_categories:
                continue
            refs.append(a.ref)
            allowed_schemes += [s for s in key_schemes if s not in allowed_schemes]
            allowed_categories += [c for c in key_categories if c not in allowed_categories]
        out.append(EffectiveScope(at, tuple(allowed_schemes), tuple(allowed_categories), tuple(refs)))
    return out


def effective_at(timeline: Sequence[EffectiveScope], at: datetime) -> EffectiveScope | None:
    """The effective scope in force at ``at``; None before the certifier's first accreditation."""
    found = None
    for scope in timeline:
        if scope.since <= at:
            found = scope
    return found
