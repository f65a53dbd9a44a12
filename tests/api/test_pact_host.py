"""The PACT v3 host in-process: the 40 v3 conformance cases (tests/pact_conformance.py), then what
the conformance tool does not check (cursors bound to a client, expiry, settings, retries, what is
served and shared, versions).

Requests go to ``https://testserver`` (the ASGI app sees the https scheme, as behind TLS); the
"expect HTTP error" cases (9, 10, 11, 17) send the same request over ``http://``. The asynchronous
cases (13, 14.B) are answered to a small test receiver (an ASGI PACT endpoint with its own token
endpoint) reached through an httpx transport. The same cases against ``pcfreg serve`` over HTTPS on
loopback: tests/test_pact_wire.py.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from api_support import Service
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pact_conformance import (
    CREATED,
    FULFILLED,
    PACKS,
    PUBLISHED,
    REJECTED,
    V2_CASE_IDS,
    V2_CASES,
    V2_CREATED,
    V2_FULFILLED,
    V2_REJECTED,
    V3_CASE_IDS,
    V3_CASES,
    Target,
    ids_of,
    pact_error,
    wait_for,
)

from registry.packs.catalog import Catalog
from registry.service.bootstrap import IssuedSecret
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import CredentialCreate, CredentialKind, OrganisationCreate, OrgKind

HTTPS = "https://testserver"
RECEIVER = "https://receiver.test"


@dataclass
class Receiver:
    """A partner's PACT host, as small as the conformance tool's: token endpoint, discovery, events."""

    client_id: str = "test_client_id"
    secret: str = "test_client_secret"
    events: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    source: str = "//receiver.test/3/events"
    paths: dict[str, str] = field(default_factory=dict)  # event id -> the path it was POSTed to

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
        @app.post("/2/events")
        async def events(request: Request) -> Response:
            if request.headers.get("authorization") != "Bearer receiver-token":
                return JSONResponse({"code": "BadRequest", "message": "token"}, status_code=401)
            if self.fail_next > 0:
                self.fail_next -= 1
                return JSONResponse({"code": "InternalError", "message": "down"}, status_code=500)
            event = orjson.loads(await request.body())
            self.paths[event["id"]] = request.url.path
            self.events.append(event)
            return Response(status_code=200)

        return app

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        return wait_for(self.events, pred, timeout)


@dataclass
class Pact(Target):
    """The conformance target, plus the in-process service (its context, clock and settings)."""

    service: Service
    receiver: Receiver


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
    return Pact(
        send=service.client.request,
        base=HTTPS,
        partner=partner,
        outsider=outsider,
        receiver=receiver,
        pfs=sorted(pfs, key=lambda p: p["id"]),
        over_the_wire=False,
        service=service,
    )


@pytest.mark.parametrize("case", [c for _, c in V3_CASES], ids=V3_CASE_IDS)
def test_v3_conformance_case(pact: Pact, case: Callable[[Target], None]) -> None:
    case(pact)


@pytest.mark.parametrize("case", [c for _, c in V2_CASES], ids=V2_CASE_IDS)
def test_v2_conformance_case(pact: Pact, case: Callable[[Target], None]) -> None:
    case(pact)


# ------------------------------------------------------------------ beyond the conformance cases

_ids, _error = ids_of, pact_error


def _event(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": type_,
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": Receiver.source,
        "time": "2026-12-06T10:00:00Z",
        "data": data,
    }


def _published(ids: list[str]) -> dict[str, Any]:
    return _event(PUBLISHED, {"pfIds": ids})


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


def test_validity_defaults_to_reference_period_end_plus_three_years(pact: Pact) -> None:
    from registry.service.pact_query import validity

    pf = {"pcf": {"referencePeriodEnd": "2024-02-29T00:00:00Z"}}
    start, end = validity(pf)
    assert start == datetime(2024, 2, 29, tzinfo=UTC) and end == datetime(2027, 2, 28, tzinfo=UTC)


def test_a_malformed_date_is_bad_request(pact: Pact) -> None:
    _error(pact.get("/3/footprints", params={"validOn": "yesterday"}), 400, ("BadRequest",))
    _error(pact.get("/3/footprints", params={"limit": "-1"}), 400, ("BadRequest",))


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


def test_v2_answers_go_to_the_partners_v2_endpoint_and_v3_ones_to_v3(pact: Pact) -> None:
    pid = pact.pfs[0]["productIds"][0]
    v2 = pact.new_event(V2_CREATED, {"pf": {"productIds": [pid]}})
    v3 = pact.new_event(CREATED, {"productId": [pid]})
    assert pact.event(v2, version=2).status_code == 200 and pact.event(v3).status_code == 200
    a2 = pact.receiver.wait_for(lambda e: e["data"].get("requestEventId") == v2["id"])
    a3 = pact.receiver.wait_for(lambda e: e["data"].get("requestEventId") == v3["id"])
    assert (a2["type"], pact.receiver.paths[a2["id"]]) == (V2_FULFILLED, "/2/events")
    assert (a3["type"], pact.receiver.paths[a3["id"]]) == (FULFILLED, "/3/events")
    assert a2["source"].endswith("/2/events") and a3["source"].endswith("/3/events")
    # each version's events are refused on the other's endpoint
    _error(pact.event(pact.new_event(V2_CREATED, {"pf": {"productIds": [pid]}})), 400, ("BadRequest",))
    _error(pact.event(v3, version=2), 400, ("BadRequest",))


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"pf": {"productCategoryCpc": "2431"}}, "data.pf.productCategoryCpc"),
        ({"pf": {"productIds": "urn:x"}}, "data.pf.productIds"),
        ({"pf": {}}, "data.pf"),
        ({"productIds": ["urn:x"]}, "data.pf"),
    ],
)
def test_a_v2_request_the_host_cannot_select_by_is_400_naming_the_member(
    pact: Pact, data: dict[str, Any], named: str
) -> None:
    r = pact.event(pact.new_event(V2_CREATED, data), version=2)
    _error(r, 400, ("BadRequest",))
    assert named in r.json()["message"]


@pytest.mark.parametrize(
    ("event_type", "data", "named"),
    [
        (V2_REJECTED, {"error": {"code": "NoSuchFootprint", "message": "none"}}, "data.requestEventId"),
        (V2_REJECTED, {"requestEventId": "r1", "error": {"code": "NoSuchFootprint"}}, "data.error"),
        (V2_FULFILLED, {"pfs": []}, "data.requestEventId"),
        (V2_FULFILLED, {"requestEventId": "r1", "pfs": "none"}, "data.pfs"),
    ],
)
def test_a_malformed_v2_answer_is_400_naming_the_member(
    pact: Pact, event_type: str, data: dict[str, Any], named: str
) -> None:
    """The v2 checks of an answer's data share the v3 ones (pact_events.check_rejected, check_request_id)."""
    r = pact.event(pact.new_event(event_type, data), version=2)
    _error(r, 400, ("BadRequest",))
    assert named in r.json()["message"]


def test_a_footprint_v2_cannot_express_is_served_on_3_only_and_404_on_2_saying_why(pact: Pact) -> None:
    c, h = pact.service.client, pact.service.headers("demo-certifier")
    example = Catalog.bundled().resolve("example-standards-body/pact-v3").example  # no productCategoryCpc
    assert example is not None and "productCategoryCpc" not in example
    vid = c.post("/v1/validations", json=example, headers=h).json()["id"]
    share = {"validation_id": vid, "client_id": pact.outsider.client_id}
    assert c.post("/v1/pact/shares", json=share, headers=h).status_code == 201
    outsider = pact.token(pact.outsider)
    try:
        assert _ids(pact.get("/3/footprints", outsider)) == [example["id"]]
        assert pact.get("/2/footprints", outsider).json() == {"data": []}
        r = pact.get(f"/2/footprints/{example['id']}", outsider)
        _error(r, 404, ("NoSuchFootprint",))
        assert "productCategoryCpc" in r.json()["message"]
    finally:
        c.delete(f"/v1/pact/shares/{pact.outsider.client_id}/{example['id']}", headers=h)
