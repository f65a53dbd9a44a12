"""The transparency log: issuing with the log append and without it, on SQLite; and the log alone.

Prints, for labels issued through the service in process (validate, grade, sign, store and, with the
log, the entry and the tree nodes it completes, in the same transaction):

1. one label per transaction (as POST /v1/labels) and 500 per transaction (as POST /v1/labels:batch),
   with the log and with the append replaced by nothing (the figure without the log);
2. the log alone: entries appended per second (500 per transaction), and a label's inclusion proof
   with its signed checkpoint (GET /v1/labels/{id}) per second, at the size reached.

Target (issue 13): issuing with the log append stays at or above 1,000 labels/s on SQLite.

Run: python bench/tlog.py [--issue 2000] [--entries 100000]
"""

from __future__ import annotations

import argparse
import functools
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

TARGET_ISSUED = 1_000
GTIN = "09506000134352"
CHUNK = 500


def _service(data: Path) -> tuple[Any, Any, Any]:
    from registry.service import labels as svc
    from registry.service.bootstrap import init_data_dir
    from registry.service.packs import StoredPacks
    from registry.storage.db import make_engine
    from registry.storage.settings import StorageSettings, database_url_for

    storage = StorageSettings(data_dir=data, database_url=None)
    init_data_dir(storage, now=datetime.now(UTC))
    engine = make_engine(database_url_for(storage))
    return engine, svc.load_settings(data), StoredPacks(engine)


@contextmanager
def _without_log(on: bool) -> Any:
    """The log append, and the label history rows that carry its indexes, replaced by nothing (for the figure
    without the log)."""
    if not on:
        yield
        return
    with (
        mock.patch("registry.service.labels.tlog.append_events", lambda session, events: []),
        mock.patch("registry.service.labels.label_history.record_issued", lambda *args: None),
    ):
        yield


def _rate(n: int, run: Callable[[], None]) -> tuple[float, float]:
    start_cpu, start = time.process_time(), time.perf_counter()
    run()
    return n / (time.perf_counter() - start), n / (time.process_time() - start_cpu)


def issuing(count: int) -> dict[str, float]:
    from registry.packs.catalog import Catalog
    from registry.service import labels as svc
    from registry.service.bootstrap import DEMO_CERTIFIER
    from registry.storage.db import session_scope

    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    numbers = iter(range(10**9))
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-tlog-") as tmp:
        engine, settings, packs = _service(Path(tmp) / "data")

        def request() -> Any:
            return svc.IssueRequest(declaration=example, gtin=GTIN, batch=f"B{next(numbers)}")

        def singles(n: int) -> None:
            for _ in range(n):
                with session_scope(engine) as s:
                    svc.issue_label(
                        s, packs, settings, certifier=DEMO_CERTIFIER, request=request(), now=datetime.now(UTC)
                    )

        def batches(n: int) -> None:
            for _ in range(n // CHUNK):
                with session_scope(engine) as s:
                    reqs = [request() for _ in range(CHUNK)]
                    svc.issue_labels(s, packs, settings, certifier=DEMO_CERTIFIER, requests=reqs, now=datetime.now(UTC))

        singles(50)  # warm up
        for without in (False, True, False, True):  # alternating rounds, so neither gets a warmer machine
            name = "without the log" if without else "with the log"
            with _without_log(without):
                single, single_cpu = _rate(count, lambda: singles(count))
                n = max(CHUNK, count // CHUNK * CHUNK)
                batch, batch_cpu = _rate(n, functools.partial(batches, n))
            figures[f"single {name}"] = max(figures.get(f"single {name}", 0), single)
            figures[f"batch {name}"] = max(figures.get(f"batch {name}", 0), batch)
            print(
                f"{name:16s} one per transaction {single:7,.0f} labels/s ({single_cpu:,.0f} per CPU-s); "
                f"{CHUNK} per transaction {batch:7,.0f} labels/s ({batch_cpu:,.0f} per CPU-s)",
                flush=True,
            )
        engine.dispose()
    return figures


def log_alone(entries: int) -> None:
    from registry.service import tlog as log_svc
    from registry.storage import tlog as log_store
    from registry.storage.db import session_scope

    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-tlog-alone-") as tmp:
        engine, settings, _ = _service(Path(tmp) / "data")
        at = datetime.now(UTC)
        fields = {"label_id": "A" * 16, "certifier": "demo-certifier", "state": "suspended"}

        def append() -> None:
            for _ in range(entries // CHUNK):
                with session_scope(engine) as s:
                    log_svc.append_events(s, [log_svc.Event("label.suspend", fields, at)] * CHUNK)

        rate, cpu = _rate(entries // CHUNK * CHUNK, append)
        with session_scope(engine, write=False) as s:
            size, _ = log_store.head(s)
        print(
            f"appending alone: {rate:,.0f} entries/s ({cpu:,.0f} per CPU-s), {CHUNK} per transaction; log size {size:,}"
        )
        proofs = 500

        def prove() -> None:
            with session_scope(engine, write=False) as s:
                for i in range(proofs):
                    log_svc.entry_proof(s, settings.registry_key, settings.public_url, (i * 7919) % size)

        rate, _ = _rate(proofs, prove)
        print(f"inclusion proof with its signed checkpoint at size {size:,}: {rate:,.0f} per second")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issue", type=int, default=2000, help="labels per round (default 2000)")
    parser.add_argument("--entries", type=int, default=100_000, help="entries for the log-alone figure")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    print(f"== issuing {args.issue} labels per round in process (SQLite), with and without the log", flush=True)
    figures = issuing(args.issue)
    best_with = max(figures["single with the log"], figures["batch with the log"])
    print(
        f"target: {TARGET_ISSUED:,} labels/s with the log -> {'met' if best_with >= TARGET_ISSUED else 'NOT met'} "
        f"(batch {figures['batch with the log']:,.0f}/s, without the log {figures['batch without the log']:,.0f}/s; "
        f"single {figures['single with the log']:,.0f}/s, without {figures['single without the log']:,.0f}/s)"
    )
    print(f"== the log alone ({args.entries:,} entries)", flush=True)
    log_alone(args.entries)


if __name__ == "__main__":
    main()
