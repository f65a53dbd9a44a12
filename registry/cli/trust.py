"""``pcfreg trust export`` and ``pcfreg status export``: the signed lists offline verifiers need."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson

from registry.cli.common import data_dir_option, guarded, open_data_dir
from registry.errors import InputError


@click.group("trust")
def trust() -> None:
    """The registry's trust list of label signing keys."""


@trust.command("export")
@click.option("--registry-keys", is_flag=True, help="Print the registry's own key set instead (to pin once).")
@data_dir_option
@guarded
def trust_export(registry_keys: bool, data_dir: str) -> None:
    """The signed trust list (JSON) to stdout: what offline verifiers need."""
    from registry.service import labels as svc
    from registry.storage.db import session_scope

    engine, settings = open_data_dir(data_dir)
    if registry_keys:
        click.echo(orjson.dumps(svc.registry_keys(settings), option=orjson.OPT_INDENT_2).decode())
        return
    with session_scope(engine, write=False) as s:
        doc = svc.signed_trust_list(s, settings, now=datetime.now(UTC))
    click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())


@click.group("status")
def status() -> None:
    """Certifiers' status lists (revocation and suspension)."""


@status.command("export")
@click.option("--certifier", required=True)
@click.option("--list", "list_no", type=click.IntRange(0), default=None, help="List number (default: the newest).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write here (default: stdout, binary).")
@data_dir_option
@guarded
def status_export(certifier: str, list_no: int | None, out: str | None, data_dir: str) -> None:
    """The certifier's current signed status list token (application/statuslist+cwt)."""
    from registry.service import labels as svc
    from registry.storage import issuance as store
    from registry.storage.db import session_scope

    engine, settings = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        lists = store.status_lists(s, certifier)
        if not lists:
            raise InputError(f"{certifier} has no status list yet (it has issued no label)")
        number = lists[-1].list_no if list_no is None else list_no
        token, _ = svc.signed_status_list(s, settings, certifier, number, now=datetime.now(UTC))
    if out:
        Path(out).write_bytes(token)
        click.echo(f"wrote {out} (list {number} of {certifier})", err=True)
    else:
        sys.stdout.buffer.write(token)
        sys.stdout.buffer.flush()
