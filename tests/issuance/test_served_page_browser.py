"""The consumer page as a phone gets it: a real label, issued and revoked through a running registry,
opened in headless Chromium from the label's own URL. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from browser import capture_url

from issuance.i18n import TEXTS
from registry.api.app import build_context, create_app
from registry.packs.catalog import Catalog
from registry.service.bootstrap import init_data_dir
from registry.storage.settings import StorageSettings

GTIN = "09506000134352"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data = tmp_path_factory.mktemp("served") / "data"
    report = init_data_dir(StorageSettings(data_dir=data), now=datetime.now(UTC))
    cred = next(c for c in report.credentials if c.org_id == "demo-certifier")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(build_context(data)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the registry did not start"
        time.sleep(0.05)
    token = httpx.post(
        f"{base}/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(cred.client_id, cred.secret)
    ).json()["access_token"]
    try:
        yield base, f"Bearer {token}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_served_label_page_in_chromium(chromium: Path, artifacts: Path, registry: tuple[str, str]) -> None:
    base, auth = registry
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    issued = httpx.post(
        f"{base}/v1/labels", json={"declaration": example, "gtin": GTIN}, headers={"Authorization": auth}
    )
    assert issued.status_code == 201, issued.text
    label = issued.json()
    grade = label["verification"]["label"]["grade"]
    page = f"{base}/L/{label['id']}"  # what the QR code says, minus the upper-case scheme and host

    en = capture_url(chromium, page, artifacts / "served-valid-en.png", lang="en-US")
    zh = capture_url(chromium, page, artifacts / "served-valid-zh.png", lang="zh-CN")
    assert TEXTS["en"]["status.valid"] in en.dom and f">{grade}<" in en.dom and GTIN in en.dom
    assert TEXTS["zh"]["status.valid"] in zh.dom and 'lang="zh' in zh.dom

    revoked = httpx.post(
        f"{base}/v1/labels/{label['id']}/revoke", json={"reason": "data error"}, headers={"Authorization": auth}
    )
    assert revoked.status_code == 200
    after = capture_url(chromium, page, artifacts / "served-revoked-en.png", lang="en-US")
    assert TEXTS["en"]["status.revoked"] in after.dom and TEXTS["en"]["status.valid"] not in after.dom

    unknown = capture_url(chromium, f"{base}/L/AAAAAAAAAAAAAAAA", artifacts / "served-unknown-en.png", lang="en-US")
    assert TEXTS["en"]["status.unknown"] in unknown.dom
