"""The HTTP API through httpx (FastAPI's TestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from api_support import Service, problem

from registry.packs.catalog import Catalog
from registry.packs.signing import sign_pack
from registry.service.bootstrap import signing_key_path

AL = "example-standards-body/aluminium-ingot"
CORE = "example-standards-body/core"


_problem = problem


@pytest.fixture(scope="module")
def al_example() -> dict[str, Any]:
    example = Catalog.bundled().resolve(AL).example
    assert example is not None
    return example


def test_health_openapi_and_request_ids(service: Service) -> None:
    r = service.client.get("/healthz")
    assert r.status_code == 200 and r.headers["x-request-id"]
    assert service.client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    spec = service.client.get("/openapi.json").json()
    assert "/v1/validations" in spec["paths"] and "/v1/auth/token" in spec["paths"]
    _problem(service.client.get("/nowhere"), 404)
    _problem(service.client.delete("/healthz"), 405)


def test_token_endpoint(service: Service) -> None:
    cred = service.creds["demo-certifier"]
    ok = service.client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": cred.client_id, "client_secret": cred.secret},
    )
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] > 0
    bad = service.client.post(
        "/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(cred.client_id, "wrong")
    )
    assert _problem(bad, 401)["error"] == "invalid_client"
    grant = service.client.post("/v1/auth/token", data={"grant_type": "password"}, auth=(cred.client_id, cred.secret))
    assert _problem(grant, 400)["error"] == "unsupported_grant_type"
    forged = service.client.get("/v1/validations", headers={"Authorization": "Bearer not.a.jwt"})
    _problem(forged, 401)


def test_pack_search_and_versions(service: Service) -> None:
    c = service.client
    by_hs = c.get("/v1/rulepacks", params={"hs": "7601.10"}).json()
    assert sorted((p["id"], p["version"]) for p in by_hs) == [
        (AL, "1.0.0"),
        (AL, "1.1.0"),
        (AL, "1.2.0"),
        (AL, "1.2.1"),
    ]  # every version
    assert {p["id"] for p in c.get("/v1/rulepacks", params={"cpc": "41431"}).json()} == {AL}
    text = c.get("/v1/rulepacks", params={"q": "tyre"}).json()
    assert {p["id"] for p in text} == {"example-standards-body/passenger-car-tyre"}
    assert len(c.get("/v1/rulepacks", params={"publisher": "example-standards-body"}).json()) >= 9
    one = c.get(f"/v1/rulepacks/{AL}", params={"on": "2026-05-01"})
    assert one.status_code == 200 and one.json()["version"] == "1.0.0"
    assert one.json()["envelope"]["signatures"][0]["alg"] == "Ed25519"
    _problem(c.get(f"/v1/rulepacks/{AL}", params={"on": "2020-01-01"}), 404)
    yaml_body = c.get(f"/v1/rulepacks/{AL}/versions/1.0.0", params={"format": "yaml"})
    assert yaml_body.headers["content-type"].startswith("application/yaml") and "aluminium" in yaml_body.text
    _problem(c.get(f"/v1/rulepacks/{AL}/versions/9.9.9"), 404)
    _problem(c.get("/v1/rulepacks", params={"hs": "x"}), 422)


def test_pack_search_pages_follow_link_headers(service: Service) -> None:
    c = service.client
    everything = c.get("/v1/rulepacks", params={"publisher": "example-standards-body", "limit": 500})
    assert "link" not in everything.headers
    url: str | None = "/v1/rulepacks?publisher=example-standards-body&limit=2"
    seen: list[tuple[str, str]] = []
    while url is not None:
        page = c.get(url)
        assert page.status_code == 200 and len(page.json()) <= 2
        seen += [(p["id"], p["version"]) for p in page.json()]
        link = page.headers.get("link")
        url = link[1 : link.index(">")] if link else None
        assert link is None or link.endswith('; rel="next"')
    assert seen == [(p["id"], p["version"]) for p in everything.json()]


def _signed(service: Service, pack: dict[str, Any]) -> dict[str, Any]:
    pem = signing_key_path(service.data_dir).read_bytes()
    return sign_pack(pack, pem, "example-standards-body")


def _core(version: str, **params: Any) -> dict[str, Any]:
    pack = copy.deepcopy(Catalog.bundled().get(CORE).data)  # the newest bundled version
    pack["version"] = version
    for name, value in params.items():
        pack["parameters"][name]["value"] = value
    return pack


def test_publish_lifecycle(service: Service) -> None:
    c, h = service.client, service.headers("example-standards-body")
    loosened = _signed(service, _core("1.3.0", validityYears=4))
    first = c.post("/v1/rulepacks", json=loosened, headers=h)
    assert first.status_code == 201, first.text
    assert [ch["kind"] for ch in first.json()["diff"]["changes"]] == ["threshold-loosened"]
    assert c.post("/v1/rulepacks", json=loosened, headers=h).status_code == 200  # idempotent
    clash = _signed(service, _core("1.3.0", validityYears=5))
    assert "already stored" in _problem(c.post("/v1/rulepacks", json=clash, headers=h), 409)["detail"]
    tightened = _signed(service, _core("1.4.0", validityYears=4, cutOffPercent=2))
    refused = _problem(c.post("/v1/rulepacks", json=tightened, headers=h), 409)
    assert refused["type"].endswith("/incompatible-version")
    assert [ch["kind"] for ch in refused["diff"]["changes"]] == ["threshold-tightened"]
    diff = c.get(f"/v1/rulepacks/{CORE}/diff", params={"from": "1.2.0", "to": "1.3.0"}).json()
    assert diff["required"] == "minor" and diff["actual"] == "minor"
    tampered = copy.deepcopy(loosened)
    tampered["pack"]["version"] = "1.3.1"
    assert _problem(c.post("/v1/rulepacks", json=tampered, headers=h), 422)
    dep = c.post(f"/v1/rulepacks/{CORE}/versions/1.3.0/deprecate", json={"reason": "superseded"}, headers=h)
    assert dep.status_code == 200 and dep.json()["status"] == "deprecated"
    wd = c.post(f"/v1/rulepacks/{CORE}/versions/1.3.0/withdraw", json={"reason": "error found"}, headers=h)
    assert wd.status_code == 200 and wd.json()["status"] == "withdrawn"
    again = c.post(f"/v1/rulepacks/{CORE}/versions/1.3.0/deprecate", json={"reason": "x"}, headers=h)
    _problem(again, 409)
    _problem(c.post(f"/v1/rulepacks/{CORE}/versions/1.3.0/deprecate", json={}, headers=h), 422)


def test_validation_stored_and_read(service: Service, al_example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    r = c.post("/v1/validations", json=al_example, headers=h)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["conformant"] is True and body["pack"]["id"] == AL and r.headers["location"].endswith(body["id"])
    stored = c.get(f"/v1/validations/{body['id']}", headers=h).json()
    assert stored["findings"] == body["findings"] and stored["pack"] == body["pack"]
    html = c.get(f"/v1/validations/{body['id']}", headers={**h, "Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "Conformant" in html.text
    listed = c.get("/v1/validations", headers=h).json()
    assert body["id"] in [v["id"] for v in listed["items"]]
    other = service.headers("other-certifier")
    _problem(c.get(f"/v1/validations/{body['id']}", headers=other), 404)
    assert body["id"] not in [v["id"] for v in c.get("/v1/validations", headers=other).json()["items"]]


def test_validation_not_stored_and_errors(service: Service, al_example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-platform")
    bad = copy.deepcopy(al_example)
    bad["pcf"]["exemptedEmissionsPercent"] = "4"
    r = c.post("/v1/validations", params={"store": "false"}, json=bad, headers=h)
    assert r.status_code == 200 and "id" not in r.json()
    assert [f["rule_id"] for f in r.json()["findings"] if f["severity"] == "error"] == ["core.cut-off.limit"]
    broken = c.post("/v1/validations", content=b'{"a": [1,}', headers={**h, "Content-Type": "application/json"})
    body = _problem(broken, 422)
    assert body["location"]["line"] == 1 and body["location"]["column"]
    nopack = copy.deepcopy(al_example)
    del nopack["pcf"]["productOrSectorSpecificRules"]
    nopack["extensions"][0]["data"].pop("classifications", None)
    nopack.pop("productClassifications", None)
    fallback = c.post("/v1/validations", params={"store": "false"}, json=nopack, headers=h)
    assert fallback.status_code == 200, fallback.text  # no product pack fits: the base pack, as pcfreg validate
    assert fallback.json()["pack"]["id"] == "example-standards-body/pact-v3"
    assert "declaration.pack.base" in [f["rule_id"] for f in fallback.json()["findings"]]
    named = copy.deepcopy(nopack)
    named["pcf"]["productOrSectorSpecificRules"] = [
        {"operator": "Other", "otherOperatorName": "pcf-registry", "ruleNames": ["nobody/nothing@1.0.0"]}
    ]
    sel = _problem(c.post("/v1/validations", json=named, headers=h), 422)
    assert sel["candidates"] == ["nobody/nothing@1.0.0"]
    unknown = _problem(c.post("/v1/validations", params={"pack": "nobody/x"}, json=al_example, headers=h), 422)
    assert "unknown rule pack" in unknown["detail"]
    huge = b"[" + b"0," * (service.ctx.limits.max_body // 2) + b"0]"
    _problem(c.post("/v1/validations", content=huge, headers={**h, "Content-Type": "application/json"}), 413)


def test_withdrawn_pack_does_not_validate(service: Service, al_example: dict[str, Any]) -> None:
    c = service.client
    pack = _core("2.0.0")
    pub = c.post("/v1/rulepacks", json=_signed(service, pack), headers=service.headers("example-standards-body"))
    assert pub.status_code == 201, pub.text
    wd = c.post(
        f"/v1/rulepacks/{CORE}/versions/2.0.0/withdraw",
        json={"reason": "test"},
        headers=service.headers("example-standards-body"),
    )
    assert wd.status_code == 200
    r = c.post(
        "/v1/validations",
        params={"pack": f"{CORE}@2.0.0", "store": "false"},
        json=al_example,
        headers=service.headers("demo-certifier"),
    )
    assert "withdrawn" in _problem(r, 422)["detail"]


def test_batch_jsonl(service: Service, al_example: dict[str, Any]) -> None:
    bad = copy.deepcopy(al_example)
    bad["pcf"]["ipccCharacterizationFactors"] = ["AR5"]
    lines = [json.dumps(al_example), "", json.dumps(bad), "{nope"]
    r = service.client.post(
        "/v1/validations:batch",
        content="\n".join(lines).encode(),
        headers={**service.headers("demo-certifier"), "Content-Type": "application/jsonl"},
        params={"store": "true"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/jsonl")
    out = [json.loads(x) for x in r.text.splitlines()]
    assert [o["line"] for o in out] == [1, 3, 4]
    assert out[0]["conformant"] is True and out[1]["conformant"] is False and "error" in out[2]


# ------------------------------------------------------------ real files, no product pack (issue 11)

THIRD_PARTY = Path(__file__).parent.parent / "fixtures" / "third-party" / "pact"


def _third_party(name: str) -> Any:
    return json.loads((THIRD_PARTY / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "pointer", "base"),
    [
        ("ileap-spec-appendix-b-toc.json", None, CORE),  # PACT v2.2 (iLEAP TOC): core
        ("pact-demo-api-v3-footprints-array.json", 0, "example-standards-body/pact-v3"),  # PACT v3: pact-v3
    ],
)
def test_real_file_without_product_pack_is_validated_against_its_base_pack(
    service: Service, name: str, pointer: int | None, base: str
) -> None:
    """POST /v1/validations chooses a pack as pcfreg validate does: no product pack fits, so the base
    pack of the declaration's own format, with the finding that says so (stored, and not stored)."""
    document = _third_party(name)
    document = document if pointer is None else document[pointer]
    h = service.headers("demo-certifier")
    for store in ("true", "false"):
        r = service.client.post("/v1/validations", params={"store": store}, json=document, headers=h)
        assert r.status_code == (201 if store == "true" else 200), r.text
        body = r.json()
        assert body["pack"]["id"] == base
        notes = [f for f in body["findings"] if f["rule_id"] == "declaration.pack.base"]
        assert len(notes) == 1 and "no rule pack fits" in notes[0]["message"]
        assert base in notes[0]["message"]


