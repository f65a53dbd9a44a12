"""The printable carbon label: one self-contained SVG (no fonts, images or links to fetch), and its PDF.

Every text is drawn as outlines from the bundled label fonts (:mod:`issuance.outline`), so the label
looks the same in any SVG renderer and on a machine without any font; widths come from the font's
metrics and a line is fitted by lowering its size or cutting it with an ellipsis, never by stretching.
Each text path carries what it says in ``data-text`` (and its size in ``data-size``) for tools and tests.

Variants (docs/adr/0022-label-artwork.md):

* ``regular``: 90 x 52 mm (user units of 0.1 mm): the grade badge coloured by grade band with the
  grade scale under it (this label's grade raised and outlined; an illustrative grade with the word
  "Illustrative" at the grade's size; "No grade" and why for an ungraded label), the footprint per
  declared unit, the boundary and the batch, the certifier, the scheme's name and the validity, and on
  the right the QR code (one path) with the short URL under it;
* ``small``: 60 x 34 mm, the same content smaller;
* ``mono``: the regular layout in black and white only (one-colour printing).

The QR code's module must be at least :data:`MIN_MODULE_MM` (0.33 mm) as printed. A label is printed at
its variant's width unless ``width_mm`` says larger; when the code would be too fine (an offline code of
version 13 needs 0.33 x 77 modules), the label is enlarged to the smallest width that reaches it (the
artwork says so), and an explicit width too small for it is refused with :class:`ModuleTooSmall`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from issuance.errors import IssuanceError
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
from issuance.outline import Anchor, check_printable, fit, outline
from issuance.qr import QRCapacityError, make_qr, matrix, module_path
from registry.errors import Location

Variant = Literal["regular", "small", "mono"]
VARIANTS: tuple[Variant, ...] = ("regular", "small", "mono")
GRADES = ("A", "B", "C", "D", "E", "F", "G")
# Seven steps from best (green) to worst (red), as on familiar A-G labels; grey for a grade off the scale.
PALETTE = ("#00833e", "#3f9b35", "#9cbf2e", "#f2cf00", "#f5a31a", "#e4611a", "#cf2a1e")
OFF_SCALE = "#6b7280"
INK = "#1b1b1b"
BLACK, WHITE = "#000000", "#ffffff"
# The consumer page's font stack (issuance.page); the printed label draws outlines and names no font.
FONTS = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif"
)
QUIET = 4
# The smallest printed QR module: ISO/IEC 18004 sets none; 0.33 mm is the floor issue 14 asks for (about the
# 0.33 mm "X-dimension" of a 100 % EAN-13, a size retail scanners are built for) [unchecked: GS1 General
# Specifications 5.12.3.1 table 1 gives 0.396 mm minimum for QR at retail POS; our default URL codes meet it].
MIN_MODULE_MM = 0.33


@dataclass(frozen=True)
class Geometry:
    """Where a variant puts things, in user units of 0.1 mm at the variant's own width."""

    width: int
    height: int
    border: float
    radius: float
    title: tuple[float, float, float]  # x, baseline, size
    badge: tuple[float, float, float]  # x, y, side
    letter: tuple[float, float]  # size of an authority's grade, of an illustrative one (and its word)
    scale_y: float  # top of the grade scale under the badge
    scale_h: float
    word_y: float  # baseline of the word "Illustrative"
    word_w: float
    figures: tuple[float, float]  # x, width of the value column
    figure_lines: tuple[tuple[float, float], ...]  # (baseline, size): value, per unit, boundary, batch
    note: tuple[float, float]  # baseline, size: the catalogue or why there is no grade
    rows: tuple[float, float, float]  # first baseline, step, size: certifier, scheme, validity
    qr: tuple[float, float, float]  # x, y, side (quiet zone included)
    scan: tuple[float, float]  # baseline, size of "Scan to verify"
    url: tuple[float, float, float]  # baseline, size, width of the URL under the code


REGULAR = Geometry(
    width=900, height=520, border=4, radius=18, title=(30, 58, 34), badge=(30, 80, 190), letter=(150, 64),
    scale_y=282, scale_h=32, word_y=392, word_w=840, figures=(245, 380),
    figure_lines=((140, 52), (184, 30), (222, 26), (258, 24)), note=(352, 20), rows=(428, 34, 24),
    qr=(640, 24, 240), scan=(292, 22), url=(326, 19, 626),
)  # fmt: skip
SMALL = Geometry(
    width=600, height=340, border=3, radius=12, title=(150, 36, 22), badge=(16, 16, 120), letter=(96, 44),
    scale_y=144, scale_h=22, word_y=214, word_w=230, figures=(150, 236),
    figure_lines=((74, 34), (100, 19), (122, 16), (143, 15)), note=(256, 14), rows=(280, 21, 15),
    qr=(400, 16, 184), scan=(218, 14), url=(238, 13, 320),
)  # fmt: skip
GEOMETRY: dict[Variant, Geometry] = {"regular": REGULAR, "small": SMALL, "mono": REGULAR}


