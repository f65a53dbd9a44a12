"""The recalculation a label rests on: found among the certifier's stored recalculations, checked
against the pack's bound, and summed up for the label record (issue 12).

A label of a declaration the certifier recomputed (``POST /v1/recalculations``) records which
recalculation that was, its deviation, the factor sets ``id@version`` it used and the inventory's
digest, never the inventory's lines. A pack that requires an inventory gets no label without a
stored recalculation under that pack, conformant and within the pack's deviation bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from registry.accounting.policy import RecalcPolicy
from registry.errors import InputError, Location
from registry.storage import issuance as label_store
from registry.storage import repo
from registry.storage.models import Validation

POINTER = "/recalculation"


@dataclass
class RecalculationRequired(InputError):
    """A label the pack lets rest only on a stored recalculation, and there is none that fits."""

    code: str = "recalculation-required"


@dataclass(frozen=True)
class Wanted:
    """What one label request needs: the declaration's digest, the pack, and a named recalculation."""

    digest: str
    pack_ref: str
    policy: RecalcPolicy
    named: str | None


def record_of(row: Validation) -> dict[str, Any]:
    """What a label keeps of a stored recalculation (small; no activity data)."""
    recalc = row.result["recalculation"]
    return {
        "id": row.id,
        "recomputedAt": row.created_at.isoformat(),
        "deviationPercent": (recalc.get("deviationPercent") or {}).get("total"),
        "factorSets": list(recalc.get("setsUsed") or ()),
        "inventoryDigest": recalc["inventoryDigest"],
    }


def _deviation(row: Validation) -> Decimal | None:
    text = ((row.result["recalculation"].get("deviationPercent")) or {}).get("total")
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _unfit(row: Validation, want: Wanted) -> str | None:
    """Why a stored validation cannot back the label (None: it can)."""
    if not isinstance(row.result.get("recalculation"), dict):
        return f"validation {row.id} holds no recalculation"
    if row.declaration_digest != want.digest:
        return f"recalculation {row.id} is of another declaration (its digest differs)"
    ref = f"{row.pack_id}@{row.pack_version}"
    if ref != want.pack_ref:
        return f"recalculation {row.id} was validated against {ref}, not {want.pack_ref}"
    if not row.conformant:
        return f"recalculation {row.id} is not conformant to {ref}"
    bound = want.policy.fail_percent
    if bound is not None:
        dev = _deviation(row)
        if dev is None:
            return f"recalculation {row.id} gives no deviation of the total, which {ref} bounds at {bound} %"
        if abs(dev) > bound:
            return f"recalculation {row.id} deviates {dev} %, more than the {bound} % {ref} allows"
    return None


def find(
    session: Session, certifier: str, wants: Sequence[Wanted]
) -> list[dict[str, Any] | RecalculationRequired | None]:
    """For each request, the record of the recalculation its label rests on, why none may, or None
    (a declared figure, not recomputed). Two queries for the whole batch."""
    named = repo.validations_by_id(session, certifier, {w.named for w in wants if w.named is not None})
    unnamed = {w.digest for w in wants if w.named is None}
    ids = label_store.recalculation_ids(session, certifier, unnamed)  # usually none: then no row is read
    rows = sorted(repo.validations_by_id(session, certifier, ids).values(), key=lambda r: (r.created_at, r.id))
    by_digest: dict[str, list[Validation]] = {}
    for row in rows:  # oldest first
        by_digest.setdefault(row.declaration_digest, []).append(row)
    return [_one(w, named, by_digest) for w in wants]


def _one(
    want: Wanted, named: Mapping[str, Validation], by_digest: Mapping[str, list[Validation]]
) -> dict[str, Any] | RecalculationRequired | None:
    if want.named is not None:
        row = named.get(want.named)
        if row is None:
            return RecalculationRequired(
                f"recalculation {want.named!r} not found among this certifier's stored recalculations",
                Location(pointer=POINTER),
            )
        why = _unfit(row, want)
        return RecalculationRequired(why, Location(pointer=POINTER)) if why else record_of(row)
    for row in reversed(by_digest.get(want.digest, ())):  # newest first
        if _unfit(row, want) is None:
            return record_of(row)
    if want.policy.require_inventory:
        bound = want.policy.fail_percent
        within = f", conformant and within {bound} % deviation" if bound is not None else ", conformant"
        return RecalculationRequired(
            f"{want.pack_ref} requires an activity inventory: a label needs a stored recalculation of this "
            f"declaration under {want.pack_ref}{within}, and there is none; send the declaration and its "
            "inventory to POST /v1/recalculations first, or name the recalculation",
            Location(pointer=POINTER),
        )
    return None
