"""What a phone loads for each public page: bytes raw and gzip-compressed (issue 14: "a 4 KB page").

A fresh data directory (SQLite) is initialised, labels are issued for the bundled examples (an illustrative
grade, an ungraded battery), the demo certifier publishes a contact, and each page is fetched in process
(FastAPI's TestClient) in English and Chinese: the consumer page, the certifier page, a pack's grading page,
the front page. The style sheet's share is printed too (every page inlines it: no asset is loaded).

Run: python bench/page_size.py
Targets: 4 KB (4,096 B) per page gzip-compressed (what travels when the server or a proxy compresses);
8 KB raw (the browser tests' budget). The issue's "4 KB" raw is printed as a figure against the raw bytes.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from issuance import PAGE_CSS
from registry.api.app import build_context, create_app
from registry.packs.catalog import Catalog
from registry.service.bootstrap import DEMO_CERTIFIER, EXAMPLE_BODY, init_data_dir
from registry.storage.settings import StorageSettings

GZIP_TARGET = 4096
RAW_BUDGET = 8192
RAW_ISSUE = 4096


def _headers(client: TestClient, cred: Any) -> dict[str, str]:
    form = {"grant_type": "client_credentials"}
    token = client.post("/v1/auth/token", data=form, auth=(cred.client_id, cred.secret)).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _issue(client: TestClient, headers: dict[str, str], pack: str, gtin: str) -> dict[str, Any]:
    example = Catalog.bundled().resolve(f"{EXAMPLE_BODY}/{pack}").example
    r = client.post("/v1/labels", json={"declaration": example, "gtin": gtin}, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _pages(client: TestClient, creds: dict[str, Any]) -> dict[str, str]:
    h = _headers(client, creds[DEMO_CERTIFIER])
    contact = {"email": "labels@demo-certifier.example", "url": "https://demo-certifier.example/", "phone": "+86 10"}
    assert client.put(f"/v1/orgs/{DEMO_CERTIFIER}/contact", json=contact, headers=h).status_code == 200
    illustrative = _issue(client, h, "aluminium-ingot", "09506000134352")
    ungraded = _issue(client, h, "ev-traction-battery", "09506000134376")
    version = illustrative["verification"]["label"]["pack"].split("@")[1]
    return {
        "consumer page, illustrative grade": f"/L/{illustrative['id']}",
        "consumer page, ungraded": f"/L/{ungraded['id']}",
        "certifier page (with contact)": f"/v1/certifiers/{DEMO_CERTIFIER}/page",
        "pack grading page": f"/v1/rulepacks/{EXAMPLE_BODY}/aluminium-ingot/versions/{version}/grading",
        "front page": "/",
    }


def main() -> int:
    css = len(PAGE_CSS.encode())
    print(f"shared style sheet: {css} B raw, {len(gzip.compress(PAGE_CSS.encode(), 9))} B gzip -9")
    worst_gzip = worst_raw = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        report = init_data_dir(StorageSettings(data_dir=data), now=datetime.now(UTC))
        creds = {c.org_id: c for c in report.credentials}
        with TestClient(create_app(build_context(data))) as client:
            for name, path in _pages(client, creds).items():
                for lang in ("en", "zh"):
                    r = client.get(path, params={"lang": lang})
                    assert r.status_code == 200, (path, r.status_code)
                    raw, packed = len(r.content), len(gzip.compress(r.content, 9))
                    worst_raw, worst_gzip = max(worst_raw, raw), max(worst_gzip, packed)
                    print(f"{name:36} {lang}: {raw:5d} B raw ({100 * css // raw}% style), {packed:5d} B gzip -9")
    print(f"largest gzip: {worst_gzip} B; target {GZIP_TARGET} B: {'met' if worst_gzip <= GZIP_TARGET else 'NOT met'}")
    print(f"largest raw:  {worst_raw} B; budget {RAW_BUDGET} B: {'met' if worst_raw <= RAW_BUDGET else 'NOT met'}")
    print(f"largest raw against the issue's {RAW_ISSUE} B: {'met' if worst_raw <= RAW_ISSUE else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
