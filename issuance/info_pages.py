"""The human pages the consumer page links to, in Chinese or English, without JavaScript (issue 14):

* how a rule pack's own (illustrative) bands grade a label: basis, bands, limits, who set them, and the
  illustrative notice (a grading catalogue has its own page, :mod:`registry.catalogues`);
* the certifier: name, each accreditation's state and scope from the accreditation records, the schemes'
  label policies, and how to reach it.

The consumer page's style and rules: one HTML document, no script, no outside resource, every value
escaped, a header (the page's title and the language switch), ``main`` and a footer.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from issuance.i18n import CO2E, HTML_LANG, Lang, check_lang, escape, number, per_unit, text, text_lang
from issuance.page import PAGE_CSS, PageError, language_switch
from registry.errors import Location

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_HEADER = "body>header{background:#1d4ed8;color:#fff;padding:1rem}body>header h1{margin:.2rem 0;font-size:1.6rem}"
_HEADER += "body>header p{margin:.2rem 0 0}"  # the switch's link: PAGE_CSS
_HEADER += "body>header>p:first-child{padding-right:5rem}"
_HEADER += "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem;border-top:1px solid #eaecf0}"


class Band(BaseModel):
    """One band as its page shows it: grade, upper limit (None: open), and what it means in the page's language."""

    model_config = ConfigDict(frozen=True)

    grade: str
    max: str | None = None
    meaning: str | None = None


class PackGradingView(BaseModel):
    """A rule pack's grading, in one language: the pack, who set it, the basis, the bands and their unit."""

    model_config = ConfigDict(frozen=True)

    pack_ref: str  # id@version
    title: str
    publisher: str
    declared_unit: str  # what the limits are per, as PACT declares it ("1000 kilogram")
    metric: str
    bands: tuple[Band, ...] = ()
    basis: str | None = None
    notice: str | None = None  # the pack's provenance notice (an example, not an official rule)
    page_path: str | None = None


class AccreditationLine(BaseModel):
    """One accreditation of the certifier as it stands now."""

    model_config = ConfigDict(frozen=True)

    ref: str
    body_name: str
    state: Literal["active", "suspended", "withdrawn"]
    since: date
    valid_from: date | None = None
    valid_until: date | None = None
    schemes: tuple[str, ...] = ()  # scheme titles in the page's language
    categories: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    standard: str | None = None


class SchemePolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    scheme: str  # title in the page's language
    policy: Literal["labels_stay_valid", "labels_suspended_with_certifier"]
    is_default: bool = True


class CertifierContact(BaseModel):
    """How to reach the certifier, as it published it (the registry checked the e-mail's syntax and that the
    web address is http or https); each part optional."""

    model_config = ConfigDict(frozen=True)

    email: str | None = None
    url: str | None = None
    phone: str | None = None
    address: str | None = None


class CertifierView(BaseModel):
    """The certifier's page: name, registry id, contact, accreditations, the label policies of their schemes."""

    model_config = ConfigDict(frozen=True)

    org_id: str
    name: str
    contact: CertifierContact | None = None
    accreditations: tuple[AccreditationLine, ...] = ()
    policies: tuple[SchemePolicy, ...] = ()
    page_path: str | None = None


def render_human_page(lang: Lang, title: str, subtitle: str, body: str, path: str | None, *, css: str = "") -> str:
    """The shell every human page shares: a header with the subtitle, the title and the 中文/English switch
    (``path?lang=``; none without ``path``), ``body`` as ``main``, and a footer linking the front page. ``css``
    is added to the shared style sheet."""
    return (
        f'<!doctype html>\n<html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}"><meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{PAGE_CSS}{_HEADER}{css}</style></head><body>"
        f"<header><p>{escape(subtitle)}</p><h1>{escape(title)}</h1>{language_switch(path, lang)}</header>"
        f'<main>{body}</main><footer><p class="card"><a href="/?lang={lang}">{escape(text(lang, "home"))}</a></p>'
        "</footer></body></html>\n"
    )


