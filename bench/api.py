"""Validations per second over HTTP, against ``pcfreg serve`` (uvicorn, 2 workers) on loopback.

Starts the server on 127.0.0.1 with a fresh temporary data directory (initialised on first start,
SQLite), reads the demo credentials it prints, gets a bearer token for demo-certifier, and drives
it from the same machine with wrk (``apt-get install -y wrk``) or, without wrk, with an
asyncio + httpx client holding N concurrent connections:

  * POST /v1/validations?store=false  single declarations, not stored
  * POST /v1/validations              single declarations, stored (201)
  * POST /v1/validations:batch?store=false  JSON Lines, --batch-lines declarations per request
  * POST /v1/labels                   single labels issued, one per transaction (201), each request its
                                      own batch number so that every one is a new label (issue 15); the
                                      server group-commits what queues up, PCFREG_LABEL_GROUP_MAX=1 in
                                      the environment makes it literally one label per transaction

The declaration is the aluminium example (``pcfreg packs example aluminium-ingot``). Each phase
runs for a bounded time; the server's process group is stopped at the end.

Run: python bench/api.py [--seconds 10] [--connections 16] [--batch-lines 2000] [--client auto|wrk|httpx]
                        [--phases not-stored,stored,batch,issue] [--rounds 1] [--database-url URL]
``--database-url`` serves from that (empty) PostgreSQL database instead: issue 15 compares the two.
Each phase also prints the server's CPU time per request (its workers' user + system time from /proc,
the steadiest figure on a shared machine) and the load average after it.
Targets: 5,000/s not stored; 1,500/s stored; p99 < 50 ms; batch 20,000 declarations/s; 1,000 labels/s.
With --rounds N the phases run N times in turn against the same server, each figure printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"
TARGET_NOT_STORED = 5_000
TARGET_STORED = 1_500
TARGET_P99_MS = 50.0
TARGET_BATCH = 20_000
TARGET_ISSUE = 1_000  # labels/s, one per transaction (issue 15)
GTIN = "09506000134352"

CRED_LINE = re.compile(r"^\s*(?P<org>[\w.-]+): client_id (?P<id>\S+)\s+client_secret (?P<secret>\S+)\s*$")


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    statuses: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# ------------------------------------------------------------------ server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, port: int, workers: int, database_url: str | None = None) -> None:
        self.port = port
        self.workers = workers
        self.output: list[str] = []
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DATABASE_URL", None)  # a fresh SQLite database in the temporary data dir
        if database_url:  # or the (empty) database named
            env["DATABASE_URL"] = database_url
        self.proc = subprocess.Popen(
            [
                *_pcfreg(),
                "serve",
                "--data-dir",
                str(data_dir),
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: uvicorn's supervisor and workers
        )
        self._serving = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line.rstrip("\n"))
            if line.startswith("serving on "):
                self._serving.set()

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        if not self._serving.wait(timeout):
            raise RuntimeError("pcfreg serve did not start:\n" + "\n".join(self.output))
        url = f"http://{HOST}:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("pcfreg serve exited:\n" + "\n".join(self.output))
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("pcfreg serve did not answer /healthz")

    def credentials(self) -> dict[str, tuple[str, str]]:
        out = {}
        for line in self.output:
            m = CRED_LINE.match(line)
            if m:
                out[m["org"]] = (m["id"], m["secret"])
        return out

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and its workers (Linux /proc; 0 elsewhere)."""
        total = 0
        for pid in [self.proc.pid, *_descendants(self.proc.pid)]:
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def _descendants(pid: int) -> list[int]:
    out = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out += [int(child), *_descendants(int(child))]
    return out


def _pcfreg() -> list[str]:
    exe = Path(sys.executable).with_name("pcfreg")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from registry.cli import main; main()"]


def _example() -> bytes:
    out = subprocess.run([*_pcfreg(), "packs", "example", "aluminium-ingot"], check=True, capture_output=True)
    return json.dumps(json.loads(out.stdout), separators=(",", ":")).encode()


# ------------------------------------------------------------------ load generators

