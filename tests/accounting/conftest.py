"""Accounting fixtures."""

from __future__ import annotations

import pytest
from accounting_support import build_library

from registry.factors import FactorLibrary


@pytest.fixture(scope="session")
def library() -> FactorLibrary:
    return build_library()
