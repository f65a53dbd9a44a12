"""Labels signed before their write transaction (issue 15), on SQLite and PostgreSQL: the transaction takes a
token signed ahead only when it signs exactly the claims the transaction makes from what it finds; a new
key, a new grade or a status index taken meanwhile makes it sign the label again itself."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from storage_support import certifier_with_key

from issuance import KeyScope, LabelClaims, peek
from registry.errors import RegistryError
from registry.packs.catalog import Catalog
from registry.service import labels as svc
from registry.storage import issuance as label_store
from registry.storage.db import session_scope

AL = "example-standards-body/aluminium-ingot"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
GTIN = "09506000134352"
CERTIFIER = "new-certifier"
SCOPE = KeyScope(schemes=("gb-t-24067", "pact-v3", "iso-14067"), categories=("example-standards-body/",))
_batches = itertools.count(1)


@pytest.fixture
def ready(engine: Engine, settings: svc.IssuanceSettings) -> Engine:
    return certifier_with_key(engine, settings, CERTIFIER, SCOPE, now=NOW, name="New")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.bundled()


@pytest.fixture(scope="module")
def example(catalog: Catalog) -> dict[str, Any]:
    ex = catalog.resolve(AL).example
    assert ex is not None
    return ex


@pytest.fixture
def signed_in_transaction(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The label ids signed by the transaction itself (not ahead of it)."""
    seen: list[str] = []
    real = svc.sign_label

    def counting(claims: LabelClaims, key: Any, **kw: Any) -> bytes:
        seen.append(claims.label_id)
        return real(claims, key, **kw)

    monkeypatch.setattr(svc, "sign_label", counting)
    yield seen


def _group(
    engine: Engine,
    settings: svc.IssuanceSettings,
    catalog: Catalog,
    example: dict[str, Any],
    hints: svc.SealHints,
    n: int,
    *,
    now: datetime = NOW,
    signed: list[str] | None = None,
) -> tuple[list[svc.Issued], dict[str, svc.Presealed]]:
    """One group as the label writer runs it: drafted and presealed, then issued in one transaction."""
    requests = [svc.IssueRequest(declaration=example, gtin=GTIN, batch=f"PS-{next(_batches)}") for _ in range(n)]
    drafts = svc.draft_labels(catalog, requests, now=now)
    pre = svc.preseal(drafts, hints, settings, CERTIFIER, now=now)
    if signed is not None:
        signed.clear()  # what preseal signed is not the transaction's
    with session_scope(engine) as s:
        out = svc.issue_drafted(s, settings, certifier=CERTIFIER, drafts=drafts, now=now, presealed=pre, hints=hints)
    issued = [o for o in out if isinstance(o, svc.Issued)]
    assert len(issued) == n, [o for o in out if isinstance(o, RegistryError)]
    return issued, pre


def _slot(issued: svc.Issued) -> tuple[int, int]:
    return issued.columns["status_list"], issued.columns["status_idx"]


def test_the_next_group_is_signed_ahead_and_taken(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any, signed_in_transaction: list[str]
) -> None:
    hints = svc.SealHints()
    first, pre = _group(ready, settings, catalog, example, hints, 3, signed=signed_in_transaction)
    assert pre == {} and len(signed_in_transaction) == 3  # nothing known yet: signed in the transaction
    assert hints.lists.get(CERTIFIER) and hints.catalogues is not None and hints.signers

    second, pre = _group(ready, settings, catalog, example, hints, 4, signed=signed_in_transaction)
    assert len(pre) == 4 and signed_in_transaction == []
    assert {i.token for i in second} == {p.token for p in pre.values()}
    for issued in second:
        _, claims = peek(issued.token, status_base=settings.status_base)
        assert claims == issued.claims and claims.kid == first[0].claims.kid
        assert claims.status_uri.endswith(f"/{CERTIFIER}/{_slot(issued)[0]}") and claims.status_idx == _slot(issued)[1]
    assert len({_slot(i) for i in [*first, *second]}) == 7  # every label its own status index


def test_a_new_key_is_used_not_the_token_signed_ahead(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any, signed_in_transaction: list[str]
) -> None:
    hints = svc.SealHints()
    first, _ = _group(ready, settings, catalog, example, hints, 2)
    later = NOW + timedelta(seconds=5)
    with session_scope(ready) as s:
        new, _ = svc.rotate_signing_key(s, settings, CERTIFIER, now=later, scope=SCOPE)
    second, pre = _group(ready, settings, catalog, example, hints, 2, now=later, signed=signed_in_transaction)
    assert len(pre) == 2 and all(p.claims.kid == first[0].claims.kid for p in pre.values())  # the old key's
    assert {i.claims.kid for i in second} == {new.kid} != {first[0].claims.kid}
    assert sorted(signed_in_transaction) == sorted(i.claims.label_id for i in second)
    assert not {i.token for i in second} & {p.token for p in pre.values()}
    third, pre = _group(ready, settings, catalog, example, hints, 2, now=later, signed=signed_in_transaction)
    assert signed_in_transaction == [] and {i.claims.kid for i in third} == {new.kid}  # the hints know it now


