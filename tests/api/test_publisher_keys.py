"""A standards body manages its own pack-signing keys over the API: register, rotate, revoke."""

from __future__ import annotations

import copy
from typing import Any

from api_support import Service, problem

from registry.packs.catalog import Catalog
from registry.packs.signing import generate_keypair, sign_pack

ORG = "other-body"


def _pack(version: str) -> dict[str, Any]:
    pack = copy.deepcopy(Catalog.bundled().get("example-standards-body/core@1.0.0").data)
    pack["id"] = f"{ORG}/core-copy"
    pack["publisher"] = {**pack["publisher"], "id": ORG}
    pack["version"] = version
    return pack


def test_register_rotate_and_revoke(service: Service) -> None:
    c, h = service.client, service.headers(ORG)
    assert c.get(f"/v1/publishers/{ORG}/keys").json() == {"keys": []}
    old_pem, old_jwk = generate_keypair(publisher=ORG)
    unknown = problem(c.post("/v1/rulepacks", json=sign_pack(_pack("1.0.0"), old_pem, ORG), headers=h), 422)
    assert "no registered signing key" in unknown["detail"]

    r = c.post(f"/v1/publishers/{ORG}/keys", json=old_jwk, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["kid"] == old_jwk["kid"] and r.json()["revoked_at"] is None
    assert c.post(f"/v1/publishers/{ORG}/keys", json=old_jwk, headers=h).status_code == 200  # same key again
    assert c.post("/v1/rulepacks", json=sign_pack(_pack("1.0.0"), old_pem, ORG), headers=h).status_code == 201

    new_pem, new_jwk = generate_keypair(publisher=ORG)
    assert c.post(f"/v1/publishers/{ORG}/keys", json=new_jwk, headers=h).status_code == 201
    revoked = c.post(f"/v1/publishers/{ORG}/keys/{old_jwk['kid']}/revoke", headers=h)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    listed = c.get(f"/v1/publishers/{ORG}/keys").json()["keys"]
    assert [k["kid"] for k in listed] == [new_jwk["kid"]]
    everything = c.get(f"/v1/publishers/{ORG}/keys", params={"include_revoked": "true"}).json()["keys"]
    assert {k["kid"] for k in everything} == {old_jwk["kid"], new_jwk["kid"]}

    problem(c.post("/v1/rulepacks", json=sign_pack(_pack("1.0.1"), old_pem, ORG), headers=h), 422)
    assert c.post("/v1/rulepacks", json=sign_pack(_pack("1.0.1"), new_pem, ORG), headers=h).status_code == 201
    # the pack signed by the revoked key stays published and served with its envelope
    kept = c.get(f"/v1/rulepacks/{ORG}/core-copy/versions/1.0.0").json()
    assert kept["envelope"]["signatures"][0]["keyid"] == old_jwk["kid"]
    problem(c.post(f"/v1/publishers/{ORG}/keys", json=old_jwk, headers=h), 409)  # a revoked key stays revoked


def test_key_errors(service: Service) -> None:
    c, h = service.client, service.headers(ORG)
    _, jwk = generate_keypair(publisher=ORG)
    wrong_kid = {**jwk, "kid": "0123456789abcdef"}
    assert "kid" in problem(c.post(f"/v1/publishers/{ORG}/keys", json=wrong_kid, headers=h), 422)["detail"]
    problem(c.post(f"/v1/publishers/{ORG}/keys", json={"keys": [jwk]}, headers=h), 422)
    problem(c.post(f"/v1/publishers/{ORG}/keys", content=b"{not json", headers=h), 422)
    problem(c.post(f"/v1/publishers/{ORG}/keys/{jwk['kid']}/revoke", headers=h), 404)
    problem(c.get("/v1/publishers/nobody-here/keys"), 404)
    # another organisation's namespace: 403; a key already registered elsewhere: 409
    problem(c.post("/v1/publishers/example-standards-body/keys", json=jwk, headers=h), 403)
    assert c.post(f"/v1/publishers/{ORG}/keys", json=jwk, headers=h).status_code == 201
    eh = service.headers("example-standards-body")
    problem(c.post("/v1/publishers/example-standards-body/keys", json=jwk, headers=eh), 409)
