"""What every ``pcfreg`` command shares: exit codes, the error guard, output, the clock, options, the catalog.

Every command module imports from here, and from no other command module.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
import orjson

from registry.errors import InputError, PackSelectionError, RegistryError
from registry.findings import ValidationResult
from registry.packs import Catalog, PackCache, RulePack

EXIT_OK, EXIT_NONCONFORMANT, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_NOT_VALID = EXIT_NONCONFORMANT  # a label or signature checked and found not valid

F = TypeVar("F", bound=Callable[..., Any])


def report(error: RegistryError) -> None:
    """Tell the user what is wrong with their input (on stderr), with the candidates when there are some."""
    click.echo(f"pcfreg: {error}", err=True)
    if isinstance(error, PackSelectionError) and error.candidates:
        click.echo("candidates:", err=True)
        for c in error.candidates:
            click.echo(f"  {c}", err=True)


def guarded(fn: F) -> F:
    """Map our errors to exit 2 and anything unexpected to exit 3, without tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RegistryError as e:
            report(e)
            sys.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            sys.exit(EXIT_OK)
        except Exception as e:
            click.echo(f"pcfreg: internal error ({type(e).__name__}): {e}", err=True)
            click.echo("please report this; nothing was changed.", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def dumps(value: Any) -> str:
    """JSON as the commands print it: indented by two."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def render_result(name: str, result: ValidationResult) -> str:
    """A validation result as text: the verdict, then each finding with its clauses, then the counts."""
    verdict = "conformant" if result.conformant else "NOT CONFORMANT"
    lines = [f"{name}: {verdict} - {result.pack.ref} ({result.pack.digest[:19]}...)"]
    for f in result.findings:
        lines.append(f"  {f.severity.value:<7} {f.rule_id}  {f.path or '/'}")
        lines.append(f"          {f.message}")
        if f.clauses:
            lines.append(f"          [{'; '.join(f.clauses)}]")
    counts = {s: sum(1 for f in result.findings if f.severity.value == s) for s in ("error", "warning", "info")}
    lines.append(f"  {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info")
    return "\n".join(lines)


def reference_time(at: str | None) -> datetime:
    """The instant ``--at`` names (UTC unless it says otherwise), or now."""
    if at is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError as e:
        raise InputError(f"--at {at!r} is not an ISO 8601 date-time") from e
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_passphrase(env_name: str | None) -> bytes | None:
    """The passphrase in environment variable ``env_name``; asking for one that is unset is an error."""
    if env_name is None:
        return None
    value = os.environ.get(env_name)
    if not value:
        raise InputError(f"--passphrase-env names {env_name}, but that environment variable is unset or empty")
    return value.encode()


def load_catalog(ctx: click.Context) -> Catalog:
    """The bundled packs and those of every ``--packs-dir``, loaded once per invocation."""
    obj = ctx.find_root().obj
    if "catalog" not in obj:
        cache = PackCache.default()
        packs = Catalog.bundled(cache=cache).packs()
        for extra in obj.get("packs_dirs", ()):
            packs += Catalog.from_directory(Path(extra), cache=cache).packs()
        obj["catalog"] = Catalog(packs, cache=cache)
    return obj["catalog"]  # type: ignore[no-any-return]


def extra_packs(ctx: click.Context) -> list[RulePack]:
    """The packs of every ``--packs-dir`` (not the bundled ones)."""
    cache = PackCache.default()
    packs: list[RulePack] = []
    for extra in ctx.find_root().obj.get("packs_dirs", ()):
        packs += Catalog.from_directory(Path(extra), cache=cache).packs()
    return packs


def data_dir_option(fn: F) -> F:
    """The ``--data-dir`` option of every command that works on the registry's storage."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False),
        envvar="PCFREG_DATA_DIR",
        default="pcfreg-data",
        show_default=True,
        help="Data directory (SQLite database, keys, secrets); also PCFREG_DATA_DIR. "
        "DATABASE_URL overrides the database.",
    )(fn)


def open_data_dir(data_dir: str) -> tuple[Any, Any]:
    """The database engine and issuance settings of an initialised data directory."""
    from registry.service.labels import load_settings
    from registry.service.operator import _engine

    path = Path(data_dir)
    if not path.is_dir():
        raise InputError(f"{data_dir} is not a data directory; run pcfreg init --data-dir {data_dir} first")
    return _engine(path), load_settings(path)
