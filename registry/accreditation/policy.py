"""What happens to a certifier's labels when its accreditation is suspended or withdrawn: each scheme says.

* ``labels_stay_valid`` (the default): a label issued while the accreditation covered it stays valid;
  only new labels are refused. Verifiers can still tell, from the trust list, that the certifier was
  accredited on the label's issue date.
* ``labels_suspended_with_certifier``: the certifier's valid labels under that scheme are suspended
  with the accreditation, and reinstated with it (only those it suspended).

A scheme states its policy in its crosswalk file (``accreditation_policy``); a scheme that says
nothing gets the default. See docs/adr/0019-accreditation.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class LabelPolicy(StrEnum):
    LABELS_STAY_VALID = "labels_stay_valid"
    LABELS_SUSPENDED_WITH_CERTIFIER = "labels_suspended_with_certifier"


DEFAULT_POLICY = LabelPolicy.LABELS_STAY_VALID
# The state reason of a label suspended with its certifier's accreditation: only those are reinstated with it.
SUSPENDED_REASON_PREFIX = "accreditation "


def policy_for(scheme: str, stated: Mapping[str, str | None]) -> LabelPolicy:
    """The scheme's stated policy, else the default."""
    value = stated.get(scheme)
    return LabelPolicy(value) if value else DEFAULT_POLICY


def suspension_reason(ref: str, change: str, reason: str | None) -> str:
    return f"{SUSPENDED_REASON_PREFIX}{ref} {change}: {reason or 'no reason given'}"


def suspended_with_accreditation(state_reason: str | None) -> bool:
    return bool(state_reason) and str(state_reason).startswith(SUSPENDED_REASON_PREFIX)
