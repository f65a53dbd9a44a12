"""``pcfreg``: the command line. Thin over the core; exit codes are a contract.

validate: 0 all conformant, 1 any not conformant, 2 unusable input.
Every command: 2 for unusable input (unknown pack, unreadable file, bad JSON),
3 for an internal error. No traceback ever reaches the user.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click
import orjson

from registry import __version__
from registry.cli import convert, crosswalk, labels
from registry.cli.common import (
    EXIT_INPUT,
    EXIT_NONCONFORMANT,
    EXIT_OK,
    data_dir_option,
    dumps,
    guarded,
    load_catalog,
    read_passphrase,
    reference_time,
    render_result,
    report,
)
from registry.errors import InputError, Location, RegistryError
from registry.inputs import read_input
from registry.packs import Catalog, run_pack_tests, validate_bytes, validate_jsonl
from registry.yamlpos import dump_yaml


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pcfreg")
@click.option(
    "--packs-dir",
    "packs_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Also load rule packs from this folder (repeatable), next to the bundled ones.",
)
@click.pass_context
def main(ctx: click.Context, packs_dirs: tuple[str, ...]) -> None:
    """pcf-registry: product carbon footprint rules as code."""
    ctx.obj = {"packs_dirs": packs_dirs}


# ---------------------------------------------------------------- validate


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--pack", help="Rule pack ID[@VERSION]; default: the pack the declaration names, else its codes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--at", "at", help="Validate as of this ISO 8601 instant (default: now).")
@click.pass_context
@guarded
def validate(ctx: click.Context, files: tuple[str, ...], pack: str | None, fmt: str, at: str | None) -> None:
    """Validate footprint declarations (PACT v3 or v2.x JSON, or .jsonl streams) against a rule pack.

    Exit 0 if all are conformant, 1 if any is not, 2 if any input is unusable.
    """
    catalog = load_catalog(ctx)
    now = reference_time(at)
    if pack is not None:
        catalog.compiled(pack)  # an unknown or broken pack is unusable input: fail before reading
    worst = EXIT_OK
    outputs: list[dict[str, Any]] = []
    for path in files:
        if path.endswith(".jsonl"):
            worst = max(worst, _validate_stream(catalog, path, pack, now, fmt))
            continue
        try:
            result = validate_bytes(catalog, read_input(path, sys.stdin.buffer), pack=pack, now=now, file=path)
        except RegistryError as e:
            report(e)
            worst = max(worst, EXIT_INPUT)
            outputs.append({"file": path, "error": e.to_dict()})
            continue
        worst = max(worst, EXIT_OK if result.conformant else EXIT_NONCONFORMANT)
        if fmt == "text":
            click.echo(render_result(path, result))
        else:
            outputs.append({"file": path, **result.to_json()})
    if fmt == "json" and outputs:
        if len(files) == 1 and "error" not in outputs[0]:
            outputs[0].pop("file")
            click.echo(dumps(outputs[0]))
        elif len(files) > 1 or "error" not in outputs[0]:
            click.echo(dumps(outputs))
    sys.exit(worst)


def _validate_stream(catalog: Catalog, path: str, pack: str | None, now: datetime, fmt: str) -> int:
    stream: IO[bytes]
    if path == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as e:
            report(InputError(f"cannot read file: {e.strerror or e}", Location(path)))
            return EXIT_INPUT
    worst, total, bad = EXIT_OK, 0, 0
    progress = _progress(stream, path)
    try:
        for outcome in validate_jsonl(catalog, progress, pack=pack, now=now, file=path):
            total += 1
            if outcome.error is not None:
                worst = max(worst, EXIT_INPUT)
                bad += 1
                record: dict[str, Any] = {"line": outcome.line, "error": outcome.error.to_dict()}
                if fmt == "text":
                    report(outcome.error)
            else:
                assert outcome.result is not None
                ok = outcome.result.conformant
                worst = max(worst, EXIT_OK if ok else EXIT_NONCONFORMANT)
                bad += 0 if ok else 1
                record = {"line": outcome.line, **outcome.result.to_json()}
                if fmt == "text" and not ok:
                    click.echo(render_result(f"{path}:{outcome.line}", outcome.result))
            if fmt == "json":
                sys.stdout.write(orjson.dumps(record).decode() + "\n")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if fmt == "text":
        click.echo(f"{path}: {total} declaration(s), {total - bad} conformant, {bad} not conformant or unusable")
    return worst


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


# ---------------------------------------------------------------- packs


@main.group()
def packs() -> None:
    """Rule packs: list, show, example, test, check."""


@packs.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@guarded
def packs_list(ctx: click.Context, fmt: str) -> None:
    """List the known rule packs."""
    summaries = [p.summary() for p in load_catalog(ctx).packs()]
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
        r = catalog.resolve(pack.ref)
        data = {
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
    if fmt == "json":
        click.echo(dumps(data))
    else:
        click.echo(dump_yaml(data), nl=False)


@packs.command("example")
@click.argument("ref")
@click.pass_context
@guarded
def packs_example(ctx: click.Context, ref: str) -> None:
    """Print a conformant example declaration for a pack."""
    resolved = load_catalog(ctx).resolve(ref)
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
@click.option("--key", "key_path", required=True, type=click.Path(), help="Ed25519 private key (PEM, PKCS#8).")
@click.option("--signer", required=True, help="The publisher namespace signing (the pack id's namespace).")
@click.option("--out", "out", type=click.Path(), help="Write the signed envelope here (default: stdout).")
@click.option("--passphrase-env", help="Name of an environment variable holding the key's passphrase.")
@guarded
def packs_sign(file: str, key_path: str, signer: str, out: str | None, passphrase_env: str | None) -> None:
    """Sign a pack file: Ed25519 over its RFC 8785 canonical JSON, as a signed envelope."""
    from registry.packs import envelope_bytes, sign_file

    passphrase = read_passphrase(passphrase_env)
    envelope = sign_file(Path(file), Path(key_path), signer, passphrase=passphrase)
    data = envelope_bytes(envelope)
    if out:
        Path(out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@packs.command("verify")
@click.argument("file", type=click.Path())
@click.option("--keys", "keys_path", required=True, type=click.Path(), help="Trusted public keys (JWKS).")
@click.option("--threshold", default=1, show_default=True, help="Distinct trusted keys that must have signed.")
@guarded
def packs_verify(file: str, keys_path: str, threshold: int) -> None:
    """Check a signed pack envelope offline. Exit 0 valid, 1 signature not valid, 2 unusable input."""
    from registry.packs import SignatureError, verify_file

    try:
        verified = verify_file(Path(file), Path(keys_path), threshold=threshold)
    except SignatureError as e:
        click.echo(f"NOT VALID: {e}", err=True)
        sys.exit(EXIT_NONCONFORMANT)
    click.echo(f"valid: {verified.ref} {verified.digest} signed by {', '.join(verified.keyids)}")


@main.group()
def keys() -> None:
    """Signing keys: a publisher's pack keys (generate, register); a certifier's label keys (rotate)."""


@keys.command("generate")
@click.option("--private", "private_path", required=True, type=click.Path(), help="Where to write the private key.")
@click.option("--public", "public_path", required=True, type=click.Path(), help="Where to write the public JWK.")
@click.option("--publisher", help="The namespace the key may sign for.")
@click.option("--passphrase-env", help="Name of an environment variable holding a passphrase to encrypt the key.")
@guarded
def keys_generate(private_path: str, public_path: str, publisher: str | None, passphrase_env: str | None) -> None:
    """Generate an Ed25519 key pair for signing rule packs."""
    from registry.packs import generate_key_files

    passphrase = read_passphrase(passphrase_env)
    generate_key_files(Path(private_path), Path(public_path), passphrase=passphrase, publisher=publisher)
    click.echo(f"wrote {private_path} (keep it secret) and {public_path}")


@packs.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.pass_context
@guarded
def packs_check(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Check pack files: schema, extends, and that every expression compiles."""
    from registry.packs import load_pack_file

    catalog = load_catalog(ctx)
    loaded = [load_pack_file(Path(f)) for f in files]
    known = [p for p in catalog.packs() if p.ref not in {x.ref for x in loaded}]
    combined = Catalog([*known, *loaded])
    for pack in loaded:
        combined.compiled(pack.ref)
        click.echo(f"ok  {pack.ref}  {pack.digest}")


