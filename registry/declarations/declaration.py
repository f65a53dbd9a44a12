"""Declarations: a PACT v3 ProductFootprint with the pcf-registry extension.

``prepare`` turns any accepted input (a PACT v3 footprint, or a v2.x one that it
upgrades) into the v3 document the rules see, plus the findings that the
preparation itself produced (upgrade notes, schema violations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from registry.findings import Finding, Severity
from registry.resources import DECLARATION_SCHEMA_ID, EXTENSION_SCHEMA_ID
from registry.schemas import is_valid, iter_schema_errors

PACT_V3_CLAUSE = "PACT Technical Specifications v3.0, ProductFootprint data model"
EXTENSION_CLAUSE = "pcf-registry declaration extension 1.0"
OPERATOR_NAME = "pcf-registry"
UPGRADE_MISSING = "pact.upgrade.missing"  # = pact_upgrade.tables.MISSING, without importing the upgrade
# A rule pack parameter: false when the pack does not need productMassPerDeclaredUnit (default true, as PACT v3).
PRODUCT_MASS_PARAMETER = "productMassRequired"
PRODUCT_MASS_POINTER = "/pcf/productMassPerDeclaredUnit"


@dataclass
class Prepared:
    document: Any
    findings: list[Finding] = field(default_factory=list)
    schema_valid: bool = True
    extension: dict[str, Any] = field(default_factory=dict)
    extension_pointer: str | None = None


def _is_extension_path(pointer: str, ext_indexes: set[int]) -> bool:
    parts = pointer.split("/")
    return (
        len(parts) > 3
        and parts[1] == "extensions"
        and parts[3] == "data"
        and (parts[2].isdigit() and int(parts[2]) in ext_indexes)
    )


def extension_entries(doc: Any) -> list[tuple[int, Any]]:
    if not isinstance(doc, dict):
        return []
    exts = doc.get("extensions")
    if not isinstance(exts, list):
        return []
    return [(i, e) for i, e in enumerate(exts) if isinstance(e, dict) and e.get("dataSchema") == EXTENSION_SCHEMA_ID]


def _is_v2(document: dict[Any, Any]) -> bool:
    """``spec_major(document) == 2``, without the call for the usual ``"3.x..."`` version."""
    version = document.get("specVersion")
    if type(version) is str and version[:2] == "3.":
        return False  # spec_major reads the digits before the first dot: 3
    from registry.declarations.pact_upgrade import spec_major

    return spec_major(document) == 2


def prepare(document: Any) -> Prepared:
    """Upgrade (if v2), validate against the declaration schema, find the extension."""
    findings: list[Finding] = []
    if isinstance(document, dict) and _is_v2(document):
        from registry.declarations.pact_upgrade import upgrade_v2_to_v3

        document, notes = upgrade_v2_to_v3(document)
        findings.extend(notes)
    prepared = Prepared(document, findings, True, {}, None)
    if not isinstance(document, dict):
        prepared.schema_valid = False
        findings.append(_not_an_object())
        return prepared
    entries = extension_entries(document)
    if not is_valid(DECLARATION_SCHEMA_ID, document):
        schema = instead_of_upgrade_notes(findings, _schema_findings(document, {i for i, _ in entries}))
        prepared.schema_valid = not schema
        findings.extend(schema)
    if len(entries) > 1:
        findings.append(
            Finding(
                rule_id="declaration.extension.duplicate",
                severity=Severity.ERROR,
                path=f"/extensions/{entries[1][0]}",
                message="the pcf-registry extension may appear only once",
                clauses=(EXTENSION_CLAUSE,),
            )
        )
    if entries:
        index, entry = entries[0]
        data = entry.get("data")
        if isinstance(data, dict):
            prepared.extension = data
            prepared.extension_pointer = f"/extensions/{index}/data"
    return prepared


def instead_of_upgrade_notes(findings: list[Finding], schema: list[Finding]) -> list[Finding]:
    """The schema findings, less each missing property the upgrade already explained in ``findings``.

    A v3 property that the v2 -> v3 upgrade could not derive is reported once, under the
    upgrade's own rule id (``pact.upgrade.missing``) with what the user must add, raised to
    an error because PACT v3 requires it; the schema's "required" is dropped. (A rule pack
    may lower the one for ``productMassPerDeclaredUnit``, see :data:`PRODUCT_MASS_PARAMETER`.)
    """
    missing = {f.path: i for i, f in enumerate(findings) if f.rule_id == UPGRADE_MISSING}
    kept: list[Finding] = []
    for f in schema:
        index = missing.get(f.path) if f.rule_id.endswith(".schema.required") else None
        if index is None:
            kept.append(f)
            continue
        note = findings[index]
        clauses = note.clauses if PACT_V3_CLAUSE in note.clauses else (*note.clauses, PACT_V3_CLAUSE)
        findings[index] = replace(note, severity=Severity.ERROR, clauses=clauses)
    return kept


def _not_an_object() -> Finding:
    return Finding(
        rule_id="declaration.schema.type",
        severity=Severity.ERROR,
        path="",
        message="a declaration must be a JSON object (a PACT ProductFootprint)",
        clauses=(PACT_V3_CLAUSE,),
    )


def _schema_findings(document: dict[Any, Any], ext_indexes: set[int]) -> list[Finding]:
    """One error per violation of the declaration schema, citing the extension's definition inside it."""
    return [
        Finding(
            rule_id=f"declaration.schema.{err.keyword}",
            severity=Severity.ERROR,
            path=err.pointer,
            message=_readable(err.keyword, err.message, err.pointer),
            clauses=(EXTENSION_CLAUSE if _is_extension_path(err.pointer, ext_indexes) else PACT_V3_CLAUSE,),
        )
        for err in iter_schema_errors(DECLARATION_SCHEMA_ID, document)
    ]


