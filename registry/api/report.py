"""The HTML report of a stored validation, for a certifier: findings grouped by stage and rule."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

_STAGE_TITLES = {
    "raw-material-acquisition": "Raw material acquisition / 原材料获取",
    "production": "Production / 生产",
    "distribution": "Distribution / 分销",
    "use": "Use / 使用",
    "end-of-life": "End of life / 寿命终止",
    None: "Whole declaration / 整体声明",
}


def render_validation_html(validation_id: str, created_at: str, result: dict[str, Any]) -> str:
    pack = result["pack"]
    verdict = "Conformant / 符合" if result["conformant"] else "Not conformant / 不符合"
    by_stage: dict[str | None, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for f in result["findings"]:
        by_stage[f.get("stage")][f["rule_id"]].append(f)
    sections: list[str] = []
    order = [*_STAGE_TITLES]
    for stage in sorted(by_stage, key=lambda s: order.index(s) if s in order else len(order)):
        rules = []
        for rule_id, findings in sorted(by_stage[stage].items()):
            first = findings[0]
            items = "".join(
                f"<li><code>{escape(f['path'] or '/')}</code> {escape(f['message'])}</li>" for f in findings
            )
            clauses = "; ".join(escape(c) for c in first.get("clauses", []))
            rules.append(
                f'<section class="rule {escape(first["severity"])}"><h3><span class="sev">'
                f"{escape(first['severity'])}</span> <code>{escape(rule_id)}</code></h3>"
                f'<p class="clauses">{clauses}</p><ul>{items}</ul></section>'
            )
        sections.append(f"<h2>{escape(_STAGE_TITLES.get(stage, str(stage)))}</h2>{''.join(rules)}")
    body = "".join(sections) or "<p>No findings. / 无发现项。</p>"
    counts = {s: sum(1 for f in result["findings"] if f["severity"] == s) for s in ("error", "warning", "info")}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Validation {escape(validation_id)}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}
.verdict{{font-size:1.6rem;font-weight:700;color:{"#1a7f37" if result["conformant"] else "#b42318"}}}
.rule{{border-left:4px solid #999;padding:.2rem .8rem;margin:.6rem 0}} .rule.error{{border-color:#b42318}}
.rule.warning{{border-color:#b54708}} .rule.info{{border-color:#667085}}
.sev{{text-transform:uppercase;font-size:.8rem}}
.clauses{{color:#475467;font-size:.9rem;margin:.2rem 0}} code{{font-size:.95em}}
</style></head><body>
<p class="verdict">{verdict}</p>
<p>Validation <code>{escape(validation_id)}</code>, {escape(created_at)}<br>
Rule pack <code>{escape(pack["id"])}@{escape(pack["version"])}</code> (<code>{escape(pack["digest"])}</code>)<br>
{counts["error"]} error(s), {counts["warning"]} warning(s), {counts["info"]} info</p>
{body}
</body></html>"""
