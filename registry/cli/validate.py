"""``pcfreg validate``: footprint declarations against rule packs, one file or a .jsonl stream at a time.

Exit 0 all conformant, 1 any not conformant, 2 any input unusable.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import click
import orjson

from registry.cli.common import (
    EXIT_INPUT,
    EXIT_NONCONFORMANT,
    EXIT_OK,
    dumps,
    guarded,
    load_catalog,
    reference_time,
    render_result,
    report,
)
from registry.errors import InputError, Location, RegistryError
from registry.inputs import parse_json, read_input
from registry.packs import Catalog, ItemOutcome, LineOutcome, recalculate_document, validate_items, validate_jsonl


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--pack", help="Rule pack ID[@VERSION]; default: the pack the declaration names, else its codes.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="html: the certifier's report (what was validated, the findings), for one footprint.",
)
@click.option("--at", "at", help="Validate as of this ISO 8601 instant (default: now).")
@click.option(
    "--inventory",
    "inventory_path",
    help="Recompute the declaration from this activity inventory (one declaration only).",
)
@click.pass_context
@guarded
def validate(
    ctx: click.Context, files: tuple[str, ...], pack: str | None, fmt: str, at: str | None, inventory_path: str | None
) -> None:
    """Validate footprint declarations (PACT v3 or v2.x JSON, or .jsonl streams) against a rule pack.

    A file may hold one footprint, a JSON array of them, a PACT API response ({"data": ...})
    or a CloudEvent with data.pfs; each footprint is validated and named FILE#POINTER.
    Without --pack and with no product pack fitting, the base pack of the declaration's
    format is used (pact-v3 for PACT v3, core otherwise), with a warning that says so.

    Exit 0 if all are conformant, 1 if any is not, 2 if any input is unusable.
    """
    catalog = load_catalog(ctx)
    now = reference_time(at)
    if pack is not None:
        catalog.compiled(pack)  # an unknown or broken pack is unusable input: fail before reading
    if inventory_path is not None:
        _validate_with_inventory(catalog, files, inventory_path, pack, now, fmt)
    if fmt == "html":
        _html_report(catalog, files, pack, now)
    worst = EXIT_OK
    outputs: list[dict[str, Any]] = []
    for path in files:
        if path.endswith(".jsonl"):
            worst = max(worst, _validate_stream(catalog, path, pack, now, fmt))
            continue
        try:
            document = _read_document(path)
        except RegistryError as e:
            report(e)
            worst = max(worst, EXIT_INPUT)
            outputs.append({"file": path, "error": e.to_dict()})
            continue
        for outcome in validate_items(catalog, document, pack=pack, now=now):
            worst = max(worst, _item_outcome(path, outcome, fmt, outputs))
    if fmt == "json" and outputs:
        _echo_json(files, outputs)
    sys.exit(worst)


def _validate_with_inventory(
    catalog: Catalog, files: tuple[str, ...], inventory_path: str, pack: str | None, now: datetime, fmt: str
) -> None:
    if len(files) != 1 or files[0].endswith(".jsonl"):
        raise InputError("--inventory goes with exactly one declaration file (not a .jsonl stream)")
    from registry.accounting import parse_inventory  # the recalculation stack loads only when it is asked for

    path = files[0]
    inventory = parse_inventory(read_input(inventory_path, sys.stdin.buffer), file=inventory_path)
    document = _read_document(path)
    result, _ = recalculate_document(catalog, document, inventory, pack=pack, now=now)
    click.echo(render_result(path, result) if fmt == "text" else dumps(result.to_json()))
    sys.exit(EXIT_OK if result.conformant else EXIT_NONCONFORMANT)


def _html_report(catalog: Catalog, files: tuple[str, ...], pack: str | None, now: datetime) -> None:
    """The HTML report of one footprint (what ``GET /v1/validations/{id}?format=html`` shows), on stdout."""
    from registry.packs import render_validation_html

    if len(files) != 1 or files[0].endswith(".jsonl"):
        raise InputError("--format html reports on one declaration file (not a .jsonl stream): give one FILE")
    path = files[0]
    document = _read_document(path)
    outcomes = validate_items(catalog, document, pack=pack, now=now)
    if len(outcomes) != 1:
        raise InputError(f"--format html reports on one footprint; {path} holds {len(outcomes)}", Location(path))
    outcome = outcomes[0]
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    footprint = _at_pointer(document, outcome.pointer)
    click.echo(render_validation_html(None, now.isoformat(), outcome.result.to_json(), footprint))
    sys.exit(EXIT_OK if outcome.result.conformant else EXIT_NONCONFORMANT)


def _at_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer ("" the whole document) of an envelope or array the validator walked."""
    value = document
    for part in pointer.split("/")[1:] if pointer else []:
        key = part.replace("~1", "/").replace("~0", "~")
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def _read_document(path: str) -> Any:
    """The parsed JSON of one file; ILCD+EPD input (XML or a .zip bundle) is refused with the way to convert it."""
    data = read_input(path, sys.stdin.buffer)
    if (
        data.startswith(b"PK\x03\x04")
        or path.lower().endswith(".zip")
        or data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"
    ):
        raise InputError(
            "this is ILCD+EPD input (XML or a .zip bundle), not a PACT footprint: convert it first, e.g. "
            f"pcfreg convert --to pact-v3 {path} [--flow FLOW.xml] > footprint.json, then validate footprint.json",
            Location(path),
        )
    return parse_json(data, file=path)