_NUMBER_NOT_STRING = re.compile(r'^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?) is not of type "string"$')
_NULL_NOT = re.compile(r"^null is not of type (.+)$")


def _readable(keyword: str, message: str, pointer: str = "") -> str:
    """A JSON number where PACT wants a decimal string says so, with the string to write; a null where a
    value must be given names the property."""
    null = _NULL_NOT.match(message) if keyword == "type" else None
    if null is not None:
        parent, _, name = pointer.rpartition("/")
        if name.isdigit():  # an array item: companyIds[0]
            name = f"{parent.rsplit('/', 1)[-1]}[{name}]"
        name = name or "the declaration"
        return (
            f"{name} is null: PACT reads null as undefined, but {name} must be given here "
            f"(type {null.group(1)}); a required property may not be null"
        )
    match = _NUMBER_NOT_STRING.match(message) if keyword == "type" else None
    if match is None:
        return message
    number = match.group(1)
    return f'{number} is a JSON number; PACT writes decimals as strings ("{number}")'


def rule_refs(document: Any) -> list[str]:
    """Pack references named in ``pcf.productOrSectorSpecificRules`` by our operator name."""
    pcf = document.get("pcf") if isinstance(document, dict) else None
    rules = pcf.get("productOrSectorSpecificRules") if isinstance(pcf, dict) else None
    out: list[str] = []
    for r in rules if isinstance(rules, list) else []:
        if (
            isinstance(r, dict)
            and r.get("operator") == "Other"
            and r.get("otherOperatorName") == OPERATOR_NAME
            and isinstance(r.get("ruleNames"), list)
        ):
            out.extend(n for n in r["ruleNames"] if isinstance(n, str))
    return out


_CLASSIFICATION_PREFIXES = (
    ("urn:cpc:", "cpc"),  # PACT Tech Specs v3.0 identifiers examples
    ("urn:pact:productclassification:un-cpc:", "cpc"),  # the PACT v3 schema's own example
    ("urn:pcf-registry:hs:", "hs"),
)


def classification_codes(document: Any) -> tuple[list[str], list[str]]:
    """(hs, cpc) codes from the extension and from ``productClassifications`` (urn:cpc:...)."""
    hs: list[str] = []
    cpc: list[str] = []
    if not isinstance(document, dict):
        return hs, cpc
    for c in document.get("productClassifications") or []:
        if not isinstance(c, str):
            continue
        for prefix, bucket in _CLASSIFICATION_PREFIXES:
            if c.lower().startswith(prefix):
                bucket_of = cpc if bucket == "cpc" else hs
                bucket_of.append(c[len(prefix) :])
                break
    for _, entry in extension_entries(document)[:1]:
        data = entry.get("data")
        cls = data.get("classifications") if isinstance(data, dict) else None
        if isinstance(cls, dict):
            hs.extend(x for x in cls.get("hs") or [] if isinstance(x, str))
            cpc.extend(x for x in cls.get("cpc") or [] if isinstance(x, str))
    return hs, cpc
