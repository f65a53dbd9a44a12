"""What every ``pcfreg`` command shares: exit codes, the error guard, output, the clock, options, the catalog.

Every command module imports from here, and from no other command module.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import orjson

from registry.errors import InputError, PackSelectionError, RegistryError

if TYPE_CHECKING:
    from registry.findings import ValidationResult
    from registry.packs import Catalog, TrustedKeys  # signing (cryptography) loads on use

EXIT_OK, EXIT_NONCONFORMANT, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_NOT_VALID = EXIT_NONCONFORMANT  # a label or signature checked and found not valid
EXIT_STATUS_UNKNOWN = 4  # a label genuine and in scope, its revocation status not checked (no status list)
EXIT_PARTNER = 5  # a partner's PACT host failed or sent something unusable (pcfreg pact)
EXIT_NOT_ACCREDITED = 5  # pcfreg label issue: the certifier is not accredited for the label (issue 13)

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


def signing_options(what: str) -> Callable[[F], F]:
    """``--key``, ``--signer``, ``--out``, ``--passphrase-env``: the options of every ``sign`` command."""
    path = click.Path()
    options = (
        click.option("--key", "key_path", required=True, type=path, help="Ed25519 private key (PEM, PKCS#8)."),
        click.option("--signer", required=True, help=f"The publisher namespace signing (the {what} id's namespace)."),
        click.option("--out", "out", type=path, help="Write the signed envelope here (default: stdout)."),
        click.option("--passphrase-env", help="Name of an environment variable holding the key's passphrase."),
    )

    def apply(fn: F) -> F:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return apply


def verifying_options(fn: F) -> F:
    """``--keys`` and ``--threshold``: the options of every offline ``verify`` command."""
    threshold = "Distinct trusted keys that must have signed."
    fn = click.option("--threshold", default=1, show_default=True, help=threshold)(fn)
    return click.option("--keys", "keys_path", required=True, type=click.Path(), help="Trusted public keys (JWKS).")(fn)


def print_verified(check: Callable[[], tuple[str, str, tuple[str, ...]]]) -> None:
    """Run an offline signature check (ref, digest, key ids); exit 1 with NOT VALID when it fails."""
    from registry.signed import SignatureError

    try:
        ref, digest, keyids = check()
    except SignatureError as e:
        click.echo(f"NOT VALID: {e}", err=True)
        sys.exit(EXIT_NONCONFORMANT)
    click.echo(f"valid: {ref} {digest} signed by {', '.join(keyids)}")


def write_output(data: bytes, out: str | None) -> None:
    """Bytes to the file ``out`` names, or to stdout."""
    if out:
        Path(out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


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
    from registry.packs import Catalog, PackCache

    obj = ctx.find_root().obj
    if "catalog" not in obj:
        cache = PackCache.default()
        # Loading allocates millions of objects that live until the command ends: collecting garbage
        # meanwhile only rescans them (it took most of the load time with 500 packs); afterwards they
        # are frozen out of the collector's generations (refcounting still frees what is dropped).
        gc.disable()
        try:
            packs = Catalog.bundled(cache=cache).packs()
            for extra in obj.get("packs_dirs", ()):
                packs += Catalog.from_directory(Path(extra), cache=cache).packs()
            obj["catalog"] = Catalog(packs, cache=cache)
        finally:
            gc.enable()
        gc.freeze()
    return obj["catalog"]  # type: ignore[no-any-return]


# How many new objects a long loop lets the collector's youngest generation gather (CPython's default: 700)
LOOP_YOUNG_THRESHOLD = 10_000


@contextmanager
def settled_heap() -> Iterator[None]:
    """For a command's long loop once what it keeps for the whole run exists (packs compiled, keys loaded):
    what is left after a collection is frozen out of the collector's generations, and the youngest generation
    is collected every 10,000 new objects instead of 700 (the threshold is restored at the end). In ``pcfreg
    label issue FILE.jsonl`` the collector took a sixth of the CPU, mostly rescanning what start-up made, and
    a tenth of that is left (issue 15); each label's own objects are still freed as they are dropped."""
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(max(LOOP_YOUNG_THRESHOLD, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


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


def open_data_dir(data_dir: str, *, background_checkpoints: bool = False) -> tuple[Any, Any]:
    """The database engine and issuance settings of an initialised data directory; ``background_checkpoints``:
    as :func:`~registry.storage.db.make_engine` (the caller runs a :class:`~registry.storage.db.WalCheckpointer`)."""
    from registry.service.labels import load_settings
    from registry.service.operator import _engine

    path = Path(data_dir)
    if not path.is_dir():
        raise InputError(f"{data_dir} is not a data directory; run pcfreg init --data-dir {data_dir} first")
    return _engine(path, background_checkpoints=background_checkpoints), load_settings(path)


# --- the pinned trust root and what this machine has seen -----------------------------------------

REGISTRY_KEY_ENV = "PCFREG_REGISTRY_KEY"
PIN_FILE = "registry-keys.json"
SEEN_FILE = "status-seen.json"
HOW_TO_PIN = (
    "pin the registry's key once: pcfreg trust pin https://REGISTRY/v1/trust-list/keys (or the file of "
    "`pcfreg trust export --registry-keys`) and compare the fingerprint it prints with the registry's; "
    f"or give --registry-key FILE, or set {REGISTRY_KEY_ENV} to that file"
)


def config_dir() -> Path:
    """Where ``pcfreg`` keeps the pinned registry key and its rollback state: PCFREG_CONFIG_DIR, else the
    user's configuration folder (XDG_CONFIG_HOME/pcfreg on Linux)."""
    return Path(os.environ.get("PCFREG_CONFIG_DIR") or click.get_app_dir("pcfreg"))


def registry_trust_root(given: str | None) -> TrustedKeys:
    """The registry keys a trust list must be signed by: ``--registry-key``, else PCFREG_REGISTRY_KEY (a file,
    or the JWK set itself), else the pinned file; none of them is an error."""
    from registry.inputs import parse_json, read_input
    from registry.packs import TrustedKeys

    env = os.environ.get(REGISTRY_KEY_ENV, "").strip()
    pinned = config_dir() / PIN_FILE
    if given is not None:
        source, raw = given, read_input(given, sys.stdin.buffer)
    elif env.startswith("{"):
        source, raw = REGISTRY_KEY_ENV, env.encode()
    elif env:
        source, raw = env, read_input(env)
    elif pinned.is_file():
        source, raw = str(pinned), read_input(str(pinned))
    else:
        raise InputError(f"no registry key to check the trust list with: {HOW_TO_PIN}")
    return TrustedKeys.from_json(parse_json(raw, file=source))


def fingerprint(public_raw: bytes) -> str:
    """``SHA256:`` and the hex SHA-256 of a raw public key, in groups of four (to compare by eye)."""
    import hashlib

    digest = hashlib.sha256(public_raw).hexdigest()
    return "SHA256:" + " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: a reader sees the old or the new file."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_config_file(name: str, data: bytes) -> None:
    """Write one of pcfreg's state files (in :func:`config_dir`) atomically."""
    _write_atomic(config_dir() / name, data)


def pin_registry_keys(doc: Any) -> list[tuple[str, str]]:
    """Write the registry's key set as the pinned trust root; (key id, fingerprint) of each key."""
    from registry.packs import TrustedKeys

    keys = TrustedKeys.from_json(doc)  # public Ed25519 keys only
    _write_atomic(config_dir() / PIN_FILE, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return [(k.keyid, fingerprint(k.public)) for k in keys.all()]


def read_seen() -> dict[str, int]:
    """What this machine has accepted, newest first (rollback protection): the ``iat`` of each status list
    URI and the issue time of each registry's trust list (``trust-list:ISSUER``), in seconds."""
    from registry.inputs import parse_json

    path = config_dir() / SEEN_FILE
    if not path.is_file():
        return {}
    doc = parse_json(path.read_bytes(), file=str(path))
    if not isinstance(doc, dict) or not all(isinstance(v, int) for v in doc.values()):
        raise InputError(f"{path} is not a map of status list URIs to times; remove it to start again")
    return doc


def write_seen(seen: dict[str, int]) -> None:
    _write_atomic(config_dir() / SEEN_FILE, orjson.dumps(dict(sorted(seen.items())), option=orjson.OPT_INDENT_2))
