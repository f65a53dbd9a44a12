"""ILCD+EPD -> declaration -> PACT v3 and PACT v2.3, field by field, with exactly what is lost listed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from registry.convert import Conversion
from registry.convert.ilcd import ilcd_to_declaration
from registry.convert.pact_out import V3_EXTENSION_DROPPED, to_pact_v2, to_pact_v3
from registry.findings import Severity
from registry.resources import EXTENSION_SCHEMA_ID

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ilcd" / "official"
PROCESS = FIXTURES / "EPDv1.3_example_57a4ae65-d305-421e-b21f-a3f0c35b8abe.xml"
FLOW = FIXTURES / "a7432abd-0881-4977-a817-f8aaf627fb91.xml"
GWP = "https://pcf-registry.org/schemas/en15804-gwp-1.0.json"
# what ILCD carries that a PACT v3 footprint cannot: every source element with such a finding
LOST_RULES = {"ilcd.convert.dropped", "ilcd.convert.not-declared"}


@pytest.fixture(scope="module")
def declaration() -> Conversion:
    return ilcd_to_declaration(
        PROCESS.read_bytes(), flow=FLOW.read_bytes(), source="epd.xml", now=datetime(2026, 6, 30, tzinfo=UTC)
    )


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, sub in value.items() for k, v in _leaves(sub, f"{prefix}/{key}").items()}
    if isinstance(value, list):
        return {k: v for i, sub in enumerate(value) for k, v in _leaves(sub, f"{prefix}/{i}").items()}
    return {prefix: value}


def test_ilcd_to_pact_v3_keeps_every_pact_field(declaration: Conversion) -> None:
    doc = declaration.document
    out = to_pact_v3(doc, keep_extension=False)
    ours = [e for e in doc["extensions"] if e["dataSchema"] == EXTENSION_SCHEMA_ID]
    assert len(ours) == 1
    source = {k: v for k, v in _leaves(doc).items() if not k.startswith("/extensions")}
    target = {k: v for k, v in _leaves(out.document).items() if not k.startswith("/extensions")}
    assert target == source  # every PACT field, value for value
    assert out.document["extensions"] == [e for e in doc["extensions"] if e["dataSchema"] == GWP]
    dropped = [f for f in out.findings if f.rule_id == V3_EXTENSION_DROPPED]
    assert len(dropped) == 1 and "modules" in dropped[0].message
    # what PACT v3 still lacks from ILCD: required fields ILCD has no data for, reported as errors
    assert sorted(f.path for f in out.findings if f.severity is Severity.ERROR) == [
        "/pcf/exemptedEmissionsPercent",
        "/pcf/fossilCarbonContent",
    ]


def test_everything_ilcd_loses_is_listed_with_its_xpath(declaration: Conversion) -> None:
    lost = [f for f in declaration.findings if f.rule_id in LOST_RULES]
    assert lost, "the official example carries indicators beyond GWP"
    for finding in lost:
        assert finding.source_path is not None and finding.source_path.startswith("/processDataSet")
    indicators = {f.source_path for f in lost if f.source_path and "LCIAResult[" in f.source_path}
    assert len(indicators) >= 10  # ADPE, ADPF, AP, EP-*, ODP, POCP, WDP, PM, IRP, ETP-fw, HTP-*, SQP


def test_ilcd_to_pact_v2_reports_each_field_that_does_not_carry_over(declaration: Conversion) -> None:
    doc = dict(declaration.document)
    doc["pcf"] = {**doc["pcf"], "fossilCarbonContent": "0", "exemptedEmissionsPercent": 0}  # ILCD lacks them
    out = to_pact_v2(doc, keep_extension=False)
    v2, v3 = out.document, doc["pcf"]
    assert v2["id"] == doc["id"] and v2["companyName"] == doc["companyName"]
    renamed = {
        "pCfExcludingBiogenic": "pcfExcludingBiogenicUptake",
        "pCfIncludingBiogenic": "pcfIncludingBiogenicUptake",
        "declaredUnit": "declaredUnitOfMeasurement",
        "fossilGhgEmissions": "fossilGhgEmissions",
        "referencePeriodStart": "referencePeriodStart",
        "referencePeriodEnd": "referencePeriodEnd",
    }
    for old, new in renamed.items():
        assert v2["pcf"][old] == v3[new], old
    lost = {(f.rule_id, f.path) for f in out.findings if f.rule_id.endswith(("dropped", "extension-dropped"))}
    assert lost == {
        ("convert.pact-v2.dropped", "/pcf/crossSectoralStandards/0"),
        ("convert.pact-v2.dropped", "/pcf/packagingBiogenicCarbonContent"),
        ("convert.pact-v2.extension-dropped", "/extensions/0"),
    }
    # what v2.3 requires and neither ILCD nor the v3 footprint gives: written, and said to be missing
    assert sorted(f.path for f in out.findings if f.severity is Severity.ERROR) == [
        "/pcf/crossSectoralStandardsUsed",
        "/pcf/packagingEmissionsIncluded",
        "/productCategoryCpc",
    ]
