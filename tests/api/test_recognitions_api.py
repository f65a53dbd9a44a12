"""Audits and recognitions through the API: one audit, many schemes, many labels, revoked together."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from api_support import Service, problem

from registry.crosswalk.schemas import RECOGNITION_SCHEMA_ID, schema_errors
from registry.packs.catalog import Catalog

AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"
DIGEST = "sha256:" + "ab" * 32


def _record(certifier: str = "demo-certifier") -> dict[str, Any]:
    return {"certifier": certifier, "date": "2026-03-01T00:00:00Z", "evidence_digest": DIGEST, "attestations": []}


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    ex = Catalog.bundled().resolve(AL).example
    assert ex is not None
    return ex


def test_audit_recognise_label_and_revoke(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    r = c.post("/v1/audits", json={"record": _record(), "declaration": example}, headers=h)
    assert r.status_code == 201, r.text
    audit = r.json()
    assert audit["pack"]["id"] == AL and audit["digest"].startswith("sha256:")

    rec = c.post("/v1/recognitions", json={"audit_id": audit["id"], "schemes": ["pact-v3", "pef"]}, headers=h)
    assert rec.status_code == 201, rec.text
    body = rec.json()
    assert body["audit_id"] == audit["id"] and [s["scheme"] for s in body["schemes"]] == ["pact-v3", "pef"]
    plain = {k: v for k, v in body.items() if k not in ("id", "audit_id")}
    assert schema_errors(RECOGNITION_SCHEMA_ID, plain) == []
    assert all(s["status"] in ("recognised", "recognised-with-gaps", "not-recognised") for s in body["schemes"])
    stored = c.get(f"/v1/recognitions/{body['id']}", headers=h).json()
    assert stored["schemes"] == body["schemes"]
    html = c.post("/v1/recognitions", json={"audit_id": audit["id"]}, headers=h, params={"format": "html"})
    assert (
        html.status_code == 201 and html.headers["content-type"].startswith("text/html") and "pef" in html.text.lower()
    )

    first = c.post("/v1/labels", json={"declaration": example, "gtin": GTIN, "audit_id": audit["id"]}, headers=h)
    assert first.status_code == 201, first.text
    not_recognised = [s["scheme"] for s in body["schemes"] if s["status"] != "recognised"]
    for scheme in not_recognised:  # a scheme that did not recognise the audit without gaps gets no label
        refused = c.post(
            "/v1/labels",
            json={"declaration": example, "gtin": GTIN, "audit_id": audit["id"], "scheme": scheme},
            headers=h,
        )
        problem(refused, 422)
    listed = c.get("/v1/audits", headers=h).json()["items"]
    assert audit["id"] in [a["id"] for a in listed]
    assert c.get("/v1/audits", headers=service.headers("other-certifier")).json()["items"] == []
    seen = c.get(f"/v1/audits/{audit['id']}", headers=h).json()
    assert seen["labels"] == [first.json()["id"]]

    problem(c.get(f"/v1/audits/{audit['id']}", headers=service.headers("other-certifier")), 404)
    problem(
        c.post(f"/v1/audits/{audit['id']}/revoke", json={"reason": "x"}, headers=service.headers("other-certifier")),
        404,
    )
    gone = c.post(f"/v1/audits/{audit['id']}/revoke", json={"reason": "evidence withdrawn"}, headers=h)
    assert gone.status_code == 200 and gone.json()["labels_revoked"] == [first.json()["id"]]
    assert c.get(f"/v1/labels/{first.json()['id']}").json()["verification"]["status"] == "revoked"
    events = c.get(f"/v1/labels/{first.json()['id']}/history", headers=h).json()["events"]
    assert [(e["event"], e["reason"], e["by"]) for e in events][-1] == (
        "revoked",
        "evidence withdrawn",
        "demo-certifier",
    )
    assert isinstance(events[-1]["tlog_index"], int)  # the audit's revocation is in the label's history, logged
    problem(c.post("/v1/recognitions", json={"audit_id": audit["id"]}, headers=h), 422)
    problem(c.post("/v1/labels", json={"declaration": example, "gtin": GTIN, "audit_id": audit["id"]}, headers=h), 409)


def test_inline_recognition_and_refusals(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    inline = c.post("/v1/recognitions", json={"record": _record(), "declaration": example}, headers=h)
    assert inline.status_code == 201 and inline.json()["audit_id"]
    assert c.get(f"/v1/audits/{inline.json()['audit_id']}", headers=h).status_code == 200
    problem(c.post("/v1/audits", json={"record": _record("other-certifier"), "declaration": example}, headers=h), 422)
    broken = {**_record(), "evidence_digest": "md5:1"}
    assert "evidence_digest" in str(
        problem(c.post("/v1/audits", json={"record": broken, "declaration": example}, headers=h), 422)
    )
    bad = copy.deepcopy(example)
    bad["pcf"]["ipccCharacterizationFactors"] = ["AR4"]
    refused = problem(c.post("/v1/audits", json={"record": _record(), "declaration": bad}, headers=h), 422)
    assert refused["type"].endswith("/not-conformant")
    problem(c.post("/v1/recognitions", json={"record": _record()}, headers=h), 422)
    problem(c.post("/v1/recognitions", json={"audit_id": "x", "declaration": example}, headers=h), 422)
    problem(c.post("/v1/recognitions", json={"audit_id": "no-such"}, headers=h), 404)
    problem(
        c.post(
            "/v1/audits", json={"record": _record(), "declaration": example}, headers=service.headers("demo-platform")
        ),
        403,
    )
    problem(c.post("/v1/recognitions", json={"audit_id": "x"}), 401)
