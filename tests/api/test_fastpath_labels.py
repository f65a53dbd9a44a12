"""The lean path for POST /v1/labels (issue 15) answers exactly as the FastAPI route does, and a refusal
that needs no stored data is answered without waiting for the database's write lock."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from api_support import Service, problem
from test_fastpath import _fast

from registry.api.fastpath import _idempotency_key, _json_content
from registry.packs.catalog import Catalog
from registry.storage.db import writer_gate

AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"
# An unknown query parameter: FastAPI ignores it, the lean path hands such a request to the route
ROUTE = {"via": "route"}
# What differs between two answers for different labels, or between two problems' requests
_PER_LABEL = {"id", "token", "url", "offline_url", "qr", "issued_at", "batch", "status", "links", "verification"}
_PER_LABEL.add("state_changed_at")
_PER_CLAIM = {"label_id", "issued_at", "expires_at", "batch", "status_uri", "status_idx"}


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    ex = Catalog.bundled().resolve(AL).example
    assert ex is not None
    return ex


def _answer(r: Any) -> dict[str, Any]:
    """The answer's body, but for the moment its verification was made."""
    out = dict(r.json())
    out["verification"] = {k: v for k, v in out["verification"].items() if k != "checked_at"}
    return out


def _same_problem(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code
    assert a.headers["content-type"] == b.headers["content-type"]
    ja, jb = a.json(), b.json()
    assert {k: v for k, v in ja.items() if k != "instance"} == {k: v for k, v in jb.items() if k != "instance"}


def test_issues_and_repeats_answer_as_the_route_does(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    fast = _fast(service)
    c.post("/v1/validations", json=example, headers=h, params={"store": "false"})  # caches the token
    before = fast.handled
    body = {"declaration": example, "gtin": GTIN, "batch": "FP-1"}
    quick = c.post("/v1/labels", json=body, headers=h)
    assert fast.handled == before + 1
    assert quick.status_code == 201 and quick.headers["location"] == f"/v1/labels/{quick.json()['id']}"
    assert quick.headers["x-request-id"] and quick.headers["content-type"] == "application/json"

    # the same request again, by either path: the same label, a repeat, the same answer
    again = c.post("/v1/labels", json=body, headers=h)
    routed = c.post("/v1/labels", json=body, headers=h, params=ROUTE)
    assert fast.handled == before + 2
    assert again.status_code == routed.status_code == 200
    assert _answer(again) == _answer(routed) and again.json()["repeat"] is True
    assert again.json()["id"] == quick.json()["id"] and again.json()["token"] == quick.json()["token"]
    assert again.headers["location"] == routed.headers["location"]

    # a new label by the route: the same fields, the same values but for what is the label's own
    other = c.post("/v1/labels", json={**body, "batch": "FP-2"}, headers=h, params=ROUTE)
    assert fast.handled == before + 2 and other.status_code == 201
    assert set(other.json()) == set(quick.json())
    assert {k: v for k, v in other.json().items() if k not in _PER_LABEL} == {
        k: v for k, v in quick.json().items() if k not in _PER_LABEL
    }
    shown_as = [r.json()["verification"] for r in (other, quick)]
    assert shown_as[0]["status"] == shown_as[1]["status"] == "valid"
    claims = [{k: v for k, v in v["label"].items() if k not in _PER_CLAIM} for v in shown_as]
    assert claims[0] == claims[1] and claims[0]["gtin"] == GTIN and claims[0]["grade"]
    shown = c.get(quick.headers["location"])
    assert shown.status_code == 200 and shown.json()["token"] == quick.json()["token"]


def test_an_idempotency_key_on_the_lean_path(service: Service, example: dict[str, Any]) -> None:
    c = service.client
    h = {**service.headers("demo-certifier"), "Idempotency-Key": "fp-order-1"}
    fast = _fast(service)
    c.post("/v1/validations", json=example, headers=h, params={"store": "false"})
    before = fast.handled
    body = {"declaration": example, "gtin": GTIN, "batch": "FPK-1"}
    first = c.post("/v1/labels", json=body, headers=h)
    repeat = c.post("/v1/labels", json=body, headers=h)
    assert (first.status_code, repeat.status_code) == (201, 200) and repeat.json()["id"] == first.json()["id"]
    # the key reused for another request: the writer's refusal, rendered as the route renders it
    clash = c.post("/v1/labels", json={**body, "batch": "FPK-2"}, headers=h)
    assert fast.handled == before + 3
    routed = c.post("/v1/labels", json={**body, "batch": "FPK-2"}, headers=h, params=ROUTE)
    assert fast.handled == before + 3
    _same_problem(clash, routed)
    assert clash.status_code == 409 and "fp-order-1" in clash.json()["detail"]


def test_refusals_are_the_routes_problems(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    fast = _fast(service)
    c.post("/v1/validations", json=example, headers=h, params={"store": "false"})
    before = fast.handled
    bad = {k: v for k, v in example.items() if k != "pcf"}
    refusals = [
        {"declaration": bad, "gtin": GTIN, "batch": "FPR-1"},  # not conformant
        {"declaration": example, "gtin": "123", "batch": "FPR-2"},  # not a GTIN
        {"declaration": example, "gtin": GTIN, "batch": "FPR-3", "pack": "no/such@1.0.0"},  # no such pack
        {"declaration": example, "gtin": GTIN, "batch": "FPR-4", "audit_id": "no-such-audit"},  # no such audit
    ]
    for n, body in enumerate(refusals, start=1):
        quick = c.post("/v1/labels", json=body, headers=h)
        assert fast.handled == before + n, body
        _same_problem(quick, c.post("/v1/labels", json=body, headers=h, params=ROUTE))
        assert quick.status_code in (404, 409, 422)
    assert c.post("/v1/labels", json=refusals[0], headers=h).json()["type"].endswith("/not-conformant")


def test_what_the_lean_path_hands_to_the_route(service: Service, example: dict[str, Any]) -> None:
    """Each of these is answered by FastAPI (the lean path counts none of them), with the route's error."""
    c, h = service.client, service.headers("demo-certifier")
    fast = _fast(service)
    c.post("/v1/validations", json=example, headers=h, params={"store": "false"})
    before = fast.handled
    body = {"declaration": example, "gtin": GTIN, "batch": "FPH-1"}
    problem(c.post("/v1/labels", content=b"{nope", headers={**h, "Content-Type": "application/json"}), 422)
    problem(c.post("/v1/labels", json={**body, "colour": "green"}, headers=h), 422)  # not a field of the body
    problem(c.post("/v1/labels", json={**body, "batch": "B" * 21}, headers=h), 422)  # too long
    problem(c.post("/v1/labels", json=body, headers={**h, "Idempotency-Key": "k" * 201}), 422)
    problem(c.post("/v1/labels", json=body, headers={"Authorization": "Bearer bad"}), 401)
    problem(c.post("/v1/labels", json=body, headers=service.headers("example-standards-body")), 403)
    assert fast.handled == before
    # a body sent as text: FastAPI judges it
    sent = c.post("/v1/labels", content=b'{"declaration": {}}', headers={**h, "Content-Type": "text/plain"})
    assert fast.handled == before and sent.status_code == 422


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], (True, None)),
        ([(b"idempotency-key", b"k-1")], (True, "k-1")),
        ([(b"idempotency-key", b"")], (False, None)),
        ([(b"idempotency-key", b"k" * 200)], (True, "k" * 200)),
        ([(b"idempotency-key", b"k" * 201)], (False, None)),
        ([(b"idempotency-key", b"a"), (b"idempotency-key", b"b")], (False, None)),
    ],
)
def test_idempotency_key_plain_cases(headers: list[tuple[bytes, bytes]], expected: Any) -> None:
    assert _idempotency_key(headers) == expected


