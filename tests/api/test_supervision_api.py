"""Supervision through the API (issue 13), on SQLite and PostgreSQL: regulators read their
jurisdiction only, draw reproducible samples and record outcomes; anyone files a complaint from a
label's page; the certifier handles it, and an upheld one suspends the label; statistics; and the
role matrix of every new write."""

from __future__ import annotations

import copy
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_support import Service, problem
from sqlalchemy import func, select
from sqlmodel import col

from registry.packs.catalog import Catalog
from registry.schemas import iter_schema_errors
from registry.service.bootstrap import IssuedSecret
from registry.service.ratelimit import FailureLimiter
from registry.service.supervision import create_regulator
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import (
    Complaint,
    CredentialCreate,
    CredentialKind,
    Label,
    LabelSample,
    Organisation,
    RegulatorRegion,
    Reverification,
)

AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"


def _regulator(service: Service, org_id: str, regions: list[str]) -> None:
    if org_id in service.creds:
        return
    now = datetime.now(UTC)
    with session_scope(service.ctx.engine) as s:
        create_regulator(s, org_id, f"Regulator {org_id}", regions, now=now)
        issued = repo.create_credential(s, CredentialCreate(org_id=org_id, kind=CredentialKind.CLIENT_SECRET), now=now)
    service.creds[org_id] = IssuedSecret(org_id, "client-secret", issued.credential.client_id, issued.secret)


def _declaration(country: str, batch: str) -> dict[str, Any]:
    ex = Catalog.bundled().resolve(AL).example
    assert ex is not None
    doc = copy.deepcopy(ex)
    doc["pcf"]["geographyCountry"] = country
    doc["productNameCompany"] = f"{doc.get('productNameCompany', 'x')} {batch}"  # another digest, another label
    return doc


@pytest.fixture(scope="module")
def world(service: Service) -> dict[str, Any]:
    """Two regulators (CN, DE), a label and a validation in each country."""
    _regulator(service, "reg-cn", ["CN"])
    _regulator(service, "reg-de", ["DE"])
    _regulator(service, "reg-gd", ["CN-GD"])
    c, h = service.client, service.headers("demo-certifier")
    out: dict[str, Any] = {}
    for country in ("CN", "DE"):
        doc = _declaration(country, country)
        r = c.post("/v1/labels", json={"declaration": doc, "gtin": GTIN}, headers=h)
        assert r.status_code == 201, r.text
        out[f"label_{country}"] = r.json()["id"]
        r = c.post("/v1/validations", json=doc, headers=h)
        assert r.status_code in (200, 201), r.text
        out[f"validation_{country}"] = r.json()["id"]
    return out


def _schema_ok(name: str, doc: Any) -> None:
    assert iter_schema_errors(f"https://pcf-registry.org/schemas/{name}-1.0.json", doc) == []


