"""Property-based contract tests: schemathesis against the app's own OpenAPI, in process (ASGI).

Every documented operation is called with generated inputs (bounded and derandomised) as
``demo-certifier``, and every response must not be a 5xx, must use a content type the
schema documents for its status code, and its body must match the schema documented for it
(issue 10: responses have models, not "string"). SQLite only; no network.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

schemathesis = pytest.importorskip("schemathesis", minversion="3.30")

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from registry.api.app import ServiceContext, build_context, create_app  # noqa: E402
from registry.api.auth import TokenIssuer  # noqa: E402
from registry.packs.catalog import Catalog  # noqa: E402
from registry.service.bootstrap import DEMO_CERTIFIER, init_data_dir  # noqa: E402
from registry.service.ratelimit import FailureLimiter  # noqa: E402
from registry.storage.db import make_engine  # noqa: E402
from registry.storage.settings import StorageSettings  # noqa: E402

_V4 = int(schemathesis.__version__.split(".")[0]) >= 4 if hasattr(schemathesis, "__version__") else True

if _V4:
    from schemathesis.checks import not_a_server_error
    from schemathesis.openapi.checks import UndefinedContentType
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
else:  # pragma: no cover - schemathesis 3.x
    from schemathesis.checks import not_a_server_error  # type: ignore[no-redef]
    from schemathesis.exceptions import CheckFailed as UndefinedContentType  # type: ignore[no-redef]
    from schemathesis.specs.openapi.checks import (  # type: ignore[no-redef]
        content_type_conformance,
        response_schema_conformance,
    )

# Known, reported deviations of the served API from its own OpenAPI document. Each entry is
# (operation label or "*", status class or exact status, received media type, documented media type).
# Everything else must match what the schema documents for the status code.
KNOWN_CONTENT_TYPE_DEVIATIONS: dict[tuple[str, str, str, str], str] = {}
DEVIATIONS_SEEN: set[tuple[str, int, str]] = set()


def _media(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _header(headers: Any, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return None


def _known_deviation(label: str, status: int, received: str, documented: list[str]) -> bool:
    for (op, code, got, doc), _why in KNOWN_CONTENT_TYPE_DEVIATIONS.items():
        if op not in ("*", label) or got != received or doc not in documented:
            continue
        if code == str(status) or (code.endswith("xx") and str(status)[0] == code[0]):
            return True
    return False


@schemathesis.check
def documented_content_type(ctx: Any, response: Any, case: Any) -> bool | None:
    """``content_type_conformance``, tolerating only the deviations listed above."""
    try:
        return content_type_conformance(ctx, response, case)  # type: ignore[no-any-return]
    except UndefinedContentType:
        received = _media(_header(response.headers, "content-type"))
        documented = [_media(t) for t in case.operation.schema.get_content_types(case.operation, response)]
        if _known_deviation(case.operation.label, response.status_code, received, documented):
            DEVIATIONS_SEEN.add((case.operation.label, response.status_code, received))
            return None
        raise


CHECKS = [not_a_server_error, documented_content_type, response_schema_conformance]


@schemathesis.serializer("application/jsonl")
def _jsonl(ctx: Any, value: Any) -> bytes:
    """JSON Lines bodies for the batch endpoint: a generated string is sent as it is."""
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


class _Api:
    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Api]:
    data_dir: Path = tmp_path_factory.mktemp("data-schemathesis")
    report = init_data_dir(StorageSettings(data_dir=data_dir), now=datetime.now(UTC))
    ctx = build_context(data_dir)
    ctx.limiter = FailureLimiter({"client": 1_000_000, "address": 1_000_000})  # one address, many bogus keys
    app = create_app(ctx)
    cred = next(c for c in report.credentials if c.org_id == DEMO_CERTIFIER)
    with TestClient(app) as client:
        r = client.post("/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(cred.client_id, cred.secret))
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
    yield _Api(app, {"Authorization": f"Bearer {token}"})
    ctx.engine.dispose()


def _schema_only_app() -> Any:
    """The same app over an empty in-memory database: only its /openapi.json is read, at collection.

    (schemathesis' ``from_fixture`` cannot be used with pytest 9: it reads ``Function._nodeid``.)
    The requests themselves go to the ``api`` fixture's app, whose OpenAPI is checked to be identical.
    """
    ctx = ServiceContext(engine=make_engine("sqlite://"), tokens=TokenIssuer(b"openapi-only" * 3))
    return create_app(ctx)


_SCHEMA_APP = _schema_only_app()
schema = (
    schemathesis.openapi.from_asgi("/openapi.json", _SCHEMA_APP)
    if _V4
    else schemathesis.from_asgi("/openapi.json", _SCHEMA_APP)  # pragma: no cover - schemathesis 3.x
)


def test_schema_is_the_served_one(api: _Api) -> None:
    assert api.app.openapi() == _SCHEMA_APP.openapi()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_contract(case: Any, api: _Api) -> None:
    case.call_and_validate(app=api.app, headers=api.headers, checks=CHECKS)


# ------------------------------------------------------------------ request bodies
# POST /v1/validations, /v1/validations:batch and /v1/rulepacks read raw JSON bodies that the
# OpenAPI does not describe, so schemathesis only sends them empty bodies. These cases mutate the
# aluminium example declaration instead (one leaf or member replaced by arbitrary JSON).

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(copy[path[0]], path[1:], new)
    return copy


_EXAMPLE = Catalog.bundled().resolve("aluminium-ingot").example
_EXAMPLE_PATHS = _paths(_EXAMPLE)[1:]


@st.composite
def _mutated(draw: Any) -> Any:
    doc = _EXAMPLE
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(_EXAMPLE_PATHS))
        new = draw(_JSON)
        with contextlib.suppress(KeyError, IndexError, TypeError):  # the path vanished in an earlier mutation
            doc = _replace(doc, path, new)
    return doc


def _assert_contract(r: Any, ok: set[str]) -> None:
    assert r.status_code < 500, r.text
    media = _media(r.headers.get("content-type"))
    expected = ok if r.status_code < 400 else {"application/problem+json"}
    assert media in expected, (r.status_code, media, r.text[:300])


@given(doc=_mutated(), store=st.booleans())
@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_validation_bodies(api: _Api, doc: Any, store: bool) -> None:
    with TestClient(api.app, raise_server_exceptions=False) as client:
        r = client.post(
            f"/v1/validations?store={str(store).lower()}",
            content=json.dumps(doc).encode(),  # stdlib: big ints too (the server must refuse them cleanly)
            headers={**api.headers, "Content-Type": "application/json"},
        )
    _assert_contract(r, {"application/json"})


@given(docs=st.lists(_mutated() | _JSON, min_size=1, max_size=5))
@settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_batch_bodies(api: _Api, docs: list[Any]) -> None:
    body = b"\n".join(json.dumps(d).encode() for d in docs) + b"\n"
    with TestClient(api.app, raise_server_exceptions=False) as client:
        r = client.post("/v1/validations:batch?store=false", content=body, headers=api.headers)
    _assert_contract(r, {"application/jsonl"})
    if r.status_code == 200:
        lines = [orjson.loads(line) for line in r.content.splitlines() if line.strip()]
        assert [x["line"] for x in lines] == list(range(1, len(docs) + 1))


def test_known_deviations_reported() -> None:
    """Lists the tolerated contract deviations actually observed (see KNOWN_CONTENT_TYPE_DEVIATIONS)."""
    if DEVIATIONS_SEEN:
        seen = "; ".join(f"{op} -> {status} {media}" for op, status, media in sorted(DEVIATIONS_SEEN))
        warnings.warn(f"known OpenAPI content-type deviations observed: {seen}", stacklevel=1)
