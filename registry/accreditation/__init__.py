"""Accreditation: who may certify what. Pure functions over the accreditation document.

An accreditation body grants a certifier a scope (schemes x product categories x regions x a
validity period), signed by the body and stored as versions that are never changed; later versions
reduce, suspend, reinstate or withdraw it. Issuing and verifying ask :func:`accreditation_gap`.
See docs/adr/0019-accreditation.md.
"""

from registry.accreditation.history import TransitionRefused, check_follows
from registry.accreditation.keyscope import EffectiveScope, effective_at, effective_scopes
from registry.accreditation.model import (
    FORMAT,
    Accreditation,
    AccreditationError,
    Change,
    Recorded,
    Scope,
    State,
    parse_accreditation,
    to_document,
)
from registry.accreditation.policy import (
    DEFAULT_POLICY,
    LabelPolicy,
    policy_for,
    suspended_with_accreditation,
    suspension_reason,
)
from registry.accreditation.scope import (
    Dimension,
    NotAccredited,
    ScopeGap,
    Subject,
    accreditation_gap,
    assess,
    in_force,
)
from registry.accreditation.signing import KIND, body_of, digest_of, sign_accreditation, sign_file, verify_signed

__all__ = [
    "DEFAULT_POLICY",
    "FORMAT",
    "KIND",
    "Accreditation",
    "AccreditationError",
    "Change",
    "Dimension",
    "EffectiveScope",
    "LabelPolicy",
    "NotAccredited",
    "Recorded",
    "Scope",
    "ScopeGap",
    "State",
    "Subject",
    "TransitionRefused",
    "accreditation_gap",
    "assess",
    "body_of",
    "check_follows",
    "digest_of",
    "effective_at",
    "effective_scopes",
    "in_force",
    "parse_accreditation",
    "policy_for",
    "sign_accreditation",
    "sign_file",
    "suspended_with_accreditation",
    "suspension_reason",
    "to_document",
    "verify_signed",
]
