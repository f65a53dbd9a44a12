"""The rest of issue 13 over HTTP, on SQLite and PostgreSQL: a grading catalogue's transition rule "re-grade by a
date" enforced (before, at and after the date), a catalogue deprecated and withdrawn by its owner, a label's
state history, and the role matrix of each new write and read (every wrong caller -> 401/403, nothing changed).
The catalogue's figures are test data (tests/catalogues/catalogue_support.py)."""

from __future__ import annotations

import copy
import importlib.util
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import Service, problem
from sqlalchemy import func, select

from registry.catalogues import Catalogue, sign_catalogue
from registry.packs.catalog import Catalog
from registry.packs.signing import load_private_key
from registry.service import catalogues as svc
from registry.service.bootstrap import (
    DEMO_ACCREDITATION_BODY,
    DEMO_CERTIFIER,
    DEMO_PLATFORM,
    EXAMPLE_BODY,
    IssuedSecret,
    signing_key_path,
)
from registry.service.principal import Principal
from registry.service.supervision import create_regulator
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import CredentialCreate, CredentialKind, Label, TlogEntry

_spec = importlib.util.spec_from_file_location(
    "catalogue_support_gov", Path(__file__).resolve().parent.parent / "catalogues" / "catalogue_support.py"
)
assert _spec is not None and _spec.loader is not None
support: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

CAT = f"{EXAMPLE_BODY}/regrade-test"
AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"


D = (datetime.now(UTC) + timedelta(days=10)).date()  # the date labels must be re-graded by
# every organisation that is not the catalogue's owner, save regulators (made per test)
WRONG = (DEMO_CERTIFIER, DEMO_PLATFORM, "other-body", "other-certifier", DEMO_ACCREDITATION_BODY)
BODY = Principal(org_id=EXAMPLE_BODY, kind="standards-body", client_id="test", via="token")


def _signed(service: Service, doc: dict[str, Any]) -> dict[str, Any]:
    key = load_private_key(Path(signing_key_path(service.data_dir)).read_bytes())
    return sign_catalogue(Catalogue(doc), key, EXAMPLE_BODY)


def _declaration(batch: str) -> dict[str, Any]:
    example = Catalog.bundled().resolve(AL).example
    assert example is not None
    doc: dict[str, Any] = copy.deepcopy(example)
    doc["productNameCompany"] = f"{doc.get('productNameCompany', 'x')} {batch}"  # another digest, another label
    return doc  # 14600 kg CO2e per 1000 kg: grade 2 under 1.0.0, grade 3 under 1.1.0


def _log_size(service: Service) -> int:
    with session_scope(service.ctx.engine, write=False) as s:
        return int(s.execute(select(func.count()).select_from(TlogEntry)).scalar_one())


def _regulator(service: Service, org_id: str, regions: list[str]) -> None:
    if org_id in service.creds:
        return
    now = datetime.now(UTC)
    with session_scope(service.ctx.engine) as s:
        create_regulator(s, org_id, f"Regulator {org_id}", regions, now=now)
        issued = repo.create_credential(s, CredentialCreate(org_id=org_id, kind=CredentialKind.CLIENT_SECRET), now=now)
    service.creds[org_id] = IssuedSecret(org_id, "client-secret", issued.credential.client_id, issued.secret)


@pytest.fixture(scope="module")
def world(service: Service) -> dict[str, Any]:
    """Catalogue 1.0.0 grades two labels; 1.1.0 (other bands) then says: re-grade by D."""
    c, body = service.client, service.headers(EXAMPLE_BODY)
    first = support.catalogue(id=CAT)
    assert c.post("/v1/catalogues", json=_signed(service, first), headers=body).status_code == 201
    labels = []
    for batch in ("a", "b"):
        r = c.post(
            "/v1/labels",
            json={"declaration": _declaration(batch), "gtin": GTIN},
            headers=service.headers(DEMO_CERTIFIER),
        )
        assert r.status_code == 201, r.text
        assert r.json()["verification"]["label"]["catalogue"] == f"{CAT}@1.0.0"
        labels.append(r.json()["id"])
    later = support.catalogue(id=CAT, version="1.1.0", transition={"policy": "regrade-by", "by": D.isoformat()})
    later["categories"][0]["basis"]["bands"] = [
        {"grade": "1", "max": "5000"},
        {"grade": "2", "max": "10000"},
        {"grade": "3"},
    ]
    assert c.post("/v1/catalogues", json=_signed(service, later), headers=body).status_code == 201
    return {"labels": labels}


