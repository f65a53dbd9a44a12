"""Recognition looks at the declaration's own facts, the audit's attestations and the source scheme."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import rfc8785
from cw_support import ALUMINIUM, BATTERY, TYRE, Recognise, audit_record, example, gap, scheme
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.crosswalk import (
    Crosswalks,
    Gap,
    Recognition,
    Remedy,
    SchemeRecognition,
    Status,
    audit_from_declaration,
    parse_audit,
    recognise,
    render_recognition,
)
from registry.crosswalk.audit import AuditRecord
from registry.crosswalk.schemas import RECOGNITION_SCHEMA_ID, schema_errors
from registry.errors import InputError
from registry.findings import PackRef
from registry.packs.catalog import Catalog

PACK = PackRef(id=ALUMINIUM, version="1.0.0", digest="sha256:" + "0" * 64)


@pytest.fixture
def aluminium(catalog: Catalog) -> dict[str, Any]:
    return example(catalog, ALUMINIUM)


def _ext(doc: dict[str, Any]) -> dict[str, Any]:
    data = doc["extensions"][0]["data"]
    assert isinstance(data, dict)
    return data


def test_the_aluminium_example_across_all_schemes(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    rec = recognise_doc(aluminium)
    assert rec.source_scheme == "gb-t-24067"
    assert [s.scheme for s in rec.schemes] == sorted(s.scheme for s in rec.schemes)
    for own in ("gb-t-24067", "iso-14067"):  # what no rule of the pack checked is left to evidence
        result = scheme(rec, own)
        assert result.status is Status.WITH_GAPS and not result.conflicts
        assert {g.closable_by for g in result.gaps} == {Remedy.EVIDENCE}
    battery = scheme(rec, "eu-battery")
    assert battery.status is Status.NOT_RECOGNISED
    assert [c.requirement for c in battery.conflicts] == ["scope.product"]
    amount = gap(rec, "catena-x", "unit.amount")  # 1000 kg against Catena-X's 1 kg
    assert amount.closable_by is Remedy.RECALCULATION and amount.basis == "/pcf/declaredUnitAmount"
    assert "found 1000" in amount.missing and amount.checked


def test_json_matches_the_schema_and_the_exact_shape(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    body = recognise_doc(aluminium).to_json()
    assert schema_errors(RECOGNITION_SCHEMA_ID, body) == []
    assert set(body) == {"schemes", "source_scheme", "pack", "audit"}
    for entry in body["schemes"]:
        assert set(entry) == {"scheme", "status", "rows", "gaps", "conflicts"}
        for g in entry["gaps"]:
            assert g["clause"].endswith("[unchecked]") is (not g["checked"])
    assert body["audit"]["origin"] == "declaration"


def test_cut_off_study_against_pef_needs_the_cff(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    _ext(aluminium)["endOfLife"] = {"approach": "cut-off"}
    g = gap(recognise_doc(aluminium), "pef", "end-of-life.approach")
    assert g.closable_by is Remedy.RECALCULATION
    assert g.basis == "/extensions/0/data/endOfLife/approach"
    assert "Circular Footprint Formula" in g.missing and "[unchecked]" in g.cited


def test_without_a_declared_approach_the_source_scheme_decides(
    recognise_doc: Recognise, aluminium: dict[str, Any]
) -> None:
    rec = recognise_doc(aluminium)
    pef = gap(rec, "pef", "end-of-life.approach")  # GB/T's approaches all differ from the CFF
    assert pef.closable_by is Remedy.RECALCULATION and pef.basis == "source scheme gb-t-24067"
    cx = gap(rec, "catena-x", "end-of-life.approach")  # GB/T allows cut-off among others: show which
    assert cx.closable_by is Remedy.EVIDENCE and cx.basis == "not stated"
    _ext(aluminium)["endOfLife"] = {"approach": "cut-off"}
    assert gap(recognise_doc(aluminium), "catena-x", "end-of-life.approach") is None


def test_a_cradle_to_grave_study_is_re_cut_for_pact(recognise_doc: Recognise, catalog: Catalog) -> None:
    rec = recognise_doc(example(catalog, TYRE), ref=TYRE)
    g = gap(rec, "pact-v3", "system-boundary.scope")
    assert g.closable_by is Remedy.RECALCULATION and "re-cut" in g.missing
    assert g.basis == "/extensions/0/data/systemBoundary"


def test_a_missing_assurance_statement_is_closable_by_evidence(
    recognise_doc: Recognise, aluminium: dict[str, Any]
) -> None:
    g = gap(recognise_doc(aluminium), "ghgp-product", "verification.statement")
    assert g.closable_by is Remedy.EVIDENCE and g.basis == "/pcf/verification"
    aluminium["pcf"]["verification"] = {"providerName": "Demo Certifier", "completedAt": "2026-02-10T00:00:00Z"}
    rec = recognise_doc(aluminium)
    assert gap(rec, "ghgp-product", "verification.statement") is None
    assert gap(rec, "pef", "verification.party") is None  # a named provider is an independent third party


def test_value_less_attestations_close_evidence_gaps_for_their_schemes(
    recognise_doc: Recognise, aluminium: dict[str, Any]
) -> None:
    only_pas = audit_record({"requirement": "verification.statement", "schemes": ["pas-2050"]})
    rec = recognise_doc(aluminium, audit=only_pas)
    assert gap(rec, "pas-2050", "verification.statement") is None
    assert gap(rec, "ghgp-product", "verification.statement") is not None
    everywhere = audit_record({"requirement": "verification.statement", "statement": "Statement issued."})
    rec = recognise_doc(aluminium, audit=everywhere)
    assert all(gap(rec, s.scheme, "verification.statement") is None for s in rec.schemes)


def test_attestations_do_not_close_recalculations(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    audit = audit_record({"requirement": "end-of-life.approach"}, {"requirement": "unit.amount"})
    rec = recognise_doc(aluminium, audit=audit)
    assert gap(rec, "pef", "end-of-life.approach").closable_by is Remedy.RECALCULATION
    assert gap(rec, "catena-x", "unit.amount") is not None


def test_attested_facts_fill_what_the_declaration_lacks(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    limited = audit_record({"requirement": "verification.assurance-level", "value": "limited"})
    rec = recognise_doc(aluminium, audit=limited)
    assert gap(rec, "catena-x", "verification.assurance-level") is None
    assert gap(rec, "catena-x", "verification.party") is None  # an audit record comes from a third party
    none = audit_record({"requirement": "verification.assurance-level", "value": "none"})
    cx = scheme(recognise_doc(aluminium, audit=none), "catena-x")
    assert cx.status is Status.NOT_RECOGNISED
    assert [c.requirement for c in cx.conflicts] == ["verification.assurance-level"]


def test_the_declaration_wins_over_an_attested_value(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    _ext(aluminium)["assurance"] = {"level": "reasonable"}
    audit = audit_record({"requirement": "verification.assurance-level", "value": "none"})
    assert scheme(recognise_doc(aluminium, audit=audit), "catena-x").conflicts == ()


@pytest.mark.parametrize(
    ("path", "value", "target", "requirement", "expect_gap"),
    [
        (("pcf", "exemptedEmissionsPercent"), "4", "catena-x", "cut-off.max-exempted-percent", True),
        (("pcf", "exemptedEmissionsPercent"), "2.5", "catena-x", "cut-off.max-exempted-percent", False),
        (("pcf", "ipccCharacterizationFactors"), ["AR5"], "catena-x", "gwp.ipcc-report", True),
        (("pcf", "ipccCharacterizationFactors"), ["AR5", "AR6"], "pact-v3", "gwp.ipcc-report", True),
        (("pcf", "ipccCharacterizationFactors"), ["AR5"], "pef", "gwp.ipcc-report", False),
        (("pcf", "declaredUnitAmount"), "1", "catena-x", "unit.amount", False),
    ],
)
def test_declared_numbers_and_sets_decide(
    recognise_doc: Recognise,
    aluminium: dict[str, Any],
    path: tuple[str, str],
    value: Any,
    target: str,
    requirement: str,
    expect_gap: bool,
) -> None:
    aluminium[path[0]][path[1]] = value  # under the core pack (5 % cut-off, AR5 or AR6, any unit)
    found = gap(recognise_doc(aluminium, ref="example-standards-body/core"), target, requirement)
    assert (found is not None) is expect_gap
    if found is not None:
        assert found.closable_by is Remedy.RECALCULATION and found.basis == f"/{path[0]}/{path[1]}"


def test_instruments_the_draft_battery_act_refuses(recognise_doc: Recognise, catalog: Catalog) -> None:
    doc = example(catalog, BATTERY)
    rec = recognise_doc(doc, ref=BATTERY)
    assert rec.source_scheme == "eu-battery"
    assert gap(rec, "eu-battery", "electricity.contractual-instruments") is None
    ext = doc["extensions"][0]["data"]
    ext["electricity"] = {"modellingApproach": "market-based", "instruments": ["guarantee-of-origin"]}
    criteria = "ev-traction-battery.electricity.instruments-criteria"
    ext["attestations"].append({"ruleId": criteria, "certifier": "demo-certifier", "date": "2026-02-01T00:00:00Z"})
    g = gap(recognise_doc(doc, ref=BATTERY, audit=audit_record()), "eu-battery", "electricity.contractual-instruments")
    assert g is not None and g.closable_by is Remedy.RECALCULATION and "guarantee-of-origin" in g.missing


def test_packaging_excluded_against_catena_x(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    aluminium["pcf"]["packagingEmissionsIncluded"] = False
    del aluminium["pcf"]["packagingGhgEmissions"]
    g = gap(recognise_doc(aluminium), "catena-x", "packaging.included")
    assert g.closable_by is Remedy.RECALCULATION and g.basis == "/pcf/packagingEmissionsIncluded"


def test_no_source_scheme_leaves_requirements_open(cw: Crosswalks, aluminium: dict[str, Any]) -> None:
    rec = recognise(cw, aluminium, pack=PACK, audit=audit_record(), chain=("example-standards-body/core@1.0.0",))
    assert rec.source_scheme is None
    g = gap(rec, "iso-14067", "uncertainty.statement")
    assert g.closable_by is Remedy.EVIDENCE and g.basis == "not stated"
    named = recognise(cw, aluminium, pack=PACK, audit=audit_record(), source_scheme="iso-14067", schemes=["iso-14067"])
    g = gap(named, "iso-14067", "uncertainty.statement")  # ISO asks for it, but no pack rule checked it
    assert g.closable_by is Remedy.EVIDENCE and g.basis == "source scheme iso-14067 (not checked by the pack)"
    checked = recognise(
        cw,
        aluminium,
        pack=PACK,
        audit=audit_record(),
        source_scheme="iso-14067",
        schemes=["iso-14067"],
        pack_rules=("iso-14067.aircraft.reported",),
    )
    assert gap(checked, "iso-14067", "aircraft.separate-reporting") is None
    assert gap(named, "iso-14067", "aircraft.separate-reporting") is not None


def test_statuses_follow_gaps_and_conflicts(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    for s in recognise_doc(aluminium).schemes:
        expected = (
            Status.NOT_RECOGNISED
            if s.conflicts
            else Status.UNDETERMINED
            if s.unknown * 2 > s.weighed
            else Status.WITH_GAPS
            if s.gaps
            else Status.RECOGNISED
        )
        assert s.status is expected
        assert all(g.closable_by in (Remedy.EVIDENCE, Remedy.RECALCULATION) for g in s.gaps)


@pytest.mark.parametrize(
    ("attestation", "pointer"),
    [
        ({"requirement": "no.such-thing"}, "/attestations/0/requirement"),
        ({"requirement": "verification.statement", "value": "yes"}, "/attestations/0/value"),
        ({"requirement": "verification.statement", "schemes": ["pef", "nope"]}, "/attestations/0/schemes/1"),
    ],
)
def test_bad_attestations_are_input_errors(
    cw: Crosswalks, aluminium: dict[str, Any], attestation: Any, pointer: str
) -> None:
    with pytest.raises(InputError) as info:
        recognise(cw, aluminium, pack=PACK, audit=audit_record(attestation))
    assert info.value.location.pointer == pointer


def test_unknown_target_or_source_scheme(cw: Crosswalks, aluminium: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="unknown scheme 'pef-2'"):
        recognise(cw, aluminium, pack=PACK, audit=audit_record(), schemes=["pef-2"])
    with pytest.raises(InputError, match="unknown scheme 'x'"):
        recognise(cw, aluminium, pack=PACK, audit=audit_record(), source_scheme="x")


def test_audit_from_declaration(cw: Crosswalks, aluminium: dict[str, Any]) -> None:
    audit = audit_from_declaration(cw, aluminium)
    assert audit is not None and audit.origin == "declaration" and audit.certifier == "demo-certifier"
    items = _ext(aluminium)["attestations"]
    assert audit.evidence_digest == "sha256:" + hashlib.sha256(rfc8785.dumps(items)).hexdigest()
    assert {(a.requirement, a.value) for a in audit.attestations} == {
        ("allocation.procedure", "iso-14044-hierarchy"),
        ("verification.critical-review", True),
        ("electricity.life-cycle-scope", True),
        ("data-quality.site-specific-foreground", True),
    }  # aluminium-ingot.pfc.method states no crosswalk requirement
    items[1]["certifier"] = "other-certifier"
    with pytest.raises(InputError, match="several certifiers"):
        audit_from_declaration(cw, aluminium)
    del _ext(aluminium)["attestations"]
    assert audit_from_declaration(cw, aluminium) is None


def test_parse_audit_locates_problems() -> None:
    good = {"certifier": "demo-certifier", "date": "2026-03-01T00:00:00Z", "evidence_digest": "sha256:" + "a" * 64,
            "attestations": [{"requirement": "verification.statement"}], "origin": "declaration"}  # fmt: skip
    audit = parse_audit(json.dumps(good))
    assert isinstance(audit, AuditRecord) and audit.origin == "audit-record"
    bad = json.dumps({**good, "evidence_digest": "md5:1"}, indent=2)
    with pytest.raises(InputError) as info:
        parse_audit(bad, file="audit.json")
    assert info.value.location.file == "audit.json" and info.value.location.line == 4
    assert info.value.location.pointer == "/evidence_digest"


def test_renderings_mark_unchecked_and_escape(recognise_doc: Recognise, aluminium: dict[str, Any]) -> None:
    rec = recognise_doc(aluminium)
    text = render_recognition(rec, "text")
    assert "built from the declaration's own attestations" in text
    assert "[Recommendation (EU) 2021/2279 Annex I, Circular Footprint Formula [unchecked]]" in text
    page = render_recognition(rec, "html")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert page.count("<th>") >= len(rec.schemes)
    evil = Gap("unit.amount", "<b>t</b>", "<script>alert(1)</script>", Remedy.EVIDENCE, "<i>c</i>", False, "<x>")
    one = SchemeRecognition("pef", "P<E>F", "t", Status.WITH_GAPS, (evil,), ())
    page = render_recognition(Recognition((one,), None, PACK, audit_record()), "html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "P&lt;E&gt;F" in page and "&lt;i&gt;c&lt;/i&gt;" in page


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=20,
)


PCF_KEYS = [
    "declaredUnitAmount",
    "exemptedEmissionsPercent",
    "ipccCharacterizationFactors",
    "referencePeriodStart",
    "referencePeriodEnd",
    "packagingEmissionsIncluded",
    "verification",
    "declaredUnitOfMeasurement",
]
EXT_KEYS = ["systemBoundary", "stages", "electricity", "allocation", "endOfLife", "classifications", "assurance",
            "functionalUnit"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    pcf=st.dictionaries(st.sampled_from(PCF_KEYS), json_values),
    ext=st.dictionaries(st.sampled_from(EXT_KEYS), json_values),
    top=json_values,
)
def test_recognise_never_raises_on_odd_documents(cw: Crosswalks, pcf: Any, ext: Any, top: Any) -> None:
    from registry.resources import EXTENSION_SCHEMA_ID

    doc = {"pcf": pcf, "created": top, "extensions": [{"dataSchema": EXTENSION_SCHEMA_ID, "data": ext}]}
    for document in (doc, top):
        rec = recognise(cw, document, pack=PACK, audit=audit_record())
        assert len(rec.schemes) == len(cw.schemes)
        assert schema_errors(RECOGNITION_SCHEMA_ID, rec.to_json()) == []


def test_a_pack_rule_attestation_states_a_crosswalk_fact(recognise_doc: Recognise, catalog: Catalog) -> None:
    rec = recognise_doc(example(catalog, BATTERY), ref=BATTERY)  # attests ev-traction-battery.end-of-life.cff
    assert gap(rec, "pef", "end-of-life.approach") is None
    cx = gap(rec, "catena-x", "end-of-life.approach")
    assert cx.closable_by is Remedy.RECALCULATION and cx.basis.startswith("audit attestation /attestations/")
    assert "found circular-footprint-formula" in cx.missing
