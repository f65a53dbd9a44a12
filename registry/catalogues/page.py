"""The public page of one grading catalogue version, in Chinese or English, without JavaScript: who set the
scale and since when, how labels graded under an earlier version are treated, and per category its
bands, their limits and their basis (the cited text, the benchmark, or the registry's percentiles)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape as _escape
from typing import Any, Literal

from issuance import CO2E, per_unit, render_human_page, text_lang
from registry.catalogues.model import Catalogue, Category
from registry.errors import InputError, Location

Lang = Literal["en", "zh"]
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Grading catalogue",
        "set_by": "Set by",
        "role.regulator": "a public authority",
        "role.scheme-owner": "the scheme owner",
        "since": "In force since",
        "until": "until",
        "version": "Version",
        "transition.keep-until-expiry": "Labels graded under an earlier version keep their grade until they expire.",
        "transition.regrade-by": "Labels graded under an earlier version are re-graded by {by}.",
        "category": "Category",
        "grades": "Grade bands",
        "grade": "Grade",
        "limit": "Up to",
        "open": "above the band before",
        "basis": "Basis",
        "basis.fixed": "Fixed thresholds from {source} ({locator}).",
        "basis.benchmark_share": "Shares of the benchmark {value} ({name}), from {source} ({locator}).",
        "basis.percentiles": (
            "Percentiles of the values of {labels} labels of {companies} companies certified in this registry up "
            "to {cutoff}, computed by the registry and frozen into this version."
        ),
        "share": "share of the benchmark",
        "percentile": "percentile",
        "matches": "Applies to",
        "per": "Figures in",
        "digest": "Content digest",
        "transition": "Earlier versions",
        "aside": "{main} ({aside})",
        "detail": "Basis of the limit",
        "meaning": "Meaning",
    },
    "zh": {
        "title": "分级目录",
        "set_by": "设定者",
        "role.regulator": "主管机构",
        "role.scheme-owner": "方案所有者",
        "since": "生效日期",
        "until": "至",
        "version": "版本",
        "transition.keep-until-expiry": "依据早期版本评定的标签保留其等级，直至标签到期。",
        "transition.regrade-by": "依据早期版本评定的标签须在 {by} 前重新评定。",
        "category": "产品类别",
        "grades": "等级划分",
        "grade": "等级",
        "limit": "上限",
        "open": "高于上一等级",
        "basis": "依据",
        "basis.fixed": "固定阈值，出自 {source}（{locator}）。",
        "basis.benchmark_share": "基准值 {value}（{name}）的比例，出自 {source}（{locator}）。",
        "basis.percentiles": (
            "本登记系统截至 {cutoff} 认证的 {companies} 家企业 {labels} 个标签数值的百分位数，"
            "由系统计算并固定于本版本。"
        ),
        "share": "占基准值比例",
        "percentile": "百分位",
        "matches": "适用范围",
        "per": "数值单位",
        "digest": "内容摘要",
        "transition": "早期版本",
        "aside": "{main}（{aside}）",
        "detail": "限值依据",
        "meaning": "含义",
    },
}


def escape(value: object) -> str:
    return _escape(str(value), quote=True)


def check_lang(lang: str) -> Lang:
    if lang == "en":
        return "en"
    if lang == "zh":
        return "zh"
    raise InputError(f"lang must be en or zh, got {lang!r}", Location(pointer="/lang"))


def _t(lang: Lang, key: str, **values: Any) -> str:
    template = TEXTS[lang][key]
    return template.format(**values) if values else template


def _html(lang: Lang, key: str, **values: str) -> str:
    """The text under ``key`` as HTML; each value already HTML (escaped or marked up)."""
    return escape(TEXTS[lang][key]).format(**values)


def _theirs(value: object) -> str:
    """Free text the catalogue's publisher wrote, marked with its own language (a title may stay English on
    the Chinese page)."""
    said = str(value)
    return f'<span lang="{text_lang(said)}">{escape(said)}</span>'


def _basis(cat: Category, lang: Lang) -> str:
    basis: Mapping[str, Any] = cat.data["basis"]
    if cat.kind == "fixed":
        source = basis["source"]
        return _html(lang, "basis.fixed", source=_theirs(source["title"]), locator=_theirs(source["locator"]))
    if cat.kind == "benchmark_share":
        bench = basis["benchmark"]
        source = bench["source"]
        return _html(
            lang,
            "basis.benchmark_share",
            value=escape(bench["value"]),
            name=escape(bench.get("name", {}).get(lang, "")),
            source=_theirs(source["title"]),
            locator=_theirs(source["locator"]),
        )
    population = basis["population"]
    return _html(
        lang,
        "basis.percentiles",
        labels=escape(population["labels"]),
        companies=escape(population["companies"]),
        cutoff=escape(basis["cutoff"]),
    )


def _detail(cat: Category, band: Mapping[str, Any], lang: Lang) -> str:
    if cat.kind == "benchmark_share" and "max_share" in band:
        return f"{band['max_share']} {_t(lang, 'share')}"
    if cat.kind == "percentiles" and "percentile" in band:
        return f"{band['percentile']} {_t(lang, 'percentile')}"
    return ""


def _bands(cat: Category, lang: Lang) -> str:
    """The bands as a table; the columns of a share or percentile and of a band's meaning only when some band
    has one."""
    bands = cat.data["basis"]["bands"]
    details = [_detail(cat, band, lang) for band in bands]
    meanings = [band.get("label", {}).get(lang, "") for band in bands]
    columns = ["grade", "limit"] + ["detail"] * any(details) + ["meaning"] * any(meanings)
    rows = []
    for band, limit, detail, meaning in zip(bands, (b.max for b in cat.bands), details, meanings, strict=True):
        shown = escape(limit) if limit is not None else escape(_t(lang, "open"))
        cells = "".join(f"<td>{escape(v)}</td>" for v, on in ((detail, any(details)), (meaning, any(meanings))) if on)
        rows.append(f'<tr><th scope="row">{escape(band["grade"])}</th><td>{shown}</td>{cells}</tr>')
    head = "".join(f'<th scope="col">{escape(_t(lang, k))}</th>' for k in columns)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _match(cat: Category) -> str:
    match = cat.data["match"]
    parts = [*match.get("packs", []), *(f"HS {h}" for h in match.get("hs", [])), *match.get("regions", [])]
    return ", ".join(parts)


def _unit(cat: Category, lang: Lang) -> str:
    """The bands' unit in the page's language, from the declared unit they are per ("kg CO₂e 每吨"); the
    catalogue's own words when it states no declared unit (issue 14)."""
    declared = cat.data.get("declaredUnit")
    if not isinstance(declared, Mapping):
        return cat.unit
    amount, unit = declared.get("amount", "1"), declared.get("unit", "")
    return f"{CO2E} {per_unit(f'{amount} {unit}', lang)}"


