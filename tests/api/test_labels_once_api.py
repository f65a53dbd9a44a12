"""Issuing once over HTTP (issue 10): Idempotency-Key, per-line request_id, repeats marked; batch bodies
read line by line under a per-line limit (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Service

from registry.api.labels import label_cache
from registry.packs.catalog import Catalog

AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    ex = Catalog.bundled().resolve(AL).example
    assert ex is not None
    return ex


def _jsonl(service: Service, body: bytes, **headers: str) -> list[dict[str, Any]]:
    h = {**service.headers("demo-certifier"), "Content-Type": "application/jsonl", **headers}
    r = service.client.post("/v1/labels:batch", content=body, headers=h)
    assert r.status_code == 200, r.text
    return [json.loads(x) for x in r.text.splitlines()]


def test_an_idempotency_key_makes_a_repeat_return_the_same_label(service: Service, example: dict[str, Any]) -> None:
    c = service.client
    h = {**service.headers("demo-certifier"), "Idempotency-Key": "order-4711"}
    body = {"declaration": example, "gtin": GTIN, "batch": "IK-1"}
    first = c.post("/v1/labels", json=body, headers=h)
    again = c.post("/v1/labels", json=body, headers=h)
    assert first.status_code == 201 and first.json()["repeat"] is False
    assert again.status_code == 200 and again.json()["repeat"] is True
    assert again.json()["id"] == first.json()["id"] and again.json()["token"] == first.json()["token"]
    clash = c.post("/v1/labels", json={**body, "batch": "IK-2"}, headers=h)
    assert clash.status_code == 409 and "order-4711" in clash.json()["detail"]
    # no key given: the key is derived from what the label says, so the same request is still one label
    plain = c.post("/v1/labels", json=body, headers=service.headers("demo-certifier"))
    derived = c.post("/v1/labels", json=body, headers=service.headers("demo-certifier"))
    assert plain.status_code == 201 and derived.status_code == 200 and derived.json()["id"] == plain.json()["id"]


def test_batch_lines_carry_request_ids_and_repeats_are_marked(service: Service, example: dict[str, Any]) -> None:
    lines = [
        json.dumps({"declaration": example, "gtin": GTIN, "batch": "RQ", "request_id": "r-1"}),
        json.dumps({"declaration": example, "gtin": GTIN, "batch": "RQ", "request_id": "r-2"}),
        json.dumps({"declaration": example, "gtin": GTIN, "batch": "RQ-3"}),
    ]
    body = ("\n".join(lines) + "\n").encode()
    first = _jsonl(service, body)
    assert [x["line"] for x in first] == [1, 2, 3] and [x["repeat"] for x in first] == [False, False, False]
    assert len({x["id"] for x in first}) == 3  # two request ids: two labels, though the content is the same
    again = _jsonl(service, body)
    assert [x["repeat"] for x in again] == [True, True, True] and [x["id"] for x in again] == [x["id"] for x in first]


@pytest.fixture
def small_line_limit(service: Service) -> Iterator[int]:
    cache = label_cache(service.ctx)
    before = cache.settings
    cache.settings = dataclasses.replace(before, batch_line_limit=64 * 1024)
    yield 64 * 1024
    cache.settings = before


def test_a_line_over_the_limit_is_refused_by_its_number(
    service: Service, example: dict[str, Any], small_line_limit: int
) -> None:
    big = json.dumps({"declaration": example, "gtin": GTIN, "batch": "X" * (5 * 1024 * 1024)})
    ok = json.dumps({"declaration": example, "gtin": GTIN, "batch": "LIM-3"})
    out = _jsonl(service, f"{ok}\n{big}\n{ok}".encode())
    assert [x["line"] for x in out] == [1, 2, 3]
    assert out[1]["error"]["code"] == "line-too-long"
    assert "line 2" in out[1]["error"]["message"] and "65,536 bytes" in out[1]["error"]["message"]
    assert "id" in out[0] and out[2]["id"] == out[0]["id"] and out[2]["repeat"] is True


def test_a_group_waits_briefly_for_as_many_requests_as_the_last_one_had(
    service: Service, example: dict[str, Any]
) -> None:
    """Clients a group has just answered send their next request at once: the writer waits (at most its
    gather_s) for as many as the last group had instead of sending the first alone (issue 15: groups of 3-4
    on PostgreSQL with 8 clients waiting a worker). A client alone never waits; the wait is bounded."""
    import asyncio
    import time

    import httpx

    from registry.api.labels import label_writer

    h = service.headers("demo-certifier")
    writer = label_writer(service.ctx)

    async def send(batches: list[str], gap: float) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=service.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def one(i: int, batch: str) -> httpx.Response:
                await asyncio.sleep(gap * i)
                body = {"declaration": example, "gtin": GTIN, "batch": batch}
                return await client.post("/v1/labels", json=body, headers=h)

            return list(await asyncio.gather(*(one(i, b) for i, b in enumerate(batches))))

    saved = writer.gather_s
    try:
        writer.gather_s, writer.last_group = 5.0, 4  # generous: nothing here depends on this machine's speed
        before = writer.groups
        answers = asyncio.run(send([f"GATHER-{i}" for i in range(4)], gap=0.02))
        assert [r.status_code for r in answers] == [201] * 4
        assert (writer.groups - before, writer.last_group) == (1, 4)  # the first waited for the three after it

        writer.last_group = 1  # a client alone: no wait
        started = time.monotonic()
        [alone] = asyncio.run(send(["GATHER-ALONE"], gap=0))
        assert alone.status_code == 201 and time.monotonic() - started < writer.gather_s

        writer.gather_s, writer.last_group = 0.2, 4  # bounded: a lone request after a group of 4 goes after 0.2 s
        before = writer.groups
        [late] = asyncio.run(send(["GATHER-LATE"], gap=0))
        assert late.status_code == 201 and (writer.groups - before, writer.last_group) == (1, 1)
    finally:
        writer.gather_s = saved


def test_concurrent_single_issues_share_transactions_and_keep_their_own_answers(
    service: Service, example: dict[str, Any]
) -> None:
    """POST /v1/labels is group-committed (issue 15): requests that queue while a transaction runs are
    issued in the next one together, and each still gets its own answer: a new label, the label of a
    repeat queued beside its first request, or its own refusal."""
    import asyncio

    import httpx

    from registry.api.labels import label_writer

    h = service.headers("demo-certifier")
    bad = {k: v for k, v in example.items() if k != "pcf"}
    bodies: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({"declaration": example, "gtin": GTIN, "batch": f"GRP-{i}"}, h) for i in range(10)
    ]
    bodies += [({"declaration": example, "gtin": GTIN, "batch": "GRP-DUP"}, {**h, "Idempotency-Key": "grp-dup"})] * 2
    bodies.append(({"declaration": bad, "gtin": GTIN, "batch": "GRP-BAD"}, h))
    writer = label_writer(service.ctx)

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=service.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(client.post("/v1/labels", json=b, headers=hh) for b, hh in bodies))

    before = writer.groups
    answers = asyncio.run(send())
    statuses = [r.status_code for r in answers]
    assert statuses[:10] == [201] * 10 and len({r.json()["id"] for r in answers[:10]}) == 10
    first, repeat = sorted(answers[10:12], key=lambda r: r.status_code, reverse=True)
    assert (first.status_code, repeat.status_code) == (201, 200) and repeat.json()["repeat"] is True
    assert repeat.json()["id"] == first.json()["id"]
    assert statuses[12] == 422 and answers[12].json()["type"].endswith("/not-conformant")
    assert writer.groups - before < len(bodies)  # they shared transactions
    for r in answers[:12]:
        shown = service.client.get(f"/v1/labels/{r.json()['id']}")
        assert shown.status_code == 200 and shown.json()["state"] == "valid"
