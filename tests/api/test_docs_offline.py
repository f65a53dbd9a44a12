"""Issue 14: /docs and /redoc work without internet: every asset they load is served by the registry itself."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.api.auth import TokenIssuer
from registry.api.deps import ServiceContext
from registry.storage.db import make_engine

_REFERENCES = re.compile(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    engine = make_engine("sqlite://")  # the docs pages need no database
    with TestClient(create_app(ServiceContext(engine=engine, tokens=TokenIssuer(b"k" * 32)))) as c:
        yield c
    engine.dispose()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = _REFERENCES.findall(r.text)
    assert any(ref.endswith(".js") for ref in refs), refs  # the page does load a script
    assert "openapi.json" in " ".join(refs)
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), f"{page} loads {ref} from outside the registry"
        asset = client.get(ref)
        assert asset.status_code == 200 and asset.content, ref
    assert "https://" not in r.text and "http://" not in r.text
