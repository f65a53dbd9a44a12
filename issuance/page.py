"""The consumer page a phone shows after scanning a label: one mobile-first HTML document.

No script, no external asset (icons are inline SVG, fonts are the system's), every value
escaped, a Content-Security-Policy that forbids loading anything. The verdict comes first,
with its own colour, icon and word; label details follow only when the signature checked
out, and a label that is not valid now shows its grade in grey under "what it stated".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from issuance.errors import IssuanceError
from issuance.i18n import (
    CO2E,
    HTML_LANG,
    Lang,
    boundary,
    check_lang,
    escape,
    long_date,
    long_timestamp,
    no_grade_help,
    number,
    per_unit,
    reason_text,
    text,
    text_lang,
)
from issuance.label_svg import FONTS, GRADES, OFF_SCALE, grade_colours
from issuance.model import LabelClaims, Verification, VerifyStatus
from registry.errors import Location

# Verdict colours: white text on each passes WCAG AA (a test checks).
STATUS_COLOURS: dict[VerifyStatus, str] = {
    VerifyStatus.VALID: "#146c2e",
    VerifyStatus.VALID_STATUS_UNKNOWN: "#3f6212",
    VerifyStatus.SUSPENDED: "#8a4600",
    VerifyStatus.REVOKED: "#b42318",
    VerifyStatus.EXPIRED: "#4b5563",
    VerifyStatus.INVALID_SIGNATURE: "#7f1d1d",
    VerifyStatus.UNKNOWN: "#9f1239",  # a warning, never neutral: it may be a counterfeit (issue 14)
    VerifyStatus.OUT_OF_SCOPE: "#5b21b6",
}
_CIRCLE = '<circle cx="12" cy="12" r="10"/>'
STATUS_ICONS: dict[VerifyStatus, str] = {
    VerifyStatus.VALID: _CIRCLE + '<path d="M7 12.5l3.2 3.2L17 9"/>',
    VerifyStatus.VALID_STATUS_UNKNOWN: _CIRCLE + '<path d="M6.5 11.5l3 3L16 8"/><path d="M17 15.5v.3"/>',
    VerifyStatus.SUSPENDED: _CIRCLE + '<path d="M10 8v8M14 8v8"/>',
    VerifyStatus.REVOKED: _CIRCLE + '<path d="M8.5 8.5l7 7M15.5 8.5l-7 7"/>',
    VerifyStatus.EXPIRED: '<path d="M6 3h12M6 21h12M7 3v3l5 6-5 6v3M17 3v3l-5 6 5 6v3"/>',
    VerifyStatus.INVALID_SIGNATURE: '<path d="M8 2h8l6 6v8l-6 6H8l-6-6V8z"/><path d="M12 7v6M12 16.5v.5"/>',
    VerifyStatus.UNKNOWN: _CIRCLE + '<path d="M9.2 9a3 3 0 1 1 4.3 2.7c-.9.4-1.5 1.1-1.5 2.1v.4M12 17.5v.3"/>',
    VerifyStatus.OUT_OF_SCOPE: _CIRCLE + '<path d="M5 19L19 5"/>',
}
# Claims are shown only when their signature checked out.
_UNTRUSTED = (VerifyStatus.INVALID_SIGNATURE, VerifyStatus.UNKNOWN)
_MAX_ACCEPT = 4096


@dataclass
class PageError(IssuanceError):
    """A link on the page that is not http(s) or a site path (reason ``unsafe_link``; pointer names the field)."""

    code: str = "page-error"
    reason: str = "invalid"


class LabelPageView(BaseModel):
    """What the consumer page shows: the verification and the display names around it.

    Links must be ``https://``/``http://`` URLs or paths starting with ``/``.
    ``grade_scale`` lists the rule pack's grades best first (colours the badge); ``grading_basis``
    is the pack's own account of how its bands were set.
    """

    model_config = ConfigDict(frozen=True)

    verification: Verification
    product_name: str | None = None
    certifier_name: str | None = None
    pack_title: str | None = None
    scheme_title: str | None = None
    status_checked_at: datetime | None = None
    grading_url: str | None = None  # the human page of how the grade is computed (the pack's bands)
    certifier_url: str | None = None  # the human page of the certifier (name, accreditation, contact)
    grade_scale: tuple[str, ...] = GRADES
    grading_basis: str | None = None  # the rule pack's account of its bands, in the page's language
    # the recalculation the label rests on: the factor sets (``id@version``) and the deviation of the
    # declared total in percent; ``recomputed_from`` None says the figure is declared, not recomputed
    recomputed_from: tuple[str, ...] | None = None
    recomputed_deviation: str | None = None
    complaint_url: str | None = None  # the form to report a problem with the label (issue 13)
    accreditation: AccreditationView | None = None  # the certifier's accreditation and the scheme's label policy

    catalogue_url: str | None = None  # the public page of the grading catalogue that set the grade
    grading_transition: str | None = None  # a newer catalogue version's transition rule, in the page's language
    regrade: RegradeView | None = None  # the grade as re-graded under a newer catalogue version (issue 13)
    grading_withdrawn: str | None = None  # the withdrawal of the catalogue version that set the grade, in words
    scale: GradeScale | None = None  # the bands the grade sits on, with their limits (issue 14)
    page_path: str | None = None  # this page's own path, for the language switch (``/L/{id}``)
    log: LogLine | None = None  # where the label's issue stands in the public log (issue 14)


class ScaleBand(BaseModel):
    """One band of a grading scale: its grade and its upper limit (decimal text; None: open-ended)."""

    model_config = ConfigDict(frozen=True)

    grade: str
    max: str | None = None


class GradeScale(BaseModel):
    """The scale a label's grade sits on: the bands best first, what products it compares (the category, in
    the page's language), the unit of the limits, and whether it is the pack's illustrative example."""

    model_config = ConfigDict(frozen=True)

    bands: tuple[ScaleBand, ...]
    category: str
    illustrative: bool


class LogLine(BaseModel):
    """The label's issue entry in the public log, the size of the latest checkpoint, and the proof's URL."""

    model_config = ConfigDict(frozen=True)

    index: int | None = None  # None: issued before the log was kept
    size: int | None = None
    proof_url: str | None = None


class RegradeView(BaseModel):
    """A catalogue grade re-graded under a newer version of its catalogue (issue 13): the grade the label now
    stands at, the version that set it and when; the token and the printed label keep the grade they signed."""

    model_config = ConfigDict(frozen=True)

    grade: str
    catalogue: str  # <namespace>/<name>@<version>
    at: datetime


class AccreditationView(BaseModel):
    """The certifier's accreditation that covered the label (issue 13), as it stands now, and what the
    label's scheme does to labels when it is suspended or withdrawn."""

    model_config = ConfigDict(frozen=True)

    ref: str  # <body>/<name>@<version>
    body_name: str
    state: Literal["active", "suspended", "withdrawn"]
    since: datetime
    policy: Literal["labels_stay_valid", "labels_suspended_with_certifier"]
    policy_is_default: bool = True


