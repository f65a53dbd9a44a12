"""``pcfreg init`` and ``pcfreg serve``: create a data directory, and run the HTTP API over it.

The HTTP stack (uvicorn, FastAPI, SQLAlchemy) is imported only when one of these commands runs.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from registry.cli.common import data_dir_option, guarded
from registry.errors import InputError


def _init(ctx: click.Context, data_dir: str) -> Any:
    from registry.service.bootstrap import init_data_dir
    from registry.storage.settings import StorageSettings, display_url

    settings = StorageSettings(data_dir=Path(data_dir))
    folders = [Path(f) for f in ctx.find_root().obj.get("packs_dirs", ())]
    report = init_data_dir(settings, now=datetime.now(UTC), extra_folders=folders)
    if report.created:
        click.echo(f"initialised {report.data_dir} ({display_url(report.database_url)})")
        click.echo("credentials (shown once, store them now):")
        for cred in report.credentials:
            click.echo(f"  {cred.as_text()}")
    for ref in report.published:
        click.echo(f"published {ref}")
    for kid in report.label_keys:
        click.echo(f"label signing key {kid} created for demo-certifier")
    for ref in report.accreditations:
        click.echo(f"accreditation {ref} granted to demo-certifier (demo: every label needs an accreditation here)")
    return report


@click.command("init")
@data_dir_option
@click.pass_context
@guarded
def init_cmd(ctx: click.Context, data_dir: str) -> None:
    """Create a data directory: database, migrations, built-in organisations, bundled packs (and --packs-dir ones)."""
    report = _init(ctx, data_dir)
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


def _tls(data_dir: str, tls_cert: str | None, tls_key: str | None, dev_cert: bool) -> Any:
    """The certificate to serve with (None for plain HTTP); a clear error for a half-given pair."""
    from registry.service.devcert import dev_certificate, server_certificate

    if dev_cert and (tls_cert or tls_key):
        raise InputError("give either --dev-cert or --tls-cert and --tls-key, not both")
    if bool(tls_cert) != bool(tls_key):
        raise InputError("--tls-cert and --tls-key go together: the certificate (PEM) and its private key (PEM)")
    if tls_cert and tls_key:
        return server_certificate(tls_cert, tls_key)
    if dev_cert:
        return dev_certificate(Path(data_dir), now=datetime.now(UTC))
    return None


@click.command("serve")
@data_dir_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--tls-cert", type=click.Path(dir_okay=False), help="Serve HTTPS with this certificate (PEM, chain).")
@click.option("--tls-key", type=click.Path(dir_okay=False), help="The private key (PEM) of --tls-cert.")
@click.option(
    "--dev-cert",
    is_flag=True,
    help="Serve HTTPS with a self-signed certificate for localhost, 127.0.0.1 and ::1, made on first use "
    "under DATA-DIR/tls/ and reused; its fingerprint is printed. For development only.",
)
@click.pass_context
@guarded
def serve(
    ctx: click.Context,
    data_dir: str,
    port: int,
    host: str,
    workers: int,
    tls_cert: str | None,
    tls_key: str | None,
    dev_cert: bool,
) -> None:
    """Run the registry's HTTP API (initialising the data directory on first start; publishing --packs-dir packs).

    With --tls-cert and --tls-key, or --dev-cert, it serves HTTPS."""
    import uvicorn

    from registry.service.pact_events import SWEEP_ENV, sweep_interval

    _require_free_port(host, port)
    sweep_interval(os.environ.get(SWEEP_ENV))  # a bad setting fails here, not in every worker
    if tls_cert or tls_key:
        _tls(data_dir, tls_cert, tls_key, dev_cert)  # a bad pair fails before the data directory is made
    _init(ctx, data_dir)
    tls = _tls(data_dir, tls_cert, tls_key, dev_cert)
    scheme = "https" if tls is not None else "http"
    os.environ["PCFREG_DATA_DIR"] = str(Path(data_dir).resolve())
    # Label URLs and the trust list name the address people reach; unless told, it is this server's.
    public_host = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    os.environ.setdefault("PCFREG_PUBLIC_URL", f"{scheme}://{public_host}:{port}")
    if tls is not None:
        made = " (made now)" if tls.created else ""
        click.echo(f"TLS certificate {tls.cert_path}{made}, SHA-256 fingerprint {tls.fingerprint}")
    click.echo(f"serving on {scheme}://{host}:{port} (docs at /docs)")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "access_log": False,
        "log_level": "warning",
        "factory": False,
        "ssl_certfile": str(tls.cert_path) if tls is not None else None,
        "ssl_keyfile": str(tls.key_path) if tls is not None else None,
    }
    from registry.cli.workers import reuse_port_supported, run_workers

    if workers > 1 and reuse_port_supported():  # each worker a socket of its own: connections spread evenly
        with contextlib.suppress(KeyboardInterrupt):
            run_workers(uvicorn.Config("registry.api.asgi:app", **options), host, port)
        return
    uvicorn.run("registry.api.asgi:app", **options)
