"""``pcfreg trace ID``: what a label or a declaration rests on, down to factors and supplier declarations.

Exit codes: 0 printed, 2 nothing of that id the organisation may see (or unusable input).
"""

from __future__ import annotations

import click

from registry.cli.common import data_dir_option, dumps, guarded, open_data_dir


@click.command("trace")
@click.argument("ident", metavar="LABEL_ID|VALIDATION_ID|DECLARATION_ID")
@click.option(
    "--as",
    "org",
    required=True,
    help="The organisation looking (a certifier): its stored validations and inventories are followed, nobody else's.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the chain as JSON.")
@data_dir_option
@guarded
def trace(ident: str, org: str, as_json: bool, data_dir: str) -> None:
    """Print the chain under a label, a stored validation or a declaration: label -> validation ->
    recalculation -> inventory lines -> factor-set@version#factor-id or supplier declaration."""
    from registry.service import trace as svc
    from registry.storage.db import session_scope

    engine, _ = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        result = svc.trace(s, org, ident)
    click.echo(dumps(result) if as_json else svc.render_text(result), nl=as_json)
