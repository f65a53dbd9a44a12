"""``pcfreg credentials list|revoke|rotate`` (issue 10: a credential life cycle a person can drive)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from registry import cli
from registry.service.credentials import authenticate
from registry.storage.db import make_engine
from registry.storage.settings import StorageSettings, database_url_for


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli.main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


def test_list_revoke_rotate(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    init = run("init", "--data-dir", data)
    assert init.exit_code == 0, init.stderr
    client_id, secret = re.search(r"demo-certifier: client_id (\S+)\s+client_secret (\S+)", init.stdout).groups()  # type: ignore[union-attr]
    engine = make_engine(database_url_for(StorageSettings(data_dir=Path(data))))
    assert authenticate(engine, client_id, secret) is not None

    listed = run("credentials", "list", "--org", "demo-certifier", "--json", "--data-dir", data)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["client_id"] for r in rows] == [client_id] and rows[0]["revoked_at"] is None
    assert secret not in listed.stdout and "scrypt" not in listed.stdout

    rotated = run("credentials", "rotate", client_id, "--org", "demo-certifier", "--data-dir", data)
    assert rotated.exit_code == 0, rotated.stderr
    new_id, new_secret = re.search(r"client_id (\S+)\s+client_secret (\S+)", rotated.stdout).groups()  # type: ignore[union-attr]
    assert authenticate(engine, client_id, secret) is None
    assert authenticate(engine, new_id, new_secret) is not None

    revoked = run("credentials", "revoke", new_id, "--org", "demo-certifier", "--data-dir", data)
    assert revoked.exit_code == 0 and f"revoked {new_id}" in revoked.stdout
    assert authenticate(engine, new_id, new_secret) is None
    text = run("credentials", "list", "--org", "demo-certifier", "--data-dir", data).stdout
    assert text.count("revoked") == 2

    wrong_org = run("credentials", "revoke", new_id, "--org", "demo-platform", "--data-dir", data)
    assert wrong_org.exit_code == 2 and "not found" in wrong_org.stderr
    engine.dispose()
