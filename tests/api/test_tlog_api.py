"""The transparency log through the API (SQLite and PostgreSQL): labels carry inclusion proofs, the
checkpoint is a signed note, tiles and entry bundles are served as C2SP tlog-tiles says, and what they
hold agrees with RFC 6962 hashing written here from the RFC's text (not the module's helpers)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from api_support import Service, problem
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from registry.packs.catalog import Catalog
from registry.packs.signing import load_private_key
from registry.schemas import is_valid
from registry.service import tlog as log_svc
from registry.service.labels import REGISTRY_KEY_FILE
from registry.storage.db import session_scope

ENTRY_SCHEMA = "https://pcf-registry.org/schemas/tlog-entry-1.0.json"
AL = "example-standards-body/aluminium-ingot"
GTIN = "09506000134352"


# --- RFC 6962 section 2.1, from the text ----------------------------------------------------------


def _sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(d: list[bytes]) -> bytes:
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return _sha(b"\x00" + d[0])
    k = _k(len(d))
    return _sha(b"\x01" + _mth(d[:k]) + _mth(d[k:]))


def _root_from_path(m: int, n: int, leaf: bytes, path: list[bytes]) -> bytes:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1 walked backwards: the root the audit path leads to."""
    if n == 1:
        assert not path
        return leaf
    k = _k(n)
    if m < k:
        return _sha(b"\x01" + _root_from_path(m, k, leaf, path[:-1]) + path[-1])
    return _sha(b"\x01" + path[-1] + _root_from_path(m - k, n - k, leaf, path[:-1]))


def _note(text: str, key: Ed25519PublicKey) -> tuple[str, int, bytes]:
    """A checkpoint's origin, size and root once its Ed25519 signed-note signature checks (C2SP signed-note)."""
    body, sigs = text.split("\n\n")
    origin, size, root = body.split("\n")
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    line = next(s for s in sigs.splitlines() if s.startswith(f"\u2014 {origin} "))
    sig = base64.b64decode(line.split(" ")[2])
    assert sig[:4] == _sha(origin.encode() + b"\n\x01" + raw)[:4]
    key.verify(sig[4:], (body + "\n").encode())
    return origin, int(size), base64.b64decode(root)


# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry_key(service: Service) -> Ed25519PublicKey:
    key = load_private_key((service.data_dir / REGISTRY_KEY_FILE).read_bytes()).public_key()
    assert isinstance(key, Ed25519PublicKey)
    return key


