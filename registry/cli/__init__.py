"""``pcfreg``: the command line. Thin over the core; exit codes are a contract.

validate: 0 all conformant, 1 any not conformant, 2 unusable input.
recalc: 0 every line computed and conformant, 1 not, 2 unusable input.
Every command: 2 for unusable input (unknown pack, unreadable file, bad JSON),
3 for an internal error. No traceback ever reaches the user.

This module builds the root group and registers each command group; the commands live one
group to a module beside it, and share only :mod:`registry.cli.common`.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from registry import __version__

# Each command group's module loads only when that command runs (or help lists them all): a
# ``pcfreg validate`` does not pay for importing what ``pcfreg pact`` or ``pcfreg serve`` use.
# name -> (module under registry.cli, the click command in it)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "validate"),
    "packs": ("packs", "packs"),
    "factors": ("factors", "factors"),
    "catalogues": ("catalogues", "catalogues"),
    "recalc": ("recalc", "recalc"),
    "trace": ("trace", "trace"),
    "convert": ("convert", "convert"),
    "crosswalk": ("crosswalk", "crosswalk"),
    "recognise": ("crosswalk", "recognise_command"),
    "label": ("labels", "label"),
    "keys": ("keys", "keys"),
    "trust": ("trust", "trust"),
    "status": ("trust", "status"),
    "log": ("log", "log"),
    "orgs": ("operator", "orgs"),
    "credentials": ("operator", "credentials"),
    "accreditations": ("accreditations", "accreditations"),
    "pact": ("pact", "pact"),
    "init": ("serve", "init_cmd"),
    "serve": ("serve", "serve"),
}
PACT_CLIENT_COMMANDS = ("pull", "request", "requests_list")  # of registry.cli.pact_client, under ``pcfreg pact``


class LazyGroup(click.Group):
    """The root group: its commands are listed by name and imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(_load(cmd_name), cmd_name)
        return self.commands.get(cmd_name)


def _load(name: str) -> click.Command:
    module_name, attribute = COMMANDS[name]
    module = importlib.import_module(f"registry.cli.{module_name}")
    command: Any = getattr(module, attribute)
    if name == "pact":
        from registry.cli import pact_client

        for sub in PACT_CLIENT_COMMANDS:
            command.add_command(getattr(pact_client, sub))
    assert isinstance(command, click.Command)
    return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
