"""What rests on a declaration or a factor set version (GET .../dependents) and the chain under a
label (pcfreg trace), as far as the caller may see (issue 12)."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from api_support import Service, problem
from click.testing import CliRunner

from registry.canonical import sha256_digest
from registry.cli import main
from registry.packs import Catalog

AL = "example-standards-body/aluminium-ingot@1.2.0"
BATTERY = "example-standards-body/ev-traction-battery@1.2.0"
GTIN = "09506000134352"
ALUMINA = "3c2b1a09-8f7e-4d6c-9b5a-112233445566"  # the supplier footprint the aluminium inventory cites
DESNZ = "pcf-registry/uk-desnz-ghg-conversion-factors"


def _pair(ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
    resolved = Catalog.bundled().resolve(ref)
    assert resolved.example is not None and resolved.example_inventory is not None
    return copy.deepcopy(resolved.example), copy.deepcopy(resolved.example_inventory)


@pytest.fixture(scope="module")
def chain(service: Service) -> dict[str, Any]:
    """alumina (a supplier, not stored) <- aluminium ingot (recomputed, labelled) <- a battery whose
    inventory cites the ingot's declaration as a supplier footprint."""
    c, h = service.client, service.headers("demo-certifier")
    al, al_inv = _pair(AL)
    r = c.post("/v1/recalculations", json={"declaration": al, "inventory": al_inv}, headers=h, params={"pack": AL})
    assert r.status_code == 201, r.text
    al_recalc = r.json()["id"]
    label = c.post("/v1/labels", json={"declaration": al, "gtin": GTIN, "pack": AL}, headers=h)
    assert label.status_code == 201, label.text
    battery, bat_inv = _pair(BATTERY)
    bat_inv["lines"].append(
        {
            "id": "housing.ingot",
            "stage": "raw-material-acquisition",
            "kind": "supplier-footprint",
            "quantity": "0.001",
            "unit": "t",
            "primary": False,
            "supplierFootprint": {
                "id": al["id"],
                "version": 1,
                "digest": sha256_digest(al),
                "value": al["pcf"]["pcfExcludingBiogenicUptake"],
                "unit": "t",
            },
        }
    )
    r = c.post("/v1/recalculations", json={"declaration": battery, "inventory": bat_inv}, headers=h)
    assert r.status_code == 201, r.text
    return {
        "al": al,
        "al_recalc": al_recalc,
        "label": label.json()["id"],
        "battery": battery,
        "bat_inv": bat_inv,
        "bat_recalc": r.json()["id"],
        "bat_findings": r.json()["recalculation"]["findings"],
    }


def _supplier_findings(findings: list[dict[str, Any]], line: int) -> list[tuple[str, str]]:
    at = f"/lines/{line}/supplierFootprint"
    return [(f["rule_id"], f["path"]) for f in findings if f["path"].startswith(at)]


