"""Rebuild the label fonts: subsets of Noto Sans CJK SC (SIL OFL 1.1) for the printed label.

Run ``python -m issuance.fonts.make_subset DIR`` where DIR holds ``NotoSansCJK-Regular.ttc`` and
``NotoSansCJK-Bold.ttc`` (Debian's ``fonts-noto-cjk`` puts them in /usr/share/fonts/opentype/noto/; upstream
https://github.com/notofonts/noto-cjk). It writes ``label-regular.otf`` and ``label-bold.otf`` beside this file.

* Regular: printable ASCII, Latin-1, general punctuation, CJK symbols and full-width forms, all of GB 2312
  (rows 1-9: symbols, kana, Greek, Cyrillic; level-1 hanzi, rows 16-55, 3,755 characters; level-2 hanzi,
  rows 56-87, 3,008 characters), all 8,105 characters of the Table of General Standard Chinese Characters
  (通用规范汉字表, State Council, 2013: the characters names are to be written in, 1,467 of them outside
  GB 2312, such as 堃, 燊, 珺 and 喆), every character of the label's fixed texts (``issuance.i18n``) and of
  the bundled rule packs and crosswalks (their titles are printed). The table's characters are read from
  the Unicode Character Database's Unihan file, property ``kTGH`` (Debian's ``unicode-data`` puts
  ``Unihan_OtherMappings.txt.bz2`` in /usr/share/unicode/; https://www.unicode.org/reports/tr38/#kTGH).
* Bold: printable ASCII, Latin-1 and the label's fixed texts only (bold is used for the title, the grade,
  the value and the grade words); a character bold lacks is drawn from the regular font.

Hinting and OpenType layout tables are dropped: the label draws outlines at advance widths (no kerning).
"""

from __future__ import annotations

import bz2
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
UNIHAN = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")
TGH_SIZE = 8105
FACE = "Noto Sans CJK SC"


def gb2312(rows: range) -> set[int]:
    """The characters of GB 2312 ``rows`` (1-94), through Python's EUC-CN codec."""
    found: set[int] = set()
    for row in rows:
        for cell in range(1, 95):
            try:
                ch = bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            found.add(ord(ch))
    return found


def general_standard(unihan: Path = UNIHAN) -> set[int]:
    """The 8,105 characters of the Table of General Standard Chinese Characters (Unihan ``kTGH``)."""
    found: set[int] = set()
    with bz2.open(unihan, "rt", encoding="utf-8") as lines:
        for line in lines:
            if "\tkTGH\t" in line:
                found.add(int(line.split("\t", 1)[0].removeprefix("U+"), 16))
    if len(found) != TGH_SIZE:
        raise SystemExit(f"{unihan}: {len(found)} characters with kTGH, expected {TGH_SIZE}")
    return found


def vocabulary() -> set[int]:
    from issuance.i18n import CO2E, TEXTS, UNIT_NAMES_ZH

    words = [v for table in TEXTS.values() for v in table.values()] + list(UNIT_NAMES_ZH.values()) + [CO2E]
    return {ord(ch) for word in words for ch in word}


def bundled_titles() -> set[int]:
    """Every non-ASCII character of the bundled rule packs and crosswalks (their titles are printed)."""
    root = HERE.parents[1]
    found: set[int] = set()
    for folder in ("rulepacks", "crosswalks"):
        for path in sorted((root / folder).rglob("*.yaml")):
            found.update(ord(ch) for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x7F)
    return found


def basics() -> set[int]:
    return set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2010, 0x2027))


def regular_set() -> set[int]:
    cjk = set(range(0x3000, 0x3020)) | set(range(0xFF01, 0xFF5F))
    hanzi = gb2312(range(16, 88)) | general_standard()
    return basics() | cjk | gb2312(range(1, 10)) | hanzi | vocabulary() | bundled_titles()


def bold_set() -> set[int]:
    return basics() | vocabulary() | set(range(0xFF01, 0xFF5F))


def face(path: Path) -> TTFont:
    for font in TTCollection(str(path)).fonts:
        if font["name"].getDebugName(1) == FACE or font["name"].getDebugName(16) == FACE:
            return font
    raise SystemExit(f"{path} has no {FACE!r}")


def write(source: Path, codepoints: set[int], out: Path) -> None:
    font = face(source)
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.name_IDs = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints & set(font.getBestCmap())))
    subsetter.subset(font)
    font.recalcTimestamp = False  # keep the source's date: the same sources give the same bytes
    font.save(str(out))
    print(f"{out.name}: {len(font.getGlyphOrder())} glyphs, {out.stat().st_size:,} bytes")


def main(argv: list[str]) -> None:
    src = Path(argv[0]) if argv else Path("/usr/share/fonts/opentype/noto")
    write(src / "NotoSansCJK-Regular.ttc", regular_set(), HERE / "label-regular.otf")
    write(src / "NotoSansCJK-Bold.ttc", bold_set(), HERE / "label-bold.otf")


if __name__ == "__main__":
    main(sys.argv[1:])
