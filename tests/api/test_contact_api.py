"""An organisation's public contact (issue 14: the certifier page shows name, accreditation and contact), on
both backends: set by the organisation itself or the admin, validated, shown on the certifier page (zh, en) and
in the certifier's JSON; the role matrix of the write (every wrong caller -> 401/403, nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Service, problem
from lxml import html

from issuance.i18n import TEXTS
from registry.service.bootstrap import (
    ADMIN_ORG,
    DEMO_ACCREDITATION_BODY,
    DEMO_CERTIFIER,
    DEMO_PLATFORM,
    EXAMPLE_BODY,
)

CONTACT = {
    "email": "labels@demo-certifier.example",
    "url": "https://demo-certifier.example/contact",
    "phone": "+86 10 6532 1234",
    "address": "1 Example Road\n100000 Beijing",
}
WRONG = (DEMO_PLATFORM, EXAMPLE_BODY, "other-certifier", DEMO_ACCREDITATION_BODY)
URL = f"/v1/orgs/{DEMO_CERTIFIER}/contact"


def _put(service: Service, org: str | None, body: Any, target: str = URL) -> Any:
    headers = service.headers(org) if org else {}
    return service.client.put(target, json=body, headers=headers)


def _stored(service: Service) -> dict[str, Any]:
    r = service.client.get(URL)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
def with_contact(service: Service) -> dict[str, Any]:
    r = _put(service, DEMO_CERTIFIER, CONTACT)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_the_certifier_sets_its_own_contact_and_everyone_reads_it(
    service: Service, with_contact: dict[str, Any]
) -> None:
    assert with_contact["org_id"] == DEMO_CERTIFIER and with_contact["contact"] == CONTACT
    assert with_contact["updated_at"] is not None
    assert _stored(service) == with_contact  # public read, no credentials
    facts = service.client.get(f"/v1/certifiers/{DEMO_CERTIFIER}")
    assert facts.status_code == 200 and facts.json()["contact"] == CONTACT
    assert facts.json()["name"] and facts.json()["accreditations"]
    assert facts.json()["page"] == f"/v1/certifiers/{DEMO_CERTIFIER}/page"
    problem(service.client.get("/v1/certifiers/no-such-certifier"), 404)
    problem(service.client.get(f"/v1/certifiers/{DEMO_PLATFORM}"), 404)  # an organisation, not a certifier


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_certifier_page_shows_the_contact(service: Service, with_contact: dict[str, Any], lang: str) -> None:
    r = service.client.get(f"/v1/certifiers/{DEMO_CERTIFIER}/page", params={"lang": lang})
    assert r.status_code == 200
    doc = html.document_fromstring(r.text)
    text = " ".join(doc.text_content().split())
    for key in ("email", "url", "phone", "address"):
        assert TEXTS[lang][f"certifier.contact.{key}"] in text  # type: ignore[index]
    hrefs = {a.get("href") for a in doc.xpath("//main//a")}
    assert {f"mailto:{CONTACT['email']}", CONTACT["url"], "tel:+861065321234"} <= hrefs
    assert "1 Example Road" in text and "100000 Beijing" in text
    assert TEXTS[lang]["certifier.contact.text"] not in text  # "holds no contact" is gone  # type: ignore[index]


def test_the_admin_sets_any_contact_and_an_empty_one_removes_it(service: Service, with_contact: dict[str, Any]) -> None:
    r = _put(service, ADMIN_ORG, {"email": "desk@demo-certifier.example"})
    assert r.status_code == 200 and r.json()["contact"] == {"email": "desk@demo-certifier.example"}
    r = _put(service, ADMIN_ORG, {"email": " ", "url": ""})  # blank parts are none
    assert r.status_code == 200 and r.json()["contact"] is None
    assert _put(service, ADMIN_ORG, {"phone": "+86 10 1234"}).json()["contact"] == {"phone": "+86 10 1234"}
    r = _put(service, ADMIN_ORG, {})
    assert r.status_code == 200 and r.json()["contact"] is None
    page = service.client.get(f"/v1/certifiers/{DEMO_CERTIFIER}/page", params={"lang": "en"})
    assert TEXTS["en"]["certifier.contact.text"] in " ".join(html.document_fromstring(page.text).text_content().split())
    problem(_put(service, ADMIN_ORG, CONTACT, target="/v1/orgs/no-such-org/contact"), 404)


def test_every_wrong_caller_is_refused_and_nothing_changes(service: Service, with_contact: dict[str, Any]) -> None:
    changed = {"email": "attacker@evil.example"}
    problem(_put(service, None, changed), 401)
    bogus = service.client.put(URL, json=changed, headers={"Authorization": "Bearer not-a-token"})
    problem(bogus, 401)
    for org in WRONG:
        problem(_put(service, org, changed), 403)
    assert _stored(service) == with_contact


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://demo-certifier.example/"}, "url"),
        ({"url": "https://user:secret@demo-certifier.example/"}, "url"),
        ({"phone": "call us"}, "phone"),
        ({"address": "line\u0000"}, "address"),
        ({"address": "\n".join(["x"] * 11)}, "address"),
        ({"fax": "+86 10 1"}, "fax"),
    ],
)
def test_a_bad_contact_names_its_field_and_nothing_changes(
    service: Service, with_contact: dict[str, Any], body: dict[str, str], field: str
) -> None:
    r = _put(service, DEMO_CERTIFIER, body)
    assert r.status_code == 422, r.text
    assert field in r.text
    assert _stored(service) == with_contact