WRK_SCRIPT = """
local function slurp(name)
  local f = assert(io.open(name, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end
local body = slurp(os.getenv("BENCH_BODY_FILE"))
local tail_file = os.getenv("BENCH_BODY_TAIL_FILE") or ""
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args) statuses = {} end

-- With a tail: every request's body is BODY .. "<thread>-<n>" .. TAIL, each one different
if tail_file ~= "" then
  local tail = slurp(tail_file)
  local n = 0
  function request()
    n = n + 1
    return wrk.format(nil, nil, nil, body .. tid .. "-" .. n .. tail)
  end
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%d": %d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "statuses": {%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
"""


def run_wrk(
    name: str,
    url: str,
    body: bytes,
    content_type: str,
    auth: str,
    seconds: float,
    connections: int,
    threads: int,
    tail: bytes | None = None,
) -> Result:
    """wrk POSTing ``body``; with ``tail``, each request's body is ``body + b"<thread>-<n>" + tail``."""
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-") as tmp:
        script = Path(tmp, "post.lua")
        script.write_text(WRK_SCRIPT)
        body_file = Path(tmp, "body")
        body_file.write_bytes(body)
        env = {**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_CONTENT_TYPE": content_type, "BENCH_AUTH": auth}
        if tail is not None:
            Path(tmp, "tail").write_bytes(tail)
            env["BENCH_BODY_TAIL_FILE"] = str(Path(tmp, "tail"))
        cmd = [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    data = json.loads(line[len("BENCH_JSON ") :])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(data["statuses"].items()))
    return Result(
        name, data["requests"], data["duration_us"] / 1e6, errors, data["p50_us"] / 1e3, data["p99_us"] / 1e3, statuses
    )


def run_httpx(
    name: str,
    url: str,
    body: bytes,
    content_type: str,
    auth: str,
    seconds: float,
    connections: int,
    ok: int,
    tail: bytes | None = None,
) -> Result:
    """As :func:`run_wrk`, with an asyncio + httpx client."""
    numbers = iter(range(1, 10**12))

    def body_of() -> bytes:
        return body if tail is None else body + f"h-{next(numbers)}".encode() + tail

    async def main() -> Result:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        headers = {"Content-Type": content_type, "Authorization": auth}
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            start = time.perf_counter()
            deadline = start + seconds

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < deadline:
                    t0 = time.perf_counter()
                    try:
                        r = await client.post(url, content=body_of(), headers=headers)
                        await r.aread()
                    except httpx.HTTPError:
                        errors += 1
                        continue
                    latencies.append(time.perf_counter() - t0)
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    if r.status_code != ok:
                        errors += 1

            await asyncio.gather(*(worker() for _ in range(connections)))
            elapsed = time.perf_counter() - start
        latencies.sort()

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1e3 if latencies else 0.0

        st = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        return Result(name, len(latencies), elapsed, errors, pct(50), pct(99), st)

    return asyncio.run(main())


# ------------------------------------------------------------------ main


def _check(client: httpx.Client, base: str, auth: str, decl: bytes, batch: bytes, lines: int) -> None:
    """One request of each kind, checked, before loading the server."""
    h = {"Authorization": auth, "Content-Type": "application/json"}
    r = client.post(f"{base}/v1/validations?store=false", content=decl, headers=h)
    assert r.status_code == 200 and r.json().get("conformant") is True, (r.status_code, r.text[:500])
    r = client.post(f"{base}/v1/validations", content=decl, headers=h)
    assert r.status_code == 201 and "id" in r.json(), (r.status_code, r.text[:500])
    r = client.post(
        f"{base}/v1/validations:batch?store=false",
        content=batch,
        headers={**h, "Content-Type": "application/jsonl"},
        timeout=120,
    )
    out = [json.loads(x) for x in r.content.splitlines() if x.strip()]
    assert r.status_code == 200 and len(out) == lines, (r.status_code, len(out))
    assert all(x.get("conformant") is True for x in out), out[:1]


PHASES = ("not-stored", "stored", "batch", "issue")


@dataclass
class Phase:
    key: str
    name: str
    url: str
    body: bytes
    content_type: str
    connections: int
    ok: int
    tail: bytes | None = None
    per_request: int = 1

    def target(self, decl_s: float, p99_ms: float) -> tuple[str, bool]:
        if self.key == "batch":
            return f"{TARGET_BATCH:,} decl/s", decl_s >= TARGET_BATCH
        if self.key == "issue":
            return f"{TARGET_ISSUE:,} labels/s", decl_s >= TARGET_ISSUE
        want = TARGET_STORED if self.key == "stored" else TARGET_NOT_STORED
        return f"{want:,}/s, p99 < {TARGET_P99_MS:g} ms", decl_s >= want and p99_ms < TARGET_P99_MS


def _phases(args: argparse.Namespace, base: str, decl: bytes, batch: bytes) -> list[Phase]:
    # Each label request is its own batch (the same request twice is one label): "<run>-<thread>-<n>",
    # the run's part drawn for each run of the phase (see main)
    head = b'{"gtin":"' + GTIN.encode() + b'","declaration":' + decl + b',"batch":"'
    all_phases = {
        "not-stored": Phase(
            "not-stored",
            "single, not stored",
            f"{base}/v1/validations?store=false",
            decl,
            "application/json",
            args.connections,
            200,
        ),
        "stored": Phase(
            "stored", "single, stored", f"{base}/v1/validations", decl, "application/json", args.connections, 201
        ),
        "batch": Phase(
            "batch",
            f"batch x{args.batch_lines}, not stored",
            f"{base}/v1/validations:batch?store=false",
            batch,
            "application/jsonl",
            args.batch_connections,
            200,
            per_request=args.batch_lines,
        ),
        "issue": Phase(
            "issue",
            "label issue, one each",
            f"{base}/v1/labels",
            head,
            "application/json",
            args.connections,
            201,
            tail=b'"}',
        ),
    }
    return [all_phases[k] for k in args.phases]


def _phase_list(text: str) -> list[str]:
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in PHASES]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(f"phases are {', '.join(PHASES)}; not {', '.join(unknown) or 'none'}")
    return keys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of each phase (bounded)")
    ap.add_argument("--connections", type=int, default=16, help="concurrent connections, single requests")
    ap.add_argument("--batch-connections", type=int, default=2, help="concurrent connections, batch")
    ap.add_argument("--batch-lines", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--phases", type=_phase_list, default=list(PHASES), help=f"comma-separated: {','.join(PHASES)}")
    ap.add_argument("--rounds", type=int, default=1, help="run the phases this many times in turn")
    ap.add_argument(
        "--database-url",
        help="serve from this PostgreSQL database (create an empty one of your own) instead of SQLite (issue 15)",
    )
    ap.add_argument("--figures-json", type=Path, help="also write each phase's figures here as JSON")
    args = ap.parse_args()
    seconds = min(max(args.seconds, 1.0), 60.0)

    wrk = shutil.which("wrk")
    use_wrk = args.client == "wrk" or (args.client == "auto" and wrk is not None)
    if use_wrk and wrk is None:
        ap.error("wrk not found (apt-get install -y wrk)")

    import uvicorn

    loop = "uvloop" if _importable("uvloop") else "asyncio"
    http = "httptools" if _importable("httptools") else "h11"
    decl = _example()
    batch = b"\n".join([decl] * args.batch_lines) + b"\n"
    port = _free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="pcfreg-bench-data-"))
    print("pcf-registry HTTP API benchmark")
    print(
        f"  server: pcfreg serve (uvicorn {uvicorn.__version__}, workers {args.workers}, loop {loop}, http {http}), "
        f"http://{HOST}:{port}, "
        + ("PostgreSQL (--database-url)" if args.database_url else "SQLite in a fresh temp data dir")
    )
    print(
        f"  client: {'wrk ' + _wrk_version() if use_wrk else 'Python asyncio + httpx ' + httpx.__version__}, "
        f"same machine, loopback only; {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; load average at start {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  declaration: aluminium-ingot example ({len(decl):,} bytes); batch: {args.batch_lines:,} lines "
        f"({len(batch) / 1e6:.1f} MB) per request; {seconds:g} s per phase, {args.rounds} round(s)"
    )

    server = Server(data_dir, port, args.workers, args.database_url)
    results: list[tuple[Phase, Result, float, float]] = []
    try:
        server.wait_ready()
        creds = server.credentials()
        if "demo-certifier" not in creds:
            raise RuntimeError("no demo-certifier credentials in the server output:\n" + "\n".join(server.output))
        base = f"http://{HOST}:{port}"
        with httpx.Client(timeout=30) as client:
            r = client.post(
                f"{base}/v1/auth/token", data={"grant_type": "client_credentials"}, auth=creds["demo-certifier"]
            )
            r.raise_for_status()
            auth = f"Bearer {r.json()['access_token']}"  # valid 15 minutes: enough for the run
            _check(client, base, auth, decl, batch, args.batch_lines)
            if "issue" in args.phases:
                _check_issue(client, base, auth, decl)

        for round_no in range(1, args.rounds + 1):
            for phase in _phases(args, base, decl, batch):
                if phase.tail is not None:  # a fresh run id: wrk's request numbers start again at 1
                    phase.body += os.urandom(4).hex().encode() + b"-"
                print(
                    f"  round {round_no}: {phase.name}: {phase.connections} connections, {seconds:g} s ...", flush=True
                )
                cpu_before = server.cpu_seconds()
                if use_wrk:
                    res = run_wrk(
                        phase.name,
                        phase.url,
                        phase.body,
                        phase.content_type,
                        auth,
                        seconds,
                        phase.connections,
                        2,
                        tail=phase.tail,
                    )
                else:
                    res = run_httpx(
                        phase.name,
                        phase.url,
                        phase.body,
                        phase.content_type,
                        auth,
                        seconds,
                        phase.connections,
                        phase.ok,
                        tail=phase.tail,
                    )
                cpu = server.cpu_seconds() - cpu_before
                results.append((phase, res, os.getloadavg()[0], cpu / max(res.requests, 1) * 1e6))
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    print()
    print(
        f"{'phase':<28}{'conc.':>6}{'req/s':>9}{'decl/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}"
        f"{'CPU us/req':>11}{'load':>6}  target"
    )
    verdicts = []
    for phase, res, load, cpu_us in results:
        decl_s = res.rps * phase.per_request
        target, ok = phase.target(decl_s, res.p99_ms)
        verdicts.append(ok and res.errors == 0)
        print(
            f"{res.name:<28}{phase.connections:>6}{res.rps:>9,.0f}{decl_s:>9,.0f}{res.p50_ms:>8.1f}{res.p99_ms:>8.1f}"
            f"{res.errors:>7}{cpu_us:>11,.0f}{load:>6.1f}  {target}: {'met' if ok else 'NOT met'}"
        )
        if res.statuses:
            print(f"{'':<28}statuses {res.statuses}")
    print(f"server stopped (process group {server.proc.pid}, exit {server.proc.returncode})")
    if args.figures_json:
        rows = [
            {"phase": res.name, "rps": res.rps, "p99_ms": res.p99_ms, "errors": res.errors, "cpu_us": cpu_us}
            for _, res, _, cpu_us in results
        ]
        args.figures_json.write_text(json.dumps(rows))
    return 0 if all(verdicts) else 1


def _check_issue(client: httpx.Client, base: str, auth: str, decl: bytes) -> None:
    """One label issued, and the same request again answered as a repeat, before loading the server."""
    body = b'{"gtin":"' + GTIN.encode() + b'","declaration":' + decl + b',"batch":"check"}'
    h = {"Authorization": auth, "Content-Type": "application/json"}
    r = client.post(f"{base}/v1/labels", content=body, headers=h)
    assert r.status_code == 201 and "token" in r.json(), (r.status_code, r.text[:500])
    again = client.post(f"{base}/v1/labels", content=body, headers=h)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"], (again.status_code, again.text[:500])


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    m = re.search(r"wrk (\S+)", out.stdout + out.stderr)
    return m.group(1) if m else "?"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as e:  # a run that failed: what failed, no traceback
        sys.exit(f"{Path(__file__).name}: {e}")
