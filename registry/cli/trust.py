"""``pcfreg trust export`` and ``pcfreg status export``: the signed lists offline verifiers need;
``pcfreg trust pin``: the registry key a verifier checks them with, pinned once."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson

from registry.cli.common import (
    PIN_FILE,
    config_dir,
    data_dir_option,
    fingerprint,
    guarded,
    open_data_dir,
    pin_registry_keys,
)
from registry.errors import InputError, Location

PIN_TIMEOUT_SECONDS = 10.0
PIN_MAX_BYTES = 64 * 1024  # a key set of a few Ed25519 keys is well under 1 KiB


@click.group("trust")
def trust() -> None:
    """The registry's trust list of label signing keys."""


@trust.command("export")
@click.option(
    "--registry-keys",
    is_flag=True,
    help="Print the registry's own key set instead (to pin once), and its fingerprints on stderr.",
)
@data_dir_option
@guarded
def trust_export(registry_keys: bool, data_dir: str) -> None:
    """The signed trust list (JSON) to stdout: what offline verifiers need."""
    from registry.packs import TrustedKeys
    from registry.service import labels as svc
    from registry.storage.db import session_scope

    engine, settings = open_data_dir(data_dir)
    if registry_keys:
        jwks = svc.registry_keys(settings)
        click.echo(orjson.dumps(jwks, option=orjson.OPT_INDENT_2).decode())
        for key in TrustedKeys.from_json(jwks).all():  # on stderr: what verifiers compare after pinning
            click.echo(f"registry key {key.keyid}  {fingerprint(key.public)}", err=True)
        return
    with session_scope(engine, write=False) as s:
        doc = svc.signed_trust_list(s, settings, now=datetime.now(UTC))
    click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())


@trust.command("pin")
@click.argument("source")
@click.option("--replace", is_flag=True, help="Replace a pinned key set that differs (after a key rotation).")
@guarded
def trust_pin(source: str, replace: bool) -> None:
    """Pin the registry's public key set, the trust root of `label verify`, from SOURCE: a URL
    (https://REGISTRY/v1/trust-list/keys), a file of `pcfreg trust export --registry-keys`, or '-'.

    Prints each key's fingerprint: compare it with the one the registry publishes before relying on it.
    """
    from registry.inputs import parse_json, read_input

    is_url = source.startswith(("https://", "http://"))
    raw = _fetch(source) if is_url else read_input(source, sys.stdin.buffer)
    doc = parse_json(raw, file=source)
    pinned = config_dir() / PIN_FILE
    if pinned.is_file() and not replace and parse_json(pinned.read_bytes(), file=str(pinned)) != doc:
        raise InputError(
            f"another registry key set is pinned in {pinned}; give --replace to change it", Location(source)
        )
    for keyid, printed in pin_registry_keys(doc):
        click.echo(f"pinned registry key {keyid}  {printed}")
    click.echo(f"in {pinned}; compare the fingerprint with the registry's before relying on it")


def _fetch(url: str) -> bytes:
    import httpx

    try:
        with httpx.stream("GET", url, timeout=PIN_TIMEOUT_SECONDS, follow_redirects=False) as response:
            if response.status_code != 200:
                raise InputError(f"the registry answered HTTP {response.status_code}", Location(url))
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > PIN_MAX_BYTES:
                    raise InputError(f"the answer is over {PIN_MAX_BYTES} bytes: not a key set", Location(url))
            return body
    except httpx.HTTPError as e:
        raise InputError(f"cannot fetch the registry's keys: {e}", Location(url)) from e


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