def test_a_supplier_line_is_checked_against_the_stored_declaration(service: Service, chain: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    last = len(chain["bat_inv"]["lines"]) - 1
    assert _supplier_findings(chain["bat_findings"], last) == []  # stored, validated, same value, valid label
    # the alumina supplier of the ingot is not stored: a warning, its value used as stated
    al_findings = c.get(f"/v1/validations/{chain['al_recalc']}", headers=h).json()["recalculation"]["findings"]
    assert [f["rule_id"] for f in al_findings if "supplierFootprint" in f["path"]] == ["recalc.supplier.not-stored"]
    bad = copy.deepcopy(chain["bat_inv"])
    bad["lines"][last]["supplierFootprint"]["value"] = "1"
    body = {"declaration": chain["battery"], "inventory": bad}
    found = c.post("/v1/recalculations", json=body, headers=h).json()["recalculation"]["findings"]
    assert _supplier_findings(found, last) == [("recalc.supplier.value", f"/lines/{last}/supplierFootprint/value")]
    bad["lines"][last]["supplierFootprint"]["digest"] = "sha256:" + "0" * 64
    found = c.post("/v1/recalculations", json=body, headers=h).json()["recalculation"]["findings"]
    assert _supplier_findings(found, last) == [("recalc.supplier.digest", f"/lines/{last}/supplierFootprint/digest")]
    # the ingot's label suspended: every recalculation citing it says so, until it is reinstated
    r = c.post(f"/v1/labels/{chain['label']}/suspend", json={"reason": "audit under review"}, headers=h)
    assert r.status_code == 200, r.text
    try:
        body = {"declaration": chain["battery"], "inventory": chain["bat_inv"]}
        r = c.post("/v1/recalculations", json=body, headers=h)
        found = r.json()["recalculation"]["findings"]
        assert _supplier_findings(found, last) == [
            ("recalc.supplier.label-suspended", f"/lines/{last}/supplierFootprint/id")
        ]
        assert r.json()["validation"]["conformant"] is False
    finally:
        r = c.post(f"/v1/labels/{chain['label']}/reinstate", json={"reason": "review done"}, headers=h)
        assert r.status_code == 200, r.text


def test_dependents_of_a_supplier_declaration_reach_down_the_chain(service: Service, chain: dict[str, Any]) -> None:
    r = service.client.get(f"/v1/declarations/{ALUMINA}/dependents", headers=service.headers("demo-certifier"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["of"] == f"declaration:{ALUMINA}"
    depth = {x["id"]: x["depth"] for x in body["recalculations"]}
    assert depth[chain["al_recalc"]] == 1 and depth[chain["bat_recalc"]] == 2
    via = {x["id"]: x["via"] for x in body["recalculations"]}
    assert via[chain["bat_recalc"]] == f"declaration:{chain['al']['id']}"
    assert {d["id"] for d in body["declarations"]} >= {chain["al"]["id"], chain["battery"]["id"]}
    assert chain["label"] in [lb["id"] for lb in body["labels"]]
    assert all(lb["recalculation"] in depth for lb in body["labels"])


def test_dependents_of_a_factor_set_version(service: Service, chain: dict[str, Any]) -> None:
    r = service.client.get(
        f"/v1/factorsets/{DESNZ}/versions/2025.0.0/dependents", headers=service.headers("demo-certifier")
    )
    assert r.status_code == 200, r.text
    ids = {x["id"] for x in r.json()["recalculations"]}
    assert {chain["al_recalc"], chain["bat_recalc"]} <= ids
    problem(
        service.client.get(
            f"/v1/factorsets/{DESNZ}/versions/9.9.9/dependents", headers=service.headers("demo-certifier")
        ),
        404,
    )


def test_dependents_are_only_the_callers(service: Service, chain: dict[str, Any]) -> None:
    other = service.client.get(f"/v1/declarations/{ALUMINA}/dependents", headers=service.headers("other-certifier"))
    assert other.status_code == 200 and other.json()["recalculations"] == other.json()["labels"] == []
    platform = service.client.get(f"/v1/declarations/{ALUMINA}/dependents", headers=service.headers("demo-platform"))
    assert platform.status_code == 403, platform.text
    assert service.client.get(f"/v1/declarations/{ALUMINA}/dependents").status_code == 401


def _trace(service: Service, *args: str) -> Any:
    env = {"DATABASE_URL": service.ctx.engine.url.render_as_string(hide_password=False)}
    return CliRunner().invoke(main, ["trace", *args, "--data-dir", str(service.data_dir)], env=env)


def test_trace_a_label_down_to_factors_and_supplier_declarations(service: Service, chain: dict[str, Any]) -> None:
    out = _trace(service, chain["label"], "--as", "demo-certifier", "--json")
    assert out.exit_code == 0, out.output
    body = orjson.loads(out.output)
    assert body["kind"] == "label" and body["label"]["id"] == chain["label"]
    (only,) = body["chains"]
    assert only["validation"]["id"] == chain["al_recalc"]
    lines = {ln["id"]: ln for ln in only["recalculation"]["lines"]}
    assert lines["alumina.sea-freight"]["factor"].startswith(f"{DESNZ}@2025.0.0#")
    supplier = next(ln["supplier"] for ln in lines.values() if "supplier" in ln)
    assert supplier["id"] == ALUMINA and supplier["validations"] == [] and supplier["labels"] == []
    text = _trace(service, chain["label"], "--as", "demo-certifier")
    assert text.exit_code == 0, text.output
    assert f"label {chain['label']}" in text.output and f"validation {chain['al_recalc']}" in text.output
    assert f"<- supplier declaration {ALUMINA}" in text.output and f"<- {DESNZ}@2025.0.0#" in text.output
    # the battery's ingot line leads to the stored, labelled ingot declaration
    bat = orjson.loads(_trace(service, chain["battery"]["id"], "--as", "demo-certifier", "--json").output)
    ingot = next(ln for ln in bat["chains"][0]["recalculation"]["lines"] if ln["id"] == "housing.ingot")
    assert [v["id"] for v in ingot["supplier"]["validations"]] == [chain["al_recalc"]]
    assert [lb["id"] for lb in ingot["supplier"]["labels"]] == [chain["label"]]


def test_trace_shows_another_certifier_only_the_public_summary(service: Service, chain: dict[str, Any]) -> None:
    out = _trace(service, chain["label"], "--as", "other-certifier", "--json")
    assert out.exit_code == 0, out.output
    body = orjson.loads(out.output)
    assert body["chains"] == [] and "only its summary is public" in body["note"]
    assert body["label"]["record"]["id"] == chain["al_recalc"]
    missing = _trace(service, chain["battery"]["id"], "--as", "other-certifier")
    assert missing.exit_code == 2 and "Traceback" not in missing.output