def test_json_content_plain_cases() -> None:
    assert _json_content([(b"content-type", b"application/json")])
    assert _json_content([(b"content-type", b"Application/JSON; charset=utf-8")])
    assert not _json_content([])
    assert not _json_content([(b"content-type", b"text/plain")])
    assert not _json_content([(b"content-type", b"application/json"), (b"content-type", b"application/json")])


def test_a_refusal_is_not_held_up_by_another_writer(service: Service, example: dict[str, Any]) -> None:
    """Validation happens before the label writer takes the database's write lock: while another writer
    (another server process, a CLI batch) holds it, a non-conformant request is refused at once, and a
    good one waits and is issued when the lock is free."""
    if service.backend != "sqlite":
        pytest.skip("the cross-process writer lock is SQLite's")
    gate = writer_gate(service.ctx.engine)
    assert gate is not None
    c, h = service.client, service.headers("demo-certifier")
    bad = {k: v for k, v in example.items() if k != "pcf"}
    held, answered, done = threading.Event(), threading.Event(), threading.Event()
    hold_error: list[str] = []

    def other_writer() -> None:  # holds the lock, as another process would, until the refusal came (or 20 s)
        import time

        if not gate.acquire(time.monotonic() + 5):
            hold_error.append("could not take the lock")
            held.set()
            return
        held.set()
        try:
            answered.wait(20)
        finally:
            gate.release()
            done.set()

    holder = threading.Thread(target=other_writer, daemon=True)
    holder.start()
    assert held.wait(10) and not hold_error
    try:
        refused = c.post("/v1/labels", json={"declaration": bad, "gtin": GTIN, "batch": "FPW-1"}, headers=h)
        still_held = not done.is_set()
    finally:
        answered.set()
        holder.join(30)
    assert refused.status_code == 422 and refused.json()["type"].endswith("/not-conformant")
    assert still_held, "the refusal waited for the other writer to let go of the lock"
    issued = c.post("/v1/labels", json={"declaration": example, "gtin": GTIN, "batch": "FPW-2"}, headers=h)
    assert issued.status_code == 201


def test_a_draft_made_the_day_before_its_group_is_made_again(
    service: Service, example: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer validates a request when it comes and issues it in the next group; packs and grading
    catalogues are chosen by date, so a request drafted just before midnight and issued just after is
    drafted again on the issue date."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from registry.api.labels import label_cache
    from registry.service import labels as svc
    from registry.service.label_writer import LabelWriter

    today = datetime.now(UTC).replace(hour=23, minute=59, second=59, microsecond=900_000)
    times = iter([today, today + timedelta(seconds=0.2)])
    settings = label_cache(service.ctx).settings
    writer = LabelWriter(service.ctx.engine, service.ctx.packs, lambda: settings, lambda: next(times))
    drafted_on: list[str] = []
    real = svc.draft_labels

    def counting(packs: Any, requests: Any, *, now: datetime) -> Any:
        drafted_on.append(now.date().isoformat())
        return real(packs, requests, now=now)

    monkeypatch.setattr(svc, "draft_labels", counting)
    request = svc.IssueRequest(declaration=example, gtin=GTIN, batch="FPD-1")
    issued = asyncio.run(writer.issue("demo-certifier", request, lambda s, i: i))
    tomorrow = (today + timedelta(days=1)).date()
    assert drafted_on == [today.date().isoformat(), tomorrow.isoformat()]
    assert isinstance(issued, svc.Issued) and issued.claims.issued_at.date() == tomorrow
