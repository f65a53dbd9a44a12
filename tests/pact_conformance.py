"""The 40 PACT v3 conformance cases and the 21 v2 ones (../shared/reference/pact.md sections 7.3 and
7.2), one list each for every run.

Each case is a function of a :class:`Target`: the registry's PACT host as some client reaches it, with
footprints shared with a partner client, an outsider client that was shared nothing, and a receiver
(the partner's own PACT host) where the registry POSTs its answers to asynchronous requests. Two runs
use the list: ``tests/api/test_pact_host.py`` (in-process, the ASGI app behind ``https://testserver``)
and ``tests/test_pact_wire.py`` (``pcfreg serve`` over HTTPS on loopback, a real HTTPS client, and a
real HTTPS receiver). Cases are named after the conformance service's numbering.

The "expect HTTP error" cases (9, 10, 11, 17) send the same request over ``http://``: in-process the
app sees a plain-HTTP request and must refuse it (403 AccessDenied; the token endpoint 400 and no
token); over the wire the server speaks TLS only, so the request cannot even be exchanged, which the
conformance tool also counts as a pass ("connection refused, non-2xx, or body not matching").
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson

PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
FULFILLED = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
REJECTED = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
CE = "application/cloudevents+json; charset=UTF-8"
# The bundled examples the hosts serve (three, so that pages, OR and AND have something to tell apart).
PACKS = (
    "example-standards-body/aluminium-ingot",
    "example-standards-body/hot-rolled-steel",
    "example-standards-body/passenger-car-tyre",
)


class Credential(Protocol):
    @property
    def client_id(self) -> str: ...
    @property
    def secret(self) -> str: ...


class Receiving(Protocol):
    """The partner's PACT host as the tests see it: what it calls itself, and the events it received."""

    @property
    def source(self) -> str: ...

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]: ...