def test_a_status_index_taken_meanwhile_is_signed_again(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any, signed_in_transaction: list[str]
) -> None:
    hints = svc.SealHints()
    (earlier,) = _group(ready, settings, catalog, example, hints, 1)[0]
    requests = [svc.IssueRequest(declaration=example, gtin=GTIN, batch=f"PS-{next(_batches)}") for _ in range(2)]
    drafts = svc.draft_labels(catalog, requests, now=NOW)
    pre = svc.preseal(drafts, hints, settings, CERTIFIER, now=NOW)
    blocked, kept = list(pre.values())
    with session_scope(ready) as s:  # meanwhile another issuer's label took the first one's index
        label = label_store.get_label(s, earlier.claims.label_id)
        label.status_list, label.status_idx = blocked.slot
        s.add(label)
    signed_in_transaction.clear()
    with session_scope(ready) as s:
        out = svc.issue_drafted(s, settings, certifier=CERTIFIER, drafts=drafts, now=NOW, presealed=pre, hints=hints)
    issued = [i for i in out if isinstance(i, svc.Issued)]
    assert len(issued) == 2
    assert kept.token in {i.token for i in issued} and blocked.token not in {i.token for i in issued}
    (resigned,) = [i for i in issued if i.token != kept.token]
    assert signed_in_transaction == [resigned.claims.label_id]
    assert _slot(resigned) != blocked.slot and resigned.claims.status_idx == _slot(resigned)[1]


def test_preferred_slots_are_kept_where_free(ready: Engine) -> None:
    with session_scope(ready) as s:
        first = label_store.allocate_status_indexes(s, CERTIFIER, 2, rng=os.urandom, now=NOW)
    list_no = first[0][0]
    free = next(i for i in range(10) if (list_no, i) not in first)
    seen: dict[str, tuple[int, int]] = {}
    wanted = [(list_no, free), None, (list_no + 1, 9)]  # free; none; another list (a taken one: see above)
    with session_scope(ready) as s:
        got = label_store.allocate_status_indexes(
            s, CERTIFIER, 3, rng=os.urandom, now=NOW, preferred=wanted, lists_seen=seen
        )
    assert got[0] == (list_no, free)
    assert got[2][0] == list_no and got[2] != (list_no + 1, 9)  # not the list taking labels: another index
    assert len(set(got)) == 3
    assert seen[CERTIFIER][0] == list_no and seen[CERTIFIER][1] > 9


def _counting_rng(*values: int) -> Any:
    numbers = iter(values)
    return lambda n: next(numbers).to_bytes(n, "big")


def test_indexes_signed_ahead_avoid_those_stored_labels_have() -> None:
    from registry.service.labels import _free_draws

    asked: list[list[int]] = []

    def taken(list_no: int, indexes: list[int]) -> set[int]:
        asked.append(sorted(indexes))
        return {1} & set(indexes)

    assert _free_draws(2, 16, 0, _counting_rng(1, 2, 3), taken) == [3, 2]  # 1 is used: drawn again
    assert asked == [[1, 2], [2, 3]]
    every = _counting_rng(1, 2, 3, 4, 5, 6, 7, 8)
    assert _free_draws(2, 16, 0, every, lambda n, i: set(i)) == [None, None]  # used in all four rounds
    assert _free_draws(2, 16, 0, _counting_rng(4, 4), None) == [4, None]  # the same index twice: one is left out


def test_a_declaration_that_expired_after_its_draft_is_refused(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    """Validated when the request came (its validity not ended), issued a moment later (ended): refused."""
    end = NOW + timedelta(milliseconds=500)
    doc = {**example, "validityPeriodEnd": end.isoformat().replace("+00:00", "Z")}
    (draft,) = svc.draft_labels(catalog, [svc.IssueRequest(declaration=doc, gtin=GTIN, batch="PS-EXP")], now=NOW)
    assert isinstance(draft, svc.Draft)
    later = NOW + timedelta(seconds=1)
    with session_scope(ready) as s:
        (out,) = svc.issue_drafted(s, settings, certifier=CERTIFIER, drafts=[draft], now=later)
    assert isinstance(out, RegistryError) and "validity ended" in out.message
