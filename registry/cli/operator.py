"""``pcfreg orgs ...`` and ``pcfreg credentials ...``: operator commands on the data directory."""

from __future__ import annotations

from pathlib import Path

import click

from registry.cli.common import data_dir_option, guarded


@click.group()
def orgs() -> None:
    """Organisations (operator commands)."""


@orgs.command("create")
@click.argument("org_id")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(["standards-body", "certifier", "platform", "admin"]))
@data_dir_option
@guarded
def orgs_create(org_id: str, name: str, kind: str, data_dir: str) -> None:
    """Create an organisation."""
    from registry.service.operator import create_org

    create_org(Path(data_dir), org_id, name, kind)
    click.echo(f"created {kind} {org_id}")


@orgs.command("list")
@data_dir_option
@guarded
def orgs_list(data_dir: str) -> None:
    """List organisations."""
    from registry.service.operator import list_orgs

    for org in list_orgs(Path(data_dir)):
        click.echo(f"{org['id']}  {org['kind']}  {org['name']}")


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
