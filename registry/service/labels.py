"""Labels over storage: issue, suspend, reinstate, revoke; signing keys; trust and status lists.

The signing and verifying core is :mod:`issuance` (pure); this module joins it to the
database, the rule packs and the crosswalks. Time and randomness are parameters; nothing
here commits (the caller's ``session_scope`` does), so an issue that fails at any step
stores nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session

from issuance import (
    Boundary,
    KeyScope,
    LabelClaims,
    SigningKey,
    Status,
    StatusList,
    TrustList,
    Verification,
    VerifyStatus,
    build_trust_list,
    digest_prefix,
    ensure_master_key,
    generate_signing_key,
    grade,
    grade_by_catalogue,
    key_can_sign,
    label_url,
    load_master_key,
    new_label_id,
    normalize_gtin,
    open_private_key,
    rotate,
    seal_private_key,
    sign_label,
    sign_status_list,
    sign_trust_list,
    status_list_uri,
    withdraw,
    withdrawal_refuses,
)
from registry.canonical import sha256_digest
from registry.declarations import prepare
from registry.errors import (
    IllustrativeRefused,
    InputError,
    Location,
    NotConformant,
    NotPermitted,
    NotPrintable,
    RegistryError,
)
from registry.findings import ValidationResult
from registry.packs import CompiledPack, RulePack
from registry.secretfiles import read_private, write_private
from registry.service import label_history, tlog
from registry.service.accreditations import Gate, issuing_gate
from registry.storage import issuance as store
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import Audit, KeyState, Label, LabelEventKind, LabelSigningKey, LabelState
from registry.supervision import region_of

if TYPE_CHECKING:
    from registry.catalogues import Catalogue

Rng = Callable[[int], bytes]
_LABEL_COLUMNS = tuple(c.name for c in Label.__table__.columns)  # type: ignore[attr-defined]
PUBLIC_URL_ENV = "PCFREG_PUBLIC_URL"
MODE_ENV = "PCFREG_MODE"  # "production" refuses illustrative grades (issue 13); default "development"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
REGISTRY_KEY_FILE = Path("secrets") / "registry-trust.ed25519.pem"
REGISTRY_KEY_ENV = "PCFREG_REGISTRY_KEY_FILE"
DEFAULT_VALIDITY_YEARS = 3  # PACT v3: validity defaults to 3 years after the reference period ends
# Issue 10 ("Batch bodies are streamed line by line with a per-line limit (default 1 MiB, configurable)").
DEFAULT_BATCH_LINE_LIMIT = 1 << 20
BATCH_LINE_LIMIT_ENV = "PCFREG_BATCH_LINE_LIMIT"


class Packs(Protocol):
    """What issuing needs of a catalog (a :class:`~registry.packs.catalog.Catalog` or the stored packs)."""

    def compiled(self, ref: str, *, on: Any = None) -> CompiledPack: ...

    def select(self, document: Any, *, now: datetime) -> RulePack: ...


@dataclass(frozen=True)
class IssuanceSettings:
    public_url: str
    master_key: bytes
    registry_key: Ed25519PrivateKey
    status_ttl: int = 300
    trust_list_validity: timedelta = timedelta(days=1)
    key_usage_days: int = 365
    # the longest line of a batch body or file, in bytes (PCFREG_BATCH_LINE_LIMIT)
    batch_line_limit: int = DEFAULT_BATCH_LINE_LIMIT
    # PCFREG_REQUIRE_ACCREDITATION: every label needs an accreditation even where no accreditation body exists
    require_accreditation: bool = False
    # a registry in production refuses grades from a pack's illustrative bands (PCFREG_MODE=production)
    production: bool = False
    # opened signing keys by (kid, state, usage_until): parsing the record and unsealing the key
    # cost more than signing; a changed record is a new entry, never a stale one
    opened: dict[tuple[str, str, datetime], tuple[SigningKey, EllipticCurvePrivateKey]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/")

    @property
    def status_base(self) -> str:
        return f"{self.base_url}/v1/status"

    @property
    def issuer(self) -> str:
        """The trust list's issuer: the registry's host name."""
        from urllib.parse import urlsplit

        return (urlsplit(self.public_url).hostname or "localhost").lower()


def load_settings(data_dir: Path, env: Mapping[str, str] | None = None) -> IssuanceSettings:
    """Settings from the data directory: the master key (``PCFREG_MASTER_KEY`` or a file made once),
    the registry's trust-list signing key (``PCFREG_REGISTRY_KEY_FILE``, else a file made once: several
    registry machines share one by the variable), the public URL (``PCFREG_PUBLIC_URL``)."""
    from registry.packs import generate_keypair, load_private_key

    env = os.environ if env is None else env
    if "PCFREG_MASTER_KEY" not in env:
        ensure_master_key(data_dir)
    master = load_master_key(env, data_dir)
    key_path = Path(env[REGISTRY_KEY_ENV]) if env.get(REGISTRY_KEY_ENV) else data_dir / REGISTRY_KEY_FILE
    if env.get(REGISTRY_KEY_ENV) and not key_path.is_file():
        raise InputError(f"{REGISTRY_KEY_ENV} names {key_path}, which is not a file", Location(str(key_path)))
    if not key_path.exists():
        pem, _ = generate_keypair()
        write_private(key_path, pem)
    registry_key = load_private_key(
        read_private(key_path, "the registry's trust-list key"), location=Location(str(key_path))
    )
    public_url = env.get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL)
    if not public_url.startswith(("http://", "https://")):
        raise InputError(f"{PUBLIC_URL_ENV} must be an http(s) URL, not {public_url!r}")
    from registry.service.accreditations import require_from_env

    return IssuanceSettings(
        public_url=public_url,
        master_key=master,
        registry_key=registry_key,
        batch_line_limit=_line_limit(env),
        # production asks for both: authority-owned grades and accredited certifiers (issue 13)
        require_accreditation=require_from_env(env) or _production(env),
        production=_production(env),
    )


def _production(env: Mapping[str, str]) -> bool:
    mode = env.get(MODE_ENV, "development").strip().lower()
    if mode not in ("production", "development"):
        raise InputError(f"{MODE_ENV} must be 'production' or 'development', not {mode!r}")
    return mode == "production"


def _line_limit(env: Mapping[str, str]) -> int:
    text = env.get(BATCH_LINE_LIMIT_ENV)
    if text is None:
        return DEFAULT_BATCH_LINE_LIMIT
    if not text.strip().isdigit() or int(text) < 1024:
        raise InputError(f"{BATCH_LINE_LIMIT_ENV} must be a number of bytes, at least 1024, not {text!r}")
    return int(text)


# --- signing keys -------------------------------------------------------------------------------


def record_of(row: LabelSigningKey | Any) -> SigningKey:
    return SigningKey.parse(
        {
            "kid": row.kid,
            "certifier": row.certifier_id,
            "public_key": row.public_key,
            "scope": row.scope,
            "created_at": row.created_at,
            "usage_from": row.usage_from,
            "usage_until": row.usage_until,
            "verify_until": row.verify_until,
            "state": row.state.value if isinstance(row.state, KeyState) else row.state,
            "withdrawn_from": getattr(row, "withdrawn_from", None),
        }
    )


def _row_of(key: SigningKey, sealed: bytes) -> LabelSigningKey:
    return LabelSigningKey(
        kid=key.kid,
        certifier_id=key.certifier,
        alg=key.alg,
        public_key=key.public_key,
        sealed_private_key=sealed,
        scope=key.scope.model_dump(mode="json"),
        state=KeyState(key.state.value),
        created_at=key.created_at,
        usage_from=key.usage_from,
        usage_until=key.usage_until,
        verify_until=key.verify_until,
    )


def _apply(row: LabelSigningKey, key: SigningKey) -> None:
    row.state = KeyState(key.state.value)
    row.usage_until = key.usage_until
    row.verify_until = key.verify_until
    row.withdrawn_from = key.withdrawn_from


def create_signing_key(
    session: Session, settings: IssuanceSettings, certifier: str, scope: KeyScope, *, now: datetime
) -> SigningKey:
    key, private = generate_signing_key(certifier, scope, now=now, usage_days=settings.key_usage_days)
    sealed = seal_private_key(private, settings.master_key, kid=key.kid)
    store.add_signing_key(session, _row_of(key, sealed))
    tlog.append_events(session, [_key_added(key, now)])
    return key


def _key_added(key: SigningKey, now: datetime) -> tlog.Event:
    """A new label signing key: what the trust list will show of it (a monitor sees every key a certifier gets)."""
    fields = {
        "kid": key.kid,
        "certifier": key.certifier,
        "public_key_sha256": hashlib.sha256(key.public_key).hexdigest(),
        "usage_from": key.usage_from.isoformat(),
        "usage_until": key.usage_until.isoformat(),
    }
    return tlog.Event("key.add", fields, now)


def rotate_signing_key(
    session: Session, settings: IssuanceSettings, certifier: str, *, now: datetime, scope: KeyScope | None = None
) -> tuple[SigningKey, list[SigningKey]]:
    """A new active key for ``certifier``; its active keys verify only, until their last label expires."""
    rows = store.signing_keys(session, certifier_id=certifier)
    records = [record_of(r) for r in rows]
    expiries = {r.kid: e for r in rows if (e := store.latest_label_expiry(session, r.kid)) is not None}
    # Labels carry whole seconds (issued_at is truncated) and so does the trust list: ending the old
    # keys' use at the next whole second keeps every label they signed before ``now`` inside it.
    whole = now.replace(microsecond=0) + (timedelta(seconds=1) if now.microsecond else timedelta())
    new, private, retired = rotate(
        records,
        certifier,
        now=whole,
        max_label_days=DEFAULT_VALIDITY_YEARS * 366,
        scope=scope,
        usage_days=settings.key_usage_days,
        last_label_expiry=expiries,
    )
    # The new key signs from ``now`` itself (whole seconds, as labels carry them): a second of overlap
    # with the old key's use, never a gap in which the certifier cannot issue.
    start = now.replace(microsecond=0)
    new = SigningKey.parse(new.model_dump() | {"created_at": start, "usage_from": start})
    by_kid = {r.kid: r for r in rows}
    for old in retired:
        _apply(by_kid[old.kid], old)
        session.add(by_kid[old.kid])
    store.add_signing_key(session, _row_of(new, seal_private_key(private, settings.master_key, kid=new.kid)))
    tlog.append_events(session, [_key_added(new, now)])
    return new, retired


def withdraw_signing_key(
    session: Session, certifier: str, kid: str, *, now: datetime, refuse_from: datetime | None = None
) -> SigningKey:
    """Withdraw a key (say, compromised): it signs nothing more, and the labels it signed from
    ``refuse_from`` on (None: all of them) no longer verify, here and, from the next trust list, offline.

    ``refuse_from`` is when the key may first have been in other hands; it cannot be in the future
    (a key that should stop later is rotated), nor later than an earlier withdrawal of the same key.
    """
    row = store.get_signing_key(session, kid)
    if row.certifier_id != certifier:
        raise NotPermitted(f"key {kid} belongs to {row.certifier_id}; {certifier} may not withdraw it")
    if refuse_from is not None and refuse_from > now:
        raise InputError(
            f"refuse_from {refuse_from.isoformat()} is in the future; withdraw from a time already past "
            "(to stop a key later, rotate it)",
            Location(pointer="/refuse_from"),
        )
    old = record_of(row)
    if row.state == KeyState.WITHDRAWN and not _earlier(refuse_from, old.withdrawn_from):
        return old  # withdrawing again only ever widens what is refused
    key = withdraw(old, refuse_from=refuse_from)
    _apply(row, key)
    row.withdrawn_at = row.withdrawn_at or now
    session.add(row)
    refused = key.withdrawn_from.isoformat() if key.withdrawn_from else None
    fields = {"kid": kid, "certifier": certifier, "state": "withdrawn", "refuse_from": refused}
    tlog.append_event(session, "key.withdraw", fields, now)
    return key


def _earlier(new: datetime | None, old: datetime | None) -> bool:
    """Whether refusing from ``new`` refuses more than from ``old`` (None: from the beginning)."""
    return old is not None and (new is None or new < old)


def _signer(
    session: Session, settings: IssuanceSettings, certifier: str, *, scheme: str, pack_id: str, now: datetime
) -> tuple[SigningKey, EllipticCurvePrivateKey]:
    rows = store.active_signing_key_rows(session, certifier)
    refusals = []
    for row in reversed(rows):  # newest first
        cache_key = (row.kid, str(row.state), row.usage_until)
        opened = settings.opened.get(cache_key)
        key = opened[0] if opened is not None else record_of(row)
        refusal = key_can_sign(key, scheme=scheme, pack_id=pack_id, now=now)
        if refusal is None:
            if opened is None:
                opened = (key, open_private_key(row.sealed_private_key, settings.master_key, kid=key.kid))
                settings.opened[cache_key] = opened
            return opened
        refusals.append(f"{key.kid}: {refusal}")
    why = "; ".join(refusals) if refusals else "it has no active key"
    raise NotPermitted(
        f"no signing key of {certifier} may sign a {scheme} label graded under {pack_id} ({why}); "
        f"an operator can add one with pcfreg keys rotate --certifier {certifier} --scheme ... --category ..."
    )


# --- issuing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueRequest:
    declaration: Any
    pack: str | None = None
    gtin: str | None = None
    batch: str | None = None
    audit_id: str | None = None
    scheme: str | None = None
    recalculation: str | None = None  # the stored recalculation (its validation id) the label rests on
    key: str | None = None  # the caller's idempotency key (Idempotency-Key, a batch line's request_id)
    qr: str | None = None  # the QR code the label carries: None or "url" (the default), "digital-link" (issue 14)


@dataclass(frozen=True)
class Issued:
    columns: Mapping[str, Any]  # the label as stored, column by column
    claims: LabelClaims
    token: bytes
    url: str
    repeat: bool = False  # the request was issued before: this is the label issued then

    @cached_property
    def label(self) -> Label:
        """The stored label as a model, made when first asked for (a batch's result lines never need
        it). Made as SQLAlchemy makes a row it loads, without validating again what issuing made and
        stored (``Label(**columns)`` cost a tenth of issuing a label over HTTP): equal to that model."""
        return label_of_columns(self.columns)


_LABEL_MANAGER = sa_inspect(Label).class_manager


def label_of_columns(columns: Mapping[str, Any]) -> Label:
    """A :class:`Label` holding these column values as they are (a column not given is None): for values
    issuing made itself, of the columns' types already, never for input from outside."""
    label: Label = _LABEL_MANAGER.new_instance()
    label.__dict__.update({name: columns.get(name) for name in _LABEL_COLUMNS})
    object.__setattr__(label, "__pydantic_fields_set__", set(_LABEL_COLUMNS))
    return label


