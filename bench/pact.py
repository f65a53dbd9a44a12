"""PACT ListFootprints: pages of 100 at 1,000 and at 100,000 stored footprints, p50/p99 per page.

For each size N: a fresh data directory (SQLite, or ``--database-url``), ``pcfreg init``, one partner
client, and N footprints shared with it (the aluminium example with a fresh id each, written in bulk
through the same tables and stored form the host reads: pact_footprint, its filter keys, pact_share). Then, in
process (httpx over the ASGI app, over "https"), ``--requests`` ListFootprints calls with
``limit=100``, each starting at a random depth through a signed cursor (the ``Link`` a client would
follow), so deep pages are measured as often as the first; and the same with a filter
(``geography=CN&status=Active``). The figures printed are the time per page as the client sees it,
JSON body included. Keyset pagination means the 100,000 figure should stay near the 1,000 one.

Run: python bench/pact.py [--sizes 1000,100000] [--requests 300] [--database-url URL]
Target: p99 < 50 ms per page of 100 at 100,000 footprints.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from registry.api.app import build_context, create_app
from registry.api.pact import cursors
from registry.canonical import sha256_digest
from registry.packs.catalog import Catalog
from registry.service.bootstrap import init_data_dir
from registry.service.pact_host import served_prefix
from registry.service.pact_query import footprint_keys, parse_criteria, validity
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import (
    CredentialCreate,
    CredentialKind,
    OrganisationCreate,
    OrgKind,
    PactFootprint,
    PactFootprintKey,
    PactShare,
    Validation,
)
from registry.storage.settings import StorageSettings

TARGET_P99_MS = 50.0
PAGE = 100
CHUNK = 2000


def _populate(engine: Any, n: int, client_id: str, now: datetime) -> list[str]:
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    assert example is not None
    vid = str(uuid.uuid4())
    digest = sha256_digest(example)
    with session_scope(engine) as s:
        s.add(
            Validation(
                id=vid,
                org_id="demo-certifier",
                pack_id="example-standards-body/aluminium-ingot",
                pack_version="1.2.0",
                pack_digest="sha256:" + "00" * 32,
                conformant=True,
                result={},
                declaration=example,
                declaration_digest=digest,
                created_at=now,
            )
        )
    start, end = validity(example)
    ids = sorted(str(uuid.uuid4()) for _ in range(n))
    for lo in range(0, n, CHUNK):
        chunk = ids[lo : lo + CHUNK]
        docs = [{**example, "id": pf_id} for pf_id in chunk]
        with session_scope(engine) as s:
            s.execute(
                insert(PactFootprint),
                [
                    {
                        "pf_id": d["id"],
                        "owner_org": "demo-certifier",
                        "validation_id": vid,
                        "declaration_digest": digest,
                        "served": served_prefix(d),
                        "status": "Active",
                        "valid_from": start,
                        "valid_until": end,
                        "created_at": now,
                    }
                    for d in docs
                ],
            )
            keys = [{"kind": k, "value": v, "pf_id": d["id"]} for d in docs for k, v in footprint_keys(d)]
            s.execute(insert(PactFootprintKey), keys)
            s.execute(
                insert(PactShare),
                [
                    {
                        "client_id": client_id,
                        "pf_id": pf_id,
                        "owner_org": "demo-certifier",
                        "active": True,
                        "shared_at": now,
                        "shared_by": "bench",
                    }
                    for pf_id in chunk
                ],
            )
    return ids


async def _measure(app: Any, token: str, urls: list[str]) -> list[float]:
    times = []
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://bench") as client:
        headers = {"Authorization": f"Bearer {token}"}
        for url in urls[:5]:  # warm-up
            await client.get(url, headers=headers)
        for url in urls:
            t0 = time.perf_counter()
            r = await client.get(url, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200 and len(r.json()["data"]) <= PAGE, r.text[:300]
    return times


def _urls(ctx: Any, ids: list[str], client_id: str, query: str, requests: int, now: datetime) -> list[str]:
    params = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    criteria = parse_criteria([(str(k), str(v)) for k, v in params])
    codec = cursors(ctx)
    out = []
    for _ in range(requests):
        at = random.randrange(0, max(len(ids) - PAGE, 1))
        cursor = codec.make(ids[at], client_id, criteria, now) if at else None
        q = f"limit={PAGE}" + (f"&{query}" if query else "") + (f"&cursor={cursor}" if cursor else "")
        out.append(f"/3/footprints?{q}")
    return out


def _run(n: int, requests: int, database_url: str | None) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-pact-") as tmp:
        data_dir = Path(tmp)
        now = datetime.now(UTC)
        init_data_dir(StorageSettings(data_dir=data_dir, database_url=database_url), now=now)
        ctx = build_context(data_dir, database_url=database_url)
        with session_scope(ctx.engine) as s:
            repo.create_organisation(s, OrganisationCreate(id="buyer", name="Buyer", kind=OrgKind.PLATFORM), now=now)
            issued = repo.create_credential(
                s, CredentialCreate(org_id="buyer", kind=CredentialKind.CLIENT_SECRET), now=now
            )
            client_id = issued.credential.client_id
        t0 = time.perf_counter()
        ids = _populate(ctx.engine, n, client_id, now)
        print(f"  stored {n:,} footprints in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        from registry.service.principal import Principal

        token, _ = ctx.tokens.issue(Principal("buyer", "platform", client_id, "token"), now + timedelta(seconds=1))
        app = create_app(ctx)
        out = {}
        for name, query in (("all", ""), ("geography=CN&status=Active", "geography=CN&status=Active")):
            times = asyncio.run(_measure(app, token, _urls(ctx, ids, client_id, query, requests, now)))
            qs = statistics.quantiles(times, n=100)
            out[name] = (statistics.median(times), qs[98])
        ctx.engine.dispose()
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {n: _run(n, args.requests, args.database_url) for n in sizes}
    print(f"ListFootprints, pages of {PAGE}, {args.requests} pages at random depths, in process (ms per page)")
    print(f"{'query':<28}" + "".join(f"{f'{n:,} p50':>14}{f'{n:,} p99':>14}" for n in sizes))
    for name in results[sizes[0]]:
        row = "".join(f"{results[n][name][0]:>14.1f}{results[n][name][1]:>14.1f}" for n in sizes)
        print(f"{name:<28}{row}")
    worst = max(r[1] for r in results[sizes[-1]].values())
    verdict = "meets" if worst < TARGET_P99_MS else "misses"
    print(f"p99 at {sizes[-1]:,}: {worst:.1f} ms ({verdict} the {TARGET_P99_MS:.0f} ms target)")


if __name__ == "__main__":
    main()
