"""Text, JSON and HTML renderings of comparisons and recognitions.

Every format shows each row's clauses and marks facts not checked against the source text with
[unchecked]. The HTML is one self-contained page (inline CSS, no scripts, no external assets) with
every piece of data escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

import orjson

from registry.crosswalk.compare import Comparison, Row, Side
from registry.crosswalk.model import UNCHECKED
from registry.crosswalk.result import Conflict, Gap, Recognition, SchemeRecognition, Status
from registry.errors import InputError

FORMATS = ("text", "json", "html")

_RELATION_COLOURS = {
    "equivalent": "#2e7d32",
    "looser": "#558b2f",
    "stricter": "#ef6c00",
    "not-addressed": "#607d8b",
    "conflicting": "#c62828",
    "unknown": "#8e24aa",
}
_STATUS_COLOURS = {
    "recognised": "#2e7d32",
    "recognised-with-gaps": "#ef6c00",
    "not-recognised": "#c62828",
    "undetermined": "#8e24aa",
}
UNDETERMINED_WHY = (
    "undetermined: more than half of the requirements weighed are unknown to this crosswalk "
    "(the scheme's text was not seen); a verdict would rest on what is not known"
)
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;padding:0 1rem;color:#222;
max-width:80rem;box-sizing:border-box;overflow-wrap:anywhere}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left;font-size:.9rem}
th{background:#f3f3f3}
.badge{display:inline-block;padding:.1rem .45rem;border-radius:.25rem;color:#fff;font-size:.8rem;white-space:nowrap}
.unchecked{display:inline-block;padding:0 .3rem;border:1px dashed #8e24aa;color:#8e24aa;font-size:.75rem}
.clause{color:#555;font-size:.8rem}.note{color:#666;font-size:.8rem;font-style:italic}
.cell{text-align:center;font-weight:600}
footer{margin-top:2rem;color:#666;font-size:.8rem}
.scroll{overflow-x:auto;max-width:100%}
.matrix{overflow:auto;max-width:100%;max-height:75vh;border:1px solid #ccc}
.matrix table{width:max-content;min-width:100%;margin:0;border-collapse:separate;border-spacing:0}
.matrix thead th{position:sticky;top:0;z-index:2}
.matrix tbody th{position:sticky;left:0;z-index:1;background:#f3f3f3;min-width:14rem;max-width:22rem}
.matrix thead th:first-child{left:0;z-index:3}
.langs{float:right;font-size:.9rem}.lang-choice{position:absolute;opacity:0;width:1px;height:1px}
.langs label{cursor:pointer;padding:.1rem .4rem;border:1px solid #ccc;border-radius:.25rem}
#lang-en:checked~.langs label[for=lang-en],#lang-zh:checked~.langs label[for=lang-zh]{background:#222;color:#fff}
.zh{display:none}#lang-zh:checked~main .zh{display:inline}#lang-zh:checked~main .en{display:none}
"""


# the page's own words in English and Chinese (crosswalk data, such as requirement titles, stays as written)
_ZH = {
    "One audit, many schemes: recognition": "一次审核，多个制度：互认结果",
    "Scheme": "制度",
    "Status": "状态",
    "Requirement": "要求",
    "What is missing": "缺少内容",
    "Closable by": "弥补方式",
    "Clause": "条款",
    "Basis": "依据",
    "recognised": "已互认",
    "recognised-with-gaps": "互认但有缺口",
    "not-recognised": "不予互认",
    "undetermined": "无法判定",
    "conflict": "冲突",
    "evidence": "补充证据",
    "recalculation": "重新计算",
    "unknown": "未知",
    "not closable": "无法弥补",
    "Declaration conformant to": "声明符合",
    "source scheme": "来源制度",
    "Audit by": "审核机构",
    "on": "日期",
    "evidence digest": "证据摘要",
    "requirement(s) not known here": "项要求在此未知",
    "Verdict": "判定",
    "(built from the declaration's own attestations)": "（依据声明自身的证明生成）",
    "legend": "标记 [unchecked] 的事实尚未与制度原文核对。矩阵中，“补充证据”与“重新计算”说明如何弥补缺口；"
    "“未知”表示本对照表不知道该制度的要求（依其原文提供证据即可弥补）。",
    "footer": "由 pcf-registry 生成。状态由声明、审核与对照表数据计算得出。",
}


