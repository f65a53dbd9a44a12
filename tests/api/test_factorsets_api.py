"""The factor-set routes: publish, list, search, get a version or a factor, diff, withdraw (problem+json on refusal)."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

from api_support import Service, problem

from registry.factors import factor_set_from_data, sign_factor_set
from registry.service.bootstrap import EXAMPLE_BODY, signing_key_path

SET = f"{EXAMPLE_BODY}/fuels"


def _small_set_document() -> dict[str, Any]:
    path = Path(__file__).resolve().parent.parent / "factors" / "factor_support.py"
    spec = importlib.util.spec_from_file_location("factors_conftest_api", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc: dict[str, Any] = copy.deepcopy(module.small_set_document())
    doc["id"] = SET
    doc["publisher"] = {"id": EXAMPLE_BODY, "name": "Example"}
    return doc


def _signed(service: Service, doc: dict[str, Any]) -> dict[str, Any]:
    pem = Path(signing_key_path(service.data_dir)).read_bytes()
    return sign_factor_set(factor_set_from_data(doc), pem, EXAMPLE_BODY)


def _v(version: str, grid: str, **changes: Any) -> dict[str, Any]:
    doc = _small_set_document()
    doc.update(version=version, **changes)
    doc["records"][1]["value"] = grid
    return doc


def test_bundled_sets_are_published_at_init(service: Service) -> None:
    listed = service.client.get("/v1/factorsets").json()
    refs = {f"{s['id']}@{s['version']}" for s in listed}
    assert "pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0" in refs
    r = service.client.get("/v1/factorsets/pcf-registry/ipcc-ar6-gwp100/versions/1.0.0/factors/CH4")
    assert r.status_code == 200
    assert r.json()["ref"] == "pcf-registry/ipcc-ar6-gwp100@1.0.0#CH4" and r.json()["factor"]["value"] == "27.9"


def test_publish_search_diff_withdraw(service: Service) -> None:
    c, headers = service.client, service.headers(EXAMPLE_BODY)
    v1 = _v("1.0.0", "0.6", effective={"from": "2025-01-01", "until": "2026-01-01"})
    r = c.post("/v1/factorsets", json=_signed(service, v1), headers=headers)
    assert r.status_code == 201, r.text
    assert c.post("/v1/factorsets", json=_signed(service, v1), headers=headers).status_code == 200
    r = c.post(
        "/v1/factorsets", json=_signed(service, _v("1.1.0", "0.66", effective={"from": "2026-01-01"})), headers=headers
    )
    assert r.status_code == 201 and r.json()["diff"]["changed"][0]["relativeChange"] == "0.1"

    found = c.get("/v1/factorsets/search", params={"region": "grid:test-north", "set": SET}).json()
    assert [f["ref"] for f in found] == [f"{SET}@1.1.0#grid-north", f"{SET}@1.0.0#grid-north"]
    page = c.get("/v1/factorsets/search", params={"activity": "fuel", "limit": 1})
    assert len(page.json()) == 1 and 'rel="next"' in page.headers["link"]
    assert c.get("/v1/factorsets/search", params={"classification": "hs"}).status_code == 422

    assert c.get(f"/v1/factorsets/{SET}", params={"on": "2025-06-01"}).json()["version"] == "1.0.0"
    current = c.get(f"/v1/factorsets/{SET}", params={"on": "2026-06-01"}).json()
    assert current["version"] == "1.1.0" and current["envelope"]["digest"] == current["digest"]
    diff = c.get(f"/v1/factorsets/{SET}/diff", params={"from": "1.0.0", "to": "1.1.0"}).json()
    assert [x["id"] for x in diff["changed"]] == ["grid-north"]

    body = problem(c.post(f"/v1/factorsets/{SET}/versions/1.1.0/withdraw", json={"reason": "x"}), 401)
    assert body["status"] == 401
    r = c.post(f"/v1/factorsets/{SET}/versions/1.1.0/withdraw", json={"reason": "wrong figure"}, headers=headers)
    assert r.json()["status"] == "withdrawn" and r.json()["status_reason"] == "wrong figure"
    problem(c.get(f"/v1/factorsets/{SET}", params={"on": "2026-06-01"}), 404)
    problem(c.get(f"/v1/factorsets/{SET}/versions/9.9.9"), 404)
    problem(c.get(f"/v1/factorsets/{SET}/versions/1.0.0/factors/nope"), 404)


def test_refusals_are_problems_and_store_nothing(service: Service) -> None:
    c, headers = service.client, service.headers(EXAMPLE_BODY)
    before = len(c.get("/v1/factorsets").json())
    bad = _v("2.0.0", "0.6")
    bad["records"][0]["value"] = "0.3"
    body = problem(c.post("/v1/factorsets", json=_signed(service, bad), headers=headers), 422)
    assert body["type"].endswith("/factorset-meta-check")
    assert body["location"] == {"pointer": "/factorSet/records/0/value"}
    assert any(f["rule_id"] == "factorset.gwp.sum" and f["path"] == "/records/0/value" for f in body["findings"])
    private = _v("2.0.1", "0.6", licence={"name": "Member terms", "redistributable": False})
    body = problem(c.post("/v1/factorsets", json=_signed(service, private), headers=headers), 422)
    assert body["findings"][0]["rule_id"] == "factorset.licence.not-redistributable"
    assert c.post("/v1/factorsets", json=_signed(service, _v("3.0.0", "0.6")), headers=headers).status_code in (
        200,
        201,
    )
    before = len(c.get("/v1/factorsets").json())
    problem(c.post("/v1/factorsets", json=_signed(service, _v("3.0.0", "0.7")), headers=headers), 409)
    tampered = _signed(service, _v("2.0.2", "0.6"))
    tampered["factorSet"]["records"][0]["value"] = "0.2"
    body = problem(c.post("/v1/factorsets", json=tampered, headers=headers), 422)
    assert body["type"].endswith("/signature.digest-mismatch") and body["location"] == {"pointer": "/digest"}
    problem(
        c.post("/v1/factorsets", json=_signed(service, _v("2.0.3", "0.6")), headers=service.headers("other-body")), 403
    )
    problem(c.post("/v1/factorsets", content=b"{not json", headers=headers), 422)
    assert len(c.get("/v1/factorsets").json()) == before
