"""The label commands on a data directory made by `pcfreg init`, as an operator and a verifier use them."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from click.testing import CliRunner, Result
from PIL import Image

from registry import cli
from registry.packs.catalog import Catalog

GTIN = "09506000134352"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("labels") / "pcfreg-data"
    init = run("init", "--data-dir", str(d))
    assert init.exit_code == 0 and "label signing key" in init.stdout
    return d


@pytest.fixture(scope="module")
def declaration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decl") / "al.json"
    path.write_text(json.dumps(Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example))
    return path


def _issue(data: Path, declaration: Path, *extra: str) -> dict[str, Any]:
    r = run(
        "label",
        "issue",
        str(declaration),
        "--certifier",
        "demo-certifier",
        "--gtin",
        GTIN,
        "--format",
        "json",
        "--data-dir",
        str(data),
        *extra,
    )
    assert r.exit_code == 0, r.stderr
    out: dict[str, Any] = json.loads(r.stdout)
    return out


def test_issue_print_and_verify_offline(data: Path, declaration: Path, tmp_path: Path) -> None:
    label = _issue(data, declaration, "--batch", "B-17")
    assert label["verification"]["label"]["batch"] == "B-17"
    text = run(
        "label", "issue", str(declaration), "--certifier", "demo-certifier", "--gtin", GTIN, "--data-dir", str(data)
    )
    assert text.exit_code == 0 and "grade" in text.stdout and "HTTP://LOCALHOST:8000/L/" in text.stdout
    trust = tmp_path / "trust.json"
    trust.write_text(run("trust", "export", "--data-dir", str(data)).stdout)
    status = tmp_path / "status.cwt"
    assert (
        run(
            "status", "export", "--certifier", "demo-certifier", "--out", str(status), "--data-dir", str(data)
        ).exit_code
        == 0
    )
    pinned = tmp_path / "registry.jwks"
    pinned.write_text(run("trust", "export", "--registry-keys", "--data-dir", str(data)).stdout)
    assert run("trust", "pin", str(pinned)).exit_code == 0
    ok = run("label", "verify", label["token"], "--trust", str(trust), "--status", str(status), "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["status"] == "valid"
    other = run("label", "verify", label["token"], "--trust", str(trust), "--gtin", "4006381333931")
    assert other.exit_code == 1 and other.stdout.startswith("out_of_scope (gtin_mismatch)")
    checked = run(
        "label", "verify", label["token"], "--trust", str(trust), "--registry-key", str(pinned), "--no-status"
    )
    assert checked.exit_code == 0, checked.stderr
    doc = json.loads(trust.read_text())
    doc["keys"][0]["certifier"] = "someone-else"  # a trust list changed after the registry signed it
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(doc))
    refused = run("label", "verify", label["token"], "--trust", str(altered), "--registry-key", str(pinned))
    assert refused.exit_code == 2 and "signature" in refused.stderr.lower()
    forged = run("label", "verify", "AAAA" + label["token"][4:], "--trust", str(trust))
    assert forged.exit_code == 1 and forged.stdout.startswith("invalid_signature")
    assert run("label", "verify", label["token"], "--trust", str(tmp_path / "none.json")).exit_code == 2

    for kind, expected in (("url", label["url"]), ("offline", label["offline_url"])):
        out = tmp_path / f"{kind}.png"
        assert (
            run("label", "qr", label["id"], "--out", str(out), "--kind", kind, "--data-dir", str(data)).exit_code == 0
        )
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(out.read_bytes())), formats=zxingcpp.BarcodeFormat.QRCode)
        assert [c.text for c in codes] == [expected]
    assert run("label", "qr", label["id"], "--out", str(tmp_path / "x.gif"), "--data-dir", str(data)).exit_code == 2
    printed = tmp_path / "label.svg"
    assert (
        run("label", "print", label["id"], "--out", str(printed), "--lang", "zh", "--data-dir", str(data)).exit_code
        == 0
    )
    svg = printed.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Demo Certifier" in svg and label["verification"]["label"]["grade"] in svg
    assert run("label", "print", label["id"], "--out", str(tmp_path / "x.png"), "--data-dir", str(data)).exit_code == 2


def _pin(data: Path, tmp_path: Path) -> None:
    """Pin the registry's key (the trust root of label verify), as a verifier does once."""
    keys = tmp_path / "registry.jwks"
    keys.write_text(run("trust", "export", "--registry-keys", "--data-dir", str(data)).stdout)
    assert run("trust", "pin", str(keys)).exit_code == 0


