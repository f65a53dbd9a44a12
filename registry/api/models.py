"""Request bodies that routes of more than one resource share.

No docstrings on the models: pydantic would put them in the OpenAPI schemas as descriptions.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Reason(BaseModel):
    # why a label or an audit changes state (suspend, reinstate, revoke); kept in its history
    reason: str = Field(min_length=1, max_length=2000)
