"""GWP indicators by name and unit: seven languages, the EN 15804 parts, look-alikes that cannot be placed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.convert.ilcd_gwp_names import GWP_TERMS, NameMatch, Unplaced, is_kg_co2_eq, recognise


@pytest.mark.parametrize(
    ("name", "unit", "kind", "language"),
    [
        ("Global Warming Potential - total (GWP-total)", "kg CO2 eqv.", "total", "en"),
        ("Globales Erwärmungspotenzial - biogen (GWP-biogenic)", "kg CO2-Äqv.", "biogenic", "de"),
        ("Treibhauspotential (GWP 100)", "kg CO2-Äqv.", "total", "de"),
        ("Global warming potential except emissions and uptake of biogenic carbon", "kg CO2 eqv.", "ghg", "en"),
        ("Pouvoir de réchauffement global (PRG)", "kgCO2e", "total", "fr"),
        ("Potentiel de réchauffement climatique - fossile", "kg éq CO2", "fossil", "fr"),
        ("Potencial de calentamiento global - biogénico", "kg CO2 eq", "biogenic", "es"),
        ("Cambiamento climatico - uso del suolo", "kg CO2 eq", "luluc", "it"),
        ("Klimaatverandering - totaal", "kg CO2-eq", "total", "nl"),
        ("气候变化 - 土地利用", "kg CO2当量", "luluc", "zh"),
    ],
)
def test_recognised(name: str, unit: str, kind: str, language: str) -> None:
    match = recognise(name, unit)
    assert isinstance(match, NameMatch) and match.kind == kind and match.term.language in (language, "any")


@pytest.mark.parametrize(
    ("name", "unit", "words"),
    [
        ("Climate change - human health", "DALY", "not kg CO2 eq"),
        ("Cambiamento climatico - fossile e biogenico", "kg CO2 eq", "several GWP parts"),
        ("GWP 20", "kg CH4 eq", "not kg CO2 eq"),
    ],
)
def test_look_alikes_that_cannot_be_placed(name: str, unit: str, words: str) -> None:
    match = recognise(name, unit)
    assert isinstance(match, Unplaced) and words in match.reason


@pytest.mark.parametrize("name", ["Acidification potential (AP)", "Versauerungspotential (AP)", "", None])
def test_other_indicators_are_not_gwp(name: str | None) -> None:
    assert recognise(name, "kg SO2-Äqv.") is None


@pytest.mark.parametrize(
    ("unit", "ok"),
    [
        ("kg CO2 eqv.", True), ("kg CO2-Äqv.", True), ("kg éq CO2", True), ("kgCO2e", True), ("kg CO₂ eq", True),
        ("kg CO2 当量", True), ("kg SO2-Äqv.", False), ("t CO2", False), ("kg CO2 per m2", False), ("DALY", False),
    ],
)  # fmt: skip
def test_kg_co2_eq_spellings(unit: str, ok: bool) -> None:
    assert is_kg_co2_eq(unit) is ok


@pytest.mark.parametrize("name", ["全球增温潜势 - 化石", "全球增温潜能 - 化石"])
def test_chinese_names_read_in_a_cited_source_are_checked(name: str) -> None:
    """Climate Change Research (气候变化研究进展) writes GWP as 全球增温潜势 (2013) and 全球增温潜能 (2025)."""
    match = recognise(name, "kg CO2当量")
    assert isinstance(match, NameMatch) and match.kind == "fossil" and match.term.language == "zh"
    assert "(checked)" in match.term.source


def test_every_term_names_its_source_or_says_unchecked() -> None:
    languages = {t.language for t in GWP_TERMS}
    assert {"en", "de", "fr", "es", "it", "nl", "zh"} <= languages
    for term in GWP_TERMS:
        assert term.text == term.text.casefold()
        assert "(checked)" in term.source or term.source == "[unchecked]"


@given(st.one_of(st.none(), st.text()), st.one_of(st.none(), st.text()))
def test_any_name_and_unit_give_an_answer_not_an_exception(name: str | None, unit: str | None) -> None:
    assert recognise(name, unit) is None or isinstance(recognise(name, unit), NameMatch | Unplaced)
