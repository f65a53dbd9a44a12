"""``pcfreg catalogues ...``: grading catalogues (issue 13, docs/grading-catalogues.md).

``check`` and ``sign``/``verify`` work on files, offline; ``list``, ``show``, ``diff``, ``publish``,
``compute`` and ``stats`` on a data directory's registry. ``check`` exits 1 when a catalogue has an error
finding; ``verify`` exits 1 when the signature is not valid. No catalogue is bundled.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry.cli.common import (
    EXIT_NONCONFORMANT,
    EXIT_OK,
    data_dir_option,
    dumps,
    guarded,
    open_data_dir,
    print_verified,
    read_passphrase,
    signing_options,
    verifying_options,
    write_output,
)
from registry.findings import Finding, Severity

if TYPE_CHECKING:
    from registry.catalogues import Catalogue

FMT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@click.group("catalogues")
def catalogues() -> None:
    """Grading catalogues: list, show, diff, check, sign, verify, publish, deprecate, withdraw, regrade, compute,
    stats."""


def _render(ref: str, findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    lines = [f"{'FAIL' if errors else 'ok'}  {ref}"]
    for f in findings:
        lines += [f"  {f.severity.value:<7} {f.rule_id}  {f.path or '/'}", f"          {f.message}"]
    return "\n".join(lines)


@catalogues.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@FMT
@guarded
def catalogues_check(files: tuple[str, ...], fmt: str) -> None:
    """The meta check of catalogue files: publisher, dates, bands, bases, the disclosure floor of percentiles.

    Exit 0 when no catalogue has an error finding, 1 otherwise, 2 when a file cannot be read as a catalogue.
    """
    from registry.catalogues import check_catalogue, load_catalogue_file

    results = [(c, check_catalogue(c)) for c in (load_catalogue_file(Path(f)) for f in files)]
    failed = any(f.severity is Severity.ERROR for _, found in results for f in found)
    if fmt == "json":
        click.echo(dumps([{"ref": c.ref, "findings": [f.to_json() for f in found]} for c, found in results]))
    else:
        click.echo("\n".join(_render(c.ref, found) for c, found in results))
    sys.exit(EXIT_NONCONFORMANT if failed else EXIT_OK)


@catalogues.command("sign")
@click.argument("file", type=click.Path())
@signing_options("catalogue")
@guarded
def catalogues_sign(file: str, key_path: str, signer: str, out: str | None, passphrase_env: str | None) -> None:
    """Sign a catalogue file: Ed25519 over its RFC 8785 canonical JSON, in the rule packs' envelope."""
    from registry.catalogues import sign_file
    from registry.signed import envelope_bytes

    envelope = sign_file(Path(file), Path(key_path), signer, passphrase=read_passphrase(passphrase_env))
    write_output(envelope_bytes(envelope), out)


@catalogues.command("verify")
@click.argument("file", type=click.Path())
@verifying_options
@guarded
def catalogues_verify(file: str, keys_path: str, threshold: int) -> None:
    """Check a signed catalogue offline. Exit 0 valid, 1 signature not valid, 2 unusable input."""
    from registry.catalogues import verify_file

    def check() -> tuple[str, str, tuple[str, ...]]:
        verified = verify_file(Path(file), Path(keys_path), threshold=threshold)
        return verified.catalogue.ref, verified.digest, verified.verified.keyids

    print_verified(check)


def _principal(session: Any, namespace: str) -> Any:
    """The operator acts for the catalogue's namespace organisation, in its own kind."""
    from registry.service.principal import Principal
    from registry.storage.repo import get_organisation

    org = get_organisation(session, namespace)
    return Principal(org.id, org.kind.value, "pcfreg-cli", "operator")


