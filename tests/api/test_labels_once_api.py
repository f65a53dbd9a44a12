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
