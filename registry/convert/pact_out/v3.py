"""A declaration as a PACT v3 ProductFootprint: the PACT part as it is, our extension removed on request."""

from __future__ import annotations

from typing import Any

from registry.convert.checks import check_declaration, schema_findings
from registry.convert.conversion import Conversion
from registry.convert.pact_out.tables import EXT_CLAUSE, TS3, V3_EXTENSION_DROPPED
from registry.convert.values import clone, ordered, ptr
from registry.declarations import V3_ROOT_FIELDS, extension_entries
from registry.findings import Finding, Severity
from registry.resources import PACT_V3_SCHEMA_ID
from registry.schemas import iter_schema_errors


def to_pact_v3(declaration: dict[str, Any], *, keep_extension: bool) -> Conversion:
    """The declaration as a PACT v3 ProductFootprint, checked against the PACT v3 schema.

    With ``keep_extension=False`` the pcf-registry extension is removed (other parties'
    extensions stay) and a finding says what was dropped.
    """
    doc = check_declaration(declaration)
    out: dict[str, Any] = clone(doc)
    findings: list[Finding] = []
    if not keep_extension:
        rest, findings = without_extension(doc, V3_EXTENSION_DROPPED, "PACT v3 footprint")
        out.pop("extensions", None)
        if rest is not None:
            out["extensions"] = rest
        out = ordered(out, V3_ROOT_FIELDS)
    errors = [(e.pointer, e.keyword, e.message) for e in iter_schema_errors(PACT_V3_SCHEMA_ID, out)]
    findings += schema_findings(errors, "convert.pact-v3", "PACT v3 footprint", f"{TS3}, ProductFootprint")
    return Conversion(out, tuple(findings))


def without_extension(doc: dict[str, Any], rule_id: str, where: str) -> tuple[list[Any] | None, list[Finding]]:
    """The ``extensions`` array without ours (None if nothing remains), and a finding per removed entry."""
    ours = {i for i, _ in extension_entries(doc)}
    exts = doc.get("extensions")
    if not ours or not isinstance(exts, list):
        return clone(exts) if "extensions" in doc else None, []
    findings = []
    for i in sorted(ours):
        data = exts[i].get("data")
        keys = ", ".join(data) if isinstance(data, dict) and data else "no data"
        findings.append(
            Finding(
                rule_id=rule_id,
                severity=Severity.INFO,
                path=ptr("extensions", i),
                message=f"pcf-registry extension dropped from the {where} ({keys}); keep it with --keep-extension",
                clauses=(EXT_CLAUSE,),
                source_path="/extensions" if len(ours) < len(exts) else "",
            )
        )
    rest = [clone(e) for i, e in enumerate(exts) if i not in ours]
    return (rest or None), findings
