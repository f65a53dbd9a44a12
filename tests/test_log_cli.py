"""`pcfreg log`: a label's proof checked offline against the pinned registry key, and a monitor that keeps
the last checkpoint it saw and catches a rewritten or rolled-back log (issue 13)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete
from sqlmodel import col, select

from registry import cli
from registry.packs import generate_keypair, load_private_key, public_jwk
from registry.packs.catalog import Catalog
from registry.service import tlog as log_svc
from registry.storage.db import make_engine, session_scope
from registry.storage.models import TlogEntry, TlogHead, TlogNode
from registry.storage.settings import StorageSettings, database_url_for

GTIN = "09506000134352"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("log") / "pcfreg-data"
    assert run("init", "--data-dir", str(d)).exit_code == 0
    return d


@pytest.fixture(scope="module")
def declaration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decl") / "al.json"
    path.write_text(json.dumps(Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example))
    return path


@pytest.fixture(scope="module")
def keys(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "registry-keys.json"
    path.write_text(run("trust", "export", "--registry-keys", "--data-dir", str(data)).stdout)
    return path


def _issue(data: Path, declaration: Path, batch: str) -> str:
    args = ["label", "issue", str(declaration), "--certifier", "demo-certifier", "--gtin", GTIN, "--batch", batch]
    r = run(*args, "--format", "json", "--data-dir", str(data))
    assert r.exit_code == 0, r.stderr
    label_id: str = json.loads(r.stdout)["id"]
    return label_id


def _export(data: Path, out: Path) -> Path:
    r = run("log", "export", str(out), "--data-dir", str(data))
    assert r.exit_code == 0, r.stderr
    return out


def test_a_label_proof_verifies_offline_and_a_forged_one_does_not(
    data: Path, declaration: Path, keys: Path, tmp_path: Path
) -> None:
    label_id = _issue(data, declaration, "P-1")
    proof = tmp_path / "label.tlog-proof"
    r = run("log", "proof", label_id.lower(), "--data-dir", str(data))
    assert r.exit_code == 0, r.stderr
    proof.write_text(r.stdout)
    ok = run("log", "verify", str(proof), "--registry-key", str(keys), "--format", "json")
    assert ok.exit_code == 0, ok.stderr
    out = json.loads(ok.stdout)
    assert out["entry"]["kind"] == "label.issue" and out["entry"]["label_id"] == label_id
    assert out["origin"] == "localhost:8000/tlog"
    assert run("log", "verify", str(proof), "--registry-key", str(keys), "--origin", "other/tlog").exit_code == 2

    lines = proof.read_text().split("\n")
    entry = json.loads(base64.b64decode(lines[1].removeprefix("extra ")))
    forged = tmp_path / "forged.tlog-proof"
    lines[1] = "extra " + base64.b64encode(json.dumps({**entry, "grade": "A+"}).encode()).decode()
    forged.write_text("\n".join(lines))
    bad = run("log", "verify", str(forged), "--registry-key", str(keys))
    assert bad.exit_code == 1 and "NOT VERIFIED" in bad.stderr

    other = tmp_path / "other-keys.json"
    pem, _ = generate_keypair()
    other.write_text(json.dumps({"keys": [public_jwk(load_private_key(pem).public_key())]}))
    unknown = run("log", "verify", str(proof), "--registry-key", str(other))
    assert unknown.exit_code == 2 and "no signature by the pinned key" in unknown.stderr
    assert run("log", "verify", str(tmp_path / "missing"), "--registry-key", str(keys)).exit_code == 2


def _rewrite_log(data: Path, at: int) -> None:
    """What a dishonest registry would do: rebuild its log with entry ``at`` changed, and sign again."""
    engine = make_engine(database_url_for(StorageSettings(data_dir=data)))
    try:
        with session_scope(engine) as s:
            rows = s.exec(select(TlogEntry).order_by(col(TlogEntry.idx))).all()
            for table in (TlogEntry, TlogNode, TlogHead):
                s.exec(delete(table))
            events = []
            for i, row in enumerate(rows):
                fields: dict[str, Any] = json.loads(row.data)
                kind, when = fields.pop("kind"), datetime.fromisoformat(fields.pop("at"))
                if i == at:
                    fields["status"] = "withdrawn"
                events.append(log_svc.Event(kind, fields, when))
            log_svc.append_events(s, events)
    finally:
        engine.dispose()


def test_the_monitor_keeps_the_last_checkpoint_and_catches_rewrites_and_rollbacks(
    data: Path, declaration: Path, keys: Path, tmp_path: Path
) -> None:
    first = _export(data, tmp_path / "first")
    _issue(data, declaration, "M-1")
    second = _export(data, tmp_path / "second")
    old, new = first / "checkpoint", second / "checkpoint"
    ok = run("log", "monitor", str(old), str(new), "--log", str(second), "--registry-key", str(keys))
    assert ok.exit_code == 0, ok.stderr
    assert "consistent" in ok.stdout
    # the newest seen is remembered: being shown the older one again is a rollback
    back = run("log", "monitor", str(old), str(old), "--log", str(first), "--registry-key", str(keys))
    assert back.exit_code == 1 and "rollback" in back.stderr
    # NEW defaults to the log's current checkpoint
    assert run("log", "monitor", str(old), "--log", str(second), "--registry-key", str(keys)).exit_code == 0

    _rewrite_log(data, at=3)  # an early entry (a pack publish) changed; the log then grows again
    _issue(data, declaration, "M-2")
    third = _export(data, tmp_path / "third")
    rewritten = run("log", "monitor", str(old), "--log", str(third), "--registry-key", str(keys))
    assert rewritten.exit_code == 1 and "rewritten" in rewritten.stderr


def test_a_malformed_checkpoint_or_a_missing_log_is_unusable_input(data: Path, keys: Path, tmp_path: Path) -> None:
    out = _export(data, tmp_path / "log")
    broken = tmp_path / "broken"
    broken.write_text("not a checkpoint\n")
    assert run("log", "monitor", str(broken), "--log", str(out), "--registry-key", str(keys)).exit_code == 2
    cp = str(out / "checkpoint")
    assert run("log", "monitor", cp, "--log", str(tmp_path / "nowhere"), "--registry-key", str(keys)).exit_code == 2


def test_export_writes_the_tlog_tiles_layout(data: Path, tmp_path: Path) -> None:
    out = _export(data, tmp_path / "tiles")
    size = int((out / "checkpoint").read_text().split("\n")[1])
    assert 0 < size < 256  # one partial tile and bundle
    assert (out / "tile" / "0" / f"000.p/{size}").stat().st_size == 32 * size
    assert (out / "tile" / "entries" / f"000.p/{size}").is_file()
