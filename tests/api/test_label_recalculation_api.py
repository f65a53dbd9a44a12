"""A label records the recalculation it rests on (issue 12): the label JSON shows it, the consumer
page says one line about it, and no inventory line is shown publicly."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Service, problem

from registry.packs import Catalog

AL = "example-standards-body/aluminium-ingot@1.2.0"
GTIN = "09506000134352"


@pytest.fixture(scope="module")
def al_pair() -> tuple[dict[str, Any], dict[str, Any]]:
    resolved = Catalog.bundled().resolve(AL)
    assert resolved.example is not None and resolved.example_inventory is not None
    return resolved.example, resolved.example_inventory


@pytest.fixture(scope="module")
def recomputed(service: Service, al_pair: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    declaration, inventory = al_pair
    r = service.client.post(
        "/v1/recalculations",
        json={"declaration": declaration, "inventory": inventory},
        headers=service.headers("demo-certifier"),
        params={"pack": AL},
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_label_of_a_recomputed_declaration_records_its_recalculation(
    service: Service, al_pair: tuple[dict[str, Any], ...], recomputed: dict[str, Any]
) -> None:
    c, h = service.client, service.headers("demo-certifier")
    declaration = al_pair[0]
    r = c.post("/v1/labels", json={"declaration": declaration, "gtin": GTIN, "pack": AL}, headers=h)
    assert r.status_code == 201, r.text
    record = r.json()["recalculation"]
    recalc = recomputed["recalculation"]
    assert record["id"] == recomputed["id"]
    assert record["inventoryDigest"] == recalc["inventoryDigest"]
    assert record["factorSets"] == recalc["setsUsed"] and record["factorSets"]
    assert record["deviationPercent"] == recalc["deviationPercent"]["total"]
    label_id = r.json()["id"]
    # the public views: GET /v1/labels/{id} and the JSON answer of /L/{id}
    assert c.get(f"/v1/labels/{label_id}").json()["recalculation"] == record
    assert c.get(f"/L/{label_id}", headers={"Accept": "application/json"}).json()["recalculation"] == record
    en = c.get(f"/L/{label_id}", params={"lang": "en"}).text
    zh = c.get(f"/L/{label_id}", params={"lang": "zh"}).text
    sets = record["factorSets"]
    deviation = record["deviationPercent"].rstrip("0").rstrip(".")
    many = "sets" if len(sets) > 1 else "set"
    assert f"Recomputed from factor {many} {', '.join(sets)}: deviation {deviation} %" in en
    assert f"已依据因子集 {'、'.join(sets)} 重新核算：偏差 {deviation} %" in zh
    # nothing of the inventory itself reaches the public page
    inventory = al_pair[1]
    for line in inventory["lines"]:
        assert line["id"] not in en and line["id"] not in zh


def test_a_label_of_a_declared_figure_says_it_was_not_recomputed(service: Service) -> None:
    c, h = service.client, service.headers("demo-certifier")
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot@1.0.0").example
    r = c.post("/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=h)
    assert r.status_code in (200, 201), r.text
    assert r.json()["recalculation"] is None
    page = c.get(f"/L/{r.json()['id']}", params={"lang": "en"}).text
    assert "Declared figure, not recomputed" in page and "Recomputed from" not in page
    assert "申报数值，未经重新核算" in c.get(f"/L/{r.json()['id']}", params={"lang": "zh"}).text


def test_a_named_recalculation_of_another_declaration_is_refused(
    service: Service, al_pair: tuple[dict[str, Any], ...], recomputed: dict[str, Any]
) -> None:
    c, h = service.client, service.headers("demo-certifier")
    other = dict(al_pair[0], id="0b4e1d2c-3a5f-4c6e-8d9a-0b1c2d3e4f52")
    body = {"declaration": other, "gtin": GTIN, "pack": AL, "recalculation": recomputed["id"]}
    refused = problem(c.post("/v1/labels", json=body, headers=h), 422)
    assert "/recalculation" in str(refused) and "another declaration" in str(refused)
    missing = problem(c.post("/v1/labels", json={**body, "recalculation": "no-such-id"}, headers=h), 422)
    assert "not found" in str(missing)
    # another certifier cannot lean on this certifier's recalculation
    theirs = {"declaration": al_pair[0], "gtin": GTIN, "pack": AL, "recalculation": recomputed["id"]}
    r = c.post("/v1/labels", json=theirs, headers=service.headers("other-certifier"))
    assert r.status_code in (403, 422), r.text
