"""``pcfreg pact share|unshare|shares|partner|events`` (issue 16): the data owner's side of the PACT host."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from registry import cli
from registry.canonical import sha256_digest
from registry.packs.catalog import Catalog
from registry.service.labels import load_settings
from registry.service.pact_events import open_secret
from registry.storage.db import make_engine, session_scope
from registry.storage.models import PactPartner, Validation
from registry.storage.settings import StorageSettings, database_url_for


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(cli.main, list(args), env=env)
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


def _validation(data: str, declaration: dict[str, Any], conformant: bool = True) -> str:
    engine = make_engine(database_url_for(StorageSettings(data_dir=Path(data))))
    vid = str(uuid.uuid4())
    with session_scope(engine) as s:
        s.add(
            Validation(
                id=vid,
                org_id="demo-certifier",
                pack_id="example-standards-body/aluminium-ingot",
                pack_version="1.0.0",
                pack_digest="sha256:" + "00" * 32,
                conformant=conformant,
                result={},
                declaration=declaration,
                declaration_digest=sha256_digest(declaration),
                created_at=datetime.now(UTC),
            )
        )
    engine.dispose()
    return vid


def test_share_list_unshare_and_partner(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert run("init", "--data-dir", data).exit_code == 0
    assert run("orgs", "create", "buyer", "--name", "Buyer", "--kind", "platform", "--data-dir", data).exit_code == 0
    made = run("credentials", "create", "--org", "buyer", "--data-dir", data)
    client_id = made.stdout.split("client_id", 1)[1].split()[0]
    example = Catalog.bundled().resolve("example-standards-body/aluminium-ingot").example
    assert example is not None
    vid = _validation(data, example)

    shared = run("pact", "share", vid, "--client", client_id, "--org", "demo-certifier", "--data-dir", data)
    assert shared.exit_code == 0, shared.stderr
    assert json.loads(shared.stdout)["pf_id"] == example["id"]
    listed = run("pact", "shares", "--org", "demo-certifier", "--data-dir", data)
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["client_id"] == client_id and row["active"] and row["shared_by"] == "pcfreg-operator"

    other = run("pact", "share", vid, "--client", client_id, "--org", "demo-platform", "--data-dir", data)
    assert other.exit_code == 2 and "not found" in other.stderr
    failing = _validation(data, {**example, "id": str(uuid.uuid4())}, conformant=False)
    refused = run("pact", "share", failing, "--client", client_id, "--org", "demo-certifier", "--data-dir", data)
    assert refused.exit_code == 2 and "not conformant" in refused.stderr
    nobody = run("pact", "share", vid, "--client", "cli_nobody", "--org", "demo-certifier", "--data-dir", data)
    assert nobody.exit_code == 2 and "no PACT client" in nobody.stderr

    gone = run("pact", "unshare", example["id"], "--client", client_id, "--org", "demo-certifier", "--data-dir", data)
    assert gone.exit_code == 0 and json.loads(gone.stdout)["active"] is False

    env = {"PCFREG_PACT_REMOTE_SECRET": "s3cret"}
    plain = run(
        "pact",
        "partner",
        client_id,
        "--url",
        "http://buyer.example",
        "--remote-client-id",
        "r",
        "--data-dir",
        data,
        env=env,
    )
    assert plain.exit_code == 2 and "https://" in plain.stderr
    ok = run(
        "pact",
        "partner",
        client_id,
        "--url",
        "https://buyer.example",
        "--remote-client-id",
        "r",
        "--data-dir",
        data,
        env=env,
    )
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["base_url"] == "https://buyer.example" and "s3cret" not in ok.stdout
    engine = make_engine(database_url_for(StorageSettings(data_dir=Path(data))))
    with session_scope(engine, write=False) as s:
        stored = s.get(PactPartner, client_id)
        assert stored is not None and b"s3cret" not in bytes(stored.remote_secret_sealed)
        master = load_settings(Path(data)).master_key
        assert open_secret(stored.remote_secret_sealed, master, client_id) == "s3cret"
    engine.dispose()
    assert run("pact", "events", "--org", "demo-certifier", "--data-dir", data).exit_code == 0
