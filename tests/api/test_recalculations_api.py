"""POST /v1/recalculations: the CLI's result object, stored with the validation for the certifier only."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from api_support import Service, problem

from registry.packs import Catalog

AL = "example-standards-body/aluminium-ingot@1.2.0"


@pytest.fixture(scope="module")
def al_pair() -> tuple[dict[str, Any], dict[str, Any]]:
    resolved = Catalog.bundled().resolve(AL)
    assert resolved.example is not None and resolved.example_inventory is not None
    return resolved.example, resolved.example_inventory


def test_recalculation_stored_with_its_validation(service: Service, al_pair: tuple[dict[str, Any], ...]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    declaration, inventory = al_pair
    r = c.post("/v1/recalculations", json={"declaration": declaration, "inventory": inventory}, headers=h)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["validation"]["conformant"] is True and body["validation"]["pack"]["version"] == "1.2.0"
    assert body["recalculation"]["total"] == "14599.57749214" and r.headers["location"].endswith(body["id"])
    stored = c.get(f"/v1/validations/{body['id']}", headers=h).json()
    assert stored["recalculation"] == body["recalculation"] and stored["inventory"] == inventory
    problem(c.get(f"/v1/validations/{body['id']}", headers=service.headers("other-certifier")), 404)


def test_only_a_certifier_sends_an_inventory(service: Service, al_pair: tuple[dict[str, Any], ...]) -> None:
    declaration, inventory = al_pair
    r = service.client.post(
        "/v1/recalculations",
        json={"declaration": declaration, "inventory": inventory},
        headers=service.headers("demo-platform"),
    )
    assert r.status_code == 403, r.text


def test_bad_inventory_names_the_pointer(service: Service, al_pair: tuple[dict[str, Any], ...]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    declaration, inventory = al_pair
    before = len(c.get("/v1/validations", headers=h).json()["items"])
    bad = copy.deepcopy(inventory)
    bad["lines"][1]["unit"] = ""
    body = problem(c.post("/v1/recalculations", json={"declaration": declaration, "inventory": bad}, headers=h), 422)
    assert "/lines/1/unit" in str(body)
    missing = problem(c.post("/v1/recalculations", json={"declaration": declaration}, headers=h), 422)
    assert "/inventory" in str(missing)
    assert len(c.get("/v1/validations", headers=h).json()["items"]) == before  # nothing stored on a refusal
