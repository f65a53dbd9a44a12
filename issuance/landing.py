"""The registry's front page (``/``): what this registry is, and a search by label id or GTIN.

The consumer page's style and rules: one HTML document, no script, no outside resource, every value
escaped; its Content-Security-Policy lets only the search form submit, to this site.
"""

from __future__ import annotations

from typing import Literal

from issuance.i18n import HTML_LANG, Lang, check_lang, escape
from issuance.page import PAGE_CSS

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'"
_TEXT: dict[str, dict[Lang, str]] = {
    "title": {"en": "Carbon label registry", "zh": "碳标签登记平台"},
    "about": {
        "en": "This registry keeps the product carbon labels issued by accredited certifiers. Each label "
        "states a product's carbon footprint and its grade, and is signed. Scan the QR code on a product, "
        "or search below, to see whether its label is genuine and still valid.",
        "zh": "本平台登记经认可的认证机构签发的产品碳标签。每个标签载明产品的碳足迹及其等级，并经数字签名。"
        "扫描产品上的二维码，或在下方搜索，即可查看标签是否真实、是否仍然有效。",
    },
    "search": {"en": "Find a label", "zh": "查找标签"},
    "field": {"en": "Label ID or GTIN (barcode number)", "zh": "标签编号或 GTIN（条码数字）"},
    "button": {"en": "Search", "zh": "搜索"},
    "results": {"en": "Labels for GTIN {q}", "zh": "GTIN {q} 的标签"},
    "none": {"en": "No label found for {q}.", "zh": "未找到 {q} 的标签。"},
    "bad": {
        "en": "{q} is neither a label ID (16 letters and digits) nor a GTIN (8 to 14 digits).",
        "zh": "{q} 既不是标签编号（16 位字母和数字），也不是 GTIN（8 至 14 位数字）。",
    },
    "platforms": {"en": "For platforms and developers: the API", "zh": "面向平台和开发者：API 文档"},
    "switch": {"en": "中文", "zh": "English"},
}


def _t(lang: Lang, key: str, **values: str) -> str:
    return escape(_TEXT[key][lang].format(**values))


def render_landing_page(
    *,
    lang: Literal["en", "zh"] = "en",
    query: str | None = None,
    message: Literal["results", "none", "bad"] | None = None,
    results: tuple[tuple[str, str], ...] = (),
) -> str:
    """The front page in ``lang``; after a search, ``message`` about ``query`` and the ``results``
    found (label id, what to show for it), each a link to the label's page."""
    lang = check_lang(lang)
    other: Lang = "zh" if lang == "en" else "en"
    q = escape(query or "")
    found = ""
    if message is not None:
        items = "".join(f'<li><a href="/L/{escape(i)}">{escape(shown)}</a></li>' for i, shown in results)
        found = f'<section class="card" role="status"><p>{_t(lang, message, q=query or "")}</p>'
        found += (f"<ul>{items}</ul>" if items else "") + "</section>"
    return (
        f'<!doctype html>\n<html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{_t(lang, 'title')}</title><style>{PAGE_CSS}"
        "form{display:flex;flex-wrap:wrap;gap:.5rem}label{flex-basis:100%}"
        "input{flex:1;font:inherit;padding:.5rem;border:1px solid #98a2b3;border-radius:.5rem;min-width:0}"
        "button{font:inherit;padding:.5rem 1rem;border:0;border-radius:.5rem;background:#0b57d0;color:#fff}"
        "</style></head><body>"
        f'<header class="verdict" style="background:#146c2e"><h1>{_t(lang, "title")}</h1>'
        f'<p><a style="color:#fff" href="/?lang={other}" lang="{HTML_LANG[other]}">{_t(lang, "switch")}</a></p>'
        f'</header><main><section class="card"><p>{_t(lang, "about")}</p></section>'
        f'<section class="card"><h2>{_t(lang, "search")}</h2>'
        f'<form method="get" action="/search" role="search"><label for="q">{_t(lang, "field")}</label>'
        f'<input id="q" name="q" value="{q}" maxlength="64" required autocomplete="off">'
        f'<input type="hidden" name="lang" value="{lang}"><button type="submit">{_t(lang, "button")}</button>'
        f"</form></section>{found}"
        f'</main><footer><nav class="card"><ul><li><a href="/docs">{_t(lang, "platforms")}</a></li></ul></nav>'
        "</footer></body></html>\n"
    )
