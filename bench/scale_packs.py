"""Packs at scale (issue 15): commands and selection with the bundled packs plus 200 and 500 more.

Generates copies of a bundled product pack, each with its own id, HS and CPC codes (and an
example declaration carrying them), into a temporary folder; checks a sample of them with
``pcfreg packs check``; then prints, per catalogue size, each figure with its ratio to the
bundled-only case in the same run:

* ``pcfreg packs list`` and ``pcfreg validate one.json``, wall time of a fresh process with a
  warm cache (median of --repeat runs; one unmeasured run first fills the cache);
* ``pcfreg validate one.json`` with the bundled packs and an empty cache (cold);
* one declaration validated in process, its pack selected by HS/CPC, and one naming its pack;
* ``pcfreg init`` publishing --serve-packs generated packs (each is signed, checked and compiled
  once: compile-bound), then ``pcfreg serve`` start-up with them all stored, until ``/healthz``
  answers (wall, and the CPU seconds of the server's processes by then).

Targets with 500 extra packs: validate < 1.0 s, packs list < 0.5 s (warm), selection within
1.2x and naming within 1.1x of the bundled-only time, serve < 5 s; cold validate with the
bundled packs < 300 ms. On a loaded machine wall times are inflated; compare the ratios.

Run: python bench/scale_packs.py [--sizes 0,200,500] [--repeat 3] [--serve-packs 500] [--no-serve]
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from registry.packs import Catalog, PackCache, validate_document
from registry.resources import rulepacks_dir
from registry.yamlpos import dump_yaml, load_with_positions

NOW = datetime(2026, 6, 30, tzinfo=UTC)
TEMPLATE = "products/aluminium-ingot.yaml"
TEMPLATE_REF = "example-standards-body/aluminium-ingot"
NAMESPACE = "example-standards-body"


def generate(folder: Path, count: int) -> list[dict[str, Any]]:
    """``count`` packs in ``folder``; their example declarations (each selects its own pack by code)."""
    template, _ = load_with_positions((rulepacks_dir() / TEMPLATE).read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    examples = []
    for i in range(count):
        data = copy.deepcopy(template)
        hs, cpc = f"98{i:04d}", f"9{i:04d}"  # outside every bundled pack's scope
        data["id"] = f"{NAMESPACE}/generated-{i:04d}"
        data["title"] = {"en": f"Generated pack {i} (bench/scale_packs.py)", "zh": f"生成的规则包 {i}"}
        data["scope"]["hs"], data["scope"]["cpc"] = [hs], [cpc]
        example = data["example"]
        example["productClassifications"] = [f"urn:pact:productclassification:un-cpc:{cpc}"]
        for ext in example.get("extensions", []):
            if isinstance(ext.get("data"), dict) and "classifications" in ext["data"]:
                ext["data"]["classifications"] = {"hs": [hs], "cpc": [cpc]}
        (folder / f"generated-{i:04d}.yaml").write_text(dump_yaml(data), encoding="utf-8")
        examples.append(example)
    return examples


CPU_SECONDS: list[float] = []  # per pcfreg() run: the child's user + system time (wall time lies on a busy machine)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _env(**extra: str) -> dict[str, str]:
    """The environment of a measured pcfreg: as installed, our modules' bytecode written once (pip writes it
    at install), not compiled from source on every run as PYTHONDONTWRITEBYTECODE would have it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | extra


def pcfreg(args: list[str], cache: Path, *, check: bool = True) -> float:
    env = _env(PCFREG_CACHE_DIR=str(cache))
    cpu, start = _children_cpu(), time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "registry.cli", *args], capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    CPU_SECONDS.append(_children_cpu() - cpu)
    if check and run.returncode not in (0, 1):
        raise SystemExit(f"pcfreg {' '.join(args)} failed: {run.stderr.decode()[-2000:]}")
    return elapsed


