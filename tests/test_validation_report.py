"""The certifier's HTML report (issue 14): what was validated, and `pcfreg validate --format html`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from registry import cli
from registry.packs import Catalog, render_validation_html, validated_facts

AL = "example-standards-body/aluminium-ingot"
AT = ["--at", "2026-06-01T00:00:00Z"]


def test_what_was_validated_v3_v2_and_nothing() -> None:
    example = Catalog.bundled().resolve(AL).example
    facts = dict(validated_facts(example))
    assert facts["Product / 产品"] == "Al99.70 primary ingot"
    assert facts["Declaration id / 声明编号"] == example["id"]
    assert facts["PCF excluding biogenic uptake / 不含生物源吸收的碳足迹"] == "14600 kg CO2e per 1000 kilogram"
    v2 = {"id": "x-1", "pcf": {"declaredUnit": "liter", "unitaryProductAmount": "2", "pCfExcludingBiogenic": "3.5"}}
    assert ("PCF excluding biogenic uptake / 不含生物源吸收的碳足迹", "3.5 kg CO2e per 2 liter") in validated_facts(v2)
    assert validated_facts([1]) == [] and validated_facts({"pcf": "no"}) == []
    result = {"conformant": False, "pack": {"id": "p", "version": "1", "digest": "d"}, "findings": []}
    page = render_validation_html(None, "2026-01-01", result, {"productNameCompany": "<b>x</b>"})
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "not stored" in page


def test_validate_format_html_writes_the_report(tmp_path: Path) -> None:
    path = tmp_path / "al.json"
    example = Catalog.bundled().resolve(AL).example
    path.write_text(json.dumps(example))
    r = CliRunner().invoke(cli.main, ["validate", str(path), "--format", "html", *AT])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("<!doctype html>") and example["companyName"] in r.stdout and "Conformant" in r.stdout
    assert "14600 kg CO2e per 1000 kilogram" in r.stdout
    array = tmp_path / "two.json"
    array.write_text(json.dumps([example, example]))
    two = CliRunner().invoke(cli.main, ["validate", str(array), "--format", "html", *AT])
    assert two.exit_code == 2 and "one footprint" in two.stderr and "holds 2" in two.stderr
    stream = CliRunner().invoke(cli.main, ["validate", str(tmp_path / "x.jsonl"), "--format", "html", *AT])
    assert stream.exit_code == 2 and ".jsonl" in stream.stderr
