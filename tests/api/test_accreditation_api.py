"""Accreditation over HTTP (issue 13): who may grant and change it (a role matrix), issuing refused outside
it (403 naming the dimension), and each scheme's policy for labels when it is suspended or withdrawn.
SQLite and PostgreSQL, as every API test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from api_support import Service, problem
from sqlmodel import select

from registry.accreditation import sign_accreditation
from registry.packs import generate_keypair
from registry.packs.catalog import Catalog
from registry.service import accreditations as accreditation_service
from registry.service.bootstrap import DEMO_ACCREDITATION_BODY, IssuedSecret, accreditation_key_path
from registry.service.labels import create_signing_key, load_settings
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import (
    AccreditationVersion,
    CredentialCreate,
    CredentialKind,
    Label,
    OrganisationCreate,
    OrgKind,
    PublisherKeyCreate,
    TlogEntry,
)

AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"
BODY = DEMO_ACCREDITATION_BODY
OTHER_BODY = "other-accreditation-body"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    ex = Catalog.bundled().resolve(f"{AL}@1.0.0").example
    assert ex is not None
    return ex


def _extra_org(engine: Any, org_id: str, kind: OrgKind) -> IssuedSecret:
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id=org_id, name=org_id, kind=kind), now=now)
        issued = repo.create_credential(s, CredentialCreate(org_id=org_id, kind=CredentialKind.CLIENT_SECRET), now=now)
    return IssuedSecret(org_id, CredentialKind.CLIENT_SECRET.value, issued.credential.client_id, issued.secret)


@pytest.fixture(scope="module")
def setup(service: Service) -> Service:
    """A second accreditation body with its own key; other-certifier gets a label key for the example packs."""
    from issuance import KeyScope

    service.creds[OTHER_BODY] = _extra_org(service.ctx.engine, OTHER_BODY, OrgKind.ACCREDITATION_BODY)
    pem, jwk = generate_keypair(publisher=OTHER_BODY)
    service.creds[f"{OTHER_BODY}.pem"] = pem  # type: ignore[assignment]
    now = datetime.now(UTC)
    with session_scope(service.ctx.engine) as s:
        repo.add_publisher_key(s, PublisherKeyCreate(keyid=jwk["kid"], org_id=OTHER_BODY, public_jwk=jwk), now=now)
        scope = KeyScope(schemes=("gb-t-24067", "pef"), categories=("example-standards-body/",))
        create_signing_key(s, load_settings(service.data_dir), "other-certifier", scope, now=now)
    return service


def _doc(name: str, version: int, change: str, *, previous: str | None = None, **extra: Any) -> dict[str, Any]:
    state = {"suspend": "suspended", "withdraw": "withdrawn"}.get(change, "active")
    doc = {
        "format": "pcf-registry/accreditation/1.0",
        "id": f"{BODY}/{name}",
        "version": version,
        "certifier": "other-certifier",
        "change": change,
        "state": state,
        "scope": {"schemes": ["gb-t-24067"], "categories": ["cpc:4143"], "regions": ["CN"]},
        "valid_from": "2026-01-01",
        "valid_until": "2031-01-01",
    }
    if previous is not None:
        doc["previous"] = previous
    if change in ("reduce", "suspend", "withdraw"):
        doc["reason"] = f"{change} for the test"
    return doc | extra


def _signed(service: Service, doc: dict[str, Any]) -> dict[str, Any]:
    return sign_accreditation(doc, accreditation_key_path(service.data_dir).read_bytes(), BODY)


def _submit(service: Service, doc: dict[str, Any], status: int = 201) -> dict[str, Any]:
    r = service.client.post("/v1/accreditations", json=_signed(service, doc), headers=service.headers(BODY))
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def _stored(service: Service) -> tuple[list[tuple[str, int, str]], list[tuple[str, str]]]:
    with session_scope(service.ctx.engine, write=False) as s:
        versions = [(r.accreditation_id, r.version, r.digest) for r in s.exec(select(AccreditationVersion))]
        labels = [(r.id, r.state.value) for r in s.exec(select(Label))]
    return sorted(versions), sorted(labels)


def test_init_accredits_the_demo_certifier(service: Service) -> None:
    items = service.client.get("/v1/accreditations", params={"certifier": "demo-certifier"}).json()["items"]
    assert [(i["id"], i["version"], i["change"], i["state"]) for i in items] == [
        (f"{BODY}/demo-certifier", 1, "grant", "active")
    ]
    assert items[0]["accreditation"]["scope"]["regions"] == ["global"]
    history = service.client.get(f"/v1/accreditations/{BODY}/demo-certifier").json()["items"]
    assert history[0]["envelope"]["format"] == "pcf-registry/signed-accreditation/1.0"
    problem(service.client.get(f"/v1/accreditations/{BODY}/nobody"), 404)


WRONG_CALLERS = ("demo-certifier", "other-certifier", "example-standards-body", "demo-platform", OTHER_BODY)


def test_every_write_by_every_wrong_caller_is_refused_and_changes_nothing(setup: Service) -> None:
    service = setup
    name = "matrix"
    scope = {"schemes": ["pef"], "categories": ["example-standards-body/"], "regions": ["global"]}
    narrowed = scope | {"regions": ["CN"]}
    changes = (("grant", 1), ("reduce", 2), ("suspend", 3), ("withdraw", 4))
    previous = None
    for change, version in changes:
        doc = _doc(name, version, change, previous=previous, scope=scope if change == "grant" else narrowed)
        envelope = _signed(service, doc)
        before = _stored(service)
        problem(service.client.post("/v1/accreditations", json=envelope), 401)
        bad = {"Authorization": "Bearer not-a-token"}
        problem(service.client.post("/v1/accreditations", json=envelope, headers=bad), 401)
        for org in WRONG_CALLERS:
            refused = problem(
                service.client.post("/v1/accreditations", json=envelope, headers=service.headers(org)), 403
            )
            assert refused["type"].endswith("/forbidden"), (doc["change"], org, refused)
        assert _stored(service) == before, doc["change"]
        done = _submit(service, doc)
        assert (done["version"], done["change"]) == (doc["version"], doc["change"])
        previous = done["digest"]
    again = _submit(service, doc, status=200)  # the same version again: stored once
    assert again["version"] == 4
    history = service.client.get(f"/v1/accreditations/{BODY}/{name}").json()["items"]
    assert [i["state"] for i in history] == ["active", "active", "suspended", "withdrawn"]


def test_an_accreditation_body_registers_its_own_signing_key(setup: Service) -> None:
    service = setup
    _, jwk = generate_keypair(publisher=OTHER_BODY)
    url = f"/v1/publishers/{OTHER_BODY}/keys"
    problem(service.client.post(url, json=jwk, headers=service.headers("other-certifier")), 403)
    problem(service.client.post(url, json=jwk, headers=service.headers(BODY)), 403)  # not for another body
    r = service.client.post(url, json=jwk, headers=service.headers(OTHER_BODY))
    assert r.status_code == 201, r.text


def test_another_body_cannot_sign_for_this_one_nor_a_body_grant_beyond_a_version(setup: Service) -> None:
    service = setup
    other_pem: bytes = service.creds[f"{OTHER_BODY}.pem"]  # type: ignore[assignment]
    forged = sign_accreditation(_doc("forged", 1, "grant") | {"id": f"{OTHER_BODY}/forged"}, other_pem, OTHER_BODY)
    forged["accreditation"]["id"] = f"{BODY}/forged"  # claims the demo body's namespace after signing
    before = _stored(service)
    problem(service.client.post("/v1/accreditations", json=forged, headers=service.headers(OTHER_BODY)), 403)
    r = service.client.post("/v1/accreditations", json=forged, headers=service.headers(BODY))
    assert r.status_code == 422 and r.json()["type"].split("/")[-1].startswith("signature"), r.text
    # a version that skips one, and a widening reduction: 422 naming the member
    first = _submit(service, _doc("steps", 1, "grant"))
    skip = problem(
        service.client.post(
            "/v1/accreditations",
            json=_signed(service, _doc("steps", 3, "reduce", previous=first["digest"])),
            headers=service.headers(BODY),
        ),
        422,
    )
    assert skip["location"]["pointer"] == "/accreditation/version"
    wider = _doc("steps", 2, "reduce", previous=first["digest"], valid_until="2040-01-01")
    refused = problem(
        service.client.post("/v1/accreditations", json=_signed(service, wider), headers=service.headers(BODY)), 422
    )
    assert refused["location"]["pointer"] == "/accreditation/valid_until"
    withdraw = _doc("steps", 2, "withdraw", previous=first["digest"])
    _submit(service, withdraw)
    assert len(_stored(service)[0]) == len(before[0]) + 2


def _issue(service: Service, example: dict[str, Any], status: int) -> dict[str, Any]:
    r = service.client.post(
        "/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("other-certifier")
    )
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def _page(service: Service, label_id: str, lang: str) -> str:
    r = service.client.get(f"/L/{label_id}", params={"lang": lang})
    assert r.status_code == 200, r.text
    return " ".join(r.text.split())


def _label_state(service: Service, label_id: str) -> str:
    state: str = service.client.get(f"/v1/labels/{label_id}").json()["state"]
    return state


def test_issuing_outside_the_accreditation_is_refused_naming_what_it_lacks(
    setup: Service, example: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = setup
    lacks = problem(
        service.client.post(
            "/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("other-certifier")
        ),
        403,
    )
    assert lacks["type"].endswith("/not-accredited") and lacks["dimension"] in ("accreditation", "scheme", "state")
    _submit(
        service,
        _doc("steel-only", 1, "grant", scope={"schemes": ["gb-t-24067"], "categories": ["hs:7208"], "regions": ["CN"]}),
    )
    refused = problem(
        service.client.post(
            "/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("other-certifier")
        ),
        403,
    )
    assert (refused["dimension"], refused["lacks"]) == ("category", AL)
    _submit(
        service,
        _doc("germany", 1, "grant", scope={"schemes": ["gb-t-24067"], "categories": ["cpc:41431"], "regions": ["DE"]}),
    )
    refused = problem(
        service.client.post(
            "/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("other-certifier")
        ),
        403,
    )
    assert (refused["dimension"], refused["lacks"], refused["accreditation"]) == ("region", "CN", f"{BODY}/germany@1")
    assert _stored(service)[1] == []  # nothing was issued

    # covered: issued; then the scheme's policy decides what its suspension does to the label
    grant = _submit(service, _doc("china", 1, "grant"))
    label = _issue(service, example, 201)
    monkeypatch.setattr(
        accreditation_service, "scheme_policies", lambda: {"gb-t-24067": "labels_suspended_with_certifier"}
    )
    suspended = _submit(service, _doc("china", 2, "suspend", previous=grant["digest"]))
    assert suspended["labels_changed"] == [label["id"]] and _label_state(service, label["id"]) == "suspended"
    en = _page(service, label["id"], "en")
    assert f"{BODY}/china@2" in en and "suspended (since" in en
    assert "labels with it, and reinstates them with it" in en and "the scheme states no rule" not in en
    assert "已暂停" in _page(service, label["id"], "zh")
    problem(
        service.client.post(
            "/v1/labels",
            json={"declaration": example | {"id": "3f8a0a5e-0000-4000-8000-000000000001"}, "gtin": GTIN},
            headers=service.headers("other-certifier"),
        ),
        403,
    )
    reinstated = _submit(service, _doc("china", 3, "reinstate", previous=suspended["digest"]))
    assert reinstated["labels_changed"] == [label["id"]] and _label_state(service, label["id"]) == "valid"
    history = service.client.get(
        f"/v1/labels/{label['id']}/history", headers=service.headers("other-certifier")
    ).json()["events"]
    assert [(e["event"], e["by"]) for e in history] == [
        ("issued", "other-certifier"),
        ("suspended", BODY),  # the body's change moved the certifier's label
        ("reinstated", BODY),
    ]
    # the default policy: labels stay valid when the accreditation is withdrawn; new ones are refused
    monkeypatch.setattr(accreditation_service, "scheme_policies", lambda: {"gb-t-24067": None})
    withdrawn = _submit(service, _doc("china", 4, "withdraw", previous=reinstated["digest"]))
    assert withdrawn["labels_changed"] == [] and _label_state(service, label["id"]) == "valid"
    en, zh = _page(service, label["id"], "en"), _page(service, label["id"], "zh")
    assert f"{BODY}/china@4" in en and "withdrawn (since" in en
    assert "labels issued while it was in force stay valid" in en and "default: the scheme states no rule" in en
    assert "已撤销" in zh and "认可有效期间颁发的标识继续有效" in zh and "登记系统默认规则" in zh
    again = {"declaration": example | {"id": "3f8a0a5e-0000-4000-8000-000000000002"}, "gtin": GTIN}
    problem(service.client.post("/v1/labels", json=again, headers=service.headers("other-certifier")), 403)


def test_a_reduction_suspends_only_the_labels_it_no_longer_covers_under_that_policy(
    setup: Service, example: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = setup
    scope = {"schemes": ["gb-t-24067"], "categories": ["cpc:4143", "example-standards-body/"], "regions": ["CN"]}
    grant = _submit(service, _doc("reduced", 1, "grant", scope=scope))
    declaration = example | {"id": "3f8a0a5e-0000-4000-8000-000000000003"}
    r = service.client.post(
        "/v1/labels", json={"declaration": declaration, "gtin": GTIN}, headers=service.headers("other-certifier")
    )
    assert r.status_code == 201, r.text
    label = r.json()
    monkeypatch.setattr(
        accreditation_service, "scheme_policies", lambda: {"gb-t-24067": "labels_suspended_with_certifier"}
    )
    steel_only = scope | {"categories": ["example-standards-body/hot-rolled-steel"]}
    reduced = _submit(service, _doc("reduced", 2, "reduce", previous=grant["digest"], scope=steel_only))
    assert reduced["labels_changed"] == [label["id"]] and _label_state(service, label["id"]) == "suspended"
    with session_scope(service.ctx.engine, write=False) as s:
        row = s.get(Label, label["id"])
        assert row is not None and row.accreditation_id == f"{BODY}/reduced"
        assert row.state_reason and row.state_reason.startswith(f"accreditation {BODY}/reduced@2 reduce:")
        # the public log holds each accreditation version and the label its policy suspended (issue 13)
        entries = [json.loads(e.data) for e in s.exec(select(TlogEntry).order_by(TlogEntry.idx)).all()]
    versions = [(e["ref"], e["change"], e["state"]) for e in entries if e["kind"] == "accreditation.version"]
    assert (f"{BODY}/reduced@1", "grant", "active") in versions
    assert (f"{BODY}/reduced@2", "reduce", "active") in versions
    suspended = [e for e in entries if e["kind"] == "label.suspend" and e["label_id"] == label["id"]]
    assert len(suspended) == 1 and suspended[0]["certifier"] == "other-certifier"
