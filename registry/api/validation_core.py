"""Validating one declaration for the API: what the ``POST /v1/validations`` route and its lean
fast path (:mod:`registry.api.fastpath`) both run, so neither imports the other.
"""

from __future__ import annotations

from typing import Any

from registry.api.deps import ServiceContext
from registry.findings import ValidationResult


def validate_one(ctx: ServiceContext, document: Any, pack: str | None) -> ValidationResult:
    """``document`` validated against ``pack`` (``id@version``), or the pack selected for it, as of now."""
    now = ctx.clock()
    ref = pack if pack is not None else ctx.packs.select(document, now=now).ref
    result: ValidationResult = ctx.packs.compiled(ref, on=now.date()).validate(document, now=now)
    return result
