"""``pcfreg factors ...``: list, show, search, diff, check, sign, verify and import factor sets.

The sets are the bundled ones (``factorsets/``) and those of every ``--dir``; a set may also be
named by its file. ``factors check`` exits 1 when a set has an error finding; ``factors verify``
exits 1 when the signature is not valid. ``factors show REF --signed`` prints the signed envelope
a data directory stores for a published set, which ``factors verify`` checks offline.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from registry.cli.common import (
    EXIT_NONCONFORMANT,
    EXIT_OK,
    data_dir_option,
    dumps,
    guarded,
    print_verified,
    read_passphrase,
    signing_options,
    verifying_options,
    write_output,
)
from registry.errors import InputError
from registry.factors import FactorLibrary, FactorSet, load_factor_set_file, parse_ref
from registry.findings import Finding, Severity
from registry.resources import factorsets_dir

FMT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@click.group()
@click.option(
    "--dir",
    "dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Also load factor sets (*.json) from this folder (repeatable), next to the bundled ones.",
)
@click.pass_context
def factors(ctx: click.Context, dirs: tuple[str, ...]) -> None:
    """Factor sets: list, show, search, diff, check, sign, verify, import."""
    ctx.find_root().ensure_object(dict)["factor_dirs"] = dirs


def _library(ctx: click.Context) -> FactorLibrary:
    obj: dict[str, Any] = ctx.find_root().obj
    if "factor_library" not in obj:
        paths = sorted(factorsets_dir().glob("*/*.json"))
        for extra in obj.get("factor_dirs", ()):
            paths += sorted(Path(extra).rglob("*.json"))
        obj["factor_library"] = FactorLibrary(load_factor_set_file(p) for p in paths)
    return obj["factor_library"]  # type: ignore[no-any-return]


def _set(ctx: click.Context, ref: str) -> FactorSet:
    """A set by file path, ``id@version``, or ``id`` (its highest version)."""
    if Path(ref).is_file():
        return load_factor_set_file(Path(ref))
    library = _library(ctx)
    set_id, _, version = ref.partition("@")
    found = library.get(set_id, version) if version else next(reversed(library.versions(set_id)), None)
    if found is None:
        known = ", ".join(sorted({s.id for s in library})) or "none"
        raise InputError(f"no factor set {ref!r} (a file, ID@VERSION or ID; known sets: {known})")
    return found


def _gwp_lookup(ctx: click.Context, extra: list[FactorSet]) -> Any:
    library = FactorLibrary([*extra, *_library(ctx)])
    return lambda ref: library.get(*ref.partition("@")[::2])


@factors.command("list")
@FMT
@click.pass_context
@guarded
def factors_list(ctx: click.Context, fmt: str) -> None:
    """List the known factor sets (bundled and --dir)."""
    rows: list[dict[str, Any]] = [
        {"ref": s.ref, "kind": s.kind, "status": s.status, "records": len(s.records), "title": s.title.to_json()}
        for s in _library(ctx)
    ]
    if fmt == "json":
        click.echo(dumps(rows))
        return
    for r in rows:
        click.echo(f"{r['ref']}  {r['kind']}  {r['records']} records  {r['title']['en']} / {r['title']['zh']}")


@factors.command("show")
@click.argument("ref")
@click.option("--signed", is_flag=True, help="Print the signed envelope the data directory stores for this set.")
@click.option("--on", "on", help="With --signed and no @VERSION: the version in effect on this date (default today).")
@data_dir_option
@click.pass_context
@guarded
def factors_show(ctx: click.Context, ref: str, signed: bool, on: str | None, data_dir: str) -> None:
    """Show a set (FILE, ID@VERSION or ID) or one factor (ID@VERSION#FACTOR-ID) as JSON."""
    if signed:
        from registry.service.factors import signed_envelope

        day = _date(on) if on else datetime.now(UTC).date()
        click.echo(dumps(signed_envelope(Path(data_dir), ref.partition("#")[0], on=day)))
        return
    if "#" in ref:
        parsed = parse_ref(ref)
        version = f"@{parsed.version}" if parsed.version else ""
        fs = _set(ctx, f"{parsed.set_id}{version}")
        record = fs.by_id.get(parsed.factor_id)
        if record is None:
            raise InputError(f"{fs.ref} has no factor {parsed.factor_id!r}")
        click.echo(dumps({"ref": f"{fs.ref}#{record.id}", **record.to_json()}))
        return
    fs = _set(ctx, ref)
    click.echo(dumps({**fs.to_json(), "digest": fs.digest()}))


def _date(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise InputError(f"--on {text!r} is not an ISO 8601 date") from e


@factors.command("search")
@click.option("--activity", help="The activity, or a dotted prefix of it (fuel finds fuel.diesel...).")
@click.option("--region", help="ISO 3166-1/-2 code, GLO, or a named grid (grid:...).")
@click.option("--classification", help="scheme:code-prefix, for example hs:7601 or cpc:41.")
@click.option("--text", help="Text in the factor id, activity or either name.")
@FMT
@click.pass_context
@guarded
def factors_search(
    ctx: click.Context, activity: str | None, region: str | None, classification: str | None, text: str | None, fmt: str
) -> None:
    """Find factors in the known sets by activity, region, classification and text."""
    from registry.factors import Query, decimal_text, search

    query = Query(activity=activity, region=region, classification=classification, text=text)
    hits: list[dict[str, Any]] = [
        {
            "ref": f"{fs.ref}#{r.id}",
            "value": decimal_text(r.value),
            "unit": r.unit,
            "region": r.region,
            "year": r.year,
            "name": r.name.to_json(),
        }
        for fs, r in search(_library(ctx), query)
    ]
    if fmt == "json":
        click.echo(dumps(hits))
        return
    for h in hits:
        click.echo(f"{h['ref']}  {h['value']} kg CO2e/{h['unit']}  {h['region']} {h['year']}  {h['name']['en']}")
    click.echo(f"{len(hits)} factor(s)")


@factors.command("diff")
@click.argument("old")
@click.argument("new")
@FMT
@click.pass_context
@guarded
def factors_diff(ctx: click.Context, old: str, new: str, fmt: str) -> None:
    """Factors added, removed and changed (with the relative change) from OLD to NEW (files or ID@VERSION)."""
    from registry.factors import diff_sets, render_text

    diff = diff_sets(_set(ctx, old), _set(ctx, new))
    click.echo(dumps(diff.to_json()) if fmt == "json" else render_text(diff))


def _render_findings(ref: str, findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    lines = [f"{'FAIL' if errors else 'ok'}  {ref}"]
    for f in findings:
        lines.append(f"  {f.severity.value:<7} {f.rule_id}  {f.path or '/'}")
        lines.append(f"          {f.message}")
    return "\n".join(lines)


@factors.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--private", is_flag=True, help="For a private namespace: a licence that forbids publication warns.")
@FMT
@click.pass_context
@guarded
def factors_check(ctx: click.Context, files: tuple[str, ...], private: bool, fmt: str) -> None:
    """The meta check of set files: units, sums against the GWP table, regions, duplicates, sources, licence.

    Exit 0 when no set has an error finding, 1 otherwise, 2 when a file cannot be read as a set.
    """
    from registry.factors import check_factor_set

    loaded = [load_factor_set_file(Path(f)) for f in files]
    lookup = _gwp_lookup(ctx, loaded)
    results = [(fs, check_factor_set(fs, lookup, for_publication=not private)) for fs in loaded]
    failed = any(f.severity is Severity.ERROR for _, found in results for f in found)
    if fmt == "json":
        click.echo(dumps([{"ref": fs.ref, "findings": [f.to_json() for f in found]} for fs, found in results]))
    else:
        click.echo("\n".join(_render_findings(fs.ref, found) for fs, found in results))
    sys.exit(EXIT_NONCONFORMANT if failed else EXIT_OK)


@factors.command("sign")
@click.argument("file", type=click.Path())
@signing_options("set")
@guarded
def factors_sign(file: str, key_path: str, signer: str, out: str | None, passphrase_env: str | None) -> None:
    """Sign a set file: Ed25519 over its RFC 8785 canonical JSON, in the rule packs' envelope."""
    from registry.factors import sign_set_file
    from registry.signed import envelope_bytes

    envelope = sign_set_file(Path(file), Path(key_path), signer, passphrase=read_passphrase(passphrase_env))
    write_output(envelope_bytes(envelope), out)


@factors.command("verify")
@click.argument("file", type=click.Path())
@verifying_options
@guarded
def factors_verify(file: str, keys_path: str, threshold: int) -> None:
    """Check a signed factor set offline. Exit 0 valid, 1 signature not valid, 2 unusable input."""
    from registry.factors import verify_set_file

    def check() -> tuple[str, str, tuple[str, ...]]:
        verified = verify_set_file(Path(file), Path(keys_path), threshold=threshold)
        return verified.ref, verified.digest, verified.verified.keyids

    print_verified(check)


@factors.group("import")
def factors_import() -> None:
    """Make a factor set from CSV (with a column mapping) or from an ILCD LCIA method data set."""


def _write_set(ctx: click.Context, fs: FactorSet, out: str | None) -> None:
    from registry.factors import check_factor_set

    write_output((dumps(fs.to_json()) + "\n").encode(), out)
    findings = check_factor_set(fs, _gwp_lookup(ctx, [fs]), for_publication=False)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    click.echo(f"imported {fs.ref}: {len(fs.records)} records, {fs.digest()}", err=True)
    if findings:
        click.echo(f"{errors} error and {len(findings) - errors} other finding(s): run pcfreg factors check", err=True)


MAPPING = click.option(
    "--mapping",
    "mapping_path",
    required=True,
    type=click.Path(),
    help="The mapping (YAML or JSON): set, columns, defaults.",
)
OUT = click.option("--out", "out", type=click.Path(), help="Write the set here (default: stdout).")


@factors_import.command("csv")
@click.argument("file", type=click.Path())
@MAPPING
@OUT
@click.pass_context
@guarded
def import_csv_cmd(ctx: click.Context, file: str, mapping_path: str, out: str | None) -> None:
    """A set from a CSV file: one record per row, members from the mapping's columns and defaults."""
    from registry.factors import import_csv, read_mapping
    from registry.inputs import read_input

    mapping = read_mapping(Path(mapping_path))
    _write_set(ctx, import_csv(read_input(file), mapping, file=file), out)


@factors_import.command("ilcd")
@click.argument("method", type=click.Path())
@click.option(
    "--flow", "flows", multiple=True, type=click.Path(), help="An ILCD flow data set, for names (repeatable)."
)
@MAPPING
@OUT
@click.pass_context
@guarded
def import_ilcd_cmd(
    ctx: click.Context, method: str, flows: tuple[str, ...], mapping_path: str, out: str | None
) -> None:
    """A set from an ILCD LCIA method data set: one record per characterisation factor."""
    from registry.factors import import_ilcd, read_mapping
    from registry.inputs import read_input

    mapping = read_mapping(Path(mapping_path))
    flow_data = [(read_input(f), f) for f in flows]
    _write_set(ctx, import_ilcd(read_input(method), mapping, file=method, flows=flow_data), out)
