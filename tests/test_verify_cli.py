"""``pcfreg label verify`` under attack: a pinned trust root, status lists chosen and never rolled back,
a label without its status list, an id or URL given instead of a token (issue 10)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from issuance import KeyScope, LabelClaims, generate_signing_key, sign_label, token_to_b64url
from issuance.model import Boundary
from issuance.trust import key_jwk
from registry import cli
from registry.packs.catalog import Catalog

GTIN = "09506000134352"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), env=env)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("verify") / "pcfreg-data"
    assert run("init", "--data-dir", str(d)).exit_code == 0
    return d


@pytest.fixture(scope="module")
def label(data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("decl") / "al.json"
    path.write_text(json.dumps(Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example))
    args = ["label", "issue", str(path), "--certifier", "demo-certifier", "--gtin", GTIN, "--format", "json"]
    r = run(*args, "--data-dir", str(data))
    assert r.exit_code == 0, r.stderr
    out: dict[str, Any] = json.loads(r.stdout)
    return out


@pytest.fixture
def files(data: Path, label: dict[str, Any], tmp_path: Path) -> dict[str, Path]:
    """The genuine trust list, the registry's key set and the status list of demo-certifier."""
    trust, keys, status = tmp_path / "trust.json", tmp_path / "registry.jwks", tmp_path / "status.cwt"
    trust.write_text(run("trust", "export", "--data-dir", str(data)).stdout)
    keys.write_text(run("trust", "export", "--registry-keys", "--data-dir", str(data)).stdout)
    exported = run("status", "export", "--certifier", "demo-certifier", "--out", str(status), "--data-dir", str(data))
    assert exported.exit_code == 0
    return {"trust": trust, "keys": keys, "status": status}


def _forged(trust: Path, tmp_path: Path) -> tuple[str, Path]:
    """A "grade A, 1 kg CO2e" label signed by an attacker, and the genuine trust list with the attacker's key
    appended (its registry signature left as it was)."""
    doc = json.loads(trust.read_text())
    now = datetime.now(UTC).replace(microsecond=0)
    scope = KeyScope(schemes=("gb-t-24067",), categories=("example-standards-body/",))
    key, private = generate_signing_key("demo-certifier", scope, now=now - timedelta(hours=1))
    doc["keys"].append(key_jwk(key))
    claims = LabelClaims(
        label_id="AAAAAAAAAAAAAAAA",
        issuer="demo-certifier",
        kid=key.kid,
        issued_at=now - timedelta(minutes=1),
        expires_at=now + timedelta(days=300),
        gtin=GTIN,
        grade="A",
        value="1",
        declared_unit="1 kilogram",
        boundary=Boundary.CRADLE_TO_GATE,
        pack="example-standards-body/aluminium-ingot@1.0.0",
        pack_digest="5f1c0a3e9b7d2c44",
        scheme="gb-t-24067",
        declaration_digest="a0b1c2d3e4f50617",
        status_uri=f"{doc['status_base']}/demo-certifier/1",
        status_idx=7,
    )
    altered = tmp_path / "trust-plus-attacker.json"
    altered.write_text(json.dumps(doc))
    return token_to_b64url(sign_label(claims, private)), altered


def test_a_forged_label_with_an_appended_key_is_never_valid(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, altered = _forged(files["trust"], tmp_path)
    unpinned = run("label", "verify", token, "--trust", str(altered), "--no-status")
    assert unpinned.exit_code == 2 and "pcfreg trust pin" in unpinned.stderr, unpinned.stdout
    given = run("label", "verify", token, "--trust", str(altered), "--registry-key", str(files["keys"]), "--no-status")
    assert given.exit_code == 2 and "signature" in given.stderr
    by_env = run(
        "label",
        "verify",
        token,
        "--trust",
        str(altered),
        "--no-status",
        env={"PCFREG_REGISTRY_KEY": str(files["keys"])},
    )
    assert by_env.exit_code == 2 and "signature" in by_env.stderr
    pinned = run("trust", "pin", str(files["keys"]))
    assert pinned.exit_code == 0 and "SHA256:" in pinned.stdout
    after_pin = run("label", "verify", token, "--trust", str(altered), "--no-status")
    assert after_pin.exit_code == 2 and "signature" in after_pin.stderr
    unsigned = json.loads(altered.read_text())
    del unsigned["signatures"]
    altered.write_text(json.dumps(unsigned))
    assert run("label", "verify", token, "--trust", str(altered), "--no-status").exit_code == 2


def test_a_genuine_label_verifies_against_the_pinned_root(
    data: Path, label: dict[str, Any], files: dict[str, Path]
) -> None:
    pinned = run("trust", "pin", str(files["keys"]))
    published = run("trust", "export", "--registry-keys", "--data-dir", str(data)).stderr
    fingerprint = published.split("SHA256:", 1)[1].strip()
    assert pinned.exit_code == 0 and f"SHA256:{fingerprint}" in pinned.stdout
    changed = files["keys"].parent / "other.jwks"
    changed.write_text(json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "A" * 43}]}))
    refused = run("trust", "pin", str(changed))
    assert refused.exit_code == 2 and "--replace" in refused.stderr
    ok = run("label", "verify", label["token"], "--trust", str(files["trust"]), "--status", str(files["status"]))
    assert ok.exit_code == 0 and ok.stdout.startswith("valid"), ok.stderr


