"""What changed between two versions of a grading catalogue, category by category, band by band."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from registry.catalogues.model import Catalogue, Category

_HEADER = ("title", "publisher", "effective", "transition")


def _change(path: str, before: Any, after: Any) -> dict[str, Any]:
    return {"path": path, "before": before, "after": after}


def _bands(cat: Category) -> dict[str, str | None]:
    return {band.grade: band.max for band in cat.bands}


def _category(old: Category, new: Category) -> Iterator[dict[str, Any]]:
    base = f"/categories/{new.id}"
    for field in ("match", "metric", "unit"):
        if old.data[field] != new.data[field]:
            yield _change(f"{base}/{field}", old.data[field], new.data[field])
    if old.kind != new.kind:
        yield _change(f"{base}/basis/kind", old.kind, new.kind)
    before, after = _bands(old), _bands(new)
    for grade in [*before, *(g for g in after if g not in before)]:
        if before.get(grade, "-") != after.get(grade, "-"):
            yield _change(f"{base}/bands/{grade}", before.get(grade, "-"), after.get(grade, "-"))
    if old.data["basis"] != new.data["basis"] and before == after and old.kind == new.kind:
        yield _change(f"{base}/basis", old.data["basis"], new.data["basis"])  # the same limits, another account


def diff_catalogues(old: Catalogue, new: Catalogue) -> list[dict[str, Any]]:
    """Each change as ``{path, before, after}``; a band's limit as computed (a share times its benchmark).
    A category or band that is absent on one side shows ``"-"`` there."""
    changes = [
        _change(f"/{k}", old.data.get(k), new.data.get(k)) for k in _HEADER if old.data.get(k) != new.data.get(k)
    ]
    olds = {c.id: c for c in old.categories}
    news = {c.id: c for c in new.categories}
    for cid, cat in olds.items():
        if cid not in news:
            changes.append(_change(f"/categories/{cid}", cat.title_text, "-"))
    for cid, cat in news.items():
        if cid not in olds:
            changes.append(_change(f"/categories/{cid}", "-", cat.title_text))
        else:
            changes.extend(_category(olds[cid], cat))
    return changes
