"""Importing sets: CSV with a column mapping, ILCD LCIA method data sets (registry/factors/importing.py).

The figures below are made up for the tests; nothing here is shipped data.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from factor_support import small_set_document

from registry.cli import main
from registry.errors import InputError
from registry.factors import FactorSetError, ImportMapping, import_csv, import_ilcd, read_mapping

HEADER = {k: v for k, v in small_set_document().items() if k not in ("records", "gwp", "format")}

MAPPING_YAML = """\
set:
  kind: emission-factors
  id: test-body/imported
  version: 1.0.0
  title: {en: Imported, zh: 导入}
  publisher: {id: test-body, name: Test body}
  licence: {spdx: CC0-1.0, redistributable: true}
  sources: [{id: s1, title: A test table, url: "https://example.org/table"}]
  effective: {from: "2025-01-01"}
  status: published
columns:
  id: ID
  name.en: Name
  activity: Activity
  unit: UOM
  value: kg CO2e
  region: Region
  classifications.hs: HS
defaults:
  name.zh: 测试
  source.ref: s1
  year: 2024
  region: GB
"""

CSV = """\
ID,Name,Activity,UOM,kg CO2e,Region,HS
diesel-l,Diesel,fuel.diesel.combustion,L,2.5,,2710.19
coal-t,Coal,fuel.coal.combustion,t,2400.5,CN-SD,2701;2702
"""


@pytest.fixture
def mapping(tmp_path: Path) -> ImportMapping:
    path = tmp_path / "map.yaml"
    path.write_text(MAPPING_YAML, encoding="utf-8")
    return read_mapping(path)


def test_csv_rows_become_records(mapping: ImportMapping) -> None:
    fs = import_csv(CSV.encode(), mapping, file="f.csv")
    assert fs.ref == "test-body/imported@1.0.0"
    diesel, coal = fs.records
    assert (diesel.id, diesel.unit, str(diesel.value), diesel.region, diesel.year) == (
        "diesel-l",
        "L",
        "2.5",
        "GB",
        2024,
    )
    assert coal.region == "CN-SD" and coal.classifications == {"hs": ("2701", "2702")}
    assert diesel.source_locator == "f.csv line 2" and coal.source_locator == "f.csv line 3"
    assert diesel.name.zh == "测试"


def test_a_bad_cell_names_its_line_column_and_pointer(mapping: ImportMapping) -> None:
    bad = CSV.replace("2400.5", '"2,400.5"').encode()
    with pytest.raises(FactorSetError) as info:
        import_csv(bad, mapping, file="f.csv")
    [problem] = info.value.problems
    assert (problem.location.file, problem.location.line) == ("f.csv", 3)
    assert problem.location.pointer == "/records/1/value"
    assert "not a decimal number" in problem.message


def test_a_schema_violation_names_the_row_it_came_from(mapping: ImportMapping) -> None:
    with pytest.raises(FactorSetError) as info:
        import_csv(CSV.replace("CN-SD", "not a region").encode(), mapping, file="f.csv")
    assert [(p.location.line, p.location.pointer) for p in info.value.problems] == [(3, "/records/1/region")]


def test_a_missing_column_names_the_mapping_line(mapping: ImportMapping) -> None:
    with pytest.raises(InputError) as info:
        import_csv(CSV.replace("kg CO2e", "kgCO2e").encode(), mapping, file="f.csv")
    assert info.value.location.pointer == "/columns/value" and info.value.location.line == 16


def test_bad_mapping_and_bad_csv(tmp_path: Path, mapping: ImportMapping) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"columns": {}}')
    with pytest.raises(InputError) as info:
        read_mapping(path)
    assert info.value.location.pointer == "/set"
    with pytest.raises(InputError):
        import_csv(b"", mapping, file="empty.csv")
    with pytest.raises(InputError) as bad:
        import_csv(b"\xff\xfe\x00", mapping, file="bin.csv")
    assert "not UTF-8" in bad.value.message


METHOD = """<?xml version="1.0" encoding="UTF-8"?>
<LCIAMethodDataSet xmlns="http://lca.jrc.it/ILCD/LCIAMethod" xmlns:common="http://lca.jrc.it/ILCD/Common" version="1.1">
 <LCIAMethodInformation>
  <dataSetInformation>
   <common:UUID>00000000-0000-0000-0000-00000000m001</common:UUID>
   <common:name xml:lang="en">Climate change (test)</common:name>
  </dataSetInformation>
  <quantitativeReference>
   <referenceQuantity refObjectId="fp" type="flow property data set">
    <common:shortDescription xml:lang="en">kg CO2 eq</common:shortDescription></referenceQuantity>
  </quantitativeReference>
 </LCIAMethodInformation>
 <characterisationFactors>
  <factor>
   <referenceToFlowDataSet refObjectId="11111111-1111-1111-1111-111111111111" type="flow data set">
    <common:shortDescription xml:lang="en">carbon dioxide</common:shortDescription></referenceToFlowDataSet>
   <exchangeDirection>Output</exchangeDirection>
   <meanValue>1.0</meanValue>
  </factor>
  <factor>
   <referenceToFlowDataSet refObjectId="22222222-2222-2222-2222-222222222222" type="flow data set"/>
   <exchangeDirection>Output</exchangeDirection>
   <meanValue>2.73E+02</meanValue>
  </factor>
 </characterisationFactors>
