"""``pcfreg catalogues ...`` (issue 13): check, sign and verify offline; publish, list, show (and the page), diff,
stats and compute on a data directory made by ``pcfreg init``; an ungraded battery label from the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from catalogue_support import catalogue, percentile_category
from click.testing import CliRunner, Result

from registry import cli
from registry.packs.catalog import Catalog
from registry.packs.signing import load_private_key, public_jwk
from registry.service.bootstrap import signing_key_path

BODY = "example-standards-body"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


def _write(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(json.dumps(doc))
    return str(path)


def test_check_exits_1_on_an_error_finding_and_0_when_clean(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.json", catalogue())
    few = percentile_category()
    few["basis"]["population"] = {"labels": 9, "companies": 5}
    bad = _write(tmp_path / "bad.json", catalogue(few))
    assert run("catalogues", "check", good).exit_code == 0
    r = run("catalogues", "check", bad, "--format", "json")
    assert r.exit_code == 1 and json.loads(r.stdout)[0]["findings"][0]["rule_id"] == "catalogue.percentiles.population"
    r = run("catalogues", "check", _write(tmp_path / "no.json", {"format": "x"}))
    assert r.exit_code == 2 and "not a grading catalogue" in r.output


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("catalogues") / "pcfreg-data"
    assert run("init", "--data-dir", str(d)).exit_code == 0
    return d


def test_sign_verify_publish_list_show_diff(data: Path, tmp_path: Path) -> None:
    key = signing_key_path(data)
    keys = tmp_path / "keys.json"
    public = public_jwk(load_private_key(Path(key).read_bytes()).public_key(), publisher=BODY)
    keys.write_text(json.dumps({"keys": [public]}))
    signed = tmp_path / "signed.json"
    r = run(
        "catalogues",
        "sign",
        _write(tmp_path / "c.json", catalogue()),
        "--key",
        str(key),
        "--signer",
        BODY,
        "--out",
        str(signed),
    )
    assert r.exit_code == 0, r.output
    assert run("catalogues", "verify", str(signed), "--keys", str(keys)).stdout.startswith("valid: ")
    r = run("catalogues", "publish", str(signed), "--data-dir", str(data))
    assert r.exit_code == 0 and "published: example-standards-body/test-grades@1.0.0" in r.stdout, r.output
    assert "already published" in run("catalogues", "publish", str(signed), "--data-dir", str(data)).stdout
    v2 = catalogue(version="1.1.0")
    v2["categories"][0]["basis"]["bands"][0]["max"] = "4000"
    signed2 = tmp_path / "signed2.json"
    run(
        "catalogues",
        "sign",
        _write(tmp_path / "c2.json", v2),
        "--key",
        str(key),
        "--signer",
        BODY,
        "--out",
        str(signed2),
    )
    assert run("catalogues", "publish", str(signed2), "--data-dir", str(data)).exit_code == 0
    listed = json.loads(run("catalogues", "list", "--format", "json", "--data-dir", str(data)).stdout)
    assert [r["ref"] for r in listed] == [f"{BODY}/test-grades@1.0.0", f"{BODY}/test-grades@1.1.0"]
    shown = json.loads(run("catalogues", "show", f"{BODY}/test-grades", "--data-dir", str(data)).stdout)
    assert shown["version"] == "1.1.0"
    page = run("catalogues", "show", f"{BODY}/test-grades@1.0.0", "--page", "zh", "--data-dir", str(data)).stdout
    assert "设定者" in page and "<script" not in page
    diff = json.loads(
        run(
            "catalogues", "diff", f"{BODY}/test-grades@1.0.0", f"{BODY}/test-grades@1.1.0", "--data-dir", str(data)
        ).stdout
    )
    assert {"path": "/categories/aluminium-ingot/bands/1", "before": "5000", "after": "4000"} in diff


def test_stats_and_compute_refuse_below_the_floor(data: Path, tmp_path: Path) -> None:
    stats = json.loads(run("catalogues", "stats", f"{BODY}/aluminium-ingot", "--data-dir", str(data)).stdout)
    assert stats["published"] is False
    template = catalogue(percentile_category())
    r = run("catalogues", "compute", _write(tmp_path / "t.json", template), "--data-dir", str(data))
    assert r.exit_code == 2 and "at least 5 companies and 10 labels" in r.output


def test_an_ungraded_battery_label_from_the_cli(data: Path, tmp_path: Path) -> None:
    example = Catalog.bundled().resolve(f"{BODY}/ev-traction-battery").example
    path = _write(tmp_path / "battery.json", example)  # type: ignore[arg-type]
    r = run(
        "label", "issue", path, "--certifier", "demo-certifier", "--gtin", "09506000134352", "--data-dir", str(data)
    )
    assert r.exit_code == 0, r.output
    assert "no grade" in r.stdout and "None" not in r.stdout