def _item_outcome(path: str, outcome: ItemOutcome, fmt: str, outputs: list[dict[str, Any]]) -> int:
    """Show one footprint's outcome (text now; json collected in ``outputs``); its exit code.

    A footprint inside an envelope or array is named ``FILE#POINTER``, and its JSON record
    carries its ``pointer`` and ``id``.
    """
    name = f"{path}#{outcome.pointer}" if outcome.pointer else path
    where: dict[str, Any] = {"file": path}
    if outcome.pointer:
        where.update(pointer=outcome.pointer, id=outcome.id)
    if outcome.error is not None:
        if outcome.error.location.file is None:
            loc = outcome.error.location
            outcome.error.location = Location(path, loc.line, loc.column, loc.pointer)
        report(outcome.error)
        outputs.append({**where, "error": outcome.error.to_dict()})
        return EXIT_INPUT
    assert outcome.result is not None
    if fmt == "text":
        click.echo(render_result(name, outcome.result))
    else:
        outputs.append({**where, **outcome.result.to_json()})
    return EXIT_OK if outcome.result.conformant else EXIT_NONCONFORMANT


def _echo_json(files: tuple[str, ...], outputs: list[dict[str, Any]]) -> None:
    """One bare footprint: its result alone (an unusable one was reported on stderr); else a list, one per footprint."""
    if len(outputs) == 1 and len(files) == 1 and "pointer" not in outputs[0]:
        if "error" not in outputs[0]:
            outputs[0].pop("file")
            click.echo(dumps(outputs[0]))
    else:
        click.echo(dumps(outputs))


def _validate_stream(catalog: Catalog, path: str, pack: str | None, now: datetime, fmt: str) -> int:
    stream = _open_stream(path)
    if stream is None:
        return EXIT_INPUT
    worst, total, bad = EXIT_OK, 0, 0
    progress = _progress(stream, path)
    try:
        for outcome in validate_jsonl(catalog, progress, pack=pack, now=now, file=path):
            total += 1
            code = _line_outcome(path, outcome, fmt)
            worst = max(worst, code)
            bad += 0 if code == EXIT_OK else 1
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if fmt == "text":
        click.echo(f"{path}: {total} declaration(s), {total - bad} conformant, {bad} not conformant or unusable")
    return worst


def _open_stream(path: str) -> IO[bytes] | None:
    """The .jsonl stream to read ('-' is stdin); ``None``, reported, when it cannot be opened."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")  # the caller closes it
    except OSError as e:
        report(InputError(f"cannot read file: {e.strerror or e}", Location(path)))
        return None


def _line_outcome(path: str, outcome: LineOutcome, fmt: str) -> int:
    """Show one line's outcome (text: only the bad ones; json: every one, as a JSON line); its exit code."""
    if outcome.error is not None:
        code = EXIT_INPUT
        record: dict[str, Any] = {"line": outcome.line, "id": outcome.id, "error": outcome.error.to_dict()}
        if fmt == "text":
            report(outcome.error)
    else:
        assert outcome.result is not None
        code = EXIT_OK if outcome.result.conformant else EXIT_NONCONFORMANT
        record = {"line": outcome.line, "id": outcome.id, **outcome.result.to_json()}
        if fmt == "text" and code != EXIT_OK:
            label = f" ({outcome.id})" if outcome.id else ""
            click.echo(render_result(f"{path}:{outcome.line}{label}", outcome.result))
    if fmt == "json":
        sys.stdout.write(orjson.dumps(record).decode() + "\n")
    return code


def _progress(stream: IO[bytes], path: str) -> Any:
    if not sys.stderr.isatty():
        return stream
    from tqdm import tqdm

    total = None
    try:
        total = Path(path).stat().st_size if path != "-" else None
    except OSError:
        total = None
    bar = tqdm(total=total, unit="B", unit_scale=True, desc=Path(path).name, file=sys.stderr, leave=False)

    def lines() -> Any:
        for raw in stream:
            bar.update(len(raw))
            yield raw
        bar.close()

    return lines()
