"""A recalculation as text or HTML, rendered from its JSON (the one result object)."""

from __future__ import annotations

from html import escape
from typing import Any


def _dev(report: dict[str, Any]) -> str:
    dev = report["deviationPercent"].get("total")
    return "not compared (no declared total)" if dev is None else f"{dev} % (declared - recomputed) / recomputed"


def render_text(name: str, report: dict[str, Any]) -> str:
    """Lines, totals, deviation and findings of ``report`` (``Recalculation.to_json()``)."""
    out = [f"{name}: recomputed {report['total']} kg CO2e per declared unit"
           f"{'' if report['complete'] else ' (INCOMPLETE: some lines could not be computed)'}"]  # fmt: skip
    out.append(f"  deviation of the declared total: {_dev(report)}")
    for key, value in sorted(report["deviationPercent"].items()):
        if key != "total":
            out.append(f"    {key}: {value} %")
    out.append("  stages: " + ", ".join(f"{k} {v}" for k, v in report["stages"].items()))
    parts = report["parts"]
    out.append(f"  fossil {parts['fossil']}, biogenic {parts['biogenic']}, land use {parts['landUse']}, "
               f"not split by the factor {parts['unsplit']}")  # fmt: skip
    out.append(f"  primary data share {report['primaryDataShare']} %, DQR {report['dqr'] or 'none (no factor rated)'}")
    out.append(f"  factor sets: {', '.join(report['setsUsed']) or 'none'}; inventory {report['inventoryDigest']}")
    for line in report["lines"]:
        chain = "".join(f" x {s['factor']} ({s['from']}->{s['to']})" for s in line["conversion"])
        amount = f"{line['quantity']} {line['unit']}{chain} x {line['allocation']}"
        out.append(f"  {line['id']:<28} {line['stage']:<24} {amount} x {line['factorValue']} = {line['kgCO2e']} kg"
                   f" ({line['share']})")  # fmt: skip
        out.append(f"      {line['factor']}")
    for f in report["findings"]:
        out.append(f"  {f['severity']:<7} {f['rule_id']}  {f['path']}")
        out.append(f"          {f['message']}")
    return "\n".join(out)


def render_html(name: str, report: dict[str, Any]) -> str:
    """A self-contained HTML page of the recalculation (for a certifier: it shows activity data)."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in (
            line["id"], line["stage"], line["kind"], f"{line['quantity']} {line['unit']}", line["allocation"],
            line["factor"], line["factorValue"], " ".join(f"{s['from']}->{s['to']} x{s['factor']}"
                                                          for s in line["conversion"]),
            line["kgCO2e"], line["share"],
        )) + "</tr>"
        for line in report["lines"]
    )  # fmt: skip
    findings = "".join(
        f"<li class='{escape(f['severity'])}'><code>{escape(f['rule_id'])}</code> <code>{escape(f['path'])}</code> "
        f"{escape(f['message'])}</li>"
        for f in report["findings"]
    )
    head = "".join(f"<th>{h}</th>" for h in ("line", "stage", "kind", "quantity", "allocation", "factor", "value",
                                              "conversion", "kg CO2e", "share"))  # fmt: skip
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Recalculation: {escape(name)}</title></head><body>"
        f"<h1>Recalculation of {escape(name)}</h1>"
        f"<p>Recomputed <strong>{escape(report['total'])}</strong> kg CO2e per declared unit; "
        f"deviation of the declared total: {escape(_dev(report))}.</p>"
        f"<p>Factor sets: {escape(', '.join(report['setsUsed']) or 'none')}. "
        f"Inventory {escape(report['inventoryDigest'])}.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<h2>Findings</h2><ul>{findings or '<li>none</li>'}</ul></body></html>"
    )