def _t(text: str) -> str:
    """``text`` in both languages (the page's CSS shows the chosen one); escaped."""
    zh = _ZH.get(text)
    if zh is None:
        return escape(text)
    return f'<span class="en" lang="en">{escape(text)}</span><span class="zh" lang="zh-Hans">{escape(zh)}</span>'


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def _page(title: str, body: Iterable[str], lang: str = "en") -> str:
    html_lang = "zh-Hans" if lang == "zh" else "en"
    head = f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
    head += '<meta name="viewport" content="width=device-width,initial-scale=1">'
    head += f"<title>{escape(title)}</title>"
    return head + f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"


def _switch(lang: str) -> str:
    """A language switch in CSS alone (no script, works in a saved file and in a POST's answer)."""
    en, zh = (" checked", "") if lang != "zh" else ("", " checked")
    return (
        f'<input type="radio" class="lang-choice" name="lang" id="lang-en"{en}>'
        f'<input type="radio" class="lang-choice" name="lang" id="lang-zh"{zh}>'
        '<nav class="langs" aria-label="Language / 语言"><label for="lang-en" lang="en">English</label> '
        '<label for="lang-zh" lang="zh-Hans">中文</label></nav>'
    )


def _badge(text: str, colour: str) -> str:
    return f'<span class="badge" style="background:{colour}">{_t(text)}</span>'


def _clause_html(clause: str, checked: bool) -> str:
    mark = "" if checked else f' <span class="unchecked">{UNCHECKED}</span>'
    return f'<span class="clause">{escape(clause)}</span>{mark}'


# ---------------------------------------------------------------- comparison


def _side_text(label: str, side: Side) -> str:
    note = f" - {side.note}" if side.note else ""
    return f"    {label:<18} {side.shown}  [{side.cited}]{note}"


def _comparison_text(cmp: Comparison) -> str:
    a, b = cmp.a, cmp.b
    lines = [
        f"A: {a.short} - {a.title}",
        f"B: {b.short} - {b.title}",
        f"relation: how {b.short}'s requirement stands to {a.short}'s",
        f"{UNCHECKED} marks facts not checked against the source text",
        "",
    ]
    for row in cmp.rows:
        flag = "" if row.compatible else " (no study meets both)"
        lines.append(f"{row.relation.value:<14} {row.requirement} - {row.title}{flag}")
        lines.append(_side_text(f"A {a.short}", row.a))
        lines.append(_side_text(f"B {b.short}", row.b))
    counts = ", ".join(f"{n} {k}" for k, n in cmp.counts().items() if n)
    unchecked = sum(1 for row in cmp.rows if not row.checked)
    lines.append("")
    lines.append(f"{len(cmp.rows)} requirements: {counts}; {unchecked} rows rest on unchecked facts")
    return "\n".join(lines)


def _side_html(side: Side) -> str:
    note = f'<div class="note">{escape(side.note)}</div>' if side.note else ""
    return f"<td>{escape(side.shown)}<div>{_clause_html(side.clause, side.checked)}</div>{note}</td>"


def _row_html(row: Row) -> str:
    relation = _badge(row.relation.value, _RELATION_COLOURS[row.relation.value])
    flag = "" if row.compatible else '<div class="note">no study meets both</div>'
    title = f'<td><b>{escape(row.title)}</b><div class="clause">{escape(row.requirement)}</div></td>'
    return f"<tr>{title}{_side_html(row.a)}<td>{relation}{flag}</td>{_side_html(row.b)}</tr>"


def _comparison_html(cmp: Comparison) -> str:
    a, b = cmp.a, cmp.b
    counts = ", ".join(f"{n} {escape(k)}" for k, n in cmp.counts().items() if n)
    body = [
        f"<h1>{escape(a.short)} and {escape(b.short)}: requirement by requirement</h1>",
        f"<p>A: {escape(a.title)}<br>B: {escape(b.title)}</p>",
        f"<p>The relation says how B's requirement stands to A's. {counts}. "
        f'<span class="unchecked">{UNCHECKED}</span> marks facts not checked against the source text.</p>',
        f"<table><tr><th>Requirement</th><th>A: {escape(a.short)}</th><th>Relation</th>"
        f"<th>B: {escape(b.short)}</th></tr>",
        *(_row_html(row) for row in cmp.rows),
        "</table>",
        "<footer>Generated by pcf-registry from crosswalk data; relations are computed from typed values.</footer>",
    ]
    return _page(f"{a.short} and {b.short}", body)


def render_comparison(cmp: Comparison, fmt: str) -> str:
    """``cmp`` as text, json or html."""
    _check(fmt)
    if fmt == "json":
        return _json(cmp.to_json())
    return _comparison_text(cmp) if fmt == "text" else _comparison_html(cmp)


# ---------------------------------------------------------------- recognition


