"""Peak memory of `pcfreg validate FILE.jsonl` on a large JSON Lines stream.

Writes a JSONL file of the aluminium example (size --mb, default 1024), runs the CLI on it
in a child process with JSON Lines output to /dev/null, and prints its peak RSS and rate.
Target (issue 2): a 1 GB stream validates in under 200 MB of memory.

Run: python bench/stream_memory.py [--mb 1024] [--pack ID] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from registry.packs.catalog import Catalog


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--pack", default="example-standards-body/aluminium-ingot")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    example = Catalog.bundled().resolve(args.pack).example
    assert example is not None
    line = orjson.dumps(example) + b"\n"
    target = args.mb * 1024 * 1024
    fd, name = tempfile.mkstemp(suffix=".jsonl")
    path = Path(name)
    count = 0
    with os.fdopen(fd, "wb") as out:
        chunk = line * 1000
        while count * len(line) < target:
            out.write(chunk)
            count += 1000
    size = path.stat().st_size
    exe = Path(sys.executable).parent / "pcfreg"
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.run(
            [str(exe), "validate", str(path), "--pack", args.pack, "--format", "json", "--at", "2026-06-30T00:00:00Z"],
            stdout=sink,
            stderr=subprocess.PIPE,
            check=False,
        )
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if not args.keep:
        path.unlink()
    print(f"stream: {size / 1e6:,.0f} MB, {count:,} declarations of {len(line):,} bytes")
    print(f"exit code {proc.returncode}; {elapsed:,.1f} s; {count / elapsed:,.0f} declarations/s")
    print(f"peak RSS of pcfreg: {peak_kb / 1024:,.0f} MiB (target < 200 MB)")
    if proc.returncode not in (0,):
        print(proc.stderr.decode()[-2000:])


if __name__ == "__main__":
    main()