@dataclass
class ModuleTooSmall(IssuanceError):
    """The QR code's modules would print below :data:`MIN_MODULE_MM`; ``min_width_mm`` is the smallest width."""

    code: str = "qr-module-too-small"
    reason: str = "module_too_small"
    module_mm: float = 0.0
    min_width_mm: float = 0.0


@dataclass(frozen=True)
class Artwork:
    """A rendered label: the SVG, its printed size, and what the QR code's modules measure at that size."""

    svg: str
    variant: Variant
    width_mm: float
    height_mm: float
    qr_version: int
    module_mm: float
    enlarged: bool  # printed wider than the variant's own width so that the modules reach MIN_MODULE_MM
    notes: list[str] = field(default_factory=list)


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
    ink = WHITE if contrast(fill, WHITE) >= contrast(fill, BLACK) else BLACK
    return fill, ink


def module_mm(version: int, qr_side_mm: float) -> float:
    """The printed size of one module of a version ``version`` code drawn ``qr_side_mm`` wide with its quiet zone."""
    return qr_side_mm / (17 + 4 * version + 2 * QUIET)


@dataclass(frozen=True)
class _Style:
    mono: bool

    def badge(self, grade: str, scale: Sequence[str]) -> tuple[str, str]:
        return (BLACK, WHITE) if self.mono else grade_colours(grade, scale)

    @property
    def ink(self) -> str:
        return BLACK if self.mono else INK

    @property
    def muted(self) -> str:
        return BLACK if self.mono else OFF_SCALE


def _line(
    x: float,
    y: float,
    value: str,
    size: float,
    *,
    width: float,
    anchor: Anchor = "start",
    bold: bool = False,
    min_scale: float = 0.75,
    field_name: str = "text",
) -> str:
    """One line of outlined text within ``width``: smaller (to ``min_scale`` of ``size``), then cut with "…"."""
    if not value:
        return ""
    shown, used = fit(value, size, width, min_size=size * min_scale, bold=bold, field=field_name)
    d = outline(shown, x, y, used, bold=bold, anchor=anchor, field=field_name)
    return f'<path class="text" data-text="{escape(shown)}" data-size="{used:.4g}" d="{d}"/>'


def _scale_row(g: Geometry, grade: str, scale: Sequence[str], style: _Style) -> str:
    """The grade scale under the badge, best first; this label's grade raised and outlined."""
    x0, _, side = g.badge
    n = len(scale)
    gap = max(2.0, side * 0.02)
    w = (side - gap * (n - 1)) / n
    parts = ['<g class="scale">']
    for i, step in enumerate(scale):
        x = x0 + i * (w + gap)
        fill, ink = style.badge(step, scale) if (step == grade or not style.mono) else (WHITE, BLACK)
        mine = step == grade
        lift = g.scale_h * 0.2 if mine else 0
        stroke = f' stroke="{style.ink}" stroke-width="{g.border:g}"' if mine or style.mono else ""
        marker = ' data-mine="1"' if mine else ""
        parts.append(
            f'<rect x="{x:.1f}" y="{g.scale_y - lift:.1f}" width="{w:.1f}" height="{g.scale_h + 2 * lift:.1f}" '
            f'fill="{fill}"{stroke}{marker}/>'
        )
        size = min(g.scale_h * 0.62, w * 0.9)
        letter = _line(x + w / 2, g.scale_y + g.scale_h / 2 + size * 0.36, step, size, width=w, anchor="middle",
                       bold=mine, min_scale=0.5)  # fmt: skip
        parts.append(f'<g fill="{ink}">{letter}</g>')
    return "".join(parts) + "</g>"


def _badge(claims: LabelClaims, g: Geometry, scale: Sequence[str], lang: Lang, style: _Style) -> str:
    x, y, side = g.badge
    cx, cy, radius = x + side / 2, y + side / 2, side * 0.116
    if claims.grade is None:
        size = side * 0.18
        none = text(lang, "grade.none")
        words = _line(cx, cy + size * 0.36, none, size, width=side * 0.9, anchor="middle", bold=True)
        return (
            '<g class="grade" data-grading="ungraded">'
            f'<rect x="{x:g}" y="{y:g}" width="{side:g}" height="{side:g}" rx="{radius:.1f}" fill="{WHITE}" '
            f'stroke="{style.muted}" stroke-width="{g.border * 1.5:g}" stroke-dasharray="{side * 0.095:.1f} '
            f'{side * 0.053:.1f}"/>'
            f"{words}</g>"
        )
    fill, ink = style.badge(claims.grade, scale)
    illustrative = claims.catalogue is None
    size = g.letter[1] if illustrative else g.letter[0]
    letter = _line(cx, cy + size * 0.36, claims.grade, size, width=side * 0.9, anchor="middle", bold=True)
    word = ""
    if illustrative:
        shown = text(lang, "grade.illustrative.short")
        word = f'<g class="illustrative-word">{_line(x, g.word_y, shown, size, width=g.word_w, bold=True)}</g>'
    on_scale = _scale_row(g, claims.grade, scale, style) if claims.grade in scale else ""
    return (
        f'<g class="grade" data-grading="{"illustrative" if illustrative else "catalogue"}">'
        f'<rect x="{x:g}" y="{y:g}" width="{side:g}" height="{side:g}" rx="{radius:.1f}" fill="{fill}"/>'
        f'<g fill="{ink}">{letter}</g>{on_scale}{word}</g>'
    )