def _expiry(v3: dict[str, Any], now: datetime) -> datetime:
    """When a label of this declaration expires: its ``validityPeriodEnd``, else (PACT v3's default)
    three years after the reference period ends (28 February for a 29 February)."""
    from registry.packs import CelEvalError, parse_timestamp

    end = v3.get("validityPeriodEnd")
    pointer = "/validityPeriodEnd" if end is not None else "/pcf/referencePeriodEnd"
    text = end if end is not None else (v3.get("pcf") or {}).get("referencePeriodEnd")
    if not isinstance(text, str):
        raise InputError("the declaration has no validity end and no reference period end", Location(pointer=pointer))
    try:
        at = parse_timestamp(text)
    except CelEvalError as e:
        raise InputError(f"{text!r} is not an RFC 3339 timestamp", Location(pointer=pointer)) from e
    if end is None:
        year = at.year + DEFAULT_VALIDITY_YEARS
        at = at.replace(year=year, day=28) if (at.month, at.day) == (2, 29) else at.replace(year=year)
    if at <= now:
        raise InputError(
            f"the declaration's validity ended on {at.date()}; it cannot be labelled", Location(pointer=pointer)
        )
    return at


def _audit_for(session: Session, certifier: str, audit_id: str, digest: str, pack_ref: str) -> Audit:
    audit = store.get_audit(session, audit_id, certifier_id=certifier)
    if audit.revoked_at is not None:
        raise Conflict(f"audit {audit_id} was revoked ({audit.revoke_reason}); it cannot back a label")
    if audit.declaration_digest != digest:
        raise InputError(f"the declaration is not the one audit {audit_id} covered (its digest differs)")
    if f"{audit.pack_id}@{audit.pack_version}" != pack_ref:
        raise InputError(f"audit {audit_id} was made against {audit.pack_id}@{audit.pack_version}, not {pack_ref}")
    return audit


