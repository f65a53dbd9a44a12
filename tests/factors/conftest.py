"""Factor-set fixtures: the bundled sets, and a small set built per test to be broken on purpose."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from factor_support import BUNDLED, small_set_document

from registry.factors import FactorLibrary, FactorSet, factor_set_from_data, load_factor_set_file


@pytest.fixture(scope="session")
def bundled() -> dict[str, FactorSet]:
    return {fs.ref: fs for fs in (load_factor_set_file(p) for p in BUNDLED)}


@pytest.fixture
def library(bundled: dict[str, FactorSet]) -> FactorLibrary:
    return FactorLibrary(bundled.values())


@pytest.fixture
def make_set() -> Callable[..., FactorSet]:
    """``make_set(edit)`` builds the small set after ``edit(document)`` changed it."""

    def build(edit: Callable[[dict[str, Any]], None] | None = None) -> FactorSet:
        doc = copy.deepcopy(small_set_document())
        if edit is not None:
            edit(doc)
        return factor_set_from_data(doc)

    return build


def bundled_paths() -> list[Path]:
    return BUNDLED