</LCIAMethodDataSet>
"""

FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<flowDataSet xmlns="http://lca.jrc.it/ILCD/Flow" xmlns:common="http://lca.jrc.it/ILCD/Common" version="1.1">
 <flowInformation>
  <dataSetInformation>
   <common:UUID>22222222-2222-2222-2222-222222222222</common:UUID>
   <name><baseName xml:lang="en">nitrous oxide</baseName></name>
  </dataSetInformation>
 </flowInformation>
</flowDataSet>
"""


def _ilcd_mapping(tmp_path: Path) -> ImportMapping:
    doc: dict[str, Any] = {
        "set": {**copy.deepcopy(HEADER), "kind": "gwp-table", "id": "test-body/ilcd-gwp"},
        "defaults": {"year": 2021, "source.ref": "s1"},
    }
    del doc["set"]["regions"]
    doc["set"]["period"] = {"from": "2021-01-01", "to": "2021-12-31"}
    path = tmp_path / "ilcd-map.json"
    path.write_bytes(orjson.dumps(doc))
    return read_mapping(path)


def test_ilcd_lcia_factors_become_records(tmp_path: Path) -> None:
    fs = import_ilcd(METHOD.encode(), _ilcd_mapping(tmp_path), file="m.xml", flows=[(FLOW.encode(), "f.xml")])
    co2, n2o = fs.records
    assert (co2.id, co2.name.en, str(co2.value), co2.unit, co2.region) == (
        "11111111-1111-1111-1111-111111111111",
        "carbon dioxide",
        "1.0",
        "kg",
        "GLO",
    )
    assert (n2o.name.en, str(n2o.value), n2o.boundary) == ("nitrous oxide", "273", "characterisation")
    assert n2o.source_locator.startswith("Climate change (test) (00000000-0000-0000-0000-00000000m001), ")
    assert "/characterisationFactors/factor[2]" in n2o.source_locator


def test_ilcd_bad_number_and_doctype_are_refused_naming_the_element(tmp_path: Path) -> None:
    mapping = _ilcd_mapping(tmp_path)
    with pytest.raises(InputError) as info:
        import_ilcd(METHOD.replace("2.73E+02", "lots").encode(), mapping, file="m.xml")
    assert info.value.location.file == "m.xml" and info.value.location.line == 23
    assert info.value.location.pointer is not None and info.value.location.pointer.endswith("factor[2]/meanValue")
    evil = METHOD.replace(
        "<LCIAMethodDataSet", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<LCIAMethodDataSet', 1
    )
    with pytest.raises(InputError) as doctype:
        import_ilcd(evil.encode(), mapping, file="m.xml")
    assert "document type declarations" in doctype.value.message
    with pytest.raises(InputError):
        import_ilcd(FLOW.encode(), mapping, file="flow-not-method.xml")


def test_cli_import_csv_writes_a_set_that_checks(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(MAPPING_YAML, encoding="utf-8")
    (tmp_path / "f.csv").write_text(CSV, encoding="utf-8")
    out = tmp_path / "set.json"
    runner = CliRunner()
    r = runner.invoke(
        main,
        [
            "factors",
            "import",
            "csv",
            str(tmp_path / "f.csv"),
            "--mapping",
            str(tmp_path / "map.yaml"),
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "imported test-body/imported@1.0.0: 2 records" in r.output
    assert runner.invoke(main, ["factors", "check", str(out)]).exit_code == 0
    bad = runner.invoke(
        main, ["factors", "import", "csv", str(tmp_path / "nope.csv"), "--mapping", str(tmp_path / "map.yaml")]
    )
    assert bad.exit_code == 2