def test_real_files_in_a_batch_fall_back_to_their_base_packs(service: Service) -> None:
    lines = [json.dumps(d) for d in _third_party("pact-demo-api-v3-footprints-array.json")]
    lines.append(json.dumps(_third_party("ileap-go-demo-toc.json")))  # PACT v2.0 with optional nulls
    r = service.client.post(
        "/v1/validations:batch",
        content="\n".join(lines).encode(),
        headers={**service.headers("demo-certifier"), "Content-Type": "application/jsonl"},
    )
    assert r.status_code == 200, r.text
    out = [json.loads(x) for x in r.text.splitlines()]
    assert [o["pack"]["id"] for o in out] == ["example-standards-body/pact-v3"] * 3 + [CORE]
    for o in out:
        assert "declaration.pack.base" in [f["rule_id"] for f in o["findings"]]
    v2 = {(f["rule_id"], f["path"]) for f in out[3]["findings"]}
    assert ("declaration.schema.type", "/validityPeriodEnd") not in v2  # its null is read as absent
    assert ("pact.upgrade.null", "") in v2


def test_an_envelope_is_refused_saying_where_its_footprints_are(service: Service) -> None:
    document = _third_party("pact-demo-api-v2-list-response.json")  # {"data": [5 footprints]}
    r = service.client.post("/v1/validations", json=document, headers=service.headers("demo-certifier"))
    body = _problem(r, 422)
    assert "5 footprint(s) at /data/0" in body["detail"] and "/v1/validations:batch" in body["detail"]


