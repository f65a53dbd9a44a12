"""``pcfreg log``: the registry's transparency log, checked offline against the pinned registry key.

* ``pcfreg log verify PROOF`` - a label's (or any entry's) C2SP tlog-proof: the checkpoint signed by the
  registry, the entry included in it; prints the entry.
* ``pcfreg log monitor OLD [NEW]`` - that the log of checkpoint NEW extends the log of checkpoint OLD
  (RFC 6962 consistency, computed from the log's tiles), and that NEW is not older than the newest
  checkpoint this machine saw of that log; NEW is then remembered (``log-seen.json``).

Exit codes: 0 checked; 1 checked and found false (a proof that fails, a rewritten or rolled-back log);
2 unusable input (no pinned key, a malformed proof or note, an unreachable log).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from registry.cli.common import (
    EXIT_NOT_VALID,
    REGISTRY_KEY_ENV,
    config_dir,
    data_dir_option,
    dumps,
    guarded,
    open_data_dir,
    registry_trust_root,
    write_config_file,
)
from registry.errors import InputError, Location

LOG_SEEN_FILE = "log-seen.json"
FETCH_TIMEOUT_SECONDS = 10.0
MAX_FETCH_BYTES = 1 << 20  # a full tile is 8,192 bytes, a full entry bundle at most 256 x 65,537
_KEY_HELP = (
    f"The registry's public key set (JWKS) checkpoints must be signed by; default: {REGISTRY_KEY_ENV}, "
    "then the key pinned with `pcfreg trust pin`."
)
_FAILED = ("inclusion_failed", "inconsistent", "bad_signature", "rolled_back")


@click.group("log")
def log() -> None:
    """The registry's transparency log: check an entry's proof, or that the log was never rewritten."""


@log.command("verify")
@click.argument("proof")
@click.option("--registry-key", type=click.Path(dir_okay=False), help=_KEY_HELP)
@click.option("--origin", help="The log the checkpoint must be of (say registry.example/tlog); default: any.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def log_verify(proof: str, registry_key: str | None, origin: str | None, fmt: str) -> None:
    """Check PROOF (a file of GET /v1/labels/ID/log-proof, or '-'): exit 0 when the entry it carries is in
    the log of a checkpoint the registry signed, 1 when not."""
    import orjson

    from issuance import LogError, tlog

    parsed = tlog.parse_offline_proof(_text(proof))
    try:
        checkpoint = _with_pinned_keys(registry_key, lambda k: tlog.verify_offline_proof(parsed, k, origin=origin))
    except LogError as e:
        _refuted(e)
    entry: Any = parsed.extra or b""
    try:
        entry = orjson.loads(entry)
    except orjson.JSONDecodeError:
        entry = entry.hex()
    out = {"ok": True, "index": parsed.index, "origin": checkpoint.origin, "tree_size": checkpoint.size, "entry": entry}
    if fmt == "json":
        click.echo(dumps(out))
    else:
        click.echo(f"included: entry {parsed.index} of {checkpoint.origin} (checkpoint of {checkpoint.size} entries)")
        click.echo(dumps(entry))


@log.command("monitor")
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--log",
    "log_url",
    required=True,
    help="The log's tiles: its URL prefix (https://REGISTRY/tlog) or a folder holding a copy of them.",
)
@click.option("--registry-key", type=click.Path(dir_okay=False), help=_KEY_HELP)
@guarded
def log_monitor(old: str, new: str | None, log_url: str, registry_key: str | None) -> None:
    """Check that checkpoint NEW (a file; default: the log's current one) extends checkpoint OLD (a file),
    computing the RFC 6962 consistency proof from the log's tiles, and that NEW is not older than the
    newest checkpoint of that log seen here; then remember NEW. Exit 1 when the log was rewritten."""
    from issuance import LogError, tlog

    fetch = _fetcher(log_url)
    old_note = _text(old)
    new_note = _text(new) if new is not None else fetch("checkpoint").decode("utf-8", "replace")
    try:
        a = _with_pinned_keys(registry_key, lambda k: tlog.verify_checkpoint(old_note, k))
        b = _with_pinned_keys(registry_key, lambda k: tlog.verify_checkpoint(new_note, k))
        if a.origin != b.origin:
            raise InputError(f"the checkpoints are of two logs: {a.origin!r} and {b.origin!r}")
        _consistent(fetch, a, b)
        seen = _read_log_seen()
        last = seen.get(b.origin)
        if last is not None:
            _consistent(fetch, _from_seen(b.origin, last), b)
    except LogError as e:
        _refuted(e)
    seen[b.origin] = {"size": b.size, "root": _b64(b.root), "checkpoint": new_note}
    write_config_file(LOG_SEEN_FILE, dumps(seen).encode())
    click.echo(f"consistent: {b.origin} grew from {a.size} to {b.size} entries; remembered as the newest seen")


@log.command("proof")
@click.argument("label_id")
@click.option(
    "--size", type=click.IntRange(1), help="Against the checkpoint of this many entries (default: the latest)."
)
@data_dir_option
@guarded
def log_proof(label_id: str, size: int | None, data_dir: str) -> None:
    """The label's issue entry with its inclusion proof (C2SP tlog-proof), as GET /v1/labels/ID/log-proof."""
    from registry.service import tlog as log_svc
    from registry.storage.db import session_scope

    engine, settings = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        proof = log_svc.label_proof(s, settings.registry_key, settings.public_url, label_id.upper(), size=size)
    click.echo(proof.text(), nl=False)


@log.command("export")
@click.argument("out", type=click.Path(file_okay=False))
@data_dir_option
@guarded
def log_export(out: str, data_dir: str) -> None:
    """Write the log's static files into OUT as C2SP tlog-tiles lays them out (checkpoint, tile/...,
    tile/entries/...), to serve from any static host or CDN, or to give `pcfreg log monitor --log OUT`."""
    from registry.service import tlog as log_svc
    from registry.storage.db import session_scope

    engine, settings = open_data_dir(data_dir)
    count = 0
    with session_scope(engine, write=False) as s:
        for path, content in log_svc.static_files(s, settings.registry_key, settings.public_url):
            target = Path(out) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            count += 1
    click.echo(f"wrote {count} files to {out}", err=True)


def _consistent(fetch: Any, a: Any, b: Any) -> None:
    """That the tree of checkpoint ``a`` is a prefix of that of ``b`` (proof computed from ``b``'s tiles)."""
    from issuance import LogError, tlog

    if a.size > b.size:
        raise LogError(
            f"the log's checkpoint of {b.size} entries is older than one of {a.size} seen before: a rollback",
            reason="rolled_back",
        )
    proof = tlog.consistency_proof(tlog.TileReader(fetch, b.size), a.size, b.size) if a.size < b.size else []
    tlog.verify_consistency(a.size, b.size, a.root, b.root, proof)


def _with_pinned_keys(given: str | None, check: Any) -> Any:
    """``check(key)`` with the first pinned registry key that signed (the others' failures ignored)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from issuance import LogError

    error: LogError | None = None
    for key in registry_trust_root(given).all():
        try:
            return check(Ed25519PublicKey.from_public_bytes(key.public))
        except LogError as e:
            if e.reason != "unknown_key":
                raise
            error = e
    raise error or InputError("no registry key is pinned")


def _refuted(e: Any) -> None:
    """A proof checked and found false: exit 1 (anything else the proof lacks is unusable input: 2)."""
    if e.reason not in _FAILED:
        raise e
    click.echo(f"NOT VERIFIED: {e.message}", err=True)
    sys.exit(EXIT_NOT_VALID)


def _text(source: str) -> str:
    from registry.inputs import read_input

    return read_input(source, sys.stdin.buffer).decode("utf-8", "replace")


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode()


def _read_log_seen() -> dict[str, Any]:
    from registry.inputs import parse_json

    path = config_dir() / LOG_SEEN_FILE
    if not path.is_file():
        return {}
    doc = parse_json(path.read_bytes(), file=str(path))
    if not isinstance(doc, dict):
        raise InputError(f"{path} is not a map of logs to the checkpoints seen; remove it to start again")
    return doc


def _from_seen(origin: str, last: Any) -> Any:
    import base64

    from issuance import tlog

    try:
        return tlog.Checkpoint(origin, int(last["size"]), base64.b64decode(last["root"]))
    except (KeyError, TypeError, ValueError) as e:
        where = Location(str(config_dir() / LOG_SEEN_FILE))
        raise InputError(f"the checkpoint remembered for {origin} is unreadable; remove it", where) from e


def _fetcher(base: str) -> Any:
    """``fetch(path) -> bytes`` under a URL prefix or a folder."""
    if base.startswith(("https://", "http://")):
        return lambda path: _get(f"{base.rstrip('/')}/{path}")
    folder = Path(base)
    if not folder.is_dir():
        raise InputError(f"{base} is neither an http(s) URL nor a folder of the log's tiles")

    def read(path: str) -> bytes:
        file = folder / path
        if not file.is_file():
            raise InputError(f"the log's copy has no {path}", Location(str(file)))
        return file.read_bytes()

    return read


def _get(url: str) -> bytes:
    import httpx

    try:
        with httpx.stream("GET", url, timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False) as response:
            if response.status_code != 200:
                raise InputError(f"the log answered HTTP {response.status_code}", Location(url))
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_FETCH_BYTES:
                    raise InputError(f"the answer is over {MAX_FETCH_BYTES} bytes", Location(url))
            return body
    except httpx.HTTPError as e:
        raise InputError(f"cannot fetch from the log: {e}", Location(url)) from e