def _figures(claims: LabelClaims, g: Geometry, lang: Lang) -> str:
    x, width = g.figures
    (v_y, v_size), (p_y, p_size), (b_y, b_size), (batch_y, batch_size) = g.figure_lines
    per = text(lang, "per", unit=declared_unit(claims.declared_unit, lang))
    batch = f"{text(lang, 'label.batch')}{text(lang, 'colon')}{claims.batch}" if claims.batch else ""
    return (
        f'<g class="value">{_line(x, v_y, f"{claims.value} {CO2E}", v_size, width=width, bold=True)}'
        f"{_line(x, p_y, per, p_size, width=width)}"
        f"{_line(x, b_y, boundary(claims.boundary, lang), b_size, width=width)}"
        f"{_line(x, batch_y, batch, batch_size, width=width, field_name='batch')}</g>"
    )


def _details(claims: LabelClaims, g: Geometry, names: tuple[str, str], lang: Lang) -> str:
    certifier_name, scheme_name = names
    colon, x, width = text(lang, "colon"), g.badge[0], g.width - 2 * g.badge[0]
    note = ""
    if claims.grade is None:  # an ungraded label says why, in its scheme's words
        note = no_grade_help(lang, claims.scheme, short=True)
    elif claims.catalogue is not None:
        note = text(lang, "grade.catalogue.short", catalogue=claims.catalogue)
    rows = [
        (f"{text(lang, 'certifier')}{colon}{certifier_name}", "certifier_name"),
        (f"{text(lang, 'label.scheme')}{colon}{scheme_name}", "pack_title"),
        (f"{text(lang, 'valid_until')}{colon}{date(claims.expires_at)}", "text"),
    ]
    first, step, size = g.rows
    lines = "".join(
        _line(x, first + step * i, row, size, width=width, field_name=name) for i, (row, name) in enumerate(rows)
    )
    return f'<g class="details">{_line(x, g.note[0], note, g.note[1], width=width, min_scale=0.6)}{lines}</g>'


def _qr(qr_url: str, g: Geometry, lang: Lang) -> tuple[str, int]:
    try:
        code = make_qr(qr_url, kind="url")
    except QRCapacityError:
        code = make_qr(qr_url, kind="offline")
    modules = matrix(code)
    x, y, side = g.qr
    scale = side / (len(modules) + 2 * QUIET)
    short = qr_url.split("#", 1)[0]
    scan_y, scan_size = g.scan
    url_y, url_size, url_w = g.url
    right = g.width - g.badge[0] + 6
    return (
        f'<g class="qr"><rect x="{x:g}" y="{y:g}" width="{side:g}" height="{side:g}" fill="{WHITE}"/>'
        f'<path transform="translate({x:g} {y:g}) scale({scale:.6g})" fill="{BLACK}" '
        f'shape-rendering="crispEdges" d="{module_path(modules, QUIET)}"/>'
        f"{_line(x + side / 2, scan_y, text(lang, 'label.scan'), scan_size, width=side, anchor='middle')}"
        f"{_line(right, url_y, short, url_size, width=url_w, anchor='end', min_scale=0.6)}</g>",
        int(code.version),
    )


def _grade_words(claims: LabelClaims, lang: Lang) -> str:
    if claims.grade is None:
        return text(lang, "grade.none")
    word = "grade.catalogue" if claims.catalogue else "grade.illustrative"
    return f"{text(lang, word)} {claims.grade}"


