"""``pcfreg accreditations ...``: sign an accreditation version (the body, offline), submit it, list them."""

from __future__ import annotations

from pathlib import Path

import click

from registry.cli.common import data_dir_option, dumps, guarded, read_passphrase, signing_options, write_output


@click.group("accreditations")
def accreditations() -> None:
    """Accreditations: which certifier may certify what (schemes x categories x regions x period)."""


@accreditations.command("sign")
@click.argument("file", type=click.Path())
@signing_options("accreditation")
@guarded
def accreditations_sign(file: str, key_path: str, signer: str, out: str | None, passphrase_env: str | None) -> None:
    """Sign one accreditation version (schemas/accreditation-1.0.json) with the accreditation body's key."""
    from registry.accreditation import sign_file
    from registry.signed import envelope_bytes

    envelope = sign_file(file, key_path, signer, passphrase=read_passphrase(passphrase_env))
    write_output(envelope_bytes(envelope), out)


@accreditations.command("submit")
@click.argument("file", type=click.Path())
@data_dir_option
@guarded
def accreditations_submit(file: str, data_dir: str) -> None:
    """Store a signed version (operator): its body's signature is checked, and the version must follow the
    history (a grant first; then reduce, suspend, reinstate or withdraw, each naming the one before)."""
    from registry.service.operator import submit_accreditation

    done = submit_accreditation(Path(data_dir), Path(file))
    what = "stored" if done["created"] else "already stored"
    click.echo(f"{what}: {done['id']}@{done['version']} {done['change']} -> {done['state']} ({done['certifier']})")
    for label_id in done["labels_changed"]:
        click.echo(f"label {label_id}: state changed by the scheme's policy")


@accreditations.command("list")
@click.option("--certifier", help="Only this certifier's accreditations.")
@click.option("--json", "as_json", is_flag=True, help="Every version with its document and envelope, as JSON.")
@data_dir_option
@guarded
def accreditations_list(certifier: str | None, as_json: bool, data_dir: str) -> None:
    """Every stored accreditation version, oldest first per accreditation."""
    from registry.service.operator import list_accreditations

    rows = list_accreditations(Path(data_dir), certifier)
    if as_json:
        click.echo(dumps(rows))
        return
    for r in rows:
        scope = r["accreditation"]["scope"]
        period = f"{r['accreditation']['valid_from']}..{r['accreditation']['valid_until']}"
        click.echo(
            f"{r['id']}@{r['version']}  {r['certifier']}  {r['state']}  {period}  "
            f"schemes {','.join(scope['schemes'])}  categories {','.join(scope['categories'])}  "
            f"regions {','.join(scope['regions'])}"
        )