def test_not_pact_is_one_problem(service: Service) -> None:
    document = _third_party("catenax-pcf-9.0.0.json")
    r = service.client.post("/v1/validations", json=document, headers=service.headers("demo-certifier"))
    assert "not a PACT v2 or v3 ProductFootprint" in _problem(r, 422)["detail"]


# ------------------------------------------------------------ authorisation matrix

WRITE_ENDPOINTS = [
    ("POST", "/v1/rulepacks", "publish"),
    ("POST", f"/v1/rulepacks/{AL}/versions/1.0.0/deprecate", "status"),
    ("POST", f"/v1/rulepacks/{AL}/versions/1.0.0/withdraw", "status"),
    ("POST", "/v1/validations", "validate"),
    ("POST", "/v1/validations:batch", "validate"),
    ("GET", "/v1/validations", "read-own"),
    ("POST", "/v1/publishers/example-standards-body/keys", "keys"),
    ("POST", "/v1/publishers/example-standards-body/keys/00000000000000ff/revoke", "keys"),
]
# who may call each kind of endpoint at all (role), and for publishing, in which namespace
ALLOWED = {
    "publish": {"example-standards-body"},
    "status": {"example-standards-body"},
    "keys": {"example-standards-body"},
    "validate": {"demo-certifier", "other-certifier", "demo-platform"},
    "read-own": {"demo-certifier", "other-certifier", "demo-platform", "example-standards-body", "other-body"},
}
CALLERS = ["example-standards-body", "other-body", "demo-certifier", "other-certifier", "demo-platform"]


