"""The bundled factor sets: schema, meta check, round trip, and the digest committed beside each."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from factor_support import BUNDLED

from registry.factors import FactorSet, check_factor_set, load_factor_set_file
from registry.findings import Severity


def test_there_are_bundled_sets() -> None:
    assert {p.parent.name for p in BUNDLED} >= {"ipcc-ar5-gwp100", "ipcc-ar6-gwp100", "uk-desnz-ghg-conversion-factors"}


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_file_is_named_after_its_set(path: Path) -> None:
    fs = load_factor_set_file(path)
    assert (fs.id, fs.version) == (f"pcf-registry/{path.parent.name}", path.stem)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_content_digest_matches_the_committed_digest(path: Path) -> None:
    """A changed figure changes the digest: the digest file must be updated on purpose."""
    fs = load_factor_set_file(path)
    committed = path.with_suffix(".digest").read_text(encoding="utf-8").strip()
    assert fs.digest() == committed


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_reads_back_to_the_same_document(path: Path) -> None:
    fs = load_factor_set_file(path)
    assert fs.to_json() == orjson.loads(path.read_bytes())


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_meta_check_is_clean(path: Path, bundled: dict[str, FactorSet]) -> None:
    fs = load_factor_set_file(path)
    findings = check_factor_set(fs, bundled.get)
    assert [f for f in findings if f.severity is Severity.ERROR] == []


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_every_record_cites_a_source_with_a_locator(path: Path) -> None:
    fs = load_factor_set_file(path)
    sources = {s["id"]: s for s in fs.header["sources"]}
    for record in fs.records:
        assert record.source_ref in sources
        assert record.source_locator.strip()
    assert all(s.get("url") for s in sources.values())


def test_gwp_tables_give_co2_as_one(bundled: dict[str, FactorSet]) -> None:
    for ref in ("pcf-registry/ipcc-ar5-gwp100@1.0.0", "pcf-registry/ipcc-ar6-gwp100@1.0.0"):
        assert str(bundled[ref].by_id["CO2"].value) == "1"
