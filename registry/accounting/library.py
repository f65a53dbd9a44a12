"""The factor library a recalculation resolves against: the bundled sets, loaded once."""

from __future__ import annotations

from functools import cache

from registry.factors import FactorLibrary, load_factor_set_file
from registry.resources import factorsets_dir


@cache
def bundled_library() -> FactorLibrary:
    """Every set in ``factorsets/`` (one file per version), in memory."""
    return FactorLibrary(load_factor_set_file(p) for p in sorted(factorsets_dir().glob("*/*.json")))
