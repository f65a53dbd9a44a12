from __future__ import annotations

from typing import Any

import pytest
from cw_support import ALUMINIUM, NOW, Recognise

from registry.crosswalk import (
    AuditRecord,
    Crosswalks,
    Recognition,
    audit_from_declaration,
    checking_rules,
    load_crosswalks,
    recognise,
)
from registry.packs.catalog import Catalog
from registry.packs.validate import validate_document


@pytest.fixture(scope="session")
def cw() -> Crosswalks:
    return load_crosswalks()


@pytest.fixture
def recognise_doc(catalog: Catalog, cw: Crosswalks) -> Recognise:
    """Validate (must be conformant), then recognise; the audit defaults to the declaration's own."""

    def run(doc: dict[str, Any], ref: str = ALUMINIUM, audit: AuditRecord | None = None, **kw: Any) -> Recognition:
        result = validate_document(catalog, doc, pack=ref, now=NOW)
        assert result.conformant, [f.rule_id for f in result.errors]
        record = audit if audit is not None else audit_from_declaration(cw, doc)
        assert record is not None
        resolved = catalog.resolve(result.pack.ref)
        kw.setdefault("pack_rules", checking_rules(resolved.rules))
        return recognise(cw, doc, pack=result.pack, audit=record, chain=resolved.chain, **kw)

    return run
