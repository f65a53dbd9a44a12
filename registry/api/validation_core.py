"""Validating one declaration for the API: what the ``POST /v1/validations`` route and its lean
fast path (:mod:`registry.api.fastpath`) both run, so neither imports the other.
"""

from __future__ import annotations

from typing import Any

from registry.api.deps import ServiceContext
from registry.declarations import unwrap
from registry.errors import InputError, Location
from registry.findings import ValidationResult
from registry.packs import validate_document


def validate_one(ctx: ServiceContext, document: Any, pack: str | None) -> ValidationResult:
    """``document`` validated against ``pack`` (``id@version``), or the pack selected for it, as of now.

    The same path as ``pcfreg validate``: when no product pack fits, the base pack of the
    declaration's format (``pact-v3`` for PACT v3, else ``core``), with a finding that says so.
    One result per request, so a PACT API envelope or an array is refused with where its
    footprints are (``pcfreg validate`` takes such files whole; here, send them as JSON Lines).
    """
    _refuse_wrapped(document)
    return validate_document(ctx.packs, document, pack=pack, now=ctx.clock())


def _refuse_wrapped(document: Any) -> None:
    unwrapped = unwrap(document)
    if unwrapped.envelope is None:
        return
    pointers = [item.pointer for item in unwrapped.items]
    shown = ", ".join(pointers[:5]) + (", ..." if len(pointers) > 5 else "")
    raise InputError(
        f"this is {unwrapped.envelope}, holding {len(pointers)} footprint(s) at {shown or 'no pointer'}; "
        "POST /v1/validations takes one footprint: send the footprint itself, or one per line "
        "to POST /v1/validations:batch",
        Location(pointer=""),
    )
