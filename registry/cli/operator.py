"""``pcfreg orgs ...`` and ``pcfreg credentials ...``: operator commands on the data directory."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from registry.cli.common import data_dir_option, guarded


@click.group()
def orgs() -> None:
    """Organisations (operator commands)."""


@orgs.command("create")
@click.argument("org_id")
@click.option("--name", required=True)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["standards-body", "certifier", "platform", "admin", "regulator", "accreditation-body"]),
)
@click.option(
    "--jurisdiction",
    "jurisdiction",
    multiple=True,
    help="A regulator's region, ISO 3166-1 alpha-2 (CN) or ISO 3166-2 (CN-GD); repeat for several.",
)
@data_dir_option
@guarded
def orgs_create(org_id: str, name: str, kind: str, jurisdiction: tuple[str, ...], data_dir: str) -> None:
    """Create an organisation (a regulator with its jurisdiction)."""
    from registry.service.operator import create_org

    create_org(Path(data_dir), org_id, name, kind, jurisdiction)
    where = f" for {', '.join(sorted({j.upper() for j in jurisdiction}))}" if jurisdiction else ""
    click.echo(f"created {kind} {org_id}{where}")


@orgs.command("list")
@data_dir_option
@guarded
def orgs_list(data_dir: str) -> None:
    """List organisations."""
    from registry.service.operator import list_orgs

    for org in list_orgs(Path(data_dir)):
        click.echo(f"{org['id']}  {org['kind']}  {org['name']}")


@orgs.command("contact")
@click.argument("org_id")
@click.option("--email", default=None, help="E-mail address (its syntax is checked).")
@click.option("--url", default=None, help="Web page, http or https only.")
@click.option("--phone", default=None, help="Telephone, e.g. '+86 10 6532 1234'.")
@click.option("--address", default=None, help="Postal address (a line break as '\\n').")
@data_dir_option
@guarded
def orgs_contact(
    org_id: str, email: str | None, url: str | None, phone: str | None, address: str | None, data_dir: str
) -> None:
    """Set an organisation's public contact (a certifier's page shows it).

    The parts given replace the whole contact; none given removes it."""
    from registry.service.operator import set_contact

    given = {"email": email, "url": url, "phone": phone, "address": address.replace("\\n", "\n") if address else None}
    shown = set_contact(Path(data_dir), org_id, {k: v for k, v in given.items() if v is not None})
    click.echo(orjson.dumps(shown).decode() if shown else f"no public contact for {org_id}")


@click.group()
def credentials() -> None:
    """Client credentials and API keys (operator commands)."""


@credentials.command("create")
@click.option("--org", "org_id", required=True)
@click.option("--kind", type=click.Choice(["client-secret", "api-key"]), default="client-secret", show_default=True)
@click.option("--label", default="")
@data_dir_option
@guarded
def credentials_create(org_id: str, kind: str, label: str, data_dir: str) -> None:
    """Create a credential for an organisation; its secret is printed once."""
    from registry.service.operator import create_credential

    click.echo(create_credential(Path(data_dir), org_id, kind, label).as_text())


@credentials.command("list")
@click.option("--org", "org_id", required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per credential (JSON Lines).")
@data_dir_option
@guarded
def credentials_list(org_id: str, as_json: bool, data_dir: str) -> None:
    """List an organisation's credentials (never their secrets)."""
    from registry.service.operator import list_credentials

    for c in list_credentials(Path(data_dir), org_id):
        if as_json:
            click.echo(orjson.dumps(c).decode())
            continue
        state = f"revoked {c['revoked_at']:%Y-%m-%dT%H:%M:%SZ}" if c["revoked_at"] else "active"
        used = f"{c['last_used_at']:%Y-%m-%dT%H:%M:%SZ}" if c["last_used_at"] else "never"
        click.echo(f"{c['client_id']}  {c['kind']}  {state}  last used {used}  {c['label']}")


@credentials.command("revoke")
@click.argument("client_id")
@click.option("--org", "org_id", required=True, help="The organisation the credential belongs to.")
@data_dir_option
@guarded
def credentials_revoke(client_id: str, org_id: str, data_dir: str) -> None:
    """Revoke a credential: its tokens and API key stop working within seconds."""
    from registry.service.operator import revoke_credential

    revoked = revoke_credential(Path(data_dir), org_id, client_id)
    click.echo(f"revoked {client_id} ({org_id}) at {revoked['revoked_at']:%Y-%m-%dT%H:%M:%SZ}")


@credentials.command("rotate")
@click.argument("client_id")
@click.option("--org", "org_id", required=True, help="The organisation the credential belongs to.")
@data_dir_option
@guarded
def credentials_rotate(client_id: str, org_id: str, data_dir: str) -> None:
    """A new credential of the same kind and label (its secret printed once); the old one revoked."""
    from registry.service.operator import rotate_credential

    new = rotate_credential(Path(data_dir), org_id, client_id)
    click.echo(f"revoked {client_id}; new credential (shown once, store it now):")
    if new.credential.kind == "api-key":
        click.echo(f"  {org_id}: API key {new.shown_secret}")
    else:
        click.echo(f"  {org_id}: client_id {new.credential.client_id}  client_secret {new.secret}")
