"""Every exit code of the CLI contract, and the JSON shapes other tools rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from registry import cli
from registry.cli import validate as validate_command

CORE = "example-standards-body/core"
AT = ["--at", "2026-06-30T00:00:00Z"]


def run(*args: str, input: str | None = None) -> Any:
    result = CliRunner().invoke(cli.main, list(args), input=input)
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


@pytest.fixture
def example_file(tmp_path: Path, core_example: dict[str, Any]) -> Path:
    path = tmp_path / "decl.json"
    path.write_text(json.dumps(core_example), encoding="utf-8")
    return path


def test_validate_conformant_json(example_file: Path) -> None:
    result = run("validate", str(example_file), "--pack", CORE, "--format", "json", *AT)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["conformant"] is True
    assert body["pack"]["id"] == CORE and body["pack"]["version"] == "1.0.0"
    assert body["pack"]["digest"].startswith("sha256:")
    assert body["findings"] == []


def test_validate_not_conformant_exit_1(tmp_path: Path, core_example: dict[str, Any]) -> None:
    core_example["pcf"]["exemptedEmissionsPercent"] = "9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(core_example))
    result = run("validate", str(path), "--pack", CORE, "--format", "json", *AT)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["path"]) for f in findings] == [("core.cut-off.limit", "/pcf/exemptedEmissionsPercent")]
    assert findings[0]["clauses"] and findings[0]["severity"] == "error"
    text = run("validate", str(path), "--pack", CORE, *AT)
    assert text.exit_code == 1 and "NOT CONFORMANT" in text.stdout and "core.cut-off.limit" in text.stdout


def test_invalid_json_exit_2_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "x",\n  "pcf": {,}\n}')
    result = run("validate", str(path), "--pack", CORE)
    assert result.exit_code == 2
    assert "line 3" in result.stderr and "column" in result.stderr
    assert "invalid JSON" in result.stderr


def test_unreadable_file_exit_2(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.json"), "--pack", CORE)
    assert result.exit_code == 2
    assert "cannot read file" in result.stderr


def test_unknown_pack_exit_2(example_file: Path) -> None:
    result = run("validate", str(example_file), "--pack", "nobody/nothing@9.9.9")
    assert result.exit_code == 2
    assert "unknown rule pack" in result.stderr


def test_no_pack_for_declaration_falls_back_to_its_base_pack(example_file: Path) -> None:
    result = run("validate", str(example_file), "--format", "json", *AT)
    assert result.exit_code in (0, 1), result.output
    body = json.loads(result.stdout)
    assert body["pack"]["id"] == "example-standards-body/pact-v3"  # the core example is PACT v3
    notes = [f for f in body["findings"] if f["rule_id"] == "declaration.pack.base"]
    assert len(notes) == 1 and "no rule pack fits" in notes[0]["message"]


def test_declaration_naming_unknown_pack_lists_candidates(tmp_path: Path, core_example: dict[str, Any]) -> None:
    core_example["pcf"]["productOrSectorSpecificRules"] = [
        {"operator": "Other", "otherOperatorName": "pcf-registry", "ruleNames": ["nobody/nothing@1.0.0"]}
    ]
    path = tmp_path / "named.json"
    path.write_text(json.dumps(core_example))
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "not known here" in result.stderr and "candidates:" in result.stderr


def test_several_files_give_a_list(example_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('"not a footprint"')
    result = run("validate", str(example_file), str(other), "--pack", CORE, "--format", "json", *AT)
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert [b["file"] for b in body] == [str(example_file), str(other)]
    assert body[0]["conformant"] is True and body[1]["conformant"] is False
    assert body[1]["findings"][0]["rule_id"] == "declaration.schema.type"


def test_jsonl_stream(tmp_path: Path, core_example: dict[str, Any]) -> None:
    bad = json.loads(json.dumps(core_example))
    bad["pcf"]["ipccCharacterizationFactors"] = ["AR4"]
    lines = [json.dumps(core_example), "", json.dumps(bad), "{not json"]
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run("validate", str(path), "--pack", CORE, "--format", "json", *AT)
    assert result.exit_code == 2
    records = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 3, 4]
    assert records[0]["conformant"] is True
    assert records[1]["conformant"] is False
    assert records[2]["error"]["code"] == "input-error"
    assert records[2]["error"]["location"]["line"] == 4


def test_stdin(core_example: dict[str, Any]) -> None:
    result = run("validate", "-", "--pack", CORE, "--format", "json", *AT, input=json.dumps(core_example))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["conformant"] is True


def test_bad_at_is_unusable_input(example_file: Path) -> None:
    result = run("validate", str(example_file), "--pack", CORE, "--at", "yesterday")
    assert result.exit_code == 2 and "--at" in result.stderr


def test_internal_error_exit_3(example_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(validate_command, "validate_items", boom)
    result = run("validate", str(example_file), "--pack", CORE)
    assert result.exit_code == 3
    assert "internal error" in result.stderr and "simulated bug" in result.stderr


def test_packs_list_json() -> None:
    result = run("packs", "list", "--format", "json")
    assert result.exit_code == 0
    packs = json.loads(result.stdout)
    for p in packs:
        assert {"id", "version", "title", "hs", "cpc", "extends"} <= p.keys()
    assert any(p["id"] == CORE for p in packs)


def test_packs_show_and_example(tmp_path: Path) -> None:
    shown = run("packs", "show", CORE, "--format", "json")
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["id"] == CORE
    resolved = run("packs", "show", "example-standards-body/pact-v3", "--resolved", "--format", "json")
    chain = json.loads(resolved.stdout)["chain"]
    assert chain == ["example-standards-body/core@1.2.0", "example-standards-body/pact-v3@1.1.0"]
    example = run("packs", "example", CORE)
    assert example.exit_code == 0
    path = tmp_path / "ex.json"
    path.write_text(example.stdout)
    assert run("validate", str(path), "--pack", CORE, *AT).exit_code == 0


def test_packs_show_unknown_exit_2() -> None:
    result = run("packs", "show", "nobody/nothing")
    assert result.exit_code == 2


def test_packs_test_all_pass() -> None:
    result = run("packs", "test")
    assert result.exit_code == 0, result.stdout
    assert " 0 failed" in result.stdout


def test_packs_check_reports_line_of_bad_expression(tmp_path: Path) -> None:
    src = Path(__file__).parent.parent / "rulepacks" / "base" / "core.yaml"
    text = src.read_text().replace(
        "check: timestamp(pcf.referencePeriodEnd) <= now", "check: timestamp(pcf.referencePeriodEnd) <= = now"
    )
    text = text.replace("id: example-standards-body/core\n", "id: example-standards-body/core-copy\n")
    bad = tmp_path / "core-copy.yaml"
    bad.write_text(text)
    result = run("packs", "check", str(bad))
    assert result.exit_code == 2
    assert "core.reference-period.not-future" in result.stderr
    assert str(bad) in result.stderr and "line" in result.stderr


def test_console_script_runs_from_any_directory(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "pcfreg"
    out = subprocess.run(
        [str(exe), "packs", "list", "--format", "json"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)


def test_keys_sign_verify_round_trip(tmp_path: Path) -> None:
    priv, pub = tmp_path / "k.pem", tmp_path / "k.jwk"
    assert (
        run(
            "keys", "generate", "--private", str(priv), "--public", str(pub), "--publisher", "example-standards-body"
        ).exit_code
        == 0
    )
    jwks = tmp_path / "keys.json"
    jwks.write_text(json.dumps({"keys": [json.loads(pub.read_text())]}))
    pack = Path(__file__).parent.parent / "rulepacks" / "base" / "core.yaml"
    env = tmp_path / "core.signed.json"
    signed = run(
        "packs", "sign", str(pack), "--key", str(priv), "--signer", "example-standards-body", "--out", str(env)
    )
    assert signed.exit_code == 0, signed.stderr
    ok = run("packs", "verify", str(env), "--keys", str(jwks))
    assert ok.exit_code == 0 and "valid: example-standards-body/core@1.0.0" in ok.stdout
    tampered = json.loads(env.read_text())
    tampered["pack"]["parameters"]["cutOffPercent"]["value"] = 50
    env.write_text(json.dumps(tampered))
    bad = run("packs", "verify", str(env), "--keys", str(jwks))
    assert bad.exit_code == 1 and "NOT VALID" in bad.stderr
    assert run("packs", "verify", str(tmp_path / "missing.json"), "--keys", str(jwks)).exit_code == 2


def test_passphrase_protected_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    priv, pub = tmp_path / "k.pem", tmp_path / "k.jwk"
    args = ["keys", "generate", "--private", str(priv), "--public", str(pub), "--passphrase-env", "PCFREG_TEST_PASS"]
    unset = run(*args)
    assert unset.exit_code == 2 and "PCFREG_TEST_PASS" in unset.stderr and not priv.exists()
    monkeypatch.setenv("PCFREG_TEST_PASS", "correct horse")
    assert run(*args, "--publisher", "example-standards-body").exit_code == 0
    assert b"ENCRYPTED PRIVATE KEY" in priv.read_bytes()
    pack = Path(__file__).parent.parent / "rulepacks" / "base" / "core.yaml"
    sign = ["packs", "sign", str(pack), "--key", str(priv), "--signer", "example-standards-body"]
    assert run(*sign, "--passphrase-env", "PCFREG_TEST_PASS").exit_code == 0
    monkeypatch.setenv("PCFREG_TEST_PASS", "wrong")
    wrong = run(*sign, "--passphrase-env", "PCFREG_TEST_PASS")
    assert wrong.exit_code == 2 and "Traceback" not in wrong.stderr
    no_pass = run(*sign)
    assert no_pass.exit_code == 2 and "Traceback" not in no_pass.stderr


def test_packs_diff(tmp_path: Path) -> None:
    src = (Path(__file__).parent.parent / "rulepacks" / "base" / "core.yaml").read_text()
    old_param = "  cutOffPercent:\n    limit: max\n    value: 5\n"
    assert old_param in src
    newer = src.replace("version: 1.0.0", "version: 1.0.1", 1).replace(old_param, old_param.replace("5", "3"))
    (tmp_path / "core-1.0.1.yaml").write_text(newer)
    args = ("--packs-dir", str(tmp_path), "packs", "diff", f"{CORE}@1.0.0", f"{CORE}@1.0.1")
    text = run(*args)
    assert text.exit_code == 0 and "threshold-tightened" in text.stdout
    checked = run(*args, "--check", "--format", "json")
    assert checked.exit_code == 1
    body = json.loads(checked.stdout)
    assert body["required"] == "major" and body["actual"] == "patch"


def test_init_orgs_credentials_and_keys(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    first = run("init", "--data-dir", data)
    assert first.exit_code == 0, first.stderr
    assert "demo-certifier: client_id" in first.stdout and "demo-platform: API key" in first.stdout
    assert "published example-standards-body/aluminium-ingot@1.0.0" in first.stdout
    again = run("init", "--data-dir", data)
    assert again.exit_code == 0 and "client_id" not in again.stdout and "already initialised" in again.stdout
    assert (
        run("orgs", "create", "acme-body", "--name", "ACME", "--kind", "standards-body", "--data-dir", data).exit_code
        == 0
    )
    dup = run("orgs", "create", "acme-body", "--name", "ACME", "--kind", "standards-body", "--data-dir", data)
    assert dup.exit_code == 2 and "already" in dup.stderr
    listed = run("orgs", "list", "--data-dir", data)
    assert "acme-body" in listed.stdout and "demo-certifier" in listed.stdout
    cred = run("credentials", "create", "--org", "acme-body", "--data-dir", data)
    assert cred.exit_code == 0 and "client_secret" in cred.stdout
    assert run("credentials", "create", "--org", "nobody", "--data-dir", data).exit_code == 2
    priv, pub = tmp_path / "k.pem", tmp_path / "k.jwk"
    assert (
        run("keys", "generate", "--private", str(priv), "--public", str(pub), "--publisher", "acme-body").exit_code == 0
    )
    reg = run("keys", "register", "--org", "acme-body", "--public", str(pub), "--data-dir", data)
    assert reg.exit_code == 0 and "registered key" in reg.stdout
    bad = run("keys", "register", "--org", "acme-body", "--public", str(priv), "--data-dir", data)
    assert bad.exit_code == 2


def test_a_database_set_up_from_another_data_folder_is_refused_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh data folder pointed at a database another folder set up (a PostgreSQL database shared by
    mistake, say) lacks the key that signs the bundled packs: before, an internal error on the missing file."""
    first = tmp_path / "first"
    assert run("init", "--data-dir", str(first)).exit_code == 0
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{first / 'pcfreg.db'}")
    other = tmp_path / "other"
    result = run("init", "--data-dir", str(other))
    assert result.exit_code == 2, result.output
    key = other / "secrets" / "example-standards-body.ed25519.pem"
    assert str(key) in result.stderr and "set up with another data folder" in result.stderr
    assert "internal error" not in result.stderr and not key.exists()
    assert run("init", "--data-dir", str(first)).exit_code == 0  # nothing of the first folder's was changed


def test_unreadable_jsonl_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "gone.jsonl"
    result = run("validate", str(missing), "--pack", CORE)
    assert result.exit_code == 2
    assert str(missing) in result.stderr and "cannot read file" in result.stderr


def test_packs_show_yaml_loads_back_to_the_pack() -> None:
    from registry.packs.catalog import Catalog
    from registry.yamlpos import load_with_positions

    result = run("packs", "show", CORE)
    assert result.exit_code == 0
    shown, _ = load_with_positions(result.stdout)
    pack = Catalog.bundled().get(CORE)
    assert shown == {**pack.data, "digest": pack.digest}
