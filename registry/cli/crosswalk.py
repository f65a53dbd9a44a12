"""``pcfreg crosswalk list|show`` and ``pcfreg recognise``: thin over :mod:`registry.crosswalk`.

recognise: 0 recognition computed, 1 declaration not conformant to its pack (findings shown),
2 unusable input (unreadable file, bad audit record, unknown scheme or pack), 3 internal error.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

import click

from registry.cli.common import EXIT_NONCONFORMANT, dumps, guarded, load_catalog, reference_time, render_result
from registry.declarations import prepare
from registry.errors import InputError, Location
from registry.inputs import parse_json, read_input
from registry.packs import validate_document

if TYPE_CHECKING:
    from registry.crosswalk import AuditRecord, Crosswalks

# registry.crosswalk.FORMATS (a test keeps them equal): the crosswalks load only when a command here runs.
FORMATS = ("text", "json", "html")


@click.group()
def crosswalk() -> None:
    """Crosswalks between product carbon footprint schemes: list, show."""


@crosswalk.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def crosswalk_list(fmt: str) -> None:
    """List the schemes the crosswalks know, with the rule packs that certify under each."""
    from registry.crosswalk import load_crosswalks

    cw = load_crosswalks()
    rows = [_scheme_summary(cw, s) for s in cw.schemes]
    if fmt == "json":
        click.echo(dumps(rows))
        return
    for row in rows:
        packs = ", ".join(row["packs"]) or "-"
        click.echo(
            f"{row['id']:<14} {row['short']:<18} {row['unchecked']:>2}/{row['requirements']} unchecked  packs: {packs}"
        )
        click.echo(f"{'':<14} {row['title']}")


def _scheme_summary(cw: Crosswalks, scheme_id: str) -> dict[str, Any]:
    s = cw.schemes[scheme_id]
    return {
        "id": s.id,
        "short": s.short,
        "title": s.title,
        "version": s.version,
        "publisher": s.publisher,
        "packs": list(s.packs),
        "requirements": len(s.entries),
        "unchecked": sum(1 for e in s.entries.values() if not e.checked),
    }


@crosswalk.command("show")
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@guarded
def crosswalk_show(a: str, b: str, fmt: str) -> None:
    """Compare scheme B with scheme A, requirement by requirement (how B's requirement stands to A's)."""
    from registry.crosswalk import compare, load_crosswalks, render_comparison

    click.echo(render_comparison(compare(load_crosswalks(), a, b), fmt))


def _targets(cw: Crosswalks, schemes: str | None) -> list[str] | None:
    if schemes is None:
        return None
    names = [s.strip() for s in schemes.split(",") if s.strip()]
    if not names:
        raise InputError("--schemes names no scheme")
    cw.select(names)  # unknown scheme: unusable input, before reading anything
    return names


def _audit(cw: Crosswalks, audit_path: str | None, document: Any) -> AuditRecord:
    from registry.crosswalk import audit_from_declaration, check_audit, parse_audit

    if audit_path is None:
        audit = audit_from_declaration(cw, document)
        if audit is None:
            raise InputError(
                "no audit record: give --audit AUDIT.json, or a declaration whose extension has attestations"
            )
        return audit
    try:
        text = read_input(audit_path).decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("the audit record is not UTF-8 text", Location(audit_path)) from e
    audit = parse_audit(text, file=audit_path)
    try:
        check_audit(cw, audit)
    except InputError as e:
        raise InputError(e.message, dataclasses.replace(e.location, file=audit_path)) from e
    return audit


@click.command("recognise")
@click.argument("file")
@click.option("--pack", help="Rule pack ID[@VERSION]; default: the pack the declaration names, else its codes.")
@click.option(
    "--audit",
    "audit_path",
    help="The audit record (schemas/audit-1.0.json); default: built from the declaration's attestations.",
)
@click.option("--schemes", help="Target schemes, comma-separated (default: every scheme).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--at", "at", help="Validate as of this ISO 8601 instant (default: now).")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="The language the html page opens in (it switches to the other).",
)
@click.pass_context
@guarded
def recognise_command(
    ctx: click.Context,
    file: str,
    pack: str | None,
    audit_path: str | None,
    schemes: str | None,
    fmt: str,
    at: str | None,
    lang: str,
) -> None:
    """Recognise an audited, conformant declaration under other schemes: status, gaps and conflicts per scheme.

    The declaration is validated first; a non-conformant one is refused (exit 1) with its findings.
    """
    from registry.crosswalk import checking_rules, load_crosswalks, recognise, render_recognition

    catalog, now, cw = load_catalog(ctx), reference_time(at), load_crosswalks()
    targets = _targets(cw, schemes)
    document = parse_json(read_input(file, sys.stdin.buffer), file=file)
    result = validate_document(catalog, document, pack=pack, now=now)
    if not result.conformant:
        if fmt == "json":
            click.echo(dumps(result.to_json()))
        else:
            click.echo(render_result(file, result), err=fmt == "html")
        click.echo("pcfreg: not recognised: the declaration is not conformant to its pack", err=True)
        sys.exit(EXIT_NONCONFORMANT)
    declaration = prepare(document).document
    audit = _audit(cw, audit_path, declaration)
    resolved = catalog.resolve(result.pack.ref)
    recognition = recognise(
        cw,
        declaration,
        pack=result.pack,
        audit=audit,
        chain=resolved.chain,
        schemes=targets,
        pack_rules=checking_rules(resolved.rules),
    )
    click.echo(render_recognition(recognition, fmt, lang))
