"""`pcfreg convert` on ILCD+EPD input: bundles, process + flow, refused XML."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result

from registry import cli

ILCD = Path(__file__).parent.parent / "fixtures" / "ilcd"
PROCESS = ILCD / "official" / "EPDv1.3_example_57a4ae65-d305-421e-b21f-a3f0c35b8abe.xml"
FLOW = ILCD / "official" / "a7432abd-0881-4977-a817-f8aaf627fb91.xml"
MISSING_IN_ILCD = {"/pcf/fossilCarbonContent", "/pcf/exemptedEmissionsPercent"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, ["convert", *args])


def _schema_gaps(stderr: str) -> set[str]:
    """The JSON pointers of the error findings (lines ``error  RULE  POINTER  message``)."""
    return {line.split()[2] for line in stderr.splitlines() if line.startswith("error")}


def test_bundle_and_process_with_flow_give_the_same_declaration() -> None:
    bundle = run(str(ILCD / "bundles" / "official.zip"), "--to", "pact-v3")
    pair = run(str(PROCESS), "--flow", str(FLOW), "--to", "pact-v3")
    # ILCD carries no fossil carbon content or exempted share, which PACT v3 requires: written, exit 1
    assert bundle.exit_code == pair.exit_code == 1, bundle.stderr
    assert _schema_gaps(bundle.stderr) == _schema_gaps(pair.stderr) == MISSING_IN_ILCD
    first, second = json.loads(bundle.stdout), json.loads(pair.stdout)
    first.pop("created"), second.pop("created")
    assert first == second
    assert first["id"] == "57a4ae65-d305-421e-b21f-a3f0c35b8abe"
    assert "Traceback" not in bundle.stderr


def test_missing_unit_and_refused_xml_are_unusable_input(tmp_path: Path) -> None:
    alone = run(str(PROCESS), "--to", "pact-v3")
    assert alone.exit_code == 2 and "a7432abd-0881-4977-a817-f8aaf627fb91" in alone.stderr
    stated = run(str(PROCESS), "--declared-unit", "1 kg", "--to", "pact-v3", "--no-findings")
    assert stated.exit_code == 1 and json.loads(stated.stdout)["pcf"]["declaredUnitOfMeasurement"] == "kilogram"
    xxe = tmp_path / "xxe.xml"
    xxe.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>')
    refused = run(str(xxe), "--to", "pact-v3")
    assert refused.exit_code == 2 and "line 2" in refused.stderr and "root:" not in refused.stdout + refused.stderr
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("processes/p.xml", b"<" + b"a" * 80_000_000 + b"/>")
    big = run(str(bomb), "--to", "pact-v3")
    assert big.exit_code == 2 and "Traceback" not in big.stderr
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<processDataSet><unclosed></processDataSet>")
    assert run(str(broken), "--to", "pact-v3").exit_code == 2


def test_process_option_picks_a_process_of_a_data_stock(tmp_path: Path) -> None:
    stock = tmp_path / "stock.zip"
    with zipfile.ZipFile(stock, "w") as z:
        z.writestr("ILCD/processes/a.xml", PROCESS.read_bytes())
        z.writestr("ILCD/processes/b.xml", (ILCD / "v1.2" / "process.xml").read_bytes())
        z.writestr("ILCD/flows/f.xml", FLOW.read_bytes())
    several = run(str(stock), "--to", "pact-v3")
    assert several.exit_code == 2 and "--process" in several.stderr
    assert "57a4ae65-d305-421e-b21f-a3f0c35b8abe" in several.stderr
    picked = run(str(stock), "--to", "pact-v3", "--process", "57a4ae65-d305-421e-b21f-a3f0c35b8abe")
    assert picked.exit_code in (0, 1) and json.loads(picked.stdout)["productNameCompany"] == "Wood panel"
    assert run(str(PROCESS), "--to", "pact-v3", "--flow", str(FLOW), "--process", "x").exit_code == 2


def test_a_1_gib_archive_is_refused_without_being_read(tmp_path: Path) -> None:
    """Issue 10: the whole file was read into memory before its size was checked."""
    import tracemalloc

    big = tmp_path / "big.zip"
    with big.open("wb") as f:  # sparse: 1 GiB long, nothing written
        f.truncate(2**30)
    tracemalloc.start()
    try:
        r = run(str(big), "--to", "pact-v3")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.exit_code == 2 and "1073741824 bytes, over the limit" in r.stderr and str(big) in r.stderr
    assert peak < 50 * 2**20, peak
