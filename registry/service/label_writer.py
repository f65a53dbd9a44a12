"""Group commit for single label issues (``POST /v1/labels``): many requests, one transaction.

Issuing one label in a transaction of its own repeats, for every label, what a batch does once:
the published catalogues, the certifier's accreditations and signing keys are read, the status list
and the transparency log's head are locked and written, and the transaction commits (on SQLite one
writer at a time). Requests here hand their issue to this writer and wait; the writer issues what
has queued up while its last transaction ran (at most ``max_batch``). A request that finds the writer
idle starts at once, unless the last group was larger: then the writer waits, at most ``gather_s``, until
as many requests have queued as that group had (its clients, just answered, tend to send their next
request at once; without the wait the first of them went alone and the rest formed the next group:
groups of 3-4 on PostgreSQL where 8 clients a worker were waiting, each paying a transaction's fixed
statements and commit). Each request is validated as it comes
(:func:`~registry.service.labels.draft_labels`); before the write lock is taken, the group's labels are
signed ahead from what the last transaction found (:func:`~registry.service.labels.preseal`); the
transaction (:func:`~registry.service.labels.issue_drafted`, run by
:func:`~registry.storage.db.run_write` on the event loop's thread once the lock is held) takes each
token that signs what it finds; each request is answered once its label has committed (ADR 0037).

Nothing a request sees changes: each is validated, refused or issued on its own (a refusal is its
own answer, the others commit), a repeat of a request (even one queued in the same group) is
answered with the label issued for it, and a label commits with its transparency log entry. If the
group's transaction fails, each request is tried again alone, so one request's failure is only its own.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from registry.errors import InputError, RegistryError
from registry.service import labels as svc
from registry.storage import issuance as store
from registry.storage.db import run_write, session_scope

# What the caller makes of its issued label once it has committed (its response body, say); the session
# is a read transaction of its own
Finish = Callable[[Session, svc.Issued], Any]
DEFAULT_GROUP_MAX = 64
# The longest a group waits for as many requests as the last group had (see above); measured on 2 cores with
# 16 clients (bench/api.py), 1-4 ms all filled groups of about 8 a worker
DEFAULT_GATHER_S = 0.003
# The most requests one transaction issues; 1 turns group commit off (for measuring, bench/api.py)
GROUP_MAX_ENV = "PCFREG_LABEL_GROUP_MAX"


def group_max_from(env: Mapping[str, str]) -> int:
    """``PCFREG_LABEL_GROUP_MAX`` (default 64): a whole number from 1 to 10,000."""
    text = env.get(GROUP_MAX_ENV)
    if text is None:
        return DEFAULT_GROUP_MAX
    if not text.strip().isdigit() or not 1 <= int(text) <= 10_000:
        raise InputError(f"{GROUP_MAX_ENV} must be a whole number from 1 to 10000, not {text!r}")
    return int(text)


@dataclass
class _Item:
    certifier: str
    request: svc.IssueRequest
    finish: Finish
    future: asyncio.Future[Any]
    draft: svc.Draft | None = None  # drafted when the request came (see LabelWriter.issue)
    drafted_on: date | None = None


@dataclass
class _Prepared:
    """A group made ready before its transaction: each request's draft (or refusal), and the labels signed
    ahead (:func:`~registry.service.labels.preseal`) by certifier and request key."""

    now: datetime
    drafts: list[svc.Draft | RegistryError]
    presealed: dict[str, dict[str, svc.Presealed]]


def _by_certifier(items: list[_Item]) -> dict[str, list[int]]:
    places: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        places.setdefault(item.certifier, []).append(i)
    return places


def _prepare(
    packs: Any,
    settings: svc.IssuanceSettings,
    items: list[_Item],
    now: datetime,
    hints: svc.SealHints | None,
    engine: Engine | None = None,
) -> _Prepared:
    """What needs no write, done before the write lock is taken: each request's draft (one made on another
    day is made again: packs and catalogues are chosen by date) and, with ``hints`` (what the writer's last
    transaction found), its label signed ahead, at a status index no stored label has (read from ``engine``
    in a read transaction; a list half full would otherwise have half the labels signed again)."""
    drafts: list[svc.Draft | RegistryError] = []
    for item in items:
        if item.draft is not None and item.drafted_on == now.date():
            drafts.append(item.draft)
        else:
            drafts.extend(svc.draft_labels(packs, [item.request], now=now))
    presealed: dict[str, dict[str, svc.Presealed]] = {}
    if hints is None:
        return _Prepared(now, drafts, presealed)
    with session_scope(engine, write=False) if engine is not None else nullcontext() as session:
        for certifier, places in _by_certifier(items).items():
            taken = None
            if session is not None:
                taken = functools.partial(_taken, session, certifier)
            mine = [drafts[i] for i in places]
            presealed[certifier] = svc.preseal(mine, hints, settings, certifier, now=now, taken=taken)
    return _Prepared(now, drafts, presealed)


def _taken(session: Session, certifier: str, list_no: int, indexes: list[int]) -> set[int]:
    return store.taken_status_indexes(session, certifier, list_no, indexes)


def _issue_all(
    engine: Engine,
    settings: svc.IssuanceSettings,
    items: list[_Item],
    prepared: _Prepared,
    hints: svc.SealHints | None = None,
) -> list[svc.Issued | RegistryError]:
    """Each item's label (or the label issued for it before) or its refusal, all in one transaction.

    Only what must be is done here, in the write transaction (on SQLite under the lock both server
    processes share, issue 15): validation and signing ahead were done by :func:`_prepare`; the transaction
    takes each token signed ahead that signs what it finds (:func:`~registry.service.labels.issue_drafted`)."""
    issued: list[svc.Issued | RegistryError | None] = [None] * len(items)
    with session_scope(engine) as session:
        for certifier, places in _by_certifier(items).items():
            outcomes = svc.issue_drafted(
                session,
                settings,
                certifier=certifier,
                drafts=[prepared.drafts[i] for i in places],
                now=prepared.now,
                presealed=prepared.presealed.get(certifier),
                hints=hints,
            )
            for i, outcome in zip(places, outcomes, strict=True):
                issued[i] = outcome
    return [done for done in issued if done is not None]


def _issue_group(
    engine: Engine,
    packs: Any,
    settings: svc.IssuanceSettings,
    items: list[_Item],
    clock: Callable[[], datetime],
    prepared: _Prepared,
    hints: svc.SealHints | None = None,
) -> list[svc.Issued | BaseException]:
    """:func:`_issue_all`; if the group's transaction fails, each item again in a transaction of its own."""
    try:
        return list(_issue_all(engine, settings, items, prepared, hints))
    except Exception:
        if hints is not None:
            hints.lists.clear()  # whatever failed, the next group finds its list afresh
        if len(items) == 1:
            raise
    results: list[svc.Issued | BaseException] = []
    for item in items:
        try:
            alone = _prepare(packs, settings, [item], clock(), None)
            results.extend(_issue_all(engine, settings, [item], alone))
        except Exception as e:
            results.append(e)
    return results


