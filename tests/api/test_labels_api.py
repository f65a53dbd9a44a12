"""Labels through the HTTP API, as certifiers, consumers and platforms use them (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import html
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
import zxingcpp
from api_support import Service, problem
from PIL import Image

from issuance import TrustList, parse_status_list_token, token_from_b64url, token_to_b64url, token_to_text, verify
from issuance.status_list import Status
from registry.packs.catalog import Catalog
from registry.packs.signing import TrustedKeys, load_private_key, public_jwk
from registry.service.labels import REGISTRY_KEY_FILE

AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    ex = Catalog.bundled().resolve(f"{AL}@1.0.0").example  # the labels asserted below name 1.0.0
    assert ex is not None
    return ex


@pytest.fixture(scope="module")
def issued(service: Service, example: dict[str, Any]) -> dict[str, Any]:
    r = service.client.post(
        "/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("demo-certifier")
    )
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/v1/labels/{r.json()['id']}"
    body: dict[str, Any] = r.json()
    return body


def _trust(service: Service) -> TrustList:
    """The trust list as a platform takes it: checked against the registry key it pinned."""
    doc = service.client.get("/v1/trust-list").json()
    pinned = service.client.get("/v1/trust-list/keys").json()
    registry_key = load_private_key((service.data_dir / REGISTRY_KEY_FILE).read_bytes())
    assert pinned == {"keys": [public_jwk(registry_key.public_key())]}
    return TrustList.from_json(doc, now=service.ctx.clock(), registry_keys=TrustedKeys.from_json(pinned))


def test_issue_read_and_verify_offline(service: Service, issued: dict[str, Any]) -> None:
    label = issued["verification"]["label"]
    assert issued["verification"]["status"] == "valid" and label["issuer"] == "demo-certifier"
    assert label["pack"] == f"{AL}@1.0.0" and label["scheme"] == "gb-t-24067" and label["gtin"] == GTIN
    assert issued["url"] == f"HTTP://LOCALHOST:8000/L/{issued['id']}"  # PCFREG_PUBLIC_URL unset: the default
    again = service.client.get(f"/v1/labels/{issued['id'].lower()}").json()
    assert again["token"] == issued["token"] and again["verification"]["status"] == "valid"
    token = token_from_b64url(issued["token"])
    result = verify(token, trust=_trust(service), status=None, now=service.ctx.clock(), gtin=GTIN)
    assert result.status.value == "valid_status_unknown" and result.reason == "no_status_list"
    problem(service.client.get("/v1/labels/AAAAAAAAAAAAAAAA"), 404)


def test_consumer_page_in_both_languages(service: Service, issued: dict[str, Any], example: dict[str, Any]) -> None:
    c = service.client
    en = c.get(f"/L/{issued['id']}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    zh = c.get(f"/l/{issued['id']}", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert en.status_code == zh.status_code == 200
    assert en.headers["content-type"].startswith("text/html") and 'lang="en"' in en.text
    assert 'lang="zh' in zh.text and issued["verification"]["label"]["grade"] in zh.text
    assert "Demo Certifier" in en.text and GTIN in en.text
    assert issued["product_name"] == example["productNameCompany"] and html.escape(issued["product_name"]) in en.text
    forced = c.get(f"/l/{issued['id']}", params={"lang": "zh"}, headers={"Accept-Language": "en"})
    assert 'lang="zh' in forced.text
    unknown = c.get("/l/AAAAAAAAAAAAAAAA")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")


def test_qr_codes_decode_to_the_label_url(service: Service, issued: dict[str, Any]) -> None:
    for kind, expected in (("url", issued["url"]), ("offline", issued["offline_url"])):
        png = service.client.get(f"/v1/labels/{issued['id']}/qr", params={"kind": kind, "format": "png"})
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)), formats=zxingcpp.BarcodeFormat.QRCode)
        assert [b.text for b in found] == [expected]
    assert issued["offline_url"].endswith("#" + token_to_text(token_from_b64url(issued["token"])))
    svg = service.client.get(f"/v1/labels/{issued['id']}/label.svg", params={"lang": "zh"})
    assert svg.status_code == 200 and svg.text.startswith("<svg") and "Demo Certifier" in svg.text


def test_platform_batch_verify(service: Service, issued: dict[str, Any], example: dict[str, Any]) -> None:
    token = issued["token"]
    items = [
        {"ref": "a", "label_id": issued["id"]},
        {"ref": "b", "token": token, "gtin": GTIN},
        {"ref": "c", "token": token, "gtin": "4006381333931"},  # the same label found on another product
        {"ref": "d", "label_id": "AAAAAAAAAAAAAAAA"},
        {"ref": "e", "token": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")},
        {"ref": "f"},
        {"ref": "g", "token": issued["offline_url"]},
    ]
    r = service.client.post("/v1/labels:verify", json={"items": items}, headers=service.headers("demo-platform"))
    assert r.status_code == 200, r.text
    got = {x["ref"]: x["status"] for x in r.json()["results"]}
    assert got == {
        "a": "valid",
        "b": "valid",
        "c": "out_of_scope",
        "d": "unknown",
        "e": "invalid_signature",
        "f": "unknown",
        "g": "valid",
    }
    assert [x["ref"] for x in r.json()["results"]] == list("abcdefg")
    problem(service.client.post("/v1/labels:verify", json={"items": items}), 401)
    too_many = {"items": [{"label_id": issued["id"]}] * 1001}
    problem(service.client.post("/v1/labels:verify", json=too_many, headers=service.headers("demo-platform")), 422)


def test_platform_verify_takes_the_label_url_a_scan_gives(service: Service, issued: dict[str, Any]) -> None:
    """Issue 14: the default QR carries the short label URL; the schema promises "a label URL", yet it was refused."""
    url, lid = issued["url"], issued["id"]
    items = [
        {"ref": "short", "token": url, "gtin": GTIN},
        {"ref": "lower", "token": url.lower()},  # a scanner or a person may lower-case it
        {"ref": "offline", "token": issued["offline_url"]},
        {"ref": "elsewhere", "token": f"https://labels.example.com/L/{lid}"},
        {"ref": "elsewhere-offline", "token": issued["offline_url"].replace("LOCALHOST:8000", "EVIL.EXAMPLE")},
        {"ref": "other-path", "token": url.replace("/L/", "/X/")},
        {"ref": "not-a-token", "token": "hello, world"},
    ]
    r = service.client.post("/v1/labels:verify", json={"items": items}, headers=service.headers("demo-platform"))
    assert r.status_code == 200, r.text
    got = {x["ref"]: x for x in r.json()["results"]}
    assert got["short"]["status"] == got["lower"]["status"] == got["offline"]["status"] == "valid"
    assert got["short"]["label"]["label_id"] == lid
    for ref in ("elsewhere", "elsewhere-offline", "other-path"):
        assert (got[ref]["status"], got[ref]["reason"]) == ("unknown", "bad_item"), got[ref]
        assert "not a label URL of this registry" in got[ref]["detail"], got[ref]
    assert (got["not-a-token"]["status"], got["not-a-token"]["reason"]) == ("unknown", "bad_item")
    assert "neither a token nor a label URL" in got["not-a-token"]["detail"]


def test_a_label_not_valid_now_cannot_be_printed(service: Service, example: dict[str, Any]) -> None:
    """Issue 14: a suspended, revoked or expired label is refused for print (label.svg, QR SVG/PNG), saying why."""
    c, h = service.client, service.headers("demo-certifier")
    label = c.post(
        "/v1/labels", json={"declaration": example, "gtin": GTIN, "batch": "NOT-PRINTABLE"}, headers=h
    ).json()
    lid = label["id"]
    prints = [f"/v1/labels/{lid}/label.svg", f"/v1/labels/{lid}/qr?format=png", f"/v1/labels/{lid}/qr?kind=offline"]
    assert [c.get(u).status_code for u in prints] == [200, 200, 200]
    assert c.post(f"/v1/labels/{lid}/suspend", json={"reason": "under review"}, headers=h).status_code == 200
    for u in prints:
        body = problem(c.get(u), 409)
        assert body["type"].endswith("/label-not-printable") and "suspended" in body["detail"], body
        assert "under review" in body["detail"] and lid in body["detail"]
    assert c.post(f"/v1/labels/{lid}/reinstate", json={"reason": "ok"}, headers=h).status_code == 200
    assert c.get(prints[0]).status_code == 200
    real_clock = service.ctx.clock
    expires = datetime.fromisoformat(label["verification"]["label"]["expires_at"])
    service.ctx.clock = lambda: expires + timedelta(seconds=1)
    try:
        body = problem(c.get(prints[0]), 409)
        assert "expired" in body["detail"], body
    finally:
        service.ctx.clock = real_clock
    assert c.post(f"/v1/labels/{lid}/revoke", json={"reason": "data error"}, headers=h).status_code == 200
    body = problem(c.get(prints[0]), 409)
    assert "revoked" in body["detail"] and "data error" in body["detail"], body
    problem(c.get("/v1/labels/AAAAAAAAAAAAAAAA/label.svg"), 404)


def test_the_root_is_a_landing_page_with_a_search(service: Service, issued: dict[str, Any]) -> None:
    """Issue 14: / answered a JSON 404; it is a page saying what this registry is, with a search by id or GTIN."""
    c = service.client
    en = c.get("/", headers={"Accept-Language": "en"})
    zh = c.get("/", headers={"Accept-Language": "zh-CN"})
    assert en.status_code == zh.status_code == 200 and en.headers["content-type"].startswith("text/html")
    assert 'lang="en"' in en.text and 'lang="zh' in zh.text and "碳" in zh.text and "carbon" in en.text.lower()
    for page in (en.text, zh.text):
        assert "<script" not in page and "http://" not in page and "https://" not in page
        assert '<form method="get" action="/search"' in page and 'name="q"' in page
        assert "form-action 'self'" in page  # the page's CSP lets the search form submit, nothing else
    assert 'lang="zh' in c.get("/", params={"lang": "zh"}, headers={"Accept-Language": "en"}).text
    by_id = c.get("/search", params={"q": issued["id"].lower()}, follow_redirects=False)
    assert by_id.status_code == 303 and by_id.headers["location"] == f"/L/{issued['id']}"
    by_gtin = c.get("/search", params={"q": GTIN, "lang": "en"})
    assert by_gtin.status_code == 200 and f'href="/L/{issued["id"]}"' in by_gtin.text
    none = c.get("/search", params={"q": "4006381333931", "lang": "en"})
    assert none.status_code == 404 and "4006381333931" in none.text and "no label" in none.text.lower()
    bad = c.get("/search", params={"q": "<b>nonsense</b>", "lang": "en"})
    assert bad.status_code == 400 and "<b>nonsense" not in bad.text and "&lt;b&gt;nonsense" in bad.text
    assert "label id" in bad.text.lower() and "gtin" in bad.text.lower()


def test_the_page_url_answers_json_or_a_linkset_when_asked(service: Service, issued: dict[str, Any]) -> None:
    """Issue 14: a platform follows the URL a phone opens (/L/{id}) and asks for JSON or an RFC 9264 linkset."""
    c, lid = service.client, issued["id"]
    as_json = c.get(f"/L/{lid}", headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    assert as_json.json()["id"] == lid and as_json.json()["verification"]["status"] == "valid"
    assert as_json.json()["token"] == issued["token"] and "Accept" in as_json.headers["vary"]
    linkset = c.get(f"/l/{lid}", headers={"Accept": "application/linkset+json"})
    assert linkset.status_code == 200 and linkset.headers["content-type"].startswith("application/linkset+json")
    (context,) = linkset.json()["linkset"]
    assert context["anchor"] == issued["url"]
    assert [x["type"] for x in context["describedby"]] == ["application/json"]
    assert context["describedby"][0]["href"].endswith(f"/v1/labels/{lid}")
    assert {(x["type"], x["hreflang"][0]) for x in context["alternate"]} == {("text/html", "en"), ("text/html", "zh")}
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*", None, "application/json;q=0.5, text/html"):
        r = c.get(f"/L/{lid}", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), accept
    missing = c.get("/L/AAAAAAAAAAAAAAAA", headers={"Accept": "application/json"})
    assert problem(missing, 404)["type"].endswith("/not-found")
    problem(c.get("/L/AAAAAAAAAAAAAAAA", headers={"Accept": "application/linkset+json"}), 404)


def test_a_high_s_twin_of_an_issued_token_is_not_valid(service: Service, issued: dict[str, Any]) -> None:
    """Issue 10: (r, n - s) verified too, so every label had a second valid token the registry never issued."""
    from issuance.cose import P256_N

    token = token_from_b64url(issued["token"])
    s = int.from_bytes(token[-32:], "big")
    assert s <= P256_N // 2  # the registry signs in low-S form
    twin = token_to_b64url(token[:-32] + (P256_N - s).to_bytes(32, "big"))
    r = service.client.post(
        "/v1/labels:verify", json={"items": [{"token": twin}]}, headers=service.headers("demo-platform")
    )
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "invalid_signature", r.text


def test_status_lists_follow_revocation(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    label = c.post("/v1/labels", json={"declaration": example, "gtin": GTIN, "batch": "TO-REVOKE"}, headers=h).json()
    claims = label["verification"]["label"]
    uri = claims["status_uri"]
    path = uri[uri.index("/v1/status/") :]
    first = c.get(path)
    assert first.status_code == 200 and first.headers["content-type"] == "application/statuslist+cwt"
    assert "max-age" in first.headers["cache-control"]
    etag = first.headers["etag"]
    assert c.get(path, headers={"If-None-Match": etag}).status_code == 304
    trust = _trust(service)
    lst = parse_status_list_token(first.content, trust, now=service.ctx.clock(), uri=uri)
    assert lst.get(claims["status_idx"]) == Status.VALID and lst.size >= 131_072

    problem(
        c.post(f"/v1/labels/{label['id']}/revoke", json={"reason": "x"}, headers=service.headers("other-certifier")),
        403,
    )
    problem(
        c.post(f"/v1/labels/{label['id']}/revoke", json={"reason": "x"}, headers=service.headers("demo-platform")), 403
    )
    sus = c.post(f"/v1/labels/{label['id']}/suspend", json={"reason": "under review"}, headers=h)
    assert sus.status_code == 200 and sus.json()["verification"]["status"] == "suspended"
    second = c.get(path, headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["etag"] != etag
    lst = parse_status_list_token(second.content, trust, now=service.ctx.clock(), uri=uri)
    assert lst.get(claims["status_idx"]) == Status.SUSPENDED
    rev = c.post(f"/v1/labels/{label['id']}/revoke", json={"reason": "data error"}, headers=h)
    assert rev.json()["verification"]["status"] == "revoked" and rev.json()["state_reason"] == "data error"
    problem(c.post(f"/v1/labels/{label['id']}/reinstate", json={"reason": "oops"}, headers=h), 409)
    third = parse_status_list_token(c.get(path).content, trust, now=service.ctx.clock(), uri=uri)
    assert third.get(claims["status_idx"]) == Status.INVALID
    page = c.get(f"/l/{label['id']}")
    assert page.status_code == 200 and "revoked" in page.text.lower()
    problem(c.get("/v1/status/demo-certifier/999"), 404)
    trust_list = c.get("/v1/trust-list")
    assert trust_list.headers["cache-control"].startswith("public")
    assert c.get("/v1/trust-list", headers={"If-None-Match": trust_list.headers["etag"]}).status_code == 304


def test_a_status_list_number_no_list_can_have_is_not_found(service: Service) -> None:
    # 2**63 cannot be bound as an SQLite integer: it was a 500 (found by test_schemathesis). Since
    # issue 10 the OpenAPI bounds the number (0 .. 2**31 - 1), and a number outside is a 422
    for list_no in (-1, 2**31, 2**63, -(2**63) - 1):
        problem(service.client.get(f"/v1/status/demo-certifier/{list_no}"), 422)
    problem(service.client.get(f"/v1/status/demo-certifier/{2**31 - 1}"), 404)


def test_issue_refusals(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    bad = copy.deepcopy(example)
    bad["pcf"]["ipccCharacterizationFactors"] = ["AR4"]
    refused = problem(c.post("/v1/labels", json={"declaration": bad, "gtin": GTIN}, headers=h), 422)
    assert refused["type"].endswith("/not-conformant") and refused["findings"]
    problem(c.post("/v1/labels", json={"declaration": example, "gtin": "123"}, headers=h), 422)
    problem(
        c.post("/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("demo-platform")), 403
    )
    problem(c.post("/v1/labels", json={"declaration": example, "gtin": GTIN}), 401)
    # other-certifier has no label signing key yet: refused with a hint, nothing stored
    none = problem(
        c.post("/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("other-certifier")),
        403,
    )
    assert "pcfreg keys rotate" in none["detail"]


def test_rotation_keeps_old_labels_valid(service: Service, issued: dict[str, Any], example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    problem(c.post("/v1/certifiers/demo-certifier/keys:rotate", headers=service.headers("other-certifier")), 403)
    r = c.post("/v1/certifiers/demo-certifier/keys:rotate", headers=h)
    assert r.status_code == 201, r.text
    old_kid = issued["verification"]["label"]["kid"]
    assert old_kid in [k["kid"] for k in r.json()["retired"]]
    fresh = c.post("/v1/labels", json={"declaration": example, "gtin": GTIN, "batch": "ROTATED"}, headers=h).json()
    assert fresh["verification"]["label"]["kid"] == r.json()["kid"] != old_kid
    states = {k["kid"]: k["state"] for k in c.get("/v1/trust-list").json()["keys"]}
    assert states[old_kid] == "verify-only" and states[r.json()["kid"]] == "active"
    later = service.ctx.clock() + timedelta(days=400)  # past the old key's usage period, before the label expires
    token = token_from_b64url(issued["token"])
    result = verify(token, trust=_trust(service), status=None, now=later, check_status=False)
    assert result.status.value == "valid", result.reason


def test_batch_issue_jsonl(service: Service, example: dict[str, Any]) -> None:
    import json

    bad = copy.deepcopy(example)
    bad["pcf"]["ipccCharacterizationFactors"] = ["AR4"]
    lines = [
        json.dumps({"declaration": example, "gtin": GTIN, "batch": "L-1"}),
        json.dumps({"declaration": bad, "gtin": GTIN}),
        "",
        "{not json",
        json.dumps({"declaration": example, "gtin": "123"}),
        json.dumps({"declaration": example, "gtin": GTIN, "batch": "L-2"}),
        json.dumps({"declaration": example, "gtim": GTIN}),
    ]
    body = "\n".join(lines).encode()
    h = {**service.headers("demo-certifier"), "Content-Type": "application/jsonl"}
    r = service.client.post("/v1/labels:batch", content=body, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/jsonl")
    out = [json.loads(x) for x in r.text.splitlines()]
    assert [x["line"] for x in out] == [1, 2, 4, 5, 6, 7]
    ok = {x["line"]: x for x in out if "id" in x}
    assert set(ok) == {1, 6}
    errors = {x["line"]: x["error"]["code"] for x in out if "error" in x}
    assert set(errors) == {2, 4, 5, 7}
    assert errors[2] == "not-conformant" and errors[4] == "input-error" and errors[7] == "invalid-request"
    for item in ok.values():
        got = service.client.get(f"/v1/labels/{item['id']}").json()
        assert got["token"] == item["token"] and got["verification"]["status"] == "valid"
    assert service.client.get(f"/v1/labels/{ok[6]['id']}").json()["verification"]["label"]["batch"] == "L-2"
    problem(service.client.post("/v1/labels:batch", content=body, headers=service.headers("demo-platform")), 403)


def test_a_certifier_lists_its_own_labels(service: Service, issued: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    mine = c.get("/v1/labels", headers=h, params={"gtin": GTIN, "limit": 500}).json()["items"]
    assert issued["id"] in {x["id"] for x in mine} and all(x["gtin"] == GTIN for x in mine)
    revoked = c.get("/v1/labels", headers=h, params={"state": "revoked", "limit": 500}).json()["items"]
    assert all(x["state"] == "revoked" for x in revoked)
    assert c.get("/v1/labels", headers=service.headers("other-certifier")).json()["items"] == []
    problem(c.get("/v1/labels", headers=h, params={"gtin": "123"}), 422)
    problem(c.get("/v1/labels", headers=service.headers("demo-platform")), 403)
    problem(c.get("/v1/labels"), 401)


def test_printable_label_as_pdf_in_variants(service: Service, issued: dict[str, Any]) -> None:
    """Issue 14: label.pdf and label.svg with Accept: application/pdf give the same vector artwork as PDF;
    variant and width_mm are query parameters; too narrow for the QR code's modules is refused, naming why."""
    c, lid = service.client, issued["id"]
    pdf = c.get(f"/v1/labels/{lid}/label.pdf", params={"variant": "small", "lang": "zh"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    negotiated = c.get(f"/v1/labels/{lid}/label.svg", headers={"Accept": "application/pdf"})
    assert negotiated.headers["content-type"] == "application/pdf" and negotiated.content.startswith(b"%PDF-")
    svg = c.get(f"/v1/labels/{lid}/label.svg", params={"variant": "mono", "kind": "offline"})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert 'data-variant="mono"' in svg.text and 'width="95.3mm"' in svg.text  # enlarged for the offline code
    narrow = c.get(f"/v1/labels/{lid}/label.svg", params={"kind": "offline", "width_mm": 60})
    assert narrow.status_code == 422 and narrow.json()["location"]["pointer"] == "/width_mm"
    assert "at least 95.3 mm" in narrow.json()["detail"]
