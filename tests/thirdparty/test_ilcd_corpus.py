"""Third-party ILCD+EPD data sets through the CLI: convert to PACT v3, validate the result.

Every file in ``tests/fixtures/third-party/ilcd/`` (SOURCES.md names repository, path, commit
and licence) has a case in ``expectations.yaml``: exit codes, findings that must or must not
appear, the declared unit and the GWP figures.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from registry import cli

CORPUS = Path(__file__).parent.parent / "fixtures" / "third-party" / "ilcd"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "expectations.yaml").read_text("utf-8"))["cases"]


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


def _rule_ids(stderr: str) -> set[str]:
    """Rule ids of convert's finding lines (``severity rule pointer ...``)."""
    return {line.split()[1] for line in stderr.splitlines() if len(line.split()) > 1}


def _check_rules(found: set[str], expected: dict[str, Any], where: str) -> None:
    for rule in expected.get("present", []):
        assert rule in found, f"{where}: {rule} expected"
    for rule in expected.get("absent", []):
        assert rule not in found, f"{where}: {rule} not expected"


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Result, Path]]:
    out: dict[str, tuple[Result, Path]] = {}
    folder = tmp_path_factory.mktemp("converted")
    for case in CASES:
        args = ["convert", "--to", "pact-v3", str(CORPUS / case["file"])]
        if "flow" in case:
            args += ["--flow", str(CORPUS / case["flow"])]
        if "declared_unit" in case:
            args += ["--declared-unit", case["declared_unit"]]
        result = _run(*args)
        path = folder / f"{case['id']}.json"
        path.write_text(result.stdout, "utf-8")
        out[case["id"]] = (result, path)
    return out


def test_every_corpus_file_has_a_case_and_a_source() -> None:
    named = {c["file"] for c in CASES} | {c["flow"] for c in CASES if "flow" in c}
    on_disk = {p.name for p in CORPUS.iterdir() if p.suffix in (".xml", ".zip")}
    assert named == on_disk
    sources = (CORPUS / "SOURCES.md").read_text("utf-8")
    for name in on_disk:
        digest = hashlib.sha256((CORPUS / name).read_bytes()).hexdigest()
        row = next((line for line in sources.splitlines() if f"`{name}`" in line), "")
        assert digest in row, f"{name}: SOURCES.md must give its sha256 {digest}"
        assert re.search(r"[0-9a-f]{40}", row) and "Apache" in row, f"{name}: commit and licence"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_convert(case: dict[str, Any], converted: dict[str, tuple[Result, Path]]) -> None:
    result, _ = converted[case["id"]]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    assert result.exit_code == case["convert"]["exit"], result.stderr[-2000:]
    _check_rules(_rule_ids(result.stderr), case["convert"], f"{case['id']} convert")
    doc = json.loads(result.stdout)
    pcf = doc["pcf"]
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == (
        case["declared"]["unit"],
        case["declared"]["amount"],
    )
    for field, value in case["gwp"].items():
        assert pcf.get(field) == value, field
    if "validity" in case:
        assert (doc.get("validityPeriodStart"), doc.get("validityPeriodEnd")) == (
            case["validity"]["start"],
            case["validity"]["end"],
        )


@pytest.mark.parametrize(
    ("case", "pack"),
    [(c, p) for c in CASES for p in c["validate"]],
    ids=[f"{c['id']}-{p}" for c in CASES for p in c["validate"]],
)
def test_validate(case: dict[str, Any], pack: str, converted: dict[str, tuple[Result, Path]]) -> None:
    _, path = converted[case["id"]]
    result = _run("validate", str(path), "--pack", pack, "--format", "json")
    expected = case["validate"][pack]
    assert result.exit_code == expected["exit"], result.output[-2000:]
    found = {f["rule_id"] for f in json.loads(result.stdout)["findings"]}
    _check_rules(found, expected, f"{case['id']} validate {pack}")


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, corpus_file in members.items():
            z.writestr(name, (CORPUS / corpus_file).read_bytes())
    return path


STEEL_UUID = "a6ef2d29-49bd-4aaf-ac19-1e3975e4fa51"
EPS_UUID = "8bc0d502-7f9b-43ab-af31-d55d23a708f1"


def test_data_stock_of_real_epds_needs_a_process_and_lists_them(tmp_path: Path) -> None:
    """Two real EPDs in one export (built in memory from the corpus files, which stay byte for byte)."""
    stock = _zip(
        tmp_path / "stock.zip",
        {
            "ILCD/processes/steel.xml": "ilcdlib-epditaly-steel.process.xml",
            "ILCD/processes/eps.xml": "ilcdlib-epditaly-eps.process.xml",
            "ILCD/flows/steel.xml": "ilcdlib-epditaly-steel.flow.xml",
            "ILCD/flows/eps.xml": "ilcdlib-epditaly-eps.flow.xml",
        },
    )
    several = _run("convert", "--to", "pact-v3", str(stock))
    assert several.exit_code == 2 and "--process" in several.stderr
    assert STEEL_UUID in several.stderr and EPS_UUID in several.stderr and "VERGELLA" in several.stderr
    picked = _run("convert", "--to", "pact-v3", str(stock), "--process", STEEL_UUID)
    assert picked.exit_code == 1
    assert json.loads(picked.stdout)["pcf"]["declaredUnitAmount"] == "1000.00"


def test_flat_zip_of_real_data_sets_is_read_by_root_element(tmp_path: Path) -> None:
    flat = _zip(
        tmp_path / "flat.zip",
        {"epd.xml": "ilcdlib-ibu-parquet.process.xml", "product.xml": "ilcdlib-ibu-parquet.flow.xml"},
    )
    result = _run("convert", "--to", "pact-v3", str(flat))
    assert result.exit_code == 1, result.stderr[-2000:]
    pcf = json.loads(result.stdout)["pcf"]
    assert (pcf["declaredUnitOfMeasurement"], pcf["pcfIncludingBiogenicUptake"]) == ("square meter", "6.529")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_validate_on_the_ilcd_file_itself_says_to_convert_it_first(case: dict[str, Any]) -> None:
    result = _run("validate", str(CORPUS / case["file"]), "--pack", "example-standards-body/pact-v3")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "ILCD+EPD input" in result.stderr and "pcfreg convert --to pact-v3" in result.stderr