@catalogues.command("publish")
@click.argument("file", type=click.Path())
@data_dir_option
@guarded
def catalogues_publish(file: str, data_dir: str) -> None:
    """Publish a signed catalogue into the data directory's registry (signature against the namespace's
    registered keys, an authority as publisher, the meta check); a published version never changes."""
    from registry.inputs import parse_json
    from registry.service import catalogues as svc
    from registry.storage.db import session_scope

    envelope = parse_json(Path(file).read_bytes(), file=file)
    engine, _ = open_data_dir(data_dir)
    with session_scope(engine) as s:
        outcome = svc.publish(s, _principal(s, svc.namespace_of(envelope)), envelope, now=datetime.now(UTC))
        ref = f"{outcome.row.catalogue_id}@{outcome.row.version}"
    click.echo(f"{'published' if outcome.created else 'already published'}: {ref}")
    for f in outcome.findings:
        click.echo(f"  {f.severity.value} {f.rule_id} {f.path}: {f.message}", err=True)


@catalogues.command("list")
@FMT
@data_dir_option
@guarded
def catalogues_list(fmt: str, data_dir: str) -> None:
    """The catalogue versions published in the data directory's registry."""
    from registry.service import catalogues as svc
    from registry.storage.db import session_scope

    engine, _ = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        rows = [svc.version_json(r) for r in svc.list_versions(s)]
    if fmt == "json":
        click.echo(dumps(rows))
        return
    for r in rows:
        until = f" until {r['effective']['until']}" if "until" in r["effective"] else ""
        click.echo(f"{r['ref']}  {r['status']}  from {r['effective']['from']}{until}  {r['title']['en']}")
    if not rows:
        click.echo("no grading catalogue published", err=True)


def _catalogue(s: Any, ref: str) -> Catalogue:
    from registry.catalogues import load_catalogue_file
    from registry.service import catalogues as svc

    if Path(ref).is_file():
        return load_catalogue_file(Path(ref))
    ident, _, version = ref.partition("@")
    return svc.row_catalogue(svc.get_version(s, ident, version or None))


@catalogues.command("show")
@click.argument("ref")
@click.option("--page", "page", type=click.Choice(["en", "zh"]), help="Print the public HTML page in this language.")
@data_dir_option
@guarded
def catalogues_show(ref: str, page: str | None, data_dir: str) -> None:
    """Show a catalogue (FILE, ID@VERSION or ID: its highest version) as JSON, or its public page."""
    from registry.catalogues import load_catalogue_file, render_catalogue_page
    from registry.storage.db import session_scope

    if Path(ref).is_file():
        catalogue = load_catalogue_file(Path(ref))
    else:
        engine, _ = open_data_dir(data_dir)
        with session_scope(engine, write=False) as s:
            catalogue = _catalogue(s, ref)
    if page:
        click.echo(render_catalogue_page(catalogue, lang=page), nl=False)  # type: ignore[arg-type]
    else:
        click.echo(dumps({**catalogue.to_json(), "digest": catalogue.digest()}))


@catalogues.command("diff")
@click.argument("old")
@click.argument("new")
@data_dir_option
@guarded
def catalogues_diff(old: str, new: str, data_dir: str) -> None:
    """What changed from OLD to NEW (files or ID@VERSION): headers, categories, each band's limit."""
    from registry.catalogues import diff_catalogues, load_catalogue_file
    from registry.storage.db import session_scope

    if Path(old).is_file() and Path(new).is_file():
        click.echo(dumps(diff_catalogues(load_catalogue_file(Path(old)), load_catalogue_file(Path(new)))))
        return
    engine, _ = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        click.echo(dumps(diff_catalogues(_catalogue(s, old), _catalogue(s, new))))


@catalogues.command("compute")
@click.argument("template", type=click.Path())
@click.option("--out", "out", type=click.Path(), help="Write the draft here (default: stdout).")
@data_dir_option
@guarded
def catalogues_compute(template: str, out: str | None, data_dir: str) -> None:
    """A percentile catalogue's draft: each band's limit computed from the valid labels of the category's
    packs issued up to its cut-off date, and frozen. Refused below 5 companies or 10 labels."""
    from registry.inputs import parse_json
    from registry.service import catalogues as svc
    from registry.storage.db import session_scope

    document = parse_json(Path(template).read_bytes(), file=template)
    engine, _ = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        draft, findings = svc.compute(s, document)
    write_output((dumps(draft) + "\n").encode(), out)
    for f in findings:
        click.echo(f"  {f.severity.value} {f.rule_id} {f.path}: {f.message}", err=True)


