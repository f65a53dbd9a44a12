"""Recognising a GWP indicator by its name and unit, when its UUID is unknown.

An ILCD+EPD ``LCIAResult`` names its indicator in the producer's language
(``referenceToLCIAMethodDataSet/common:shortDescription``), sometimes without a method
UUID. This module says whether such a name looks like global warming potential, which
part of it (total, fossil, biogenic, luluc, GHG), in which language, and whether its unit
is kg CO2 eq. Terms are data with their source; a term not checked against a source says
``[unchecked]`` (docs/ilcd-mapping.md lists them).

Sources read for this table:

* InDataWG/ILCD-EPD-Data-Format @ beb0fdecfe03fb6e33cf7aaf2f9f0c6d2bb7e5e3,
  ``doc/identifiers/EN15804+A1_indicators.csv``, ``EN15804+A2_EF3.0_indicators.csv``,
  ``EN15804+A2_EF3.1_indicators.csv``, ``Country-specific_indicators.csv``: the English and
  German names ("Global Warming Potential - total (GWP-total)", "Globales
  Erwärmungspotenzial - biogen (GWP-biogenic)", "... except emissions and uptake of biogenic
  carbon (GWP-IOBC/GHG, EF 3.0)") and units ("kg CO2 eqv.", "kg CO2-Äqv.").
* The same repository, ``sample_data/processes/sample_EPD.xml``: "Treibhauspotential (GWP 100)"
  in "kg CO2-Äqv." with no method UUID.
* French RE2020 decree text as quoted by fondation-ferec.fr (ADEMAR report): "potentiel de
  réchauffement climatique ... (exprimé en kg éq CO2)".
* ADEME Base Carbone, page "GIEC" (bilans-ges.ademe.fr): "le Pouvoir de Réchauffement Global
  (PRG) ... kilogramme équivalent CO2 (kgCO2e)".
* Climate Change Research (气候变化研究进展, National Climate Center of China), 2013, 9(1),
  doi:10.3969/j.issn.1673-1719.2013.01.008: the title "全球增温潜势和全球温变潜势对主要国家温室气体排放贡献估算的差异"
  with the English abstract "The global warming potential (GWP) and global temperature potential
  (GTP)"; and the same journal, 2025, issue 1, pp. 69-77, abstract: "全球增温潜能(GWP)".

Tried and not reached (2026-12-06; the names stay ``[unchecked]``): ILCD LCIA method data sets
with French, Spanish, Italian, Dutch or Chinese ``common:name`` entries (code search for
``xml:lang="fr">Changement climatique``, ``xml:lang="es">Cambio clim``: none stored; the EF and
EN 15804 method data sets found carry English and German only); the language versions of
Commission Recommendation (EU) 2021/2279 on EUR-Lex (stored only from their beginning, which
ends before Annex I's impact category table); Spanish, Italian and Dutch EPD programme and
NMD pages (none names the indicator near its start). "全球变暖潜势" appears only in
unattributed glossaries and code, not in a source that could be cited.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from registry.convert.ilcd_tables import BIOGENIC, FOSSIL, GHG, LULUC, TOTAL

__all__ = ["NameMatch", "Unplaced", "is_kg_co2_eq", "recognise"]

_INDATA: Final = "InDataWG ILCD-EPD identifiers (checked)"
_SAMPLE: Final = "InDataWG sample_EPD.xml (checked)"
_RE2020: Final = "RE2020 decree text (checked)"
_ADEME: Final = "ADEME Base Carbone (checked)"
_CCR: Final = "Climate Change Research (气候变化研究进展) 2013 9(1) and 2025 (1) (checked)"
_UNCHECKED: Final = "[unchecked]"


@dataclass(frozen=True)
class Term:
    text: str  # casefolded
    language: str
    source: str


# What makes a name look like global warming potential, per language.
GWP_TERMS: Final = (
    Term("global warming potential", "en", _INDATA),
    Term("climate change", "en", _UNCHECKED),
    Term("erwärmungspotenzial", "de", _INDATA),
    Term("erwärmungspotential", "de", _UNCHECKED),
    Term("treibhauspotential", "de", _SAMPLE),
    Term("treibhauspotenzial", "de", _UNCHECKED),
    Term("klimawandel", "de", _UNCHECKED),
    Term("réchauffement climatique", "fr", _RE2020),
    Term("pouvoir de réchauffement global", "fr", _ADEME),
    Term("réchauffement global", "fr", _UNCHECKED),
    Term("réchauffement planétaire", "fr", _UNCHECKED),
    Term("changement climatique", "fr", _UNCHECKED),
    Term("calentamiento global", "es", _UNCHECKED),
    Term("calentamiento atmosférico", "es", _UNCHECKED),
    Term("cambio climático", "es", _UNCHECKED),
    Term("riscaldamento globale", "it", _UNCHECKED),
    Term("cambiamento climatico", "it", _UNCHECKED),
    Term("cambiamenti climatici", "it", _UNCHECKED),
    Term("aardopwarming", "nl", _UNCHECKED),
    Term("opwarmingsvermogen", "nl", _UNCHECKED),
    Term("klimaatverandering", "nl", _UNCHECKED),
    Term("全球变暖潜势", "zh", _UNCHECKED),
    Term("全球增温潜势", "zh", _CCR),
    Term("全球增温潜能", "zh", _CCR),
    Term("气候变化", "zh", _UNCHECKED),
    Term("gwp", "any", _INDATA),  # the abbreviation, used in every language's names
)

# The EN 15804 abbreviations decide alone; GHG before the words, whose text names biogenic carbon.
_ABBREVIATIONS: Final = (
    ("gwp-ghg", GHG),
    ("gwp-iobc", GHG),
    ("gwp-total", TOTAL),
    ("gwp-fossil", FOSSIL),
    ("gwp-biogenic", BIOGENIC),
    ("gwp-luluc", LULUC),
)
# GWP-GHG spelled out (Country-specific_indicators.csv, checked); before the parts, as it names biogenic carbon.
_GHG_WORDS: Final = ("except emissions and uptake of biogenic carbon", "iobc")
# Words for each part, any language ([unchecked] but the English and German of the InData names).
_PART_WORDS: Final = {
    TOTAL: ("total", "gesamt", "totale", "totaal", "总"),
    FOSSIL: ("fossil", "fósil", "fosil", "fossiel", "化石"),
    BIOGENIC: ("biogen", "biogén", "biogeen", "生物"),
    LULUC: (
        "luluc", "land use", "landnutzung", "utilisation des sols", "usage des sols", "uso del suelo",
        "uso del suolo", "landgebruik", "土地利用",
    ),
}  # fmt: skip

# kg CO2 eq in the units producers write: what may follow "kg" and "CO2" once spaces, dots and
# hyphens are gone ("kg CO2 eqv." and "kg CO2-Äqv.": InData, checked; "kg éq CO2": RE2020, checked).
_EQ_WORDS: Final = (
    "", "e", "eq", "eqv", "equiv", "equivalent", "equivalents", "äqv", "äq", "äquiv", "äquivalent", "aeq",
    "éq", "équivalent", "equivalente", "equivalenti", "equivalentes", "当量",
)  # fmt: skip
_UNIT: Final = re.compile(r"^kg(?:co2(?P<after>.*)|(?P<before>.+)co2)$")


@dataclass(frozen=True)
class NameMatch:
    kind: str
    term: Term
    how: str  # how the part was told: the abbreviation, a word, or none named


@dataclass(frozen=True)
class Unplaced:
    term: Term
    reason: str


def recognise(name: str | None, unit: str | None) -> NameMatch | Unplaced | None:
    """Whether ``name`` names a GWP indicator: which part, or why it cannot be placed; None if not GWP."""
    text = _fold(name or "")
    term = next((t for t in GWP_TERMS if t.text in text), None)
    if term is None:
        return None
    if unit is not None and not is_kg_co2_eq(unit):
        return Unplaced(term, f"its unit {unit!r} is not kg CO2 eq")
    for abbreviation, kind in _ABBREVIATIONS:
        if abbreviation in text:
            return NameMatch(kind, term, f"abbreviation {abbreviation.upper()!r}")
    if any(w in text for w in _GHG_WORDS):
        return NameMatch(GHG, term, "the words for GWP-GHG")
    parts = sorted(kind for kind, words in _PART_WORDS.items() if any(w in text for w in words))
    if len(parts) > 1:
        return Unplaced(term, f"its name names several GWP parts ({', '.join(parts)})")
    if parts:
        return NameMatch(parts[0], term, f"the word for {parts[0]}")
    return NameMatch(TOTAL, term, "no part named: the single GWP, taken as GWP-total")


def is_kg_co2_eq(unit: str) -> bool:
    """``kg CO2 eq`` in the spellings producers use (English, German, French, ...)."""
    folded = re.sub(r"[\s.\-_/()]+", "", _fold(unit)).replace("₂", "2")
    match = _UNIT.match(folded)
    if match is None:
        return False
    words = match.group("after") if match.group("after") is not None else match.group("before")
    return words in _EQ_WORDS


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()
