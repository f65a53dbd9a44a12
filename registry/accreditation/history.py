"""Which version may follow which: an accreditation's history only ever narrows, pauses or ends.

Version n+1 names the digest of version n; nothing follows a withdrawal; a reduction or a
reinstatement allows no scheme, category, region or day the version before did not; a suspension
and a withdrawal keep the scope they end. Each refusal is a :class:`TransitionRefused` naming the
member of the new document that breaks the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.accreditation.model import Accreditation, Change, Recorded, State
from registry.accreditation.scope import narrower
from registry.errors import InputError, Location

_FROM = {
    Change.REDUCE: {State.ACTIVE},
    Change.SUSPEND: {State.ACTIVE},
    Change.REINSTATE: {State.SUSPENDED},
    Change.WITHDRAW: {State.ACTIVE, State.SUSPENDED},
}


@dataclass
class TransitionRefused(InputError):
    """A version that may not follow the stored history (out of order, after a withdrawal, wider)."""

    code: str = "accreditation-transition"


def _refuse(message: str, member: str, base: str) -> TransitionRefused:
    return TransitionRefused(message, Location(pointer=f"{base}/{member}"))


def check_follows(previous: Recorded | None, new: Accreditation, *, base: str = "") -> None:
    """Raise :class:`TransitionRefused` unless ``new`` may follow ``previous`` (None: nothing stored yet)."""
    if previous is None:
        if new.version != 1:
            raise _refuse(f"{new.id} has no version yet; the first is version 1 (a grant)", "version", base)
        return
    old = previous.accreditation
    if new.version != old.version + 1:
        raise _refuse(f"{new.id} is at version {old.version}; the next is {old.version + 1}", "version", base)
    if new.previous != previous.digest:
        raise _refuse(f"previous must be the digest of version {old.version}, {previous.digest}", "previous", base)
    if new.certifier != old.certifier:
        raise _refuse(f"{new.id} accredits {old.certifier}; a version cannot change the certifier", "certifier", base)
    if old.state not in _FROM[new.change]:
        raise _refuse(f"a {new.change.value} cannot follow a {old.state.value} accreditation", "change", base)
    widening = narrower(new.scope, old.scope)
    if widening is not None:
        raise _refuse(f"the scope's {widening} go beyond version {old.version}'s; grant anew instead", "scope", base)
    if new.valid_from < old.valid_from or new.valid_until > old.valid_until:
        raise _refuse(
            f"the period {new.valid_from} to {new.valid_until} goes beyond {old.valid_from} to {old.valid_until}",
            "valid_until" if new.valid_until > old.valid_until else "valid_from",
            base,
        )
