"""The PACT outbox is claimed, not just read: two workers never attempt the same event at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from registry.service import pact_events
from registry.storage import pact_repo
from registry.storage.db import session_scope
from registry.storage.models import PactEvent

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _queue(engine: Engine, n: int, *, at: datetime = NOW) -> list[int]:
    with session_scope(engine) as s:
        rows = [
            pact_events.queue_published(
                s, "partner", [f"00000000-0000-0000-0000-{i:012d}"], owner="o", now=at, source="x"
            )
            for i in range(n)
        ]
        return [r.id for r in rows if r.id is not None]


def _row(engine: Engine, pk: int) -> PactEvent:
    with session_scope(engine, write=False) as s:
        return pact_repo.get_event(s, pk)


def test_a_due_event_is_won_by_one_claim_and_leased(engine: Engine) -> None:
    (pk,) = _queue(engine, 1)
    lease = NOW + pact_events.CLAIM_LEASE
    with session_scope(engine) as s:
        assert pact_repo.claim_event(s, pk, now=NOW, lease_until=lease) is True
    with session_scope(engine) as s:  # another worker, a moment later: no longer due
        assert pact_repo.claim_event(s, pk, now=NOW + timedelta(seconds=1), lease_until=lease) is False
    assert _row(engine, pk).next_attempt_at == lease and _row(engine, pk).state == "pending"
    with session_scope(engine) as s:  # the worker died mid-attempt: after the lease, another may try
        assert pact_repo.claim_event(s, pk, now=lease, lease_until=lease + pact_events.CLAIM_LEASE) is True


def test_claim_due_hands_each_event_to_one_worker(engine: Engine) -> None:
    pks = _queue(engine, 12)
    first = pact_events.claim_due(engine, NOW, limit=5)
    second = pact_events.claim_due(engine, NOW)
    assert [r.id for r, _ in first] == pks[:5]
    assert [r.id for r, _ in second] == pks[5:]
    assert pact_events.claim_due(engine, NOW) == []
    assert pact_events.claim_due(engine, NOW + pact_events.CLAIM_LEASE - timedelta(seconds=1)) == []


def test_concurrent_claims_never_share_an_event(engine: Engine) -> None:
    """Four threads claim at the same instant (each its own connection and transaction): every
    event goes to exactly one of them."""
    pks = _queue(engine, 40)
    won: list[list[int]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def worker(i: int) -> None:
        start.wait()
        while rows := pact_events.claim_due(engine, NOW, limit=3):
            won[i] += [r.id for r, _ in rows if r.id is not None]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    claimed = [pk for w in won for pk in w]
    assert sorted(claimed) == pks  # each once: no event claimed twice, none left
