"""Grading catalogues over HTTP (issue 13): publish as an authority, read, the public page, a label graded by
the catalogue in force and its consumer page linking the catalogue, the role matrix of the writes, and the
statistics floor. The catalogue's figures are test data (tests/catalogues/catalogue_support.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from api_support import Service, problem
from lxml import html

from issuance.label_svg import grade_colours
from registry.catalogues import Catalogue, sign_catalogue
from registry.packs.catalog import Catalog
from registry.packs.signing import load_private_key
from registry.service.bootstrap import DEMO_CERTIFIER, DEMO_PLATFORM, EXAMPLE_BODY, signing_key_path

_spec = importlib.util.spec_from_file_location(
    "catalogue_support_api", Path(__file__).resolve().parent.parent / "catalogues" / "catalogue_support.py"
)
assert _spec is not None and _spec.loader is not None
support: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

CAT = f"{EXAMPLE_BODY}/test-grades"
GTIN = "09506000134352"


def _signed(service: Service, doc: dict[str, Any]) -> dict[str, Any]:
    key = load_private_key(Path(signing_key_path(service.data_dir)).read_bytes())
    return sign_catalogue(Catalogue(doc), key, EXAMPLE_BODY)


def _count(service: Service) -> int:
    return len(service.client.get("/v1/catalogues").json())


def test_writes_refused_for_every_wrong_caller_and_nothing_stored(service: Service) -> None:
    c = service.client
    envelope = _signed(service, support.catalogue(version="0.9.0"))
    before = _count(service)
    problem(c.post("/v1/catalogues", json=envelope), 401)
    problem(c.post("/v1/catalogues/compute", json=support.catalogue()), 401)
    for org in (DEMO_CERTIFIER, DEMO_PLATFORM, "other-body"):
        problem(c.post("/v1/catalogues", json=envelope, headers=service.headers(org)), 403)
    for org in (DEMO_CERTIFIER, DEMO_PLATFORM):
        problem(c.post("/v1/catalogues/compute", json=support.catalogue(), headers=service.headers(org)), 403)
    as_regulator = support.catalogue(
        version="0.9.1", publisher={"id": EXAMPLE_BODY, "name": {"en": "B", "zh": "B"}, "role": "regulator"}
    )
    problem(c.post("/v1/catalogues", json=_signed(service, as_regulator), headers=service.headers(EXAMPLE_BODY)), 403)
    broken = support.catalogue(version="0.9.2", effective={"from": "2026-01-01", "until": "2025-01-01"})
    body = problem(c.post("/v1/catalogues", json=_signed(service, broken), headers=service.headers(EXAMPLE_BODY)), 422)
    assert any(f["rule_id"] == "catalogue.effective" for f in body["findings"])
    assert _count(service) == before


def test_publish_read_page_and_a_label_graded_by_it(service: Service) -> None:
    c, headers = service.client, service.headers(EXAMPLE_BODY)
    envelope = _signed(service, support.catalogue())
    r = c.post("/v1/catalogues", json=envelope, headers=headers)
    assert r.status_code == 201, r.text
    assert c.post("/v1/catalogues", json=envelope, headers=headers).status_code == 200
    changed = support.catalogue()
    changed["categories"][0]["basis"]["bands"][0]["max"] = "4000"
    problem(c.post("/v1/catalogues", json=_signed(service, changed), headers=headers), 409)
    one = c.get(f"/v1/catalogues/{CAT}/versions/1.0.0").json()
    assert one["envelope"]["digest"] == one["digest"] and one["catalogue"]["id"] == CAT
    for lang, words in (("en", "Set by"), ("zh", "设定者")):
        page = c.get(f"/v1/catalogues/{CAT}/versions/1.0.0/page", params={"lang": lang})
        assert page.status_code == 200 and words in page.text and "<script" not in page.text

    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot@1.0.0").example
    r = c.post("/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers(DEMO_CERTIFIER))
    assert r.status_code == 201, r.text
    label = r.json()["verification"]["label"]
    assert (label["grade"], label["catalogue"], label["grading"]) == ("2", f"{CAT}@1.0.0", "catalogue")
    consumer = html.document_fromstring(c.get(f"/L/{r.json()['id']}", headers={"Accept-Language": "en"}).text)
    assert f"/v1/catalogues/{CAT}/versions/1.0.0/page" in [a.get("href") for a in consumer.iter("a")]
    assert "llustrative" not in consumer.body.text_content()
    svg = c.get(f"/v1/labels/{r.json()['id']}/label.svg").text
    assert f"{CAT}@1.0.0" in svg and "Illustrative" not in svg
    assert c.get(f"/v1/catalogues/{CAT}/versions/1.0.0/page").headers["vary"] == "Accept-Language"
    badge = consumer.find_class("badge")[0].get("style")
    assert grade_colours("2", ("1", "2", "3"))[0] in badge  # coloured on the catalogue's scale, not grey

    later = support.catalogue(version="1.1.0", transition={"policy": "regrade-by", "by": "2026-01-31"})
    assert c.post("/v1/catalogues", json=_signed(service, later), headers=headers).status_code == 201
    page = html.document_fromstring(c.get(f"/L/{r.json()['id']}", headers={"Accept-Language": "en"}).text)
    assert "was to be re-graded by 2026-01-31" in " ".join(page.body.text_content().split())


def test_an_ungraded_label_is_issued_shown_and_printed(service: Service) -> None:
    c = service.client
    example = Catalog.bundled().resolve("example-standards-body/ev-traction-battery").example
    r = c.post("/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers(DEMO_CERTIFIER))
    assert r.status_code == 201, r.text
    label = r.json()["verification"]["label"]
    assert label["grade"] is None and label["grading"] == "ungraded"
    for lang, words in (("en", "No grade"), ("zh", "无等级")):
        page = c.get(f"/L/{r.json()['id']}", params={"lang": lang})
        assert page.status_code == 200 and words in page.text
        svg = c.get(f"/v1/labels/{r.json()['id']}/label.svg", params={"lang": lang})
        assert svg.status_code == 200 and words in svg.text


def test_statistics_below_the_floor_show_no_figure(service: Service) -> None:
    body = service.client.get("/v1/statistics/example-standards-body/aluminium-ingot").json()
    assert body["published"] is False and set(body) == {"category", "published", "floor"}
