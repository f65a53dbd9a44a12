"""Is a label inside a certifier's accreditation? The check, and the gap it finds, as data.

A label is inside an accreditation version when, at the label's issue time, that version is in force
(the newest recorded by then), active, its period holds on the issue day, and its scope covers the
label's scheme, product category (the rule pack, or the product's HS or CPC code) and region (where
the product is made). A certifier holding several accreditations needs one that covers the label.
Offline, a verifier knows the label's scheme, pack and issue time but not its product codes or
region: :func:`accreditation_gap` with ``offline=True`` checks what the token lets it check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from registry.accreditation.model import GLOBAL, Recorded, Scope, State
from registry.errors import NotPermitted


class Dimension(StrEnum):
    """What a label lacked, in the order the check looks."""

    ACCREDITATION = "accreditation"  # no accreditation of this certifier was in force
    STATE = "state"  # suspended or withdrawn
    PERIOD = "period"  # the issue day lies outside the validity period
    SCHEME = "scheme"
    CATEGORY = "category"
    REGION = "region"


_ORDER = list(Dimension)


@dataclass(frozen=True)
class Subject:
    """What a label is: its scheme, rule pack, product codes, where the product is made, when it is issued."""

    certifier: str
    scheme: str
    pack_id: str
    at: datetime
    hs: tuple[str, ...] = ()
    cpc: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # ISO 3166 codes of the product's geography (empty: none declared)


@dataclass(frozen=True)
class ScopeGap:
    """Why a label lies outside the certifier's accreditation: the dimension, the value it lacked, and
    which accreditation version came closest (None when there was none)."""

    dimension: Dimension
    certifier: str
    lacks: str
    accreditation: str | None = None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        where = f" ({self.accreditation})" if self.accreditation else ""
        return f"{self.certifier} is not accredited for this label: {self.detail}{where}"

    def to_json(self) -> dict[str, Any]:
        out = {"dimension": self.dimension.value, "certifier": self.certifier, "lacks": self.lacks}
        if self.accreditation:
            out["accreditation"] = self.accreditation
        return out


@dataclass
class NotAccredited(NotPermitted):
    """Issuing outside the certifier's accreditation: 403, naming the scope dimension the label lacks."""

    code: str = "not-accredited"
    gap: ScopeGap | None = None

    @classmethod
    def of(cls, gap: ScopeGap) -> NotAccredited:
        return cls(gap.message, gap=gap)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.gap is not None:
            out.update(self.gap.to_json())
        return out


def _digits(code: str) -> str:
    return "".join(c for c in code if c.isdigit())


def category_covers(category: str, pack_id: str, hs: Sequence[str], cpc: Sequence[str]) -> bool:
    if category.startswith("hs:"):
        return any(_digits(c).startswith(category[3:]) for c in hs)
    if category.startswith("cpc:"):
        return any(_digits(c).startswith(category[4:]) for c in cpc)
    return pack_id == category or (category.endswith("/") and pack_id.startswith(category))


def region_covers(region: str, code: str) -> bool:
    return region == GLOBAL or code == region or code.startswith(region + "-")


def _pack_based(scope: Scope) -> bool:
    return all(not c.startswith(("hs:", "cpc:")) for c in scope.categories)


def _gap_of(rec: Recorded, s: Subject, offline: bool) -> tuple[Dimension, str, str] | None:
    """The first dimension in which one version fails the subject: (dimension, lacked value, detail)."""
    a = rec.accreditation
    day = s.at.date()
    if a.state is not State.ACTIVE:
        return Dimension.STATE, a.state.value, f"the accreditation was {a.state.value} on {day}"
    if not a.holds_on(day):
        return Dimension.PERIOD, day.isoformat(), f"{day} lies outside {a.valid_from} to {a.valid_until}"
    if s.scheme not in a.scope.schemes:
        return Dimension.SCHEME, s.scheme, f"scheme {s.scheme} is not in its scope on {day}"
    covered = any(category_covers(c, s.pack_id, s.hs, s.cpc) for c in a.scope.categories)
    if not covered and (not offline or _pack_based(a.scope)):
        codes = ", ".join([f"hs:{c}" for c in s.hs] + [f"cpc:{c}" for c in s.cpc]) or "none"
        return Dimension.CATEGORY, s.pack_id, f"product category {s.pack_id} (codes {codes}) is not in its scope"
    if offline or GLOBAL in a.scope.regions:
        return None
    if not s.regions or not all(any(region_covers(r, code) for r in a.scope.regions) for code in s.regions):
        made = ", ".join(s.regions) or "no region declared"
        return Dimension.REGION, made, f"the product's region ({made}) is not in its scope"
    return None


def in_force(history: Iterable[Recorded], at: datetime) -> list[Recorded]:
    """Per accreditation id, the newest version recorded at or before ``at``."""
    newest: dict[str, Recorded] = {}
    for rec in history:
        if rec.recorded_at <= at:
            held = newest.get(rec.accreditation.id)
            if held is None or held.accreditation.version < rec.accreditation.version:
                newest[rec.accreditation.id] = rec
    return list(newest.values())


def assess(history: Iterable[Recorded], subject: Subject, *, offline: bool = False) -> Recorded | ScopeGap:
    """The accreditation version of ``subject.certifier`` in force at ``subject.at`` that covers the label;
    else the gap of the version that came closest (the dimension reached last)."""
    mine = [r for r in history if r.accreditation.certifier == subject.certifier]
    best: tuple[int, Recorded, tuple[Dimension, str, str]] | None = None
    for rec in sorted(in_force(mine, subject.at), key=lambda r: r.accreditation.id):
        found = _gap_of(rec, subject, offline)
        if found is None:
            return rec
        rank = _ORDER.index(found[0])
        if best is None or rank > best[0]:
            best = (rank, rec, found)
    if best is None:
        day = subject.at.date()
        detail = f"no accreditation of {subject.certifier} was in force on {day}"
        return ScopeGap(Dimension.ACCREDITATION, subject.certifier, subject.scheme, None, detail)
    _, rec, (dimension, lacks, detail) = best
    return ScopeGap(dimension, subject.certifier, lacks, rec.accreditation.ref, detail)


def accreditation_gap(history: Iterable[Recorded], subject: Subject, *, offline: bool = False) -> ScopeGap | None:
    """None when an accreditation covers the label (see :func:`assess`), else the gap."""
    found = assess(history, subject, offline=offline)
    return found if isinstance(found, ScopeGap) else None


def narrower(new: Scope, old: Scope) -> str | None:
    """None when ``new`` allows nothing ``old`` did not; else the first dimension that widens."""
    if not set(new.schemes) <= set(old.schemes):
        return "schemes"
    if not all(any(_category_within(c, o) for o in old.categories) for c in new.categories):
        return "categories"
    if not all(any(region_covers(o, r) for o in old.regions) for r in new.regions):
        return "regions"
    return None


def _category_within(new: str, old: str) -> bool:
    for prefix in ("hs:", "cpc:"):
        if new.startswith(prefix) or old.startswith(prefix):
            return new.startswith(prefix) and old.startswith(prefix) and new.startswith(old)
    return new == old or (old.endswith("/") and new.startswith(old))