def _q(param: str) -> float | None:
    name, _, value = param.partition("=")
    if name.strip().lower() != "q":
        return None
    try:
        q = float(value.strip())
    except ValueError:
        return -1.0
    return q if 0 <= q <= 1 else -1.0


def _ranges(accept_language: str) -> list[tuple[float, int, str]]:
    out: list[tuple[float, int, str]] = []
    for pos, item in enumerate(accept_language[:_MAX_ACCEPT].split(",")):
        tag, *params = item.split(";")
        qs = [q for q in map(_q, params) if q is not None]
        q = qs[0] if qs else 1.0
        if tag.strip() and q > 0:
            out.append((-q, pos, tag.strip().lower()))
    return sorted(out)


def pick_language(accept_language: str | None) -> Lang:
    """``zh`` when Chinese (any region or script) ranks above English in ``Accept-Language``, else ``en``.

    Ranges are taken by q-value (RFC 9110 12.5.4), ties in header order; ``q=0`` and malformed
    q-values drop a range; ``*`` and unsupported languages fall back to English.
    """
    for _, _, tag in _ranges(accept_language or ""):
        primary = tag.split("-", 1)[0]
        if primary == "zh":
            return "zh"
        if primary in ("en", "*"):
            return "en"
    return "en"


def _link(url: str | None, field: str) -> str | None:
    if url is None:
        return None
    lowered = url.strip().lower()
    site_path = lowered.startswith("/") and not lowered.startswith("//")
    if not (lowered.startswith(("https://", "http://")) or site_path):
        message = f"{field} must be an http(s) URL or a path starting with '/', got {url!r}"
        raise PageError(message, Location(pointer=f"/{field}"), reason="unsafe_link")
    return url.strip()


