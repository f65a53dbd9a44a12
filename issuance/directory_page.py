"""The public directory page (``/directory``): a GET form and the labels found, in English or Chinese, without
JavaScript. The records are :func:`registry.service.directory.public_record` dicts (what the consumer page
shows); this module only renders them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any, Literal
from urllib.parse import quote, urlencode

from issuance.i18n import CO2E, per_unit

Lang = Literal["en", "zh"]

_TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Directory of certified products", "zh": "认证产品目录"},
    "intro": {
        "en": "Products whose carbon label is valid today. Search by any of the fields; a grade means "
        "“this grade or better” on the label's own scale, compared within its product category only.",
        "zh": "碳标签今日有效的产品。可按任一字段搜索；等级表示按该标签自身等级标度的"
        "“该等级或更好”，仅在同类产品中比较。",
    },
    "gtin": {"en": "GTIN", "zh": "商品条码 (GTIN)"},
    "company": {"en": "Company id", "zh": "企业标识"},
    "category": {"en": "Category (rule pack id or HS code prefix)", "zh": "产品类别（规则包标识或 HS 编码前缀）"},
    "grade_at_least": {"en": "Grade or better", "zh": "等级不低于"},
    "region": {"en": "Region", "zh": "地区"},
    "scheme": {"en": "Scheme", "zh": "标识制度"},
    "search": {"en": "Search", "zh": "搜索"},
    "product": {"en": "Product", "zh": "产品"},
    "grade": {"en": "Grade", "zh": "等级"},
    "value": {"en": "Carbon footprint", "zh": "碳足迹"},
    "valid_until": {"en": "Valid until", "zh": "有效期至"},
    "certifier": {"en": "Certifier", "zh": "认证机构"},
    "none": {"en": "No valid label matches.", "zh": "没有符合条件的有效标签。"},
    "next": {"en": "Next page", "zh": "下一页"},
    "other": {"en": "中文", "zh": "English"},
    "error": {"en": "This search cannot be run:", "zh": "无法执行此搜索："},
}
FORM_FIELDS = ("gtin", "company", "category", "grade_at_least", "region", "scheme")
_CSS = """body{font-family:system-ui,sans-serif;max-width:64rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b;
background:#fff}a{color:#0b5cad}form{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.6rem;
margin:1rem 0}label{display:flex;flex-direction:column;font-size:.9rem}input{font:inherit;padding:.3rem}
button{font:inherit;padding:.4rem 1rem;align-self:end}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}.grade{font-weight:700}
.error{color:#b42318}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}a{color:#8cc4ff}
th,td{border-color:#444}}"""


def _t(key: str, lang: Lang) -> str:
    return escape(_TEXT[key][lang])


def _form(query: Mapping[str, str | None], lang: Lang) -> str:
    fields = "".join(
        f'<label>{_t(name, lang)}<input name="{name}" value="{escape(query.get(name) or "")}"></label>'
        for name in FORM_FIELDS
    )
    return (
        f'<form method="get" action="/directory" role="search"><input type="hidden" name="lang" value="{lang}">'
        f'{fields}<button type="submit">{_t("search", lang)}</button></form>'
    )


def _row(record: Mapping[str, Any], lang: Lang) -> str:
    product = escape(record.get("product_name") or record["gtin"])
    per = per_unit(str(record.get("declared_unit")), lang)  # "每吨", "per tonne", as the consumer page says it
    value = f'{escape(str(record.get("value")))} <span lang="en">{escape(CO2E)}</span> {escape(per)}'
    return (
        f'<tr><td><a href="/L/{escape(record["label_id"])}?lang={lang}">{product}</a><br><small>GTIN '
        f'{escape(record["gtin"])}</small></td><td class="grade">{escape(record.get("grade") or "-")}</td>'
        f"<td>{value}</td><td>{escape(record['scheme'])}<br><small>{escape(record['category'])}</small></td>"
        f"<td>{escape(record.get('region') or '')}</td><td>{escape(record['expires_at'][:10])}</td>"
        f'<td><a href="/v1/certifiers/{quote(record["certifier"], safe="")}/page?lang={lang}">'
        f"{escape(record['certifier'])}</a></td></tr>"
    )


def render_directory_page(
    records: Sequence[Mapping[str, Any]],
    *,
    lang: Lang,
    query: Mapping[str, str | None],
    next_after: str | None = None,
    error: str | None = None,
) -> str:
    """The page; ``next_after`` the label id the next page starts after; ``error`` why the search failed."""
    heads = ("product", "grade", "value", "scheme", "region", "valid_until", "certifier")
    head = "".join(f'<th scope="col">{_t(h, lang)}</th>' for h in heads)
    body = "".join(_row(r, lang) for r in records)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if records else ""
    kept = {k: v for k, v in query.items() if v and k in FORM_FIELDS}
    other = "zh" if lang == "en" else "en"
    switch = f'<a href="/directory?{escape(urlencode(kept | {"lang": other}))}" lang="{other}">{_t("other", lang)}</a>'
    more = ""
    if next_after is not None:
        more = f'<p><a rel="next" href="/directory?{escape(urlencode(kept | {"lang": lang, "after": next_after}))}">'
        more += f"{_t('next', lang)}</a></p>"
    message = f'<p class="error">{_t("error", lang)} {escape(error)}</p>' if error else ""
    empty = f"<p>{_t('none', lang)}</p>" if not records and not error else ""
    return f"""<!doctype html>
<html lang="{"zh-Hans" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark">
<title>{_t("title", lang)}</title><style>{_CSS}</style></head><body>
<header><nav>{switch}</nav><h1>{_t("title", lang)}</h1></header><main>
<p>{_t("intro", lang)}</p>{_form(query, lang)}{message}{table}{empty}{more}
</main></body></html>"""
