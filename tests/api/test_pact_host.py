"""The PACT v3 host against the 40 v3 conformance cases (../shared/reference/pact.md section 7.3), in-process.

The cases are named ``test_tcNN_...`` after the conformance service's numbering. Requests go to
``https://testserver`` (the ASGI app sees the https scheme, as behind TLS); the "expect HTTP error"
cases (9, 10, 11, 17) send the same request over ``http://``. The asynchronous cases (13, 14.B) are
answered to a small test receiver (an ASGI PACT endpoint with its own token endpoint) reached
through an httpx transport. The real-HTTPS run against ``pcfreg serve`` is the integrator's.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from api_support import Service
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from registry.packs.catalog import Catalog
from registry.service.bootstrap import IssuedSecret
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import CredentialCreate, CredentialKind, OrganisationCreate, OrgKind

HTTPS = "https://testserver"
PACKS = (
    "example-standards-body/aluminium-ingot",
    "example-standards-body/hot-rolled-steel",
    "example-standards-body/passenger-car-tyre",
)
PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
FULFILLED = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
REJECTED = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
CE = "application/cloudevents+json; charset=UTF-8"
RECEIVER = "https://receiver.test"


def _schema_valid(pf: dict[str, Any]) -> None:
    """The footprint passes the PACT v3.0 ProductFootprint schema (formats checked)."""
    from registry.resources import PACT_V3_SCHEMA_ID
    from registry.schemas import iter_schema_errors

    assert iter_schema_errors(PACT_V3_SCHEMA_ID, pf) == [], pf["id"]


@dataclass
class Receiver:
    """A partner's PACT host, as small as the conformance tool's: token endpoint, discovery, events."""

    client_id: str = "test_client_id"
    secret: str = "test_client_secret"
    events: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, str]:
            return {"token_endpoint": RECEIVER + "/auth/token"}

        @app.post("/auth/token")
        async def token(request: Request) -> Response:
            expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
            if request.headers.get("authorization") != expected:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            return JSONResponse({"access_token": "receiver-token", "token_type": "Bearer", "expires_in": 3600})

        @app.post("/3/events")
        async def events(request: Request) -> Response:
            if request.headers.get("authorization") != "Bearer receiver-token":
                return JSONResponse({"code": "BadRequest", "message": "token"}, status_code=401)
            if self.fail_next > 0:
                self.fail_next -= 1
                return JSONResponse({"code": "InternalError", "message": "down"}, status_code=500)
            self.events.append(orjson.loads(await request.body()))
            return Response(status_code=200)

        return app

    def wait_for(self, pred: Any, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events:
                if pred(e):
                    return e
            time.sleep(0.05)
        raise AssertionError(f"no matching event arrived; got {self.events}")


@dataclass
class Pact:
    service: Service
    partner: IssuedSecret
    outsider: IssuedSecret
    receiver: Receiver
    pfs: list[dict[str, Any]]

    def token(self, cred: IssuedSecret | None = None) -> str:
        cred = cred or self.partner
        r = self.service.client.post(
            HTTPS + "/auth/token", data={"grant_type": "client_credentials"}, auth=(cred.client_id, cred.secret)
        )
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def get(self, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}", **kw.pop("headers", {})}
        url = path if path.startswith("http") else HTTPS + path
        r: httpx.Response = self.service.client.get(url, headers=headers, **kw)
        return r

    def event(self, event: dict[str, Any], token: str | None = None, base: str = HTTPS) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}", "Content-Type": CE}
        r: httpx.Response = self.service.client.post(base + "/3/events", content=orjson.dumps(event), headers=headers)
        return r


def _org(service: Service, org_id: str) -> IssuedSecret:
    now = datetime.now(UTC)
    with session_scope(service.ctx.engine) as s:
        repo.create_organisation(s, OrganisationCreate(id=org_id, name=org_id, kind=OrgKind.PLATFORM), now=now)
        issued = repo.create_credential(s, CredentialCreate(org_id=org_id, kind=CredentialKind.CLIENT_SECRET), now=now)
    return IssuedSecret(org_id, "client-secret", issued.credential.client_id, issued.secret)


def _share_example(service: Service, pack: str, client_id: str) -> dict[str, Any]:
    example = Catalog.bundled().resolve(pack).example
    assert example is not None
    h = service.headers("demo-certifier")
    r = service.client.post("/v1/validations", json=example, headers=h)
    assert r.status_code == 201 and r.json()["conformant"], r.text
    s = service.client.post(
        "/v1/pact/shares", json={"validation_id": r.json()["id"], "client_id": client_id}, headers=h
    )
    assert s.status_code == 201, s.text
    return example


@pytest.fixture(scope="module")
def pact(service: Service) -> Pact:
    partner, outsider = _org(service, "partner-co"), _org(service, "outsider-co")
    receiver = Receiver()
    receiver_app = receiver.app()
    service.ctx.pact.http = lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver_app))
    pfs = [_share_example(service, p, partner.client_id) for p in PACKS]
    grant = {"grant_type": "client_credentials"}
    token = service.client.post("/v1/auth/token", data=grant, auth=(partner.client_id, partner.secret))
    h = {"Authorization": f"Bearer {token.json()['access_token']}"}
    body = {"base_url": RECEIVER, "remote_client_id": receiver.client_id, "remote_client_secret": receiver.secret}
    r = service.client.put(f"/v1/pact/partners/{partner.client_id}", json=body, headers=h)
    assert r.status_code == 200, r.text
    assert "remote_client_secret" not in r.json()
    return Pact(service, partner, outsider, receiver, sorted(pfs, key=lambda p: p["id"]))


def _ids(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert isinstance(data, list)
    for pf in data:
        _schema_valid(pf)
    return [pf["id"] for pf in data]


def _error(r: httpx.Response, status: int, codes: tuple[str, ...]) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message"} and body["code"] in codes, body


# ------------------------------------------------------------------ 1-2, 18-19: authentication


def test_tc01_token_with_valid_credentials(pact: Pact) -> None:
    r = pact.service.client.post(
        HTTPS + "/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(pact.partner.client_id, pact.partner.secret),
    )
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer" and r.json()["access_token"]
    assert r.headers["cache-control"] == "no-store"


def test_tc02_token_with_invalid_credentials_is_rfc6749_invalid_client(pact: Pact) -> None:
    r = pact.service.client.post(
        HTTPS + "/auth/token", data={"grant_type": "client_credentials"}, auth=("nobody", "wrong")
    )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client" and set(r.json()) == {"error", "error_description"}
    assert r.headers["www-authenticate"].startswith("Basic")
    r = pact.service.client.post(HTTPS + "/auth/token", data={"grant_type": "password"}, auth=("a", "b"))
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = pact.service.client.post(HTTPS + "/auth/token", data={"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_tc18_tc19_token_endpoint_found_by_discovery(pact: Pact) -> None:
    found = pact.service.client.get(HTTPS + "/.well-known/openid-configuration").json()
    assert found["token_endpoint"] == HTTPS + "/auth/token"
    ok = pact.service.client.post(
        found["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=(pact.partner.client_id, pact.partner.secret),
    )
    assert ok.status_code == 200
    bad = pact.service.client.post(found["token_endpoint"], data={"grant_type": "client_credentials"}, auth=("x", "y"))
    assert bad.status_code in (400, 401)


# ------------------------------------------------------------------ 3-8: list, get, pagination, bad tokens


def test_tc03_get_footprint(pact: Pact) -> None:
    first = _ids(pact.get("/3/footprints"))[0]
    r = pact.get(f"/3/footprints/{first}")
    assert r.status_code == 200 and r.json()["data"]["id"] == first
    _schema_valid(r.json()["data"])


def test_tc04_list_all_shared_and_nothing_else(pact: Pact) -> None:
    assert _ids(pact.get("/3/footprints")) == [p["id"] for p in pact.pfs]
    assert _ids(pact.get("/3/footprints", pact.token(pact.outsider))) == []


def test_tc05_pagination_link_walks_every_page_once(pact: Pact) -> None:
    seen: list[str] = []
    r = pact.get("/3/footprints?limit=1")
    while True:
        ids = _ids(r)
        assert len(ids) <= 1
        seen += ids
        link = r.headers.get("link")
        if link is None:
            break
        m = re.fullmatch(r'<(https://testserver/3/footprints\?[^>]+)>; rel="next"', link)
        assert m, link
        r = pact.get(m.group(1))
    assert seen == [p["id"] for p in pact.pfs]


def test_pagination_link_is_bound_to_client_and_filters_and_unforgeable(pact: Pact) -> None:
    link = pact.get("/3/footprints?limit=1").headers["link"]
    url = link[1 : link.index(">")]
    _error(pact.get(url, pact.token(pact.outsider)), 400, ("BadRequest",))
    _error(pact.get(url + "&status=Active"), 400, ("BadRequest",))
    forged = re.sub(r"cursor=([^&.]+)", lambda m: "cursor=" + m.group(1)[:-2] + "AA", url)
    _error(pact.get(forged), 400, ("BadRequest",))


def test_pagination_link_valid_180_s_and_expires_later(pact: Pact) -> None:
    ctx = pact.service.ctx
    start = datetime.now(UTC)
    token = pact.token()
    link = pact.get("/3/footprints?limit=1", token).headers["link"]
    url = link[1 : link.index(">")]
    old_clock = ctx.clock
    try:
        ctx.clock = lambda: start + timedelta(seconds=181)
        assert _ids(pact.get(url, token)) == [pact.pfs[1]["id"]]
    finally:
        ctx.clock = old_clock
    from registry.api.pact import cursors
    from registry.errors import InputError
    from registry.service.pact_query import parse_criteria

    cursor = httpx.URL(url).params["cursor"]
    with pytest.raises(InputError, match="expired"):
        cursors(ctx).read(cursor, pact.partner.client_id, parse_criteria([]), start + timedelta(hours=2))


def test_tc06_tc07_invalid_token(pact: Pact) -> None:
    _error(pact.get("/3/footprints", "not-a-token"), 401, ("BadRequest",))
    _error(pact.get(f"/3/footprints/{pact.pfs[0]['id']}", "not-a-token"), 401, ("BadRequest",))
    r = pact.service.client.get(HTTPS + "/3/footprints")
    _error(r, 401, ("BadRequest",))


def test_expired_token_is_token_expired(pact: Pact) -> None:
    ctx = pact.service.ctx
    token = pact.token()
    old_clock = ctx.clock
    try:
        ctx.clock = lambda: datetime.now(UTC) + timedelta(days=1)
        ctx._tokens.clear()
        _error(pact.get("/3/footprints", token), 401, ("TokenExpired",))
    finally:
        ctx.clock = old_clock


def test_tc08_unknown_footprint_is_not_found_and_others_are_access_denied(pact: Pact) -> None:
    _error(pact.get("/3/footprints/00000000-0000-0000-0000-000000000000"), 404, ("NotFound",))
    _error(pact.get(f"/3/footprints/{pact.pfs[0]['id']}", pact.token(pact.outsider)), 403, ("AccessDenied",))


# ------------------------------------------------------------------ 9-11, 17: plain HTTP refused


def test_tc09_tc10_tc11_tc17_plain_http_is_refused(pact: Pact) -> None:
    c = pact.service.client
    creds = (pact.partner.client_id, pact.partner.secret)
    r = c.post("http://testserver/auth/token", data={"grant_type": "client_credentials"}, auth=creds)
    assert r.status_code == 400 and "access_token" not in r.json()
    token = pact.token()
    for r in (
        pact.get("http://testserver/3/footprints", token),
        pact.get(f"http://testserver/3/footprints/{pact.pfs[0]['id']}", token),
        pact.event(_published([pact.pfs[0]["id"]]), token, base="http://testserver"),
    ):
        _error(r, 403, ("AccessDenied",))


def test_plain_http_passes_only_per_setting(pact: Pact) -> None:
    ctx = pact.service.ctx
    token = pact.token()
    r = pact.get("http://testserver/3/footprints", token, headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 403  # not believed unless the setting says so
    ctx.pact.trust_forwarded_proto = True
    try:
        assert (
            pact.get("http://testserver/3/footprints", token, headers={"X-Forwarded-Proto": "https"}).status_code == 200
        )
    finally:
        ctx.pact.trust_forwarded_proto = False
    ctx.pact.allow_loopback_http = True
    try:  # the test client's address is "testclient", not a loopback address
        assert pact.get("http://testserver/3/footprints", token).status_code == 403
    finally:
        ctx.pact.allow_loopback_http = False


# ------------------------------------------------------------------ 12-16, 40: events


def _event(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": type_,
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "//receiver.test/3/events",
        "time": "2026-12-06T10:00:00Z",
        "data": data,
    }


def _published(ids: list[str]) -> dict[str, Any]:
    return _event(PUBLISHED, {"pfIds": ids})


def test_tc12_tc13_request_created_is_fulfilled_asynchronously(pact: Pact) -> None:
    wanted = pact.pfs[0]["productIds"][0]
    request = _event(CREATED, {"productId": [wanted]})
    r = pact.event(request)
    assert r.status_code == 200 and r.content == b""
    answer = pact.receiver.wait_for(lambda e: e["data"].get("requestEventId") == request["id"])
    assert answer["type"] == FULFILLED and answer["specversion"] == "1.0"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [pact.pfs[0]["id"]]
    for pf in answer["data"]["pfs"]:
        _schema_valid(pf)


def test_tc14_request_for_unknown_product_is_rejected_asynchronously(pact: Pact) -> None:
    request = _event(CREATED, {"productId": ["urn:pact:null"]})
    assert pact.event(request).status_code == 200
    answer = pact.receiver.wait_for(lambda e: e["data"].get("requestEventId") == request["id"])
    assert answer["type"] == REJECTED and answer["data"]["error"]["code"] == "NotFound"


def test_answers_are_retried_and_recorded_for_the_owner(pact: Pact) -> None:
    pact.receiver.fail_next = 1
    request = _event(CREATED, {"productId": [pact.pfs[1]["productIds"][0]]})
    assert pact.event(request).status_code == 200
    answer = pact.receiver.wait_for(lambda e: e["data"].get("requestEventId") == request["id"])
    assert answer["type"] == FULFILLED
    events = pact.service.client.get("/v1/pact/events", headers=pact.service.headers("demo-certifier")).json()
    sent = next(e for e in events if e["in_reply_to"] == request["id"])
    assert sent["direction"] == "out" and sent["attempts"] == 2 and sent["state"] == "delivered"
    received = next(e for e in events if e["event_id"] == request["id"])
    assert received["direction"] == "in" and received["state"] == "received"


def test_tc15_published_event_is_received(pact: Pact) -> None:
    r = pact.event(_published([str(uuid.uuid4())]))
    assert r.status_code == 200 and r.content == b""


def test_tc16_events_with_invalid_token(pact: Pact) -> None:
    _error(pact.event(_published([str(uuid.uuid4())]), "bogus"), 401, ("BadRequest",))


def test_tc40_published_event_with_non_uuid_pf_ids_is_400(pact: Pact) -> None:
    _error(pact.event(_published(["urn:gtin:4712345060507"])), 400, ("BadRequest",))


@pytest.mark.parametrize(
    "event",
    [
        {"specversion": "1.0"},
        {**_event(CREATED, {}), "specversion": "0.3"},
        {**_event("org.example.Unknown", {})},
        {**_event(CREATED, {}), "data": "x"},
        {**_event(CREATED, {"productId": [1]})},
        {**_event(FULFILLED, {"requestEventId": "x", "pfs": []})},
        {**_event(REJECTED, {"requestEventId": "x"})},
    ],
)
def test_malformed_events_are_400(pact: Pact, event: dict[str, Any]) -> None:
    _error(pact.event(event), 400, ("BadRequest",))


# ------------------------------------------------------------------ 20-39: filters


def iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pf0(pact: Pact) -> dict[str, Any]:
    return pact.pfs[0]


def test_tc20_to_tc23_id_filters_match_case_insensitively(pact: Pact) -> None:
    pf = _pf0(pact)
    for name, value in (
        ("productId", pf["productIds"][0]),
        ("companyId", pf["companyIds"][0]),
        ("geography", pf["pcf"]["geographyCountry"]),
        ("classification", pf["productClassifications"][0]),
    ):
        ids = _ids(pact.get("/3/footprints", params={name: value.upper()}))
        assert pf["id"] in ids
        full = {p["id"]: p for p in pact.pfs}
        for i in ids:
            assert _has(full[i], name, value), (name, i)


def _has(pf: dict[str, Any], name: str, value: str) -> bool:
    field_of = {"productId": "productIds", "companyId": "companyIds", "classification": "productClassifications"}
    if name == "geography":
        return value.lower() in {str(v).lower() for k, v in pf["pcf"].items() if k.startswith("geography")}
    return value.lower() in [v.lower() for v in pf.get(field_of[name], [])]


def test_tc24_to_tc26_validity_filters(pact: Pact) -> None:
    pf = _pf0(pact)
    start = datetime.fromisoformat(pf["validityPeriodStart"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(pf["validityPeriodEnd"].replace("Z", "+00:00"))
    assert pf["id"] in _ids(pact.get("/3/footprints", params={"validOn": iso(start)}))
    assert pf["id"] in _ids(pact.get("/3/footprints", params={"validAfter": iso(start - timedelta(days=1))}))
    assert pf["id"] in _ids(pact.get("/3/footprints", params={"validBefore": iso(end + timedelta(days=1))}))
    assert pf["id"] not in _ids(pact.get("/3/footprints", params={"validAfter": iso(start)}))
    assert pf["id"] not in _ids(pact.get("/3/footprints", params={"validBefore": iso(end)}))


def test_validity_defaults_to_reference_period_end_plus_three_years(pact: Pact) -> None:
    from registry.service.pact_query import validity

    pf = {"pcf": {"referencePeriodEnd": "2024-02-29T00:00:00Z"}}
    start, end = validity(pf)
    assert start == datetime(2024, 2, 29, tzinfo=UTC) and end == datetime(2027, 2, 28, tzinfo=UTC)


def test_tc27_tc28_status_and_and_across(pact: Pact) -> None:
    assert _ids(pact.get("/3/footprints", params={"status": "Active"})) == [p["id"] for p in pact.pfs]
    assert _ids(pact.get("/3/footprints", params={"status": "active"})) == [p["id"] for p in pact.pfs]
    pf = _pf0(pact)
    both = _ids(pact.get("/3/footprints", params={"status": "Active", "productId": pf["productIds"][0]}))
    assert both == [pf["id"]]
    assert _ids(pact.get("/3/footprints", params={"status": "Deprecated", "productId": pf["productIds"][0]})) == []


def test_tc29_or_within_a_parameter(pact: Pact) -> None:
    a, b = pact.pfs[0]["companyIds"][0], pact.pfs[1]["companyIds"][0]
    params = [("companyId", a), ("companyId", "urn:bogus:x"), ("companyid", b)]
    ids = _ids(pact.get("/3/footprints", params=params))
    assert {pact.pfs[0]["id"], pact.pfs[1]["id"]} <= set(ids)


@pytest.mark.parametrize(
    "params",
    [
        {"productId": "urn:bogus:product"},
        {"companyId": "urn:bogus:company"},
        {"geography": "XX"},
        {"classification": "urn:bogus:class"},
        {"validOn": "1900-01-01T00:00:00Z"},
        {"validAfter": "2099-12-31T23:59:59Z"},
        {"validBefore": "1900-01-01T00:00:00Z"},
        {"status": "BogusStatusValue"},
        {"productId": "urn:bogus:a", "status": "BogusStatusValue"},
        [("companyId", "urn:bogus:1"), ("companyId", "urn:bogus:2"), ("companyId", "urn:bogus:3")],
    ],
    ids=["tc30", "tc31", "tc32", "tc33", "tc34", "tc35", "tc36", "tc37", "tc38", "tc39"],
)
def test_tc30_to_tc39_bogus_values_give_200_and_empty(pact: Pact, params: Any) -> None:
    r = pact.get("/3/footprints", params=params)
    assert r.status_code == 200 and r.json() == {"data": []}


def test_a_malformed_date_is_bad_request(pact: Pact) -> None:
    _error(pact.get("/3/footprints", params={"validOn": "yesterday"}), 400, ("BadRequest",))
    _error(pact.get("/3/footprints", params={"limit": "-1"}), 400, ("BadRequest",))


# ------------------------------------------------------------------ what is served, sharing, versions


def test_served_footprint_carries_its_certification(pact: Pact) -> None:
    c, h = pact.service.client, pact.service.headers("demo-certifier")
    pf = pact.pfs[0]
    record = {
        "certifier": "demo-certifier",
        "date": "2026-03-01T00:00:00Z",
        "evidence_digest": "sha256:" + "ab" * 32,
        "attestations": [],
    }
    audit = c.post("/v1/audits", json={"record": record, "declaration": pf}, headers=h)
    assert audit.status_code == 201, audit.text
    label = c.post(
        "/v1/labels", json={"declaration": pf, "gtin": "09506000134352", "audit_id": audit.json()["id"]}, headers=h
    )
    assert label.status_code == 201, label.text
    label_id = label.json()["id"]
    ext = _certification(pact.get(f"/3/footprints/{pf['id']}").json()["data"])
    assert ext["validation"]["conformant"] is True and ext["validation"]["pack"].startswith(PACKS)
    assert [a["id"] for a in ext["audits"]] == [audit.json()["id"]]
    (lab,) = ext["labels"]
    assert lab["id"] == label_id and lab["state"] == "valid" and lab["token"]
    r = c.post(f"/v1/labels/{label_id}/revoke", json={"reason": "test"}, headers=h)
    assert r.status_code == 200, r.text
    ext = _certification(pact.get(f"/3/footprints/{pf['id']}").json()["data"])
    assert ext["labels"][0]["state"] == "revoked"


def _certification(pf: dict[str, Any]) -> dict[str, Any]:
    from registry.schemas import iter_schema_errors
    from registry.service.pact_host import CERTIFICATION_SCHEMA_ID

    (ext,) = [e for e in pf["extensions"] if e["dataSchema"] == CERTIFICATION_SCHEMA_ID]
    data: dict[str, Any] = ext["data"]
    assert iter_schema_errors(CERTIFICATION_SCHEMA_ID, data) == []
    return data


def test_shares_are_recorded_and_can_be_withdrawn(pact: Pact) -> None:
    c, h = pact.service.client, pact.service.headers("demo-certifier")
    shares = c.get("/v1/pact/shares", params={"client_id": pact.partner.client_id}, headers=h).json()
    assert {s["pf_id"] for s in shares} >= {p["id"] for p in pact.pfs}
    assert all(s["shared_by"] == pact.service.creds["demo-certifier"].client_id and s["shared_at"] for s in shares)
    example = Catalog.bundled().resolve("example-standards-body/ev-traction-battery").example
    assert example is not None
    vid = c.post("/v1/validations", json=example, headers=h).json()["id"]
    assert (
        c.post(
            "/v1/pact/shares", json={"validation_id": vid, "client_id": pact.outsider.client_id}, headers=h
        ).status_code
        == 201
    )
    outsider = pact.token(pact.outsider)
    assert _ids(pact.get("/3/footprints", outsider)) == [example["id"]]
    gone = c.delete(f"/v1/pact/shares/{pact.outsider.client_id}/{example['id']}", headers=h)
    assert gone.status_code == 200 and gone.json()["active"] is False and gone.json()["unshared_at"]
    assert _ids(pact.get("/3/footprints", outsider)) == []
    _error(pact.get(f"/3/footprints/{example['id']}", outsider), 403, ("AccessDenied",))
    # another organisation cannot share what it did not validate, nor a partner see the owner's shares
    other = pact.service.headers("other-certifier")
    r = c.post("/v1/pact/shares", json={"validation_id": vid, "client_id": pact.outsider.client_id}, headers=other)
    assert r.status_code == 404


def test_a_new_version_deprecates_the_old_and_publishes(pact: Pact) -> None:
    c, h = pact.service.client, pact.service.headers("demo-certifier")
    old = pact.pfs[2]
    new = {**old, "id": str(uuid.uuid4()), "precedingPfIds": [old["id"]], "created": "2026-12-01T00:00:00Z"}
    r = c.post("/v1/validations", json=new, headers=h)
    assert r.status_code == 201 and r.json()["conformant"], r.text
    s = c.post(
        "/v1/pact/shares", json={"validation_id": r.json()["id"], "client_id": pact.partner.client_id}, headers=h
    )
    assert s.status_code == 201, s.text
    note = pact.receiver.wait_for(lambda e: e["type"] == PUBLISHED and e["data"]["pfIds"] == [new["id"]])
    assert note["specversion"] == "1.0"
    assert pact.get(f"/3/footprints/{old['id']}").json()["data"]["status"] == "Deprecated"
    assert new["id"] in _ids(pact.get("/3/footprints", params={"status": "Active"}))
    assert old["id"] in _ids(pact.get("/3/footprints", params={"status": "Deprecated"}))
    # the same id with other content is refused: a changed footprint is a new version
    changed = {**new, "comment": "changed"}
    vid = c.post("/v1/validations", json=changed, headers=h).json()["id"]
    r = c.post("/v1/pact/shares", json={"validation_id": vid, "client_id": pact.partner.client_id}, headers=h)
    assert r.status_code == 409


def test_plain_http_from_loopback_passes_only_in_development(pact: Pact) -> None:
    import asyncio

    ctx = pact.service.ctx
    app = pact.service.client.app
    token = pact.token()

    async def status() -> int:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            r = await client.get("/3/footprints", headers={"Authorization": f"Bearer {token}"})
            return r.status_code

    assert asyncio.run(status()) == 403
    ctx.pact.allow_loopback_http = True
    try:
        assert asyncio.run(status()) == 200
    finally:
        ctx.pact.allow_loopback_http = False


def test_events_left_queued_by_an_earlier_process_are_delivered_on_the_first_pact_request(pact: Pact) -> None:
    from registry.service import pact_events

    ctx = pact.service.ctx
    pf_id = str(uuid.uuid4())
    with session_scope(ctx.engine) as s:  # queued, but this "process" never kicked its delivery
        pact_events.queue_published(
            s, pact.partner.client_id, [pf_id], owner="demo-certifier", now=datetime.now(UTC), source=HTTPS
        )
    ctx.pact.delivery = None  # a new process: nothing started yet
    assert pact.get("/3/footprints?limit=1").status_code == 200
    pact.receiver.wait_for(lambda e: e["type"] == PUBLISHED and e["data"]["pfIds"] == [pf_id])
