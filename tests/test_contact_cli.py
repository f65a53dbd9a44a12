"""``pcfreg orgs contact``: the operator sets an organisation's public contact (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from registry import cli
from registry.service.contacts import contact_of
from registry.storage import repo
from registry.storage.db import make_engine, session_scope
from registry.storage.settings import StorageSettings, database_url_for


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli.main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


def _stored(data: str) -> dict[str, str] | None:
    engine = make_engine(database_url_for(StorageSettings(data_dir=Path(data))))
    with session_scope(engine, write=False) as s:
        contact = contact_of(repo.get_organisation(s, "demo-certifier"))
        return contact.to_json() if contact else None


def test_set_show_refuse_and_remove(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert run("init", "--data-dir", data).exit_code == 0
    args = ("--email", "labels@demo.example", "--url", "https://demo.example/", "--address", "1 Road\\nBeijing")
    done = run("orgs", "contact", "demo-certifier", *args, "--data-dir", data)
    assert done.exit_code == 0, done.stderr
    expected = {"email": "labels@demo.example", "url": "https://demo.example/", "address": "1 Road\nBeijing"}
    assert json.loads(done.stdout) == expected and _stored(data) == expected

    bad = run("orgs", "contact", "demo-certifier", "--url", "javascript:alert(1)", "--data-dir", data)
    assert bad.exit_code != 0 and "url" in bad.stderr and _stored(data) == expected
    bad = run("orgs", "contact", "demo-certifier", "--email", "nobody", "--data-dir", data)
    assert bad.exit_code != 0 and "email" in bad.stderr and _stored(data) == expected
    missing = run("orgs", "contact", "no-such-org", "--email", "a@demo.example", "--data-dir", data)
    assert missing.exit_code != 0 and "no-such-org" in missing.stderr

    cleared = run("orgs", "contact", "demo-certifier", "--data-dir", data)
    assert cleared.exit_code == 0 and "no public contact" in cleared.stdout and _stored(data) is None
