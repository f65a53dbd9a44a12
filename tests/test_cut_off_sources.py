"""Issue 11: a cut-off cap belongs only to packs whose source sets one, citing it.

PACT Tech Specs v3 removed the 5 % upper boundary of exemptedEmissionsPercent (x-note "Removed upper
boundary of 5%", examples "5.3" and "10.4"), and ISO 14067 sets no number; core and pact-v3 used to
refuse anything above 5 % "per PACT v3 and ISO 14067".
"""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from registry.packs.catalog import Catalog
from registry.packs.diff import check_bump, diff_refs
from registry.packs.validate import validate_document

NOW = datetime(2026, 12, 7, tzinfo=UTC)  # the fixed versions are in effect
BATTERY = "example-standards-body/ev-traction-battery"
CUT_OFF = "core.cut-off.limit"


def _battery(catalog: Catalog, percent: str) -> dict[str, Any]:
    doc = copy.deepcopy(catalog.resolve(BATTERY).example)
    assert doc is not None
    doc["pcf"]["exemptedEmissionsPercent"] = percent
    return doc


def _rule_ids(catalog: Catalog, doc: dict[str, Any], ref: str) -> set[str]:
    return {f.rule_id for f in validate_document(catalog, doc, pack=ref, now=NOW).findings}


@pytest.mark.parametrize("percent", ["5.3", "10.4"])  # PACT v3's own example values
@pytest.mark.parametrize(
    "ref",
    [
        "example-standards-body/core",  # unpinned: the version in effect
        "example-standards-body/pact-v3",
        "example-standards-body/iso-14067",
        "example-standards-body/gb-t-24067",
        BATTERY,
    ],
)
def test_a_battery_declaration_above_5_percent_passes_where_no_source_sets_a_cap(
    catalog: Catalog, ref: str, percent: str
) -> None:
    doc = _battery(catalog, percent)
    result = validate_document(catalog, doc, pack=ref, now=NOW)
    assert CUT_OFF not in {f.rule_id for f in result.findings}
    if ref in ("example-standards-body/pact-v3", BATTERY):
        assert result.conformant, [(f.rule_id, f.message) for f in result.errors]


def test_no_share_above_100_percent(catalog: Catalog) -> None:
    assert CUT_OFF in _rule_ids(catalog, _battery(catalog, "100.5"), "example-standards-body/pact-v3")


def test_the_base_rule_no_longer_claims_a_cap_for_pact_or_iso(catalog: Catalog) -> None:
    core = catalog.resolve(catalog.get("example-standards-body/core", on=NOW.date()).ref)
    rule = next(r for r in core.rules if r.id == CUT_OFF)
    assert not any("ISO 14067" in c for c in rule.clauses)
    assert core.parameters["cutOffPercent"] == 100
    raw = catalog.get("example-standards-body/core", on=NOW.date()).data["parameters"]["cutOffPercent"]
    assert "Removed upper boundary of 5%" in raw["source"]


def test_a_cap_stays_where_the_pack_cites_a_source_that_sets_one(catalog: Catalog) -> None:
    steel = "example-standards-body/hot-rolled-steel"
    doc = copy.deepcopy(catalog.resolve(catalog.get(steel, on=NOW.date()).ref).example)
    assert doc is not None
    doc["pcf"]["exemptedEmissionsPercent"] = "3.5"
    assert CUT_OFF in _rule_ids(catalog, doc, steel)
    raw = catalog.get(steel, on=NOW.date()).data["parameters"]["cutOffPercent"]
    assert raw["value"] == 3 and any("Catena-X PCF Rulebook" in c for c in raw["clauses"])


def test_every_bundled_version_bumps_enough_over_the_one_before(catalog: Catalog) -> None:
    """The registry refuses a version number too small for the diff (ADR 0004); so do the bundled packs."""
    by_id: dict[str, list[str]] = {}
    for pack in catalog.packs():  # ordered by id, then SemVer
        by_id.setdefault(pack.id, []).append(pack.ref)
    pairs = [(a, b) for refs in by_id.values() for a, b in itertools.pairwise(refs)]
    assert len(pairs) >= 10
    for old, new in pairs:
        check_bump(diff_refs(catalog, old, new))


def test_battery_article_7_citations_are_checked_against_the_regulation_text(catalog: Catalog) -> None:
    """Art. 7(1)(a)-(g) was read in the Regulation's German text: its citations lose the [unchecked] mark."""
    pack = catalog.get(f"{BATTERY}@1.1.0")
    clauses = [c for rule in pack.data["rules"] for c in rule.get("clauses", []) if "Art. 7(1)" in c]
    assert clauses and not [c for c in clauses if c.endswith("[unchecked]")]
    source = next(s for s in pack.data["provenance"]["sources"] if "Art. 7(1), German text" in s["title"])
    assert source["checked"] is True and source["url"].startswith("https://haufe.de/")
    assert "one kWh of the total" in source["used_for"]
    old = catalog.get(f"{BATTERY}@1.0.0")
    assert any(c.endswith("[unchecked]") for r in old.data["rules"] for c in r.get("clauses", []) if "Art. 7(1)" in c)
