"""Where the bundled schemas and rule packs are, installed or in a checkout.

A wheel carries them inside the package (``registry/_data/``, see pyproject's
force-include); a source checkout has them at the repository root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson

_PKG = Path(__file__).resolve().parent


def _data_root(name: str) -> Path:
    installed = _PKG / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PKG.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"pcf-registry data folder {name!r} not found (looked in {installed})")


def schemas_dir() -> Path:
    return _data_root("schemas")


def rulepacks_dir() -> Path:
    return _data_root("rulepacks")


@cache
def load_schema(relative: str) -> dict[str, object]:
    """A bundled JSON Schema, by its path under ``schemas/``."""
    data = orjson.loads((schemas_dir() / relative).read_bytes())
    assert isinstance(data, dict)
    return data


EXTENSION_SCHEMA_ID = "https://pcf-registry.org/schemas/declaration-extension-1.0.json"
DECLARATION_SCHEMA_ID = "https://pcf-registry.org/schemas/declaration-1.0.json"
PACT_V3_SCHEMA_ID = "https://pcf-registry.org/schemas/pact/pact-productfootprint-v3.0.schema.json"
RULEPACK_SCHEMA_ID = "https://pcf-registry.org/schemas/rulepack-1.0.json"


def crosswalks_dir() -> Path:
    return _data_root("crosswalks")


def factorsets_dir() -> Path:
    return _data_root("factorsets")


def catalogues_dir() -> Path:
    return _data_root("gradingcatalogues")
