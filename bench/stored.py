"""CPU per stored validation in process, split into its steps (issue 15).

What ``POST /v1/validations`` does for a stored validation beyond a not-stored one is the
group-committed insert (``registry.service.writer``). This runs the steps of that path on a
fresh SQLite database (the aluminium example, groups of --group validations per transaction,
as 16 connections over 2 workers give) and prints the CPU time (time.process_time) and wall
time per validation of each:

  * validate: validate_one's work (the pack's validation) and the response body (orjson bytes)
  * store via the writer: ``ValidationWriter.insert`` of each, a group at a time (asyncio.gather, the
    group gathered, the transaction in a worker thread, each caller answered)
  * store, transaction only: the writer's transaction function on the same groups (gate, insert, commit)

Run: python bench/stored.py [--validations 5000] [--group 8] [--profile]
No target of its own: issue 15's 1,500 stored/s over HTTP is bench/api.py's; these show where the
CPU of a stored validation goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from registry.packs import validate_document
from registry.packs.catalog import Catalog
from registry.service.writer import ValidationWriter, _insert_all, _Item
from registry.storage import repo
from registry.storage.db import make_engine, migrate, session_scope
from registry.storage.models import OrganisationCreate, OrgKind

NOW = datetime(2026, 6, 30, tzinfo=UTC)


def _setup(folder: Path) -> tuple[Any, Any, dict[str, Any]]:
    engine = make_engine(f"sqlite:///{folder / 'pcfreg.db'}")
    migrate(engine)
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id="cert", name="Cert", kind=OrgKind.CERTIFIER), now=NOW)
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    assert example is not None
    return engine, Catalog.bundled(), dict(example)


def _figures(label: str, n: int, cpu: float, wall: float) -> None:
    print(f"{label:<44} {cpu / n * 1e6:8.1f} us CPU {wall / n * 1e6:8.1f} us wall per validation")


async def _run(engine: Any, packs: Any, example: dict[str, Any], n: int, group: int) -> None:
    writer = ValidationWriter(engine)
    documents = [orjson.loads(orjson.dumps(example)) for _ in range(n)]
    results = [validate_document(packs, d, pack=None, now=NOW) for d in documents[:50]]  # warm up
    c0, w0 = time.process_time(), time.perf_counter()
    results = [validate_document(packs, d, pack=None, now=NOW) for d in documents]
    bodies = [orjson.dumps(r.to_json()) for r in results]
    c1, w1 = time.process_time(), time.perf_counter()
    for start in range(0, n, group):
        chunk = range(start, min(start + group, n))
        await asyncio.gather(*(writer.insert("cert", results[i], documents[i], NOW) for i in chunk))
    c2, w2 = time.process_time(), time.perf_counter()
    unused: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
    for start in range(0, n, group):  # the same groups, straight into the writer's transaction function
        chunk = range(start, min(start + group, n))
        _insert_all(engine, [_Item("cert", results[i], documents[i], NOW, unused) for i in chunk])
    c3, w3 = time.process_time(), time.perf_counter()
    assert len(bodies) == n
    _figures("validate + response body", n, c1 - c0, w1 - w0)
    _figures(f"store (groups of {group}), via the writer", n, c2 - c1, w2 - w1)
    _figures(f"store (groups of {group}), transaction only", n, c3 - c2, w3 - w2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--validations", type=int, default=5000)
    parser.add_argument("--group", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="cProfile the run; print the top 40 by own time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine, packs, example = _setup(Path(tmp))
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        asyncio.run(_run(engine, packs, example, args.validations, args.group))
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(40)
        engine.dispose()


if __name__ == "__main__":
    main()