# ---------------------------------------------------------------- service


def _init(data_dir: str) -> Any:
    from registry.service.bootstrap import init_data_dir
    from registry.storage.settings import StorageSettings

    report = init_data_dir(StorageSettings(data_dir=Path(data_dir)), now=datetime.now(UTC))
    if report.created:
        click.echo(f"initialised {report.data_dir} ({report.database_url})")
        click.echo("credentials (shown once, store them now):")
        for cred in report.credentials:
            click.echo(f"  {cred.as_text()}")
    for ref in report.published:
        click.echo(f"published {ref}")
    for kid in report.label_keys:
        click.echo(f"label signing key {kid} created for demo-certifier")
    return report


@main.command("init")
@data_dir_option
@guarded
def init_cmd(data_dir: str) -> None:
    """Create a data directory: database, migrations, built-in organisations, bundled packs."""
    report = _init(data_dir)
    if not report.created:
        click.echo(f"{data_dir} is already initialised; nothing was changed but new bundled pack versions")


def _require_free_port(host: str, port: int) -> None:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise InputError(f"--host {host!r} cannot be resolved: {e.strerror}") from e
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as e:
            raise InputError(f"cannot listen on {host}:{port}: {e.strerror}; choose another --port") from e


@main.command("serve")
@data_dir_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@guarded
def serve(data_dir: str, port: int, host: str, workers: int) -> None:
    """Run the registry's HTTP API (initialising the data directory on first start)."""
    import uvicorn

    _require_free_port(host, port)
    _init(data_dir)
    os.environ["PCFREG_DATA_DIR"] = str(Path(data_dir).resolve())
    # Label URLs and the trust list name the address people reach; unless told, it is this server's.
    public_host = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    os.environ.setdefault("PCFREG_PUBLIC_URL", f"http://{public_host}:{port}")
    click.echo(f"serving on http://{host}:{port} (docs at /docs)")
    uvicorn.run(
        "registry.api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        factory=False,
    )