def _ids(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [item.get("id") or item.get("reference") for item in r.json()["items"]]


def test_a_regulator_reads_its_jurisdiction_and_nothing_else(service: Service, world: dict[str, Any]) -> None:
    c = service.client
    cn, de = service.headers("reg-cn"), service.headers("reg-de")
    labels_cn = _ids(c.get("/v1/supervision/labels", headers=cn))
    assert world["label_CN"] in labels_cn and world["label_DE"] not in labels_cn
    assert world["label_DE"] in _ids(c.get("/v1/supervision/labels", headers=de))
    got = c.get(f"/v1/supervision/labels/{world['label_CN']}", headers=cn).json()
    assert got["region"] == "CN" and got["certifier"] == "demo-certifier" and got["complaints"] == []
    problem(c.get(f"/v1/supervision/labels/{world['label_DE']}", headers=cn), 404)
    validations = _ids(c.get("/v1/supervision/validations", headers=cn))
    assert world["validation_CN"] in validations and world["validation_DE"] not in validations
    full = c.get(f"/v1/supervision/validations/{world['validation_CN']}", headers=cn).json()
    assert full["declaration"]["pcf"]["geographyCountry"] == "CN" and full["kind"] == "validation"
    problem(c.get(f"/v1/supervision/validations/{world['validation_DE']}", headers=cn), 404)
    # a subdivision's regulator does not see labels that name only the country
    assert world["label_CN"] not in _ids(c.get("/v1/supervision/labels", headers=service.headers("reg-gd")))


def test_a_regulator_reads_audits_and_recalculations_in_its_jurisdiction(
    service: Service, world: dict[str, Any]
) -> None:
    c, h = service.client, service.headers("demo-certifier")
    record = {"certifier": "demo-certifier", "date": "2026-03-01T00:00:00Z", "evidence_digest": "sha256:" + "ab" * 32,
              "attestations": []}  # fmt: skip
    r = c.post("/v1/audits", json={"record": record, "declaration": _declaration("DE", "audit")}, headers=h)
    assert r.status_code == 201, r.text
    audit_id = r.json()["id"]
    assert audit_id in _ids(c.get("/v1/supervision/audits", headers=service.headers("reg-de")))
    assert audit_id not in _ids(c.get("/v1/supervision/audits", headers=service.headers("reg-cn")))
    assert c.get(f"/v1/supervision/audits/{audit_id}", headers=service.headers("reg-de")).json()["region"] == "DE"
    problem(c.get(f"/v1/supervision/audits/{audit_id}", headers=service.headers("reg-cn")), 404)


def test_a_regulator_tells_recalculations_from_validations(service: Service, world: dict[str, Any]) -> None:
    resolved = Catalog.bundled().resolve(f"{AL}@1.2.0")
    assert resolved.example is not None and resolved.example_inventory is not None
    c, cn = service.client, service.headers("reg-cn")
    body = {"declaration": resolved.example, "inventory": resolved.example_inventory}
    r = c.post("/v1/recalculations", json=body, headers=service.headers("demo-certifier"))
    assert r.status_code == 201, r.text
    recalc = r.json()["id"]
    only = _ids(c.get("/v1/supervision/validations", params={"kind": "recalculation"}, headers=cn))
    assert recalc in only and world["validation_CN"] not in only
    plain = _ids(c.get("/v1/supervision/validations", params={"kind": "validation"}, headers=cn))
    assert world["validation_CN"] in plain and recalc not in plain
    full = c.get(f"/v1/supervision/validations/{recalc}", headers=cn).json()
    assert full["kind"] == "recalculation" and full["result"]["inventory"] == resolved.example_inventory
    problem(c.get(f"/v1/supervision/validations/{recalc}", headers=service.headers("reg-de")), 404)


def _population(**kw: Any) -> dict[str, Any]:
    return {"cut_off": datetime.now(UTC).isoformat(), **kw}


def test_the_same_seed_and_population_draw_the_same_sample(service: Service, world: dict[str, Any]) -> None:
    c, cn = service.client, service.headers("reg-cn")
    for i in range(3):  # a few more CN labels, so that the draw has a choice
        doc = _declaration("CN", f"more-{i}")
        r = c.post("/v1/labels", json={"declaration": doc, "gtin": GTIN}, headers=service.headers("demo-certifier"))
        assert r.status_code == 201, r.text
    population = _population(certifier="demo-certifier")
    body = {"size": 2, "seed": "lot-2026-12", "population": population}
    first = c.post("/v1/supervision/samples", json=body, headers=cn)
    assert first.status_code == 201, first.text
    doc = first.json()
    assert doc["seed"] == "lot-2026-12" and doc["population"]["jurisdiction"] == ["CN"]
    assert doc["population"]["cut_off"] and doc["population_size"] >= 4 and len(doc["label_ids"]) == 2
    assert world["label_DE"] not in doc["label_ids"]
    again = c.post("/v1/supervision/samples", json=body, headers=cn).json()
    assert again["id"] != doc["id"]
    assert (again["label_ids"], again["population_digest"]) == (doc["label_ids"], doc["population_digest"])
    fresh = c.post("/v1/supervision/samples", json={"size": 1, "population": population}, headers=cn).json()
    assert re.fullmatch(r"[0-9a-f]{32}", fresh["seed"])  # the registry's seed, recorded
    stored = c.get(f"/v1/supervision/samples/{doc['id']}", headers=cn).json()
    assert stored["label_ids"] == doc["label_ids"] and stored["outcomes"] == []
    _schema_ok("label-sample", stored)
    future = _population()
    future["cut_off"] = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    problem(c.post("/v1/supervision/samples", json={"size": 1, "population": future}, headers=cn), 422)


def _sample(service: Service, regulator: str = "reg-cn", size: int = 2) -> dict[str, Any]:
    r = service.client.post(
        "/v1/supervision/samples", json={"size": size, "population": _population()}, headers=service.headers(regulator)
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


FINDING = {"rule_id": "reverify.value", "severity": "error", "path": "/pcf/pCfExcludingBiogenic",
           "message": "the re-computed value is 12 % higher", "clauses": []}  # fmt: skip


def test_outcomes_are_recorded_once_against_label_and_certifier(service: Service, world: dict[str, Any]) -> None:
    c, cn = service.client, service.headers("reg-cn")
    sample = _sample(service)
    label = sample["label_ids"][0]
    url = f"/v1/supervision/samples/{sample['id']}/outcomes"
    problem(c.post(url, json={"label_id": label, "outcome": "discrepancy", "findings": []}, headers=cn), 422)
    r = c.post(url, json={"label_id": label, "outcome": "discrepancy", "findings": [FINDING]}, headers=cn)
    assert r.status_code == 201, r.text
    assert r.json()["certifier"] == "demo-certifier" and r.json()["findings"][0]["rule_id"] == "reverify.value"
    problem(c.post(url, json={"label_id": label, "outcome": "confirmed"}, headers=cn), 409)
    problem(c.post(url, json={"label_id": world["label_DE"], "outcome": "confirmed"}, headers=cn), 404)
    _schema_ok("label-sample", c.get(f"/v1/supervision/samples/{sample['id']}", headers=cn).json())
    seen = c.get(f"/v1/supervision/labels/{label}", headers=cn).json()["reverifications"]
    assert [o["outcome"] for o in seen] == ["discrepancy"]


# ------------------------------------------------------------------ complaints


def _form_token(service: Service, label_id: str) -> str:
    page = service.client.get(f"/l/{label_id}/complaint")
    assert page.status_code == 200 and "<script" not in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]
    m = re.search(r'name="token" value="([^"]+)"', page.text)
    assert m
    return m.group(1)


def _file(service: Service, label_id: str, **fields: str) -> Any:
    data = {"token": _form_token(service, label_id), "category": "wrong_value", "text": "grade looks wrong"} | fields
    return service.client.post(f"/l/{label_id}/complaint", data=data)


@pytest.fixture
def fresh_limit(service: Service) -> Any:
    saved = service.ctx.complaint_limiter
    service.ctx.complaint_limiter = FailureLimiter({"address": 1000}, window=3600)
    yield service.ctx.complaint_limiter
    service.ctx.complaint_limiter = saved


def test_anyone_reports_a_label_and_the_certifier_upholds_and_suspends(
    service: Service, world: dict[str, Any], fresh_limit: Any
) -> None:
    c, label = service.client, world["label_CN"]
    page = c.get(f"/L/{label}", headers={"Accept-Language": "en"})
    assert f'href="/l/{label}/complaint?lang=en"' in page.text
    zh = c.get(f"/L/{label}", headers={"Accept-Language": "zh-CN"})
    assert f'href="/l/{label}/complaint?lang=zh"' in zh.text and "举报此标识的问题" in zh.text
    assert "举报此标识的问题" in c.get(f"/l/{label}/complaint", params={"lang": "zh"}).text
    r = _file(service, label, contact="")
    assert r.status_code == 201, r.text
    ref = r.headers["x-complaint-reference"]
    assert ref in r.text and re.fullmatch(r"C-[0-9A-Z]{12}", ref)
    cert = service.headers("demo-certifier")
    assert ref in _ids(c.get("/v1/complaints", headers=cert))
    other = service.headers("other-certifier")
    problem(c.get(f"/v1/complaints/{ref}", headers=other), 403)
    assert ref not in _ids(c.get("/v1/complaints", headers=other))
    mine = c.get(f"/v1/complaints/{ref}", headers=cert).json()
    assert mine["state"] == "received" and mine["contact"] is None and mine["label_id"] == label
    decide = {"decision": "upheld", "action": "suspend", "reason": "value re-checked: wrong"}
    problem(c.post(f"/v1/complaints/{ref}/decision", json=decide, headers=cert), 409)  # not under review yet
    assert c.post(f"/v1/complaints/{ref}/review", json={}, headers=cert).json()["state"] == "under_review"
    done = c.post(f"/v1/complaints/{ref}/decision", json=decide, headers=cert)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "upheld" and done.json()["action"] == "suspend"
    assert [h["state"] for h in done.json()["history"]] == ["received", "under_review", "upheld"]
    _schema_ok("complaint", done.json())
    assert c.get(f"/v1/labels/{label}").json()["state"] == "suspended"
    assert ref in _ids(c.get("/v1/supervision/complaints", headers=service.headers("reg-cn")))
    assert ref not in _ids(c.get("/v1/supervision/complaints", headers=service.headers("reg-de")))
    problem(c.get(f"/v1/supervision/complaints/{ref}", headers=service.headers("reg-de")), 404)
    assert c.get(f"/v1/supervision/labels/{label}", headers=service.headers("reg-cn")).json()["complaints"] == [ref]


def test_a_rejected_complaint_leaves_the_label_alone(service: Service, world: dict[str, Any], fresh_limit: Any) -> None:
    c, label, cert = service.client, world["label_DE"], service.headers("demo-certifier")
    ref = _file(service, label, category="other", text="not sure", contact="me@example.org").headers[
        "x-complaint-reference"
    ]
    c.post(f"/v1/complaints/{ref}/review", json={}, headers=cert)
    bad = {"decision": "rejected", "action": "revoke", "reason": "no"}
    problem(c.post(f"/v1/complaints/{ref}/decision", json=bad, headers=cert), 422)
    assert c.get(f"/v1/labels/{label}").json()["state"] == "valid"
    ok = c.post(f"/v1/complaints/{ref}/decision", json={"decision": "rejected", "reason": "checked"}, headers=cert)
    assert ok.json()["state"] == "rejected" and ok.json()["contact"] == "me@example.org"
    assert c.get(f"/v1/labels/{label}").json()["state"] == "valid"


def test_the_form_refuses_bad_tokens_cross_site_posts_big_bodies_and_incomplete_forms(
    service: Service, world: dict[str, Any], fresh_limit: Any
) -> None:
    c, label = service.client, world["label_DE"]
    before = _count(service, Complaint)
    assert _file(service, label, token="123.abc").status_code == 400
    other = _form_token(service, world["label_CN"])  # a token of another label's form
    assert _file(service, label, token=other).status_code == 400
    r = c.post(
        f"/l/{label}/complaint",
        data={"token": _form_token(service, label), "category": "other", "text": "x"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 403
    r = c.post(
        f"/l/{label}/complaint",
        data={"token": _form_token(service, label), "category": "other", "text": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert _file(service, label, text="x" * 9000).status_code == 413
    many = "&".join(f"f{i}=1" for i in range(30))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert c.post(f"/l/{label}/complaint", content=many, headers=form).status_code == 400  # 500 before
    r = _file(service, label, category="bogus", text="")
    assert r.status_code == 422 and 'name="token"' in r.text  # the form again, saying what to correct
    assert c.get("/l/AAAAAAAAAAAAAAAA/complaint").status_code == 404
    assert _count(service, Complaint) == before


def test_complaints_are_rate_limited_per_address(service: Service, world: dict[str, Any]) -> None:
    saved = service.ctx.complaint_limiter
    service.ctx.complaint_limiter = FailureLimiter({"address": 2}, window=3600)
    try:
        codes = [_file(service, world["label_DE"]).status_code for _ in range(3)]
    finally:
        service.ctx.complaint_limiter = saved
    assert codes[:2] == [201, 201] and codes[2] == 429


def test_statistics_per_certifier(service: Service, world: dict[str, Any], fresh_limit: Any) -> None:
    c, cn = service.client, service.headers("reg-cn")
    stats = c.get("/v1/supervision/statistics", headers=cn)
    assert stats.status_code == 200, stats.text
    body = stats.json()
    _schema_ok("supervision-statistics", body)
    assert body["jurisdiction"] == ["CN"]
    demo = next(x for x in body["certifiers"] if x["certifier"] == "demo-certifier")
    with session_scope(service.ctx.engine, write=False) as s:
        cn_labels = s.execute(
            select(func.count())
            .select_from(Label)
            .where(col(Label.region) == "CN", col(Label.certifier_id) == "demo-certifier")
        ).scalar_one()
    assert demo["labels_issued"] == cn_labels
    assert set(demo["complaints"]) == {"received", "under_review", "upheld", "rejected"}
    assert set(demo["sample_outcomes"]) == {"confirmed", "discrepancy", "not_verifiable"}
    later = c.get("/v1/supervision/statistics", params={"from": "2999-01-01T00:00:00Z"}, headers=cn).json()
    assert all(x["labels_issued"] == 0 for x in later["certifiers"])
    problem(c.get("/v1/supervision/statistics", params={"from": "2026-01-01T00:00:00"}, headers=cn), 422)


def test_statistics_count_what_happened(service: Service, world: dict[str, Any], fresh_limit: Any) -> None:
    """One more label, suspended through an upheld complaint, and a discrepancy: each is counted."""
    c, cn, cert = service.client, service.headers("reg-cn"), service.headers("demo-certifier")
    # labels carry whole seconds: start the period at the next full second, so that what earlier tests
    # did (within the same second) stays before it and this test's label falls inside it
    now = datetime.now(UTC)
    since = now.replace(microsecond=0) + timedelta(seconds=1)
    time.sleep((since - now).total_seconds())
    r = c.post("/v1/labels", json={"declaration": _declaration("CN", "stats"), "gtin": GTIN}, headers=cert)
    label = r.json()["id"]
    ref = _file(service, label).headers["x-complaint-reference"]
    c.post(f"/v1/complaints/{ref}/review", json={}, headers=cert)
    decision = {"decision": "upheld", "action": "revoke", "reason": "r"}
    assert c.post(f"/v1/complaints/{ref}/decision", json=decision, headers=cert).status_code == 200
    sample = c.post(
        "/v1/supervision/samples",
        json={"size": 1, "population": {"cut_off": datetime.now(UTC).isoformat(), "issued_from": since.isoformat()}},
        headers=cn,
    ).json()
    assert sample["label_ids"] == [label]
    outcome = {"label_id": label, "outcome": "not_verifiable", "note": "no access to the plant"}
    assert c.post(f"/v1/supervision/samples/{sample['id']}/outcomes", json=outcome, headers=cn).status_code == 201
    body = c.get("/v1/supervision/statistics", params={"from": since.isoformat()}, headers=cn).json()
    demo = next(x for x in body["certifiers"] if x["certifier"] == "demo-certifier")
    assert demo["labels_issued"] == 1 and demo["labels_revoked"] == 1 and demo["labels_suspended"] == 0
    assert demo["complaints"]["upheld"] == 1 and demo["sample_outcomes"]["not_verifiable"] == 1
    de = c.get("/v1/supervision/statistics", params={"from": since.isoformat()}, headers=service.headers("reg-de"))
    assert all(x["labels_issued"] == 0 for x in de.json()["certifiers"]), de.json()


# ------------------------------------------------------------------ the role matrix


def _count(service: Service, model: Any) -> int:
    with session_scope(service.ctx.engine, write=False) as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _snapshot(service: Service) -> tuple[Any, ...]:
    with session_scope(service.ctx.engine, write=False) as s:
        complaints = sorted((r.reference, str(r.state)) for r in s.execute(select(Complaint)).scalars())
        labels = sorted((r.id, str(r.state)) for r in s.execute(select(Label)).scalars())
    return (
        _count(service, Organisation),
        _count(service, RegulatorRegion),
        _count(service, LabelSample),
        _count(service, Reverification),
        complaints,
        labels,
    )


WRONG = ("nobody", "example-standards-body", "demo-platform", "other-certifier", "registry-admin", "reg-cn", "reg-de",
         "demo-certifier")  # fmt: skip


def test_every_new_write_by_every_wrong_role_or_organisation_is_refused_and_changes_nothing(
    service: Service, world: dict[str, Any], fresh_limit: Any
) -> None:
    c = service.client
    cert = service.headers("demo-certifier")
    sample = _sample(service, "reg-cn", size=1)
    fresh = _file(service, world["label_CN"]).headers["x-complaint-reference"]
    reviewing = _file(service, world["label_CN"]).headers["x-complaint-reference"]
    assert c.post(f"/v1/complaints/{reviewing}/review", json={}, headers=cert).status_code == 200
    writes: list[tuple[str, str, dict[str, Any], set[str]]] = [
        # (path, body, who may)
        ("POST", "/v1/regulators", {"id": "reg-x", "name": "X", "jurisdiction": ["FR"]}, {"registry-admin"}),
        ("POST", "/v1/supervision/samples", {"size": 1, "population": _population()}, {"reg-cn", "reg-de"}),
        (
            "POST",
            f"/v1/supervision/samples/{sample['id']}/outcomes",
            {"label_id": sample["label_ids"][0], "outcome": "confirmed"},
            {"reg-cn"},
        ),
        ("POST", f"/v1/complaints/{fresh}/review", {}, {"demo-certifier", "registry-admin"}),
        (
            "POST",
            f"/v1/complaints/{reviewing}/decision",
            {"decision": "upheld", "action": "revoke", "reason": "r"},
            {"demo-certifier", "registry-admin"},
        ),
    ]
    before = _snapshot(service)
    tried = 0
    for method, path, body, allowed in writes:
        for who in WRONG:
            if who in allowed:
                continue
            headers = {} if who == "nobody" else service.headers(who)
            r = c.request(method, path, json=body, headers=headers)
            expected = 401 if who == "nobody" else 403
            problem(r, expected)
            tried += 1
    assert tried >= 25
    assert _snapshot(service) == before


def test_reads_are_for_regulators_only(service: Service, world: dict[str, Any]) -> None:
    c = service.client
    for path in (
        "/v1/supervision/labels",
        "/v1/supervision/validations",
        "/v1/supervision/audits",
        "/v1/supervision/complaints",
        "/v1/supervision/samples",
        "/v1/supervision/statistics",
        f"/v1/supervision/labels/{world['label_CN']}",
    ):
        problem(c.get(path), 401)
        for who in ("demo-certifier", "demo-platform", "registry-admin", "example-standards-body"):
            problem(c.get(path, headers=service.headers(who)), 403)
    problem(c.get("/v1/complaints", headers=service.headers("reg-cn")), 403)
    sample = _sample(service, "reg-cn", size=1)
    problem(c.get(f"/v1/supervision/samples/{sample['id']}", headers=service.headers("reg-de")), 403)


def test_the_admin_creates_a_regulator_with_a_checked_jurisdiction(service: Service) -> None:
    c, admin = service.client, service.headers("registry-admin")
    bad = c.post("/v1/regulators", json={"id": "reg-bad", "name": "Bad", "jurisdiction": ["CN", "Mars"]}, headers=admin)
    assert problem(bad, 422)["detail"]
    ok = c.post("/v1/regulators", json={"id": "reg-eu", "name": "EU", "jurisdiction": ["fr", "DE-BY"]}, headers=admin)
    assert ok.status_code == 201, ok.text
    assert ok.json()["jurisdiction"] == ["DE-BY", "FR"]
    problem(c.post("/v1/regulators", json={"id": "reg-eu", "name": "EU", "jurisdiction": ["FR"]}, headers=admin), 409)
