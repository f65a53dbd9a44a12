from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from registry.packs.catalog import Catalog

NOW = datetime(2026, 6, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.bundled()


@pytest.fixture
def core_example(catalog: Catalog) -> dict[str, Any]:
    example = catalog.resolve("example-standards-body/core").example
    assert example is not None
    return copy.deepcopy(example)


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own pcfreg config directory (pinned registry key, status lists seen); never the user's."""
    monkeypatch.setenv("PCFREG_CONFIG_DIR", str(tmp_path_factory.mktemp("pcfreg-config")))
    monkeypatch.delenv("PCFREG_REGISTRY_KEY", raising=False)
