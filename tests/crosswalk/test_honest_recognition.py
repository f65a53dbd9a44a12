"""Issue 11, "honest about the standards": what recognition may claim, and what the crosswalk says.

- a target requirement that no rule of the source pack checks is a gap closable by evidence,
  never silently met (not even under the pack's own scheme);
- a scheme whose requirements are mostly unknown to the crosswalk gets `undetermined`;
- every verdict says how many of the rows it rests on were checked against the scheme's text;
- ISO 14067:2018 (August 2018) cannot require AR6 (2021), and GB/T 24067 is not looser than it.
"""

from __future__ import annotations

from typing import Any

import pytest
from cw_support import ALUMINIUM, Recognise, audit_record, example, gap, scheme

from registry.crosswalk import Crosswalks, Remedy, Status, compare, recognise, render_recognition
from registry.crosswalk.schemas import RECOGNITION_SCHEMA_ID, schema_errors
from registry.findings import PackRef
from registry.packs.catalog import Catalog

PACK = PackRef(id=ALUMINIUM, version="1.0.0", digest="sha256:" + "0" * 64)
UNPROVEN = ("uncertainty.statement", "aircraft.separate-reporting")


@pytest.fixture
def aluminium(catalog: Catalog) -> dict[str, Any]:
    return example(catalog, ALUMINIUM)


@pytest.mark.parametrize("target", ["iso-14067", "gb-t-24067"])
def test_requirements_no_pack_rule_checks_are_gaps(
    recognise_doc: Recognise, aluminium: dict[str, Any], target: str
) -> None:
    """GB/T and ISO ask for an uncertainty statement and separate aircraft emissions; nothing checked them."""
    assert "aircraftGhgEmissions" not in aluminium["pcf"]
    rec = recognise_doc(aluminium)
    result = scheme(rec, target)
    assert result.status is Status.WITH_GAPS
    for requirement in UNPROVEN:
        g = gap(rec, target, requirement)
        assert g is not None, requirement
        assert g.closable_by is Remedy.EVIDENCE
        assert "no rule of the source pack checks it" in g.missing
        assert g.basis == "source scheme gb-t-24067 (not checked by the pack)"


def test_an_attestation_or_the_declaration_closes_an_unchecked_requirement(
    recognise_doc: Recognise, aluminium: dict[str, Any]
) -> None:
    aluminium["pcf"]["aircraftGhgEmissions"] = "0"
    audit = audit_record({"requirement": "uncertainty.statement", "statement": "Monte Carlo, 10,000 runs."})
    rec = recognise_doc(aluminium, audit=audit)
    assert all(gap(rec, "iso-14067", r) is None for r in UNPROVEN)


def test_a_rule_of_the_pack_that_checks_the_requirement_backs_the_source_scheme(
    cw: Crosswalks, aluminium: dict[str, Any]
) -> None:
    """What the source scheme asks counts as met only through an error rule of the pack that checks it."""
    requirement = cw.by_id["verification.critical-review"]
    assert "gb-t-24067.critical-review" in requirement.checked_by
    args: dict[str, Any] = {"pack": PACK, "audit": audit_record(), "source_scheme": "gb-t-24067"}
    without = recognise(cw, aluminium, schemes=["gb-t-24067"], pack_rules=(), **args)
    assert gap(without, "gb-t-24067", "verification.critical-review") is not None
    backed = recognise(cw, aluminium, schemes=["gb-t-24067"], pack_rules=("gb-t-24067.critical-review",), **args)
    assert gap(backed, "gb-t-24067", "verification.critical-review") is None


@pytest.mark.parametrize("target", ["kr-cfl", "jp-sumpo"])
def test_schemes_mostly_unknown_to_the_crosswalk_are_undetermined(
    recognise_doc: Recognise, aluminium: dict[str, Any], target: str
) -> None:
    result = scheme(recognise_doc(aluminium), target)
    assert result.status is Status.UNDETERMINED
    assert result.unknown * 2 > result.weighed
    body = result.to_json()
    assert body["status"] == "undetermined"
    assert body["rows"]["unknown"] == result.unknown


def test_well_known_schemes_are_not_undetermined(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    rec = recognise_doc(aluminium)
    for target in ("iso-14067", "gb-t-24067", "pact-v3", "catena-x", "pef", "ghgp-product", "pas-2050"):
        assert scheme(rec, target).status is not Status.UNDETERMINED, target


def test_every_verdict_says_how_many_of_its_rows_were_checked(
    recognise_doc: Recognise, aluminium: dict[str, Any]
) -> None:
    rec = recognise_doc(aluminium)
    body = rec.to_json()
    assert schema_errors(RECOGNITION_SCHEMA_ID, body) == []
    for entry, result in zip(body["schemes"], rec.schemes, strict=True):
        rows = entry["rows"]
        assert rows["weighed"] == result.weighed > 0
        assert rows["checked"] == result.weighed - result.unchecked
        assert 0 <= rows["checked"] <= rows["weighed"]
    kr = next(e for e in body["schemes"] if e["scheme"] == "kr-cfl")
    assert kr["rows"]["checked"] == 3  # boundary, use stage and verifier were read on KEITI's pages
    text = render_recognition(rec, "text")
    assert "3 of " in text and "checked against the scheme's text" in text
    assert "checked against the scheme's text" in render_recognition(rec, "html")


def test_iso_14067_does_not_require_a_report_published_after_it(cw: Crosswalks) -> None:
    entry = cw.schemes["iso-14067"].entries["gwp.ipcc-report"]
    assert entry.value is None or "AR6" not in entry.value or {"AR4", "AR5"} <= set(entry.value)
    row = next(r for r in compare(cw, "iso-14067", "gb-t-24067").rows if r.requirement == "gwp.ipcc-report")
    assert row.relation != "looser"


def test_the_battery_functional_unit_row_is_checked_against_article_7(cw: Crosswalks) -> None:
    for requirement in ("unit.kind", "unit.of-measurement", "unit.amount"):
        entry = cw.schemes["eu-battery"].entries[requirement]
        assert entry.checked and entry.clause == "Regulation (EU) 2023/1542 Art. 7(1)(d)", requirement
    note = cw.schemes["eu-battery"].entries["unit.kind"].note
    assert note is not None and "total energy" in note and "service life" in note
