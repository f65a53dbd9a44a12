"""Issue 11: a grade from a rule pack's own bands says it is illustrative, on the label and the page.

No grading catalogue of an authority exists yet (issue 13): every grade comes from bands a pack
sets as an example. The steel bands, for one, sit around a CO2-only crude-steel average while the
graded value is CO2e per tonne of rolled product; the page shows the pack's basis saying so. The EU
battery pack grades nothing: the Regulation has set no performance classes.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html
from test_label_svg import render
from test_page import view

from issuance import grade
from issuance.page import render_label_page
from registry.api.labels import grading_basis
from registry.packs.catalog import Catalog

BASIS = "Illustrative bands, this pack's own choice."


def _page_text(page: str) -> str:
    return " ".join(" ".join(html.document_fromstring(page).body.itertext()).split())


@pytest.mark.parametrize(("lang", "word"), [("en", "Illustrative grade"), ("zh", "示意等级")])
def test_the_printed_label_calls_its_grade_illustrative(lang: str, word: str) -> None:
    assert word in render(lang=lang)


@pytest.mark.parametrize(("lang", "word"), [("en", "Illustrative grade B"), ("zh", "示意等级 B")])
def test_the_consumer_page_calls_its_grade_illustrative_and_shows_the_basis(lang: str, word: str) -> None:
    text = _page_text(render_label_page(view(grading_basis=BASIS), lang=lang))  # type: ignore[arg-type]
    assert word in text
    assert BASIS in text
    assert BASIS not in _page_text(render_label_page(view(), lang=lang))  # type: ignore[arg-type]


def test_the_steel_basis_says_what_its_bands_compare(catalog: Catalog) -> None:
    steel = catalog.get("example-standards-body/hot-rolled-steel@1.1.0").data
    basis = grading_basis(steel.get("grading"))
    assert basis is not None
    assert "CO2 only" in basis["en"] and "CO2e" in basis["en"] and "not comparable" in basis["en"]
    labels = [b["label"]["en"] for b in steel["grading"]["bands"]]
    assert all("illustrative" in label and "average" not in label for label in labels)


def test_the_eu_battery_pack_grades_nothing(catalog: Catalog) -> None:
    resolved = catalog.resolve(catalog.get("example-standards-body/ev-traction-battery").ref)
    assert resolved.grading is None
    assert resolved.declared_unit is not None
    unit_text: Any = resolved.declared_unit["description"]["en"]
    assert "total energy" in unit_text and "service life" in unit_text
    assert "excludes the use stage" in resolved.pack.data["description"]["en"].replace("\n", " ")
    graded = grade(resolved.grading, resolved.example, pack_ref=resolved.ref)  # issue 13: ungraded, not refused
    assert graded.grade is None and graded.value == resolved.example["pcf"]["pcfExcludingBiogenicUptake"]
