"""Helpers for the crosswalk and recognition tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from registry.crosswalk import AuditRecord, Recognition
from registry.packs.catalog import Catalog

NOW = datetime(2026, 6, 30, tzinfo=UTC)
ALUMINIUM = "example-standards-body/aluminium-ingot"
TYRE = "example-standards-body/passenger-car-tyre"
BATTERY = "example-standards-body/ev-traction-battery"
DIGEST = "sha256:" + "ab" * 32


def example(catalog: Catalog, ref: str) -> dict[str, Any]:
    found = catalog.resolve(ref).example
    assert found is not None
    return copy.deepcopy(found)


def audit_record(*attestations: dict[str, Any]) -> AuditRecord:
    return AuditRecord.model_validate(
        {
            "certifier": "demo-certifier",
            "date": "2026-03-01T00:00:00Z",
            "evidence_digest": DIGEST,
            "attestations": list(attestations),
        }
    )


Recognise = Callable[..., Recognition]


def scheme(rec: Recognition, scheme_id: str) -> Any:
    return next(s for s in rec.schemes if s.scheme == scheme_id)


def gap(rec: Recognition, scheme_id: str, requirement: str) -> Any:
    return next((g for g in scheme(rec, scheme_id).gaps if g.requirement == requirement), None)
