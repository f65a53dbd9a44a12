"""The bundled packs compiled twice, for the tests that compare the engine's pack function (common
subexpressions shared) with the plain one: each compiled once per test run, whichever test asks first
(compiling a pack from scratch takes about half a second; two test modules asked for the same 38)."""

from __future__ import annotations

from registry.packs.cache import PackCache
from registry.packs.catalog import Catalog
from registry.packs.engine import CompiledPack

_CATALOG: list[Catalog] = []
_PLAIN: dict[str, CompiledPack] = {}


def bundled() -> Catalog:
    """The bundled catalogue, one for the run, with the pack cache (the test run's own folder, then the
    entries shipped in ``registry/_prebuilt``): its compiled packs (:meth:`Catalog.compiled`) are the ones
    ``pcfreg`` runs, common subexpressions shared (compiled again when the compiler's source changed)."""
    if not _CATALOG:
        _CATALOG.append(Catalog.bundled(cache=PackCache.default()))
    return _CATALOG[0]


def plain_compiled(ref: str) -> CompiledPack:
    """The pack ``ref`` of :func:`bundled` compiled without sharing common subexpressions."""
    import registry.packs.engine as engine_mod

    if ref not in _PLAIN:
        original = getattr(engine_mod, "share_subexpressions")  # noqa: B009 (not exported: patched here)
        setattr(engine_mod, "share_subexpressions", lambda source: source)  # noqa: B010
        try:
            _PLAIN[ref] = CompiledPack(bundled().resolve(ref))
        finally:
            setattr(engine_mod, "share_subexpressions", original)  # noqa: B010
    return _PLAIN[ref]