def _check_scheme(session: Session, scheme: str, own: str | None, audit: Audit | None) -> None:
    """A label under another scheme than the pack's own needs an audit that scheme recognised."""
    if scheme == own:
        return
    if audit is None:
        raise InputError(
            f"a {scheme} label graded under a {own or 'scheme-less'} pack needs an audit that {scheme} recognises "
            "(give audit_id, and record a recognition of it first)"
        )
    for recognition in store.recognitions_of(session, audit.id):
        for entry in recognition.result.get("schemes", []):
            if entry.get("scheme") == scheme and entry.get("status") == "recognised":
                return
    raise InputError(f"no recognition of audit {audit.id} says {scheme} recognises it without gaps")


@dataclass(frozen=True)
class Draft:
    """What one request becomes before a key, a status index and a signature: every check done.

    Made in two steps: :func:`_draft` does what needs no stored data (the pack, validation, the GTIN,
    the QR code, the expiry), so that the label writer can do it before it takes the database's write
    lock; :func:`_complete` then grades the figure against the published catalogues and checks the
    audit and the scheme, in the transaction that issues the label (``graded`` is None until then)."""

    request: IssueRequest
    compiled: CompiledPack
    pack: Any  # PackRef
    v3: dict[str, Any]
    ext: dict[str, Any]
    graded: Any  # issuance.grading.Graded (None until completed)
    digest: str
    audit: Audit | None
    scheme: str
    gtin: str
    expires_at: datetime
    # the recalculation the label rests on (label_recalc.record_of), None: a declared figure
    recalculation: dict[str, Any] | None = None
    own: str | None = None  # the scheme the pack belongs to (a label under another needs a recognised audit)