def _audit_line(rec: Recognition) -> list[str]:
    audit = rec.audit
    lines = [f"audit: {audit.certifier} on {audit.date.date().isoformat()}, evidence {audit.evidence_digest}"]
    if audit.origin == "declaration":
        lines.append("       built from the declaration's own attestations (no audit record given)")
    return lines


def _finding_text(f: Gap | Conflict) -> list[str]:
    if isinstance(f, Gap):
        head = f"    gap ({f.closable_by.value})"
        text = f.missing
    else:
        head = "    CONFLICT"
        text = f.conflict
    return [f"{head:<26} {f.requirement}", f"        {text}", f"        [{f.cited}] from {f.basis}"]


def _listed(s: SchemeRecognition) -> list[Gap | Conflict]:
    """Conflicts, then the gaps listed one by one (not those on unknown target requirements)."""
    return [*s.conflicts, *(g for g in s.gaps if not g.unknown)]


def _unknowns(s: SchemeRecognition) -> tuple[list[Gap], list[str]]:
    """Gaps on requirements the target's text is not known for, and their distinct cited clauses."""
    gaps = [g for g in s.gaps if g.unknown]
    return gaps, list(dict.fromkeys(g.cited for g in gaps))


def _scheme_text(s: SchemeRecognition) -> list[str]:
    summary = f"{len(s.gaps)} gap(s), {len(s.conflicts)} conflict(s)" if s.gaps or s.conflicts else "no gaps"
    lines = [f"{s.status.value:<22} {s.scheme} ({s.short}): {summary}"]
    for f in _listed(s):
        lines.extend(_finding_text(f))
    unknown, clauses = _unknowns(s)
    if unknown:
        lines.append(
            f"    {'gap (evidence)':<26} {len(unknown)} requirement(s) whose {s.short} text is not known here:"
        )
        lines.append("        " + ", ".join(g.requirement for g in unknown))
        lines.append("        confirm each against the scheme's text [" + "; ".join(clauses) + "]")
    lines.append(f"    verdict {s.rows_text()}")
    if s.status is Status.UNDETERMINED:
        lines.append(f"    {UNDETERMINED_WHY}")
    return lines


def _recognition_text(rec: Recognition) -> str:
    lines = [
        f"recognition of a declaration conformant to {rec.pack.ref}",
        f"source scheme: {rec.source_scheme or 'none'}",
    ]
    lines += _audit_line(rec)
    lines.append("")
    for s in rec.schemes:
        lines.extend(_scheme_text(s))
    counts = {st: sum(1 for s in rec.schemes if s.status is st) for st in Status}
    lines.append("")
    lines.append(", ".join(f"{n} {st.value}" for st, n in counts.items()))
    return "\n".join(lines)


def _cell(s: SchemeRecognition, requirement: str) -> str:
    for c in s.conflicts:
        if c.requirement == requirement:
            return f'<td class="cell" style="color:{_STATUS_COLOURS["not-recognised"]}">{_t("conflict")}</td>'
    for g in s.gaps:
        if g.requirement == requirement:
            colour = _RELATION_COLOURS["unknown"] if g.unknown else _STATUS_COLOURS["recognised-with-gaps"]
            label = "unknown" if g.unknown else g.closable_by.value
            return f'<td class="cell" style="color:{colour}">{_t(label)}</td>'
    return '<td class="cell" style="color:#2e7d32">&#10003;</td>'


def _matrix(rec: Recognition) -> list[str]:
    """The schemes across, the requirements down: a box that scrolls inside the page, its header row and first
    column sticky, so that a 1280-pixel screen shows it whole however many schemes there are."""
    ranked: dict[str, tuple[int, str]] = {}
    for s in rec.schemes:
        found: list[Gap | Conflict] = [*s.conflicts, *s.gaps]
        for f in found:
            ranked.setdefault(f.requirement, (f.rank, f.title))
    titles = {rid: title for rid, (_, title) in sorted(ranked.items(), key=lambda item: item[1][0])}
    head = "".join(f'<th scope="col">{escape(s.short)}</th>' for s in rec.schemes)
    status = "".join(f"<td>{_badge(s.status.value, _STATUS_COLOURS[s.status.value])}</td>" for s in rec.schemes)
    rows = [
        f'<div class="matrix" role="region" aria-label="Recognition matrix" tabindex="0"><table>'
        f'<thead><tr><th scope="col">{_t("Scheme")}</th>{head}</tr></thead>',
        f'<tbody><tr><th scope="row">{_t("Status")}</th>{status}</tr>',
    ]
    for requirement, title in titles.items():
        cells = "".join(_cell(s, requirement) for s in rec.schemes)
        rows.append(
            f'<tr><th scope="row">{escape(title)}<div class="clause">{escape(requirement)}</div></th>{cells}</tr>'
        )
    rows.append("</tbody></table></div>")
    return rows


