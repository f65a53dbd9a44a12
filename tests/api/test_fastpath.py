"""The lean path for POST /v1/validations answers exactly as the FastAPI route does."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Service, problem

from registry.api.fastpath import FastValidation, _query
from registry.packs.catalog import Catalog

AL = "example-standards-body/aluminium-ingot"


def _fast(service: Service) -> FastValidation:
    layer: Any = service.client.app.middleware_stack  # type: ignore[attr-defined]
    while layer is not None and not isinstance(layer, FastValidation):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, FastValidation)
    return layer


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    ex = Catalog.bundled().resolve(AL).example
    assert ex is not None
    return ex


def test_same_answers_on_both_paths(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    fast = _fast(service)
    c.post("/v1/validations", json=example, headers=h, params={"store": "false"})  # caches the token
    before = fast.handled
    quick = c.post("/v1/validations", json=example, headers=h, params={"store": "false"})
    assert fast.handled == before + 1
    # "store=0" is valid for FastAPI but not a plain case here: the route answers it
    slow = c.post("/v1/validations", json=example, headers=h, params={"store": "0"})
    assert fast.handled == before + 1
    assert quick.status_code == slow.status_code == 200
    assert quick.json() == slow.json()
    assert quick.headers["content-type"] == slow.headers["content-type"] and quick.headers["x-request-id"]

    stored = c.post("/v1/validations", json=example, headers=h, params={"pack": f"{AL}@1.0.0"})
    assert fast.handled == before + 2
    assert stored.status_code == 201 and stored.headers["location"] == f"/v1/validations/{stored.json()['id']}"
    again = c.get(stored.headers["location"], headers=h).json()
    assert again["conformant"] is True and again["pack"]["version"] == "1.0.0"


def test_errors_are_the_routes_problems(service: Service, example: dict[str, Any]) -> None:
    c, h = service.client, service.headers("demo-certifier")
    fast = _fast(service)
    before = fast.handled
    problem(c.post("/v1/validations", content=b"{nope", headers=h), 422)
    problem(c.post("/v1/validations", json=example, headers=h, params={"pack": "no/such@1.0.0"}), 422)
    problem(c.post("/v1/validations", json=example, headers={"Authorization": "Bearer bad"}), 401)
    problem(c.post("/v1/validations", json=example, headers=service.headers("example-standards-body")), 403)
    problem(c.post("/v1/validations", json=example, headers=h, params={"store": "maybe"}), 422)
    assert fast.handled == before


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", (None, True)),
        (b"store=false", (None, False)),
        (b"pack=a%2Fb%401.0.0&store=true", ("a/b@1.0.0", True)),
        (b"store=0", None),
        (b"store=true&store=false", None),
        (b"other=1", None),
        (b"pack=", None),
        (b"%ff=1", None),
    ],
)
def test_query_plain_cases(raw: bytes, expected: Any) -> None:
    assert _query(raw) == expected