def _grade(
    catalogues: Sequence[Catalogue],
    compiled: CompiledPack,
    pack: Any,
    v3: dict[str, Any],
    *,
    now: datetime,
    production: bool,
) -> Any:
    """The catalogue in force for the label's category on the issue date (among ``catalogues``, those
    published on that date), else the pack's illustrative bands (refused in production), else no grade
    (issue 13)."""
    from registry.catalogues import catalogue_in_force
    from registry.declarations import classification_codes

    hs, _ = classification_codes(v3)
    region = v3.get("pcf", {}).get("geographyCountry") if isinstance(v3.get("pcf"), dict) else None
    found = catalogue_in_force(catalogues, pack_id=pack.id, hs_codes=hs, region=region, on=now.date())
    if found is not None:
        catalogue, category = found
        pcf = v3["pcf"]
        per = category.declared_unit_differs(pcf.get("declaredUnitAmount"), pcf.get("declaredUnitOfMeasurement"))
        if per is not None:
            raise InputError(
                f"grading catalogue {catalogue.ref} grades category {category.id} per {per}, but the declaration "
                f"is per {pcf.get('declaredUnitAmount')} {pcf.get('declaredUnitOfMeasurement')}: its figure cannot be "
                "graded on that scale (declare the footprint per the catalogue's unit)",
                Location(pointer="/pcf/declaredUnitAmount"),
            )
        return grade_by_catalogue(category.bands, category.metric, category.unit, v3, catalogue_ref=catalogue.ref)
    graded = grade(compiled.resolved.grading, v3, pack_ref=pack.ref)
    if graded.illustrative and production:
        raise IllustrativeRefused(
            f"no grading catalogue in force grades {pack.ref} on {now.date()}, and this registry is in production: "
            f"it refuses the pack's illustrative bands (grade {graded.grade}); publish a grading catalogue for "
            "this category, or issue under a pack without bands for a label without a grade",
            Location(pointer="/pack"),
        )
    return graded


def _draft(packs: Packs, request: IssueRequest, now: datetime) -> Draft:
    """The checks of one request that read no stored data (see :class:`Draft`)."""
    from registry.crosswalk import load_crosswalks

    if not isinstance(request.declaration, dict):
        raise InputError("the declaration must be a JSON object")
    ref = request.pack or packs.select(request.declaration, now=now).ref
    compiled = packs.compiled(ref, on=now.date())
    prepared = prepare(request.declaration)  # once: what validate() does, keeping the prepared document
    result = ValidationResult.from_findings(
        compiled.ref, [*prepared.findings, *compiled.evaluate_rules(prepared, now=now)]
    )
    if not result.conformant:
        raise NotConformant(
            f"the declaration is not conformant to {result.pack.ref}; no label is issued",
            findings=[f.to_json() for f in result.errors],
        )
    v3, ext = prepared.document, prepared.extension
    digest = sha256_digest(request.declaration)
    own = load_crosswalks().scheme_for_chain(compiled.resolved.chain)
    scheme = request.scheme or own
    if scheme is None:
        raise InputError(f"{result.pack.ref} belongs to no known scheme; name the label's scheme")
    given = request.gtin if request.gtin is not None else ext.get("gtin")
    if given is None:
        raise InputError(
            "a label needs the product's GTIN: give gtin, or set gtin in the declaration's extension",
            Location(pointer="/gtin"),
        )
    gtin = normalize_gtin(given, field="gtin")
    _check_qr(request, gtin)
    expires_at = _expiry(v3, now)  # refuses an expired declaration before anything is allocated
    return Draft(request, compiled, result.pack, v3, ext, None, digest, None, scheme, gtin, expires_at, own=own)


def draft_labels(packs: Packs, requests: Sequence[IssueRequest], *, now: datetime) -> list[Draft | RegistryError]:
    """Each request's checks that read no stored data, or its refusal, in order: what
    :func:`issue_drafted` takes. Pure, so a caller may run it before it opens its write transaction."""
    out: list[Draft | RegistryError] = []
    for request in requests:
        try:
            out.append(_draft(packs, request, now))
        except RegistryError as e:
            out.append(e)
    return out


def _complete(
    session: Session, d: Draft, certifier: str, *, now: datetime, catalogues: Sequence[Catalogue], production: bool
) -> Draft:
    """The draft graded by the catalogue in force, with its audit, its scheme checked (in the issuing transaction)."""
    _expiry(d.v3, now)  # still valid when issued, not only when the request came
    graded = _grade(catalogues, d.compiled, d.pack, d.v3, now=now, production=production)
    request = d.request
    audit = _audit_for(session, certifier, request.audit_id, d.digest, d.pack.ref) if request.audit_id else None
    _check_scheme(session, d.scheme, d.own, audit)
    return replace(d, graded=graded, audit=audit)


QR_KINDS = ("url", "digital-link")


def _check_qr(request: IssueRequest, gtin: str) -> None:
    """The QR kind is known, and a Digital Link QR can carry the batch (GS1 set 82, at most 20 characters)."""
    from issuance import DigitalLinkError, digital_link_uri

    if request.qr is None:
        return
    if request.qr not in QR_KINDS:
        raise InputError(f"qr must be one of {', '.join(QR_KINDS)}, not {request.qr!r}", Location(pointer="/qr"))
    if request.qr == "digital-link" and request.batch is not None:
        try:
            digital_link_uri("https://registry.invalid", gtin, batch=request.batch)
        except DigitalLinkError as e:
            raise InputError(
                f"batch {request.batch!r} cannot travel in a Digital Link QR code: {e.message}",
                Location(pointer="/batch"),
            ) from e


def _seal(
    d: Draft,
    settings: IssuanceSettings,
    certifier: str,
    signer: tuple[SigningKey, EllipticCurvePrivateKey],
    slot: tuple[int, int],
    *,
    now: datetime,
    rng: Rng,
    request_key: str,
    covering: str | None = None,
    presealed: Presealed | None = None,
) -> Issued:
    """The label signed and its row. A token signed before the transaction (:func:`preseal`) is taken when it
    signs exactly the claims made here, from what the transaction found; otherwise the label is signed here."""
    key, private = signer
    label_id = presealed.claims.label_id if presealed is not None else None
    claims = _claims(d, settings, certifier, key.kid, slot, now=now, rng=rng, label_id=label_id)
    if presealed is not None and presealed.claims == claims:
        token = presealed.token
    else:
        token = sign_label(claims, private, status_base=settings.status_base)
    columns = _label_columns(d, claims, token, slot, now=now, request_key=request_key)
    columns["accreditation_id"] = covering  # the accreditation that covered it (None: none was needed)
    return Issued(columns, claims, token, label_url(settings.base_url, claims.label_id))


