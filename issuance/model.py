"""What a carbon label says, and what verifying one answers: data, never strings.

``LabelClaims`` is the content a label token signs (see ``issuance.token`` for the
encoding); ``Verification`` is the outcome of checking a token or a stored label,
the same object for the offline verifier, the platform API and the consumer page.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field


class Boundary(StrEnum):
    CRADLE_TO_GATE = "cradle-to-gate"
    CRADLE_TO_GRAVE = "cradle-to-grave"
    GATE_TO_GATE = "gate-to-gate"


class Grading(StrEnum):
    """Where a label's grade comes from (issue 13)."""

    CATALOGUE = "catalogue"  # a grading catalogue published by an authority, named in ``catalogue``
    ILLUSTRATIVE = "illustrative"  # the rule pack's own example bands
    UNGRADED = "ungraded"  # no grade: the scheme or the pack sets none


class LabelClaims(BaseModel):
    """The signed content of one label.

    Digests are lowercase hex of a SHA-256 prefix (the token carries the raw bytes);
    ``value`` is the footprint per declared unit as decimal text, never a float.
    ``grade`` is None for an ungraded label; ``catalogue`` names the grading catalogue
    ("id@version") that set the grade, None when the grade comes from the pack's own
    (illustrative) bands. ``grading`` says which, in the record and the JSON.
    """

    model_config = ConfigDict(frozen=True)

    label_id: str  # 16 characters: base32 (RFC 4648, no padding) of 10 bytes (second of issue + 6 random, ADR 0038)
    issuer: str  # the certifier organisation id
    kid: str  # 16 hex characters: first 8 bytes of SHA-256 over the signing key's DER SPKI
    issued_at: datetime
    expires_at: datetime
    gtin: str  # 14 digits, check digit verified
    batch: str | None = None
    grade: str | None = None
    value: str  # kg CO2e per declared unit
    declared_unit: str  # e.g. "1 kilogram" (amount and PACT unit name)
    boundary: Boundary
    pack: str  # rule pack id@version used for grading
    pack_digest: str  # hex SHA-256 prefix of the pack's canonical JSON
    scheme: str  # crosswalk scheme id, e.g. "gb-t-24067"
    declaration_digest: str
    audit: str | None = None  # hex SHA-256 prefix of the audit record
    status_uri: str
    status_idx: int
    catalogue: str | None = None  # grading catalogue "id@version" (issue 13)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def grading(self) -> Grading:
        if self.grade is None:
            return Grading.UNGRADED
        return Grading.ILLUSTRATIVE if self.catalogue is None else Grading.CATALOGUE


class VerifyStatus(StrEnum):
    VALID = "valid"
    VALID_STATUS_UNKNOWN = "valid_status_unknown"  # signature and scope hold; revocation was not checked
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    INVALID_SIGNATURE = "invalid_signature"
    OUT_OF_SCOPE = "out_of_scope"


class Verification(BaseModel):
    """The outcome of verifying one label.

    ``claims`` is present whenever the signature checked out (so a revoked or
    expired label still shows what it claimed); ``reason`` is a stable machine key
    (``bad_signature``, ``unknown_kid``, ``key_withdrawn``, ``gtin_mismatch``...)
    and ``detail`` a sentence for people.
    """

    model_config = ConfigDict(frozen=True)

    status: VerifyStatus
    reason: str | None = None
    detail: str | None = None
    label_id: str | None = None
    kid: str | None = None
    claims: LabelClaims | None = None
    checked_at: datetime
    # not_accredited: what the certifier's accreditation lacked on the issue date (dimension, lacks, accreditation)
    accreditation: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status is VerifyStatus.VALID

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value, "checked_at": self.checked_at.isoformat()}
        for name in ("reason", "detail", "label_id", "kid"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.claims is not None:
            out["label"] = self.claims.model_dump(mode="json")
        if self.accreditation is not None:
            out["accreditation"] = self.accreditation
        return out
