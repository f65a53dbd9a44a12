"""Group commit for single label issues (``POST /v1/labels``): many requests, one transaction.

Issuing one label in a transaction of its own repeats, for every label, what a batch does once:
the published catalogues, the certifier's accreditations and signing keys are read, the status list
and the transparency log's head are locked and written, and the transaction commits (on SQLite one
writer at a time). Requests here hand their issue to this writer and wait; the writer issues what
has queued up while its last transaction ran (at most ``max_batch``, with no added wait: a request
that finds the writer idle starts at once): it validates them (:func:`~registry.service.labels.draft_labels`,
before taking the write lock), issues them in one transaction
(:func:`~registry.service.labels.issue_drafted`) and answers each request once it has committed.

Nothing a request sees changes: each is validated, refused or issued on its own (a refusal is its
own answer, the others commit), a repeat of a request (even one queued in the same group) is
answered with the label issued for it, and a label commits with its transparency log entry. If the
group's transaction fails, each request is tried again alone, so one request's failure is only its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from registry.errors import InputError, RegistryError
from registry.service import labels as svc
from registry.storage.db import session_scope

# What the caller makes of its issued label once it has committed (its response body, say); the session
# is a read transaction of its own
Finish = Callable[[Session, svc.Issued], Any]
DEFAULT_GROUP_MAX = 64
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


def _issue_all(
    engine: Engine, packs: Any, settings: svc.IssuanceSettings, items: list[_Item], now: datetime
) -> list[Any | BaseException]:
    """Each item's finished label or its refusal, all issued in one transaction.

    What reads no stored data (validation, above all) is done before the transaction, and each answer is
    made after it commits: on SQLite the write lock, which both server processes share, is held only for
    what must be (issue 15). A repeat's answer reads the key's standing in a read transaction of its own."""
    drafts: list[svc.Draft | RegistryError] = []
    for item in items:  # a draft made on another day is made again: packs and catalogues are chosen by date
        if item.draft is not None and item.drafted_on == now.date():
            drafts.append(item.draft)
        else:
            drafts.extend(svc.draft_labels(packs, [item.request], now=now))
    issued: list[svc.Issued | RegistryError | None] = [None] * len(items)
    by_certifier: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_certifier.setdefault(item.certifier, []).append(i)
    with session_scope(engine) as session:
        for certifier, places in by_certifier.items():
            outcomes = svc.issue_drafted(
                session, settings, certifier=certifier, drafts=[drafts[i] for i in places], now=now
            )
            for i, outcome in zip(places, outcomes, strict=True):
                issued[i] = outcome
    out: list[Any | BaseException] = []
    with session_scope(engine, write=False) as session:  # opens no connection unless a finish reads
        for item, done in zip(items, issued, strict=True):
            assert done is not None
            out.append(done if isinstance(done, RegistryError) else _finished(item, session, done))
    return out


def _finished(item: _Item, session: Session, issued: svc.Issued) -> Any:
    try:
        return item.finish(session, issued)
    except RegistryError as e:
        return e


def _issue_group(
    engine: Engine,
    packs: Any,
    settings: svc.IssuanceSettings,
    items: list[_Item],
    clock: Callable[[], datetime],
) -> list[Any | BaseException]:
    """:func:`_issue_all`; if the group's transaction fails, each item again in a transaction of its own."""
    try:
        return _issue_all(engine, packs, settings, items, clock())
    except Exception:
        if len(items) == 1:
            raise
    results: list[Any | BaseException] = []
    for item in items:
        try:
            results.extend(_issue_all(engine, packs, settings, [item], clock()))
        except Exception as e:
            results.append(e)
    return results


@dataclass
class LabelWriter:
    engine: Engine
    packs: Any
    settings: Callable[[], svc.IssuanceSettings]  # read for each group: the settings in force
    clock: Callable[[], datetime]
    max_batch: int = DEFAULT_GROUP_MAX
    groups: int = 0  # transactions run (tests check that requests really share them)
    _queue: asyncio.Queue[_Item] | None = None
    _task: asyncio.Task[None] | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def issue(self, certifier: str, request: svc.IssueRequest, finish: Finish) -> Any:
        """Issue one label (or answer a repeat); returns ``finish(session, issued)`` once it has committed,
        or raises the request's refusal."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._loop, self._queue = loop, asyncio.Queue()
            self._task = loop.create_task(self._run(self._queue))
        assert self._queue is not None
        # Validated here, as it comes: while the writer's thread waits for the database, not after
        now = self.clock()
        draft = svc.draft_labels(self.packs, [request], now=now)[0]
        if isinstance(draft, RegistryError):
            raise draft
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put_nowait(_Item(certifier, request, finish, future, draft, now.date()))
        return await future

    async def _run(self, queue: asyncio.Queue[_Item]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                outcomes = await run_in_threadpool(
                    _issue_group, self.engine, self.packs, self.settings(), batch, self.clock
                )
            except BaseException as e:
                outcomes = [e] * len(batch)
            self.groups += 1
            for item, outcome in zip(batch, outcomes, strict=True):
                if item.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    item.future.set_exception(outcome)
                else:
                    item.future.set_result(outcome)
