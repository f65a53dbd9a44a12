"""The public directory of certified products and the label feed (issue 14), over many labels, some revoked
or suspended: only labels valid now in the directory, every change in the feed, only public fields."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import pytest
from api_support import Service, problem

from issuance.gtin import check_digit
from registry.packs import Catalog
from registry.service.bootstrap import DEMO_CERTIFIER

AL = "example-standards-body/aluminium-ingot"
N = 24
PUBLIC = {
    "label_id", "url", "product_name", "gtin", "company", "certifier", "scheme", "pack", "category", "grade",
    "catalogue", "value", "declared_unit", "boundary", "region", "issued_at", "expires_at", "state", "state_changed_at",
}  # fmt: skip


def _gtin(n: int) -> str:
    body = f"0950600{n:06d}"
    return body + str(check_digit(body))


@pytest.fixture(scope="module")
def labels(service: Service) -> dict[str, Any]:
    """N labels of N products; 3 then revoked and 2 suspended. Returns ids by state and the feed cursor before."""
    example = Catalog.bundled().resolve(f"{AL}@1.0.0").example
    assert example is not None
    lines = []
    for n in range(N):
        declaration = copy.deepcopy(example)
        declaration["productNameCompany"] = f"Ingot {n}"
        lines.append(json.dumps({"declaration": declaration, "gtin": _gtin(n), "batch": f"D-{n}"}))
    h = service.headers("demo-certifier")
    r = service.client.post(
        "/v1/labels:batch", content="\n".join(lines), headers={**h, "Content-Type": "application/jsonl"}
    )
    out = [json.loads(x) for x in r.text.splitlines()]
    ids = [x["id"] for x in out]
    assert len(ids) == N, r.text
    before = service.client.get("/v1/feed/labels").headers["feed-next-cursor"]
    for label_id in ids[:3]:
        assert service.client.post(f"/v1/labels/{label_id}/revoke", json={"reason": "x"}, headers=h).status_code == 200
    for label_id in ids[3:5]:
        assert service.client.post(f"/v1/labels/{label_id}/suspend", json={"reason": "y"}, headers=h).status_code == 200
    return {"ids": ids, "revoked": ids[:3], "suspended": ids[3:5], "valid": ids[5:], "cursor": before}


def _all_pages(service: Service, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url is not None:
        r = service.client.get(next_url)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        link = r.headers.get("link")
        next_url = link[1 : link.index(">")] if link else None
    return items


def test_the_directory_lists_only_labels_valid_now_in_pages(service: Service, labels: dict[str, Any]) -> None:
    items = _all_pages(service, "/v1/directory?limit=7")
    assert sorted(i["label_id"] for i in items) == sorted(labels["valid"])  # no revoked, no suspended, no repeat
    assert all(set(i) == PUBLIC for i in items)
    first = items[0]
    assert first["state"] == "valid" and first["url"].endswith(f"/L/{first['label_id']}") and first["region"] == "CN"
    assert "token" not in first and "declaration_digest" not in first and "audit" not in first


def test_directory_filters(service: Service, labels: dict[str, Any]) -> None:
    c = service.client
    one = c.get("/v1/directory", params={"gtin": _gtin(7)}).json()["items"]
    assert [i["product_name"] for i in one] == ["Ingot 7"]
    assert c.get("/v1/directory", params={"gtin": _gtin(1)}).json()["items"] == []  # revoked
    company = one[0]["company"]
    everything = len(labels["valid"])
    for params in ({"company": company}, {"category": "7601"}, {"category": "76"}, {"category": AL}, {"region": "cn"}):
        assert (
            len(_all_pages(service, "/v1/directory?" + "&".join(f"{k}={v}" for k, v in params.items()))) == everything
        )
    assert c.get("/v1/directory", params={"category": "8507"}).json()["items"] == []
    assert c.get("/v1/directory", params={"scheme": "no-such-scheme"}).json()["items"] == []
    grade = one[0]["grade"]
    scale = [b.grade for b in Catalog.bundled().resolve(f"{AL}@1.0.0").grading.bands]
    assert len(_all_pages(service, f"/v1/directory?grade_at_least={grade}")) == everything
    assert len(_all_pages(service, f"/v1/directory?grade_at_least={scale[-1]}")) == everything
    better = scale[scale.index(grade) - 1]
    assert c.get("/v1/directory", params={"grade_at_least": better}).json()["items"] == []
    problem(c.get("/v1/directory", params={"grade_at_least": "Q"}), 422)
    problem(c.get("/v1/directory", params={"category": "x!"}), 422)
    problem(c.get("/v1/directory", params={"gtin": "123"}), 422)


def test_the_directory_page(service: Service, labels: dict[str, Any]) -> None:
    zh = service.client.get("/directory", params={"lang": "zh", "gtin": _gtin(9)})
    assert zh.status_code == 200 and "认证产品目录" in zh.text and "Ingot 9" in zh.text and 'lang="zh-Hans"' in zh.text
    assert "<script" not in zh.text and 'method="get"' in zh.text
    certifier = f'<a href="/v1/certifiers/{DEMO_CERTIFIER}/page?lang=zh">{DEMO_CERTIFIER}</a>'  # name, contact
    assert "认证机构" in zh.text and certifier in zh.text
    assert "每吨" in zh.text and "kilogram" not in zh.text  # the unit in Chinese, as the consumer page says it
    assert service.client.get(f"/v1/certifiers/{DEMO_CERTIFIER}/page?lang=zh").status_code == 200
    en = service.client.get("/directory", headers={"Accept-Language": "en"})
    assert "Directory of certified products" in en.text and "Ingot 8" in en.text and "Ingot 1<" not in en.text
    assert "per tonne" in en.text
    bad = service.client.get("/directory", params={"gtin": "12"})
    assert bad.status_code == 400 and "cannot be run" in bad.text


def test_the_feed_gives_every_change_after_a_cursor(service: Service, labels: dict[str, Any]) -> None:
    c = service.client
    whole = c.get("/v1/feed/labels")
    assert whole.status_code == 200 and whole.headers["content-type"] == "application/jsonl"
    rows = [json.loads(x) for x in whole.text.splitlines()]
    assert sorted(r["label_id"] for r in rows) == sorted(labels["ids"]) and all(set(r) == PUBLIC for r in rows)
    assert [r["state_changed_at"] for r in rows] == sorted(r["state_changed_at"] for r in rows)
    assert c.get("/v1/feed/labels", headers={"If-None-Match": whole.headers["etag"]}).status_code == 304
    changed = c.get("/v1/feed/labels", params={"since": labels["cursor"]})
    states = {json.loads(x)["label_id"]: json.loads(x)["state"] for x in changed.text.splitlines()}
    assert states == dict.fromkeys(labels["revoked"], "revoked") | dict.fromkeys(labels["suspended"], "suspended")
    after = c.get("/v1/feed/labels", params={"since": changed.headers["feed-next-cursor"]})
    assert after.text == "" and after.headers["feed-next-cursor"] == changed.headers["feed-next-cursor"]
    paged: list[str] = []
    url: str = "/v1/feed/labels?limit=5"
    while True:  # follow Link rel=next until a page is empty
        page = c.get(url)
        if not page.text:
            break
        paged += [json.loads(x)["label_id"] for x in page.text.splitlines()]
        url = page.headers["link"][1 : page.headers["link"].index(">")]
    assert paged == [r["label_id"] for r in rows]
    as_csv = c.get("/v1/feed/labels", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv") and as_csv.headers["etag"] != whole.headers["etag"]
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["label_id"] for r in table] == [r["label_id"] for r in rows] and set(table[0]) == PUBLIC
    assert c.get("/v1/feed/labels", params={"format": "csv"}).text == as_csv.text
    problem(c.get("/v1/feed/labels", params={"since": "yesterday"}), 422)