def _icon(status: VerifyStatus) -> str:
    return (
        '<svg class="icon" viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false" '
        'fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round">'
        f"{STATUS_ICONS[status]}</svg>"
    )


def _other(lang: Lang) -> Lang:
    return "zh" if lang == "en" else "en"


def language_switch(path: str | None, lang: Lang) -> str:
    """A visible link to the same page in the other language (``path?lang=``), marked with that language."""
    if path is None:
        return ""
    other = _other(lang)
    href = escape(f"{_link(path, 'page_path')}?lang={other}")
    return (
        f'<p class="switch"><a href="{href}" lang="{HTML_LANG[other]}" hreflang="{HTML_LANG[other]}">'
        f"{escape(text(lang, 'switch'))}</a></p>"
    )


def _verdict(view: LabelPageView, lang: Lang) -> str:
    v = view.verification
    key = f"status.{v.status.value}"
    reason = ""
    said = reason_text(lang, v.reason)
    if said:
        reason = (
            f'<p class="why"><span>{escape(text(lang, "reason"))}{escape(text(lang, "colon"))}</span>'
            f"<span>{escape(said)}</span></p>"
        )
    if v.detail or (v.reason and not said):
        note, key_ = (v.detail, "reason.note") if v.detail else (v.reason or "", "reason")
        reason += (
            f'<p class="why"><span>{escape(text(lang, key_))}{escape(text(lang, "colon"))}</span>'
            f'<span lang="{text_lang(note)}">{escape(note)}</span></p>'
        )
    return (
        f'<header class="verdict status-{v.status.value}" style="background:{STATUS_COLOURS[v.status]}">'
        f"{_icon(v.status)}<h1>{escape(text(lang, key))}</h1>"
        f'<p class="help">{escape(text(lang, key + ".help"))}</p>{reason}'
        f"{language_switch(view.page_path, lang)}</header>"
    )


def _rows(rows: list[tuple[str, str | None]], lang: Lang) -> str:
    items = "".join(
        f"<div><dt>{escape(text(lang, key))}</dt><dd>{value}</dd></div>" for key, value in rows if value is not None
    )
    return f"<dl>{items}</dl>"


def _time(moment: datetime | None, lang: Lang, *, day: bool = False) -> str | None:
    if moment is None:
        return None
    shown = long_date(moment, lang) if day else long_timestamp(moment, lang)
    return f'<time datetime="{escape(moment.isoformat())}">{escape(shown)}</time>'


def _figure(claims: LabelClaims, view: LabelPageView, current: bool, lang: Lang) -> str:
    heading = f'<h2>{escape(text(lang, "claims.current" if current else "claims.past"))}</h2><div class="figure">'
    figures = (
        f'<p class="value">{escape(claims.value)} <span lang="en">{escape(CO2E)}</span></p>'
        f'<p class="per">{escape(per_unit(claims.declared_unit, lang))}</p>'
        f'<p class="boundary">{escape(text(lang, "boundary"))}{escape(text(lang, "colon"))}'
        f"{escape(boundary(claims.boundary, lang))}</p>"
    )
    badge = _grade_badge(claims, view, current, lang)
    word, recomputed = _grade_word(claims, lang), _recomputed(view, lang)
    return f"{heading}{badge}<div>{word}{figures}{recomputed}</div></div>{_basis(claims, view, lang)}"


