"""Our reading of PACT v3 checked against PACT's own schema (../shared/pact/).

The shipped copy in schemas/pact/ must be the MIT-derived file unchanged, and every
example declaration we ship must validate against it with an independent validator
(Python jsonschema, formats on), not only with the jsonschema-rs path we use at run time.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from registry.packs.catalog import Catalog
from registry.resources import schemas_dir

SHARED = Path(__file__).resolve().parents[2] / "shared" / "pact"
SHARED_V3 = SHARED / "pact-productfootprint-v3.0.schema.json"


def _v3_schema() -> dict[str, object]:
    path = SHARED_V3 if SHARED_V3.exists() else schemas_dir() / "pact" / SHARED_V3.name
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/pact/ not beside this checkout")
def test_shipped_copy_equals_shared() -> None:
    for name in ("pact-productfootprint-v3.0.schema.json", "pact-productfootprint-v2.3.schema.json"):
        ours = (schemas_dir() / "pact" / name).read_bytes()
        assert ours == (SHARED / name).read_bytes(), name


def test_every_pack_example_is_a_valid_pact_v3_footprint(catalog: Catalog) -> None:
    validator = jsonschema.Draft202012Validator(
        _v3_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    checked = 0
    for pack in catalog.packs():
        example = pack.data.get("example")
        if example is None:
            continue
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(example)]
        assert errors == [], pack.ref
        checked += 1
    assert checked >= 1


def test_decimal_fields_we_tighten_are_pact_decimals() -> None:
    """Every field our overlay gives a decimal pattern is a decimal string in PACT v3."""
    overlay = json.loads((schemas_dir() / "declaration-1.0.json").read_text())
    ours = overlay["allOf"][1]["properties"]["pcf"]["properties"]
    pact = _v3_schema()["$defs"]["CarbonFootprint"]["properties"]  # type: ignore[index]
    for name in ours:
        if name == "dqi":
            continue
        assert pact[name]["type"] == "string" and pact[name].get("format") == "decimal", name
    pact_decimals = {k for k, v in pact.items() if v.get("format") == "decimal"}
    assert pact_decimals == set(ours) - {"dqi"}
