"""The printable carbon label: one self-contained SVG (no fonts, images or links to fetch).

Layout in user units of 0.1 mm on a 90 x 52 mm label: a grade badge coloured by grade band,
the footprint per declared unit and the boundary, the pack id@version, certifier and
validity, and on the right the QR code (drawn as one SVG path) with the short URL under it.
The QR area is 24 mm square including the 4-module quiet zone, so a version 3-4 URL code
gets 0.59-0.65 mm modules, above the 0.396 mm GS1 retail minimum [unchecked: GS1 UK's
reading of GS1 General Specifications 5.12.3.1, via the reference notes issuance.md 3.4].
Scale the whole SVG to print larger.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from issuance.i18n import (
    CO2E,
    HTML_LANG,
    Lang,
    boundary,
    check_lang,
    date,
    declared_unit,
    escape,
    no_grade_help,
    text,
)
from issuance.model import LabelClaims
from issuance.qr import QRCapacityError, make_qr, matrix, module_path

GRADES = ("A", "B", "C", "D", "E", "F", "G")
# Seven steps from best (green) to worst (red), as on familiar A-G labels; grey for a grade off the scale.
PALETTE = ("#00833e", "#3f9b35", "#9cbf2e", "#f2cf00", "#f5a31a", "#e4611a", "#cf2a1e")
OFF_SCALE = "#6b7280"
INK = "#1b1b1b"
FONTS = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif"
)
WIDTH, HEIGHT = 900, 520
QR_X, QR_Y, QR_SIZE = 640, 24, 240
QUIET = 4


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def grade_colours(grade: str, scale: Sequence[str] = GRADES) -> tuple[str, str]:
    """``(fill, text colour)`` of a grade badge: the band's place on ``scale`` picks the fill."""
    if grade not in scale:
        fill = OFF_SCALE
    else:
        steps = len(PALETTE) - 1
        fill = PALETTE[round(scale.index(grade) * steps / max(len(scale) - 1, 1))]
    ink = "#ffffff" if contrast(fill, "#ffffff") >= contrast(fill, "#000000") else "#000000"
    return fill, ink


