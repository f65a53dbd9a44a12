"""A pack diff as text: a header line, then one aligned line per change."""

from __future__ import annotations

from collections.abc import Iterator

from registry.packs.diff.changes import PackDiff


def _iter_lines(diff: PackDiff) -> Iterator[str]:
    actual = diff.actual
    verdict = "ok" if diff.ok else "REFUSED"
    actual_text = actual.value if actual is not None else "not a newer version"
    yield (
        f"{diff.old_ref} -> {diff.new_ref}: {len(diff.changes)} change(s); "
        f"required {diff.required.value}, actual {actual_text}: {verdict}"
    )
    if not diff.changes:
        return
    kind_w = max(len(c.kind.value) for c in diff.changes)
    ptr_w = max(len(c.pointer) for c in diff.changes)
    for c in diff.changes:
        yield f"{c.bump.value:<5}  {c.kind.value:<{kind_w}}  {c.pointer:<{ptr_w}}  {c.message}"


def render_text(diff: PackDiff) -> str:
    """A header line, then one line per change: bump, kind, pointer, message."""
    return "\n".join(_iter_lines(diff)) + "\n"
