"""`pcfreg serve` as a user runs it: a fresh data directory, a real HTTP server, the printed credentials."""

from __future__ import annotations

import copy
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from registry import cli
from registry.packs.catalog import Catalog
from registry.yamlpos import dump_yaml


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pcfreg() -> list[str]:
    exe = shutil.which("pcfreg", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "registry.cli"]


EXTRA = "example-standards-body/extra-ingot"


def _extra_pack(folder: Path, pack_id: str = EXTRA) -> Path:
    """A copy of the aluminium pack under another id and codes, in ``folder``."""
    data = copy.deepcopy(Catalog.bundled().get("example-standards-body/aluminium-ingot").data)
    data["id"] = pack_id
    data["publisher"]["id"] = pack_id.split("/", 1)[0]
    data["scope"]["hs"], data["scope"]["cpc"] = ["980001"], ["90001"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pack_id.rsplit('/', 1)[1]}.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    data = tmp_path_factory.mktemp("serve") / "pcfreg-data"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PCFREG_DATA_DIR", "PCFREG_PUBLIC_URL")}
    env["PCFREG_PACKS_DIR"] = str(_extra_pack(data.parent / "extra-packs").parent)
    log = data.parent / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*_pcfreg(), "serve", "--data-dir", str(data), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180  # a first init publishes every bundled pack and set
            while True:
                assert proc.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not become ready: " + log.read_text()
                time.sleep(0.2)
            yield base, log.read_text(), data
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_first_start_initialises_and_serves(server: tuple[str, str, Path]) -> None:
    base, output, data = server
    assert (data / "pcfreg.db").is_file() and (data / "secrets").is_dir()
    match = re.search(r"demo-certifier: client_id (\S+)\s+client_secret (\S+)", output)
    assert match, output
    token = httpx.post(
        f"{base}/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(match[1], match[2])
    ).json()["access_token"]
    packs = httpx.get(f"{base}/v1/rulepacks", params={"limit": 500}).json()
    assert {p["id"] for p in packs} >= {p.id for p in Catalog.bundled().packs()} | {EXTRA}  # PCFREG_PACKS_DIR
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    r = httpx.post(f"{base}/v1/validations", json=example, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201 and r.json()["conformant"] is True, r.text
    label = httpx.post(
        f"{base}/v1/labels",
        json={"declaration": example, "gtin": "09506000134352"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert label.status_code == 201, label.text
    port = base.rsplit(":", 1)[1]
    assert label.json()["url"] == f"HTTP://LOCALHOST:{port}/L/{label.json()['id']}"  # this server, unless told
    assert httpx.get(f"{base}/L/{label.json()['id']}").status_code == 200
    assert "Traceback" not in output


def test_port_in_use_is_a_clear_error(server: tuple[str, str, Path], tmp_path: Path) -> None:
    port = int(server[0].rsplit(":", 1)[1])
    done = subprocess.run(
        [*_pcfreg(), "serve", "--data-dir", str(tmp_path / "d"), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "d").exists()  # nothing created when it cannot serve


def test_init_publishes_the_packs_of_packs_dir_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "PCFREG_DATA_DIR", "PCFREG_PACKS_DIR"):
        monkeypatch.delenv(name, raising=False)
    folder = _extra_pack(tmp_path / "extra").parent
    data = str(tmp_path / "data")
    first = CliRunner().invoke(cli.main, ["--packs-dir", str(folder), "init", "--data-dir", data])
    assert first.exit_code == 0, first.output
    version = Catalog.bundled().get("example-standards-body/aluminium-ingot").version  # the copy's
    assert f"published {EXTRA}@{version}" in first.output
    monkeypatch.setenv("PCFREG_PACKS_DIR", str(folder))
    again = CliRunner().invoke(cli.main, ["init", "--data-dir", data])
    assert again.exit_code == 0, again.output
    assert "published" not in again.output  # stored with the same digest: nothing to do


def test_a_pack_of_another_publisher_in_packs_dir_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "PCFREG_DATA_DIR", "PCFREG_PACKS_DIR"):
        monkeypatch.delenv(name, raising=False)
    path = _extra_pack(tmp_path / "extra", "someone-else/ingot")
    done = CliRunner().invoke(cli.main, ["--packs-dir", str(path.parent), "init", "--data-dir", str(tmp_path / "d")])
    assert done.exit_code == 2
    version = Catalog.bundled().get("example-standards-body/aluminium-ingot").version  # the copy's
    assert str(path) in done.output and f"someone-else/ingot@{version}" in done.output


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "1e9"])
def test_a_bad_outbox_sweep_interval_is_a_clear_error(tmp_path: Path, value: str) -> None:
    done = CliRunner().invoke(
        cli.main,
        ["serve", "--data-dir", str(tmp_path / "d"), "--port", str(_free_port())],
        env={"PCFREG_PACT_SWEEP_SECONDS": value},
    )
    assert done.exit_code == 2, done.output
    assert "PCFREG_PACT_SWEEP_SECONDS must be a number of seconds from 0 to 86400" in done.output
    assert "Traceback" not in done.output and not (tmp_path / "d").exists()
