"""``pcfreg``: the command line. Thin over the core; exit codes are a contract.

validate: 0 all conformant, 1 any not conformant, 2 unusable input.
recalc: 0 every line computed and conformant, 1 not, 2 unusable input.
Every command: 2 for unusable input (unknown pack, unreadable file, bad JSON),
3 for an internal error. No traceback ever reaches the user.

This module builds the root group and registers each command group; the commands live one
group to a module beside it, and share only :mod:`registry.cli.common`.
"""

from __future__ import annotations

import click

from registry import __version__
from registry.cli import (
    accreditations,
    catalogues,
    convert,
    crosswalk,
    factors,
    keys,
    labels,
    log,
    operator,
    packs,
    pact,
    pact_client,
    recalc,
    serve,
    trace,
    trust,
    validate,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pcfreg")
@click.option(
    "--packs-dir",
    "packs_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    envvar="PCFREG_PACKS_DIR",
    help="Also load rule packs from this folder (repeatable), next to the bundled ones; "
    "also PCFREG_PACKS_DIR (folders separated by the path separator). pcfreg init and serve publish them.",
)
@click.pass_context
def main(ctx: click.Context, packs_dirs: tuple[str, ...]) -> None:
    """pcf-registry: product carbon footprint rules as code."""
    ctx.obj = {"packs_dirs": packs_dirs}


main.add_command(validate.validate)
main.add_command(packs.packs)
main.add_command(factors.factors)
main.add_command(catalogues.catalogues)
main.add_command(recalc.recalc)
main.add_command(trace.trace)
main.add_command(convert.convert)
main.add_command(crosswalk.crosswalk)
main.add_command(crosswalk.recognise_command)
main.add_command(labels.label)
main.add_command(keys.keys)
main.add_command(trust.trust)
main.add_command(trust.status)
main.add_command(log.log)
main.add_command(operator.orgs)
main.add_command(operator.credentials)
main.add_command(accreditations.accreditations)
main.add_command(pact.pact)
for _command in (pact_client.pull, pact_client.request, pact_client.requests_list):
    pact.pact.add_command(_command)
main.add_command(serve.init_cmd)
main.add_command(serve.serve)
