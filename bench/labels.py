"""Labels: issued per second, offline verifications per second, batch verification items per second over HTTP.

Three parts, each printing its figures and target:

1. Offline verification on one core: runs ``bench/labels_offline.py`` (bare ES256 verify against
   ``issuance.verify()`` in alternating rounds; target: our verify at least 70% of the bare rate).
2. Issuing through the service on SQLite (or the PostgreSQL database ``--database-url`` or DATABASE_URL
   names: create one of your own), in process: validate, grade, sign, store, one transaction per label, then 500 per
   transaction (target: 1,000 labels/s); ``--preload N`` issues N labels first (issue 15 compares
   the two databases at 100k).
3. ``POST /v1/labels:verify`` over HTTP against ``pcfreg serve`` (uvicorn, 2 workers, SQLite), driven by
   wrk (or httpx) on the same machine: 1,000 label ids per request, and 1,000 tokens per request
   (target: 20,000 items/s on 2 cores).
4. ``pcfreg label issue FILE.jsonl`` on a batch file generated on the fly (a named pipe, nothing on
   disk), N lines (``--batch-lines``, 1,000,000 for the issue's figure; 5,000 by default, which runs
   in well under a minute): peak RSS (target under 250 MiB), time to the first result line (target
   within a second of starting the command), labels/s (target 1,500 on SQLite) - issue 15.
5. ``POST /v1/labels:batch`` with one line of ``--long-line-mb`` MB (256 for the issue's figure)
   between two good ones, against ``pcfreg serve`` (1 worker): the server's peak RSS (target under
   250 MB) and the answer for each line - issue 10.

Run: python bench/labels.py [--seconds 10] [--connections 8] [--issue 2000] [--skip-offline] [--skip-http]
                            [--batch-lines 5000] [--long-line-mb 256] [--skip-batch] [--database-url URL]
``bench/backends.py`` runs part 2 on PostgreSQL and SQLite in turn and prints their ratios (issue 15).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api as api_bench

TARGET_ISSUED = 1_000
TARGET_BATCH_ITEMS = 20_000
TARGET_BATCH_FILE_RATE = 1_500  # labels/s, issue 15
TARGET_PEAK_MIB = 250  # issues 10 and 15
TARGET_FIRST_RESULT_S = 1.0  # issue 15
GTIN = "09506000134352"


def offline(seconds: float) -> None:
    print("== offline verification (bench/labels_offline.py)", flush=True)
    script = Path(__file__).with_name("labels_offline.py")
    subprocess.run([sys.executable, str(script), "--seconds", str(seconds)], check=True)


def issuing(count: int, preload: int = 0, database_url: str | None = None) -> dict[str, float]:
    """Part 2; returns its figures (labels/s): ``preload``, ``single`` and ``batch``."""
    from registry.packs.catalog import Catalog
    from registry.service import labels as svc
    from registry.service.bootstrap import DEMO_CERTIFIER, init_data_dir
    from registry.service.packs import StoredPacks
    from registry.storage.db import make_engine, session_scope
    from registry.storage.settings import StorageSettings, database_url_for

    database_url = database_url or os.environ.get("DATABASE_URL") or None
    backend = "PostgreSQL" if database_url else "SQLite"
    print(f"== issuing {count} labels in process ({backend}, one transaction each)", flush=True)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-labels-") as tmp:
        data = Path(tmp) / "data"
        settings_storage = StorageSettings(data_dir=data, database_url=database_url)
        init_data_dir(settings_storage, now=datetime.now(UTC))
        engine = make_engine(database_url_for(settings_storage))
        settings = svc.load_settings(data)
        packs = StoredPacks(engine)
        example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
        numbers = iter(range(10**9))

        def request() -> svc.IssueRequest:  # each its own batch: the same request twice is one label
            return svc.IssueRequest(declaration=example, gtin=GTIN, batch=f"B{next(numbers)}")

        def one() -> None:
            with session_scope(engine) as s:
                svc.issue_label(s, packs, settings, certifier=DEMO_CERTIFIER, request=request(), now=datetime.now(UTC))

        def many(n: int) -> None:
            requests = [request() for _ in range(n)]
            with session_scope(engine) as s:
                done = svc.issue_labels(
                    s, packs, settings, certifier=DEMO_CERTIFIER, requests=requests, now=datetime.now(UTC)
                )
            assert all(isinstance(d, svc.Issued) and not d.repeat for d in done)

        if preload:  # the database holds this many labels first (issue 15: rates at 100k labels)
            start = time.perf_counter()
            for _ in range(0, preload, 500):
                many(500)
            figures["preload"] = preload / (time.perf_counter() - start)
            print(f"preloaded {preload:,} labels in batches of 500: {figures['preload']:,.0f}/s")
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
    figures |= {"single": rate, "batch": batch_rate}
    best = max(rate, batch_rate)
    print(
        f"target: {TARGET_ISSUED:,}/s -> {'met' if best >= TARGET_ISSUED else 'NOT met'} (batch); "
        f"single in process: {'met' if rate >= TARGET_ISSUED else 'NOT met'} (issue 15's single-label target is "
        "over HTTP, where requests are group-committed: bench/api.py --phases issue)"
    )
    return figures


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
                for i in range(1000):  # each its own batch: the same request twice would be one label
                    r = c.post(
                        f"{base}/v1/labels",
                        json={"declaration": example, "gtin": GTIN, "batch": f"H{i}"},
                        headers={"Authorization": auth},
                    )
                    assert r.status_code == 201, r.text
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


def _peak_rss_kib(pid: int) -> int:
    """The peak RSS (VmHWM) of a process, 0 once it is gone (Linux)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process so far (Linux; 0 once it is gone)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _descendants(pid: int) -> list[int]:
    out = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out += [int(child), *_descendants(int(child))]
    return out


