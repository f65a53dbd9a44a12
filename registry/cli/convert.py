"""``pcfreg convert``: one declaration in (ILCD+EPD XML, PACT v2, PACT v3), one format out.

The converted JSON goes to stdout, findings to stderr (one per line). Exit 0 when the
output was written and is schema-valid, 1 when it was written but its schema check
reported errors, 2 for unusable input, 3 for an internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

import click

from registry.cli.common import EXIT_INPUT, EXIT_NONCONFORMANT, EXIT_OK, dumps, guarded, report
from registry.convert import MAX_INPUT_BYTES, Conversion
from registry.declarations import Item, check_pact, instead_of_upgrade_notes, spec_major, unwrap, upgrade_v2_to_v3
from registry.errors import InputError, Location
from registry.findings import Finding, Severity
from registry.inputs import parse_json, read_input

TARGETS: Final = ("pact-v3", "pact-v2", "battery-cf")
SOURCES: Final = ("ilcd", "pact-v2", "pact-v3")
_ZIP_MAGIC: Final = b"PK\x03\x04"
_BOM: Final = b"\xef\xbb\xbf"


def sniff(path: str, data: bytes) -> str:
    """The input format when ``--from`` is absent: XML or .zip -> ilcd; PACT v2.x JSON -> pact-v2; else pact-v3."""
    if data.startswith(_ZIP_MAGIC) or path.lower().endswith(".zip"):
        return "ilcd"
    if data.removeprefix(_BOM).lstrip()[:1] == b"<":
        return "ilcd"
    return _json_source(parse_json(data, file=path))


def load(
    source: str,
    data: bytes,
    *,
    path: str,
    flow: bytes | None,
    declared_unit: str | None,
    now: datetime,
    process: str | None = None,
) -> tuple[dict[str, Any], list[Finding]]:
    """The input as a v3 declaration, with the findings of getting it there."""
    if source != "ilcd" and (flow is not None or declared_unit is not None or process is not None):
        raise InputError("--flow and --declared-unit apply only to ILCD input, as does --process", Location(path))
    if source == "ilcd":
        result = _from_ilcd(data, path=path, flow=flow, declared_unit=declared_unit, now=now, process=process)
        return result.document, list(result.findings)
    return _load_document(source, parse_json(data, file=path))


def _load_document(source: str, doc: Any) -> tuple[dict[str, Any], list[Finding]]:
    """A parsed PACT footprint as a v3 declaration; refused when it is not PACT v2 or v3 at all."""
    if not isinstance(doc, dict):
        raise InputError("the input must be a JSON object (a PACT ProductFootprint)", Location(pointer=""))
    check_pact(doc)
    if source == "pact-v2":
        upgraded, findings = upgrade_v2_to_v3(doc)
        return upgraded, findings
    return doc, []


def _from_ilcd(
    data: bytes, *, path: str, flow: bytes | None, declared_unit: str | None, now: datetime, process: str | None
) -> Conversion:
    try:
        from registry.convert import ilcd_bundle_to_declaration, ilcd_to_declaration
    except ImportError as e:
        raise InputError(f"ILCD input is not available in this installation ({e})", Location(path)) from e
    if data.startswith(_ZIP_MAGIC) or path.lower().endswith(".zip"):
        if flow is not None:
            raise InputError("--flow applies to a single process XML; a .zip bundle carries its flows", Location(path))
        result = ilcd_bundle_to_declaration(data, source=path, declared_unit=declared_unit, process=process, now=now)
    else:
        if process is not None:
            raise InputError(
                "--process picks a process data set in a .zip bundle; this is one XML file", Location(path)
            )
        result = ilcd_to_declaration(data, flow=flow, source=path, declared_unit=declared_unit, now=now)
    return result


def export(target: str, declaration: dict[str, Any], *, keep_extension: bool) -> Conversion:
    if target == "pact-v3":
        from registry.convert import to_pact_v3

        return to_pact_v3(declaration, keep_extension=keep_extension)
    if target == "pact-v2":
        from registry.convert import to_pact_v2

        return to_pact_v2(declaration, keep_extension=keep_extension)
    from registry.convert import to_battery_cf

    return to_battery_cf(declaration)


def render_finding(f: Finding) -> str:
    """One line: severity, rule id, pointer, [other pointer], message."""
    where = f.path or "/"
    other = f" [{f.source_path}]" if f.source_path else ""
    return " ".join(f"{f.severity.value:<7} {f.rule_id} {where}{other}  {f.message}".split("\n"))


def _choice(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise InputError(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return value


@click.command("convert")
@click.argument("file")
@click.option("--to", "target", required=True, metavar="FORMAT", help="pact-v3, pact-v2 (PACT v2.3) or battery-cf.")
@click.option("--from", "source", metavar="FORMAT", help="ilcd, pact-v2 or pact-v3 (default: sniffed from the input).")
@click.option(
    "--keep-extension/--drop-extension",
    default=True,
    show_default=True,
    help="Keep the pcf-registry extension in PACT output (other parties' extensions are always kept).",
)
@click.option("--flow", "flow_path", metavar="FLOW.xml", help="ILCD flow dataset of the reference flow (XML input).")
@click.option("--declared-unit", help="ILCD input: the PACT declared unit to state the result in.")
@click.option("--process", "process", metavar="UUID", help="ILCD .zip with several processes: the one to convert.")
@click.option("--findings/--no-findings", "show_findings", default=True, help="Write findings to stderr.")
@guarded
def convert(
    file: str,
    target: str,
    source: str | None,
    keep_extension: bool,
    flow_path: str | None,
    declared_unit: str | None,
    process: str | None,
    show_findings: bool,
) -> None:
    """Convert one declaration FILE ('-' for stdin) and write the result to stdout.

    A JSON array of footprints, a PACT API response ({"data": ...}) or a CloudEvent with
    data.pfs is converted footprint by footprint into a JSON array; findings are prefixed
    with the footprint's pointer. A document that is not PACT v2 or v3 is refused (exit 2).

    Exit 0 on success, 1 if the output fails its schema check (it is still written),
    2 for unusable input.
    """
    _choice("--to", target, TARGETS)
    data = read_input(file, sys.stdin.buffer, max_bytes=MAX_INPUT_BYTES)
    given = _choice("--from", source, SOURCES) if source is not None else None
    source = given or sniff(file, data)
    flow = read_input(flow_path) if flow_path is not None else None
    now = datetime.now(UTC)
    if source != "ilcd":
        unwrapped = unwrap(parse_json(data, file=file))
        if unwrapped.envelope is not None:
            if flow is not None or declared_unit is not None or process is not None:
                raise InputError(
                    "--flow and --declared-unit apply only to ILCD input, as does --process", Location(file)
                )
            sys.exit(_convert_items(file, unwrapped.items, target, keep_extension, show_findings, pinned=given))
    try:
        declaration, notes = load(
            source, data, path=file, flow=flow, declared_unit=declared_unit, now=now, process=process
        )
        result = export(target, declaration, keep_extension=keep_extension)
    except InputError as e:
        if e.location.file is None:  # name the file; the pointer is into the (upgraded) declaration
            e.location = Location(file, e.location.line, e.location.column, e.location.pointer)
        raise
    checked = instead_of_upgrade_notes(notes, list(result.findings))  # raises the notes it stands in for
    findings = [*notes, *checked]
    if show_findings:
        for f in findings:
            click.echo(render_finding(f), err=True)
    click.echo(dumps(result.document))
    sys.exit(EXIT_NONCONFORMANT if any(f.severity is Severity.ERROR for f in findings) else EXIT_OK)


def _json_source(document: Any) -> str:
    return "pact-v2" if isinstance(document, dict) and spec_major(document) == 2 else "pact-v3"


def _convert_items(
    file: str, items: Iterable[Item], target: str, keep_extension: bool, show_findings: bool, *, pinned: str | None
) -> int:
    """Each footprint of an array or envelope converted in turn: a JSON array out, findings prefixed by pointer.

    An item that is not a PACT footprint is reported and left out of the output (exit 2).
    """
    documents: list[Any] = []
    worst = EXIT_OK
    for item in items:
        try:
            source = pinned or _json_source(item.document)
            declaration, notes = _load_document(source, item.document)
            result = export(target, declaration, keep_extension=keep_extension)
        except InputError as e:
            loc = e.location
            e.location = Location(file, loc.line, loc.column, item.pointer + (loc.pointer or ""))
            report(e)
            worst = max(worst, EXIT_INPUT)
            continue
        checked = instead_of_upgrade_notes(notes, list(result.findings))
        findings = [*notes, *checked]
        if show_findings:
            for f in findings:
                click.echo(f"{item.pointer}: {render_finding(f)}", err=True)
        documents.append(result.document)
        if any(f.severity is Severity.ERROR for f in findings):
            worst = max(worst, EXIT_NONCONFORMANT)
    if documents:
        click.echo(dumps(documents))
    return worst
