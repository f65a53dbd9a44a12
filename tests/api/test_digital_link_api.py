"""The GS1 Digital Link resolver over HTTP: /01/{GTIN}[/10/{batch}][/21/{serial}] redirects a browser to the
current label's page in its language, answers a linkset to a platform, and warns about an unknown product."""

from __future__ import annotations

import io
from typing import Any

import pytest
import zxingcpp
from api_support import Service, problem
from PIL import Image

from registry.packs.catalog import Catalog

AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"  # GS1's example GTIN (check digit 2)
GTIN13 = GTIN[1:]
OTHER = "09521234543213"  # a valid GTIN no label here names
VOC = "https://ref.gs1.org/voc/"
LINKSET = {"Accept": "application/linkset+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def labels(service: Service) -> dict[str, str]:
    """Three labels of one GTIN: one for batch B1, one for batch B2 (suspended later), one for the product."""
    ex = Catalog.bundled().resolve(f"{AL}@1.0.0").example
    assert ex is not None
    h = service.headers("demo-certifier")
    out = {}
    for name, batch in (("product", None), ("b1", "B1"), ("b2", "B2/X")):
        body: dict[str, Any] = {"declaration": ex, "gtin": GTIN}
        if batch is not None:
            body["batch"] = batch
        r = service.client.post("/v1/labels", json=body, headers=h)
        assert r.status_code == 201, r.text
        out[name] = r.json()["id"]
    return out


def _redirect(service: Service, path: str, **headers: str) -> str:
    r = service.client.get(path, headers=BROWSER | headers, follow_redirects=False)
    assert r.status_code == 307, r.text
    assert 'rel="linkset"' in r.headers["link"] and "Accept-Language" in r.headers["vary"]
    assert r.headers["access-control-allow-origin"] == "*"
    return str(r.headers["location"])


def test_a_browser_is_sent_to_the_label_of_the_batch_in_its_language(service: Service, labels: dict[str, str]) -> None:
    b1 = labels["b1"]
    assert _redirect(service, f"/01/{GTIN}/10/B1") == f"/L/{b1}?lang=en"
    assert _redirect(service, f"/01/{GTIN}/10/B1", **{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}) == (
        f"/L/{b1}?lang=zh"
    )
    assert _redirect(service, f"/01/{GTIN}/10/B1?lang=zh") == f"/L/{b1}?lang=zh"
    # the serial selects nothing (labels are per product or batch); a GTIN-13 is the same product
    assert _redirect(service, f"/01/{GTIN13}/10/B1/21/0042") == f"/L/{b1}?lang=en"
    # the redirect lands on the label's page
    page = service.client.get(f"/01/{GTIN}/10/B1", headers=BROWSER)
    assert page.status_code == 200 and b1 in page.text and page.headers["content-type"].startswith("text/html")


def test_a_batch_with_a_percent_encoded_slash_is_one_value(service: Service, labels: dict[str, str]) -> None:
    assert _redirect(service, f"/01/{GTIN}/10/B2%2FX") == f"/L/{labels['b2']}?lang=en"


def test_without_a_batch_label_the_product_label_answers(service: Service, labels: dict[str, str]) -> None:
    assert _redirect(service, f"/01/{GTIN}") == f"/L/{labels['product']}?lang=en"
    assert _redirect(service, f"/01/{GTIN}/10/NOSUCH") == f"/L/{labels['product']}?lang=en"


def test_a_platform_gets_a_linkset_with_gs1_link_types(service: Service, labels: dict[str, str]) -> None:
    b1 = labels["b1"]
    for how in ({"headers": LINKSET}, {"params": {"linkType": "linkset"}}, {"params": {"linkType": "all"}}):
        r = service.client.get(f"/01/{GTIN13}/10/B1", **how)
        assert r.status_code == 200, (how, r.text)
        assert r.headers["content-type"].startswith("application/linkset+json")
        (context,) = r.json()["linkset"]
        assert context["anchor"].endswith(f"/01/{GTIN}/10/B1")  # canonical: 14 digits
        assert context[VOC + "defaultLink"][0]["href"].endswith(f"/L/{b1}")
        assert {x["hreflang"][0] for x in context[VOC + "pip"]} == {"en", "zh"}
        (cert,) = context[VOC + "certificationInfo"]
        assert cert["href"].endswith(f"/v1/labels/{b1}") and cert["type"] == "application/json"
        sust = context[VOC + "sustainabilityInfo"]
        assert {(x["href"].rsplit("/", 1)[1], x["hreflang"][0]) for x in sust} == {
            (f"{b1}?lang=en", "en"),
            (f"{b1}?lang=zh", "zh"),
        }
    data = service.client.get(f"/01/{GTIN}/10/B1", headers={"Accept": "application/json"}).json()
    assert data["linkset"][0][VOC + "defaultLink"][0]["href"].endswith(b1)


def test_a_link_type_redirects_to_that_link(service: Service, labels: dict[str, str]) -> None:
    b1 = labels["b1"]
    assert _redirect(service, f"/01/{GTIN}/10/B1?linkType=gs1:certificationInfo") == f"/v1/labels/{b1}"
    assert _redirect(service, f"/01/{GTIN}/10/B1?linkType=gs1:sustainabilityInfo&lang=zh") == f"/L/{b1}?lang=zh"
    assert _redirect(service, f"/01/{GTIN}/10/B1?linkType=gs1:nosuchType") == f"/L/{b1}?lang=en"


def test_an_unknown_product_is_a_warning_not_a_blank(service: Service, labels: dict[str, str]) -> None:
    page = service.client.get(f"/01/{OTHER}/10/B1", headers=BROWSER | {"Accept-Language": "en"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert OTHER in page.text
    missing = service.client.get(f"/01/{OTHER}", headers=LINKSET)
    body = problem(missing, 404)
    assert OTHER in body["detail"] and body["type"].endswith("/not-found")
    assert missing.headers["access-control-allow-origin"] == "*"  # a resolver answers any web page


def test_a_uri_that_is_not_a_digital_link_is_refused_naming_the_segment(service: Service) -> None:
    bad_check = f"/01/{GTIN[:-1]}3"
    body = problem(service.client.get(bad_check, headers=LINKSET), 400)
    assert body["segment"] == "/01" and body["reason"] == "bad_check_digit" and "check digit" in body["detail"]
    body = problem(service.client.get(f"/01/{GTIN}/21/S1/10/B1", headers=LINKSET), 400)
    assert (body["segment"], body["reason"]) == ("/21", "qualifier_order")
    body = problem(service.client.get(f"/01/{GTIN}/10/{'X' * 21}", headers=LINKSET), 400)
    assert (body["segment"], body["reason"]) == ("/10", "too_long")
    page = service.client.get(bad_check, headers=BROWSER)
    assert page.status_code == 400 and "check digit" in page.text


def test_a_suspended_batch_label_is_shown_with_its_state_and_is_no_certification(
    service: Service, labels: dict[str, str]
) -> None:
    b2, h = labels["b2"], service.headers("demo-certifier")
    r = service.client.post(f"/v1/labels/{b2}/suspend", json={"reason": "under review"}, headers=h)
    assert r.status_code == 200, r.text
    # the batch's only label is suspended: its page says so (no silent fall back to the product's label)
    assert _redirect(service, f"/01/{GTIN}/10/B2%2FX") == f"/L/{b2}?lang=en"
    (context,) = service.client.get(f"/01/{GTIN}/10/B2%2FX", headers=LINKSET).json()["linkset"]
    assert context[VOC + "defaultLink"][0]["href"].endswith(b2)
    assert VOC + "certificationInfo" not in context and VOC + "sustainabilityInfo" not in context
    r = service.client.post(f"/v1/labels/{b2}/reinstate", json={"reason": "cleared"}, headers=h)
    assert r.status_code == 200, r.text


def test_platform_verify_takes_a_digital_link_uri(service: Service, labels: dict[str, str]) -> None:
    """Issue 14: POST /v1/labels:verify resolves a Digital Link URI to the product's current label, then verifies it."""
    items = [
        {"ref": "batch", "token": f"https://shop.example/01/{GTIN13}/10/B1/21/7", "gtin": GTIN},
        {"ref": "upper", "token": f"HTTP://LOCALHOST:8000/01/{GTIN}/10/B1"},  # what an upper-case QR code carries
        {"ref": "product", "token": f"https://id.gs1.org/01/{GTIN}"},
        {"ref": "mismatch", "token": f"https://id.gs1.org/01/{GTIN}/10/B1", "gtin": OTHER},
        {"ref": "unknown", "token": f"https://id.gs1.org/01/{OTHER}"},
        {"ref": "bad-check", "token": f"https://id.gs1.org/01/{GTIN[:-1]}7/10/B1"},
        {"ref": "bad-order", "token": f"https://id.gs1.org/01/{GTIN}/21/7/10/B1"},
    ]
    r = service.client.post("/v1/labels:verify", json={"items": items}, headers=service.headers("demo-platform"))
    assert r.status_code == 200, r.text
    got = {x["ref"]: x for x in r.json()["results"]}
    assert (got["batch"]["status"], got["batch"]["label"]["label_id"]) == ("valid", labels["b1"])
    assert got["batch"]["label"]["batch"] == "B1"
    assert (got["upper"]["status"], got["upper"]["label_id"]) == ("valid", labels["b1"])
    assert (got["product"]["status"], got["product"]["label_id"]) == ("valid", labels["product"])
    assert (got["mismatch"]["status"], got["mismatch"]["reason"]) == ("out_of_scope", "gtin_mismatch")
    assert (got["unknown"]["status"], got["unknown"]["reason"]) == ("unknown", "unknown_product")
    assert OTHER in got["unknown"]["detail"]
    assert (got["bad-check"]["status"], got["bad-check"]["reason"]) == ("unknown", "bad_item")
    assert got["bad-check"]["detail"].startswith("/01:") and "check digit" in got["bad-check"]["detail"]
    assert got["bad-order"]["detail"].startswith("/21:"), got["bad-order"]


def test_a_scanned_digital_link_qr_code_resolves_to_its_label(service: Service, labels: dict[str, str]) -> None:
    """Issue 14: a label issued with qr=digital-link carries the product's Digital Link URI; the QR code the
    registry draws for it, scanned back by zxing, leads to that label."""
    ex = Catalog.bundled().resolve(f"{AL}@1.0.0").example
    body = {"declaration": ex, "gtin": GTIN13, "batch": "LOT-7.2026", "qr": "digital-link"}
    r = service.client.post("/v1/labels", json=body, headers=service.headers("demo-certifier"))
    assert r.status_code == 201, r.text
    issued = r.json()
    lid, uri = issued["id"], issued["digital_link"]
    assert issued["qr"] == "digital-link"
    assert uri == f"HTTP://LOCALHOST:8000/01/{GTIN}/10/LOT-7.2026"  # the QR alphanumeric set only
    png = service.client.get(f"/v1/labels/{lid}/qr", params={"format": "png"})  # the label's own kind
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    (scanned,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert scanned.text == uri and scanned.format == zxingcpp.BarcodeFormat.QRCode
    path = scanned.text.split("8000", 1)[1]
    assert _redirect(service, path) == f"/L/{lid}?lang=en"
    svg = service.client.get(f"/v1/labels/{lid}/label.svg")
    assert svg.status_code == 200 and "/10/LOT-7.2026" in svg.text.upper()
    short = service.client.get(f"/v1/labels/{lid}/qr", params={"format": "png", "kind": "url"})
    (scanned,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(short.content)))
    assert scanned.text == issued["url"]  # the short URL is still there when asked for
    assert service.client.get(f"/v1/labels/{lid}").json()["qr"] == "digital-link"  # the record keeps the kind
    # a label issued without asking keeps today's QR code: the short URL
    plain = service.client.get(f"/v1/labels/{labels['product']}").json()
    assert plain["qr"] == "url" and "digital_link" not in plain
    png = service.client.get(f"/v1/labels/{labels['product']}/qr", params={"format": "png"})
    (scanned,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert scanned.text == plain["url"]


def test_a_batch_a_digital_link_cannot_carry_is_refused_at_issue(service: Service) -> None:
    ex = Catalog.bundled().resolve(f"{AL}@1.0.0").example
    body = {"declaration": ex, "gtin": GTIN, "batch": "LOT#7", "qr": "digital-link"}
    r = service.client.post("/v1/labels", json=body, headers=service.headers("demo-certifier"))
    assert "batch" in problem(r, 422)["detail"] and "#" in r.json()["detail"]


# ------------------------------------------------------------------ HEAD, OPTIONS, /.well-known/gs1resolver
# The GS1-Conformant Resolver Standard 1.2.0 asks a resolver for GET, HEAD and OPTIONS, and CORS.

_HEAD_CASES = [
    ("redirect", f"/01/{GTIN}/10/B1", BROWSER),
    ("linkset", f"/01/{GTIN}/10/B1", LINKSET),
    ("malformed", f"/01/{GTIN[:-1]}3", LINKSET),
    ("unknown product page", f"/01/{OTHER}", BROWSER),
    ("consumer page", "/L/{b1}?lang=zh", BROWSER),
    ("consumer page json", "/l/{b1}", {"Accept": "application/json"}),
    ("unknown label page", "/L/AAAAAAAAAAAAAAAA", BROWSER),
    ("description", "/.well-known/gs1resolver", {}),
]


@pytest.mark.parametrize(("case", "path", "headers"), _HEAD_CASES, ids=[c[0] for c in _HEAD_CASES])
def test_head_answers_as_get_without_a_body(
    service: Service, labels: dict[str, str], case: str, path: str, headers: dict[str, str]
) -> None:
    url = path.format(b1=labels["b1"])
    got = service.client.get(url, headers=headers, follow_redirects=False)
    head = service.client.head(url, headers=headers, follow_redirects=False)
    assert head.status_code == got.status_code and head.content == b""
    assert (got.content != b"") == (case != "redirect")  # a 307 has no body to leave out
    for name in ("content-type", "location", "link", "vary", "access-control-allow-origin"):
        assert head.headers.get(name) == got.headers.get(name), name
    assert head.headers["content-length"] == str(len(got.content))


@pytest.mark.parametrize("path", [f"/01/{GTIN}/10/B1", "/L/AAAAAAAAAAAAAAAA", "/l/x", "/.well-known/gs1resolver"])
def test_options_allows_get_head_options_and_answers_a_cors_preflight(service: Service, path: str) -> None:
    plain = service.client.options(path)
    assert plain.status_code == 204 and plain.content == b""
    assert plain.headers["allow"] == "GET, HEAD, OPTIONS" and plain.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-methods" not in plain.headers  # no preflight asked
    preflight = service.client.options(
        path,
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept",
        },
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert set(preflight.headers["access-control-allow-methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "accept" in preflight.headers["access-control-allow-headers"].lower()
    get = service.client.get(path, headers=BROWSER, follow_redirects=False)
    assert "Link" in get.headers["access-control-expose-headers"]  # a script may read the linkset's Link


def test_the_resolver_describes_itself_at_the_well_known_address(service: Service) -> None:
    """Fields of the GS1-Conformant Resolver Standard 1.2.0 description-file schema: resolverRoot and
    supportedPrimaryKeys required; name, supportedLinkType (namespace, prefix with its colon) and
    linkTypeDefaultCanBeLinkset optional."""
    r = service.client.get("/.well-known/gs1resolver")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.headers["access-control-allow-origin"] == "*"
    doc = r.json()
    base = service.ctx.labels.settings.base_url if service.ctx.labels else ""
    assert doc["resolverRoot"] == base.rstrip("/") and doc["resolverRoot"].startswith(("http://", "https://"))
    assert doc["supportedPrimaryKeys"] == ["01"]
    assert doc["supportedLinkType"] == [{"namespace": VOC, "prefix": "gs1:"}]
    assert doc["linkTypeDefaultCanBeLinkset"] is False and isinstance(doc["name"], str)
    assert set(doc) == {
        "name",
        "resolverRoot",
        "supportedPrimaryKeys",
        "supportedLinkType",
        "linkTypeDefaultCanBeLinkset",
    }
    # the root is where a Digital Link URI of this registry resolves
    redirected = service.client.get(f"{doc['resolverRoot']}/01/{GTIN}/10/B1", headers=BROWSER, follow_redirects=False)
    assert redirected.status_code == 307