def _grading(service: Service, label_id: str) -> dict[str, Any]:
    r = service.client.get(f"/v1/labels/{label_id}")
    assert r.status_code == 200, r.text
    grading: dict[str, Any] = r.json()["grading"]
    return grading


def _page(service: Service, label_id: str, lang: str) -> str:
    r = service.client.get(f"/L/{label_id}?lang={lang}", headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    return r.text


def _standing(service: Service, label_id: str, at: datetime) -> dict[str, Any]:
    with session_scope(service.ctx.engine, write=False) as s:
        label = s.get(Label, label_id)
        assert label is not None
        found = svc.standing_of(s, label, at.date())
        assert found is not None
        return found


def _regrade(service: Service, at: datetime, *, apply: bool) -> dict[str, Any]:
    with session_scope(service.ctx.engine) as s:
        return svc.regrade(s, BODY, CAT, now=at, apply=apply).to_json()


def test_regrade_before_at_and_after_the_date(service: Service, world: dict[str, Any]) -> None:
    c = service.client
    a, b = world["labels"]
    url = f"/v1/catalogues/{CAT}/regrade"

    # before D (today, over HTTP): due; the owner's dry run shows what would change and writes nothing
    size = _log_size(service)
    dry = c.post(url, headers=service.headers(EXAMPLE_BODY))
    assert dry.status_code == 200, dry.text
    steps = {s["label_id"]: s for s in dry.json()["steps"]}
    assert dry.json()["applied"] is False and set(steps) == {a, b}
    assert steps[a]["outcome"] == "regrade" and steps[a]["grade"] == "3" and steps[a]["overdue"] is False
    assert steps[a]["previous"] == {"catalogue": f"{CAT}@1.0.0", "grade": "2"}
    assert _log_size(service) == size
    assert _grading(service, a)["status"] == "regrade-due" and _grading(service, a)["by"] == D.isoformat()
    page = _page(service, a, "en")  # the shopper sees the grade signed, and that it is to be re-graded
    assert 'aria-label="Grade 2"' in page and f"to be re-graded by {D.isoformat()}" in page
    assert "Re-graded on" not in page

    at_d = datetime.combine(D, time(12), tzinfo=UTC)  # at D: still due, not outdated
    assert {s["overdue"] for s in _regrade(service, at_d, apply=False)["steps"]} == {False}
    assert _standing(service, b, at_d)["status"] == "regrade-due"

    after = at_d + timedelta(days=1)  # after D: a label not re-graded is outdated, until the owner re-grades it
    assert {s["overdue"] for s in _regrade(service, after, apply=False)["steps"]} == {True}
    assert _standing(service, a, after)["status"] == "outdated" and _log_size(service) == size
    applied = _regrade(service, after, apply=True)
    assert applied["applied"] is True and applied["regrade"] == 2 and _log_size(service) == size + 2
    standing = _standing(service, a, after)
    assert (standing["status"], standing["grade"], standing["catalogue"]) == ("regraded", "3", f"{CAT}@1.1.0")
    assert _grading(service, b)["status"] == "regraded"  # today too: its grade is under the current version
    label = c.get(f"/v1/labels/{a}").json()
    assert label["verification"]["label"]["grade"] == "2"  # the token still signs what it signed
    history = c.get(f"/v1/labels/{a}/history", headers=service.headers(DEMO_CERTIFIER)).json()["events"]
    assert [e["event"] for e in history] == ["issued", "regraded"]
    assert history[1]["detail"] == {
        "catalogue": f"{CAT}@1.1.0",
        "grade": "3",
        "previous": {"catalogue": f"{CAT}@1.0.0", "grade": "2"},
    }
    assert history[1]["by"] == EXAMPLE_BODY and history[1]["tlog_index"] in (size, size + 1)
    with session_scope(service.ctx.engine, write=False) as s:
        entry = s.get(TlogEntry, history[1]["tlog_index"])
        assert entry is not None and entry.kind == "label.regrade" and entry.ref == a
    assert _regrade(service, after, apply=True)["steps"] == [] and _log_size(service) == size + 2  # nothing left

    # the consumer page shows the grade the label stands at, on the re-grade's scale, and what the print shows
    page = _page(service, a, "en")
    assert 'aria-label="Grade 3"' in page and 'aria-label="Grade 2"' not in page
    assert f"Re-graded on {after.date().isoformat()} to 3" in page and f"shows 2, its grade under {CAT}@1.0.0" in page
    assert f"/v1/catalogues/{CAT}/versions/1.1.0/page" in page and "re-graded by" not in page
    here = page.index('class="here"')
    assert page[here : page.index("</li>", here)].count(">3<") == 1  # the marked band is grade 3
    as_json = c.get(f"/L/{a}", headers={"Accept": "application/json"})  # what a platform following the QR gets
    assert as_json.status_code == 200 and as_json.json()["grading"] == _grading(service, a)
    assert as_json.json()["grading"]["grade"] == "3"
    zh = _page(service, a, "zh")
    assert "重新评定为 3 级" in zh and "印刷标签上为 2 级" in zh


def test_regrade_refused_for_every_wrong_caller_and_nothing_changed(
    service: Service,
    world: dict[str, Any],
) -> None:
    c = service.client
    _regulator(service, "reg-gov", ["CN"])
    url = f"/v1/catalogues/{CAT}/regrade"
    size = _log_size(service)
    problem(c.post(url, params={"apply": "true"}), 401)
    for org in (*WRONG, "reg-gov"):
        problem(c.post(url, params={"apply": "true"}, headers=service.headers(org)), 403)
    assert _log_size(service) == size


def test_catalogue_deprecated_then_withdrawn_by_its_owner_only(
    service: Service,
    world: dict[str, Any],
) -> None:
    c = service.client
    own = f"{EXAMPLE_BODY}/withdraw-test"
    doc = support.catalogue(id=own, effective={"from": "2026-06-01"})  # in force after regrade-test: it grades
    assert (
        c.post("/v1/catalogues", json=_signed(service, doc), headers=service.headers(EXAMPLE_BODY)).status_code == 201
    )
    base = f"/v1/catalogues/{own}/versions/1.0.0"
    _regulator(service, "reg-gov", ["CN"])
    size = _log_size(service)
    for verb in ("deprecate", "withdraw"):
        problem(c.post(f"{base}/{verb}", json={"reason": "x"}), 401)
        for org in (*WRONG, "reg-gov"):
            problem(c.post(f"{base}/{verb}", json={"reason": "x"}, headers=service.headers(org)), 403)
        problem(c.post(f"{base}/{verb}", json={"reason": ""}, headers=service.headers(EXAMPLE_BODY)), 422)
    assert c.get(base).json()["status"] == "published" and _log_size(service) == size

    r = c.post(f"{base}/deprecate", json={"reason": "a successor is coming"}, headers=service.headers(EXAMPLE_BODY))
    assert r.status_code == 200 and r.json()["status"] == "deprecated"
    assert r.json()["status_reason"] == "a successor is coming" and _log_size(service) == size + 1
    issued = c.post(
        "/v1/labels", json={"declaration": _declaration("dep"), "gtin": GTIN}, headers=service.headers(DEMO_CERTIFIER)
    )
    assert issued.status_code == 201, issued.text  # a deprecated version still grades
    assert issued.json()["verification"]["label"]["catalogue"] == f"{own}@1.0.0"

    size = _log_size(service)
    r = c.post(f"{base}/withdraw", json={"reason": "bands wrong"}, headers=service.headers(EXAMPLE_BODY))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn" and _log_size(service) == size + 1
    problem(c.post(f"{base}/deprecate", json={"reason": "again"}, headers=service.headers(EXAMPLE_BODY)), 409)
    fresh = c.post(
        "/v1/labels", json={"declaration": _declaration("wd"), "gtin": GTIN}, headers=service.headers(DEMO_CERTIFIER)
    )
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["verification"]["label"]["catalogue"] != f"{own}@1.0.0"  # a withdrawn one grades nothing new
    standing = _grading(service, issued.json()["id"])  # graded before: keeps its grade, shows the withdrawal
    assert standing["grade"] == "2" and standing["withdrawn"]["reason"] == "bands wrong"
    page = _page(service, issued.json()["id"], "en")  # the shopper is told too, and that the grade stands
    assert 'aria-label="Grade 2"' in page
    assert f"The catalogue version {own}@1.0.0 that set this grade was withdrawn on" in page
    assert "(bands wrong); the grade stands as given" in page
    assert "已于" in _page(service, issued.json()["id"], "zh") and "撤回（bands wrong）" in _page(
        service, issued.json()["id"], "zh"
    )


def test_history_of_state_changes_and_who_may_read_it(service: Service, world: dict[str, Any]) -> None:
    c = service.client
    _regulator(service, "reg-gov", ["CN"])
    _regulator(service, "reg-gov-de", ["DE"])
    r = c.post(
        "/v1/labels", json={"declaration": _declaration("hist"), "gtin": GTIN}, headers=service.headers(DEMO_CERTIFIER)
    )
    assert r.status_code == 201, r.text
    label_id, h = r.json()["id"], service.headers(DEMO_CERTIFIER)
    assert c.post(f"/v1/labels/{label_id}/suspend", json={"reason": "checking"}, headers=h).status_code == 200
    assert c.post(f"/v1/labels/{label_id}/reinstate", json={"reason": "fine"}, headers=h).status_code == 200
    assert c.post(f"/v1/labels/{label_id}/revoke", json={"reason": "wrong figure"}, headers=h).status_code == 200
    url = f"/v1/labels/{label_id}/history"
    mine = c.get(url, headers=h)
    assert mine.status_code == 200, mine.text
    events = mine.json()["events"]
    assert [(e["event"], e["state"], e["reason"]) for e in events] == [
        ("issued", "valid", None),
        ("suspended", "suspended", "checking"),
        ("reinstated", "valid", "fine"),
        ("revoked", "revoked", "wrong figure"),
    ]
    assert all(e["by"] == DEMO_CERTIFIER for e in events)
    indexes = [e["tlog_index"] for e in events]
    assert indexes == sorted(indexes) and len(set(indexes)) == 4
    assert c.get(url, headers=service.headers("reg-gov")).json() == mine.json()  # the regulator of CN reads it

    problem(c.get(url), 401)
    for org in (DEMO_PLATFORM, "other-body", "other-certifier", EXAMPLE_BODY, DEMO_ACCREDITATION_BODY):
        problem(c.get(url, headers=service.headers(org)), 403)
    problem(c.get(url, headers=service.headers("reg-gov-de")), 404)  # outside its jurisdiction: as missing


def test_the_served_trust_list_gives_each_accredited_keys_effective_scope(service: Service) -> None:
    doc = service.client.get("/v1/trust-list").json()
    keys = [k for k in doc["keys"] if k["certifier"] == DEMO_CERTIFIER]
    assert keys and all(k["effective_scope"] for k in keys)  # init accredits the demo certifier
    latest = keys[0]["effective_scope"][-1]
    assert latest["accreditations"] and set(latest["schemes"]) <= set(keys[0]["scope"]["schemes"])
    assert latest["schemes"]  # the demo accreditation covers what the demo key may sign
