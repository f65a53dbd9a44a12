"""Request bodies that routes of more than one resource share.

No docstrings on the models: pydantic would put them in the OpenAPI schemas as descriptions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Reason(BaseModel):
    # why a label or an audit changes state (suspend, reinstate, revoke); kept in its history
    reason: str = Field(min_length=1, max_length=2000)


class StatusChange(BaseModel):
    # why a published rule pack or factor set version is deprecated or withdrawn
    reason: str = Field(min_length=1, max_length=2000)


def signed_body(description: str) -> dict[str, Any]:
    """The OpenAPI request body of a publication: one signed envelope (a JSON object)."""
    return {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": description}}},
    }
