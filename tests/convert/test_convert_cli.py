"""``pcfreg convert``: formats in and out, findings on stderr, every exit code.

ILCD input (--from ilcd, XML, .zip, --flow) is wired to registry/convert/ilcd.py and tested there
and by the lead; here only its refusals that do not depend on that module are covered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from registry import cli
from registry.cli import convert as convert_module
from registry.cli.convert import sniff
from registry.errors import InputError
from registry.packs.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
V2_FIXTURE = ROOT / "tests" / "fixtures" / "pact" / "v2.2-bio-pe-granulate.json"
SEVERITIES = ("info", "warning", "error")


def run(*args: str, input: str | bytes | None = None) -> Result:
    result = CliRunner().invoke(cli.main, ["convert", *args], input=input)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def write(tmp_path: Path, catalog: Catalog, ref: str) -> Path:
    found = catalog.resolve(ref).example
    assert found is not None
    path = tmp_path / "decl.json"
    path.write_text(json.dumps(found), encoding="utf-8")
    return path


def finding_lines(result: Result) -> list[str]:
    lines = result.stderr.splitlines()
    assert all(line.split(" ", 1)[0] in SEVERITIES for line in lines), lines
    return lines


def test_pact_v3_out_exit_0(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, catalog, "example-standards-body/core")
    result = run(str(path), "--to", "pact-v3")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(path.read_text())
    assert result.stderr == ""


def test_drop_extension_and_findings_switch(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, catalog, "example-standards-body/core")
    result = run(str(path), "--to", "pact-v3", "--drop-extension")
    assert result.exit_code == 0
    assert "extensions" not in json.loads(result.stdout)
    [line] = finding_lines(result)
    assert line.startswith("info    convert.pact-v3.extension-dropped /extensions/0")
    quiet = run(str(path), "--to", "pact-v3", "--drop-extension", "--no-findings")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == result.stdout


def test_v2_on_stdin_is_sniffed_and_upgraded(catalog: Catalog) -> None:
    result = run("-", "--to", "pact-v3", input=V2_FIXTURE.read_bytes())
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["specVersion"] == "3.0.0" and out["pcf"]["pcfExcludingBiogenicUptake"] == "28.75"
    lines = finding_lines(result)
    assert any("pact.upgrade.dropped" in line and "[/pcf/landManagementGhgEmissions]" in line for line in lines)


def test_pact_v2_out(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, catalog, "example-standards-body/aluminium-ingot")
    result = run(str(path), "--to", "pact-v2")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["specVersion"] == "2.3.0" and out["productCategoryCpc"] == "41431"
    assert not [line for line in finding_lines(result) if line.startswith("error")]


def test_output_failing_its_schema_exit_1(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, catalog, "example-standards-body/core")  # no UN CPC code anywhere
    result = run(str(path), "--to", "pact-v2")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["specVersion"] == "2.3.0"  # still written
    errors = [line for line in finding_lines(result) if line.startswith("error")]
    assert errors == [
        "error   convert.pact-v2.schema.required /productCategoryCpc  the PACT v2.3 footprint is not schema-valid "
        'here: "productCategoryCpc" is a required property'
    ]


def test_battery_cf_out(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, catalog, "example-standards-body/ev-traction-battery")
    result = run(str(path), "--to", "battery-cf")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["batteryCarbonFootprint"] == 0.06 and out["absoluteCarbonFootprint"] == 6075
    assert len(finding_lines(result)) == 3


def test_battery_cf_refusal_exit_2(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, catalog, "example-standards-body/core")  # per kilogram
    result = run(str(path), "--to", "battery-cf")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"pcfreg: {path}, key /pcf/declaredUnitOfMeasurement: declared unit 'kilogram'")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["-", "--to", "pact-v3"], '{\n "id": ,\n}', "-, line 2, column 8: invalid JSON"),
        (["-", "--to", "pact-v3"], "[1]", "key /0: the input must be a JSON object"),
        (["-", "--to", "pact-v3"], '{"specVersion": "1.0.0"}', "not a PACT v2 or v3 ProductFootprint"),
        (["-", "--to", "pact-v3", "--from", "pact-v3"], "<processDataSet/>", "invalid JSON"),
        (["-", "--to", "pact-v3", "--from", "xml"], "{}", "--from 'xml' is not one of ilcd, pact-v2, pact-v3"),
        (["-", "--to", "pdf"], "{}", "--to 'pdf' is not one of pact-v3, pact-v2, battery-cf"),
        (["-", "--to", "pact-v3", "--declared-unit", "kilogram"], "{}", "apply only to ILCD input"),
        (["/nonexistent/decl.json", "--to", "pact-v3"], None, "cannot read file"),
    ],
)
def test_unusable_input_exit_2(args: list[str], stdin: str | None, message: str) -> None:
    result = run(*args, input=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("pcfreg: ")
    assert message in result.stderr


def test_declared_v3_but_given_v2_exit_2() -> None:
    result = run("-", "--to", "pact-v2", "--from", "pact-v3", input=V2_FIXTURE.read_bytes())
    assert result.exit_code == 2
    assert "key /specVersion" in result.stderr and "is PACT v2" in result.stderr


def test_declared_v2_but_given_v3_exit_2(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, catalog, "example-standards-body/core")
    result = run(str(path), "--to", "pact-v3", "--from", "pact-v2")
    assert result.exit_code == 2 and "only PACT v2.x footprints can be upgraded" in result.stderr


def test_flow_with_json_input_exit_2(tmp_path: Path) -> None:
    flow = tmp_path / "flow.xml"
    flow.write_text("<flowDataSet/>")
    result = run("-", "--to", "pact-v3", "--flow", str(flow), input="{}")
    assert result.exit_code == 2 and "--flow and --declared-unit apply only to ILCD input" in result.stderr


def test_internal_error_exit_3(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(convert_module, "export", broken)
    path = write(tmp_path, catalog, "example-standards-body/core")
    result = run(str(path), "--to", "pact-v3")
    assert result.exit_code == 3
    assert "internal error (RuntimeError): boom" in result.stderr


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("bundle.zip", b"not really a zip", "ilcd"),
        ("-", b"PK\x03\x04rest", "ilcd"),
        ("p.xml", b"\xef\xbb\xbf  \n<processDataSet/>", "ilcd"),
        ("d.json", json.dumps({"specVersion": "2.0.0"}).encode(), "pact-v2"),
        ("d.json", json.dumps({"specVersion": "3.0.1"}).encode(), "pact-v3"),
        ("d.json", b"{}", "pact-v3"),
        ("d.json", b"[]", "pact-v3"),
    ],
)
def test_sniff(name: str, data: bytes, expected: str) -> None:
    assert sniff(name, data) == expected


def test_sniff_broken_json_names_the_place() -> None:
    with pytest.raises(InputError) as info:
        sniff("d.json", b'{"a": }')
    assert info.value.location.file == "d.json" and info.value.location.line == 1