def _grade_badge(claims: LabelClaims, view: LabelPageView, current: bool, lang: Lang) -> str:
    if claims.grade is None:
        word = escape(text(lang, "grade.none"))
        return (
            f'<div class="badge ungraded" role="img" aria-label="{word}"><span aria-hidden="true">{word}</span></div>'
        )
    fill, ink = grade_colours(claims.grade, view.grade_scale) if current else (OFF_SCALE, "#ffffff")
    size = " illustrative" if claims.catalogue is None else ""
    label = escape(_grade_label(claims, lang))
    return (
        f'<div class="badge{size}" style="background:{fill};color:{ink}" role="img" aria-label="{label}">'
        f'<span aria-hidden="true">{escape(claims.grade)}</span></div>'
    )


def _grade_label(claims: LabelClaims, lang: Lang) -> str:
    if claims.grade is None:
        return text(lang, "grade.none")
    word = "grade.illustrative" if claims.catalogue is None else "grade.catalogue"
    return f"{text(lang, word)} {claims.grade}"


def _grade_word(claims: LabelClaims, lang: Lang) -> str:
    """The grade in words; "illustrative" in the same size as the grade's letter (issue 13)."""
    if claims.grade is not None and claims.catalogue is None:
        return f'<p class="grade-word illustrative">{escape(_grade_label(claims, lang))}</p>'
    return f'<p class="grade-word">{escape(_grade_label(claims, lang))}</p>'


def _recomputed(view: LabelPageView, lang: Lang) -> str:
    """One line: the factor sets the figure was recomputed from and its deviation, or that it was not
    (nothing of the inventory itself: that is the certifier's)."""
    if view.recomputed_from is None:
        return f'<p class="recomputed">{escape(text(lang, "not_recomputed"))}</p>'
    sets = (", " if lang == "en" else "、").join(view.recomputed_from) or "-"
    key = "recomputed.many" if len(view.recomputed_from) > 1 else "recomputed"
    if view.recomputed_deviation is None:
        line = text(lang, key + ".no_deviation", sets=sets)
    else:
        line = text(lang, key, sets=sets, deviation=view.recomputed_deviation)
    return f'<p class="recomputed">{escape(line)}</p>'


def _basis(claims: LabelClaims, view: LabelPageView, lang: Lang) -> str:
    """Where the grade comes from: an authority's catalogue, the pack's example bands (and their basis), or
    no grade at all, in the scheme's words (and so no scale)."""
    if claims.grade is None:
        why = text(lang, "scale.none", why=no_grade_help(lang, claims.scheme))
        return f'<p class="ungraded">{escape(why)}</p>'
    if claims.catalogue is not None:
        out = f'<p class="catalogue">{escape(text(lang, "grade.catalogue.help", catalogue=claims.catalogue))}</p>'
        printed = view.verification.claims
        if view.regrade is not None and printed is not None and printed.grade is not None:
            line = text(
                lang,
                "grade.regraded",
                date=long_date(view.regrade.at, lang),
                grade=view.regrade.grade,
                printed=printed.grade,
                catalogue=printed.catalogue or "-",
            )
            out += f'<p class="regrade"><strong>{escape(line)}</strong></p>'
        if view.grading_withdrawn:
            out += f'<p class="transition"><strong>{escape(view.grading_withdrawn)}</strong></p>'
        if view.grading_transition:
            out += f'<p class="transition"><strong>{escape(view.grading_transition)}</strong></p>'
        return out
    out = f'<p class="illustrative">{escape(text(lang, "grade.illustrative.help"))}</p>'
    if view.grading_basis:
        title = escape(text(lang, "grade.basis") + text(lang, "colon"))
        out += f'<p class="basis"><strong>{title}</strong>{escape(view.grading_basis)}</p>'
    return out


