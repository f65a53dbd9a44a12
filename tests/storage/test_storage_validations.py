from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from storage_support import NOW, add_org, validation_result

from registry.canonical import sha256_digest
from registry.errors import InputError
from registry.storage import repo
from registry.storage.db import connection_scope, session_scope
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import OrgKind, ValidationPublic

DECLARATION = {"specVersion": "3.0.0", "id": "urn:uuid:1", "pcf": {"pCfExcludingBiogenicUptake": "1.5"}}


def test_insert_and_get_scoped_to_org(engine: Engine) -> None:
    result = validation_result(conformant=False)
    with session_scope(engine) as s:
        add_org(s, "cert-a", OrgKind.CERTIFIER)
        add_org(s, "cert-b", OrgKind.CERTIFIER)
        row = repo.insert_validation(s, org_id="cert-a", result=result, declaration=DECLARATION, now=NOW)
    with session_scope(engine) as s:
        got = repo.get_validation(s, row.id, org_id="cert-a")
        assert (got.pack_id, got.pack_version, got.pack_digest) == (result.pack.id, "1.0.0", result.pack.digest)
        assert got.conformant is False and got.result == result.to_json() and got.declaration == DECLARATION
        assert got.declaration_digest == sha256_digest(DECLARATION) and got.created_at == NOW
        assert ValidationPublic.model_validate(got, from_attributes=True).id == row.id
        with pytest.raises(NotFound):
            repo.get_validation(s, row.id, org_id="cert-b")  # another certifier's looks missing
        with pytest.raises(NotFound):
            repo.get_validation(s, "00000000-0000-0000-0000-000000000000", org_id="cert-a")
        with pytest.raises(NotFound):
            repo.insert_validation(s, org_id="ghost", result=result, declaration=DECLARATION)
        with pytest.raises(Conflict):
            repo.insert_validation(s, org_id="cert-a", result=result, declaration=DECLARATION, validation_id=row.id)


def test_list_paginates_newest_first_by_created_at_then_id(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s, "cert-a", OrgKind.CERTIFIER)
        add_org(s, "cert-b", OrgKind.CERTIFIER)
        ids = []
        for i in range(7):
            at = NOW + timedelta(minutes=i // 2)  # pairs share a timestamp: the id breaks the tie
            ids.append(
                (at, repo.insert_validation(s, org_id="cert-a", result=validation_result(), declaration={}, now=at).id)
            )
        repo.insert_validation(s, org_id="cert-b", result=validation_result(), declaration={}, now=NOW)
    expected = [vid for _, vid in sorted(ids, reverse=True)]
    seen: list[str] = []
    cursor = None
    with session_scope(engine) as s:
        for _ in range(4):
            page = repo.list_validations(s, "cert-a", limit=3, cursor=cursor)
            seen += [v.id for v in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == expected
        assert repo.list_validations(s, "cert-b").next_cursor is None
        assert len(repo.list_validations(s, "cert-b").items) == 1
        assert repo.list_validations(s, "nobody").items == []
        with pytest.raises(InputError):
            repo.list_validations(s, "cert-a", cursor="not-a-cursor")
        with pytest.raises(InputError):
            repo.list_validations(s, "cert-a", limit=0)


def _stored_fields(engine: Engine, vid: str) -> dict[str, object]:
    with session_scope(engine, write=False) as s:
        v = repo.get_validation(s, vid, org_id="cert-a")
        return {k: getattr(v, k) for k in ValidationPublic.model_fields if k != "id"} | {
            "declaration": v.declaration,
            "declaration_digest": v.declaration_digest,
            "region": v.region,
            "recalculation": v.recalculation,
        }


def test_rows_on_a_bare_connection_store_what_insert_validation_stores(engine: Engine) -> None:
    """The group-committing writer's path (a Core connection, no Session) stores the same row."""
    declaration: dict[str, object] = {
        **DECLARATION,
        "pcf": {"pCfExcludingBiogenicUptake": "1.5", "geographyCountry": "de"},
    }
    result = validation_result(conformant=False)
    with session_scope(engine) as s:
        add_org(s, "cert-a", OrgKind.CERTIFIER)
        by_session = repo.insert_validation(s, org_id="cert-a", result=result, declaration=declaration, now=NOW).id
    with connection_scope(engine) as connection:
        [(by_rows, at)] = repo.insert_validation_rows(connection, [("cert-a", result, declaration)], now=NOW)
    assert at == NOW and by_rows != by_session
    assert _stored_fields(engine, by_rows) == _stored_fields(engine, by_session)
    assert _stored_fields(engine, by_rows)["region"] == "DE"


def test_rows_for_an_unknown_org_are_not_found_and_nothing_is_stored(engine: Engine) -> None:
    result = validation_result()
    with session_scope(engine) as s:
        add_org(s, "cert-a", OrgKind.CERTIFIER)
    with pytest.raises(NotFound, match="'ghost'"), connection_scope(engine) as connection:
        repo.insert_validation_rows(connection, [("cert-a", result, DECLARATION), ("ghost", result, DECLARATION)])
    with pytest.raises(RuntimeError), connection_scope(engine) as connection:
        repo.insert_validation_rows(connection, [("cert-a", result, DECLARATION)])
        raise RuntimeError("after the insert: rolled back")
    with session_scope(engine, write=False) as s:
        assert repo.list_validations(s, "cert-a", limit=10).items == []


def test_rows_left_to_the_foreign_key_fail_as_a_whole(engine: Engine) -> None:
    """Unchecked, an unknown organisation still stores nothing: the foreign key refuses the INSERT."""
    result = validation_result()
    with session_scope(engine) as s:
        add_org(s, "cert-a", OrgKind.CERTIFIER)
    rows = [("cert-a", result, DECLARATION), ("ghost", result, DECLARATION)]
    with pytest.raises(Conflict), connection_scope(engine) as connection:
        repo.insert_validation_rows(connection, rows, check_orgs=False)
    with session_scope(engine, write=False) as s:
        assert repo.list_validations(s, "cert-a", limit=10).items == []
