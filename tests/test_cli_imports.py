"""What ``pcfreg validate`` loads: not the HTTP stack, the database, or modules the command does not use.

Structural, not timed: the module names a subprocess imports (``python -X importtime``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from registry.cli import crosswalk as cli_crosswalk
from registry.crosswalk import FORMATS
from registry.packs.catalog import Catalog

NOT_FOR_VALIDATION = (
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlmodel",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "httpx",
    "cryptography",  # signing
    "lxml",  # ILCD conversion
    "pint",  # factor sets
    "segno",  # labels
    "cbor2",
    "registry.api",
    "registry.service",
    "registry.storage",
    "registry.crosswalk",
    "registry.packs.signing",
    "registry.packs.diff",
)
COMPILER = ("lark", "celpy", "registry.packs.cel.compiler", "registry.packs.cel.syntax")
# What a command with its packs from the cache (or the prebuilt entries of the bundled ones) does not need:
# issue 15's start-up budget. Findings are dataclasses; the command modules of other groups load on use.
NOT_AT_START_UP = (
    "pydantic",
    "yaml",
    "registry.yamlparse",
    "registry.declarations.pact_upgrade",
    "registry.cli.labels",
    "registry.cli.serve",
    "registry.cli.pact",
)


def _imported(args: list[str], cache: Path) -> set[str]:
    env = {**os.environ, "PCFREG_CACHE_DIR": str(cache)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "registry.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


def _offenders(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_validate_does_not_import_the_api_stack(tmp_path: Path, catalog: Catalog) -> None:
    declaration = tmp_path / "one.json"
    declaration.write_bytes(orjson.dumps(_example(catalog)))
    cold = _imported(["validate", str(declaration)], tmp_path / "cache")  # the bundled packs' prebuilt entries serve
    assert _offenders(cold, NOT_FOR_VALIDATION + COMPILER + NOT_AT_START_UP) == []
    warm = _imported(["validate", str(declaration)], tmp_path / "cache")
    assert _offenders(warm, NOT_FOR_VALIDATION + COMPILER + NOT_AT_START_UP) == []  # the compiled pack is cached
    assert "registry.packs.engine" in warm  # and the probe sees what was imported


def test_packs_list_does_not_import_the_compiler(tmp_path: Path) -> None:
    modules = _imported(["packs", "list"], tmp_path / "cache")
    assert _offenders(modules, NOT_FOR_VALIDATION + COMPILER + NOT_AT_START_UP) == []


def test_the_crosswalk_formats_of_the_command_line_are_those_of_the_renderer() -> None:
    assert cli_crosswalk.FORMATS == FORMATS


def _example(catalog: Catalog) -> Any:
    example = catalog.resolve("example-standards-body/aluminium-ingot").example
    assert example is not None
    return example


def test_the_asgi_app_freezes_what_start_up_made(tmp_path: Path) -> None:
    """Start-up objects are out of the collector's generations, so a full collection in a request is short."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PCFREG_DATA_DIR"] = str(tmp_path / "data")
    probe = "import gc, registry.api.asgi; print(gc.get_freeze_count())"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert int(run.stdout.strip()) > 10_000


def test_a_stalled_log_reader_does_not_stall_requests() -> None:
    """Access lines are queued and written by a thread of their own: with a pipe nobody reads (full after
    64 KiB), logging still returns at once, and every line arrives once the reader reads (issue 15)."""
    import logging
    import threading

    from registry.api.asgi import queued_logging

    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w", buffering=1)
    logger = logging.getLogger("pcfreg.test-stalled-reader")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    listener = queued_logging(logger, stream)
    line = "x" * 200

    def log_lots() -> None:
        for _ in range(2_000):  # about 400 KB: far beyond what the pipe holds
            logger.info(line)

    writer = threading.Thread(target=log_lots, daemon=True)
    writer.start()
    writer.join(timeout=20)
    stalled = writer.is_alive()
    received = bytearray()
    while received.count(b"\n") < 2_000:  # the reader catches up: every line arrives
        received += os.read(read_end, 1 << 16)
    writer.join()
    listener.stop()
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    stream.close()
    os.close(read_end)
    assert not stalled
    assert received.count(b"\n") == 2_000 and received.startswith(line.encode() + b"\n")


def test_packs_list_reads_the_summaries_not_the_catalog(tmp_path: Path) -> None:
    """With the summaries stored, listing loads no pack: neither the catalog, the engine nor the schema checks."""
    cache = tmp_path / "cache"
    _imported(["packs", "list"], cache)
    warm = _imported(["packs", "list"], cache)
    assert _offenders(warm, ("registry.packs.catalog", "registry.packs.engine", "registry.packs.rulepack")) == []
    assert _offenders(warm, ("jsonschema_rs", "registry.schemas", "registry.declarations")) == []
    # the probe sees the listing's own imports (a module imported by the lazy face's importlib is not logged)
    assert {"registry.packs", "registry.semver"} <= warm


_MODULES_AFTER = """
import sys
from registry.cli import main
try:
    main(sys.argv[2:], prog_name="pcfreg")
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    out.write("\\n".join(sorted(sys.modules)))
"""


def _modules_after(args: list[str], cache: Path, listing: Path) -> set[str]:
    """Every module loaded once the command ends (sys.modules: also those a lazy face loads)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"PCFREG_CACHE_DIR": str(cache)}
    run = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER, str(listing), *args], capture_output=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return set(listing.read_text().split())


def test_issuing_a_batch_loads_neither_the_pages_nor_the_api(tmp_path: Path, catalog: Catalog) -> None:
    """What the first result line of ``pcfreg label issue FILE.jsonl`` need not wait for (issue 15)."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    _modules_after(["init", "--data-dir", str(data)], cache, tmp_path / "init.txt")
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(orjson.dumps({"declaration": _example(catalog), "gtin": "09506000134352"}) + b"\n")
    args = ["label", "issue", str(batch), "--certifier", "demo-certifier", "--data-dir", str(data)]
    modules = _modules_after(args, cache, tmp_path / "issue.txt")
    pages = (
        "issuance.page",
        "issuance.label_svg",
        "issuance.info_pages",
        "issuance.label_pdf",
        "registry.catalogues.page",
    )
    unused = (*pages, "issuance.bulk", "issuance.verify", "segno")
    banned = ("fastapi", "starlette", "uvicorn", "alembic", "registry.api", *unused)
    assert _offenders(modules, banned) == []
    assert {"issuance.token", "registry.service.labels"} <= modules  # it did issue


def test_a_lazy_member_named_as_its_submodule_stays_the_member() -> None:
    """``issuance.verify`` (the function) is defined in ``issuance/verify.py``: importing that module first,
    as bulk verification does, must not turn ``from issuance import verify`` into the module."""
    probe = "import issuance.bulk\nfrom issuance import verify\nprint(callable(verify), type(verify).__name__)"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["True", "function"]