def test_without_its_status_list_a_label_is_valid_status_unknown(label: dict[str, Any], files: dict[str, Path]) -> None:
    assert run("trust", "pin", str(files["keys"])).exit_code == 0
    unknown = run("label", "verify", label["token"], "--trust", str(files["trust"]), "--format", "json")
    assert unknown.exit_code == 4 and json.loads(unknown.stdout)["status"] == "valid_status_unknown"
    asked = run("label", "verify", label["token"], "--trust", str(files["trust"]), "--no-status")
    assert asked.exit_code == 0 and asked.stdout.startswith("valid (status_unchecked)")
    assert "4 valid_status_unknown" in run("label", "verify", "--help").stdout


def test_an_older_status_list_is_ignored_and_a_rolled_back_one_refused(
    data: Path, label: dict[str, Any], files: dict[str, Path], tmp_path: Path
) -> None:
    assert run("trust", "pin", str(files["keys"])).exit_code == 0
    time.sleep(1.1)  # iat has whole seconds
    newer = tmp_path / "newer.cwt"
    exported = run("status", "export", "--certifier", "demo-certifier", "--out", str(newer), "--data-dir", str(data))
    assert exported.exit_code == 0
    verify = ["label", "verify", label["token"], "--trust", str(files["trust"])]
    both = run(*verify, "--status", str(newer), "--status", str(files["status"]))
    assert both.exit_code == 0 and "note" in both.stderr and "ignored" in both.stderr, both.stderr
    rolled_back = run(*verify, "--status", str(files["status"]))
    assert rolled_back.exit_code == 2 and "older than the one" in rolled_back.stderr
    assert run(*verify, "--status", str(newer)).exit_code == 0


def test_a_label_id_or_url_is_not_called_forged(label: dict[str, Any], files: dict[str, Path]) -> None:
    assert run("trust", "pin", str(files["keys"])).exit_code == 0
    for given, what in ((label["id"], "label id"), (label["url"], "label URL"), (label["id"].lower(), "label id")):
        r = run("label", "verify", given, "--trust", str(files["trust"]))
        assert r.exit_code == 2 and what in r.stderr and "invalid_signature" not in r.stdout, (given, r.stderr)
        assert "/v1/labels:verify" in r.stderr and f"/v1/labels/{label['id']}" in r.stderr
    offline = run("label", "verify", label["offline_url"], "--trust", str(files["trust"]), "--no-status")
    assert offline.exit_code == 0, offline.stderr


def test_pin_from_a_url(files: dict[str, Path]) -> None:
    body = files["keys"].read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/v1/trust-list/keys"
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        pinned = run("trust", "pin", f"{base}/v1/trust-list/keys")
        missing = run("trust", "pin", f"{base}/nothing")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert pinned.exit_code == 0 and "SHA256:" in pinned.stdout, pinned.stderr
    assert missing.exit_code == 2 and "HTTP 404" in missing.stderr


def test_an_older_trust_list_than_one_seen_is_refused(
    data: Path, label: dict[str, Any], files: dict[str, Path], tmp_path: Path
) -> None:
    """A trust list from before a key was withdrawn, replayed within its validity, would trust that key again."""
    assert run("trust", "pin", str(files["keys"])).exit_code == 0
    time.sleep(1.1)  # issued_at has whole seconds
    newer = tmp_path / "newer-trust.json"
    newer.write_text(run("trust", "export", "--data-dir", str(data)).stdout)
    assert run("label", "verify", label["token"], "--trust", str(newer), "--no-status").exit_code == 0
    older = run("label", "verify", label["token"], "--trust", str(files["trust"]), "--no-status")
    assert older.exit_code == 2 and "older than the one" in older.stderr


def test_bulk_from_stdin_and_a_jsonl_file_one_result_a_line(
    label: dict[str, Any], files: dict[str, Path], tmp_path: Path
) -> None:
    assert run("trust", "pin", str(files["keys"])).exit_code == 0
    trust = ["--trust", str(files["trust"]), "--status", str(files["status"])]
    lines = [label["token"], label["offline_url"], json.dumps({"token": label["token"], "id": "sku-1"})]
    stdin = CliRunner().invoke(cli.main, ["label", "verify", "-", *trust], input="\n".join(lines) + "\n")
    assert stdin.exit_code == 0, stdin.stderr
    results = [json.loads(line) for line in stdin.stdout.splitlines()]
    assert [(r["line"], r["verdict"], r["label_id"]) for r in results] == [(n, "valid", label["id"]) for n in (1, 2, 3)]
    assert results[2]["id"] == "sku-1" and results[0]["reasons"] == []
    path = tmp_path / "scanned.jsonl"
    path.write_text("\n".join([label["token"], label["url"], "{broken", ""]) + "\n")
    bulk = run("label", "verify", str(path), *trust)
    assert bulk.exit_code == 1, bulk.stderr
    verdicts = [(r["line"], r["verdict"], r["reasons"][:1]) for r in map(json.loads, bulk.stdout.splitlines())]
    assert [v[:2] for v in verdicts] == [(1, "valid"), (2, "unknown"), (3, "unusable")]
    assert verdicts[1][2][0]["code"] == "no_token" and verdicts[2][2][0]["message"].startswith("line 3: ")
    text = run("label", "verify", str(path), *trust, "--format", "text")
    assert text.stdout.splitlines()[1] == f"line 2: unknown (no_token) {label['id']}"
    unknown = CliRunner().invoke(
        cli.main, ["label", "verify", "-", "--trust", str(files["trust"])], input=label["token"]
    )
    assert unknown.exit_code == 4 and json.loads(unknown.stdout)["verdict"] == "valid_status_unknown"
