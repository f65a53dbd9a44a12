"""Accreditation versions in storage (SQLite and PostgreSQL): added, never overwritten, read in order."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from storage_support import NOW, add_org

from registry.storage import accreditations as store
from registry.storage.db import session_scope
from registry.storage.errors import Conflict
from registry.storage.models import AccreditationVersion, OrgKind


def _row(version: int, state: str = "active", digest: str = "0") -> AccreditationVersion:
    return AccreditationVersion(
        accreditation_id="body/acc",
        version=version,
        body_id="body",
        certifier_id="cert",
        change="grant" if version == 1 else "suspend",
        state=state,
        digest="sha256:" + digest * 64,
        content={"version": version},
        envelope={},
        recorded_at=NOW,
    )


def test_a_version_is_added_once_and_read_in_order(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert not store.has_accreditation_body(s)
        add_org(s, "body", OrgKind.ACCREDITATION_BODY)
        add_org(s, "cert", OrgKind.CERTIFIER)
        store.add_version(s, _row(2, "suspended", "2"))
        store.add_version(s, _row(1))
    with session_scope(engine) as s:
        assert store.has_accreditation_body(s)
        with pytest.raises(Conflict):
            store.add_version(s, _row(2, "withdrawn", "3"))
    with session_scope(engine, write=False) as s:
        rows = store.versions(s, certifier_id="cert")
        assert [(r.version, r.state, r.digest[-1]) for r in rows] == [(1, "active", "0"), (2, "suspended", "2")]
        latest = store.latest(s, "body/acc")
        assert latest is not None and latest.version == 2
        assert store.get_version(s, "body/acc", 1).state == "active"
        assert store.versions(s, certifier_id="nobody") == []