def _band_range(bands: tuple[ScaleBand, ...], i: int, lang: Lang) -> str:
    band = bands[i]
    if band.max is not None:
        return text(lang, "scale.upto", limit=number(band.max, lang))
    before = bands[i - 1].max if i > 0 else None
    return text(lang, "scale.above", limit=number(before, lang)) if before is not None else text(lang, "scale.any")


def _scale(claims: LabelClaims, view: LabelPageView, current: bool, lang: Lang) -> str:
    """The grading scale: every band with its limit, this label's band marked in words (not colour alone),
    what it compares, and "illustrative" as large as the grades when the pack set the bands."""
    scale = view.scale
    if scale is None or claims.grade is None or not scale.bands:
        return ""
    items = []
    for i, band in enumerate(scale.bands):
        here = band.grade == claims.grade
        fill, ink = grade_colours(band.grade, tuple(b.grade for b in scale.bands))
        swatch = f'<span class="g" style="background:{fill};color:{ink}">{escape(band.grade)}</span>'
        mark = f'<strong class="mark">{escape(text(lang, "scale.here"))}</strong>' if here else ""
        attrs = ' class="here" aria-current="true"' if here and current else (' class="here"' if here else "")
        items.append(f"<li{attrs}>{swatch}<span>{escape(_band_range(scale.bands, i, lang))}</span>{mark}</li>")
    title = "scale.illustrative" if scale.illustrative else "scale"
    unit = f"{CO2E} {per_unit(claims.declared_unit, lang)}"
    heading = f'<h2 class="{"illustrative" if scale.illustrative else ""}">{escape(text(lang, title))}</h2>'
    return (
        f'<section class="card scale{"" if current else " stale"}">{heading}<ol>{"".join(items)}</ol>'
        f"<p>{escape(text(lang, 'scale.compared', category=scale.category))} "
        f"{escape(text(lang, 'scale.limits', unit=unit))}</p></section>"
    )


def _graded(claims: LabelClaims, view: LabelPageView) -> LabelClaims:
    """The claims with the grade the label stands at: its re-grade's (and that catalogue version) when it was
    re-graded, else the grade its token signed."""
    if view.regrade is None or claims.grade is None:
        return claims
    return claims.model_copy(update={"grade": view.regrade.grade, "catalogue": view.regrade.catalogue})


def _titled(title: str | None, ident: str) -> str:
    return f"{escape(title)} <code>{escape(ident)}</code>" if title else f"<code>{escape(ident)}</code>"


def _claims(view: LabelPageView, lang: Lang) -> str:
    v, claims = view.verification, view.verification.claims
    if claims is None or v.status in _UNTRUSTED:
        return f'<section class="card"><p>{escape(text(lang, "claims.none"))}</p></section>'
    current = v.status is VerifyStatus.VALID
    graded = _graded(claims, view)
    genuine = v.status in (VerifyStatus.VALID, VerifyStatus.VALID_STATUS_UNKNOWN)
    compare = f'<p class="compare">{escape(text(lang, "product.compare"))}</p>' if genuine else ""
    product = [
        (
            "product.name",
            f'<span lang="{text_lang(view.product_name)}">{escape(view.product_name)}</span>'
            if view.product_name
            else None,
        ),
        ("gtin", f"<code>{escape(claims.gtin)}</code>"),
        ("batch", escape(claims.batch) if claims.batch else None),
    ]
    certification = [
        ("certifier", escape(view.certifier_name or claims.issuer)),
        ("scheme", _titled(view.scheme_title, claims.scheme)),
        ("rule_pack", _titled(view.pack_title, claims.pack)),
        ("issued", _time(claims.issued_at, lang, day=True)),
        ("valid_until", _time(claims.expires_at, lang, day=True)),
        *_accreditation(view.accreditation, lang),
    ]
    return (
        f'<section class="card{"" if current else " stale"}">{_figure(graded, view, current, lang)}</section>'
        f"{_scale(graded, view, current, lang)}"
        f'<section class="card"><h2>{escape(text(lang, "product"))}</h2>{_rows(product, lang)}{compare}</section>'
        f'<section class="card"><h2>{escape(text(lang, "certification"))}</h2>{_rows(certification, lang)}</section>'
    )