@main.group()
def orgs() -> None:
    """Organisations (operator commands)."""


@orgs.command("create")
@click.argument("org_id")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(["standards-body", "certifier", "platform", "admin"]))
@data_dir_option
@guarded
def orgs_create(org_id: str, name: str, kind: str, data_dir: str) -> None:
    """Create an organisation."""
    from registry.service.operator import create_org

    create_org(Path(data_dir), org_id, name, kind)
    click.echo(f"created {kind} {org_id}")


@orgs.command("list")
@data_dir_option
@guarded
def orgs_list(data_dir: str) -> None:
    """List organisations."""
    from registry.service.operator import list_orgs

    for org in list_orgs(Path(data_dir)):
        click.echo(f"{org['id']}  {org['kind']}  {org['name']}")


@keys.command("register")
@click.option("--org", "org_id", required=True, help="The standards body the key signs for.")
@click.option("--public", "public_path", required=True, type=click.Path(), help="The public JWK file.")
@data_dir_option
@guarded
def keys_register(org_id: str, public_path: str, data_dir: str) -> None:
    """Register a publisher's public key so the registry accepts packs it signs (operator command)."""
    from registry.service.operator import register_key

    keyid = register_key(Path(data_dir), org_id, Path(public_path))
    click.echo(f"registered key {keyid} for {org_id}")


@main.group()
def credentials() -> None:
    """Client credentials and API keys (operator commands)."""


@credentials.command("create")
@click.option("--org", "org_id", required=True)
@click.option("--kind", type=click.Choice(["client-secret", "api-key"]), default="client-secret", show_default=True)
@click.option("--label", default="")
@data_dir_option
@guarded
def credentials_create(org_id: str, kind: str, label: str, data_dir: str) -> None:
    """Create a credential for an organisation; its secret is printed once."""
    from registry.service.operator import create_credential

    click.echo(create_credential(Path(data_dir), org_id, kind, label).as_text())


main.add_command(convert.convert)
main.add_command(crosswalk.crosswalk)
main.add_command(crosswalk.recognise_command)
main.add_command(labels.label)
main.add_command(labels.trust)
main.add_command(labels.status)
keys.add_command(labels.keys_rotate)
