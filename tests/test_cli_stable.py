"""The command line is a contract: every command, parameter, default and help text, as in the snapshot.

The snapshot ``tests/cli-snapshot.json`` records, for each command of ``pcfreg``, its parameters
(name, flags, type, required, default, and the details that change what a user may type) and its
rendered ``--help``. When a change to the command line is intended, regenerate it with::

    python tests/test_cli_stable.py > tests/cli-snapshot.json

and let the diff of the snapshot show the change in review.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from registry.cli import main

SNAPSHOT = Path(__file__).with_name("cli-snapshot.json")
REGENERATE = "python tests/test_cli_stable.py > tests/cli-snapshot.json"


def _param(p: click.Parameter) -> list[Any]:
    default = "callable" if callable(p.default) else repr(p.default)
    type_name = re.sub(r" object at 0x[0-9a-fA-F]+", "", str(p.type))  # the details hold the type's settings
    return [p.name, p.opts, type_name, p.required, default]


def _param_details(p: click.Parameter) -> list[Any]:
    details = [p.name, p.type.to_info_dict(), p.secondary_opts, p.multiple, p.nargs, p.envvar, p.metavar]
    if isinstance(p, click.Option):
        details += [p.is_flag, p.show_default, p.hidden, p.help]
    return details


def _kind(command: click.Command) -> list[Any]:
    kind: list[Any] = [type(command).__name__, command.hidden, command.deprecated, command.no_args_is_help]
    if isinstance(command, click.Group):
        kind += [command.invoke_without_command, command.chain]
    return kind


def _walk(command: click.Command, ctx: click.Context, out: dict[str, Any]) -> None:
    out[ctx.command_path.removeprefix("pcfreg ")] = {
        "kind": _kind(command),
        "params": sorted(_param(p) for p in command.params),
        "details": sorted((_param_details(p) for p in command.params), key=lambda d: str(d[0])),
        "help": command.get_help(ctx).splitlines(),
    }
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):  # the root group imports each command as it is asked
            child = command.get_command(ctx, name)
            assert child is not None, name
            _walk(child, click.Context(child, info_name=name, parent=ctx, **child.context_settings), out)


def command_tree() -> dict[str, Any]:
    """Every command of ``pcfreg`` by its path, as plain JSON data."""
    out: dict[str, Any] = {}
    settings = {"terminal_width": 100, "max_content_width": 100, **main.context_settings}
    root = click.Context(main, info_name="pcfreg", **settings)
    _walk(main, root, out)
    return json.loads(json.dumps(out))  # tuples to lists, as they come back from the file


def test_the_command_line_is_as_in_the_snapshot() -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    actual = command_tree()
    changed = sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
    assert {k: actual.get(k) for k in changed} == {k: expected.get(k) for k in changed}, (
        f"the command line changed in: {', '.join(changed)}. "
        f"If that is intended, regenerate the snapshot with `{REGENERATE}` and commit it."
    )


if __name__ == "__main__":
    json.dump(command_tree(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
