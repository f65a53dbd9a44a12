"""PostgreSQL against SQLite, issuing labels in process: issue 15's "PostgreSQL issue rate within 1.3x of
SQLite's at 100k labels", printed as ratios.

Runs part 2 of ``bench/labels.py`` (each run a process of its own, on a fresh database: a temporary SQLite
file, or a PostgreSQL database this script creates on the server ``--postgresql`` names and drops after)
in pairs, the order alternating (PostgreSQL first, then SQLite first: a machine that slows or speeds up
during the run favours neither). Each run issues ``--preload`` labels in 500-label transactions, then
``--issue`` labels one per transaction, then the same number 500 per transaction. Printed for each pair:
the three rates on each database and PostgreSQL's time per label as a multiple of SQLite's (1.30x: 30 %
slower), against the target 1.3x. With ``--http-seconds S`` (default 8; 0 leaves it out) each pair also
runs ``bench/api.py --phases issue`` on each database: single labels over HTTP, 16 connections, which
the server group-commits (ADR 0037), for S seconds.

Both databases run on this machine's cores: PostgreSQL's server processes take CPU that SQLite, inside
the process, spends there itself. Both wait at each commit for its WAL to reach the disk: PostgreSQL's
``synchronous_commit`` is left as the server has it (on, ADR 0028), SQLite runs with ``synchronous=FULL``
(ADR 0041).

Run: python bench/backends.py [--postgresql postgresql://postgres@127.0.0.1:5432/postgres]
                              [--preload 100000] [--issue 2000] [--pairs 2] [--http-seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

T = TypeVar("T")
TARGET_RATIO = 1.3  # issue 15
MEASURES = {
    "preload": "preload 0 -> N, 500 a transaction",
    "batch": "500 a transaction, N stored",
    "single": "one a transaction, N stored",
    "http": "over HTTP, one a request",
}


def run(args: argparse.Namespace, database_url: str | None) -> dict[str, float]:
    """One run of bench/labels.py part 2; its figures."""
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-backends-") as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, str(Path(__file__).with_name("labels.py")), "--skip-offline", "--skip-http"]
        cmd += ["--skip-batch", "--issue", str(args.issue), "--preload", str(args.preload), "--figures-json", str(out)]
        if database_url:
            cmd += ["--database-url", database_url]
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        figures: dict[str, float] = json.loads(out.read_text())
        return figures


def run_http(args: argparse.Namespace, database_url: str | None) -> float:
    """Labels/s of bench/api.py's issue phase (single labels over HTTP), on a fresh database."""
    with tempfile.TemporaryDirectory(prefix="pcfreg-bench-backends-") as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, str(Path(__file__).with_name("api.py")), "--seconds", str(args.http_seconds)]
        cmd += ["--phases", "issue", "--figures-json", str(out)]
        if database_url:
            cmd += ["--database-url", database_url]
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        subprocess.run(cmd, check=False, env=env, stdout=subprocess.DEVNULL)  # exit 1: its own target not met
        (row,) = json.loads(out.read_text())
        if row["errors"]:
            raise RuntimeError(f"bench/api.py: {row['errors']} failed requests")
        return float(row["rps"])


def on_sqlite(args: argparse.Namespace) -> dict[str, float]:
    figures = run(args, None)
    if args.http_seconds > 0:
        figures["http"] = run_http(args, None)
    return figures


def on_postgresql(args: argparse.Namespace, name: str) -> dict[str, float]:
    """The runs, each on a new PostgreSQL database ``name``, dropped afterwards."""
    figures = _fresh_database(args, name, lambda url: run(args, url))
    if args.http_seconds > 0:
        figures["http"] = _fresh_database(args, name, lambda url: run_http(args, url))
    return figures


def _fresh_database(args: argparse.Namespace, name: str, use: Callable[[str], T]) -> T:
    server = make_url(args.postgresql).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            return use(server.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgresql",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a database on the server to use (the runs' databases are created and dropped there)",
    )
    parser.add_argument("--preload", type=int, default=100_000)
    parser.add_argument("--issue", type=int, default=2_000)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--http-seconds", type=float, default=8, help="0: no HTTP run")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"== PostgreSQL ({make_url(args.postgresql).render_as_string()}) against SQLite, N = {args.preload:,}")
    ratios: dict[str, list[float]] = {m: [] for m in MEASURES}
    for pair in range(1, args.pairs + 1):
        order = ["postgresql", "sqlite"] if pair % 2 else ["sqlite", "postgresql"]
        got: dict[str, dict[str, float]] = {}
        for backend in order:
            name = f"pcfreg_bench_{os.getpid()}_{pair}"
            got[backend] = on_postgresql(args, name) if backend == "postgresql" else on_sqlite(args)
        print(f"pair {pair} ({' then '.join('PostgreSQL' if b == 'postgresql' else 'SQLite' for b in order)}):")
        for measure, label in MEASURES.items():
            if measure not in got["sqlite"]:
                continue
            pg, lite = got["postgresql"][measure], got["sqlite"][measure]
            ratio = lite / pg  # PostgreSQL's time per label over SQLite's
            ratios[measure].append(ratio)
            verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
            print(
                f"  {label:<36} PostgreSQL {pg:7,.0f}/s  SQLite {lite:7,.0f}/s  {ratio:.2f}x  "
                f"(within {TARGET_RATIO}x: {verdict})",
                flush=True,
            )
    print("summary, PostgreSQL's time per label as a multiple of SQLite's:")
    for measure, label in MEASURES.items():
        rs = ratios[measure]
        if not rs:
            continue
        met = sum(r <= TARGET_RATIO for r in rs)
        listed = ", ".join(f"{r:.2f}x" for r in rs)
        print(f"  {label:<36} {listed}: within {TARGET_RATIO}x in {met} of {len(rs)} pairs")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as e:  # a run that failed: what failed, no traceback
        sys.exit(f"{Path(__file__).name}: {e}")
    except OperationalError as e:  # the PostgreSQL server named is not there
        sys.exit(f"{Path(__file__).name}: PostgreSQL: {' '.join(str(e.orig).split())}")