def _finish_all(engine: Engine, items: list[_Item], outcomes: list[svc.Issued | BaseException]) -> list[Any]:
    """Each request's answer, made once its label has committed (a repeat's reads in a read transaction)."""
    out: list[Any] = []
    with session_scope(engine, write=False) as session:  # opens no connection unless a finish reads
        for item, done in zip(items, outcomes, strict=True):
            out.append(done if isinstance(done, BaseException) else _finished(item, session, done))
    return out


def _finished(item: _Item, session: Session, issued: svc.Issued) -> Any:
    try:
        return item.finish(session, issued)
    except RegistryError as e:
        return e


@dataclass
class LabelWriter:
    engine: Engine
    packs: Any
    settings: Callable[[], svc.IssuanceSettings]  # read for each group: the settings in force
    clock: Callable[[], datetime]
    max_batch: int = DEFAULT_GROUP_MAX
    gather_s: float = DEFAULT_GATHER_S  # the longest a group waits for as many requests as the last one had
    groups: int = 0  # transactions run (tests check that requests really share them)
    last_group: int = 0  # requests in the last group
    # what the last transaction found, to sign the next group's labels before the write lock (None: never)
    hints: svc.SealHints | None = field(default_factory=svc.SealHints)
    _queue: asyncio.Queue[_Item] | None = None
    _arrived: asyncio.Event | None = None  # set as each request queues
    _task: asyncio.Task[None] | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def issue(self, certifier: str, request: svc.IssueRequest, finish: Finish) -> Any:
        """Issue one label (or answer a repeat); returns ``finish(session, issued)`` once it has committed,
        or raises the request's refusal."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._loop, self._queue, self._arrived = loop, asyncio.Queue(), asyncio.Event()
            self._task = loop.create_task(self._run(self._queue))
        assert self._queue is not None and self._arrived is not None
        # Validated here, as it comes: while the writer waits for the database, not after
        now = self.clock()
        draft = svc.draft_labels(self.packs, [request], now=now)[0]
        if isinstance(draft, RegistryError):
            raise draft
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put_nowait(_Item(certifier, request, finish, future, draft, now.date()))
        self._arrived.set()
        return await future

    async def _gather(self, queue: asyncio.Queue[_Item]) -> None:
        """With one request taken: wait, at most :attr:`gather_s`, until as many more have queued as the last
        group had beside its first (none when it had one: a lone client never waits)."""
        wanted = min(self.last_group, self.max_batch) - 1
        if wanted <= 0 or self.gather_s <= 0 or self._arrived is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.gather_s
        while queue.qsize() < wanted:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return

    async def _run(self, queue: asyncio.Queue[_Item]) -> None:
        while True:
            batch = [await queue.get()]
            await self._gather(queue)
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                settings = self.settings()
                prepared = _prepare(self.packs, settings, batch, self.clock(), self.hints, self.engine)
                issued = await run_write(
                    self.engine,
                    _issue_group,
                    self.engine,
                    self.packs,
                    settings,
                    batch,
                    self.clock,
                    prepared,
                    self.hints,
                )
                outcomes = _finish_all(self.engine, batch, issued)
            except BaseException as e:
                outcomes = [e] * len(batch)
            self.groups += 1
            self.last_group = len(batch)
            for item, outcome in zip(batch, outcomes, strict=True):
                if item.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    item.future.set_exception(outcome)
                else:
                    item.future.set_result(outcome)