def test_revoke_shows_in_the_exported_status_list(data: Path, declaration: Path, tmp_path: Path) -> None:
    label = _issue(data, declaration)
    _pin(data, tmp_path)
    assert run("label", "revoke", label["id"], "--reason", "data error", "--data-dir", str(data)).exit_code == 0
    trust = tmp_path / "trust.json"
    trust.write_text(run("trust", "export", "--data-dir", str(data)).stdout)
    status = tmp_path / "status.cwt"
    status.write_bytes(run("status", "export", "--certifier", "demo-certifier", "--data-dir", str(data)).stdout_bytes)
    revoked = run("label", "verify", label["token"], "--trust", str(trust), "--status", str(status))
    assert revoked.exit_code == 1 and revoked.stdout.startswith("revoked")
    again = run("label", "reinstate", label["id"], "--reason", "no", "--data-dir", str(data))
    assert again.exit_code == 2 and "cannot become valid" in again.stderr
    assert run("label", "revoke", "AAAAAAAAAAAAAAAA", "--reason", "x", "--data-dir", str(data)).exit_code == 2


def test_a_suspended_or_revoked_label_cannot_be_printed(data: Path, declaration: Path, tmp_path: Path) -> None:
    """Issue 14: printing artwork for a label that is not valid now is refused, saying why; nothing is written."""
    label = _issue(data, declaration, "--batch", "NOT-PRINTABLE")
    out = tmp_path / "label.svg"
    qr = tmp_path / "qr.png"
    assert run("label", "suspend", label["id"], "--reason", "under review", "--data-dir", str(data)).exit_code == 0
    for args in (("print", label["id"], "--out", str(out)), ("qr", label["id"], "--out", str(qr))):
        refused = run("label", *args, "--data-dir", str(data))
        assert refused.exit_code == 2 and "suspended" in refused.stderr and "under review" in refused.stderr
        assert "cannot be printed" in refused.stderr
    assert not out.exists() and not qr.exists()
    assert run("label", "revoke", label["id"], "--reason", "data error", "--data-dir", str(data)).exit_code == 0
    refused = run("label", "print", label["id"], "--out", str(out), "--data-dir", str(data))
    assert refused.exit_code == 2 and "revoked" in refused.stderr and not out.exists()


def test_keys_rotate(data: Path, declaration: Path, tmp_path: Path) -> None:
    before = _issue(data, declaration)
    rotated = run("keys", "rotate", "--certifier", "demo-certifier", "--data-dir", str(data))
    assert rotated.exit_code == 0 and before["verification"]["label"]["kid"] in rotated.stdout
    after = _issue(data, declaration, "--batch", "after-rotation")
    assert after["verification"]["label"]["kid"] != before["verification"]["label"]["kid"]
    _pin(data, tmp_path)
    trust = tmp_path / "trust.json"
    trust.write_text(run("trust", "export", "--data-dir", str(data)).stdout)
    assert run("label", "verify", before["token"], "--trust", str(trust), "--no-status").exit_code == 0
    assert (
        run("orgs", "create", "new-cert", "--name", "New", "--kind", "certifier", "--data-dir", str(data)).exit_code
        == 0
    )
    empty = run("status", "export", "--certifier", "new-cert", "--data-dir", str(data))
    assert empty.exit_code == 2 and "no status list yet" in empty.stderr
    first = run("keys", "rotate", "--certifier", "new-cert", "--data-dir", str(data))
    assert first.exit_code == 2 and "--scheme and --category" in first.stderr
    made = run(
        "keys",
        "rotate",
        "--certifier",
        "new-cert",
        "--scheme",
        "pact-v3",
        "--category",
        "example-standards-body/",
        "--data-dir",
        str(data),
    )
    assert made.exit_code == 0, made.stderr
    outside = run(
        "label", "issue", str(declaration), "--certifier", "new-cert", "--gtin", GTIN, "--data-dir", str(data)
    )
    assert outside.exit_code == 2 and "may sign" in outside.stderr  # its key covers pact-v3 only
    assert (
        run(
            "label", "issue", str(declaration), "--certifier", "demo-certifier", "--data-dir", str(data / "nope")
        ).exit_code
        == 2
    )


def test_issue_many_from_jsonl(data: Path, declaration: Path, tmp_path: Path) -> None:
    example = json.loads(declaration.read_text())
    lines = [json.dumps({"declaration": example, "gtin": GTIN, "batch": f"J{i}"}) for i in range(3)]
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join([*lines, lines[0]]) + "\n")
    ok = run("label", "issue", str(requests), "--certifier", "demo-certifier", "--data-dir", str(data))
    assert ok.exit_code == 0, ok.stderr
    out = [json.loads(x) for x in ok.stdout.splitlines()]
    assert [x["line"] for x in out] == [1, 2, 3, 4] and len({x["id"] for x in out}) == 3
    # the same request twice (line 4 repeats line 1): one label, the second answer says it is a repeat
    assert [x["repeat"] for x in out] == [False, False, False, True] and out[3]["id"] == out[0]["id"]
    requests.write_text(lines[0] + "\n" + json.dumps({"declaration": example, "gtin": "1"}) + "\n")
    mixed = run("label", "issue", str(requests), "--certifier", "demo-certifier", "--data-dir", str(data))
    assert mixed.exit_code == 1
    first, second = (json.loads(x) for x in mixed.stdout.splitlines())
    assert "id" in first and second["line"] == 2 and "gtin" in second["error"]["message"].lower()