class _PeakWatch:
    """Polls the peak RSS of a process and its children while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            for p in [self.pid, *_descendants(self.pid)]:
                self.peak_kib = max(self.peak_kib, _peak_rss_kib(p))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def _batch_lines(example: dict[str, object], n: int) -> Iterator[bytes]:
    head = b'{"gtin":"' + GTIN.encode() + b'","declaration":' + json.dumps(example).encode() + b',"batch":"'
    for i in range(n):
        yield head + f"B{i}".encode() + b'"}\n'


def batch_file(lines: int) -> None:
    """``pcfreg label issue FILE.jsonl`` on a file written on the fly into a named pipe."""
    from registry.packs.catalog import Catalog

    print(f"== pcfreg label issue FILE.jsonl, {lines:,} lines generated on the fly (SQLite)", flush=True)
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    assert example is not None
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-batch-") as tmp:
        data, fifo = Path(tmp) / "data", Path(tmp) / "requests.jsonl"
        # as installed: bytecode of our modules written once (pip does it at install), not compiled per run
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE")}
        subprocess.run(
            [*api_bench._pcfreg(), "init", "--data-dir", str(data)], check=True, capture_output=True, env=env
        )
        os.mkfifo(fifo)

        def write() -> None:
            with fifo.open("wb") as f:
                for line in _batch_lines(example, lines):
                    f.write(line)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        args = ["label", "issue", str(fifo), "--certifier", "demo-certifier", "--data-dir", str(data)]
        start = time.perf_counter()
        proc = subprocess.Popen([*api_bench._pcfreg(), *args], stdout=subprocess.PIPE, env=env)
        watch = _PeakWatch(proc.pid)
        assert proc.stdout is not None
        first, first_cpu, count, errors, previous = None, 0.0, 0, 0, 0
        for out in proc.stdout:
            if first is None:
                first, first_cpu = time.perf_counter() - start, _cpu_seconds(proc.pid)
            count += 1
            result = json.loads(out)
            errors += "error" in result
            assert result["line"] == previous + 1, "results out of order"
            previous = result["line"]
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own CPU time and peak RSS
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        peak = max(watch.stop(), usage.ru_maxrss) / 1024
        writer.join()
    issuing_time = wall - (first or 0)
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"{count:,} results for {lines:,} lines, {errors} errors, exit {proc.returncode}; {wall:,.1f} s: "
        f"{count / wall:,.0f} labels/s overall, {max(count - 1, 0) / issuing_time:,.0f} labels/s after the first; "
        f"{cpu:,.1f} CPU-s: {count / cpu:,.0f} labels per CPU-second (load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"first result after {first or 0:.2f} s, {first_cpu:.2f} CPU-s of pcfreg by then "
        f"(target {TARGET_FIRST_RESULT_S:g} s; on a loaded machine the wall time includes the wait for a core)"
    )
    print(f"peak RSS of pcfreg: {peak:,.0f} MiB (target < {TARGET_PEAK_MIB} MiB)")
    verdicts = (
        ("rate", count / wall >= TARGET_BATCH_FILE_RATE),
        ("memory", peak < TARGET_PEAK_MIB),
        ("first result", (first or 99) <= TARGET_FIRST_RESULT_S),
    )
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in verdicts))


def long_line(mb: int) -> None:
    """One ``mb`` MB line in a batch body: the server's peak memory, and what it answers."""
    print(f"== POST /v1/labels:batch with a {mb:,} MB line between two good ones (pcfreg serve, 1 worker)", flush=True)
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-longline-") as tmp:
        server = api_bench.Server(Path(tmp) / "data", api_bench._free_port(), workers=1)
        try:
            server.wait_ready()
            base = f"http://{api_bench.HOST}:{server.port}"
            token = httpx.post(
                f"{base}/v1/auth/token",
                data={"grant_type": "client_credentials"},
                auth=server.credentials()["demo-certifier"],
            ).json()["access_token"]
            example = json.loads(api_bench._example())
            good = json.dumps({"declaration": example, "gtin": GTIN, "batch": "LONG-1"}).encode() + b"\n"

            def body() -> Iterator[bytes]:
                yield good
                piece = b"x" * (1 << 20)
                for _ in range(mb):
                    yield piece
                yield b"\n" + good

            before = max(_peak_rss_kib(p) for p in [server.proc.pid, *_descendants(server.proc.pid)]) / 1024
            watch = _PeakWatch(server.proc.pid)
            start = time.perf_counter()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/jsonl"}
            r = httpx.post(f"{base}/v1/labels:batch", content=body(), headers=headers, timeout=600)
            wall = time.perf_counter() - start
            peak = watch.stop() / 1024
            answers = [json.loads(x) for x in r.text.splitlines()]
        finally:
            server.stop()
    print(f"status {r.status_code} in {wall:,.1f} s; answers:")
    for a in answers:
        print("  ", {k: (v if k != "token" else v[:12] + "...") for k, v in a.items()})
    print(f"server peak RSS: {peak:,.0f} MiB (at start {before:,.0f} MiB; target < {TARGET_PEAK_MIB} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--issue", type=int, default=2000)
    parser.add_argument("--preload", type=int, default=0, help="labels issued (in batches) before part 2 is timed")
    parser.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--skip-offline", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--batch-lines", type=int, default=5_000)
    parser.add_argument("--long-line-mb", type=int, default=256)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-long-line", action="store_true", help="part 4 without part 5")
    parser.add_argument("--only-batch", action="store_true", help="only parts 4 and 5")
    parser.add_argument("--database-url", help="part 2 on this (empty) PostgreSQL database, not SQLite")
    parser.add_argument("--figures-json", type=Path, help="write part 2's figures (labels/s) here as JSON")
    args = parser.parse_args()
    client = args.client
    if client == "auto":
        client = "wrk" if api_bench.shutil.which("wrk") else "httpx"
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; client {client}")
    if not args.only_batch:
        if not args.skip_offline:
            offline(min(args.seconds, 5))
        figures = issuing(args.issue, args.preload, args.database_url)
        if args.figures_json:
            args.figures_json.write_text(json.dumps(figures))
        if not args.skip_http:
            http(args.seconds, args.connections, client)
    if not args.skip_batch:
        batch_file(args.batch_lines)
        if not args.skip_long_line:
            long_line(args.long_line_mb)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as e:  # a run that failed: what failed, no traceback
        sys.exit(f"{Path(__file__).name}: {e}")