def _claims(
    d: Draft,
    settings: IssuanceSettings,
    certifier: str,
    kid: str,
    slot: tuple[int, int],
    *,
    now: datetime,
    rng: Rng,
    label_id: str | None = None,
) -> LabelClaims:
    """What the label token will sign: the draft's checked values, the key, the status slot and the times
    (a new label id, its second of issue then random bytes, unless ``label_id`` is given)."""
    list_no, idx = slot
    pcf = d.v3["pcf"]
    return LabelClaims(
        label_id=label_id if label_id is not None else new_label_id(rng, at=now),
        issuer=certifier,
        kid=kid,
        issued_at=now.replace(microsecond=0),
        expires_at=d.expires_at.replace(microsecond=0),
        gtin=d.gtin,
        batch=d.request.batch,
        grade=d.graded.grade,
        catalogue=d.graded.catalogue,
        value=d.graded.value,
        declared_unit=f"{pcf['declaredUnitAmount']} {pcf['declaredUnitOfMeasurement']}",
        boundary=Boundary(d.ext.get("systemBoundary") or d.compiled.resolved.system_boundary or "cradle-to-gate"),
        pack=d.pack.ref,
        pack_digest=digest_prefix(d.pack.digest),
        scheme=d.scheme,
        declaration_digest=digest_prefix(d.digest),
        audit=digest_prefix(d.audit.digest) if d.audit else None,
        status_uri=status_list_uri(settings.status_base, certifier, list_no),
        status_idx=idx,
    )


def _label_columns(
    d: Draft, claims: LabelClaims, token: bytes, slot: tuple[int, int], *, now: datetime, request_key: str
) -> dict[str, Any]:
    """The label's row, column by column."""
    list_no, idx = slot
    return dict(
        id=claims.label_id,
        certifier_id=claims.issuer,
        kid=claims.kid,
        audit_id=d.audit.id if d.audit else None,
        scheme=d.scheme,
        pack_id=d.pack.id,
        pack_version=d.pack.version,
        gtin=d.gtin,
        product_name=_product_name(d.v3),
        grade=d.graded.grade,
        catalogue=d.graded.catalogue,
        company=_company(d.v3),
        claims=claims.model_dump(mode="json"),
        token=token,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        status_list=list_no,
        status_idx=idx,
        state=LabelState.VALID,
        state_changed_at=now,
        request_key=request_key,
        recalculation=d.recalculation,
        recalculation_id=d.recalculation["id"] if d.recalculation else None,
        declaration_digest=d.digest,
        region=region_of(d.v3),
        qr_kind=d.request.qr,
    )


def _company(v3: dict[str, Any]) -> str | None:
    """The declaring company (PACT ``companyIds[0]``), kept for category statistics, at most 300 characters."""
    ids = v3.get("companyIds")
    first = ids[0] if isinstance(ids, list) and ids else None
    return first[:300] if isinstance(first, str) and first.strip() else None


def _product_name(v3: dict[str, Any]) -> str | None:
    """The product's name as the declaration gives it (shown on the label's page), at most 300 characters."""
    name = v3.get("productNameCompany")
    return name[:300] if isinstance(name, str) and name.strip() else None


def request_key(d: Draft, certifier: str) -> str:
    """The request's idempotency key: the caller's key when given, else one derived from what the label
    would say (declaration digest, GTIN, batch, scheme, certifier). A repeat finds the label issued."""
    if d.request.key is not None:
        return sha256_digest({"certifier": certifier, "request_id": d.request.key})
    fields = {"declaration": d.digest, "gtin": d.gtin, "batch": d.request.batch, "scheme": d.scheme}
    return sha256_digest({"certifier": certifier, **fields})


def _repeat(d: Draft, row: Label, settings: IssuanceSettings) -> Issued:
    """The label issued for an earlier request with the same key; a caller's key reused for another
    request is refused."""
    claims = LabelClaims.model_validate(row.claims)
    same = (claims.declaration_digest, claims.gtin, claims.batch, claims.scheme) == (
        digest_prefix(d.digest),
        d.gtin,
        d.request.batch,
        d.scheme,
    )
    if not same:
        raise Conflict(
            f"request id {d.request.key!r} was used for another request (label {row.id}); give each request its own id"
        )
    columns = {c: getattr(row, c) for c in _LABEL_COLUMNS}
    issued = Issued(columns, claims, row.token, label_url(settings.base_url, row.id), repeat=True)
    issued.__dict__["label"] = row  # the row read is the label
    return issued


def issue_label(
    session: Session,
    packs: Packs,
    settings: IssuanceSettings,
    *,
    certifier: str,
    request: IssueRequest,
    now: datetime,
    rng: Rng = os.urandom,
) -> Issued:
    """Validate, grade, sign and store one label; refuses a non-conformant declaration. A repeat of a
    request issued before returns that label, marked as a repeat."""
    outcome = issue_labels(session, packs, settings, certifier=certifier, requests=[request], now=now, rng=rng)[0]
    if isinstance(outcome, RegistryError):
        raise outcome
    return outcome


def issue_labels(
    session: Session,
    packs: Packs,
    settings: IssuanceSettings,
    *,
    certifier: str,
    requests: Sequence[IssueRequest],
    now: datetime,
    rng: Rng = os.urandom,
) -> list[Issued | RegistryError]:
    """Many labels in one transaction: each request is issued or refused on its own (a refusal is
    returned in its place, as data); a request issued before (its key, see :func:`request_key`)
    is answered with its label, marked as a repeat, and never issued twice. Keys are looked up
    once per scheme and pack, status indexes allocated together."""
    drafts = draft_labels(packs, requests, now=now)
    return issue_drafted(session, settings, certifier=certifier, drafts=drafts, now=now, rng=rng)


def issue_drafted(
    session: Session,
    settings: IssuanceSettings,
    *,
    certifier: str,
    drafts: Sequence[Draft | RegistryError],
    now: datetime,
    rng: Rng = os.urandom,
    presealed: Mapping[str, Presealed] | None = None,
    hints: SealHints | None = None,
) -> list[Issued | RegistryError]:
    """:func:`issue_labels` for requests already drafted (:func:`draft_labels`, at the same ``now``). Tokens
    ``presealed`` (by request key) are taken where they sign what this transaction finds; ``hints`` gets
    what it found, for the next group's :func:`preseal`."""
    from registry.service.catalogues import published_catalogues

    outcomes: list[Issued | RegistryError | Draft] = []
    wanted = any(isinstance(d, Draft) for d in drafts)
    catalogues = published_catalogues(session, now.date()) if wanted else []  # once per batch, not per label
    if hints is not None and wanted:
        hints.catalogues = (now.date(), list(catalogues))
    for draft in drafts:
        if isinstance(draft, RegistryError):
            outcomes.append(draft)
            continue
        try:
            outcomes.append(
                _complete(session, draft, certifier, now=now, catalogues=catalogues, production=settings.production)
            )
        except RegistryError as e:
            outcomes.append(e)
    _attach_recalculations(session, certifier, outcomes)
    keyed = [(i, o, request_key(o, certifier)) for i, o in enumerate(outcomes) if isinstance(o, Draft)]
    known = store.labels_by_request_key(session, certifier, [k for _, _, k in keyed])
    fresh: dict[str, tuple[int, Draft]] = {}
    later: list[tuple[int, Draft, str]] = []  # repeats of a request earlier in this batch
    for i, d, key in keyed:
        if key in known:  # a repeat is answered with its label (issued while the certifier was accredited)
            outcomes[i] = _answer_repeat(d, known[key], settings)
        elif key in fresh:
            later.append((i, d, key))
        else:
            fresh[key] = (i, d)
    _issue_fresh(session, settings, certifier, fresh, outcomes, now=now, rng=rng, presealed=presealed, hints=hints)
    for i, d, key in later:
        first = outcomes[fresh[key][0]]
        outcomes[i] = _answer_repeat(d, first.label, settings) if isinstance(first, Issued) else first
    return [o for o in outcomes if not isinstance(o, Draft)]


