"""pcfreg label verify takes a GS1 Digital Link URI: resolved online through the registry's linkset to the
product's current label, whose token is then verified offline against the trust list and status list."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner, Result

from registry import cli
from registry.api.app import create_app
from registry.api.deps import build_context
from registry.packs.catalog import Catalog

GTIN = "09506000134352"
OTHER = "09521234543213"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A data directory with a label issued with a Digital Link QR, served over HTTP on a free port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    before = os.environ.get("PCFREG_PUBLIC_URL")
    os.environ["PCFREG_PUBLIC_URL"] = base
    data = tmp_path_factory.mktemp("dl") / "pcfreg-data"
    assert run("init", "--data-dir", str(data)).exit_code == 0
    server = uvicorn.Server(
        uvicorn.Config(create_app(build_context(data)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield data, base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if before is None:
            os.environ.pop("PCFREG_PUBLIC_URL", None)
        else:
            os.environ["PCFREG_PUBLIC_URL"] = before


@pytest.fixture(scope="module")
def label(registry: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data, _ = registry
    path = tmp_path_factory.mktemp("decl") / "al.json"
    path.write_text(json.dumps(Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example))
    args = ["label", "issue", str(path), "--certifier", "demo-certifier", "--gtin", GTIN, "--batch", "LOT7"]
    r = run(*args, "--qr", "digital-link", "--format", "json", "--data-dir", str(data))
    assert r.exit_code == 0, r.stderr
    out: dict[str, Any] = json.loads(r.stdout)
    return out


@pytest.fixture(scope="module")
def files(registry: tuple[Path, str], label: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    data, _ = registry
    d = tmp_path_factory.mktemp("trust")
    trust, keys, status = d / "trust.json", d / "registry.jwks", d / "status.cwt"
    trust.write_text(run("trust", "export", "--data-dir", str(data)).stdout)
    keys.write_text(run("trust", "export", "--registry-keys", "--data-dir", str(data)).stdout)
    exported = run("status", "export", "--certifier", "demo-certifier", "--out", str(status), "--data-dir", str(data))
    assert exported.exit_code == 0
    return ["--trust", str(trust), "--registry-key", str(keys), "--status", str(status), "--format", "json"]


def test_the_label_records_its_digital_link(registry: tuple[Path, str], label: dict[str, Any]) -> None:
    _, base = registry
    assert label["qr"] == "digital-link"
    assert label["digital_link"] == f"{base.upper()}/01/{GTIN}/10/LOT7"


def test_a_digital_link_uri_resolves_and_verifies(
    registry: tuple[Path, str], label: dict[str, Any], files: list[str]
) -> None:
    _, base = registry
    for uri in (label["digital_link"], f"{base}/01/{GTIN[1:]}/10/LOT7/21/99"):
        r = run("label", "verify", uri, *files)
        assert r.exit_code == 0, (uri, r.stdout, r.stderr)
        out = json.loads(r.stdout)
        assert (out["status"], out["label_id"]) == ("valid", label["id"])


def test_a_product_without_a_label_is_unknown(registry: tuple[Path, str], files: list[str]) -> None:
    _, base = registry
    r = run("label", "verify", f"{base}/01/{OTHER}", *files)
    assert r.exit_code == 1, r.stderr
    out = json.loads(r.stdout)
    assert (out["status"], out["reason"]) == ("unknown", "unknown_product") and OTHER in out["detail"]


def test_a_malformed_digital_link_is_refused_naming_the_segment(registry: tuple[Path, str], files: list[str]) -> None:
    _, base = registry
    r = run("label", "verify", f"{base}/01/{GTIN[:-1]}7/10/LOT7", *files)
    assert r.exit_code == 2 and "/01: the GTIN" in r.stderr and "check digit" in r.stderr, r.stderr
    r = run("label", "verify", f"{base}/01/{GTIN}/21/9/10/LOT7", *files)
    assert r.exit_code == 2 and "/21:" in r.stderr, r.stderr
