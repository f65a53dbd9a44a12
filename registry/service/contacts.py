"""An organisation's public contact (issue 14): what the certifier page, the certifier's JSON and the directory
show so that a shopper, a buyer or a regulator can reach it.

Only what the organisation chooses to publish: an e-mail address (syntax checked by the ``email-validator``
package through pydantic's ``EmailStr``, no DNS look-up), a web address (``http`` or ``https`` only, no user
name or password in it), a telephone number and a postal address. Each part is optional; the organisation
itself or the registry's operator (admin) sets it, and setting replaces the whole contact
(docs/adr/0030-certifier-contact-and-resolver-methods.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, ValidationError, field_validator
from sqlmodel import Session

from registry.errors import InputError, Location
from registry.service.principal import Principal
from registry.storage import repo
from registry.storage.models import Organisation

# Digits, spaces and the usual separators, an optional leading "+" (E.164 written for people: "+86 10 6532 1234").
PHONE_PATTERN = r"^\+?[0-9]([0-9 ().-]{1,38}[0-9])?$"
# Printable text on up to 10 lines: no control character but the line break.
ADDRESS_PATTERN = r"^[^\x00-\x09\x0b-\x1f\x7f]+$"


class Contact(BaseModel):
    """The public contact of an organisation; every part optional, an empty contact has none."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    email: Annotated[EmailStr | None, Field(max_length=254, description="e-mail address (syntax checked)")] = None
    url: Annotated[HttpUrl | None, Field(max_length=2048, description="web page, http or https only")] = None
    phone: Annotated[
        str | None, Field(pattern=PHONE_PATTERN, max_length=40, description="telephone, e.g. +86 10 6532 1234")
    ] = None
    address: Annotated[
        str | None, Field(pattern=ADDRESS_PATTERN, min_length=1, max_length=500, description="postal address")
    ] = None

    @field_validator("email", "url", "phone", "address", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """A blank part is no part (a form or an option left empty)."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("url")
    @classmethod
    def _no_credentials(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and (url.username or url.password):
            raise ValueError("a public web address carries no user name or password")
        return url

    @field_validator("address")
    @classmethod
    def _few_lines(cls, address: str | None) -> str | None:
        if address is not None and address.count("\n") >= 10:
            raise ValueError("a postal address has at most 10 lines")
        return address

    def is_empty(self) -> bool:
        return not (self.email or self.url or self.phone or self.address)

    def to_json(self) -> dict[str, str]:
        """The parts that are set, as strings."""
        parts = {"email": self.email, "url": self.url, "phone": self.phone, "address": self.address}
        return {k: str(v) for k, v in parts.items() if v is not None}


def parse_contact(data: dict[str, Any]) -> Contact:
    """A contact from plain data (the CLI's options); each bad part is an ``InputError`` naming its field."""
    try:
        return Contact.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        field = "/".join(str(p) for p in first["loc"])
        raise InputError(f"contact {field}: {first['msg']}", Location(pointer=f"/{field}")) from e


def contact_of(org: Organisation) -> Contact | None:
    """The stored contact; None when the organisation has published none."""
    parts = {
        "email": org.contact_email,
        "url": org.contact_url,
        "phone": org.contact_phone,
        "address": org.contact_address,
    }
    stored = Contact.model_construct(None, **parts)  # validated when it was set
    return None if stored.is_empty() else stored


def set_contact(
    session: Session, principal: Principal, org_id: str, contact: Contact, *, now: datetime
) -> Organisation:
    """Replace the organisation's public contact (the organisation itself or the admin; an empty contact removes
    it). 403 for anyone else, 404 for no such organisation; nothing changes on either."""
    principal.require_org(org_id)
    org = repo.get_organisation(session, org_id)
    org.contact_email = str(contact.email) if contact.email else None
    org.contact_url = str(contact.url) if contact.url else None
    org.contact_phone = contact.phone
    org.contact_address = contact.address
    org.contact_updated_at = now
    session.add(org)
    session.flush()
    return org


def contact_json(org: Organisation) -> dict[str, Any]:
    """What the contact routes answer: the organisation, its contact (``null``: none) and when it was set."""
    contact = contact_of(org)
    return {
        "org_id": org.id,
        "contact": contact.to_json() if contact else None,
        "updated_at": org.contact_updated_at,
    }
