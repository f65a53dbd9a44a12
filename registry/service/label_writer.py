"""Group commit for single label issues (``POST /v1/labels``): many requests, one transaction.

Issuing one label in a transaction of its own repeats, for every label, what a batch does once:
the published catalogues, the certifier's accreditations and signing keys are read, the status list
and the transparency log's head are locked and written, and the transaction commits (on SQLite one
writer at a time). Requests here hand their issue to this writer and wait; the writer issues what
has queued up while its last transaction ran (at most ``max_batch``, with no added wait: a request
that finds the writer idle starts at once) with :func:`~registry.service.labels.issue_labels`, one
transaction, and answers each request once it has committed.

Nothing a request sees changes: each is validated, refused or issued on its own (a refusal is its
own answer, the others commit), a repeat of a request (even one queued in the same group) is
answered with the label issued for it, and a label commits with its transparency log entry. If the
group's transaction fails, each request is tried again alone, so one request's failure is only its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from registry.errors import InputError, RegistryError
from registry.service import labels as svc
from registry.storage.db import session_scope

# What the caller makes of its issued label, inside the transaction (its response body, say)
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


def _issue_all(
    engine: Engine, packs: Any, settings: svc.IssuanceSettings, items: list[_Item], now: datetime
) -> list[Any | BaseException]:
    """Each item's finished label or its refusal, all issued in one transaction."""
    out: list[Any | BaseException] = [None] * len(items)
    by_certifier: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_certifier.setdefault(item.certifier, []).append(i)
    with session_scope(engine) as session:
        for certifier, places in by_certifier.items():
            requests = [items[i].request for i in places]
            outcomes = svc.issue_labels(session, packs, settings, certifier=certifier, requests=requests, now=now)
            for i, outcome in zip(places, outcomes, strict=True):
                out[i] = outcome if isinstance(outcome, RegistryError) else _finished(items[i], session, outcome)
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
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put_nowait(_Item(certifier, request, finish, future))
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
