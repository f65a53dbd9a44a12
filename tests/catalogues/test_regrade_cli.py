"""``pcfreg catalogues regrade|deprecate|withdraw`` and ``pcfreg label show`` (issue 13) on a data directory made
by ``pcfreg init``: a dry run changes nothing, --apply records the new grade, which the label's history and
standing show; a version deprecated then withdrawn with a reason. Figures are test data (catalogue_support)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from catalogue_support import catalogue
from click.testing import CliRunner, Result

from registry import cli
from registry.packs.catalog import Catalog
from registry.service.bootstrap import signing_key_path

BODY = "example-standards-body"
CAT = f"{BODY}/regrade-cli"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


def _publish(data: Path, tmp_path: Path, doc: dict[str, Any]) -> None:
    plain, signed = tmp_path / f"{doc['version']}.json", tmp_path / f"{doc['version']}.signed.json"
    plain.write_text(json.dumps(doc))
    key = str(signing_key_path(data))
    assert run("catalogues", "sign", str(plain), "--key", key, "--signer", BODY, "--out", str(signed)).exit_code == 0
    r = run("catalogues", "publish", str(signed), "--data-dir", str(data))
    assert r.exit_code == 0, r.output


def test_regrade_dry_run_apply_show_and_withdraw(tmp_path: Path) -> None:
    data = tmp_path / "pcfreg-data"
    assert run("init", "--data-dir", str(data)).exit_code == 0
    _publish(data, tmp_path, catalogue(id=CAT))
    declaration = tmp_path / "al.json"
    declaration.write_text(json.dumps(Catalog.bundled().resolve(f"{BODY}/aluminium-ingot").example))
    r = run(
        "label", "issue", str(declaration), "--certifier", "demo-certifier", "--gtin", "09506000134352",
        "--data-dir", str(data),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    label_id = r.stdout.split()[1]
    by = (datetime.now(UTC) + timedelta(days=5)).date()
    later = catalogue(id=CAT, version="1.1.0", transition={"policy": "regrade-by", "by": by.isoformat()})
    later["categories"][0]["basis"]["bands"] = [{"grade": "1", "max": "20000"}, {"grade": "2"}]
    _publish(data, tmp_path, later)

    dry = run("catalogues", "regrade", CAT, "--data-dir", str(data))
    assert dry.exit_code == 0, dry.output
    assert f"{label_id}  2 ({CAT}@1.0.0) -> 1 ({CAT}@1.1.0)  by {by}" in dry.stdout
    assert "would re-grade 1 label(s)" in dry.stderr
    shown = json.loads(run("label", "show", label_id, "--format", "json", "--data-dir", str(data)).stdout)
    assert shown["grading"]["status"] == "regrade-due" and [e["event"] for e in shown["history"]] == ["issued"]

    after = f"{by + timedelta(days=1)}T09:00:00Z"
    r = run("catalogues", "regrade", CAT, "--apply", "--at", after, "--format", "json", "--data-dir", str(data))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["steps"][0]["overdue"] is True
    text = run("label", "show", label_id, "--data-dir", str(data)).stdout
    assert f"grading    regraded: grade 1 ({CAT}@1.1.0)" in text
    assert "regraded  by example-standards-body  transition rule of" in text and "log #" in text

    assert run("catalogues", "deprecate", f"{CAT}@1.0.0", "--reason", "old", "--data-dir", str(data)).exit_code == 0
    r = run("catalogues", "withdraw", f"{CAT}@1.0.0", "--reason", "superseded", "--data-dir", str(data))
    assert r.exit_code == 0 and "is now withdrawn" in r.stdout
    r = run("catalogues", "deprecate", f"{CAT}@1.0.0", "--reason", "again", "--data-dir", str(data))
    assert r.exit_code != 0 and "cannot go from withdrawn to deprecated" in r.output
    r = run("catalogues", "withdraw", CAT, "--reason", "x", "--data-dir", str(data))
    assert r.exit_code == 2 and "ID@VERSION" in r.output