def _print_width(variant: Variant, version: int, width_mm: float | None) -> tuple[float, float, bool]:
    """``(printed width, module size, enlarged)``; refused when an explicit width makes the modules too fine."""
    g = GEOMETRY[variant]
    own = g.width / 10
    modules = 17 + 4 * version + 2 * QUIET
    # the narrowest width whose modules reach the floor, rounded up to a tenth of a millimetre
    needed = math.ceil(MIN_MODULE_MM * modules * g.width / g.qr[2] * 10 - 1e-9) / 10
    if width_mm is None:
        chosen = max(own, needed)
        return chosen, module_mm(version, g.qr[2] / 10 * chosen / own), chosen > own
    size = module_mm(version, g.qr[2] / 10 * width_mm / own)
    if size < MIN_MODULE_MM:
        raise ModuleTooSmall(
            f"printed {width_mm:g} mm wide, the {variant} label's version {version} QR code has {size:.3f} mm "
            f"modules, below the {MIN_MODULE_MM} mm minimum: print it at least {needed:g} mm wide",
            Location(pointer="/width_mm"),
            module_mm=round(size, 4),
            min_width_mm=needed,
        )
    return width_mm, size, False


def render_label_artwork(
    claims: LabelClaims,
    *,
    qr_url: str,
    certifier_name: str,
    pack_title: str,
    lang: Lang = "en",
    grade_scale: Sequence[str] = GRADES,
    variant: Variant = "regular",
    width_mm: float | None = None,
) -> Artwork:
    """The printable label for ``claims`` as a standalone SVG document, with its printed size.

    ``qr_url`` is what the QR code encodes (``qr.label_url`` or ``qr.offline_url``; the ``#`` fragment is left
    out of the URL printed under the code). ``pack_title`` is the scheme's name as people know it (the pack's
    title, without its id). ``grade_scale`` lists the grades best first (the catalogue's, else the pack's
    illustrative bands). ``width_mm`` prints the label larger (the height follows). Raises ``InputError``
    subclasses: an unknown ``lang`` or ``variant``, a URL that does not fit a QR code in budget, a character
    the label font cannot draw (:class:`~issuance.outline.UnprintableText`), a ``width_mm`` too small for
    the code's modules (:class:`ModuleTooSmall`).
    """
    lang = check_lang(lang)
    if variant not in GEOMETRY:
        raise IssuanceError(
            f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}",
            Location(pointer="/variant"),
            reason="bad_variant",
        )
    if width_mm is not None and not (10 <= width_mm <= 1000):
        raise IssuanceError(
            f"width_mm must be between 10 and 1000, got {width_mm!r}", Location(pointer="/width_mm"), reason="bad_width"
        )
    check_printable(certifier_name, "certifier_name")
    check_printable(pack_title, "pack_title")
    g, style = GEOMETRY[variant], _Style(mono=variant == "mono")
    qr, version = _qr(qr_url, g, lang)
    printed, module, enlarged = _print_width(variant, version, width_mm)
    height = round(printed * g.height / g.width, 2)
    title = f"{text(lang, 'label.title')} {_grade_words(claims, lang)}: {claims.value} {CO2E}"
    tx, ty, tsize = g.title
    title_w = (g.figures[0] + g.figures[1] - tx) if variant == "small" else g.qr[0] - tx - 20
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{printed:g}mm" height="{height:g}mm" '
        f'viewBox="0 0 {g.width} {g.height}" xml:lang="{HTML_LANG[lang]}" role="img" aria-label="{escape(title)}" '
        f'fill="{style.ink}" data-variant="{variant}">'
        f"<title>{escape(title)}</title>"
        f'<rect x="{g.border / 2 + 1:g}" y="{g.border / 2 + 1:g}" width="{g.width - g.border - 2:g}" '
        f'height="{g.height - g.border - 2:g}" rx="{g.radius:g}" fill="{WHITE}" stroke="{style.ink}" '
        f'stroke-width="{g.border:g}"/>'
        f"{_line(tx, ty, text(lang, 'label.title'), tsize, width=title_w, bold=True)}"
        f"{_badge(claims, g, grade_scale, lang, style)}{_figures(claims, g, lang)}"
        f"{_details(claims, g, (certifier_name, pack_title), lang)}{qr}</svg>"
    )
    notes = []
    if enlarged:
        notes.append(
            f"printed {printed:g} mm wide (not {g.width / 10:g} mm) so that the version {version} QR code's modules "
            f"are {module:.3f} mm, at least {MIN_MODULE_MM} mm"
        )
    return Artwork(svg, variant, printed, height, version, round(module, 4), enlarged, notes)


def render_label_svg(
    claims: LabelClaims,
    *,
    qr_url: str,
    certifier_name: str,
    pack_title: str,
    lang: Lang = "en",
    grade_scale: Sequence[str] = GRADES,
    variant: Variant = "regular",
    width_mm: float | None = None,
) -> str:
    """The SVG text of :func:`render_label_artwork` (same arguments)."""
    return render_label_artwork(
        claims,
        qr_url=qr_url,
        certifier_name=certifier_name,
        pack_title=pack_title,
        lang=lang,
        grade_scale=grade_scale,
        variant=variant,
        width_mm=width_mm,
    ).svg
