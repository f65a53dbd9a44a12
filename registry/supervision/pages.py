"""The complaint form and its receipt, in English or Chinese: plain HTML, no JavaScript, no third-party
resources; the Content-Security-Policy lets the form post to this site only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Literal

from registry.supervision.complaints import CATEGORIES, MAX_CONTACT, MAX_TEXT

Lang = Literal["en", "zh"]
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Report a problem with this label",
        "intro": "Tell the certifier that issued label {label} what is wrong. You need no account; "
        "your name is not needed. The certifier reviews every report, and the regulator can see it.",
        "category": "What is wrong?",
        "wrong_value": "The carbon footprint value or grade is wrong",
        "wrong_product": "The label is on the wrong product",
        "misleading_use": "The label is used in a misleading way",
        "other": "Something else",
        "text": "Describe the problem",
        "contact": "Contact (optional, only if you want an answer)",
        "send": "Send report",
        "errors": "Please correct:",
        "received": "Report received",
        "reference": "Your reference number",
        "keep": "Keep this number: the certifier and the regulator find your report by it.",
        "back": "Back to the label",
    },
    "zh": {
        "title": "举报此标识的问题",
        "intro": "告知签发标识 {label} 的认证机构存在的问题。无需账户，也无需姓名。"
        "认证机构会审查每一份举报，监管机构可以查看。",
        "category": "存在什么问题？",
        "wrong_value": "碳足迹数值或等级有误",
        "wrong_product": "标识贴在了错误的产品上",
        "misleading_use": "标识的使用具有误导性",
        "other": "其他问题",
        "text": "请描述问题",
        "contact": "联系方式（可选，仅在需要答复时填写）",
        "send": "提交举报",
        "errors": "请更正：",
        "received": "举报已收到",
        "reference": "您的受理编号",
        "keep": "请保存此编号：认证机构和监管机构凭此编号查找您的举报。",
        "back": "返回标识页面",
    },
}
_CSS = (
    "body{margin:0;font-family:system-ui,sans-serif;background:#f2f4f7;color:#1b1b1b;line-height:1.45}"
    "main{max-width:36rem;margin:0 auto;padding:1rem}label{display:block;margin:.8rem 0 .3rem;font-weight:600}"
    "textarea,input[type=text]{width:100%;font:inherit;padding:.4rem}fieldset{border:0;padding:0}"
    "button{font:inherit;margin-top:1rem;padding:.5rem 1.2rem}.errors{color:#b42318}.ref{font-size:1.6rem}"
)


def _page(lang: Lang, title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>{body}</main></body></html>\n"
    )


def render_complaint_form(
    label_id: str,
    *,
    token: str,
    action: str,
    lang: Lang = "en",
    errors: Sequence[str] = (),
    values: Mapping[str, str] | None = None,
) -> str:
    """The form for ``label_id``, posting to ``action`` (a site path), with the problems of a
    previous attempt and its values when given."""
    t, v = _TEXT[lang], values or {}
    chosen = v.get("category", "")
    options = "".join(
        f'<label><input type="radio" name="category" value="{c}" required{" checked" if c == chosen else ""}> '
        f"{escape(t[c])}</label>"
        for c in CATEGORIES
    )
    problems = (
        f'<div class="errors" role="alert"><p>{escape(t["errors"])}</p><ul>'
        + "".join(f"<li>{escape(e)}</li>" for e in errors)
        + "</ul></div>"
        if errors
        else ""
    )
    body = (
        f"<h1>{escape(t['title'])}</h1><p>{escape(t['intro'].format(label=label_id))}</p>{problems}"
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="token" value="{escape(token)}"><input type="hidden" name="lang" value="{lang}">'
        f"<fieldset><legend>{escape(t['category'])}</legend>{options}</fieldset>"
        f'<label for="text">{escape(t["text"])}</label>'
        f'<textarea id="text" name="text" rows="6" maxlength="{MAX_TEXT}" required>'
        f"{escape(v.get('text', ''))}</textarea>"
        f'<label for="contact">{escape(t["contact"])}</label>'
        f'<input type="text" id="contact" name="contact" maxlength="{MAX_CONTACT}" '
        f'value="{escape(v.get("contact", ""))}">'
        f'<button type="submit">{escape(t["send"])}</button></form>'
    )
    return _page(lang, t["title"], body)


def render_complaint_received(reference: str, *, label_url: str, lang: Lang = "en") -> str:
    """The receipt: the reference number and a way back to the label."""
    t = _TEXT[lang]
    body = (
        f"<h1>{escape(t['received'])}</h1><p>{escape(t['reference'])}:</p>"
        f'<p class="ref"><strong>{escape(reference)}</strong></p><p>{escape(t["keep"])}</p>'
        f'<p><a href="{escape(label_url)}">{escape(t["back"])}</a></p>'
    )
    return _page(lang, t["received"], body)
