"""``pcfreg packs ...``: list, show, example, test, diff, sign, verify and check rule packs.

``packs test`` and ``packs diff --check`` exit 1 when a case fails or the version bump is too small;
``packs verify`` exits 1 when the signature is not valid.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry.cli.common import (
    EXIT_NONCONFORMANT,
    EXIT_OK,
    dumps,
    guarded,
    load_catalog,
    print_verified,
    read_passphrase,
    signing_options,
    verifying_options,
    write_output,
)
from registry.errors import InputError

if TYPE_CHECKING:
    from registry.packs import ResolvedPack, RulePack


@click.group()
def packs() -> None:
    """Rule packs: list, show, example, test, check."""


@packs.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@guarded
def packs_list(ctx: click.Context, fmt: str) -> None:
    """List the known rule packs."""
    from registry.packs import PackCache, catalog_summaries

    folders = [Path(f) for f in ctx.find_root().obj.get("packs_dirs", ())]
    shown = ("id", "version", "title", "status", "hs", "cpc", "extends", "abstract")  # RulePack.summary()
    summaries = [{k: s[k] for k in shown} for s in catalog_summaries(folders, PackCache.default())]
    if fmt == "json":
        click.echo(dumps(summaries))
        return
    for s in summaries:
        codes = ",".join(s["hs"]) or "-"
        base = " (base)" if s["abstract"] else ""
        click.echo(f"{s['id']}@{s['version']}{base}  hs {codes}  {s['title']['en']} / {s['title']['zh']}")


@packs.command("show")
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--resolved", is_flag=True, help="Show the rules and parameters with the base packs folded in.")
@click.pass_context
@guarded
def packs_show(ctx: click.Context, ref: str, fmt: str, resolved: bool) -> None:
    """Show one pack version (ID[@VERSION])."""
    catalog = load_catalog(ctx)
    pack = catalog.get(ref)
    data: Any = dict(pack.data)
    data["digest"] = pack.digest
    if resolved:
        data = _resolved_view(pack, catalog.resolve(pack.ref))
    if fmt == "json":
        click.echo(dumps(data))
    else:
        from registry.yamlpos import dump_yaml

        click.echo(dump_yaml(data), nl=False)


def _resolved_view(pack: RulePack, r: ResolvedPack) -> dict[str, Any]:
    """The pack with its base packs folded in: parameters, scope and every rule with the pack it comes from."""
    return {
        "id": pack.id,
        "version": pack.version,
        "digest": pack.digest,
        "chain": list(r.chain),
        "parameters": r.parameters,
        "declaredUnit": r.declared_unit,
        "systemBoundary": r.system_boundary,
        "requiredStages": list(r.required_stages),
        "rules": [
            {
                "id": x.id,
                "severity": x.severity.value,
                "kind": x.kind,
                "from": x.origin,
                "title": x.title,
                "clauses": list(x.clauses),
            }
            for x in r.rules
        ],
    }


@packs.command("example")
@click.argument("ref")
@click.option("--inventory", is_flag=True, help="Print the example's activity inventory instead of the declaration.")
@click.pass_context
@guarded
def packs_example(ctx: click.Context, ref: str, inventory: bool) -> None:
    """Print a conformant example declaration for a pack (or, with --inventory, the inventory behind it)."""
    resolved = load_catalog(ctx).resolve(ref)
    if inventory:
        if resolved.example_inventory is None:
            raise InputError(f"{resolved.ref} has no example inventory")
        click.echo(dumps(resolved.example_inventory))
        return
    if resolved.example is None:
        raise InputError(f"{resolved.ref} has no example declaration")
    click.echo(dumps(resolved.example))


@packs.command("test")
@click.argument("refs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@guarded
def packs_test(ctx: click.Context, refs: tuple[str, ...], fmt: str) -> None:
    """Run the packs' own test cases (all packs, or those named). Exit 1 if any fails."""
    from registry.packs import run_pack_tests

    results = run_pack_tests(load_catalog(ctx), list(refs) or None)
    failed = [r for r in results if not r.passed]
    if fmt == "json":
        click.echo(
            dumps([{"pack": r.pack, "name": r.name, "passed": r.passed, "problems": r.problems} for r in results])
        )
    else:
        for r in results:
            click.echo(f"{'PASS' if r.passed else 'FAIL'}  {r.pack}  {r.name}")
            for p in r.problems:
                click.echo(f"        {p}")
        click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(EXIT_NONCONFORMANT if failed else EXIT_OK)


@packs.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the version bump is too small for the changes.")
@click.pass_context
@guarded
def packs_diff(ctx: click.Context, old: str, new: str, fmt: str, check: bool) -> None:
    """Classify every change between two pack versions (ID@A ID@B) and the version bump it needs."""
    from registry.packs import diff_refs, render_text

    diff = diff_refs(load_catalog(ctx), old, new)
    click.echo(dumps(diff.to_json()) if fmt == "json" else render_text(diff))
    sys.exit(EXIT_NONCONFORMANT if check and not diff.ok else EXIT_OK)


@packs.command("sign")
@click.argument("file", type=click.Path())
@signing_options("pack")
@guarded
def packs_sign(file: str, key_path: str, signer: str, out: str | None, passphrase_env: str | None) -> None:
    """Sign a pack file: Ed25519 over its RFC 8785 canonical JSON, as a signed envelope."""
    from registry.packs import envelope_bytes, sign_file

    passphrase = read_passphrase(passphrase_env)
    envelope = sign_file(Path(file), Path(key_path), signer, passphrase=passphrase)
    write_output(envelope_bytes(envelope), out)


@packs.command("verify")
@click.argument("file", type=click.Path())
@verifying_options
@guarded
def packs_verify(file: str, keys_path: str, threshold: int) -> None:
    """Check a signed pack envelope offline. Exit 0 valid, 1 signature not valid, 2 unusable input."""
    from registry.packs import verify_file

    def check() -> tuple[str, str, tuple[str, ...]]:
        verified = verify_file(Path(file), Path(keys_path), threshold=threshold)
        return verified.ref, verified.digest, verified.keyids

    print_verified(check)


@packs.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.pass_context
@guarded
def packs_check(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Check pack files: schema, extends, and that every expression compiles."""
    from registry.packs import Catalog, load_pack_file

    catalog = load_catalog(ctx)
    loaded = [load_pack_file(Path(f)) for f in files]
    known = [p for p in catalog.packs() if p.ref not in {x.ref for x in loaded}]
    combined = Catalog([*known, *loaded])
    for pack in loaded:
        combined.compiled(pack.ref)
        click.echo(f"ok  {pack.ref}  {pack.digest}")