def _dl(rows: list[tuple[str, str | None]]) -> str:
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in rows if v)
    return f"<dl>{items}</dl>"


def _limit(bands: tuple[Band, ...], i: int, lang: Lang) -> str:
    band = bands[i]
    if band.max is not None:
        return text(lang, "scale.upto", limit=number(band.max, lang))
    before = bands[i - 1].max if i > 0 else None
    return text(lang, "scale.above", limit=number(before, lang)) if before else text(lang, "scale.any")


def render_grading_page(view: PackGradingView, *, lang: Literal["en", "zh"] = "en") -> str:
    """How a rule pack's own bands grade its labels, marked illustrative, as an HTML document."""
    lang = check_lang(lang)
    unit = f"{CO2E} {per_unit(view.declared_unit, lang)}"
    about = _dl(
        [
            (text(lang, "grading.pack"), f"{escape(view.title)} <code>{escape(view.pack_ref)}</code>"),
            (text(lang, "grading.set_by"), escape(view.publisher)),
            (text(lang, "grading.metric"), f'<code lang="en">{escape(view.metric)}</code>'),
            (text(lang, "grading.unit"), f'<span lang="en">{escape(unit)}</span>' if lang == "en" else escape(unit)),
        ]
    )
    if not view.bands:
        body = f'<section class="card">{about}<p>{escape(text(lang, "grading.none"))}</p></section>'
        return render_human_page(lang, text(lang, "grading.title"), view.title, body, view.page_path)
    warning = f'<section class="card"><p class="illustrative"><strong>{escape(text(lang, "grading.illustrative"))}'
    warning += "</strong></p></section>"
    rows = "".join(
        f'<tr><th scope="row">{escape(b.grade)}</th><td>{escape(_limit(view.bands, i, lang))}</td>'
        f"<td>{escape(b.meaning or '')}</td></tr>"
        for i, b in enumerate(view.bands)
    )
    head = "".join(f'<th scope="col">{escape(text(lang, k))}</th>' for k in ("grading.grade", "grading.limit"))
    head += f'<th scope="col">{escape(text(lang, "grading.meaning"))}</th>'
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    basis = f"<h2>{escape(text(lang, 'grading.basis'))}</h2><p>{escape(view.basis)}</p>" if view.basis else ""
    notice = f"<h2>{escape(text(lang, 'grading.notice'))}</h2><p>{escape(view.notice)}</p>" if view.notice else ""
    body = (
        f'{warning}<section class="card">{about}</section>'
        f'<section class="card"><h2>{escape(text(lang, "grading.bands"))}</h2>{table}</section>'
        f'<section class="card">{basis}{notice}</section>'
    )
    return render_human_page(lang, text(lang, "grading.title"), view.title, body, view.page_path)


def _names(values: tuple[str, ...], lang: Lang) -> str:
    return escape((", " if lang == "en" else "、").join(values))


def _accreditation(a: AccreditationLine, lang: Lang) -> str:
    state = f"{text(lang, 'accreditation.' + a.state)} ({text(lang, 'accreditation.since', day=a.since.isoformat())})"
    valid = " – ".join(d.isoformat() for d in (a.valid_from, a.valid_until) if d is not None)
    regions = tuple(text(lang, "any") if r == "global" else r for r in a.regions)
    rows = [
        (text(lang, "certifier.body"), f"{escape(a.body_name)} <code>{escape(a.ref)}</code>"),
        (text(lang, "certifier.state"), escape(state)),
        (text(lang, "certifier.valid"), escape(valid)),
        (text(lang, "certifier.schemes"), _names(a.schemes, lang)),
        (text(lang, "certifier.categories"), f"<code>{_names(a.categories, lang)}</code>"),
        (text(lang, "certifier.regions"), _names(regions, lang)),
        (
            text(lang, "certifier.standard"),
            f'<span lang="{text_lang(a.standard)}">{escape(a.standard)}</span>' if a.standard else None,
        ),
    ]
    return f'<section class="card"><h3>{escape(a.body_name)}</h3>{_dl(rows)}</section>'