def wait_for(events: list[dict[str, Any]], pred: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any]:
    """The first of ``events`` (a list another thread appends to) that satisfies ``pred``, within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in list(events):
            if pred(e):
                return e
        time.sleep(0.05)
    raise AssertionError(f"no matching event arrived within {timeout} s; got {events}")


@dataclass
class Target:
    """The PACT host under test and the clients of a run (see the module's docstring)."""

    send: Callable[..., httpx.Response]  # (method, url, **httpx options) -> response
    base: str  # https://host[:port], as the client reaches the host
    partner: Credential
    outsider: Credential
    receiver: Receiving
    pfs: list[dict[str, Any]]  # shared with the partner, in id order
    over_the_wire: bool

    def token(self, cred: Credential | None = None) -> str:
        cred = cred or self.partner
        r = self.send(
            "POST",
            self.base + "/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(cred.client_id, cred.secret),
        )
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def get(self, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}", **kw.pop("headers", {})}
        url = path if path.startswith("http") else self.base + path
        return self.send("GET", url, headers=headers, **kw)

    def event(
        self, event: dict[str, Any], token: str | None = None, base: str | None = None, version: int = 3
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}", "Content-Type": CE}
        url = f"{base or self.base}/{version}/events"
        return self.send("POST", url, content=orjson.dumps(event), headers=headers)

    def new_event(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """A CloudEvent from the partner (its ``source`` names the partner's host, as the host checks)."""
        return {
            "type": type_,
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": self.receiver.source,
            "time": "2026-12-06T10:00:00Z",
            "data": data,
        }

    @property
    def plain_base(self) -> str:
        return "http://" + self.base.removeprefix("https://")


def schema_valid(pf: dict[str, Any]) -> None:
    """The footprint passes the PACT v3.0 ProductFootprint schema (formats checked)."""
    from registry.resources import PACT_V3_SCHEMA_ID
    from registry.schemas import iter_schema_errors

    assert iter_schema_errors(PACT_V3_SCHEMA_ID, pf) == [], pf["id"]


def ids_of(r: httpx.Response) -> list[str]:
    """The ids of a 200 ListFootprints answer, each footprint schema-valid."""
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert isinstance(data, list)
    for pf in data:
        schema_valid(pf)
    return [pf["id"] for pf in data]


def pact_error(r: httpx.Response, status: int, codes: tuple[str, ...]) -> None:
    """A PACT error body ``{"code","message"}`` with ``status`` and one of ``codes``."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message"} and body["code"] in codes, body


def iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ 1-2, 18-19: authentication


def tc01_token_with_valid_credentials(t: Target) -> None:
    r = t.send(
        "POST",
        t.base + "/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(t.partner.client_id, t.partner.secret),
    )
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer" and r.json()["access_token"]
    assert r.headers["cache-control"] == "no-store"


def tc02_token_with_invalid_credentials(t: Target) -> None:
    r = t.send("POST", t.base + "/auth/token", data={"grant_type": "client_credentials"}, auth=("nobody", "wrong"))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client" and set(r.json()) == {"error", "error_description"}
    assert r.headers["www-authenticate"].startswith("Basic")
    r = t.send("POST", t.base + "/auth/token", data={"grant_type": "password"}, auth=("a", "b"))
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = t.send("POST", t.base + "/auth/token", data={"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def tc18_token_endpoint_found_by_discovery(t: Target) -> None:
    found = t.send("GET", t.base + "/.well-known/openid-configuration").json()
    assert found["token_endpoint"] == t.base + "/auth/token"
    creds = (t.partner.client_id, t.partner.secret)
    ok = t.send("POST", found["token_endpoint"], data={"grant_type": "client_credentials"}, auth=creds)
    assert ok.status_code == 200 and ok.json()["access_token"]


def tc19_discovered_endpoint_refuses_invalid_credentials(t: Target) -> None:
    found = t.send("GET", t.base + "/.well-known/openid-configuration").json()
    bad = t.send("POST", found["token_endpoint"], data={"grant_type": "client_credentials"}, auth=("x", "y"))
    assert bad.status_code in (400, 401) and "access_token" not in bad.json()


# ------------------------------------------------------------------ 3-8: list, get, pagination, bad tokens


def tc03_get_footprint(t: Target) -> None:
    first = ids_of(t.get("/3/footprints"))[0]
    r = t.get(f"/3/footprints/{first}")
    assert r.status_code == 200 and r.json()["data"]["id"] == first
    schema_valid(r.json()["data"])


def tc04_list_all_shared_and_nothing_else(t: Target) -> None:
    assert ids_of(t.get("/3/footprints")) == [p["id"] for p in t.pfs]
    assert ids_of(t.get("/3/footprints", t.token(t.outsider))) == []


def tc05_pagination_link_walks_every_page_once(t: Target) -> None:
    seen: list[str] = []
    r = t.get("/3/footprints?limit=1")
    while True:
        ids = ids_of(r)
        assert len(ids) <= 1
        seen += ids
        link = r.headers.get("link")
        if link is None:
            break
        m = re.fullmatch(rf'<({re.escape(t.base)}/3/footprints\?[^>]+)>; rel="next"', link)
        assert m, link  # an absolute URL on the host the request named (RFC 8288, PACT)
        r = t.get(m.group(1))
    assert seen == [p["id"] for p in t.pfs]


def tc06_list_with_invalid_token(t: Target) -> None:
    pact_error(t.get("/3/footprints", "not-a-token"), 401, ("BadRequest",))
    pact_error(t.send("GET", t.base + "/3/footprints"), 401, ("BadRequest",))


def tc07_get_with_invalid_token(t: Target) -> None:
    pact_error(t.get(f"/3/footprints/{t.pfs[0]['id']}", "not-a-token"), 401, ("BadRequest",))


def tc08_unknown_footprint_is_not_found(t: Target) -> None:
    pact_error(t.get("/3/footprints/00000000-0000-0000-0000-000000000000"), 404, ("NotFound",))
    pact_error(t.get(f"/3/footprints/{t.pfs[0]['id']}", t.token(t.outsider)), 403, ("AccessDenied",))


# ------------------------------------------------------------------ 9-11, 17: plain HTTP refused


def _refused_over_plain_http(t: Target, send: Callable[[], httpx.Response], *, token_endpoint: bool = False) -> None:
    try:
        r = send()
    except httpx.TransportError:
        assert t.over_the_wire, "an in-process request cannot fail to connect"
        return  # the TLS-only server could not even read the request: nothing issued, nothing served
    if token_endpoint:
        assert r.status_code == 400 and r.json()["error"] == "invalid_request" and "access_token" not in r.json()
    else:
        pact_error(r, 403, ("AccessDenied",))


def tc09_token_over_plain_http_fails(t: Target) -> None:
    creds = (t.partner.client_id, t.partner.secret)
    send = lambda: t.send(  # noqa: E731
        "POST", t.plain_base + "/auth/token", data={"grant_type": "client_credentials"}, auth=creds
    )
    _refused_over_plain_http(t, send, token_endpoint=True)


def tc10_list_over_plain_http_fails(t: Target) -> None:
    token = t.token()
    _refused_over_plain_http(t, lambda: t.get(t.plain_base + "/3/footprints", token))


def tc11_get_over_plain_http_fails(t: Target) -> None:
    token = t.token()
    _refused_over_plain_http(t, lambda: t.get(f"{t.plain_base}/3/footprints/{t.pfs[0]['id']}", token))


def tc17_events_over_plain_http_fail(t: Target) -> None:
    token = t.token()
    event = t.new_event(PUBLISHED, {"pfIds": [t.pfs[0]["id"]]})
    _refused_over_plain_http(t, lambda: t.event(event, token, base=t.plain_base))


# ------------------------------------------------------------------ 12-16, 40: events


def tc12_request_created_is_accepted(t: Target) -> None:
    r = t.event(t.new_event(CREATED, {"productId": [t.pfs[2]["productIds"][0]]}))
    assert r.status_code == 200 and r.content == b""


def tc13_request_is_fulfilled_asynchronously(t: Target) -> None:
    request = t.new_event(CREATED, {"productId": [t.pfs[0]["productIds"][0]]})
    r = t.event(request)
    assert r.status_code == 200 and r.content == b""
    answer = t.receiver.wait_for(lambda e: e["data"].get("requestEventId") == request["id"])
    assert answer["type"] == FULFILLED and answer["specversion"] == "1.0"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [t.pfs[0]["id"]]
    for pf in answer["data"]["pfs"]:
        schema_valid(pf)


def tc14_request_for_unknown_product_is_rejected_asynchronously(t: Target) -> None:
    request = t.new_event(CREATED, {"productId": ["urn:pact:null"]})
    r = t.event(request)
    assert r.status_code == 200 and r.content == b""  # 14.A
    answer = t.receiver.wait_for(lambda e: e["data"].get("requestEventId") == request["id"])  # 14.B
    assert answer["type"] == REJECTED and answer["data"]["error"]["code"] == "NotFound"
    assert set(answer["data"]["error"]) == {"code", "message"}


def tc15_published_event_is_received(t: Target) -> None:
    r = t.event(t.new_event(PUBLISHED, {"pfIds": [str(uuid.uuid4())]}))
    assert r.status_code == 200 and r.content == b""


def tc16_events_with_invalid_token(t: Target) -> None:
    pact_error(t.event(t.new_event(PUBLISHED, {"pfIds": [str(uuid.uuid4())]}), "bogus"), 401, ("BadRequest",))


def tc40_published_event_with_non_uuid_pf_ids_is_400(t: Target) -> None:
    pact_error(t.event(t.new_event(PUBLISHED, {"pfIds": ["urn:gtin:4712345060507"]})), 400, ("BadRequest",))


# ------------------------------------------------------------------ 20-29: filters


_FIELD_OF = {"productId": "productIds", "companyId": "companyIds", "classification": "productClassifications"}


def _has(pf: dict[str, Any], name: str, value: str) -> bool:
    if name == "geography":
        return value.lower() in {str(v).lower() for k, v in pf["pcf"].items() if k.startswith("geography")}
    return value.lower() in [v.lower() for v in pf.get(_FIELD_OF[name], [])]


def _id_filter(t: Target, name: str, value: str) -> None:
    """Every result has ``value`` (matched case-insensitively), and PF[0] is among them."""
    ids = ids_of(t.get("/3/footprints", params={name: value.upper()}))
    assert t.pfs[0]["id"] in ids
    full = {p["id"]: p for p in t.pfs}
    for i in ids:
        assert _has(full[i], name, value), (name, i)


def tc20_filter_by_product_id(t: Target) -> None:
    _id_filter(t, "productId", t.pfs[0]["productIds"][0])


def tc21_filter_by_company_id(t: Target) -> None:
    _id_filter(t, "companyId", t.pfs[0]["companyIds"][0])


def tc22_filter_by_geography(t: Target) -> None:
    _id_filter(t, "geography", t.pfs[0]["pcf"]["geographyCountry"])


def tc23_filter_by_classification(t: Target) -> None:
    _id_filter(t, "classification", t.pfs[0]["productClassifications"][0])


def _period(pf: dict[str, Any]) -> tuple[datetime, datetime]:
    start = datetime.fromisoformat(pf["validityPeriodStart"].replace("Z", "+00:00"))
    return start, datetime.fromisoformat(pf["validityPeriodEnd"].replace("Z", "+00:00"))


def tc24_filter_valid_on(t: Target) -> None:
    start, _ = _period(t.pfs[0])
    assert t.pfs[0]["id"] in ids_of(t.get("/3/footprints", params={"validOn": iso(start)}))


def tc25_filter_valid_after(t: Target) -> None:
    start, _ = _period(t.pfs[0])
    assert t.pfs[0]["id"] in ids_of(t.get("/3/footprints", params={"validAfter": iso(start - timedelta(days=1))}))
    assert t.pfs[0]["id"] not in ids_of(t.get("/3/footprints", params={"validAfter": iso(start)}))


def tc26_filter_valid_before(t: Target) -> None:
    _, end = _period(t.pfs[0])
    assert t.pfs[0]["id"] in ids_of(t.get("/3/footprints", params={"validBefore": iso(end + timedelta(days=1))}))
    assert t.pfs[0]["id"] not in ids_of(t.get("/3/footprints", params={"validBefore": iso(end)}))


def tc27_filter_by_status(t: Target) -> None:
    active = [p["id"] for p in t.pfs]
    assert ids_of(t.get("/3/footprints", params={"status": "Active"})) == active
    assert ids_of(t.get("/3/footprints", params={"status": "active"})) == active


def tc28_and_across_parameters(t: Target) -> None:
    pf = t.pfs[0]
    both = ids_of(t.get("/3/footprints", params={"status": "Active", "productId": pf["productIds"][0]}))
    assert both == [pf["id"]]
    assert ids_of(t.get("/3/footprints", params={"status": "Deprecated", "productId": pf["productIds"][0]})) == []


def tc29_or_within_a_parameter(t: Target) -> None:
    a, b = t.pfs[0]["companyIds"][0], t.pfs[1]["companyIds"][0]
    params = [("companyId", a), ("companyId", "urn:bogus:x"), ("companyid", b)]
    ids = ids_of(t.get("/3/footprints", params=params))
    assert {t.pfs[0]["id"], t.pfs[1]["id"]} <= set(ids)
    full = {p["id"]: p for p in t.pfs}
    assert all(_has(full[i], "companyId", a) or _has(full[i], "companyId", b) for i in ids)


# ------------------------------------------------------------------ 30-39: bogus values give 200 and []


def _empty(params: Any) -> Callable[[Target], None]:
    def case(t: Target) -> None:
        r = t.get("/3/footprints", params=params)
        assert r.status_code == 200 and r.json() == {"data": []}, r.text

    return case


BOGUS: list[tuple[str, Any]] = [
    ("tc30_bogus_product_id", {"productId": "urn:bogus:product"}),
    ("tc31_bogus_company_id", {"companyId": "urn:bogus:company"}),
    ("tc32_bogus_geography", {"geography": "XX"}),
    ("tc33_bogus_classification", {"classification": "urn:bogus:class"}),
    ("tc34_valid_on_long_ago", {"validOn": "1900-01-01T00:00:00Z"}),
    ("tc35_valid_after_far_ahead", {"validAfter": "2099-12-31T23:59:59Z"}),
    ("tc36_valid_before_long_ago", {"validBefore": "1900-01-01T00:00:00Z"}),
    ("tc37_bogus_status", {"status": "BogusStatusValue"}),
    ("tc38_and_of_two_bogus_values", {"productId": "urn:bogus:a", "status": "BogusStatusValue"}),
    ("tc39_or_of_three_bogus_company_ids", [("companyId", f"urn:bogus:{i}") for i in (1, 2, 3)]),
]

V3_CASES: list[tuple[str, Callable[[Target], None]]] = (
    [
        (f.__name__, f)
        for f in (
            tc01_token_with_valid_credentials,
            tc02_token_with_invalid_credentials,
            tc03_get_footprint,
            tc04_list_all_shared_and_nothing_else,
            tc05_pagination_link_walks_every_page_once,
            tc06_list_with_invalid_token,
            tc07_get_with_invalid_token,
            tc08_unknown_footprint_is_not_found,
            tc09_token_over_plain_http_fails,
            tc10_list_over_plain_http_fails,
            tc11_get_over_plain_http_fails,
            tc12_request_created_is_accepted,
            tc13_request_is_fulfilled_asynchronously,
            tc14_request_for_unknown_product_is_rejected_asynchronously,
            tc15_published_event_is_received,
            tc16_events_with_invalid_token,
            tc17_events_over_plain_http_fail,
            tc18_token_endpoint_found_by_discovery,
            tc19_discovered_endpoint_refuses_invalid_credentials,
            tc20_filter_by_product_id,
            tc21_filter_by_company_id,
            tc22_filter_by_geography,
            tc23_filter_by_classification,
            tc24_filter_valid_on,
            tc25_filter_valid_after,
            tc26_filter_valid_before,
            tc27_filter_by_status,
            tc28_and_across_parameters,
            tc29_or_within_a_parameter,
        )
    ]
    + [(name, _empty(params)) for name, params in BOGUS]
    + [(tc40_published_event_with_non_uuid_pf_ids_is_400.__name__, tc40_published_event_with_non_uuid_pf_ids_is_400)]
)
V3_CASE_IDS = [name.split("_", 1)[0] for name, _ in V3_CASES]
if [f"tc{n:02d}" for n in range(1, 41)] != V3_CASE_IDS:  # the 40, each once, in order
    raise AssertionError(f"the v3 case list is not tc01..tc40: {V3_CASE_IDS}")


# ================================================================== PACT v2.3 (section 7.2)

V2_PUBLISHED = "org.wbcsd.pathfinder.ProductFootprint.Published.v1"
V2_CREATED = "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1"
V2_FULFILLED = "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1"
V2_REJECTED = "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1"


@functools.cache
def _v2_validator() -> Any:
    import jsonschema_rs

    path = Path(__file__).parents[1] / "schemas" / "pact" / "pact-productfootprint-v2.3.schema.json"
    return jsonschema_rs.validator_for(orjson.loads(path.read_bytes()), validate_formats=True)


def schema_valid_v2(pf: dict[str, Any]) -> None:
    """The footprint passes the PACT v2.3 ProductFootprint schema (schemas/pact/, formats checked)."""
    assert pf["specVersion"].startswith("2."), pf["specVersion"]
    errors = [f"{e.instance_path}: {e.message}" for e in _v2_validator().iter_errors(pf)]
    assert errors == [], (pf["id"], errors)


def ids_v2(r: httpx.Response) -> list[str]:
    assert r.status_code in (200, 202), r.text
    data = r.json()["data"]
    assert isinstance(data, list)
    for pf in data:
        schema_valid_v2(pf)
    return [pf["id"] for pf in data]


def v2tc03_get_footprint(t: Target) -> None:
    first = ids_v2(t.get("/2/footprints"))[0]
    r = t.get(f"/2/footprints/{first}")
    assert r.status_code == 200 and r.json()["data"]["id"] == first
    schema_valid_v2(r.json()["data"])


def v2tc04_list_all(t: Target) -> None:
    assert ids_v2(t.get("/2/footprints")) == [p["id"] for p in t.pfs]
    assert ids_v2(t.get("/2/footprints", t.token(t.outsider))) == []


def v2tc05_pagination_link(t: Target) -> None:
    seen: list[str] = []
    r = t.get("/2/footprints?limit=1")
    while True:
        ids = ids_v2(r)
        assert len(ids) <= 1
        seen += ids
        link = r.headers.get("link")
        if link is None:
            break
        m = re.fullmatch(rf'<({re.escape(t.base)}/2/footprints\?[^>]+)>; rel="next"', link)
        assert m, link
        r = t.get(m.group(1))
    assert seen == [p["id"] for p in t.pfs]


def v2tc06_list_with_invalid_token(t: Target) -> None:
    pact_error(t.get("/2/footprints", "not-a-token"), 401, ("BadRequest",))


def v2tc07_get_with_invalid_token(t: Target) -> None:
    pact_error(t.get(f"/2/footprints/{t.pfs[0]['id']}", "not-a-token"), 401, ("BadRequest",))


def v2tc08_unknown_footprint(t: Target) -> None:
    pact_error(t.get("/2/footprints/00000000-0000-0000-0000-000000000000"), 404, ("NoSuchFootprint",))
    pact_error(t.get(f"/2/footprints/{t.pfs[0]['id']}", t.token(t.outsider)), 403, ("AccessDenied",))


def v2tc10_list_over_plain_http_fails(t: Target) -> None:
    token = t.token()
    _refused_over_plain_http(t, lambda: t.get(t.plain_base + "/2/footprints", token))


def v2tc11_get_over_plain_http_fails(t: Target) -> None:
    token = t.token()
    _refused_over_plain_http(t, lambda: t.get(f"{t.plain_base}/2/footprints/{t.pfs[0]['id']}", token))


def v2tc12_request_created_is_accepted(t: Target) -> None:
    r = t.event(t.new_event(V2_CREATED, {"pf": {"productIds": [t.pfs[2]["productIds"][0]]}}), version=2)
    assert r.status_code == 200 and r.content == b""


def v2tc13_request_is_fulfilled_asynchronously(t: Target) -> None:
    request = t.new_event(V2_CREATED, {"pf": {"productIds": [t.pfs[1]["productIds"][0]]}, "comment": "v2"})
    assert t.event(request, version=2).status_code == 200
    answer = t.receiver.wait_for(lambda e: e["data"].get("requestEventId") == request["id"])
    assert answer["type"] == V2_FULFILLED and answer["specversion"] == "1.0"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [t.pfs[1]["id"]]
    for pf in answer["data"]["pfs"]:
        schema_valid_v2(pf)


def v2tc14_request_for_unknown_product_is_rejected(t: Target) -> None:
    request = t.new_event(V2_CREATED, {"pf": {"productIds": ["urn:pact:null"]}})
    assert t.event(request, version=2).status_code == 200
    answer = t.receiver.wait_for(lambda e: e["data"].get("requestEventId") == request["id"])
    assert answer["type"] == V2_REJECTED and answer["data"]["error"]["code"] == "NoSuchFootprint"


def v2tc15_published_event_is_received(t: Target) -> None:
    r = t.event(t.new_event(V2_PUBLISHED, {"pfIds": [str(uuid.uuid4())]}), version=2)
    assert r.status_code == 200 and r.content == b""


def v2tc16_events_with_invalid_token(t: Target) -> None:
    event = t.new_event(V2_PUBLISHED, {"pfIds": [str(uuid.uuid4())]})
    pact_error(t.event(event, "bogus", version=2), 401, ("BadRequest",))


def v2tc17_events_over_plain_http_fail(t: Target) -> None:
    token = t.token()
    event = t.new_event(V2_PUBLISHED, {"pfIds": [t.pfs[0]["id"]]})
    _refused_over_plain_http(t, lambda: t.event(event, token, base=t.plain_base, version=2))


def v2tc20_filter_is_refused_as_not_implemented(t: Target) -> None:
    """Optional in v2: this host refuses ``$filter`` with 400 NotImplemented, as PACT v2 allows."""
    created = t.get("/2/footprints").json()["data"][0]["created"]
    pact_error(t.get("/2/footprints", params={"$filter": f"created ge '{created}'"}), 400, ("NotImplemented",))


def v2tc21_published_event_with_non_uuid_pf_ids_is_400(t: Target) -> None:
    event = t.new_event(V2_PUBLISHED, {"pfIds": ["urn:gtin:4712345060507"]})
    pact_error(t.event(event, version=2), 400, ("BadRequest",))


V2_CASES: list[tuple[str, Callable[[Target], None]]] = [
    ("v2tc01", tc01_token_with_valid_credentials),
    ("v2tc02", tc02_token_with_invalid_credentials),
    ("v2tc03", v2tc03_get_footprint),
    ("v2tc04", v2tc04_list_all),
    ("v2tc05", v2tc05_pagination_link),
    ("v2tc06", v2tc06_list_with_invalid_token),
    ("v2tc07", v2tc07_get_with_invalid_token),
    ("v2tc08", v2tc08_unknown_footprint),
    ("v2tc09", tc09_token_over_plain_http_fails),
    ("v2tc10", v2tc10_list_over_plain_http_fails),
    ("v2tc11", v2tc11_get_over_plain_http_fails),
    ("v2tc12", v2tc12_request_created_is_accepted),
    ("v2tc13", v2tc13_request_is_fulfilled_asynchronously),
    ("v2tc14", v2tc14_request_for_unknown_product_is_rejected),
    ("v2tc15", v2tc15_published_event_is_received),
    ("v2tc16", v2tc16_events_with_invalid_token),
    ("v2tc17", v2tc17_events_over_plain_http_fail),
    ("v2tc18", tc18_token_endpoint_found_by_discovery),
    ("v2tc19", tc19_discovered_endpoint_refuses_invalid_credentials),
    ("v2tc20", v2tc20_filter_is_refused_as_not_implemented),
    ("v2tc21", v2tc21_published_event_with_non_uuid_pf_ids_is_400),
]
V2_CASE_IDS = [name for name, _ in V2_CASES]
if [f"v2tc{n:02d}" for n in range(1, 22)] != V2_CASE_IDS:  # the 21, each once, in order
    raise AssertionError(f"the v2 case list is not v2tc01..v2tc21: {V2_CASE_IDS}")