def _accreditation(a: AccreditationView | None, lang: Lang) -> list[tuple[str, str | None]]:
    """Rows naming the certifier's accreditation, its state since when, and the scheme's label policy."""
    if a is None:
        return []
    since = text(lang, "accreditation.since", day=long_date(a.since, lang))
    state = f"{escape(text(lang, 'accreditation.' + a.state))} ({escape(since)})"
    policy = escape(text(lang, "accreditation.policy." + a.policy))
    if a.policy_is_default:
        policy += " " + escape(text(lang, "accreditation.policy.default"))
    return [
        ("accreditation", f"{escape(a.body_name)} <code>{escape(a.ref)}</code> · {state}"),
        ("accreditation.policy", policy),
    ]


def _check(view: LabelPageView, lang: Lang) -> str:
    v = view.verification
    label_id = v.label_id or (v.claims.label_id if v.claims else None)
    rows = [
        ("label_id", f"<code>{escape(label_id)}</code>" if label_id else None),
        ("status_checked", _time(view.status_checked_at, lang)),
        ("checked_at", _time(v.checked_at, lang)),
    ]
    return (
        f'<section class="card"><h2>{escape(text(lang, "check"))}</h2>{_rows(rows, lang)}{_log(view, lang)}</section>'
    )


def _log(view: LabelPageView, lang: Lang) -> str:
    """One line: the label's index in the public log and the checkpoint size, with a link to the JSON proof."""
    log = view.log
    if log is None:
        return ""
    if log.index is None or log.size is None:
        return f'<p class="log">{escape(text(lang, "log.none"))}</p>'
    line = escape(text(lang, "log", index=str(log.index), size=str(log.size)))
    proof = _link(log.proof_url, "log/proof_url")
    link = f' <a href="{escape(proof)}">{escape(text(lang, "log.proof"))}</a>' if proof else ""
    return f'<p class="log">{line}{link}</p>'


def _links(view: LabelPageView, lang: Lang) -> str:
    links = [
        (key, url)
        for key, url in (
            ("link.grading", _link(view.catalogue_url or view.grading_url, "grading_url")),
            ("link.certifier", _link(view.certifier_url, "certifier_url")),
            ("link.complaint", _link(view.complaint_url, "complaint_url")),
        )
        if url
    ]
    if not links:
        return ""
    items = "".join(f'<li><a href="{escape(url)}">{escape(text(lang, key))}</a></li>' for key, url in links)
    heading = escape(text(lang, "links"))
    return f'<footer><nav class="card" aria-label="{heading}"><h2>{heading}</h2><ul>{items}</ul></nav></footer>'