@pytest.fixture(scope="module")
def label(service: Service) -> dict[str, Any]:
    example = Catalog.bundled().resolve(f"{AL}@1.0.0").example
    r = service.client.post(
        "/v1/labels", json={"declaration": example, "gtin": GTIN}, headers=service.headers("demo-certifier")
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _checkpoint(service: Service, key: Ed25519PublicKey) -> tuple[str, int, bytes]:
    r = service.client.get("/tlog/checkpoint")
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["cache-control"] == "public, max-age=5"
    return _note(r.text, key)


def _entries(service: Service, size: int) -> list[bytes]:
    out: list[bytes] = []
    for n in range((size + 255) // 256):
        width = min(256, size - 256 * n)
        path = f"/tlog/tile/entries/{n:03d}" + (f".p/{width}" if width < 256 else "")
        r = service.client.get(path, headers={"Accept-Encoding": "identity"})
        assert r.status_code == 200, path
        body, at = r.content, 0
        while at < len(body):  # big-endian uint16 length-prefixed entries
            length = int.from_bytes(body[at : at + 2], "big")
            out.append(body[at + 2 : at + 2 + length])
            at += 2 + length
    return out


def test_a_label_carries_its_inclusion_proof_against_a_signed_checkpoint(
    service: Service, label: dict[str, Any], registry_key: Ed25519PublicKey
) -> None:
    view = service.client.get(f"/v1/labels/{label['id']}").json()
    log = view["log"]
    lines = log["proof"].split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1" and lines[2] == f"index {log['index']}"
    entry = base64.b64decode(lines[1].removeprefix("extra "))
    head, checkpoint = log["proof"].split("\n\n", 1)
    path = [base64.b64decode(h) for h in head.split("\n")[3:]]
    origin, size, root = _note(checkpoint, registry_key)
    assert (origin, size) == ("localhost:8000/tlog", log["tree_size"]) and log["origin"] == origin
    assert _root_from_path(log["index"], size, _sha(b"\x00" + entry), path) == root
    fields = json.loads(entry)
    assert fields["kind"] == "label.issue" and fields["label_id"] == label["id"]
    assert fields["token_sha256"] == hashlib.sha256(base64.urlsafe_b64decode(label["token"] + "==")).hexdigest()
    assert "value" not in fields and "declaration" not in json.dumps(fields)  # public fields only
    page = service.client.get(f"/L/{label['id']}", headers={"Accept": "application/json"}).json()
    assert page["log"]["index"] == log["index"]
    text = service.client.get(f"/v1/labels/{label['id']}/log-proof")
    assert text.status_code == 200 and text.text.startswith("c2sp.org/tlog-proof@v1\n")


def test_the_checkpoint_tiles_and_entries_agree_with_rfc_6962(
    service: Service, label: dict[str, Any], registry_key: Ed25519PublicKey
) -> None:
    _, size, root = _checkpoint(service, registry_key)
    entries = _entries(service, size)
    assert len(entries) == size and _mth(entries) == root
    kinds = [json.loads(e)["kind"] for e in entries]
    assert all(is_valid(ENTRY_SCHEMA, json.loads(e)) for e in entries)
    assert "rulepack.publish" in kinds and "factorset.publish" in kinds and "label.issue" in kinds
    tile = service.client.get(f"/tlog/tile/0/000.p/{size}").content
    assert tile == b"".join(_sha(b"\x00" + e) for e in entries)


def test_suspending_appends_one_entry_and_older_checkpoints_stay_provable(
    service: Service, label: dict[str, Any], registry_key: Ed25519PublicKey
) -> None:
    _, before, _ = _checkpoint(service, registry_key)
    r = service.client.post(
        f"/v1/labels/{label['id']}/suspend", json={"reason": "under review"}, headers=service.headers("demo-certifier")
    )
    assert r.status_code == 200, r.text
    _, after, _ = _checkpoint(service, registry_key)
    assert after == before + 1
    last = json.loads(_entries(service, after)[-1])
    assert last == {
        "kind": "label.suspend",
        "label_id": label["id"],
        "certifier": "demo-certifier",
        "state": "suspended",
        "at": last["at"],
    }
    old = service.client.get(f"/v1/labels/{label['id']}", params={"log_size": before}).json()["log"]
    assert old["tree_size"] == before
    problem(service.client.get(f"/v1/labels/{label['id']}", params={"log_size": after + 1}), 404)


def test_full_tiles_are_immutable_and_partial_ones_are_not_served_beyond_the_tree(
    service: Service, registry_key: Ed25519PublicKey
) -> None:
    _, size, _ = _checkpoint(service, registry_key)
    with session_scope(service.ctx.engine) as s:  # fill the first tile (events of a kind any test may log)
        at = datetime.now(UTC)
        fields = [
            {"ref": f"x/y@{i}", "digest": "sha256:" + "0" * 64, "status": "deprecated"} for i in range(300 - size)
        ]
        log_svc.append_events(s, [log_svc.Event("rulepack.status", f, at) for f in fields])
    _, size, root = _checkpoint(service, registry_key)
    assert size == 300
    full = service.client.get("/tlog/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 8192
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    partial = service.client.get("/tlog/tile/0/001.p/44")
    assert len(partial.content) == 44 * 32 and "immutable" not in partial.headers["cache-control"]
    level1 = service.client.get("/tlog/tile/1/000.p/1").content  # the first full tile's subtree hash
    entries = _entries(service, 300)
    assert level1 == _mth(entries[:256]) and _mth(entries) == root
    zipped = service.client.get("/tlog/tile/entries/000", headers={"Accept-Encoding": "gzip"})
    plain = service.client.get("/tlog/tile/entries/000", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert zipped.content == plain.content  # (the client unzipped it)
    for missing in ("0/001", "0/001.p/45", "1/000", "2/000.p/1", "entries/002", "0/1", "00/000", "64/000", "0/000.p/0"):
        problem(service.client.get(f"/tlog/tile/{missing}"), 404)


def _entries_since(service: Service, key: Ed25519PublicKey, size: int) -> list[dict[str, Any]]:
    _, now, _ = _checkpoint(service, key)
    return [json.loads(e) for e in _entries(service, now)[size:]]


def test_every_kind_of_change_is_logged_once_and_refusals_log_nothing(
    service: Service, label: dict[str, Any], registry_key: Ed25519PublicKey
) -> None:
    c, cert, body = service.client, service.headers("demo-certifier"), service.headers("example-standards-body")
    _, start, _ = _checkpoint(service, registry_key)
    problem(
        c.post(f"/v1/labels/{label['id']}/revoke", json={"reason": "x"}, headers=service.headers("other-certifier")),
        403,
    )
    for action in ("reinstate", "revoke"):
        r = c.post(f"/v1/labels/{label['id']}/{action}", json={"reason": "checked"}, headers=cert)
        assert r.status_code == 200, r.text
    problem(c.post(f"/v1/labels/{label['id']}/reinstate", json={"reason": "x"}, headers=cert), 409)  # final
    pack = "example-standards-body/hot-rolled-steel"
    for action in ("deprecate", "withdraw"):
        r = c.post(f"/v1/rulepacks/{pack}/versions/1.1.0/{action}", json={"reason": "superseded"}, headers=body)
        assert r.status_code == 200, r.text
    gwp = "pcf-registry/ipcc-ar5-gwp100"  # the registry's own set: its operator may change it
    r = c.post(
        f"/v1/factorsets/{gwp}/versions/1.0.0/deprecate",
        json={"reason": "AR6"},
        headers=service.headers("registry-admin"),
    )
    assert r.status_code == 200, r.text
    keys = c.get("/v1/trust-list").json()["keys"]
    kid = next(k["kid"] for k in keys if k["certifier"] == "demo-certifier" and k["state"] == "active")
    assert c.post("/v1/certifiers/demo-certifier/keys:rotate", headers=cert).status_code == 201  # key.add
    assert c.post(f"/v1/certifiers/demo-certifier/keys/{kid}:withdraw", json={}, headers=cert).status_code == 200
    logged = _entries_since(service, registry_key, start)
    assert [(e["kind"], e.get("label_id") or e.get("ref") or e.get("kid")) for e in logged] == [
        ("label.reinstate", label["id"]),
        ("label.revoke", label["id"]),
        ("rulepack.status", f"{pack}@1.1.0"),
        ("rulepack.status", f"{pack}@1.1.0"),
        ("factorset.status", f"{gwp}@1.0.0"),
        ("key.add", logged[5]["kid"]),
        ("key.withdraw", kid),
    ]
    assert logged[5]["kid"] != kid and logged[5]["certifier"] == "demo-certifier"
    states = [e.get("status") or e.get("state") for e in logged]
    assert states == ["valid", "revoked", "deprecated", "withdrawn", "deprecated", None, "withdrawn"]
    assert all(is_valid(ENTRY_SCHEMA, e) for e in logged)
    assert (
        "checked" not in json.dumps(logged)
        and "superseded" not in json.dumps(logged)
        and "AR6" not in json.dumps(logged)
    )  # reasons stay private
