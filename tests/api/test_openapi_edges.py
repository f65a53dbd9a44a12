"""Clean edges of the HTTP API (issue 10): bounded integer path parameters, JSON responses with schemas."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Service, problem


@pytest.mark.parametrize("list_no", ["9223372036854775808", str(2**31), "-1", str(10**40)])
def test_out_of_range_status_list_number_is_422_not_500(service: Service, list_no: str) -> None:
    body = problem(service.client.get(f"/v1/status/demo-certifier/{list_no}"), 422)
    assert body["errors"][0]["loc"] == ["path", "list_no"]


def test_an_unknown_status_list_in_range_is_404(service: Service) -> None:
    problem(service.client.get(f"/v1/status/demo-certifier/{2**31 - 1}"), 404)


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def test_every_integer_path_parameter_is_bounded(service: Service) -> None:
    spec = service.client.get("/openapi.json").json()
    unbounded = [
        f"{method} {path} {p['name']}"
        for method, path, op in _operations(spec)
        for p in op.get("parameters", [])
        if p["in"] == "path"
        and p["schema"].get("type") == "integer"
        and ("minimum" not in p["schema"] or "maximum" not in p["schema"])
    ]
    assert unbounded == []


def test_every_json_success_response_has_a_schema(service: Service) -> None:
    """Not "string" (what FastAPI wrote for a response class that is not a JSONResponse), not empty."""
    spec = service.client.get("/openapi.json").json()
    vague = [
        f"{method} {path} {code}"
        for method, path, op in _operations(spec)
        for code, response in op.get("responses", {}).items()
        if code.startswith("2")
        and "application/json" in response.get("content", {})
        and response["content"]["application/json"].get("schema", {}).get("type", "string") == "string"
        and "$ref" not in response["content"]["application/json"].get("schema", {})
    ]
    assert vague == []
