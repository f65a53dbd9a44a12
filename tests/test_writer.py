"""Group commit of stored validations: each request gets its own committed row, failures stay its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from registry.packs.catalog import Catalog
from registry.service.writer import ValidationWriter
from registry.storage import repo
from registry.storage.db import make_engine, migrate, session_scope
from registry.storage.errors import NotFound
from registry.storage.models import OrganisationCreate, OrgKind

NOW = datetime(2026, 6, 30, tzinfo=UTC)


def test_concurrent_inserts_batched_and_isolated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    migrate(engine)
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id="cert", name="Cert", kind=OrgKind.CERTIFIER), now=NOW)
        repo.create_organisation(s, OrganisationCreate(id="pub", name="Pub", kind=OrgKind.STANDARDS_BODY), now=NOW)
    catalog = Catalog.bundled()
    compiled = catalog.compiled("example-standards-body/core")
    example = compiled.resolved.example
    assert example is not None
    result = compiled.validate(example, now=NOW)
    writer = ValidationWriter(engine, max_wait=0.02)

    async def main() -> list[object]:
        jobs = [writer.insert("cert", result, example, NOW) for _ in range(40)]
        jobs.insert(7, writer.insert("nobody", result, example, NOW))  # its organisation does not exist
        return await asyncio.gather(*jobs, return_exceptions=True)

    outcomes = asyncio.run(main())
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failures) == 1 and isinstance(outcomes[7], NotFound)
    ids = [o[0] for o in outcomes if isinstance(o, tuple)]
    assert len(ids) == 40 == len(set(ids))
    with session_scope(engine, write=False) as s:
        for vid in ids:
            assert repo.get_validation(s, vid, org_id="cert").conformant is True
        page = repo.list_validations(s, "cert", limit=100)
        assert len(page.items) == 40
    with pytest.raises(NotFound), session_scope(engine, write=False) as s:
        repo.get_validation(s, ids[0], org_id="pub")