def _attach_recalculations(session: Session, certifier: str, outcomes: list[Issued | RegistryError | Draft]) -> None:
    """Each draft gets the stored recalculation it rests on, or is refused when its pack requires one
    and none fits (see :mod:`registry.service.label_recalc`)."""
    from registry.service import label_recalc

    places = [i for i, o in enumerate(outcomes) if isinstance(o, Draft)]
    if not places:
        return
    wants = []
    for i in places:
        d = outcomes[i]
        assert isinstance(d, Draft)
        wants.append(label_recalc.Wanted(d.digest, d.pack.ref, d.compiled.policy, d.request.recalculation))
    for i, found in zip(places, label_recalc.find(session, certifier, wants), strict=True):
        if isinstance(found, RegistryError):
            outcomes[i] = found
        elif found is not None:
            d = outcomes[i]
            assert isinstance(d, Draft)
            outcomes[i] = replace(d, recalculation=found)


def _answer_repeat(d: Draft, row: Label, settings: IssuanceSettings) -> Issued | RegistryError:
    try:
        return _repeat(d, row, settings)
    except RegistryError as e:
        return e


def _issue_fresh(
    session: Session,
    settings: IssuanceSettings,
    certifier: str,
    fresh: Mapping[str, tuple[int, Draft]],
    outcomes: list[Issued | RegistryError | Draft],
    *,
    now: datetime,
    rng: Rng,
    presealed: Mapping[str, Presealed] | None = None,
    hints: SealHints | None = None,
) -> None:
    """Sign and store the requests never issued before, each outcome in its place: each needs a signing key
    whose scope covers it, then an accreditation of the certifier that covers it (when one is required)."""
    signers = _signers(session, settings, certifier, [d for _, d in fresh.values()], now=now)
    if hints is not None:
        hints.keep_signers(certifier, signers)
    pre = presealed or {}
    gate = issuing_gate(session, certifier, required=settings.require_accreditation) if fresh else None
    ready = []
    for key, (i, d) in fresh.items():
        signer = signers[(d.scheme, d.pack.id)]
        if isinstance(signer, RegistryError):
            outcomes[i] = signer
        elif isinstance(covering := _covering(gate, d, now), RegistryError):
            outcomes[i] = covering
        else:
            ready.append((i, d, key, signer, covering))
    preferred = [pre[key].slot if key in pre else None for _, _, key, _, _ in ready]
    lists = hints.lists if hints is not None else None
    slots = (
        store.allocate_status_indexes(
            session, certifier, len(ready), rng=rng, now=now, preferred=preferred, lists_seen=lists
        )
        if ready
        else []
    )
    sealed: list[tuple[int, Draft, str, Issued]] = []
    for (i, d, key, signer, covering), slot in zip(ready, slots, strict=True):
        try:
            issued = _seal(
                d,
                settings,
                certifier,
                signer,
                slot,
                now=now,
                rng=rng,
                request_key=key,
                covering=covering,
                presealed=pre.get(key),
            )
        except RegistryError as e:  # a claim the token cannot carry: this request only (its slot stays unused)
            outcomes[i] = e
            continue
        sealed.append((i, d, key, issued))
    inserted = store.insert_labels(session, [issued.columns for *_, issued in sealed])  # one statement
    raced = [(i, d, key) for i, d, key, issued in sealed if issued.claims.label_id not in inserted]
    # a concurrent issuer of the same request committed first: its label is the answer
    winners = store.labels_by_request_key(session, certifier, [key for *_, key in raced]) if raced else {}
    for i, d, key in raced:
        outcomes[i] = _answer_repeat(d, winners[key], settings)
    events, issued_ids = [], []
    for i, _, _, issued in sealed:
        if issued.claims.label_id in inserted:
            outcomes[i] = issued
            events.append(issue_event(issued.claims, issued.token, now=now))
            issued_ids.append((issued.claims.label_id, certifier))
    # in this transaction: no label without its entry, nor the reverse; each label's history row with them
    tlog.append_events(session, events, rows_with=lambda indexes: [label_history.issued_rows(issued_ids, indexes, now)])


Signer = tuple[SigningKey, EllipticCurvePrivateKey]


@dataclass(frozen=True)
class Presealed:
    """A label signed before its transaction (see :func:`preseal`): its claims and token."""

    claims: LabelClaims
    token: bytes
    slot: tuple[int, int]  # (status list number, index) its claims name


@dataclass
class SealHints:
    """What a label writer's last transaction found, kept so that its next group's labels can be signed
    before it takes the database's write lock (:func:`preseal`, issue 15): the signing keys by (certifier,
    scheme, pack id), the catalogues published on a day, and each certifier's status list taking new labels
    (number and size). Only hints: the transaction makes each label's claims from what it finds itself and
    signs again any label whose presealed claims differ in anything (another key, grade, list, index...)."""

    signers: dict[tuple[str, str, str], Signer] = field(default_factory=dict)
    catalogues: tuple[date, list[Catalogue]] | None = None  # (the day, the catalogues published on it)
    lists: dict[str, tuple[int, int]] = field(default_factory=dict)

    def keep_signers(
        self,
        certifier: str,
        found: Mapping[tuple[str, str], tuple[SigningKey, EllipticCurvePrivateKey] | RegistryError],
    ) -> None:
        for (scheme, pack_id), signer in found.items():
            if isinstance(signer, RegistryError):
                self.signers.pop((certifier, scheme, pack_id), None)
            else:
                self.signers[(certifier, scheme, pack_id)] = signer