def _width(value: str, size: float) -> float:
    """A rough rendered width: wide (CJK) characters one em, others 0.58 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.58 * size for ch in value)


def _text(
    x: float, y: float, value: str, size: float, *, width: float, anchor: str = "start", bold: bool = False
) -> str:
    """One line of text, cut with an ellipsis and squeezed (textLength) so that it stays within ``width``."""
    while len(value) > 1 and _width(value, size) > width * 1.25:
        value = value[:-2] + "…"
    wide = _width(value, size) * (1.15 if bold else 1.0)  # bold glyphs run wider than the estimate
    fit = f' textLength="{width:g}" lengthAdjust="spacingAndGlyphs"' if wide > width else ""
    weight = ' font-weight="700"' if bold else ""
    return f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" text-anchor="{anchor}"{weight}{fit}>{escape(value)}</text>'


GRADE_SIZE = 150  # the grade letter of an authority's grade
ILLUSTRATIVE_SIZE = 64  # an illustrative grade and the word "illustrative": the same size (issue 13)
ILLUSTRATIVE_WIDTH = 330  # the word stays left of the URL printed under the QR code
NOTE_Y, NOTE_SIZE = 360, 20  # one line between the URL under the QR code and the details: no grade, the catalogue


def _word(x: float, y: float, value: str, size: float, width: float, *, bold: bool = True) -> str:
    """One line that is never cut: squeezed to ``width`` when wider, its font size kept."""
    fit = f' textLength="{width:g}" lengthAdjust="spacingAndGlyphs"' if _width(value, size) > width else ""
    weight = ' font-weight="700"' if bold else ""
    return f'<text x="{x:g}" y="{y:g}" font-size="{size:g}"{weight}{fit}>{escape(value)}</text>'


def _badge(claims: LabelClaims, scale: Sequence[str], lang: Lang) -> str:
    if claims.grade is None:
        return (
            '<g class="grade" data-grading="ungraded">'
            f'<rect x="30" y="80" width="190" height="190" rx="22" fill="#ffffff" '
            f'stroke="{OFF_SCALE}" stroke-width="6" stroke-dasharray="18 10"/>'
            f"{_text(125, 190, text(lang, 'grade.none'), 34, width=170, anchor='middle', bold=True)}</g>"
        )
    fill, ink = grade_colours(claims.grade, scale)
    if claims.catalogue is None:
        size = ILLUSTRATIVE_SIZE
        word = _word(30, 350, text(lang, "grade.illustrative.short"), size, ILLUSTRATIVE_WIDTH)
        return (
            '<g class="grade" data-grading="illustrative">'
            f'<rect x="30" y="80" width="190" height="190" rx="22" fill="{fill}"/>'
            f'<g fill="{ink}">{_text(125, 197, claims.grade, size, width=170, anchor="middle", bold=True)}</g>'
            f'<g class="illustrative-word">{word}</g></g>'
        )
    note = text(lang, "grade.catalogue.short", catalogue=claims.catalogue)
    return (
        f'<g class="grade"><rect x="30" y="80" width="190" height="190" rx="22" fill="{fill}"/>'
        f'<g fill="{ink}">{_text(125, 228, claims.grade, GRADE_SIZE, width=170, anchor="middle", bold=True)}</g>'
        f"{_word(30, NOTE_Y, note, NOTE_SIZE, WIDTH - 60, bold=False)}</g>"
    )


def _figures(claims: LabelClaims, lang: Lang) -> str:
    per = text(lang, "per", unit=declared_unit(claims.declared_unit, lang))
    return (
        f'<g class="value">{_text(245, 150, f"{claims.value} {CO2E}", 52, width=380, bold=True)}'
        f"{_text(245, 195, per, 30, width=380)}"
        f"{_text(245, 240, boundary(claims.boundary, lang), 26, width=380)}</g>"
    )


def _details(claims: LabelClaims, certifier_name: str, pack_title: str, lang: Lang) -> str:
    colon = text(lang, "colon")
    if claims.grade is None:  # an ungraded label says why, in its scheme's words
        why = _word(30, NOTE_Y, no_grade_help(lang, claims.scheme, short=True), NOTE_SIZE, WIDTH - 60, bold=False)
        return f'<g class="details">{why}{_rows(claims, certifier_name, pack_title, lang, colon)}</g>'
    return f'<g class="details">{_rows(claims, certifier_name, pack_title, lang, colon)}</g>'


def _rows(claims: LabelClaims, certifier_name: str, pack_title: str, lang: Lang, colon: str) -> str:
    rows = [
        f"{text(lang, 'certifier')}{colon}{certifier_name}",
        f"{text(lang, 'rule_pack')}{colon}{pack_title} ({claims.pack})",
        f"{text(lang, 'valid_until')}{colon}{date(claims.expires_at)}",
    ]
    return "".join(_text(30, 390 + 40 * i, row, 25, width=WIDTH - 60) for i, row in enumerate(rows))


def _qr(qr_url: str, lang: Lang) -> str:
    try:
        code = make_qr(qr_url, kind="url")
    except QRCapacityError:
        code = make_qr(qr_url, kind="offline")
    modules = matrix(code)
    size = len(modules) + 2 * QUIET
    scale = QR_SIZE / size
    short = qr_url.split("#", 1)[0]
    return (
        f'<g class="qr"><rect x="{QR_X}" y="{QR_Y}" width="{QR_SIZE}" height="{QR_SIZE}" fill="#ffffff"/>'
        f'<path transform="translate({QR_X} {QR_Y}) scale({scale:.6g})" fill="#000000" '
        f'shape-rendering="crispEdges" d="{module_path(modules, QUIET)}"/>'
        f"{_text(QR_X + QR_SIZE / 2, 292, text(lang, 'label.scan'), 22, width=QR_SIZE, anchor='middle')}"
        f"{_text(WIDTH - 24, 326, short, 19, width=WIDTH - 24 - 250, anchor='end')}</g>"
    )


def _grade_words(claims: LabelClaims, lang: Lang) -> str:
    if claims.grade is None:
        return text(lang, "grade.none")
    word = "grade.catalogue" if claims.catalogue else "grade.illustrative"
    return f"{text(lang, word)} {claims.grade}"


def render_label_svg(
    claims: LabelClaims,
    *,
    qr_url: str,
    certifier_name: str,
    pack_title: str,
    lang: Lang = "en",
    grade_scale: Sequence[str] = GRADES,
) -> str:
    """The printable label for ``claims`` as a standalone SVG document (text, UTF-8).

    ``qr_url`` is what the QR code encodes (``qr.label_url`` or ``qr.offline_url``; the
    ``#`` fragment is left out of the URL printed under the code). ``grade_scale`` lists the
    pack's grades best first, so that the worst grade of a five-band pack is red too.
    Raises ``InputError`` subclasses for an unknown ``lang`` or a URL that does not fit a QR code in budget.
    """
    lang = check_lang(lang)
    title = f"{text(lang, 'label.title')} {_grade_words(claims, lang)}: {claims.value} {CO2E}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="90mm" height="52mm" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xml:lang="{HTML_LANG[lang]}" role="img" aria-label="{escape(title)}" font-family="{FONTS}" fill="{INK}">'
        f"<title>{escape(title)}</title>"
        f'<rect x="3" y="3" width="{WIDTH - 6}" height="{HEIGHT - 6}" rx="18" fill="#ffffff" stroke="{INK}" '
        f'stroke-width="4"/>'
        f"{_text(30, 56, text(lang, 'label.title'), 34, width=580, bold=True)}"
        f"{_badge(claims, grade_scale, lang)}{_figures(claims, lang)}"
        f"{_details(claims, certifier_name, pack_title, lang)}{_qr(qr_url, lang)}</svg>"
    )
