"""The bundled crosswalk files: every row cites a clause, every scheme covers the vocabulary,
packs and rules they name exist, and unchecked facts are marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cw_support import ALUMINIUM, example

from registry.crosswalk import Crosswalks, EntryStatus
from registry.crosswalk.facts import PROBES
from registry.packs.catalog import Catalog
from registry.resources import DECLARATION_SCHEMA_ID, crosswalks_dir
from registry.schemas import is_valid

SCHEME_FILES = sorted((crosswalks_dir() / "schemes").glob("*.yaml"))
REQUIRED_SCHEMES = {
    "iso-14067", "gb-t-24067", "ghgp-product", "pas-2050", "pef", "pact-v3", "eu-battery", "catena-x",
    "jp-sumpo", "kr-cfl",
}  # fmt: skip
TOPICS = {
    "unit", "system-boundary", "cut-off", "allocation", "end-of-life", "gwp", "biogenic", "land-use-change",
    "electricity", "aircraft", "offsets", "data-quality", "reference-period", "verification", "reporting",
    "validity", "uncertainty", "packaging", "capital-goods",
}  # fmt: skip


def _raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("path", SCHEME_FILES, ids=lambda p: p.stem)
def test_every_row_cites_a_clause(path: Path) -> None:
    data = _raw(path)
    rows = dict(data["requirements"])
    if "default" in data:
        rows["(default)"] = data["default"]
    assert rows
    for requirement, row in rows.items():
        clause = row.get("clause")
        assert isinstance(clause, str) and len(clause.strip()) >= 3, f"{path.name}: {requirement} has no clause"
        assert isinstance(row.get("checked"), bool), f"{path.name}: {requirement} has no checked flag"
        assert "[unchecked]" not in clause, f"{path.name}: {requirement}: mark unchecked facts with checked: false"


def test_the_ten_schemes_and_nineteen_topics_are_there(cw: Crosswalks) -> None:
    assert set(cw.schemes) == REQUIRED_SCHEMES
    assert {r.topic for r in cw.requirements} >= TOPICS
    assert {p.stem for p in SCHEME_FILES} == REQUIRED_SCHEMES


def test_every_scheme_has_an_entry_with_a_clause_for_every_requirement(cw: Crosswalks) -> None:
    for s in cw.schemes.values():
        assert list(s.entries) == [r.id for r in cw.requirements], s.id
        for r in cw.requirements:
            entry = s.entries[r.id]
            assert entry.clause.strip(), (s.id, r.id)
            if entry.status is EntryStatus.VALUE:
                assert entry.value is not None or r.kind.name == "set", (s.id, r.id)


def test_unchecked_entries_are_marked_when_cited(cw: Crosswalks) -> None:
    for s in cw.schemes.values():
        for entry in s.entries.values():
            assert entry.cited.endswith("[unchecked]") is (not entry.checked)


def test_packs_named_by_schemes_exist_and_map_to_their_scheme(cw: Crosswalks, catalog: Catalog) -> None:
    ids = {p.id for p in catalog.packs()}
    for s in cw.schemes.values():
        for pack in s.packs:
            assert pack in ids, (s.id, pack)
    assert cw.scheme_for_chain(catalog.resolve(ALUMINIUM).chain) == "gb-t-24067"
    assert cw.scheme_for_chain(catalog.resolve("example-standards-body/ev-traction-battery").chain) == "eu-battery"
    assert cw.scheme_for_chain(catalog.resolve("example-standards-body/pact-v3").chain) == "pact-v3"
    assert cw.scheme_for_chain(catalog.resolve("example-standards-body/iso-14067").chain) == "iso-14067"
    assert cw.scheme_for_chain(catalog.resolve("example-standards-body/core").chain) is None


def test_rule_ids_mapped_by_the_vocabulary_exist_in_the_packs(cw: Crosswalks, catalog: Catalog) -> None:
    rule_ids = {rule.id for p in catalog.packs() for rule in catalog.resolve(p.ref).rules}
    assert cw.rule_facts
    for rule in cw.rule_facts:
        assert rule in rule_ids, rule
    checking = {rule for r in cw.requirements for rule in r.checked_by}
    assert checking and checking <= rule_ids, checking - rule_ids


def test_probes_match_the_vocabulary(cw: Crosswalks) -> None:
    assert set(PROBES) <= set(cw.by_id)
    for rid in PROBES:
        assert cw.by_id[rid].declaration, f"{rid} is read from the declaration but names no pointer"


def test_extension_additions_keep_the_example_valid_and_are_checked(catalog: Catalog) -> None:
    doc = example(catalog, ALUMINIUM)
    assert is_valid(DECLARATION_SCHEMA_ID, doc)
    ext = doc["extensions"][0]["data"]
    ext["endOfLife"] = {"approach": "cut-off"}
    ext["functionalUnit"] = {"description": "1 t of ingot delivered"}
    ext["uncertainty"] = {"assessment": "qualitative", "description": "Sensitivity on anode data."}
    ext["capitalGoods"] = {"included": False}
    ext["assurance"] = {"party": "third-party", "level": "limited", "standard": "ISO 14064-3:2019"}
    assert is_valid(DECLARATION_SCHEMA_ID, doc)
    ext["endOfLife"] = {"approach": "landfill-credit"}
    assert not is_valid(DECLARATION_SCHEMA_ID, doc)


def test_the_wheel_ships_the_crosswalks(tmp_path: Path) -> None:
    import zipfile

    builder = pytest.importorskip("hatchling.builders.wheel")
    root = Path(__file__).resolve().parents[2]  # the checkout (the installed package may be a wheel already)
    built = list(builder.WheelBuilder(str(root)).build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(built[0]).namelist())
    files = list((root / "crosswalks").rglob("*.yaml"))
    assert len(files) == 11
    for path in files:
        assert f"registry/_data/crosswalks/{path.relative_to(root / 'crosswalks').as_posix()}" in names
    for schema in (
        "crosswalk-requirements-1.0.json",
        "crosswalk-scheme-1.0.json",
        "audit-1.0.json",
        "recognition-1.0.json",
    ):
        assert f"registry/_data/schemas/{schema}" in names