def preseal(
    drafts: Sequence[Draft | RegistryError],
    hints: SealHints,
    settings: IssuanceSettings,
    certifier: str,
    *,
    now: datetime,
    rng: Rng = os.urandom,
    taken: Callable[[int, list[int]], set[int]] | None = None,
) -> dict[str, Presealed]:
    """Sign, before the write transaction, the labels ``hints`` let us foresee, by request key: a draft under
    its pack's own scheme with no audit, a key known for its scheme and pack, the day's catalogues known,
    and a random index of the certifier's status list taking labels (``taken(list number, indexes)``, when
    given, says which are used already: those are drawn once more, else the label is signed in the
    transaction). Reads nothing stored itself. The transaction (:func:`issue_drafted`) takes a token only
    where it signs exactly the claims made there."""
    catalogues = hints.catalogues[1] if hints.catalogues is not None and hints.catalogues[0] == now.date() else None
    taking = hints.lists.get(certifier)
    if catalogues is None or taking is None:
        return {}
    list_no, size = taking
    wanted: list[tuple[Draft, Signer]] = []
    for d in drafts:
        if not isinstance(d, Draft) or d.request.audit_id is not None or d.scheme != d.own:
            continue
        signer = hints.signers.get((certifier, d.scheme, d.pack.id))
        if signer is not None:
            wanted.append((d, signer))
    indexes = _free_draws(len(wanted), size, list_no, rng, taken)
    out: dict[str, Presealed] = {}
    for (d, signer), idx in zip(wanted, indexes, strict=False):
        if idx is None:
            continue
        try:
            graded = _grade(catalogues, d.compiled, d.pack, d.v3, now=now, production=settings.production)
            complete = replace(d, graded=graded)
            claims = _claims(complete, settings, certifier, signer[0].kid, (list_no, idx), now=now, rng=rng)
            token = sign_label(claims, signer[1], status_base=settings.status_base)
        except RegistryError:
            continue  # the transaction finds the same refusal, or signs it there
        out[request_key(complete, certifier)] = Presealed(claims, token, (list_no, idx))
    return out


_DRAW_ROUNDS = 4  # a list takes labels until half full: at worst half of each round's draws are used


def _free_draws(
    n: int, size: int, list_no: int, rng: Rng, taken: Callable[[int, list[int]], set[int]] | None
) -> list[int | None]:
    """``n`` distinct random indexes of a list of ``size`` (as the transaction draws them); with ``taken``,
    the used ones drawn again, up to three times (None where the last one is used too)."""
    drawn: list[int | None] = []
    seen: set[int] = set()
    for _ in range(n):
        first = int.from_bytes(rng(4), "big") % size
        drawn.append(None if first in seen else first)
        seen.add(first)
    for attempt in range(_DRAW_ROUNDS if taken is not None else 0):
        used = taken(list_no, [i for i in drawn if i is not None]) if taken is not None else set()
        if not used:
            break
        for k, idx in enumerate(drawn):
            if idx is not None and idx in used:
                if attempt == _DRAW_ROUNDS - 1:
                    drawn[k] = None
                    continue
                again = int.from_bytes(rng(4), "big") % size
                drawn[k] = None if again in seen else again
                seen.add(again)
    return drawn


def issue_event(claims: LabelClaims, token: bytes, *, now: datetime) -> tlog.Event:
    """The log entry of an issue: what the label shows anyone who scans it, and its token's digest (which
    binds the rest); not the footprint's value, nor anything of the declaration beyond its digest prefix."""
    fields = {
        "label_id": claims.label_id,
        "certifier": claims.issuer,
        "kid": claims.kid,
        "scheme": claims.scheme,
        "pack": claims.pack,
        "grade": claims.grade,
        "gtin": claims.gtin,
        "issued_at": claims.issued_at.isoformat(),
        "expires_at": claims.expires_at.isoformat(),
        "status": {"uri": claims.status_uri, "idx": claims.status_idx},
        "token_sha256": hashlib.sha256(token).hexdigest(),
    }
    if claims.catalogue is not None:
        fields["catalogue"] = claims.catalogue
    return tlog.Event("label.issue", fields, now)


def _covering(gate: Gate | None, d: Draft, now: datetime) -> str | RegistryError | None:
    """The accreditation covering the draft, None when none is needed, or the refusal."""
    return gate(d.scheme, d.pack.id, d.v3, d.request.declaration, now) if gate is not None else None


def _signers(
    session: Session, settings: IssuanceSettings, certifier: str, drafts: Sequence[Draft], *, now: datetime
) -> dict[tuple[str, str], tuple[SigningKey, EllipticCurvePrivateKey] | RegistryError]:
    """The signing key of each (scheme, pack id) the drafts need, looked up once, or why there is none."""
    signers: dict[tuple[str, str], tuple[SigningKey, EllipticCurvePrivateKey] | RegistryError] = {}
    for d in drafts:
        if (d.scheme, d.pack.id) not in signers:
            try:
                signers[(d.scheme, d.pack.id)] = _signer(
                    session, settings, certifier, scheme=d.scheme, pack_id=d.pack.id, now=now
                )
            except RegistryError as e:
                signers[(d.scheme, d.pack.id)] = e
    return signers


def change_label(
    session: Session, *, certifier: str, label_id: str, state: LabelState, reason: str | None, now: datetime
) -> Label:
    label = store.get_label(session, label_id)
    return label_history.change_state(session, label, state, certifier=certifier, by=certifier, reason=reason, now=now)


def revoke_audit(session: Session, audit: Audit, *, by: str, reason: str, now: datetime) -> list[Label]:
    """Revoke every label citing ``audit`` (see :func:`registry.storage.issuance.revoke_audit`), each
    revocation logged."""
    revoked = store.revoke_audit(session, audit, by=by, reason=reason, now=now)
    indexes = tlog.append_events(session, [tlog.label_state_event(label, now) for label in revoked])
    for label, index in zip(revoked, indexes, strict=True):
        label_history.record(session, label, LabelEventKind.REVOKED, by=by, reason=reason, at=now, tlog_index=index)
    return revoked


# --- trust and status lists ---------------------------------------------------------------------


def trust_keys(session: Session) -> list[SigningKey]:
    return [record_of(r) for r in store.signing_keys(session)]


def registry_keys(settings: IssuanceSettings) -> dict[str, Any]:
    """The registry's trust-list signing key as a JWK set: what a verifier pins to check trust lists."""
    from registry.packs import public_jwk

    return {"keys": [public_jwk(settings.registry_key.public_key())]}


