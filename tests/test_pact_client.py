"""The PACT client: pulling supplier footprints from a partner's host, and requesting them by event.

Against the fake host of :mod:`tests.pact_fake_host`, a real HTTP(S) server on loopback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from pact_fake_host import CLIENT_ID, CLIENT_SECRET, HostState, conforms, footprints, serving
from sqlalchemy import Engine
from sqlmodel import select

from registry.packs import Catalog
from registry.service.devcert import dev_certificate
from registry.service.pact_partner import PartnerHost
from registry.service.pact_requests import (
    RequestAnswerError,
    list_requests,
    record_request_answer,
    request_event,
    send_request,
)
from registry.service.supplier_footprints import PullReport, pull_footprints, validator_for
from registry.storage import repo
from registry.storage.db import make_engine, migrate, session_scope
from registry.storage.models import OrganisationCreate, OrgKind, PactRequest, Validation

ORG = "buyer-co"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'pcfreg.db'}")
    migrate(engine)
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id=ORG, name="Buyer", kind=OrgKind.PLATFORM), now=NOW)
    return engine


def _validate(catalog: Catalog) -> Any:
    return validator_for(catalog, lambda: NOW)


def _pull(base: str, engine: Engine, catalog: Catalog, **kw: Any) -> PullReport:
    secret = kw.pop("secret", CLIENT_SECRET)
    ca_file = kw.pop("ca_file", None)
    timeout = kw.pop("timeout", 10.0)
    max_bytes = kw.pop("max_bytes", 1 << 20)
    with PartnerHost(base, CLIENT_ID, secret, ca_file=ca_file, timeout=timeout, max_bytes=max_bytes) as partner:
        return pull_footprints(
            partner,
            engine,
            org_id=ORG,
            filters=kw.pop("filters", {}),
            limit=kw.pop("limit", None),
            validate=_validate(catalog),
            clock=lambda: NOW,
        )


def _stored(engine: Engine) -> list[Validation]:
    with session_scope(engine, write=False) as s:
        return list(s.exec(select(Validation).where(Validation.org_id == ORG)))


def test_pull_pages_through_and_stores_each_with_provenance(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(5))
    with serving(state) as host:
        report = _pull(host.base, engine, catalog, filters={"productId": ["urn:a", "urn:b"], "status": ["Active"]})
    body = report.to_json()
    assert body["complete"] and body["pages"] == 3 and body["stored"] == 5, body
    assert body["token_endpoint"] == f"{host.base}/oauth2/token" and body["discovered"] is True
    assert state.queries[0]["productId"] == ["urn:a", "urn:b"] and state.queries[0]["status"] == ["Active"]
    rows = {row.id: row for row in _stored(engine)}
    assert len(rows) == 5
    for outcome in report.footprints:
        row = rows[outcome.validation_id or ""]
        supplier = row.result["supplier"]
        assert supplier["partner"] == host.base and supplier["footprint_id"] == outcome.footprint_id
        assert supplier["digest"] == row.declaration_digest == outcome.digest
        assert supplier["via"] == "pact-pull" and supplier["retrieved_at"] == NOW.isoformat()
        assert row.declaration["id"] == outcome.footprint_id and row.conformant is True


def test_pulling_again_stores_nothing_twice(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(3))
    with serving(state) as host:
        first = _pull(host.base, engine, catalog)
        second = _pull(host.base, engine, catalog)
    assert first.count("stored") == 3 and second.count("already-stored") == 3 and second.count("stored") == 0
    assert [f.validation_id for f in first.footprints] == [f.validation_id for f in second.footprints]
    assert len(_stored(engine)) == 3


def test_an_expired_token_is_fetched_again(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(4), expire_token_on_page=2)
    with serving(state) as host:
        report = _pull(host.base, engine, catalog)
    assert report.complete and report.count("stored") == 4
    assert state.tokens == ["token-1", "token-2"]


def test_a_5xx_on_page_2_keeps_page_1_complete_and_says_where(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(5), fail_page=2, fail_status=503)
    with serving(state) as host:
        report = _pull(host.base, engine, catalog)
    body = report.to_json()
    assert body["complete"] is False and body["stored"] == 2
    stopped = body["stopped"]
    assert stopped["page"] == 2 and stopped["status"] == 503 and stopped["code"] == "partner-http-error"
    assert "offset=2" in stopped["url"] and "InternalError: backend down" in stopped["message"]
    assert sorted(r.declaration["id"] for r in _stored(engine)) == sorted(f["id"] for f in state.footprints[:2])


def test_a_page_that_is_not_json_stops_the_pull(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(4), bad_json_page=2)
    with serving(state) as host:
        report = _pull(host.base, engine, catalog)
    assert report.stopped is not None and report.stopped["code"] == "partner-bad-json" and report.stopped["page"] == 2
    assert report.count("stored") == 2 and len(_stored(engine)) == 2


def test_malformed_footprints_are_refused_one_by_one(engine: Engine, catalog: Catalog) -> None:
    good = footprints(2)
    state = HostState(footprints=[good[0], {"id": 7}, {"id": "not-pact", "hello": 1}, "text", good[1]], page_size=5)
    with serving(state) as host:
        report = _pull(host.base, engine, catalog)
    outcomes = [(f.pointer, f.status, (f.error or {}).get("code")) for f in report.footprints]
    assert outcomes[0] == ("/data/0", "stored", None) and outcomes[4] == ("/data/4", "stored", None)
    assert outcomes[1] == ("/data/1", "refused", "partner-bad-footprint")
    assert outcomes[3] == ("/data/3", "refused", "partner-bad-footprint")
    assert outcomes[2][1] == "refused" and outcomes[2][2] is not None
    assert report.footprints[2].footprint_id == "not-pact"
    assert report.complete and len(_stored(engine)) == 2


def test_without_discovery_the_token_comes_from_auth_token(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(1), discovery=False)
    with serving(state) as host:
        report = _pull(host.base, engine, catalog)
    assert report.token_endpoint == f"{host.base}/auth/token" and report.discovered is False
    assert report.count("stored") == 1


def test_discovery_naming_auth_token_counts_as_discovered(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(1), discovered_path="/auth/token")
    with serving(state) as host:
        report = _pull(host.base, engine, catalog)
    assert report.token_endpoint == f"{host.base}/auth/token" and report.discovered is True


def test_refused_credentials_stop_before_anything_is_stored(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(2))
    with serving(state) as host:
        report = _pull(host.base, engine, catalog, secret="wrong")
    assert report.stopped is not None and report.stopped["code"] == "partner-auth-failed"
    assert report.stopped["status"] == 401 and "invalid_client: bad credentials" in str(report.stopped["message"])
    assert report.pages == 0 and _stored(engine) == []


def test_a_slow_partner_is_a_timeout(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(1), delay=1.0, discovery=False)
    with serving(state) as host:
        report = _pull(host.base, engine, catalog, timeout=0.3)
    assert report.stopped is not None and report.stopped["code"] == "partner-timeout"


def test_an_answer_too_long_is_not_read_further(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(4), page_size=2)
    with serving(state) as host:
        page = len(orjson.dumps({"data": state.footprints[:2]}))
        report = _pull(host.base, engine, catalog, max_bytes=page + 100, limit=3)
    assert report.stopped is not None and report.stopped["code"] == "partner-too-large"
    assert report.pages == 0 and _stored(engine) == []


def test_a_next_link_to_another_host_is_not_followed(engine: Engine, catalog: Catalog) -> None:
    state = HostState(footprints=footprints(3), foreign_next_link=True)
    with serving(state) as host:
        report = _pull(host.base, engine, catalog)
    assert report.stopped is not None and report.stopped["code"] == "partner-bad-page"
    assert "another host" in str(report.stopped["message"]) and report.count("stored") == 2


def test_pull_over_tls_with_the_dev_certificate_as_ca(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    cert = dev_certificate(tmp_path / "data", now=datetime.now(UTC))
    state = HostState(footprints=footprints(3))
    with serving(state, tls=(cert.cert_path, cert.key_path)) as host:
        assert host.base.startswith("https://")
        untrusted = _pull(host.base, engine, catalog)
        trusted = _pull(host.base, engine, catalog, ca_file=str(cert.cert_path))
    assert untrusted.stopped is not None and untrusted.stopped["code"] == "partner-unreachable"
    assert "CERTIFICATE_VERIFY_FAILED" in str(untrusted.stopped["message"])
    assert trusted.complete and trusted.count("stored") == 3


# --- requests: RequestCreatedEvent out, the answer recorded ------------------------------------


def _fulfilled(request_id: str, pfs: list[Any], event_id: str = "answer-1") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "https://supplier.example",
        "type": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        "data": {"requestEventId": request_id, "pfs": pfs},
    }


def _request_row(engine: Engine, request_id: str) -> PactRequest:
    with session_scope(engine, write=False) as s:
        row = s.get(PactRequest, request_id)
        assert row is not None
        return row


def _send(engine: Engine, base: str, product: str, source: str = "https://buyer.example") -> Any:
    with PartnerHost(base, CLIENT_ID, CLIENT_SECRET, timeout=10) as partner:
        return send_request(
            partner, engine, org_id=ORG, criteria={"productId": [product], "comment": "please"}, source=source, now=NOW
        )


def test_request_sends_a_structured_cloudevent_and_records_it(engine: Engine) -> None:
    state = HostState(footprints=footprints(1), answer_requests=False)
    with serving(state) as host:
        sent = _send(engine, host.base, "urn:x")
    assert sent.state == "sent" and sent.error is None
    (event,) = state.events
    assert event["specversion"] == "1.0" and event["id"] == sent.request_id
    assert event["type"] == "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
    assert event["source"] == "https://buyer.example" and event["time"] == "2026-12-06T12:00:00Z"
    assert event["data"] == {"productId": ["urn:x"], "comment": "please"}
    row = _request_row(engine, sent.request_id)
    assert row.state == "sent" and row.partner_url == host.base and row.org_id == ORG


def test_a_refused_request_is_recorded_as_failed(engine: Engine) -> None:
    state = HostState(footprints=footprints(1))
    with serving(state) as host, PartnerHost(host.base, CLIENT_ID, "wrong", timeout=10) as partner:
        sent = send_request(partner, engine, org_id=ORG, criteria={"productId": ["urn:x"]}, source="https://b", now=NOW)
    assert sent.state == "failed" and sent.error is not None and sent.error["code"] == "partner-auth-failed"
    assert _request_row(engine, sent.request_id).state == "failed"


def test_record_request_answer_stores_the_footprints_once(engine: Engine, catalog: Catalog) -> None:
    state = HostState(answer_requests=False)
    with serving(state) as host:
        sent = _send(engine, host.base, "urn:x")
    fps = footprints(2)
    event = _fulfilled(sent.request_id, [fps[0], {"id": 3}, fps[1]])
    with session_scope(engine) as s:
        answer = record_request_answer(s, event, validate=_validate(catalog), now=NOW)
    assert answer.state == "fulfilled" and answer.org_id == ORG and not answer.repeat
    assert [f.status for f in answer.footprints] == ["stored", "refused", "stored"]
    assert answer.footprints[1].pointer == "/data/pfs/1"
    stored = {r.declaration["id"]: r for r in _stored(engine)}
    supplier = stored[fps[0]["id"]].result["supplier"]
    assert supplier["via"] == "pact-request" and supplier["request_id"] == sent.request_id
    assert supplier["partner"] == host.base and supplier["digest"] == stored[fps[0]["id"]].declaration_digest
    with session_scope(engine) as s:
        again = record_request_answer(s, event, validate=_validate(catalog), now=NOW)
    assert again.repeat and [f.status for f in again.footprints] == ["stored", "refused", "stored"]
    assert len(_stored(engine)) == 2
    with session_scope(engine) as s, pytest.raises(RequestAnswerError, match="answered already"):
        record_request_answer(s, _fulfilled(sent.request_id, fps, "answer-2"), validate=_validate(catalog), now=NOW)
    assert _request_row(engine, sent.request_id).answered_at == NOW


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [
        (lambda e: e.pop("specversion"), "/specversion"),
        (lambda e: e.update(specversion="0.3"), "/specversion"),
        (lambda e: e.update(type="org.wbcsd.pact.ProductFootprint.PublishedEvent.3"), "/type"),
        (lambda e: e.update(data=[]), "/data"),
        (lambda e: e["data"].pop("requestEventId"), "/data/requestEventId"),
        (lambda e: e["data"].update(requestEventId="never-sent"), "/data/requestEventId"),
        (lambda e: e["data"].update(pfs=[]), "/data/pfs"),
    ],
)
def test_malformed_or_unknown_answers_are_refused(engine: Engine, catalog: Catalog, mutate: Any, pointer: str) -> None:
    with session_scope(engine) as s:
        s.add(PactRequest(id="req-1", org_id=ORG, partner_url="https://p", criteria={}, state="sent", sent_at=NOW))
    event = _fulfilled("req-1", footprints(1))
    mutate(event)
    with session_scope(engine) as s, pytest.raises(RequestAnswerError) as caught:
        record_request_answer(s, event, validate=_validate(catalog), now=NOW)
    assert caught.value.location.pointer == pointer
    assert _request_row(engine, "req-1").state == "sent" and _stored(engine) == []


def test_a_rejection_is_recorded_with_the_partners_error(engine: Engine, catalog: Catalog) -> None:
    with session_scope(engine) as s:
        s.add(PactRequest(id="req-2", org_id=ORG, partner_url="https://p", criteria={}, state="sent", sent_at=NOW))
    event = _fulfilled("req-2", [])
    event["type"] = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
    event["data"] = {"requestEventId": "req-2", "error": {"code": "NotFound", "message": "no such product"}}
    with session_scope(engine) as s:
        answer = record_request_answer(s, event, validate=_validate(catalog), now=NOW)
    assert answer.state == "rejected" and answer.error == {"code": "NotFound", "message": "no such product"}
    row = _request_row(engine, "req-2")
    assert row.state == "rejected" and row.answer is not None and row.answer["error"]["code"] == "NotFound"


class _Receiver(BaseHTTPRequestHandler):
    """A stand-in for the registry's own ``POST /3/events``: hands answers to record_request_answer."""

    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        event = orjson.loads(self.rfile.read(int(self.headers["Content-Length"])))
        try:
            with session_scope(self.server.engine) as s:
                record_request_answer(s, event, validate=self.server.validate, now=NOW)
            status = 200
        except RequestAnswerError:
            status = 400
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def receiver(engine: Engine, catalog: Catalog) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.engine, server.validate = engine, _validate(catalog)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _wait_answered(engine: Engine, request_id: str) -> PactRequest:
    deadline = time.monotonic() + 20
    while (row := _request_row(engine, request_id)).state in ("pending", "sent"):
        assert time.monotonic() < deadline, "no answer arrived"
        time.sleep(0.05)
    return row


