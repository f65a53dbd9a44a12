"""``pcfreg pact pull|request|requests``: the registry as a PACT client of partners' hosts.

The commands join the ``pact`` group (:mod:`registry.cli.pact`) in :mod:`registry.cli`.

pull: 0 every footprint stored and conformant, 1 any stored one not conformant, 5 the partner failed
(a page, authentication) or sent a footprint that could not be used (each said in the report),
2 unusable input. request: 0 sent, 5 the partner refused it or could not be reached.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from registry.cli.common import (
    EXIT_NONCONFORMANT,
    EXIT_OK,
    EXIT_PARTNER,
    data_dir_option,
    dumps,
    guarded,
    load_catalog,
)
from registry.errors import InputError

F = Callable[..., Any]
FILTERS = (
    ("product_id", "productId", "--product-id"),
    ("company_id", "companyId", "--company-id"),
    ("geography", "geography", "--geography"),
    ("classification", "classification", "--classification"),
    ("valid_on", "validOn", "--valid-on"),
    ("valid_after", "validAfter", "--valid-after"),
    ("valid_before", "validBefore", "--valid-before"),
    ("status", "status", "--status"),
)
SINGLE = {"valid_on", "valid_after", "valid_before"}


def _partner_options(fn: F) -> F:
    options = (
        click.argument("url"),
        click.option("--client-id", required=True, envvar="PCFREG_PACT_CLIENT_ID", help="Also PCFREG_PACT_CLIENT_ID."),
        click.option(
            "--client-secret",
            required=True,
            envvar="PCFREG_PACT_CLIENT_SECRET",
            help="Also PCFREG_PACT_CLIENT_SECRET (better than the command line, which others may see).",
        ),
        click.option("--org", "org_id", required=True, help="The organisation the footprints are stored for."),
        click.option("--ca-file", type=click.Path(dir_okay=False), help="Trust this CA (PEM), e.g. a dev certificate."),
        click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 600), help="Seconds."),
        click.option("--json", "as_json", is_flag=True, help="Print the report as JSON."),
        data_dir_option,
    )
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filter_options(fn: F) -> F:
    for name, param, flag in reversed(FILTERS):
        if name in SINGLE:
            fn = click.option(flag, name, help=f"PACT {param} (an RFC 3339 date-time).")(fn)
        else:
            fn = click.option(flag, name, multiple=True, help=f"PACT {param}; repeat for any of several.")(fn)
    return fn


def _criteria(values: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, param, _ in FILTERS:
        value = values.get(name)
        if value:
            out[param] = [value] if isinstance(value, str) else list(value)
    return out


def _engine(data_dir: str) -> Any:
    from registry.storage.db import make_engine, migrate
    from registry.storage.settings import StorageSettings, database_url_for

    path = Path(data_dir)
    if not path.is_dir():
        raise InputError(f"{data_dir} is not a data directory; run pcfreg init --data-dir {data_dir} first")
    engine = make_engine(database_url_for(StorageSettings(data_dir=path)))
    migrate(engine)
    return engine


def _partner(url: str, client_id: str, client_secret: str, ca_file: str | None, timeout: float) -> Any:
    from registry.service.pact_partner import PartnerHost

    return PartnerHost(url, client_id, client_secret, ca_file=ca_file, timeout=timeout)


@click.command("pull")
@_partner_options
@_filter_options
@click.option("--limit", type=click.IntRange(1, 10000), help="Footprints per page the partner is asked for.")
@click.pass_context
@guarded
def pull(
    ctx: click.Context,
    /,
    url: str,
    client_id: str,
    client_secret: str,
    org_id: str,
    ca_file: str | None,
    timeout: float,
    as_json: bool,
    data_dir: str,
    limit: int | None,
    **filters: Any,
) -> None:
    """Pull footprints from the PACT host at URL: discover its token endpoint, authenticate, page through
    /3/footprints, validate each footprint against its packs and store it as a supplier footprint of --org.

    Each footprint is stored on its own; a failed page leaves the ones before it stored, and the report
    says where it stopped. Exit 0 all stored and conformant, 1 any not conformant, 5 the partner failed.
    """
    from registry.service.supplier_footprints import pull_footprints, validator_for

    catalog = load_catalog(ctx)
    engine = _engine(data_dir)
    with _partner(url, client_id, client_secret, ca_file, timeout) as partner:
        report = pull_footprints(
            partner,
            engine,
            org_id=org_id,
            filters=_criteria(filters),
            limit=limit,
            validate=validator_for(catalog, lambda: datetime.now(UTC)),
            clock=lambda: datetime.now(UTC),
        )
    body = report.to_json()
    click.echo(dumps(body) if as_json else _pull_text(body))
    if not report.complete or body["refused"]:
        sys.exit(EXIT_PARTNER)
    sys.exit(EXIT_NONCONFORMANT if body["not_conformant"] else EXIT_OK)


def _pull_text(body: dict[str, Any]) -> str:
    lines = [f"{body['partner']} (token endpoint {body['token_endpoint']})"]
    for f in body["footprints"]:
        where = f"page {f.get('page')} {f['pointer']}"
        if f["status"] == "refused":
            error = f["error"]
            lines.append(
                f"  REFUSED  {f.get('footprint_id') or '-'}  {where}: {error.get('code')}: {error.get('message')}"
            )
        else:
            verdict = "conformant" if f.get("conformant") else "NOT CONFORMANT"
            lines.append(
                f"  {f['status']:<14} {f['footprint_id']}  {verdict}  validation {f['validation_id']} {f['digest']}"
            )
    lines.append(
        f"  {body['pages']} page(s): {body['stored']} stored, {body['already_stored']} already stored, "
        f"{body['refused']} refused, {body['not_conformant']} not conformant"
    )
    stopped = body["stopped"]
    if stopped is not None:
        lines.append(
            f"  STOPPED at page {stopped['page']} ({stopped.get('url', '-')}): {stopped['code']}: {stopped['message']}"
        )
    return "\n".join(lines)


@click.command("request")
@_partner_options
@_filter_options
@click.option("--comment", help="A comment for the partner.")
@click.option(
    "--source",
    help="This registry's public URL, where the partner sends its answer (to SOURCE/3/events); "
    "default PCFREG_PUBLIC_URL.",
)
@guarded
def request(
    url: str,
    client_id: str,
    client_secret: str,
    org_id: str,
    ca_file: str | None,
    timeout: float,
    as_json: bool,
    data_dir: str,
    comment: str | None,
    source: str | None,
    **filters: Any,
) -> None:
    """Ask the PACT host at URL for footprints (a RequestCreatedEvent to URL/3/events). Its answer arrives
    later at this registry's /3/events and is stored for --org; `pcfreg pact requests` shows it.

    Exit 0 sent, 5 the partner refused it or could not be reached."""
    from registry.service.pact_requests import send_request

    source = source or os.environ.get("PCFREG_PUBLIC_URL")
    if not source:
        raise InputError("--source (or PCFREG_PUBLIC_URL): this registry's public URL, where the answer goes")
    criteria: dict[str, Any] = {**_criteria(filters), "comment": comment}
    engine = _engine(data_dir)
    with _partner(url, client_id, client_secret, ca_file, timeout) as partner:
        sent = send_request(partner, engine, org_id=org_id, criteria=criteria, source=source, now=datetime.now(UTC))
    body = sent.to_json()
    if as_json:
        click.echo(dumps(body))
    elif sent.error is None:
        click.echo(f"request {sent.request_id} sent to {sent.partner}; the answer will come to {source}/3/events")
    else:
        click.echo(f"request {sent.request_id} to {sent.partner} FAILED: {sent.error['code']}: {sent.error['message']}")
    sys.exit(EXIT_OK if sent.error is None else EXIT_PARTNER)


@click.command("requests")
@click.option("--org", "org_id", required=True)
@data_dir_option
@guarded
def requests_list(org_id: str, data_dir: str) -> None:
    """The requests --org sent to partners, newest first, with their state and answer (JSON)."""
    from registry.service.pact_requests import list_requests

    click.echo(dumps(list_requests(_engine(data_dir), org_id)))