def _category(cat: Category, lang: Lang) -> str:
    unit = _html(lang, "aside", main=escape(_unit(cat, lang)), aside=f'<code lang="en">{escape(cat.metric)}</code>')
    return (
        f'<section class="card"><h2>{escape(cat.data["title"][lang])}</h2><dl>'
        f"<div><dt>{escape(_t(lang, 'matches'))}</dt><dd>{escape(_match(cat))}</dd></div>"
        f"<div><dt>{escape(_t(lang, 'per'))}</dt><dd>{unit}</dd></div>"
        f"<div><dt>{escape(_t(lang, 'basis'))}</dt><dd>{_basis(cat, lang)}</dd></div></dl>"
        f"<h3>{escape(_t(lang, 'grades'))}</h3>{_bands(cat, lang)}</section>"
    )


def _header(c: Catalogue, digest: str | None, lang: Lang) -> str:
    publisher = c.data["publisher"]
    until = c.data["effective"].get("until")
    since = c.data["effective"]["from"] + (f" {_t(lang, 'until')} {until}" if until else "")
    transition = c.data["transition"]
    rows = [
        (
            _t(lang, "set_by"),
            escape(_t(lang, "aside", main=publisher["name"][lang], aside=_t(lang, f"role.{publisher['role']}"))),
        ),
        (_t(lang, "since"), escape(since)),
        (_t(lang, "version"), f"<code>{escape(c.ref)}</code>"),
        (_t(lang, "transition"), escape(_t(lang, "transition." + transition["policy"], by=transition.get("by", "")))),
    ]
    if digest:
        rows.append((_t(lang, "digest"), f"<code>{escape(digest)}</code>"))
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in rows)
    return f'<section class="card"><dl>{items}</dl></section>'


def render_catalogue_page(
    catalogue: Catalogue, *, lang: Lang = "en", digest: str | None = None, path: str | None = None
) -> str:
    """The catalogue's public page as an HTML document (no script, nothing loaded from elsewhere), in the shell
    of the other human pages: header (title and, given the page's own ``path``, the 中文/English switch), main,
    footer."""
    lang = check_lang(lang)
    body = _header(catalogue, digest, lang) + "".join(_category(c, lang) for c in catalogue.categories)
    return render_human_page(lang, catalogue.data["title"][lang], _t(lang, "title"), body, path)