@catalogues.command("stats")
@click.argument("pack_id")
@data_dir_option
@guarded
def catalogues_stats(pack_id: str, data_dir: str) -> None:
    """Statistics of a category (a pack id) from the registry's labels: shown only where at least 5 companies
    and 10 labels stand behind them."""
    from registry.service import catalogues as svc
    from registry.storage.db import session_scope

    engine, _ = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        click.echo(dumps(svc.statistics(s, pack_id)))


def _status_command(verb: str, status_name: str, help_text: str) -> Any:
    @catalogues.command(verb)
    @click.argument("ref")
    @click.option("--reason", required=True, help="Why (kept with the version; the log records the change).")
    @data_dir_option
    @guarded
    def change(ref: str, reason: str, data_dir: str) -> None:
        from registry.errors import InputError, Location
        from registry.service import catalogues as svc
        from registry.storage.db import session_scope
        from registry.storage.models import PackStatus

        ident, _, version = ref.partition("@")
        if not version or "/" not in ident:
            raise InputError(f"name the version: ID@VERSION, not {ref!r}", Location(ref))
        engine, _ = open_data_dir(data_dir)
        with session_scope(engine) as s:
            row = svc.change_status(
                s,
                _principal(s, ident.split("/", 1)[0]),
                ident,
                version,
                PackStatus(status_name),
                reason=reason,
                now=datetime.now(UTC),
            )
            click.echo(f"{ref} is now {svc.version_json(row)['status']}")

    change.__doc__ = help_text
    return change


_status_command(
    "deprecate",
    "deprecated",
    "Deprecate a catalogue version (operator, for its owner): it still grades while in force.",
)
_status_command(
    "withdraw",
    "withdrawn",
    "Withdraw a catalogue version (operator, for its owner; final): it grades no new label; labels it graded keep "
    "their grade, and their record shows the withdrawal.",
)


@catalogues.command("regrade")
@click.argument("catalogue_id")
@click.option("--apply", is_flag=True, help="Record the new grades (default: a dry run that changes nothing).")
@click.option("--at", help="As of this ISO 8601 instant (default: now).")
@FMT
@data_dir_option
@guarded
def catalogues_regrade(catalogue_id: str, apply: bool, at: str | None, fmt: str, data_dir: str) -> None:
    """Enforce the transition rule "re-grade by a date" of CATALOGUE_ID: each standing label graded under an
    earlier version, with the grade the version now in force gives it (or why its record allows none). A dry run
    unless --apply; applied, each new grade is recorded on the label, logged and kept in its history."""
    from registry.cli.common import reference_time
    from registry.service import catalogues as svc
    from registry.storage.db import session_scope

    now = reference_time(at)
    engine, _ = open_data_dir(data_dir)
    with session_scope(engine, write=apply) as s:
        report = svc.regrade(s, _principal(s, catalogue_id.split("/", 1)[0]), catalogue_id, now=now, apply=apply)
        out = report.to_json()
    if fmt == "json":
        click.echo(dumps(out))
        return
    verb = "re-graded" if apply else "would re-grade"
    for step in out["steps"]:
        before = f"{step['previous']['grade']} ({step['previous']['catalogue']})"
        due = f"by {step['by']}{', overdue' if step['overdue'] else ''}"
        if step["outcome"] == "regrade":
            click.echo(f"{step['label_id']}  {before} -> {step['grade']} ({step['current']})  {due}")
        else:
            click.echo(f"{step['label_id']}  {before} cannot be re-graded: {step['problem']}  {due}")
    click.echo(f"{verb} {out['regrade']} label(s); {out['cannot_regrade']} cannot be re-graded", err=True)
