"""``pcfreg pact share|unshare|shares|partner|events``: an organisation's side of the PACT host.

Operator commands on the data directory, acting for ``--org`` (the organisation whose validations
are shared); the same use cases as ``/v1/pact/*`` (registry.service.pact_host).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
import orjson

from registry.cli.common import data_dir_option, dumps, guarded, open_data_dir


@click.group()
def pact() -> None:
    """The PACT host: share validated declarations with partner clients (served at /3/footprints)."""


def _session(data_dir: str) -> Any:
    from registry.storage.db import session_scope

    engine, _ = open_data_dir(data_dir)
    return session_scope(engine)


@pact.command("share")
@click.argument("validation_id")
@click.option("--client", "client_id", required=True, help="the partner's client id (a registry credential)")
@click.option("--org", "org_id", required=True, help="the organisation that ran the validation")
@data_dir_option
@guarded
def share(validation_id: str, client_id: str, org_id: str, data_dir: str) -> None:
    """Share a conformant validation with a partner client; prints the share (JSON)."""
    from registry.service import pact_host

    with _session(data_dir) as s:
        row = pact_host.share(s, pact_host.acting_for(s, org_id), validation_id, client_id, now=datetime.now(UTC))
        click.echo(dumps(pact_host.share_public(row)))


@pact.command("unshare")
@click.argument("pf_id")
@click.option("--client", "client_id", required=True)
@click.option("--org", "org_id", required=True)
@data_dir_option
@guarded
def unshare(pf_id: str, client_id: str, org_id: str, data_dir: str) -> None:
    """Stop sharing a footprint with a client (the share stays recorded, inactive)."""
    from registry.service import pact_host

    with _session(data_dir) as s:
        row = pact_host.unshare(s, pact_host.acting_for(s, org_id), pf_id, client_id, now=datetime.now(UTC))
        click.echo(dumps(pact_host.share_public(row)))


@pact.command("shares")
@click.option("--org", "org_id", required=True)
@click.option("--client", "client_id", default=None)
@data_dir_option
@guarded
def shares(org_id: str, client_id: str | None, data_dir: str) -> None:
    """The organisation's shares (JSON Lines): footprint, client, active, when and by whom."""
    from registry.service import pact_host

    with _session(data_dir) as s:
        for row in pact_host.list_shares(s, pact_host.acting_for(s, org_id), client_id):
            click.echo(orjson.dumps(pact_host.share_public(row)).decode())


@pact.command("partner")
@click.argument("client_id")
@click.option("--url", "base_url", required=True, help="the partner's PACT base URL (https://...)")
@click.option("--auth-url", "auth_base_url", default=None, help="its auth base URL, if not the base URL")
@click.option("--remote-client-id", required=True, help="the client id the partner issued to this registry")
@click.option(
    "--remote-client-secret",
    envvar="PCFREG_PACT_REMOTE_SECRET",
    prompt=True,
    hide_input=True,
    help="its secret (also PCFREG_PACT_REMOTE_SECRET; prompted for if absent)",
)
@data_dir_option
@guarded
def partner(
    client_id: str,
    base_url: str,
    auth_base_url: str | None,
    remote_client_id: str,
    remote_client_secret: str,
    data_dir: str,
) -> None:
    """Where partner CLIENT_ID's own PACT host receives events (answers to its requests, PublishedEvents)."""
    from registry.service import pact_host
    from registry.service.operator import OPERATOR

    _, settings = open_data_dir(data_dir)
    with _session(data_dir) as s:
        row = pact_host.set_partner(
            s,
            OPERATOR,
            client_id,
            base_url=base_url,
            auth_base_url=auth_base_url,
            remote_client_id=remote_client_id,
            remote_client_secret=remote_client_secret,
            master_key=settings.master_key,
            now=datetime.now(UTC),
        )
        click.echo(dumps(pact_host.partner_public(row)))


@pact.command("events")
@click.option("--org", "org_id", required=True)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@data_dir_option
@guarded
def events(org_id: str, limit: int, data_dir: str) -> None:
    """Events received from and sent to the organisation's partners (JSON Lines, newest first)."""
    from registry.service import pact_events, pact_host

    with _session(data_dir) as s:
        for row in pact_host.events_for(s, pact_host.acting_for(s, org_id), limit):
            click.echo(orjson.dumps(pact_events.event_public(row)).decode())
