"""``pcfreg recalc``: recompute a declaration's numbers from its activity inventory.

Exit 0 when every line was computed and the declaration is conformant under its pack (deviation
bounds included), 1 otherwise, 2 when an input is unusable.
"""

from __future__ import annotations

import sys

import click

from registry.accounting import parse_inventory, render_html, render_text
from registry.cli.common import EXIT_NONCONFORMANT, EXIT_OK, dumps, guarded, load_catalog, reference_time, render_result
from registry.inputs import parse_json, read_input
from registry.packs import recalculate_document, recalculation_report


@click.command()
@click.argument("declaration")
@click.option(
    "--inventory", "inventory_path", required=True, help="The activity inventory (JSON, pcf-registry/inventory/1.0)."
)
@click.option("--pack", help="Rule pack ID[@VERSION]; default: the pack the declaration names, else its codes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--at", "at", help="Resolve factors and validate as of this ISO 8601 instant (default: now).")
@click.pass_context
@guarded
def recalc(
    ctx: click.Context, declaration: str, inventory_path: str, pack: str | None, fmt: str, at: str | None
) -> None:
    """Recompute DECLARATION's numbers from an activity inventory: per line the factor, the unit chain and
    kg CO2e; totals, primary data share, DQR, and the deviation from the declared values.

    Exit 0 if every line was computed and the declaration is conformant, 1 if not, 2 if an input is unusable.
    """
    catalog = load_catalog(ctx)
    now = reference_time(at)
    inventory = parse_inventory(read_input(inventory_path, sys.stdin.buffer), file=inventory_path)
    document = parse_json(read_input(declaration, sys.stdin.buffer), file=declaration)
    result, recalculation = recalculate_document(catalog, document, inventory, pack=pack, now=now)
    assert recalculation is not None  # an inventory was given
    report = recalculation_report(result, recalculation)
    if fmt == "json":
        click.echo(dumps(report))
    elif fmt == "html":
        click.echo(render_html(declaration, report["recalculation"]))
    else:
        click.echo(render_text(declaration, report["recalculation"]))
        click.echo(render_result(declaration, result))
    ok = result.conformant and recalculation.complete
    sys.exit(EXIT_OK if ok else EXIT_NONCONFORMANT)
