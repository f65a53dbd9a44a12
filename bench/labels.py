"""Labels: issued per second, offline verifications per second, batch verification items per second over HTTP.

Three parts, each printing its figures and target:

1. Offline verification on one core: runs ``bench/labels_offline.py`` (bare ES256 verify against
   ``issuance.verify()`` in alternating rounds; target: our verify at least 70% of the bare rate).
2. Issuing through the service on SQLite, in process: validate, grade, sign, store, one transaction
   per label as the API does (target: 1,000 labels/s).
3. ``POST /v1/labels:verify`` over HTTP against ``pcfreg serve`` (uvicorn, 2 workers, SQLite), driven by
   wrk (or httpx) on the same machine: 1,000 label ids per request, and 1,000 tokens per request
   (target: 20,000 items/s on 2 cores).

Run: python bench/labels.py [--seconds 10] [--connections 8] [--issue 2000] [--skip-offline] [--skip-http]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api as api_bench

TARGET_ISSUED = 1_000
TARGET_BATCH_ITEMS = 20_000
GTIN = "09506000134352"


def offline(seconds: float) -> None:
    print("== offline verification (bench/labels_offline.py)", flush=True)
    script = Path(__file__).with_name("labels_offline.py")
    subprocess.run([sys.executable, str(script), "--seconds", str(seconds)], check=True)


def issuing(count: int) -> None:
    from registry.packs.catalog import Catalog
    from registry.service import labels as svc
    from registry.service.bootstrap import DEMO_CERTIFIER, init_data_dir
    from registry.service.packs import StoredPacks
    from registry.storage.db import make_engine, session_scope
    from registry.storage.settings import StorageSettings, database_url_for

    print(f"== issuing {count} labels in process (SQLite, one transaction each)", flush=True)
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-labels-") as tmp:
        data = Path(tmp) / "data"
        settings_storage = StorageSettings(data_dir=data, database_url=None)
        init_data_dir(settings_storage, now=datetime.now(UTC))
        engine = make_engine(database_url_for(settings_storage))
        settings = svc.load_settings(data)
        packs = StoredPacks(engine)
        example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
        request = svc.IssueRequest(declaration=example, gtin=GTIN)

        def one() -> None:
            with session_scope(engine) as s:
                svc.issue_label(s, packs, settings, certifier=DEMO_CERTIFIER, request=request, now=datetime.now(UTC))

        def many(n: int) -> None:
            with session_scope(engine) as s:
                done = svc.issue_labels(
                    s, packs, settings, certifier=DEMO_CERTIFIER, requests=[request] * n, now=datetime.now(UTC)
                )
            assert all(isinstance(d, svc.Issued) for d in done)

        for _ in range(50):
            one()
        start_cpu, start = time.process_time(), time.perf_counter()
        for _ in range(count):
            one()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        rate = count / wall
        print(f"one per transaction (POST /v1/labels): {rate:,.0f} labels/s wall ({count / cpu:,.0f} per CPU-second)")
        chunk = 500
        start_cpu, start = time.process_time(), time.perf_counter()
        for _ in range(max(1, count // chunk)):
            many(chunk)
        n = max(1, count // chunk) * chunk
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        batch_rate = n / wall
        print(
            f"{chunk} per transaction (POST /v1/labels:batch): {batch_rate:,.0f} labels/s wall "
            f"({n / cpu:,.0f} per CPU-s)"
        )
        engine.dispose()
    best = max(rate, batch_rate)
    print(
        f"target: {TARGET_ISSUED:,}/s -> {'met' if best >= TARGET_ISSUED else 'NOT met'} (batch); "
        f"single: {'met' if rate >= TARGET_ISSUED else 'NOT met'}"
    )


def http(seconds: float, connections: int, client: str) -> None:
    print("== POST /v1/labels:verify over HTTP (uvicorn, 2 workers, SQLite)", flush=True)
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-http-") as tmp:
        server = api_bench.Server(Path(tmp) / "data", api_bench._free_port(), workers=2)
        try:
            server.wait_ready()
            base = f"http://{api_bench.HOST}:{server.port}"
            creds = server.credentials()
            token = httpx.post(
                f"{base}/v1/auth/token", data={"grant_type": "client_credentials"}, auth=creds["demo-certifier"]
            ).json()["access_token"]
            auth = f"Bearer {token}"
            example = json.loads(api_bench._example())
            ids, tokens = [], []
            with httpx.Client(timeout=60) as c:
                for _ in range(1000):
                    r = c.post(
                        f"{base}/v1/labels",
                        json={"declaration": example, "gtin": GTIN},
                        headers={"Authorization": auth},
                    )
                    r.raise_for_status()
                    ids.append(r.json()["id"])
                    tokens.append(r.json()["token"])
                for name, items in (
                    ("ids", [{"label_id": i} for i in ids]),
                    ("tokens", [{"token": t} for t in tokens]),
                ):
                    body = json.dumps({"items": items}).encode()
                    check = c.post(
                        f"{base}/v1/labels:verify",
                        content=body,
                        headers={"Authorization": auth, "Content-Type": "application/json"},
                    )
                    check.raise_for_status()
                    assert all(x["status"] == "valid" for x in check.json()["results"]), check.text[:300]
                    url = f"{base}/v1/labels:verify"
                    if client == "wrk":
                        res = api_bench.run_wrk(name, url, body, "application/json", auth, seconds, connections, 2)
                    else:
                        res = api_bench.run_httpx(name, url, body, "application/json", auth, seconds, connections, 200)
                    rate = res.requests * len(items) / res.seconds
                    print(
                        f"{name:7s} {res.requests / res.seconds:8.1f} requests/s x {len(items)} = {rate:10,.0f} items/s"
                        f"  p50 {res.p50_ms:.1f} ms  p99 {res.p99_ms:.1f} ms  errors {res.errors}  [{res.statuses}]"
                    )
                    verdict = "met" if rate >= TARGET_BATCH_ITEMS else "NOT met"
                    print(f"        target: {TARGET_BATCH_ITEMS:,} items/s -> {verdict}")
        finally:
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--issue", type=int, default=2000)
    parser.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--skip-offline", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    client = args.client
    if client == "auto":
        client = "wrk" if api_bench.shutil.which("wrk") else "httpx"
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; client {client}")
    if not args.skip_offline:
        offline(min(args.seconds, 5))
    issuing(args.issue)
    if not args.skip_http:
        http(args.seconds, args.connections, client)
    return 0


if __name__ == "__main__":
    sys.exit(main())