def median_run(args: list[str], cache: Path, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` runs, after one that fills the cache."""
    pcfreg(args, cache)
    walls = [pcfreg(args, cache) for _ in range(repeat)]
    return statistics.median(walls), statistics.median(CPU_SECONDS[-repeat:])


def per_call(fn: Any, seconds: float = 1.0) -> float:
    """CPU microseconds per call of ``fn`` (after one call to warm up): on a machine shared with other work,
    wall time per call mostly measures the wait for a core."""
    fn()
    n, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for _ in range(20):
            fn()
        n += 20
    return (time.process_time() - start) / n * 1e6


def named(example: dict[str, Any], ref: str) -> dict[str, Any]:
    doc = copy.deepcopy(example)
    doc["pcf"]["productOrSectorSpecificRules"] = [
        {"operator": "Other", "otherOperatorName": "pcf-registry", "ruleNames": [ref]}
    ]
    return doc


def in_process(folder: Path | None, example: dict[str, Any], ref: str, cache: Path) -> tuple[float, float]:
    packs = Catalog.bundled(cache=PackCache(cache)).packs()
    if folder is not None:
        packs += Catalog.from_directory(folder, cache=PackCache(cache)).packs()
    catalog = Catalog(packs, cache=PackCache(cache))
    by_code = per_call(lambda: validate_document(catalog, example, pack=None, now=NOW))
    doc = named(example, ref)
    by_name = per_call(lambda: validate_document(catalog, doc, pack=None, now=NOW))
    return by_code, by_name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a running process and its descendants so far (Linux /proc)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _tree_cpu(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


def serve_start(folder: Path, data_dir: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the server's processes) from starting ``pcfreg serve`` until /healthz answers."""
    port = free_port()
    env = _env(PCFREG_CACHE_DIR=str(cache), PCFREG_PACKS_DIR=str(folder))
    start = time.perf_counter()
    args = [sys.executable, "-m", "registry.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while time.perf_counter() - start < 600:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - start, _tree_cpu(proc.pid)
            except OSError:
                time.sleep(0.05)
        raise SystemExit("serve did not answer within 600 s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,200,500", help="extra packs per case, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve-packs", type=int, default=500, help="generated packs published for serve")
    parser.add_argument("--no-serve", action="store_true")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")} | {0})
    bundled = len(Catalog.bundled().packs())
    with tempfile.TemporaryDirectory(prefix="scale-packs-") as tmp:
        root = Path(tmp)
        examples = generate(root / "all", max(sizes))
        for n in sizes[1:]:
            (root / f"n{n}").mkdir()
            for i in range(n):
                name = f"generated-{i:04d}.yaml"
                os.link(root / "all" / name, root / f"n{n}" / name)
        cache = root / "cache"
        largest = root / f"n{max(sizes)}" if max(sizes) else None
        if not args.no_serve and args.serve_packs > max(sizes):
            raise SystemExit("--serve-packs is at most the largest of --sizes")
        if largest is not None:
            sample = [largest / "generated-0000.yaml", largest / f"generated-{max(sizes) - 1:04d}.yaml"]
            pcfreg(["--packs-dir", str(largest), "packs", "check", *map(str, sample)], cache)
            print(f"packs check: ok for {', '.join(p.name for p in sample)} (a sample)")
        one = root / "one.json"
        one.write_bytes(orjson.dumps(examples[0] if examples else Catalog.bundled().resolve(TEMPLATE_REF).example))
        doc = root / "bundled.json"  # the bundled aluminium example: selects the bundled pack
        doc.write_bytes(orjson.dumps(Catalog.bundled().resolve(TEMPLATE_REF).example))
        cold = statistics.median(
            pcfreg(["validate", str(doc)], root / f"cold-{i}", check=True) for i in range(args.repeat)
        )
        cold_cpu = statistics.median(CPU_SECONDS[-args.repeat :])
        rows: list[tuple[str, list[float]]] = [
            ("pcfreg packs list (s, warm)", []),
            ("pcfreg validate one.json (s, warm)", []),
            ("pcfreg packs list (cpu s, warm)", []),
            ("pcfreg validate one.json (cpu s, warm)", []),
            ("one declaration, pack by HS/CPC (us cpu)", []),
            ("one declaration naming its pack (us cpu)", []),
        ]
        ref = f"{NAMESPACE}/generated-0000" if examples else TEMPLATE_REF
        example = examples[0] if examples else Catalog.bundled().resolve(TEMPLATE_REF).example
        for n in sizes:
            extra = ["--packs-dir", str(root / f"n{n}")] if n else []
            wall, cpu = median_run([*extra, "packs", "list"], cache, args.repeat)
            rows[0][1].append(wall)
            rows[2][1].append(cpu)
            if n == 0:  # the generated pack is not there: validate against the bundled aluminium pack
                wall, cpu = median_run(["validate", str(doc)], cache, args.repeat)
                base = Catalog.bundled().resolve(TEMPLATE_REF).example
                assert base is not None
                code_us, name_us = in_process(None, base, TEMPLATE_REF, cache)
            else:
                wall, cpu = median_run([*extra, "validate", str(one)], cache, args.repeat)
                assert example is not None
                code_us, name_us = in_process(root / f"n{n}", example, ref, cache)
            rows[1][1].append(wall)
            rows[3][1].append(cpu)
            rows[4][1].append(code_us)
            rows[5][1].append(name_us)
        print(f"load average {os.getloadavg()[0]:.1f} (wall times include the wait for a core)")
        header = " | ".join(f"{bundled + n} packs" for n in sizes)
        print(f"| measure | {header} |")
        print("|---|" + "---|" * len(sizes))
        for label, values in rows:
            cells = [f"{values[0]:.3g}"] + [f"{v:.3g} ({v / values[0]:.2f}x)" for v in values[1:]]
            print(f"| {label} | {' | '.join(cells)} |")
        print(f"cold pcfreg validate one.json, bundled packs, empty cache: {cold:.3f} s ({cold_cpu:.3f} s cpu)")
        if not args.no_serve:
            serve_packs = root / "serve-packs"
            serve_packs.mkdir()
            for i in range(min(args.serve_packs, max(sizes))):
                name = f"generated-{i:04d}.yaml"
                os.link(root / "all" / name, serve_packs / name)
            data_dir = root / "data"
            count = len(list(serve_packs.iterdir()))
            publish = pcfreg(["--packs-dir", str(serve_packs), "init", "--data-dir", str(data_dir)], cache)
            started, started_cpu = serve_start(serve_packs, data_dir, cache)
            print(f"pcfreg init publishing {count} generated packs: {publish:.1f} s")
            print(
                f"pcfreg serve with {bundled + count} packs stored: {started:.2f} s to answer /healthz "
                f"({started_cpu:.2f} CPU-s; target < 5 s: {'met' if started < 5 else 'NOT met'}; "
                f"load average {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as e:  # a run that failed: what failed, no traceback
        sys.exit(f"{Path(__file__).name}: {e}")