def signed_trust_list(session: Session, settings: IssuanceSettings, *, now: datetime) -> dict[str, Any]:
    """Every label key (active, verify-only and withdrawn, each with its state), signed by the registry."""
    grants, required = _accreditation_section(session, settings)
    doc = build_trust_list(
        trust_keys(session),
        now=now,
        issuer=settings.issuer,
        status_base=settings.status_base,
        valid_for=settings.trust_list_validity,
        accreditations=grants,
        accreditation_required=required,
    )
    return sign_trust_list(doc, settings.registry_key)


def _accreditation_section(session: Session, settings: IssuanceSettings) -> tuple[list[Any] | None, bool]:
    """The trust list's accreditations (every version) and whether one is required; (None, False) where
    the registry has neither an accreditation body nor the setting (no section, as before issue 13)."""
    from registry.service.accreditations import accreditation_required, history

    required = accreditation_required(session, settings.require_accreditation)
    grants = history(session)
    return (grants if grants or required else None), required


def trust_list(session: Session, settings: IssuanceSettings) -> TrustList:
    grants, required = _accreditation_section(session, settings)
    return TrustList.from_signing_keys(
        trust_keys(session),
        status_base=settings.status_base,
        issuer=settings.issuer,
        accreditations=grants or (),
        accreditation_required=required,
    )


_STATUS_VALUE = {LabelState.REVOKED: Status.INVALID, LabelState.SUSPENDED: Status.SUSPENDED}


def status_list_of(session: Session, certifier: str, list_no: int) -> tuple[StatusList, int]:
    """The certifier's list as it stands, and its version (which goes up with every change)."""
    row = store.get_status_list(session, certifier, list_no)
    lst = StatusList(row.size, bits=2)
    for idx, state in store.status_entries(session, certifier, list_no):
        lst.set(idx, int(_STATUS_VALUE[state]))
    return lst, row.version


def signed_status_list(
    session: Session, settings: IssuanceSettings, certifier: str, list_no: int, *, now: datetime
) -> tuple[bytes, int]:
    """A Status List Token for the list, signed by the certifier's newest usable key; and the list version."""
    lst, version = status_list_of(session, certifier, list_no)
    rows = [r for r in store.signing_keys(session, certifier_id=certifier) if r.state != KeyState.WITHDRAWN]
    if not rows:
        raise NotFound(f"{certifier} has no key to sign its status lists")
    row = max(rows, key=lambda r: (r.state == KeyState.ACTIVE, r.usage_from))
    private = open_private_key(row.sealed_private_key, settings.master_key, kid=row.kid)
    token = sign_status_list(
        lst,
        private,
        uri=status_list_uri(settings.status_base, certifier, list_no),
        now=now,
        expires_at=now + timedelta(seconds=settings.status_ttl * 12),
        ttl=settings.status_ttl,
        issuer=certifier,
    )
    return token, version


# --- verifying what is stored -------------------------------------------------------------------

_FROM_STATE = {
    LabelState.REVOKED: (VerifyStatus.REVOKED, "revoked"),
    LabelState.SUSPENDED: (VerifyStatus.SUSPENDED, "suspended"),
}


@dataclass(frozen=True)
class KeyStanding:
    """What the registry's records say of a key, as far as verifying its labels goes."""

    state: KeyState
    withdrawn_from: datetime | None = None

    def refuses(self, issued_at: datetime) -> bool:
        return withdrawal_refuses(self.state, self.withdrawn_from, issued_at)


def standing_of(row: LabelSigningKey) -> KeyStanding:
    return KeyStanding(KeyState(row.state), row.withdrawn_from)


def stored_verification(
    label: Label | None,
    key_state: KeyState | KeyStanding | None,
    *,
    now: datetime,
    claims: LabelClaims | None = None,
) -> Verification:
    """The registry's answer for a label it holds, from its records (no signature to check: it signed it).

    ``key_state`` is its key's standing (a bare :class:`KeyState` WITHDRAWN refuses every label);
    ``claims``: the label's claims when the caller has them as a model already (a label just issued)."""
    if label is None:
        return Verification(status=VerifyStatus.UNKNOWN, reason="unknown_label", checked_at=now)
    claims = claims if claims is not None else LabelClaims.model_validate(label.claims)
    status, reason, detail = VerifyStatus.VALID, None, None
    state = LabelState(label.state)
    standing = KeyStanding(key_state) if isinstance(key_state, KeyState) else key_state
    if standing is not None and standing.refuses(claims.issued_at):
        status, reason = VerifyStatus.INVALID_SIGNATURE, "key_withdrawn"
    elif now >= claims.expires_at:
        status, reason = VerifyStatus.EXPIRED, "expired"
    elif state in _FROM_STATE:
        (status, reason), detail = _FROM_STATE[state], label.state_reason
    return Verification(
        status=status, reason=reason, detail=detail, label_id=label.id, kid=label.kid, claims=claims, checked_at=now
    )


def printable_label(session: Session, label_id: str, *, now: datetime) -> Label:
    """The label to print artwork for (printable label, QR code): refused with :class:`NotPrintable`,
    saying why, unless it is valid now, so no new box carries a suspended, revoked or expired label."""
    label = store.get_label(session, label_id.strip().upper())
    v = stored_verification(label, KeyState(store.get_signing_key(session, label.kid).state), now=now)
    if v.status is not VerifyStatus.VALID:
        why = f"{v.status.value} ({v.reason}" + (f": {v.detail})" if v.detail else ")")
        raise NotPrintable(f"label {label.id} is {why} as of {now.isoformat()}, so it cannot be printed")
    return label


def verify_ids(session: Session, label_ids: Iterable[str], *, now: datetime) -> dict[str, Verification]:
    labels = store.get_labels(session, label_ids)
    states = {r.kid: standing_of(r) for r in store.signing_keys(session)} if labels else {}
    return {
        i: stored_verification(labels.get(i), states.get(labels[i].kid) if i in labels else None, now=now)
        for i in label_ids
    }


def overlay_state(result: Verification, label: Label | None) -> Verification:
    """A token verified offline, with the registry's current state of that label applied."""
    if result.status is not VerifyStatus.VALID or label is None:
        return result
    state = LabelState(label.state)
    if state not in _FROM_STATE:
        return result.model_copy(update={"reason": None, "detail": None})
    status, reason = _FROM_STATE[state]
    return result.model_copy(update={"status": status, "reason": reason, "detail": label.state_reason})


def now_utc() -> datetime:
    return datetime.now(UTC)
