"""The regulator's ``kind=`` filter of validations is a query (validation.recalculation, issue 13): the page of
recalculations or plain validations comes from one SELECT with the kind in its WHERE and its LIMIT, not from a
scan of every validation in the jurisdiction; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event

from registry.service.supervision import Scope, list_validations
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import OrganisationCreate, OrgKind, Validation

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _validation(n: int, recalculation: bool) -> Validation:
    result: dict[str, Any] = {"conformant": True} | ({"recalculation": {"n": n}} if recalculation else {})
    return Validation(
        id=f"v{n:03d}",
        org_id="c",
        pack_id="p/q",
        pack_version="1.0.0",
        pack_digest="sha256:" + "0" * 64,
        conformant=True,
        result=result,
        declaration={},
        declaration_digest="sha256:" + "0" * 64,
        created_at=T0 + timedelta(minutes=n),
        region="CN",
        recalculation=recalculation,
    )


def test_kind_filter_pages_in_one_query(engine: Engine) -> None:
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id="c", name="C", kind=OrgKind.CERTIFIER), now=T0)
        for n in range(30):
            s.add(_validation(n, recalculation=n % 3 == 0))  # v000, v003, ... v027 are recalculations
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with session_scope(engine, write=False) as s:
            scope = Scope("reg", ("CN",))
            recalcs = list_validations(s, scope, org=None, recalculations=True, limit=3, offset=2)
            plain = list_validations(s, scope, org=None, recalculations=False, limit=2, offset=0)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [v.id for v in recalcs] == ["v021", "v018", "v015"]  # newest first, after skipping v027 and v024
    assert [v.id for v in plain] == ["v029", "v028"]
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2 and all("recalculation" in q.split("WHERE", 1)[1] and "LIMIT" in q for q in selects)
