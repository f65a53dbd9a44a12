"""The certifier's HTML report (issue 14): what was validated, opened from a signed, expiring link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from api_support import Service, problem

from registry.packs import Catalog


@pytest.fixture(scope="module")
def al_example() -> dict[str, Any]:
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    assert example is not None
    return example


def test_the_report_shows_what_was_validated_and_opens_from_a_signed_link(
    service: Service, al_example: dict[str, Any]
) -> None:
    c, h = service.client, service.headers("demo-certifier")
    vid = c.post("/v1/validations", json=al_example, headers=h).json()["id"]
    html = c.get(f"/v1/validations/{vid}", params={"format": "html"}, headers=h).text
    for shown in (
        al_example["productNameCompany"],
        al_example["companyName"],
        al_example["id"],
        "14600 kg CO2e per 1000 kilogram",
    ):
        assert shown in html, shown
    assert c.get(f"/v1/validations/{vid}/report", params={"expires": 1, "sig": "0"}).status_code == 403
    problem(c.post(f"/v1/validations/{vid}/report-link"), 401)
    problem(c.post(f"/v1/validations/{vid}/report-link", headers=service.headers("other-certifier")), 404)
    link = c.post(f"/v1/validations/{vid}/report-link", params={"ttl_hours": 2}, headers=h).json()
    expires_at = datetime.fromisoformat(link["expires_at"])
    assert timedelta(hours=1) < expires_at - datetime.now(UTC) <= timedelta(hours=2)
    opened = c.get(link["url"])  # no bearer header
    assert opened.status_code == 200 and al_example["productNameCompany"] in opened.text
    assert opened.headers["cache-control"] == "private, no-store"
    query = parse_qs(urlsplit(link["url"]).query)
    path = urlsplit(link["url"]).path
    later = int(query["expires"][0]) + 3600
    stretched = c.get(path, params={"expires": later, "sig": query["sig"][0]})
    assert stretched.status_code == 403 and "not valid" in stretched.text and "无效" in stretched.text
    other = c.get(path.replace(vid, "00000000-0000-0000-0000-000000000000"), params={k: v[0] for k, v in query.items()})
    assert other.status_code == 403 and "not valid" in other.text
    clock = service.ctx.clock
    service.ctx.clock = lambda: expires_at + timedelta(seconds=1)
    try:
        expired = c.get(link["url"])
    finally:
        service.ctx.clock = clock
    assert expired.status_code == 403 and "expired" in expired.text and "过期" in expired.text
    problem(c.post(f"/v1/validations/{vid}/report-link", params={"ttl_hours": 10_000}, headers=h), 422)