def test_a_batch_settles_the_heap_after_its_first_result(
    data: Path, declaration: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: the collector rescanning what start-up made took a sixth of a batch's CPU. Once the first
    result is out (the pack compiled, the keys loaded), start-up's objects are frozen and young garbage is
    collected less often; the collector's threshold is as before when the command ends."""
    import gc
    from contextlib import contextmanager

    from registry.cli import common
    from registry.cli import labels as label_cli

    seen: list[tuple[int, tuple[int, int, int], int]] = []
    real = common.settled_heap

    @contextmanager
    def watched() -> Iterator[None]:
        with real():
            seen.append((sys.stdout.buffer.getvalue().count(b"\n"), gc.get_threshold(), gc.get_freeze_count()))
            yield

    example = json.loads(declaration.read_text())
    requests = tmp_path / "heap.jsonl"
    requests.write_text(
        "".join(json.dumps({"declaration": example, "gtin": GTIN, "batch": f"H{i}"}) + "\n" for i in range(3))
    )
    monkeypatch.setattr(label_cli, "settled_heap", watched)
    before = gc.get_threshold()
    ok = run("label", "issue", str(requests), "--certifier", "demo-certifier", "--data-dir", str(data))
    assert ok.exit_code == 0, ok.stderr
    assert [json.loads(x)["line"] for x in ok.stdout.splitlines()] == [1, 2, 3]
    assert len(seen) == 1
    results_out, threshold, frozen = seen[0]
    assert results_out == 1 and threshold[0] == common.LOOP_YOUNG_THRESHOLD and frozen > 0
    assert gc.get_threshold() == before


def test_a_batch_checkpoints_the_wal_from_a_thread_of_its_own(
    data: Path, declaration: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: a commit that took the WAL past 1,000 pages copied it into the database on the issuing
    thread. A batch's engine leaves that to a checkpointer thread (the commits' backstop is 10,000 pages),
    stopped when the batch ends."""
    from registry.storage import db

    events: list[tuple[str, int]] = []

    class Watched(db.WalCheckpointer):
        def start(self) -> None:
            with self.engine.connect() as conn:
                events.append(("start", conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()))
            super().start()

        def stop(self) -> None:
            events.append(("stop", 0))
            super().stop()

    example = json.loads(declaration.read_text())
    requests = tmp_path / "wal.jsonl"
    requests.write_text(json.dumps({"declaration": example, "gtin": GTIN, "batch": "W1"}) + "\n")
    monkeypatch.setattr(db, "WalCheckpointer", Watched)
    ok = run("label", "issue", str(requests), "--certifier", "demo-certifier", "--data-dir", str(data))
    assert ok.exit_code == 0, ok.stderr
    assert events == [("start", db.WAL_BACKSTOP_PAGES), ("stop", 0)]
    single = run(
        "label", "issue", str(declaration), "--certifier", "demo-certifier", "--gtin", GTIN, "--data-dir", str(data)
    )
    assert single.exit_code == 0 and len(events) == 2  # one label: no thread


def test_print_pdf_variants_and_the_qr_module_floor(data: Path, declaration: Path, tmp_path: Path) -> None:
    """Issue 14: SVG or vector PDF, regular/small/mono, the scheme's name not the pack id, the batch, and an
    offline code printed large enough (0.33 mm modules) or refused naming the width it needs."""
    label = _issue(data, declaration, "--batch", "LOT-42")
    lid, where = label["id"], ("--data-dir", str(data))
    pdf = tmp_path / "label.pdf"
    done = run("label", "print", lid, "--out", str(pdf), "--format", "pdf", "--variant", "mono", *where)
    assert done.exit_code == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF-") and "90 x 52 mm" in done.stdout
    small = tmp_path / "small.svg"
    assert run("label", "print", lid, "--out", str(small), "--variant", "small", *where).exit_code == 0
    svg = small.read_text(encoding="utf-8")
    assert 'width="60mm"' in svg and "Batch: LOT-42" in svg and "Scheme: " in svg
    assert "<text" not in svg and "aluminium-ingot@" not in svg  # outlines; the scheme's name, not the pack id
    offline = tmp_path / "offline.svg"
    enlarged = run("label", "print", lid, "--out", str(offline), "--kind", "offline", *where)
    assert enlarged.exit_code == 0 and "note: printed" in enlarged.stderr and "0.33 mm" in enlarged.stderr
    refused = run(
        "label", "print", lid, "--out", str(tmp_path / "x.svg"), "--kind", "offline", "--width-mm", "60", *where
    )
    assert refused.exit_code == 2 and "below the 0.33 mm minimum" in refused.stderr and "at least" in refused.stderr
    assert not (tmp_path / "x.svg").exists()
    mismatch = run("label", "print", lid, "--out", str(tmp_path / "y.svg"), "--format", "pdf", *where)
    assert mismatch.exit_code == 2 and not (tmp_path / "y.svg").exists()
