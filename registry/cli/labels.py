"""``pcfreg label ...``: issue, show (with its history), QR codes, print, suspend/reinstate/revoke, verify.

Each works on the same data directory as ``pcfreg serve`` (``--data-dir``); ``label verify``
works offline from a trust list file signed by the pinned registry key and optional status list
files, with no network. Exit 1 when a label is not valid (verify) or a request of a batch failed
(issue FILE.jsonl); 4 when a label is valid but its status list was not given (verify).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry.cli.common import (
    EXIT_NOT_ACCREDITED,
    EXIT_NOT_VALID,
    EXIT_STATUS_UNKNOWN,
    REGISTRY_KEY_ENV,
    data_dir_option,
    dumps,
    guarded,
    open_data_dir,
    read_seen,
    reference_time,
    registry_trust_root,
    settled_heap,
    write_seen,
)
from registry.errors import InputError, Location

if TYPE_CHECKING:
    from issuance import StatusList, TrustList, Verification


def _read(path: str) -> bytes:
    from registry.inputs import read_input

    return read_input(path, sys.stdin.buffer)


def _grade_words(claims: dict[str, Any]) -> str:
    """ "no grade", "grade B (illustrative)" or "grade 2 (catalogue ID@VERSION)" (issue 13)."""
    if claims.get("grade") is None:
        return "no grade"
    source = f"catalogue {claims['catalogue']}" if claims.get("catalogue") else "illustrative"
    return f"grade {claims['grade']} ({source})"


def _label_text(out: dict[str, Any]) -> str:
    claims = out["verification"]["label"]
    return "\n".join(
        [
            f"label {out['id']}  {_grade_words(claims)}  {claims['value']} kg CO2e per {claims['declared_unit']}"
            + ("  (a repeat: issued before for this request)" if out.get("repeat") else ""),
            f"  status     {out['verification']['status']}",
            f"  scheme     {claims['scheme']}  pack {claims['pack']}",
            f"  valid      {claims['issued_at']} .. {claims['expires_at']}",
            f"  url        {out['url']}",
            f"  token      {out['token']}",
        ]
    )


@click.group("label")
def label() -> None:
    """Graded carbon labels: issue, QR codes, suspend/reinstate/revoke, verify offline."""


@label.command("issue")
@click.argument("file")
@click.option("--pack", help="Rule pack ID[@VERSION] (default: the one the declaration names or its codes select).")
@click.option("--certifier", required=True, help="The certifier organisation issuing (it needs a signing key).")
@click.option("--gtin", help="The product's GTIN (default: the declaration extension's gtin).")
@click.option("--batch", help="Batch or lot number printed with the label.")
@click.option("--audit", "audit_id", help="The stored audit the label rests on.")
@click.option("--scheme", help="The scheme of the label (default: the pack's own).")
@click.option(
    "--recalculation",
    help="The stored recalculation (its validation id) the label rests on (default: the newest that fits).",
)
@click.option(
    "--qr",
    type=click.Choice(["url", "digital-link"]),
    help="The QR code the label carries: its short URL (url, the default) or the product's GS1 Digital Link "
    "URI (digital-link: HTTPS://HOST/01/GTIN[/10/BATCH], which the registry resolves to the current label).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@data_dir_option
@guarded
def label_issue(
    file: str,
    pack: str | None,
    certifier: str,
    gtin: str | None,
    batch: str | None,
    audit_id: str | None,
    scheme: str | None,
    recalculation: str | None,
    qr: str | None,
    fmt: str,
    data_dir: str,
) -> None:
    """Validate, grade, sign and store a label for the declaration in FILE ('-' for stdin).

    A FILE ending in .jsonl holds one request per line, each like a POST /v1/labels body
    ({"declaration": ..., "gtin": ..., "pack": ...}); the results are JSON Lines, one per line.
    """
    from registry.inputs import parse_json
    from registry.service import labels as svc
    from registry.service.label_views import label_json
    from registry.service.packs import StoredPacks
    from registry.storage import issuance as store
    from registry.storage.db import session_scope
    from registry.storage.models import KeyState

    many = file.endswith(".jsonl")
    engine, settings = open_data_dir(data_dir, background_checkpoints=many)
    if many:
        _issue_many(engine, settings, file, certifier)
        return
    document = parse_json(_read(file), file=file)
    request = svc.IssueRequest(
        document,
        pack=pack,
        gtin=gtin,
        batch=batch,
        audit_id=audit_id,
        scheme=scheme,
        recalculation=recalculation,
        qr=qr,
    )
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        issued = _issue_one(s, StoredPacks(engine), settings, certifier, request, now)
        key_state = svc.standing_of(store.get_signing_key(s, issued.label.kid)) if issued.repeat else KeyState.ACTIVE
        out = label_json(issued.label, svc.stored_verification(issued.label, key_state, now=now), settings)
    out["repeat"] = issued.repeat
    click.echo(dumps(out) if fmt == "json" else _label_text(out))


def _issue_one(s: Any, packs: Any, settings: Any, certifier: str, request: Any, now: datetime) -> Any:
    """One label; a certifier not accredited for it exits 5 with the dimension its accreditation lacks."""
    from registry.accreditation import NotAccredited
    from registry.service import labels as svc

    try:
        return svc.issue_label(s, packs, settings, certifier=certifier, request=request, now=now)
    except NotAccredited as e:
        lacks = f" (lacks {e.gap.dimension.value}: {e.gap.lacks})" if e.gap is not None else ""
        click.echo(f"pcfreg: refused: {e.message}{lacks}", err=True)
        sys.exit(EXIT_NOT_ACCREDITED)


def _issue_many(engine: Any, settings: Any, file: str, certifier: str) -> None:
    """Issue each line of a JSON Lines file, streaming: a result line per input line as soon as its
    transaction commits (a repeat of a request issued before says so), memory flat."""
    from registry.service.label_batches import BatchIssuer, read_lines
    from registry.service.packs import StoredPacks
    from registry.storage.db import WalCheckpointer, writer_gate

    issuer = BatchIssuer(engine, StoredPacks(engine), settings, certifier, lambda: datetime.now(UTC))
    failed = settled = False
    try:
        stream = Path(file).open("rb")  # noqa: SIM115 (closed by the with below)
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}", Location(file)) from e
    checkpoints = WalCheckpointer(engine) if writer_gate(engine) is not None else None
    with stream, ExitStack() as run:
        if checkpoints is not None:  # the WAL copied back by a thread of its own, while labels are made
            checkpoints.start()
            run.callback(checkpoints.stop)
        for out in issuer.stream(read_lines(stream, settings.batch_line_limit)):
            failed = failed or b'"error"' in out
            sys.stdout.buffer.write(out)
            sys.stdout.buffer.flush()
            if not settled:  # after the first result: its transaction compiled the pack and loaded the keys
                run.enter_context(settled_heap())
                settled = True
    if failed:
        sys.exit(EXIT_NOT_VALID)


def _change(verb: str, state_name: str) -> Any:
    @label.command(verb)
    @click.argument("label_id")
    @click.option("--reason", required=True, help="Why (kept with the label and shown on its page).")
    @data_dir_option
    @guarded
    def change(label_id: str, reason: str, data_dir: str) -> None:
        from registry.service import labels as svc
        from registry.storage import issuance as store
        from registry.storage.db import session_scope
        from registry.storage.models import LabelState

        engine, _ = open_data_dir(data_dir)
        with session_scope(engine) as s:
            row = store.get_label(s, label_id.upper())
            svc.change_label(
                s,
                certifier=row.certifier_id,
                label_id=row.id,
                state=LabelState(state_name),
                reason=reason,
                now=datetime.now(UTC),
            )
        click.echo(f"label {label_id.upper()} is now {state_name}")

    change.__doc__ = (
        f"{verb.capitalize()} a label (operator command, for its certifier); the next status list shows it."
    )
    return change


for _verb, _state in (("suspend", "suspended"), ("reinstate", "valid"), ("revoke", "revoked")):
    _change(_verb, _state)


QR_KINDS = ("url", "offline", "digital-link")
QR_KIND_HELP = (
    "url: the short label URL; offline: with the signed token; digital-link: the product's GS1 Digital Link URI "
    "[default: the kind the label was issued with, else url]"
)


@label.command("show")
@click.argument("label_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@data_dir_option
@guarded
def label_show(label_id: str, fmt: str, data_dir: str) -> None:
    """Show a stored label: its grade (and where a catalogue grade stands), state, and its history of state
    and grade changes (who, when, why, log index; expiry is computed)."""
    from registry.service import catalogues as catalogue_svc
    from registry.service import label_history
    from registry.storage import issuance as store
    from registry.storage.db import session_scope

    now = datetime.now(UTC)
    engine, _ = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        row = store.get_label(s, label_id.upper())
        out = {
            "id": row.id,
            "certifier": row.certifier_id,
            "gtin": row.gtin,
            "scheme": row.scheme,
            "pack": f"{row.pack_id}@{row.pack_version}",
            "grade": row.grade,
            "catalogue": row.catalogue,
            "grading": catalogue_svc.standing_of(s, row, now.date()),
            "state": row.state.value if hasattr(row.state, "value") else str(row.state),
            "state_reason": row.state_reason,
            "issued_at": row.issued_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "history": label_history.history_json(row, label_history.history_of(s, row.id), now=now)["events"],
        }
    if fmt == "json":
        click.echo(dumps(out))
        return
    click.echo(f"label {out['id']}  {_grade_words({'grade': out['grade'], 'catalogue': out['catalogue']})}")
    grading = out["grading"]
    if grading is not None and grading["status"] != "current":
        extra = f" ({grading['current']} by {grading['by']})" if "by" in grading else ""
        click.echo(f"  grading    {grading['status']}: grade {grading['grade']} ({grading['catalogue']}){extra}")
    click.echo(f"  state      {out['state']}" + (f" ({out['state_reason']})" if out["state_reason"] else ""))
    click.echo(f"  certifier  {out['certifier']}  scheme {out['scheme']}  pack {out['pack']}")
    click.echo(f"  valid      {out['issued_at']} .. {out['expires_at']}")
    click.echo("  history")
    for e in out["history"]:
        index = f"  log #{e['tlog_index']}" if e.get("tlog_index") is not None else ""
        why = f"  {e['reason']}" if e.get("reason") else ""
        who = f"  by {e['by']}" if e.get("by") else ""
        click.echo(f"    {e['at']}  {e['event']}{who}{why}{index}")


@label.command("qr")
@click.argument("label_id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.svg or FILE.png")
@click.option("--kind", type=click.Choice(QR_KINDS), help=QR_KIND_HELP)
@click.option("--scale", type=click.IntRange(1, 40), default=8, show_default=True)
@data_dir_option
@guarded
def label_qr(label_id: str, out: str, kind: str | None, scale: int, data_dir: str) -> None:
    """Write the label's QR code: its short URL, (offline) the URL with the signed token, or the product's
    GS1 Digital Link URI."""
    from issuance import render_qr
    from registry.service.label_views import qr_data
    from registry.service.labels import printable_label
    from registry.storage.db import session_scope

    suffix = Path(out).suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InputError(f"--out must end in .svg or .png, not {suffix or 'nothing'}", Location(out))
    engine, settings = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        row = printable_label(s, label_id, now=datetime.now(UTC))
    used = kind or row.qr_kind or "url"
    data = qr_data(row, settings.base_url, used)
    Path(out).write_bytes(render_qr(data, kind=used, fmt=suffix[1:], scale=scale))  # type: ignore[arg-type]
    click.echo(f"wrote {out} ({data if used != 'offline' else 'URL + token'})")


@label.command("print")
@click.argument("label_id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.svg or FILE.pdf")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--kind", type=click.Choice(QR_KINDS), help=QR_KIND_HELP)
@click.option(
    "--variant",
    type=click.Choice(["regular", "small", "mono"]),
    default="regular",
    show_default=True,
    help="regular 90 x 52 mm, small 60 x 34 mm, mono: regular in black and white.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["svg", "pdf"]),
    default=None,
    help="Output format (default: from the --out suffix).",
)
@click.option(
    "--width-mm",
    type=click.FloatRange(10, 1000),
    default=None,
    help="Print wider than the variant's own width (refused if the QR modules would be under 0.33 mm).",
)
@data_dir_option
@guarded
def label_print(
    label_id: str,
    out: str,
    lang: str,
    kind: str | None,
    variant: str,
    fmt: str | None,
    width_mm: float | None,
    data_dir: str,
) -> None:
    """Write the printable label (SVG or vector PDF, text as outlines): grade badge and scale, value per
    declared unit, boundary, batch, certifier, scheme, validity and the QR code."""
    from issuance import LabelClaims, render_label_artwork, render_label_pdf
    from registry.service.label_views import names_in, qr_data
    from registry.service.labels import printable_label
    from registry.service.packs import StoredPacks
    from registry.storage.db import session_scope

    suffix = Path(out).suffix.lower()
    fmt = fmt or suffix[1:]
    if fmt not in ("svg", "pdf") or suffix != f".{fmt}":
        raise InputError(f"--out must end in .svg or .pdf, matching --format (got {out!r})", Location(out))
    engine, settings = open_data_dir(data_dir)
    with session_scope(engine, write=False) as s:
        row = printable_label(s, label_id, now=datetime.now(UTC))
        names = names_in(s, StoredPacks(engine), row)
    base = settings.base_url
    qr = qr_data(row, base, kind)
    art = render_label_artwork(
        LabelClaims.model_validate(row.claims),
        qr_url=qr,
        certifier_name=names["certifier"],
        pack_title=names["pack_name"][lang],
        lang=lang,  # type: ignore[arg-type]
        grade_scale=names["grades"],
        variant=variant,  # type: ignore[arg-type]
        width_mm=width_mm,
    )
    if fmt == "pdf":
        Path(out).write_bytes(render_label_pdf(art))
    else:
        Path(out).write_text(art.svg, encoding="utf-8")
    for note in art.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {out} ({art.width_mm:g} x {art.height_mm:g} mm, QR modules {art.module_mm:.2f} mm)")


@label.command("verify")
@click.argument("token")
@click.option("--trust", "trust_path", required=True, type=click.Path(dir_okay=False), help="Trust list JSON file.")
@click.option(
    "--status",
    "status_paths",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Status list token file (repeatable; of several for one list, the newest is used).",
)
@click.option("--no-status", is_flag=True, help="Do not check revocation: valid without a status list (exit 0).")
@click.option("--gtin", help="The GTIN of the product the label was found on.")
@click.option(
    "--registry-key",
    type=click.Path(dir_okay=False),
    help=f"The registry's public key set (JWKS) the trust list must be signed by; default: {REGISTRY_KEY_ENV}, "
    "then the key pinned with `pcfreg trust pin`.",
)
@click.option("--at", help="Verify as of this ISO 8601 instant (default: now).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    help="Output format (default: text for one token, json - JSON Lines - in bulk).",
)
@guarded
def label_verify(
    token: str,
    trust_path: str,
    status_paths: tuple[str, ...],
    no_status: bool,
    gtin: str | None,
    registry_key: str | None,
    at: str | None,
    fmt: str | None,
) -> None:
    """Verify TOKEN offline (base64url, base32 or an offline label URL); '-' or FILE.jsonl: verify in bulk.

    In bulk, each line of stdin ('-') or FILE.jsonl holds a token, an offline label URL, a JSON string of
    one, or a JSON object {"token"|"url": ..., "gtin": ..., "id": ...}; one JSON result a line comes out, in
    order: {"line", "id", "verdict", "label_id", "kid", "reasons": [{"code", "message"}], "label",
    "checked_at"} (docs/verify-offline.md). A bad line is a result with verdict "unusable" naming its line.

    A GS1 Digital Link URI (https://HOST/01/GTIN[/10/BATCH]) is resolved online first: the linkset of
    the URI names the product's current label, whose token is then verified here as any token, against
    the trust list and status lists, and must be of the GTIN the URI names.

    The trust list is used only if the pinned registry key (or --registry-key) signed it. Exit 0 valid;
    1 not valid (forged, revoked, suspended, expired, out of scope, unknown key); 4 valid_status_unknown
    (genuine, but no status list for it was given: revocation not checked); 2 unusable input (a trust
    list not signed by the registry, no registry key pinned, a status list older than one seen before,
    a label id or URL instead of a token).
    """
    from issuance import TrustList, VerifyStatus
    from registry.inputs import parse_json

    now = reference_time(at)
    bulk = token == "-" or token.endswith(".jsonl")
    text = token.strip()
    resolved = None
    if not bulk:
        resolved = _resolve_digital_link(text, now) if _DIGITAL_LINK.match(text) else None
        if isinstance(resolved, tuple):
            text, gtin = resolved[0], gtin or resolved[1]  # the label must be of the product the URI names
        _refuse_label_reference(text)
    root = registry_trust_root(registry_key)
    seen = read_seen()
    doc = parse_json(_read(trust_path), file=trust_path)
    trust_key = f"trust-list:{doc.get('issuer') if isinstance(doc, dict) else ''}"
    floor = datetime.fromtimestamp(seen[trust_key], UTC) if trust_key in seen else None
    trust = TrustList.from_json(doc, now=now, registry_keys=root, seen_issued_at=floor)
    newer = {trust_key: int(trust.issued_at.timestamp())} if trust.issued_at else {}
    status = None
    if status_paths and not no_status:
        status, issued = _status_lists(status_paths, trust, now, seen)
        newer |= issued
    _remember(seen, newer)
    if bulk:
        _verify_stream(token, trust, status, now, gtin, check_status=not no_status, fmt=fmt or "json")
        return
    if resolved is None or isinstance(resolved, tuple):
        result = _verify_text(text, trust=trust, status=status, now=now, gtin=gtin, check_status=not no_status)
    else:
        result = resolved  # the resolver knows no label for the product
    click.echo(dumps(result.to_json()) if fmt == "json" else _verification_line(result))
    if result.status is VerifyStatus.VALID_STATUS_UNKNOWN:
        sys.exit(EXIT_STATUS_UNKNOWN)
    if not result.ok:
        sys.exit(EXIT_NOT_VALID)


def _verify_stream(
    source: str,
    trust: TrustList,
    status: Mapping[str, StatusList] | None,
    now: datetime,
    gtin: str | None,
    *,
    check_status: bool,
    fmt: str,
) -> None:
    """One result line per input line, in order, as each is verified (JSON Lines; text with --format text);
    exit 1 if any is not valid, else 4 if any is valid_status_unknown."""
    import orjson

    from issuance import Verifier

    verifier = Verifier(trust, status, now=now, check_status=check_status)
    verdicts: set[str] = set()
    out = sys.stdout.buffer
    with _open_lines(source) as lines:
        interactive = {"chunk": 1} if source == "-" and sys.stdin.isatty() else {}  # typed lines: answered at once
        for result in verifier.results(lines, gtin=gtin, **interactive):
            verdicts.add(result["verdict"])
            out.write(
                _bulk_line(result)
                if fmt == "text"
                else orjson.dumps(result, option=orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE)
            )
    out.flush()
    if verdicts - {"valid", "valid_status_unknown"} or "unusable" in verdicts:
        sys.exit(EXIT_NOT_VALID)
    if "valid_status_unknown" in verdicts:
        sys.exit(EXIT_STATUS_UNKNOWN)


def _open_lines(source: str) -> Any:
    """The lines of FILE.jsonl, or of stdin for '-' (as bytes)."""
    import contextlib

    if source == "-":
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return Path(source).open("rb")
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}", Location(source)) from e


def _bulk_line(result: dict[str, Any]) -> bytes:
    """``line N: verdict (code) LABEL_ID``: a bulk result as text."""
    reasons = result["reasons"]
    why = f" ({reasons[0]['code']})" if reasons else ""
    who = f" {result['label_id']}" if result.get("label_id") else ""
    message = f": {reasons[0]['message']}" if reasons and result["verdict"] == "unusable" else ""
    return f"line {result['line']}: {result['verdict']}{why}{who}{message}\n".encode()


def _status_lists(
    paths: tuple[str, ...], trust: TrustList, now: datetime, seen: dict[str, int]
) -> tuple[Mapping[str, StatusList], dict[str, int]]:
    """The newest of the given lists for each URI, never older than one seen on this machine before;
    and the iat of each list used."""
    from issuance import select_status_lists

    selection = select_status_lists([_read(p) for p in paths], trust, now=now, seen=seen)
    for note in selection.notes:
        click.echo(f"pcfreg: note: {note.uri}: {note.message}", err=True)
    return selection.lists, selection.issued_at


def _remember(seen: dict[str, int], used: dict[str, int]) -> None:
    """Keep the newest trust list and status lists used, so that an older one is refused later (rollback)."""
    newer = {key: stamp for key, stamp in used.items() if stamp > seen.get(key, -1)}
    if newer:
        write_seen(seen | newer)


_DIGITAL_LINK = re.compile(r"(?i)https?://[^/\s]+(?:/[^?#\s]*)?/(?:01|gtin)/")
_RESOLVE_TIMEOUT = 10.0  # seconds for each of the two requests that resolve a Digital Link URI
_GS1_VOC = "https://ref.gs1.org/voc/"


def _resolve_digital_link(uri: str, now: datetime) -> tuple[str, str] | Verification:
    """The token of the label a Digital Link URI resolves to, and the URI's GTIN; or the ``unknown``
    answer when the resolver has no label for the product. The URI is checked first (an error names its
    segment); the resolver's linkset names the label (``gs1:certificationInfo``, else ``gs1:defaultLink``)."""
    import httpx

    from issuance import Verification, VerifyStatus, parse_digital_link

    link = parse_digital_link(uri)
    try:
        with httpx.Client(timeout=_RESOLVE_TIMEOUT, follow_redirects=True) as client:
            r = client.get(uri, headers={"Accept": "application/linkset+json"})
            if r.status_code == 404:
                detail = f"the resolver at {link.stem} has no label for GTIN {link.gtin}"
                return Verification(
                    status=VerifyStatus.UNKNOWN, reason="unknown_product", detail=detail, checked_at=now
                )
            r.raise_for_status()
            context = r.json()["linkset"][0]
            links = context.get(_GS1_VOC + "certificationInfo") or context[_GS1_VOC + "defaultLink"]
            label = client.get(links[0]["href"], headers={"Accept": "application/json"})
            label.raise_for_status()
            token = label.json()["token"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as e:
        raise InputError(f"{uri} could not be resolved to a label: {e}") from e
    if not isinstance(token, str):
        raise InputError(f"{uri} resolved to a label without a token")
    return token, link.gtin


_LABEL_ID = re.compile(r"[A-Za-z2-7]{16}")
_LABEL_URL = re.compile(r"(?i)https?://[^/#\s]+(?:/[^#\s]*)?/l/([a-z2-7]{16})/?")


def _refuse_label_reference(text: str) -> None:
    """A label id or a label URL (what a QR code without the token carries) is not a token: say what it is."""
    url = _LABEL_URL.fullmatch(text)
    if url is None and not _LABEL_ID.fullmatch(text):
        return
    label_id = (url.group(1) if url else text).upper()
    what = f"a label URL (of label {label_id})" if url else "a label id"
    base = text[: url.start(1) - 3] if url else "https://REGISTRY"
    raise InputError(
        f"{text} is {what}, not a signed token, so it cannot be verified offline. Verify it online: open "
        f'{base}/L/{label_id}, or POST {{"items": [{{"label_id": "{label_id}"}}]}} to {base}/v1/labels:verify; '
        f"or fetch its token (GET {base}/v1/labels/{label_id}, member token) and run pcfreg label verify TOKEN"
    )


def _verify_text(
    text: str,
    *,
    trust: TrustList,
    status: Mapping[str, StatusList] | None,
    now: datetime,
    gtin: str | None,
    check_status: bool,
) -> Verification:
    from issuance import Verification, VerifyStatus, verify
    from registry.service.label_views import token_bytes

    try:
        raw = token_bytes(text)
    except InputError as e:  # not even a token: as forged as it gets
        return Verification(status=VerifyStatus.INVALID_SIGNATURE, reason="malformed", detail=e.message, checked_at=now)
    return verify(raw, trust=trust, status=status, now=now, gtin=gtin, check_status=check_status)


def _verification_line(result: Verification) -> str:
    """The outcome in one line: the status (and why), then what the label claims when it could be read."""
    claims = result.claims
    line = f"{result.status.value}" + (f" ({result.reason})" if result.reason else "")
    if claims is not None:
        grade = _grade_words(claims.model_dump(mode="json"))
        line += f": {claims.label_id} {grade}, {claims.value} kg CO2e per {claims.declared_unit}, "
        line += f"{claims.issuer}, {claims.pack}, valid until {claims.expires_at.date()}"
    return line