def _policies(policies: tuple[SchemePolicy, ...], lang: Lang) -> str:
    """Each label policy once, with the schemes that follow it."""
    if not policies:
        return ""
    grouped: dict[tuple[str, bool], list[str]] = {}
    for p in policies:
        grouped.setdefault((p.policy, p.is_default), []).append(p.scheme)
    items = ""
    for (policy, is_default), schemes in grouped.items():
        said = text(lang, "accreditation.policy." + policy)
        default = f" {text(lang, 'accreditation.policy.default')}" if is_default else ""
        head = f"<strong>{escape(said + default)}</strong>{escape(text(lang, 'colon'))}"
        items += f"<li>{head}{_names(tuple(schemes), lang)}</li>"
    return f'<section class="card"><h2>{escape(text(lang, "certifier.policy"))}</h2><ul>{items}</ul></section>'


def _contact(contact: CertifierContact | None, lang: Lang) -> str:
    """The contact section: each part the certifier published (links for e-mail, web and telephone), and the
    label page's complaint form; without a contact, only the form."""
    heading = f"<h2>{escape(text(lang, 'certifier.contact'))}</h2>"
    if contact is None or not (contact.email or contact.url or contact.phone or contact.address):
        return f'<section class="card">{heading}<p>{escape(text(lang, "certifier.contact.text"))}</p></section>'
    url = contact.url.strip() if contact.url else None
    if url is not None and not url.lower().startswith(("https://", "http://")):
        message = f"contact/url must be an http(s) URL, got {url!r}"
        raise PageError(message, Location(pointer="/contact/url"), reason="unsafe_link")
    address = None
    if contact.address:
        lines = "<br>".join(escape(line) for line in contact.address.splitlines())
        address = f'<span lang="{text_lang(contact.address)}">{lines}</span>'
    rows = [
        (text(lang, "certifier.contact.email"), _a(f"mailto:{contact.email}", contact.email)),
        (text(lang, "certifier.contact.url"), _a(url, url)),
        (text(lang, "certifier.contact.phone"), _a(f"tel:{_dial(contact.phone)}", contact.phone)),
        (text(lang, "certifier.contact.address"), address),
    ]
    report = f'<p class="log">{escape(text(lang, "certifier.contact.report"))}</p>'
    return f'<section class="card">{heading}{_dl(rows)}{report}</section>'


def _a(href: str | None, shown: str | None) -> str | None:
    return f'<a href="{escape(href)}" lang="en">{escape(shown)}</a>' if href and shown else None


def _dial(phone: str | None) -> str:
    """A ``tel:`` number (RFC 3966 global number): the digits and a leading ``+``."""
    return "".join(c for c in phone or "" if c.isdigit() or c == "+")


def render_certifier_page(
    view: CertifierView | None, *, lang: Literal["en", "zh"] = "en", path: str | None = None
) -> str:
    """The certifier's page as an HTML document; ``None``: no such certifier (the page says so)."""
    lang = check_lang(lang)
    if view is None:
        body = f'<section class="card"><p>{escape(text(lang, "certifier.unknown"))}</p></section>'
        return render_human_page(lang, text(lang, "certifier.title"), "", body, path)
    about = _dl(
        [
            (text(lang, "certifier.name"), escape(view.name)),
            (text(lang, "certifier.id"), f"<code>{escape(view.org_id)}</code>"),
        ]
    )
    accreditations = "".join(_accreditation(a, lang) for a in view.accreditations)
    if not accreditations:
        accreditations = f"<p>{escape(text(lang, 'certifier.none'))}</p>"
    policies = _policies(view.policies, lang)
    body = (
        f'<section class="card">{about}</section>'
        f'<section class="card"><h2>{escape(text(lang, "certifier.accreditations"))}</h2></section>{accreditations}'
        f"{policies}"
        f"{_contact(view.contact, lang)}"
    )
    return render_human_page(lang, view.name, text(lang, "certifier.title"), body, view.page_path or path)
