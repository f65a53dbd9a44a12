"""Grading: added or removed, its metric, its bands by grade letter, and its wording."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from registry.packs.diff.changes import ChangeKind
from registry.packs.diff.common import Collector, Side, as_decimal, ptr, same
from registry.packs.diff.versions import Bump
from registry.packs.rulepack import Grading, GradingBand


def grading_text(chain: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The wording of the nearest grading (unit, basis, band labels): what changes no grade."""
    for data in reversed(chain):
        g = data.get("grading")
        if g is not None:
            return {
                "unit": g.get("unit"),
                "basis": g.get("basis"),
                "labels": {b["grade"]: b["label"] for b in g.get("bands", []) if "label" in b},
            }
    return None


def _band_json(band: GradingBand) -> dict[str, Any]:
    return {"grade": band.grade, "max": band.max}


def _diff_presence(col: Collector, og: Grading | None, ng: Grading | None) -> None:
    """Exactly one side grades."""
    if ng is None:
        assert og is not None
        as_json = {"metric": og.metric, "bands": [_band_json(b) for b in og.bands]}
        col.add(ChangeKind.GRADING_REMOVED, Bump.MINOR, "/grading", as_json, None, "grading removed: no more grades")
    else:
        as_json = {"metric": ng.metric, "bands": [_band_json(b) for b in ng.bands]}
        col.add(
            ChangeKind.GRADING_ADDED, Bump.MINOR, "/grading", None, as_json, "grading added: declarations get a grade"
        )


def _diff_metric(col: Collector, og: Grading, ng: Grading) -> None:
    if og.metric != ng.metric:
        message = f"grading metric changed from {og.metric} to {ng.metric}"
        col.add(ChangeKind.GRADING_METRIC_CHANGED, Bump.MINOR, "/grading/metric", og.metric, ng.metric, message)


def _max_key(value: str | None) -> Decimal | None:
    return None if value is None else as_decimal(value)


def _diff_band_max(col: Collector, i: int, band: GradingBand, before: str | None) -> None:
    """The upper bound of a grade both sides have, at index ``i`` in the new bands."""
    if before == band.max:
        return
    pointer = ptr("grading", "bands", i, "max")
    a, b = _max_key(before), _max_key(band.max)
    if a == b and a is not None:
        message = f"upper bound of grade {band.grade} rewritten ({before} -> {band.max}), same value"
        col.patch(pointer, before, band.max, message)
        return
    lowered = b is not None and (a is None or b < a)
    how = "lowered (stricter: fewer footprints get it)" if lowered else "raised (more lenient: more footprints get it)"
    message = f"upper bound of grade {band.grade} {how}: {before or 'open'} -> {band.max or 'open'}"
    col.add(ChangeKind.BAND_MOVED, Bump.MINOR, pointer, before, band.max, message)


def _diff_new_bands(col: Collector, og: Grading, ng: Grading) -> None:
    old_bands = {b.grade: b for b in og.bands}
    for i, band in enumerate(ng.bands):
        if band.grade in old_bands:
            _diff_band_max(col, i, band, old_bands[band.grade].max)
            continue
        upper = f"up to {band.max}" if band.max is not None else "open-ended"
        message = f"grade {band.grade} added ({upper})"
        col.add(ChangeKind.BAND_ADDED, Bump.MINOR, ptr("grading", "bands", i), None, _band_json(band), message)


def _diff_old_bands(col: Collector, og: Grading, ng: Grading) -> None:
    new_grades = {b.grade for b in ng.bands}
    for i, band in enumerate(og.bands):
        if band.grade not in new_grades:
            message = f"grade {band.grade} removed"
            col.add(ChangeKind.BAND_REMOVED, Bump.MINOR, ptr("grading", "bands", i), _band_json(band), None, message)


def diff_grading(col: Collector, old: Side, new: Side) -> None:
    og, ng = old.resolved.grading, new.resolved.grading
    if og is None and ng is None:
        return
    if og is None or ng is None:
        _diff_presence(col, og, ng)
        return
    _diff_metric(col, og, ng)
    _diff_new_bands(col, og, ng)
    _diff_old_bands(col, og, ng)
    old_text, new_text = grading_text(old.chain), grading_text(new.chain)
    if not same(old_text, new_text):
        col.patch("/grading", old_text, new_text, "grading wording changed")
