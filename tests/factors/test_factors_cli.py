"""``pcfreg factors ...``: list, show (and --signed), search, diff, check, sign, verify; exit codes are a contract."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from factor_support import small_set_document

from registry.cli import main
from registry.packs import generate_keypair, load_private_key, public_jwk
from registry.resources import factorsets_dir

AR6 = "pcf-registry/ipcc-ar6-gwp100@1.0.0"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return path


def test_list_show_search() -> None:
    listed = orjson.loads(run("factors", "list", "--format", "json").output)
    assert {r["ref"] for r in listed} >= {AR6, "pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0"}
    shown = orjson.loads(run("factors", "show", f"{AR6}#N2O").output)
    assert shown["ref"] == f"{AR6}#N2O" and shown["value"] == "273"
    whole = orjson.loads(run("factors", "show", "pcf-registry/ipcc-ar6-gwp100").output)
    assert whole["version"] == "1.0.0" and whole["digest"].startswith("sha256:")
    hits = orjson.loads(run("factors", "search", "--activity", "freight", "--format", "json").output)
    assert hits and all("#27_" in h["ref"] for h in hits)
    missing = run("factors", "show", "nobody/nothing")
    assert missing.exit_code == 2 and "no factor set 'nobody/nothing'" in missing.output
    assert run("factors", "show", f"{AR6}#nope").exit_code == 2
    assert run("factors", "search", "--classification", "7601").exit_code == 2


def test_check_exits_1_naming_the_pointer_and_2_for_unreadable(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.json", small_set_document())
    assert run("factors", "check", str(good)).exit_code == 0
    doc = copy.deepcopy(small_set_document())
    doc["records"][1]["region"] = "CN-ZZ"
    bad = run("factors", "check", str(_write(tmp_path / "bad.json", doc)))
    assert bad.exit_code == 1
    assert "factorset.region.unknown  /records/1/region" in bad.output
    doc["records"][1]["year"] = "2024"
    unreadable = run("factors", "check", str(_write(tmp_path / "worse.json", doc)))
    assert unreadable.exit_code == 2 and "/records/1/year" in unreadable.output
    private = copy.deepcopy(small_set_document())
    private["licence"] = {"name": "Members only", "redistributable": False}
    path = str(_write(tmp_path / "private.json", private))
    assert run("factors", "check", path).exit_code == 1
    assert run("factors", "check", "--private", path).exit_code == 0


def test_diff_of_two_files(tmp_path: Path) -> None:
    old = _write(tmp_path / "a.json", small_set_document())
    doc = copy.deepcopy(small_set_document())
    doc["version"] = "1.0.1"
    doc["records"][1]["value"] = "0.54"
    new = _write(tmp_path / "b.json", doc)
    out = run("factors", "diff", str(old), str(new))
    assert out.exit_code == 0
    assert "changed  grid-north  0.6 -> 0.54 (-10 %) [value]" in out.output
    assert (
        orjson.loads(run("factors", "diff", str(old), str(new), "--format", "json").output)["changed"][0][
            "relativeChange"
        ]
        == "-0.1"
    )


def test_sign_then_verify_offline(tmp_path: Path) -> None:
    pem, jwk = generate_keypair(publisher="test-body")
    (tmp_path / "key.pem").write_bytes(pem)
    _write(tmp_path / "keys.json", {"keys": [jwk]})
    set_file = _write(tmp_path / "set.json", small_set_document())
    signed = tmp_path / "signed.json"
    assert (
        run(
            "factors",
            "sign",
            str(set_file),
            "--key",
            str(tmp_path / "key.pem"),
            "--signer",
            "test-body",
            "--out",
            str(signed),
        ).exit_code
        == 0
    )
    ok = run("factors", "verify", str(signed), "--keys", str(tmp_path / "keys.json"))
    assert ok.exit_code == 0 and ok.output.startswith("valid: test-body/fuels@1.0.0 sha256:")
    envelope = orjson.loads(signed.read_bytes())
    envelope["factorSet"]["records"][1]["value"] = "0.5"
    _write(signed, envelope)
    bad = run("factors", "verify", str(signed), "--keys", str(tmp_path / "keys.json"))
    assert bad.exit_code == 1 and "NOT VALID" in bad.output and "/digest" in bad.output


def test_show_signed_prints_the_stored_envelope_that_verify_checks(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert run("init", "--data-dir", str(data_dir)).exit_code == 0
    out = run("factors", "show", f"{AR6}#CH4", "--signed", "--data-dir", str(data_dir))
    assert out.exit_code == 0
    envelope = orjson.loads(out.output)
    assert envelope["format"] == "pcf-registry/signed-factorset/1.0"
    assert envelope["digest"] == (factorsets_dir() / "ipcc-ar6-gwp100" / "1.0.0.digest").read_text().strip()
    signed = _write(tmp_path / "env.json", envelope)
    pem = (data_dir / "secrets" / "pcf-registry.ed25519.pem").read_bytes()
    keys = _write(tmp_path / "keys.json", public_jwk(load_private_key(pem).public_key(), publisher="pcf-registry"))
    assert run("factors", "verify", str(signed), "--keys", str(keys)).exit_code == 0
    on_date = run(
        "factors", "show", "pcf-registry/ipcc-ar6-gwp100", "--signed", "--on", "2020-01-01", "--data-dir", str(data_dir)
    )
    assert on_date.exit_code == 2 and "in effect on 2020-01-01" in on_date.output
    assert run("factors", "show", AR6, "--signed", "--data-dir", str(tmp_path / "none")).exit_code == 2
