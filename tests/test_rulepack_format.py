"""Rule pack files: schema errors name file, line and key; resolution rules."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from registry.errors import InputError, PackError
from registry.packs.catalog import Catalog
from registry.packs.rulepack import parse_pack

MINIMAL = textwrap.dedent(
    """\
    format: pcf-registry/rulepack/1.0
    id: acme/widget
    version: 1.0.0
    title: {en: Widget, zh: 小部件}
    publisher: {id: acme, name: ACME}
    status: published
    effective: {from: "2026-01-01"}
    rules:
      - id: widget.unit
        title: Unit is kilogram
        severity: error
        clauses: ["ACME PCR 1.0 §3"]
        path: /pcf/declaredUnitOfMeasurement
        check: pcf.declaredUnitOfMeasurement == 'kilogram'
        message: unit is ${pcf.declaredUnitOfMeasurement}
    """
)


def test_minimal_pack_parses() -> None:
    pack = parse_pack(MINIMAL, source="widget.yaml")
    assert pack.ref == "acme/widget@1.0.0"
    assert pack.digest.startswith("sha256:") and len(pack.digest) == 71


def test_schema_error_names_file_line_and_key() -> None:
    text = MINIMAL.replace("severity: error", "severity: fatal")
    with pytest.raises(PackError) as info:
        parse_pack(text, source="widget.yaml")
    problems = info.value.problems
    assert len(problems) >= 1
    loc = problems[0].location
    assert loc.file == "widget.yaml"
    assert loc.line == 11
    assert loc.pointer == "/rules/0/severity"
    assert "widget.yaml, line 11" in str(info.value)


def test_missing_required_key_points_at_it() -> None:
    text = MINIMAL.replace("status: published\n", "")
    with pytest.raises(PackError) as info:
        parse_pack(text, source="w.yaml")
    assert any(p.location.pointer == "/status" for p in info.value.problems)


def test_duplicate_yaml_key_refused_with_line() -> None:
    text = MINIMAL.replace("status: published\n", "status: published\nstatus: draft\n")
    with pytest.raises(InputError) as info:
        parse_pack(text, source="w.yaml")
    assert info.value.location.line == 7
    assert "duplicate key" in info.value.message


def test_yaml_syntax_error_has_line() -> None:
    with pytest.raises(InputError) as info:
        parse_pack("id: [unclosed\n", source="w.yaml")
    assert info.value.location.line is not None


def test_yaml_12_booleans_and_dates_stay_strings() -> None:
    pack = parse_pack(MINIMAL.replace('"2026-01-01"', "2026-01-01"), source="w.yaml")
    assert pack.data["effective"]["from"] == "2026-01-01"


def test_duplicate_rule_ids_refused() -> None:
    text = MINIMAL + textwrap.indent(MINIMAL.split("rules:\n", 1)[1], "")
    with pytest.raises(PackError) as info:
        parse_pack(text, source="w.yaml")
    assert any("duplicate rule id" in p.message for p in info.value.problems)


def test_pack_cannot_carry_python_or_unknown_keys() -> None:
    text = MINIMAL + "python: import os\n"
    with pytest.raises(PackError) as info:
        parse_pack(text, source="w.yaml")
    assert info.value.problems[0].location.pointer == ""


def _write(tmp: Path, name: str, text: str) -> None:
    (tmp / name).write_text(text, encoding="utf-8")


def test_extends_cycle_refused(tmp_path: Path) -> None:
    a = MINIMAL.replace("acme/widget", "acme/a").replace("rules:", "extends: [acme/b@1.0.0]\nrules:")
    b = MINIMAL.replace("acme/widget", "acme/b").replace("rules:", "extends: [acme/a@1.0.0]\nrules:")
    b = b.replace("widget.unit", "b.unit")
    _write(tmp_path, "a.yaml", a)
    _write(tmp_path, "b.yaml", b)
    catalog = Catalog.from_directory(tmp_path)
    with pytest.raises(PackError) as info:
        catalog.resolve("acme/a@1.0.0")
    assert "cycle" in info.value.message
    assert "acme/a@1.0.0 -> acme/b@1.0.0 -> acme/a@1.0.0" in info.value.message


def test_extends_unknown_base_refused(tmp_path: Path) -> None:
    a = MINIMAL.replace("rules:", "extends: [acme/missing@1.0.0]\nrules:")
    _write(tmp_path, "a.yaml", a)
    with pytest.raises(PackError) as info:
        Catalog.from_directory(tmp_path).resolve("acme/widget")
    assert "acme/missing@1.0.0" in info.value.message
    assert info.value.location.pointer == "/extends/0"


def test_inherited_rule_clash_needs_override(tmp_path: Path) -> None:
    child = MINIMAL.replace("acme/widget", "acme/child").replace("rules:", "extends: [acme/widget@1.0.0]\nrules:")
    _write(tmp_path, "base.yaml", MINIMAL)
    _write(tmp_path, "child.yaml", child)
    catalog = Catalog.from_directory(tmp_path)
    with pytest.raises(PackError) as info:
        catalog.resolve("acme/child")
    assert "override" in info.value.message
    _write(tmp_path, "child.yaml", child.replace("severity: error", "severity: warning\n    override: true"))
    resolved = Catalog.from_directory(tmp_path).resolve("acme/child")
    assert [r.severity.value for r in resolved.rules] == ["warning"]


def test_parameters_overlay(tmp_path: Path) -> None:
    base = MINIMAL.replace("rules:", "parameters: {limit: 5, other: 1}\nrules:")
    child = (
        MINIMAL.replace("acme/widget", "acme/child")
        .replace(
            "rules:", "extends: [acme/widget@1.0.0]\nparameters: {limit: {value: 2, unit: percent}}\nrules: []\nx:"
        )
        .split("\nx:")[0]
        + "\n"
    )
    _write(tmp_path, "base.yaml", base)
    _write(tmp_path, "child.yaml", child)
    resolved = Catalog.from_directory(tmp_path).resolve("acme/child")
    assert resolved.parameters == {"limit": 2, "other": 1}
    assert resolved.chain == ("acme/widget@1.0.0", "acme/child@1.0.0")


def test_publisher_must_own_namespace() -> None:
    with pytest.raises(PackError) as info:
        parse_pack(MINIMAL.replace("publisher: {id: acme", "publisher: {id: other"), source="w.yaml")
    assert info.value.problems[0].location.pointer == "/publisher/id"


def test_every_bundled_pack_loads(catalog: Catalog) -> None:
    ids = {p.id for p in catalog.packs()}
    assert {
        "example-standards-body/core",
        "example-standards-body/iso-14067",
        "example-standards-body/gb-t-24067",
        "example-standards-body/pact-v3",
    } <= ids
    for pack in catalog.packs():
        assert pack.data["provenance"]["official"] is False
