"""The PACT client's storage on SQLite and PostgreSQL: supplier footprints and requests sent to partners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from storage_support import NOW, add_org, validation_result

from registry.canonical import sha256_digest
from registry.service.pact_requests import record_request_answer
from registry.service.supplier_footprints import Received, examine, store_received
from registry.storage import pact_client
from registry.storage.db import session_scope
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import OrgKind

ORG = "buyer-co"
FOOTPRINT = {"specVersion": "3.0.0", "id": "6b1f3d6e-0000-4000-8000-000000000001", "pcf": {"x": "1"}}


def _validate(document: Any) -> Any:
    return validation_result()


def _received(footprint: dict[str, Any] = FOOTPRINT) -> Received:
    received = examine(footprint, pointer="/data/0", validate=_validate)
    assert isinstance(received, Received)
    return received


def _store(s: Any, partner: str) -> Any:
    return store_received(s, _received(), org_id=ORG, partner=partner, pointer="/data/0", now=NOW, via="pact-pull")


def test_a_supplier_footprint_is_found_by_partner_id_and_digest(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s, ORG, OrgKind.PLATFORM)
        first = store_received(
            s, _received(), org_id=ORG, partner="https://a", pointer="/data/0", now=NOW, via="pact-pull"
        )
    with session_scope(engine) as s:
        again = store_received(
            s, _received(), org_id=ORG, partner="https://a", pointer="/data/0", now=NOW, via="pact-pull"
        )
        other = store_received(
            s, _received(), org_id=ORG, partner="https://b", pointer="/data/0", now=NOW, via="pact-pull"
        )
    assert (first.status, again.status, other.status) == ("stored", "already-stored", "stored")
    assert again.validation_id == first.validation_id != other.validation_id
    digest = sha256_digest(FOOTPRINT)
    with session_scope(engine, write=False) as s:
        row = pact_client.find_supplier_footprint(
            s, ORG, digest=digest, partner="https://a", footprint_id=FOOTPRINT["id"]
        )
        assert row is not None and row.id == first.validation_id and row.declaration_digest == digest
        assert row.result["supplier"]["digest"] == digest and row.result["supplier"]["via"] == "pact-pull"
        changed = {**FOOTPRINT, "pcf": {"x": "2"}}
        assert (
            pact_client.find_supplier_footprint(
                s, ORG, digest=sha256_digest(changed), partner="https://a", footprint_id=FOOTPRINT["id"]
            )
            is None
        )


def test_requests_are_recorded_listed_and_answered(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_org(s, ORG, OrgKind.PLATFORM)
        for n in range(3):
            pact_client.insert_pact_request(
                s, request_id=f"r{n}", org_id=ORG, partner_url="https://a", criteria={"productId": ["p"]},
                now=NOW + timedelta(minutes=n),
            )  # fmt: skip
    with session_scope(engine) as s, pytest.raises(Conflict):
        pact_client.insert_pact_request(s, request_id="r0", org_id=ORG, partner_url="https://a", criteria={}, now=NOW)
    with session_scope(engine) as s, pytest.raises(NotFound):
        pact_client.insert_pact_request(
            s, request_id="x", org_id="nobody", partner_url="https://a", criteria={}, now=NOW
        )
    event = {
        "specversion": "1.0",
        "id": "answer-1",
        "source": "https://a",
        "type": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        "data": {"requestEventId": "r1", "pfs": [FOOTPRINT]},
    }
    with session_scope(engine) as s:
        answer = record_request_answer(s, event, validate=_validate, now=NOW + timedelta(hours=1))
    assert answer.state == "fulfilled" and [f.status for f in answer.footprints] == ["stored"]
    with session_scope(engine, write=False) as s:
        rows = pact_client.list_pact_requests(s, ORG)
        assert [r.id for r in rows] == ["r2", "r1", "r0"]
        assert rows[1].state == "fulfilled" and rows[1].answered_at == NOW + timedelta(hours=1)
        assert (
            rows[1].answer is not None
            and rows[1].answer["footprints"][0]["validation_id"] == answer.footprints[0].validation_id
        )
        with pytest.raises(NotFound):
            pact_client.get_pact_request(s, "never")