# Light colours first; the dark block overrides them when the phone asks for dark (CSS only, no script).
# Every text colour passes WCAG AA (4.5:1) on its own background in each mode (a test checks both).
CSS_LIGHT = (
    ":root{color-scheme:light dark}*{box-sizing:border-box}"
    f"body{{margin:0;font-family:{FONTS};color:#1b1b1b;background:#f2f4f7;line-height:1.45;font-size:17px}}"
    "main,body>header,body>footer{max-width:36rem;margin:0 auto}"
    "main{padding-bottom:1rem}body>footer{padding-bottom:2rem}"
    ".verdict{color:#fff;padding:1.25rem 1rem 1.1rem}.verdict .icon{display:block;width:3rem;height:3rem}"
    ".verdict h1{font-size:2rem;line-height:1.15;margin:.4rem 0}.verdict p{margin:.25rem 0 0}"
    "body>header{position:relative}.switch{position:absolute;top:1rem;right:1rem;margin:0}"
    "body>header .switch a{color:#fff;font-weight:700}"
    ".why span:first-child{font-weight:700}"
    ".card{background:#fff;margin:.75rem .75rem 0;padding:1rem;border-radius:.75rem;border:1px solid #d0d5dd}"
    ".card>p{margin:0}.stale{border-style:dashed}h2{font-size:1.1rem;margin:0 0 .6rem}"
    ".figure{display:flex;gap:1rem;align-items:center}.figure p{margin:0}"
    ".badge{flex:none;width:5.5rem;height:5.5rem;border-radius:1rem;display:flex;align-items:center;"
    "justify-content:center;font-size:3.4rem;font-weight:800;line-height:1}"
    ".badge.illustrative,.grade-word.illustrative{font-size:2.2rem;font-weight:800;line-height:1.1}"
    ".grade-word.illustrative{color:#1b1b1b}.badge.ungraded{font-size:1.1rem;text-align:center;"
    "border:3px dashed #6b7280;color:#344054;background:#fff}"
    ".grade-word{color:#475467;font-size:.95rem}.value{font-size:1.8rem;font-weight:700;line-height:1.2}"
    ".per,.boundary,.recomputed{color:#344054}"
    ".scale ol{list-style:none;margin:0 0 .6rem;padding:0}.scale li{display:flex;gap:.6rem;align-items:center;"
    "padding:.2rem .3rem;border-radius:.4rem}.scale li.here{outline:3px solid #1b1b1b;font-weight:700}"
    ".scale .g{flex:none;min-width:2.2rem;text-align:center;border-radius:.3rem;font-size:1.3rem;font-weight:800}"
    ".scale h2.illustrative{font-size:1.3rem;font-weight:800}.mark{margin-left:auto}"
    "dl{margin:0}dl div{padding:.35rem 0;border-top:1px solid #eaecf0}dl div:first-child{border-top:0}"
    "dt{color:#475467;font-size:.9rem}dd{margin:0;overflow-wrap:anywhere}code{font-size:.92em}"
    "ul{margin:0;padding-left:1.2rem}li{margin:.3rem 0}a{color:#0b57d0}.compare{margin:.6rem 0 0;font-weight:600}"
    ".log{margin:.6rem 0 0}"
)
CSS_DARK = (
    "@media (prefers-color-scheme:dark){"
    "body{color:#e5e7eb;background:#0b1220}.card{background:#1a2333;border-color:#344054}"
    ".badge.ungraded{background:#1a2333;color:#e5e7eb}.grade-word.illustrative{color:#f2f4f7}"
    ".grade-word,.per,.boundary,.recomputed,dt{color:#d0d5dd}"
    "a{color:#93c5fd}.scale li.here{outline-color:#f2f4f7}dl div,th,td{border-color:#344054}}"
)
_CSS = CSS_LIGHT + CSS_DARK
PAGE_CSS = _CSS  # the registry's other pages (the front page, the human pages) look the same
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render_label_page(view: LabelPageView, *, lang: Literal["en", "zh"] = "en") -> str:
    """The consumer page for ``view`` in ``lang`` as an HTML document: the verdict (and the language switch)
    in the page's header, the label's claims and scale in ``main``, links to the human pages in the footer.

    Raises ``IssuanceError`` (an ``InputError``) for an unknown language, ``PageError`` for a link that is not
    http(s) or a site path.
    """
    lang = check_lang(lang)
    v = view.verification
    title = f"{text(lang, 'status.' + v.status.value)} · {text(lang, 'page.title')}"
    return (
        f'<!doctype html>\n<html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{_verdict(view, lang)}<main>{_claims(view, lang)}{_check(view, lang)}</main>{_links(view, lang)}"
        "</body></html>\n"
    )
