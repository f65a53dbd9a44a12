"""``pcfreg keys ...``: a publisher's pack signing keys (generate, register) and a certifier's label
signing keys (rotate, withdraw)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from registry.cli.common import data_dir_option, guarded, open_data_dir, read_passphrase
from registry.errors import InputError


@click.group()
def keys() -> None:
    """Signing keys: a publisher's pack keys (generate, register); a certifier's label keys (rotate)."""


@keys.command("generate")
@click.option("--private", "private_path", required=True, type=click.Path(), help="Where to write the private key.")
@click.option("--public", "public_path", required=True, type=click.Path(), help="Where to write the public JWK.")
@click.option("--publisher", help="The namespace the key may sign for.")
@click.option("--passphrase-env", help="Name of an environment variable holding a passphrase to encrypt the key.")
@guarded
def keys_generate(private_path: str, public_path: str, publisher: str | None, passphrase_env: str | None) -> None:
    """Generate an Ed25519 key pair for signing rule packs."""
    from registry.packs import generate_key_files

    passphrase = read_passphrase(passphrase_env)
    generate_key_files(Path(private_path), Path(public_path), passphrase=passphrase, publisher=publisher)
    click.echo(f"wrote {private_path} (keep it secret) and {public_path}")


@keys.command("register")
@click.option("--org", "org_id", required=True, help="The standards body the key signs for.")
@click.option("--public", "public_path", required=True, type=click.Path(), help="The public JWK file.")
@data_dir_option
@guarded
def keys_register(org_id: str, public_path: str, data_dir: str) -> None:
    """Register a publisher's public key so the registry accepts packs it signs (operator command)."""
    from registry.service.operator import register_key

    keyid = register_key(Path(data_dir), org_id, Path(public_path))
    click.echo(f"registered key {keyid} for {org_id}")


@keys.command("rotate")
@click.option("--certifier", required=True, help="The certifier whose label signing key is rotated.")
@click.option("--scheme", "schemes", multiple=True, help="A scheme the new key may sign for (default: as the old key).")
@click.option(
    "--category", "categories", multiple=True, help="A pack id or 'namespace/' it may grade under (default: as before)."
)
@data_dir_option
@guarded
def keys_rotate(certifier: str, schemes: tuple[str, ...], categories: tuple[str, ...], data_dir: str) -> None:
    """A new label signing key; the old ones verify only, until their last label expires.

    A certifier's first key needs its scope: --scheme and --category, each as often as needed.
    """
    from issuance import KeyScope, SigningKey
    from registry.service import labels as svc
    from registry.storage import issuance as store
    from registry.storage import repo
    from registry.storage.db import session_scope
    from registry.storage.models import KeyState, OrgKind

    if bool(schemes) != bool(categories):
        raise InputError("give both --scheme and --category, or neither (to keep the old key's scope)")
    scope = KeyScope(schemes=schemes, categories=categories) if schemes else None
    engine, settings = open_data_dir(data_dir)
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        if repo.get_organisation(s, certifier).kind != OrgKind.CERTIFIER:
            raise InputError(f"{certifier} is not a certifier")
        if not store.signing_keys(s, certifier_id=certifier, states=[KeyState.ACTIVE]):
            if scope is None:
                raise InputError(f"{certifier} has no active key yet: give its scope with --scheme and --category")
            new, retired = svc.create_signing_key(s, settings, certifier, scope, now=now), list[SigningKey]()
        else:
            new, retired = svc.rotate_signing_key(s, settings, certifier, now=now, scope=scope)
    click.echo(f"new signing key {new.kid} for {certifier}")
    for old in retired:
        click.echo(f"  {old.kid} now verifies only, until {old.verify_until}")


@keys.command("withdraw")
@click.argument("kid")
@click.option("--certifier", required=True, help="The certifier the key belongs to.")
@click.option(
    "--from",
    "refuse_from",
    metavar="TIME",
    help="Refuse labels it signed from this time on (ISO 8601 with a time zone, e.g. 2026-06-30T13:00:00Z); "
    "earlier ones still verify. Default: refuse every label it signed.",
)
@data_dir_option
@guarded
def keys_withdraw(kid: str, certifier: str, refuse_from: str | None, data_dir: str) -> None:
    """Withdraw a label signing key after a compromise: it signs nothing more, and what it signed from
    --from on is refused, by the registry at once and offline from the next trust list.

    Rotate first (pcfreg keys rotate) so that the certifier keeps a key to issue and sign status lists with.
    """
    from registry.service import labels as svc
    from registry.storage.db import session_scope

    since = _aware_time(refuse_from, "--from") if refuse_from else None
    engine, _ = open_data_dir(data_dir)
    with session_scope(engine) as s:
        key = svc.withdraw_signing_key(s, certifier, kid, now=datetime.now(UTC), refuse_from=since)
    shown = f"{key.withdrawn_from:%Y-%m-%dT%H:%M:%SZ}" if key.withdrawn_from else None
    what = f"labels it signed from {shown} on are" if shown else "every label it signed is"
    click.echo(f"withdrew {kid} ({certifier}): {what} refused; the next trust list says so")


def _aware_time(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as e:
        raise InputError(f"{option} {text!r} is not an ISO 8601 time") from e
    if value.tzinfo is None:
        raise InputError(f"{option} {text!r} has no time zone; add Z or +hh:mm")
    return value.astimezone(UTC)