@pytest.mark.parametrize(("method", "path", "kind"), WRITE_ENDPOINTS)
def test_authorisation_matrix(service: Service, method: str, path: str, kind: str, al_example: dict[str, Any]) -> None:
    c = service.client
    body: Any = {"reason": "authz matrix"} if kind == "status" else al_example
    if kind == "publish":
        body = _signed(service, _core("0.9.0"))  # a lower version: passes auth, then checks
    _problem(c.request(method, path, json=body), 401)
    _problem(c.request(method, path, json=body, headers={"Authorization": "Bearer x.y.z"}), 401)
    _problem(c.request(method, path, json=body, headers={"X-API-Key": "key_nobody.secret"}), 401)
    for caller in CALLERS:
        r = c.request(method, path, json=body, headers=service.headers(caller), params={"store": "false"})
        if caller in ALLOWED[kind]:
            assert r.status_code not in (401, 403), (caller, r.text)
        else:
            _problem(r, 403)


def test_reinit_keeps_everything(service: Service) -> None:
    from datetime import UTC, datetime

    from registry.service.bootstrap import init_data_dir
    from registry.storage.settings import StorageSettings

    url = str(service.ctx.engine.url.render_as_string(hide_password=False))
    report = init_data_dir(StorageSettings(data_dir=service.data_dir, database_url=url), now=datetime.now(UTC))
    assert not report.created and report.credentials == [] and report.published == []
    assert service.token("demo-certifier")
    assert Path(signing_key_path(service.data_dir)).exists()


def test_expired_token_refused_even_when_cached(service: Service) -> None:
    from datetime import timedelta

    token = service.token("demo-certifier")
    headers = {"Authorization": f"Bearer {token}"}
    assert service.client.get("/v1/validations", headers=headers).status_code == 200
    real_clock = service.ctx.clock
    service.ctx.clock = lambda: real_clock() + timedelta(seconds=service.ctx.tokens.ttl_seconds + 1)
    try:
        body = _problem(service.client.get("/v1/validations", headers=headers), 401)
        assert "expired" in body["detail"]
    finally:
        service.ctx.clock = real_clock


def test_a_utf16_body_is_refused_saying_so(service: Service, al_example: dict[str, Any]) -> None:
    """Issue 10: a UTF-16 body was answered "invalid JSON: unexpected character"."""
    c, h = service.client, service.headers("demo-certifier")
    body = json.dumps(al_example).encode("utf-16")
    r = c.post("/v1/validations", content=body, headers={**h, "Content-Type": "application/json"})
    detail = _problem(r, 422)["detail"]
    assert "is UTF-16" in detail and "must be UTF-8" in detail