def test_the_partners_answer_arrives_and_is_stored(engine: Engine, receiver: str) -> None:
    state = HostState(footprints=footprints(3))
    wanted = state.footprints[1]
    with serving(state) as host:
        fulfilled = _send(engine, host.base, wanted["productIds"][0], source=receiver)
        rejected = _send(engine, host.base, "urn:pact:null", source=receiver)
        rows = _wait_answered(engine, fulfilled.request_id), _wait_answered(engine, rejected.request_id)
    assert [r.state for r in rows] == ["fulfilled", "rejected"]
    assert [a.status_code for a in state.answers if not isinstance(a, Exception)] == [200, 200]
    (stored,) = _stored(engine)
    assert stored.declaration == wanted and stored.result["supplier"]["request_id"] == fulfilled.request_id
    assert rows[0].answer is not None and rows[0].answer["footprints"][0]["validation_id"] == stored.id
    listed = list_requests(engine, ORG)
    assert [r["state"] for r in listed] == ["fulfilled", "rejected"] or [r["state"] for r in listed] == [
        "rejected",
        "fulfilled",
    ]
    for entry in listed:
        conforms(entry, "Request")
    conforms(stored.result["supplier"], "Supplier")


def test_request_event_is_pure() -> None:
    event = request_event({"productId": ["urn:p"]}, source="https://me", now=NOW, event_id="e1")
    assert event == {
        "specversion": "1.0",
        "id": "e1",
        "source": "https://me",
        "time": "2026-12-06T12:00:00Z",
        "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "datacontenttype": "application/json",
        "data": {"productId": ["urn:p"]},
    }
