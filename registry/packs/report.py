"""The HTML report of a validation, for a certifier: what was validated (product, company, declaration id,
declared values with their units), the verdict, and the findings grouped by stage and rule.

Pure: the API (``GET /v1/validations/{id}?format=html``, and its signed link) and ``pcfreg validate
--format html`` render the same objects with it; it needs no HTTP stack and no database.
"""

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

# (title, PACT v3 member of pcf, PACT v2 member of pcf): the declared values shown, each per declared unit
_VALUES = (
    ("PCF excluding biogenic uptake / 不含生物源吸收的碳足迹", "pcfExcludingBiogenicUptake", "pCfExcludingBiogenic"),
    ("PCF including biogenic uptake / 含生物源吸收的碳足迹", "pcfIncludingBiogenicUptake", "pCfIncludingBiogenic"),
    ("Fossil GHG emissions / 化石温室气体排放", "fossilGhgEmissions", "fossilGhgEmissions"),
    ("Land use change emissions / 土地利用变化排放", "landUseChangeGhgEmissions", "dLucGhgEmissions"),
    ("Packaging emissions / 包装排放", "packagingGhgEmissions", "packagingGhgEmissions"),
)
_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
.verdict{font-size:1.6rem;font-weight:700} .ok{color:#1a7f37} .bad{color:#b42318}
.rule{border-left:4px solid #999;padding:.2rem .8rem;margin:.6rem 0} .rule.error{border-color:#b42318}
.rule.warning{border-color:#b54708} .rule.info{border-color:#667085}
.sev{text-transform:uppercase;font-size:.8rem}
.clauses{color:#475467;font-size:.9rem;margin:.2rem 0} code{font-size:.95em}
table.what{border-collapse:collapse;margin:.5rem 0 1rem} .what th,.what td{text-align:left;padding:.2rem .8rem .2rem 0;
vertical-align:top} .what th{font-weight:600;color:#344054} .num{font-variant-numeric:tabular-nums}
"""


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def declared_unit(pcf: dict[str, Any]) -> str | None:
    """``1000 kilogram`` (v3: declaredUnitAmount and declaredUnitOfMeasurement; v2: unitaryProductAmount and
    declaredUnit)."""
    unit = _text(pcf.get("declaredUnitOfMeasurement")) or _text(pcf.get("declaredUnit"))
    amount = _text(pcf.get("declaredUnitAmount")) or _text(pcf.get("unitaryProductAmount"))
    if unit is None:
        return None
    return f"{amount} {unit}" if amount is not None else unit


def validated_facts(declaration: Any) -> list[tuple[str, str]]:
    """What was validated, as (title, value) rows: product, company, declaration id, period, geography and the
    declared values with their units. Rows the declaration lacks are left out; nothing here raises."""
    if not isinstance(declaration, dict):
        return []
    given = declaration.get("pcf")
    pcf: dict[str, Any] = given if isinstance(given, dict) else {}
    ids = declaration.get("companyIds")
    rows = [
        ("Product / 产品", _text(declaration.get("productNameCompany"))),
        ("Description / 描述", _text(declaration.get("productDescription"))),
        ("Company / 企业", _text(declaration.get("companyName"))),
        ("Company id / 企业标识", ids[0] if isinstance(ids, list) and ids and isinstance(ids[0], str) else None),
        ("Declaration id / 声明编号", _text(declaration.get("id"))),
        ("Declared unit / 声明单位", declared_unit(pcf)),
        ("Reference period / 参考期", _period(pcf)),
        ("Geography / 地理范围", _text(pcf.get("geographyCountry")) or _text(pcf.get("geographyRegionOrSubregion"))),
    ]
    unit = declared_unit(pcf)
    per = f" kg CO2e per {unit}" if unit else " kg CO2e"
    for title, v3, v2 in _VALUES:
        value = _text(pcf.get(v3)) or _text(pcf.get(v2))
        rows.append((title, f"{value}{per}" if value is not None else None))
    return [(title, value) for title, value in rows if value is not None]


def _period(pcf: dict[str, Any]) -> str | None:
    start, end = _text(pcf.get("referencePeriodStart")), _text(pcf.get("referencePeriodEnd"))
    return f"{start} .. {end}" if start and end else None


def _facts_table(declaration: Any) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(title)}</th><td class="num">{escape(value)}</td></tr>'
        for title, value in validated_facts(declaration)
    )
    if not rows:
        return "<p>The declaration names no product, company or values. / 声明未给出产品、企业或数值。</p>"
    return f'<table class="what"><caption hidden>What was validated</caption>{rows}</table>'


def _findings(result: dict[str, Any]) -> str:
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
                f'<section class="rule {escape(first["severity"])}"><h4><span class="sev">'
                f"{escape(first['severity'])}</span> <code>{escape(rule_id)}</code></h4>"
                f'<p class="clauses">{clauses}</p><ul>{items}</ul></section>'
            )
        sections.append(f"<h3>{escape(_STAGE_TITLES.get(stage, str(stage)))}</h3>{''.join(rules)}")
    return "".join(sections) or "<p>No findings. / 无发现项。</p>"


def render_validation_html(
    validation_id: str | None, created_at: str, result: dict[str, Any], declaration: Any = None
) -> str:
    """The report page; ``validation_id`` None for a validation not stored (``pcfreg validate``)."""
    pack = result["pack"]
    verdict = "Conformant / 符合" if result["conformant"] else "Not conformant / 不符合"
    counts = {s: sum(1 for f in result["findings"] if f["severity"] == s) for s in ("error", "warning", "info")}
    name = f"Validation <code>{escape(validation_id)}</code>, " if validation_id else "Validation (not stored), "
    title = f"Validation {validation_id}" if validation_id else "Validation report"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>
<h1>Validation report / 验证报告</h1>
<p class="verdict {"ok" if result["conformant"] else "bad"}">{verdict}</p>
<p>{name}{escape(created_at)}<br>
Rule pack <code>{escape(pack["id"])}@{escape(pack["version"])}</code> (<code>{escape(pack["digest"])}</code>)<br>
{counts["error"]} error(s), {counts["warning"]} warning(s), {counts["info"]} info</p>
<h2>What was validated / 验证对象</h2>
{_facts_table(declaration)}
<h2>Findings / 发现项</h2>
{_findings(result)}
</main></body></html>"""
