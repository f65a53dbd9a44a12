"""Crosswalks between product carbon footprint schemes, and recognition of one audit under many.

Public API (pure; the CLI and HTTP layers only translate):

* :func:`load_crosswalks` - the bundled crosswalks, validated and precomputed once (cached).
* :func:`compare` - scheme B against scheme A, one computed relation per requirement.
* :func:`recognise` - per target scheme: recognised, recognised with gaps, or not recognised.
* :func:`render_comparison`, :func:`render_recognition` - text, json or html.
* :class:`AuditRecord`, :func:`parse_audit`, :func:`audit_from_declaration`.
"""

from __future__ import annotations

from registry.crosswalk.audit import (
    AuditAttestation,
    AuditRecord,
    audit_from_data,
    audit_from_declaration,
    check_audit,
    parse_audit,
)
from registry.crosswalk.compare import Comparison, Row, compare
from registry.crosswalk.kinds import Relation
from registry.crosswalk.loader import CrosswalkError, load_crosswalks, load_crosswalks_from
from registry.crosswalk.model import Crosswalks, Entry, EntryStatus, Remedy, Requirement, Scheme
from registry.crosswalk.recognise import checking_rules, recognise
from registry.crosswalk.render import FORMATS, render_comparison, render_recognition
from registry.crosswalk.result import Conflict, Gap, Recognition, SchemeRecognition, Status

__all__ = [
    "FORMATS",
    "AuditAttestation",
    "AuditRecord",
    "Comparison",
    "Conflict",
    "CrosswalkError",
    "Crosswalks",
    "Entry",
    "EntryStatus",
    "Gap",
    "Recognition",
    "Relation",
    "Remedy",
    "Requirement",
    "Row",
    "Scheme",
    "SchemeRecognition",
    "Status",
    "audit_from_data",
    "audit_from_declaration",
    "check_audit",
    "checking_rules",
    "compare",
    "load_crosswalks",
    "load_crosswalks_from",
    "parse_audit",
    "recognise",
    "render_comparison",
    "render_recognition",
]
