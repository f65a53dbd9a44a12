"""Complaints about labels: the life cycle, reference numbers and the public form's checks.

Life cycle: ``received`` -> ``under_review`` -> ``upheld`` | ``rejected`` (both final). The label's
certifier moves a complaint along; an upheld complaint may suspend or revoke the label.

The form needs no account and no JavaScript. What keeps it "CSRF-safe enough": the form page carries
a token, an HMAC over the label id, the client's address and the time it was served; a submission
needs a token for the same label and address, less than :data:`FORM_TOKEN_TTL` seconds old. A page on
another site cannot read our form (no CORS), and a token it fetched from its own server is bound to
that server's address, not to the visitor's browser; browsers that send ``Sec-Fetch-Site`` or
``Origin`` are refused when those say cross-site (the route checks them). The reporter's address is
used for the rate limit in memory only and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from registry.errors import InputError, InputProblems, Location, RegistryError
from registry.storage.errors import Conflict

FORM_TOKEN_TTL = 2 * 3600  # seconds a served form stays usable (the registry's choice)
MAX_TEXT = 2000
MAX_CONTACT = 200
CATEGORIES = ("wrong_value", "wrong_product", "misleading_use", "other")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U


class ComplaintState(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"
    REJECTED = "rejected"


class ComplaintAction(StrEnum):
    """What an upheld complaint does to its label."""

    NONE = "none"
    SUSPEND = "suspend"
    REVOKE = "revoke"


_NEXT = {
    ComplaintState.RECEIVED: {ComplaintState.UNDER_REVIEW},
    ComplaintState.UNDER_REVIEW: {ComplaintState.UPHELD, ComplaintState.REJECTED},
    ComplaintState.UPHELD: set(),
    ComplaintState.REJECTED: set(),
}


def next_state(current: ComplaintState, wanted: ComplaintState, action: ComplaintAction) -> ComplaintState:
    """Check one step of the life cycle; only an upheld complaint may act on its label."""
    if wanted not in _NEXT[current]:
        raise Conflict(f"a complaint that is {current.value} cannot become {wanted.value}")
    if action is not ComplaintAction.NONE and wanted is not ComplaintState.UPHELD:
        raise InputError(f"only an upheld complaint can {action.value} its label", Location(pointer="/action"))
    return wanted


def new_reference() -> str:
    """A reference number for the reporter: ``C-`` and 12 Crockford base32 characters (60 random bits)."""
    return "C-" + "".join(secrets.choice(_ALPHABET) for _ in range(12))


class ComplaintForm(BaseModel):
    """What a reporter sends: no personal data is needed (``contact`` is optional)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    category: Literal["wrong_value", "wrong_product", "misleading_use", "other"]
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    contact: str | None = Field(default=None, max_length=MAX_CONTACT)


def check_complaint_form(fields: Mapping[str, str]) -> ComplaintForm:
    """The form's fields checked; every problem names its field."""
    data = {k: v for k, v in fields.items() if not (k == "contact" and not v.strip())}
    try:
        return ComplaintForm.model_validate(data)
    except ValidationError as e:
        problems: list[RegistryError] = [
            InputError(f"{_field(err['loc'])}: {err['msg']}", Location(pointer="/" + _field(err["loc"])))
            for err in e.errors(include_url=False, include_input=False)
        ]
        raise InputProblems("the complaint form is not complete", problems=problems) from None


def _field(loc: tuple[int | str, ...]) -> str:
    return "/".join(str(p) for p in loc)


@dataclass(frozen=True)
class FormTokens:
    """Form tokens: ``<unix seconds>.<HMAC-SHA256 hex>`` over label id, address and time."""

    key: bytes

    @classmethod
    def derived_from(cls, secret: bytes) -> FormTokens:
        return cls(hmac.new(secret, b"pcf-registry complaint form v1", hashlib.sha256).digest())

    def _mac(self, label_id: str, address: str, at: int) -> str:
        msg = f"{label_id.upper()}\x00{address}\x00{at}".encode()
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()

    def issue(self, label_id: str, address: str, now: float) -> str:
        at = int(now)
        return f"{at}.{self._mac(label_id, address, at)}"

    def check(self, token: str, label_id: str, address: str, now: float) -> None:
        at_text, _, mac = token.partition(".")
        if not at_text.isdigit() or len(at_text) > 12:
            raise InputError("the form token is missing or malformed; open the form again", Location(pointer="/token"))
        at = int(at_text)
        if not hmac.compare_digest(mac.encode(), self._mac(label_id, address, at).encode()):
            raise InputError("the form token does not fit this form; open the form again", Location(pointer="/token"))
        if not 0 <= now - at <= FORM_TOKEN_TTL:
            raise InputError("the form has expired; open it again", Location(pointer="/token"))
