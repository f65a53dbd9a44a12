"""Text as outlines for the printed label: glyphs of a bundled font drawn as SVG path data.

The printed label must not depend on fonts installed where it is printed, so its text is drawn as
paths taken from the bundled subsets of Noto Sans CJK SC (``issuance/fonts/``, SIL OFL 1.1) with
fontTools. Widths are the font's advance widths, so a line is fitted by choosing its size or cutting
it with an ellipsis, never by stretching (no SVG ``textLength``).

* A character neither font has is refused with :class:`UnprintableText`, naming it and the field;
  tab, line feed and carriage return are drawn as a space.
* Subscript digits (``CO₂``), which Noto Sans CJK lacks, are drawn from the digits at 60 % size,
  lowered by 0.12 em (a documented fallback, not an empty box).
* A character the bold subset lacks is drawn from the regular font.

fontTools is imported on first use, so importing :mod:`issuance` does not load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from issuance.errors import IssuanceError
from registry.errors import Location

Anchor = Literal["start", "middle", "end"]
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: FONT_DIR / "label-regular.otf", True: FONT_DIR / "label-bold.otf"}
ELLIPSIS = "…"
_SPACES = {"\t": " ", "\n": " ", "\r": " "}
_SUBSCRIPTS = {chr(0x2080 + d): str(d) for d in range(10)}
_SUB_SCALE, _SUB_DROP = 0.6, 0.12


@dataclass
class UnprintableText(IssuanceError):
    """A character the label fonts cannot draw; ``character`` is it, the pointer names the field."""

    code: str = "unprintable-text"
    reason: str = "no_glyph"
    character: str = ""


@dataclass(frozen=True)
class _Font:
    upm: int
    cmap: dict[int, str]
    advances: dict[str, int]
    glyphs: Any  # fontTools glyph set


@dataclass(frozen=True)
class _Glyph:
    font: _Font
    name: str
    scale: float  # of the requested size
    drop: float  # downwards, in em


@cache
def _font(bold: bool) -> _Font:
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONT_FILES[bold]))
    advances = {name: adv for name, (adv, _lsb) in font["hmtx"].metrics.items()}
    return _Font(int(font["head"].unitsPerEm), dict(font.getBestCmap()), advances, font.getGlyphSet())


@cache
def _recording(bold: bool, name: str) -> Any:
    from fontTools.pens.recordingPen import RecordingPen

    pen = RecordingPen()
    _font(bold).glyphs[name].draw(pen)
    return pen


def _glyph(ch: str, bold: bool, field: str, position: int) -> _Glyph:
    ch = _SPACES.get(ch, ch)
    fonts = (_font(True), _font(False)) if bold else (_font(False),)
    for font in fonts:
        name = font.cmap.get(ord(ch))
        if name is not None:
            return _Glyph(font, name, 1.0, 0.0)
    if ch in _SUBSCRIPTS:
        digit = _glyph(_SUBSCRIPTS[ch], bold, field, position)
        return _Glyph(digit.font, digit.name, _SUB_SCALE, _SUB_DROP)
    raise UnprintableText(
        f"{field} has {ch!r} (U+{ord(ch):04X}) at position {position}, which the label font cannot draw: it prints "
        "Latin-1, general punctuation, GB 2312 and the Table of General Standard Chinese Characters "
        "(issuance/fonts/README.md)",
        Location(pointer=f"/{field}"),
        character=ch,
    )


def check_printable(value: str, field: str, *, bold: bool = False) -> None:
    """Raise :class:`UnprintableText` naming ``field`` and the first character of ``value`` that cannot be drawn."""
    for i, ch in enumerate(value):
        _glyph(ch, bold, field, i)


def measure(value: str, size: float, *, bold: bool = False, field: str = "text") -> float:
    """The advance width of ``value`` at font ``size`` (user units), from the font's metrics."""
    total = 0.0
    for i, ch in enumerate(value):
        g = _glyph(ch, bold, field, i)
        total += g.font.advances[g.name] / g.font.upm * size * g.scale
    return total


def fit(
    value: str, size: float, width: float, *, min_size: float, bold: bool = False, field: str = "text"
) -> tuple[str, float]:
    """``(text, size)`` that fit ``width``: the size lowered towards ``min_size`` first, then the text cut
    with an ellipsis at ``min_size`` (the ellipsis alone when not even one character fits)."""
    natural = measure(value, size, bold=bold, field=field)
    if natural <= width:
        return value, size
    smaller = max(min_size, size * width / natural)
    if measure(value, smaller, bold=bold, field=field) <= width:
        return value, smaller
    cut = value
    while cut and measure(cut.rstrip() + ELLIPSIS, smaller, bold=bold, field=field) > width:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS, smaller


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def outline(
    value: str, x: float, y: float, size: float, *, bold: bool = False, anchor: Anchor = "start", field: str = "text"
) -> str:
    """SVG path data drawing ``value`` with its baseline at ``y``, starting, centred or ending at ``x``."""
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    if anchor != "start":
        width = measure(value, size, bold=bold, field=field)
        x -= width / 2 if anchor == "middle" else width
    pen = SVGPathPen(None, ntos=_number)
    for i, ch in enumerate(value):
        g = _glyph(ch, bold, field, i)
        em = size * g.scale / g.font.upm
        if not ch.isspace():
            _recording(g.font is _font(True), g.name).replay(TransformPen(pen, (em, 0, 0, -em, x, y + g.drop * size)))
        x += g.font.advances[g.name] * em
    return str(pen.getCommands())