_DETAILS_HEAD = (
    f'<div class="scroll"><table><tr><th>{_t("Requirement")}</th><th>{_t("What is missing")}</th>'
    f"<th>{_t('Closable by')}</th><th>{_t('Clause')}</th><th>{_t('Basis')}</th></tr>"
)


def _finding_row(f: Gap | Conflict) -> str:
    what = f.missing if isinstance(f, Gap) else f.conflict
    closes = (
        _t(f.closable_by.value) if isinstance(f, Gap) else _badge("not closable", _STATUS_COLOURS["not-recognised"])
    )
    return (
        f'<tr><td><b>{escape(f.title)}</b><div class="clause">{escape(f.requirement)}</div></td>'
        f"<td>{escape(what)}</td><td>{closes}</td><td>{_clause_html(f.clause, f.checked)}</td>"
        f'<td class="clause">{escape(f.basis)}</td></tr>'
    )


def _unknown_row(short: str, gaps: list[Gap]) -> str:
    names = ", ".join(escape(g.requirement) for g in gaps)
    clauses = "<br>".join(dict.fromkeys(_clause_html(g.clause, g.checked) for g in gaps))
    return (
        f'<tr><td><b>{len(gaps)} {_t("requirement(s) not known here")}</b><div class="clause">{names}</div></td>'
        f"<td>What {escape(short)} requires is not known to this crosswalk; confirm each against its text.</td>"
        f'<td>{_t("evidence")}</td><td>{clauses}</td><td class="clause">crosswalk entry unknown</td></tr>'
    )


def _details(s: SchemeRecognition) -> list[str]:
    out = [
        f"<h2>{escape(s.short)}: {_badge(s.status.value, _STATUS_COLOURS[s.status.value])}</h2>",
        f"<p>{escape(s.title)}</p>",
    ]
    findings = _listed(s)
    unknown, _ = _unknowns(s)
    if findings or unknown:
        out.append(_DETAILS_HEAD)
        out.extend(_finding_row(f) for f in findings)
        if unknown:
            out.append(_unknown_row(s.short, unknown))
        out.append("</table></div>")
    out.append(f'<p class="note">{_t("Verdict")} {escape(s.rows_text())}.</p>')
    if s.status is Status.UNDETERMINED:
        out.append(f'<p class="note">{escape(UNDETERMINED_WHY)}</p>')
    return out


def _recognition_html(rec: Recognition, lang: str) -> str:
    audit = rec.audit
    origin = " " + _t("(built from the declaration's own attestations)") if audit.origin == "declaration" else ""
    legend = (
        f'<span class="en" lang="en"><span class="unchecked">{UNCHECKED}</span> marks facts not checked against '
        "the scheme's text. In the matrix, evidence and recalculation say what closes a gap; unknown: what the "
        "scheme requires is not known to this crosswalk (evidence against its text closes it).</span>"
        f'<span class="zh" lang="zh-Hans">{escape(_ZH["legend"])}</span>'
    )
    footer = (
        '<span class="en" lang="en">Generated by pcf-registry. Statuses are computed from the declaration, the '
        f'audit and the crosswalk data.</span><span class="zh" lang="zh-Hans">{escape(_ZH["footer"])}</span>'
    )
    body = [
        _switch(lang),
        "<main>",
        f"<h1>{_t('One audit, many schemes: recognition')}</h1>",
        f"<p>{_t('Declaration conformant to')} <b>{escape(rec.pack.ref)}</b>; "
        f"{_t('source scheme')}: <b>{escape(rec.source_scheme or 'none')}</b>.<br>"
        f"{_t('Audit by')} <b>{escape(audit.certifier)}</b>, {_t('on')} {escape(audit.date.date().isoformat())}"
        f"{origin}, {_t('evidence digest')} <code>{escape(audit.evidence_digest)}</code>.</p>",
        f"<p>{legend}</p>",
        *_matrix(rec),
    ]
    for s in rec.schemes:
        body.extend(_details(s))
    body.append(f"<footer>{footer}</footer></main>")
    return _page(f"Recognition of {rec.pack.ref}", body, lang)


def render_recognition(rec: Recognition, fmt: str, lang: str = "en") -> str:
    """``rec`` as text, json or html; the html page shows ``lang`` (en or zh) first and switches to the other."""
    _check(fmt)
    if fmt == "json":
        return _json(rec.to_json())
    return _recognition_text(rec) if fmt == "text" else _recognition_html(rec, lang)
