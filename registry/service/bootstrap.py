"""``pcfreg init``: a data directory that serves on first start.

Creates the directory and its database, applies the migrations, creates the built-in
example standards body with a signing key, a demo certifier and a demo platform (their
credentials are returned once, never stored in clear), and publishes the bundled rule
packs as signed envelopes through the same path as any upload, and the bundled factor sets
(``factorsets/``) signed by the registry's own ``pcf-registry`` publisher the same way.
Running it again keeps everything and only publishes bundled versions not yet stored.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from registry.errors import InputError, Location
from registry.packs import PackCache, RulePack, catalog_summaries, generate_keypair, load_pack_file, sign_pack
from registry.resources import rulepacks_dir
from registry.secretfiles import MIN_JWT_SECRET_BYTES as MIN_SECRET_BYTES
from registry.secretfiles import read_private, write_private
from registry.service.packs import publish
from registry.service.principal import Principal
from registry.storage import repo
from registry.storage.db import make_engine, migrate, session_scope
from registry.storage.errors import NotFound
from registry.storage.models import (
    CredentialCreate,
    CredentialKind,
    OrganisationCreate,
    OrgKind,
    PublisherKeyCreate,
    RulePackVersion,
)
from registry.storage.settings import StorageSettings, database_url_for

EXAMPLE_BODY = "example-standards-body"
DEMO_CERTIFIER = "demo-certifier"
DEMO_PLATFORM = "demo-platform"
DEMO_ACCREDITATION_BODY = "demo-accreditation-body"
# The demo grant's length: a demo choice, not a figure of ISO/IEC 17011 or any body's rules [unchecked].
DEMO_ACCREDITATION_YEARS = 5
ADMIN_ORG = "registry-admin"
JWT_SECRET_ENV = "PCFREG_JWT_SECRET"
FACTORSET_PUBLISHER = "pcf-registry"
FACTORSET_PUBLISHER_NAME = "pcf-registry (publisher of the bundled factor sets)"

ORGS = (
    (EXAMPLE_BODY, "Example Standards Body (pcf-registry demo)", OrgKind.STANDARDS_BODY, CredentialKind.CLIENT_SECRET),
    (DEMO_CERTIFIER, "Demo Certifier", OrgKind.CERTIFIER, CredentialKind.CLIENT_SECRET),
    (DEMO_PLATFORM, "Demo Platform", OrgKind.PLATFORM, CredentialKind.API_KEY),
    (
        DEMO_ACCREDITATION_BODY,
        "Demo Accreditation Body (pcf-registry demo)",
        OrgKind.ACCREDITATION_BODY,
        CredentialKind.CLIENT_SECRET,
    ),
    (ADMIN_ORG, "Registry operator", OrgKind.ADMIN, CredentialKind.CLIENT_SECRET),
)


@dataclass(frozen=True)
class IssuedSecret:
    org_id: str
    kind: str
    client_id: str
    secret: str

    def as_text(self) -> str:
        if self.kind == CredentialKind.API_KEY.value:
            return f"{self.org_id}: API key {self.client_id}.{self.secret}"
        return f"{self.org_id}: client_id {self.client_id}  client_secret {self.secret}"


@dataclass
class InitReport:
    data_dir: Path
    database_url: str
    created: bool = False
    credentials: list[IssuedSecret] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    label_keys: list[str] = field(default_factory=list)
    accreditations: list[str] = field(default_factory=list)


def jwt_secret(data_dir: Path) -> bytes:
    """The token signing secret: ``PCFREG_JWT_SECRET``, else a file in the data dir made once (0600).

    At least 32 bytes either way (:data:`registry.secretfiles.MIN_JWT_SECRET_BYTES`); a file that others
    may read is refused."""
    env = os.environ.get(JWT_SECRET_ENV)
    path = data_dir / "secrets" / "jwt-secret"
    if env:
        secret, source = env.encode(), JWT_SECRET_ENV
    else:
        if not path.exists():
            write_private(path, secrets.token_urlsafe(48).encode())
        secret, source = read_private(path, "the JWT secret file").strip(), str(path)
    if len(secret) < MIN_SECRET_BYTES:
        raise InputError(
            f"{source} holds a JWT secret of {len(secret)} bytes; it must be at least {MIN_SECRET_BYTES} "
            "(RFC 7518 section 3.2: HS256 keys of at least 256 bits), e.g. python -c "
            "'import secrets; print(secrets.token_urlsafe(48))'",
            Location(pointer=JWT_SECRET_ENV) if env else Location(str(path)),
        )
    return secret


def signing_key_path(data_dir: Path) -> Path:
    return data_dir / "secrets" / f"{EXAMPLE_BODY}.ed25519.pem"


def _base_first(packs: list[RulePack]) -> list[RulePack]:
    by_ref = {p.ref: p for p in packs}
    done: set[str] = set()
    order: list[RulePack] = []

    def visit(p: RulePack) -> None:
        if p.ref in done:
            return
        done.add(p.ref)
        for base in p.extends:
            if base in by_ref:
                visit(by_ref[base])
        order.append(p)

    for p in packs:
        visit(p)
    return order


def init_data_dir(
    settings: StorageSettings, *, now: datetime, engine: Engine | None = None, extra_folders: Iterable[Path] = ()
) -> InitReport:
    """Create or update a data directory; the packs of ``extra_folders`` (``--packs-dir``) are published beside
    the bundled ones."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    url = database_url_for(settings)
    engine = engine or make_engine(url)
    migrate(engine)
    report = InitReport(data_dir=data_dir, database_url=url)
    key_path = signing_key_path(data_dir)
    with session_scope(engine) as session:
        try:
            repo.get_organisation(session, EXAMPLE_BODY)
        except NotFound:
            report.created = True
            for org_id, name, kind, cred_kind in ORGS:
                repo.create_organisation(session, OrganisationCreate(id=org_id, name=name, kind=kind), now=now)
                issued = repo.create_credential(
                    session, CredentialCreate(org_id=org_id, kind=cred_kind, label="created by pcfreg init"), now=now
                )
                report.credentials.append(
                    IssuedSecret(org_id, cred_kind.value, issued.credential.client_id, issued.secret)
                )
            if not key_path.exists():
                pem, jwk = generate_keypair(publisher=EXAMPLE_BODY)
                write_private(key_path, pem)
            else:
                from registry.packs import load_private_key, public_jwk

                jwk = public_jwk(load_private_key(key_path.read_bytes()).public_key(), publisher=EXAMPLE_BODY)
            repo.add_publisher_key(
                session, PublisherKeyCreate(keyid=jwk["kid"], org_id=EXAMPLE_BODY, public_jwk=jwk), now=now
            )
        else:
            _check_own_key(key_path, url)
    report.published = publish_bundled(engine, key_path.read_bytes(), now=now, extra_folders=extra_folders)
    report.published += publish_bundled_factor_sets(engine, data_dir, now=now)
    report.label_keys = ensure_demo_label_key(engine, data_dir, now=now)
    if report.created:
        report.accreditations = grant_demo_accreditation(engine, data_dir, now=now)
    return report


def _check_own_key(key_path: Path, url: str) -> None:
    """A database set up before, used with a data folder that lacks the key signing its bundled packs (a
    fresh folder pointed at a PostgreSQL database set up from another: issue 15's bench met it) is refused
    with what to do, not a bare missing-file error. The folder's other secrets (the master key sealing label
    keys) belong with that key."""
    if not key_path.exists():
        from registry.storage.settings import display_url

        raise InputError(
            f"the database {display_url(url)} was set up with another data folder: this one has no "
            f"{key_path.name} in {key_path.parent}; use that folder (--data-dir, PCFREG_DATA_DIR) or copy its "
            "secrets/ here, or start on an empty database",
            Location(str(key_path)),
        )


def demo_label_scope() -> Any:
    """What the demo certifier's label key may sign: every crosswalk scheme, packs of the example body."""
    from issuance import KeyScope
    from registry.crosswalk import load_crosswalks

    return KeyScope(schemes=tuple(sorted(load_crosswalks().schemes)), categories=(f"{EXAMPLE_BODY}/",))


def ensure_demo_label_key(engine: Engine, data_dir: Path, *, now: datetime) -> list[str]:
    """Give the demo certifier a label signing key if it has none (also for data dirs made before labels)."""
    from registry.service.labels import create_signing_key, load_settings
    from registry.storage import issuance as label_store

    settings = load_settings(data_dir)
    with session_scope(engine) as session:
        try:
            repo.get_organisation(session, DEMO_CERTIFIER)
        except NotFound:
            return []
        if label_store.signing_keys(session, certifier_id=DEMO_CERTIFIER):
            return []
        key = create_signing_key(session, settings, DEMO_CERTIFIER, demo_label_scope(), now=now)
        return [key.kid]


def accreditation_key_path(data_dir: Path) -> Path:
    return data_dir / "secrets" / f"{DEMO_ACCREDITATION_BODY}.ed25519.pem"


def demo_accreditation(now: datetime) -> Any:
    """The demo body's grant to the demo certifier: what its label key may sign (every crosswalk scheme,
    the example body's packs), anywhere, from today for five years."""
    from registry.accreditation import Accreditation, Change, Scope, State

    scope = demo_label_scope()
    start = now.date()
    return Accreditation(
        id=f"{DEMO_ACCREDITATION_BODY}/{DEMO_CERTIFIER}",
        version=1,
        certifier=DEMO_CERTIFIER,
        change=Change.GRANT,
        state=State.ACTIVE,
        scope=Scope(schemes=scope.schemes, categories=scope.categories, regions=("global",)),
        valid_from=start,
        valid_until=start.replace(
            year=start.year + DEMO_ACCREDITATION_YEARS, day=28 if (start.month, start.day) == (2, 29) else start.day
        ),
        standard="ISO/IEC 17065 (demo)",
    )


def grant_demo_accreditation(engine: Engine, data_dir: Path, *, now: datetime) -> list[str]:
    """The demo accreditation body's signing key (made once, registered) and its grant to the demo
    certifier, through the same path as any body's (:func:`registry.service.accreditations.submit`)."""
    from registry.accreditation import sign_accreditation
    from registry.packs import load_private_key, public_jwk
    from registry.service.accreditations import submit

    key_path = accreditation_key_path(data_dir)
    if not key_path.exists():
        write_private(key_path, generate_keypair(publisher=DEMO_ACCREDITATION_BODY)[0])
    pem = key_path.read_bytes()
    jwk = public_jwk(load_private_key(pem).public_key(), publisher=DEMO_ACCREDITATION_BODY)
    principal = Principal(
        org_id=DEMO_ACCREDITATION_BODY, kind="accreditation-body", client_id="pcfreg-init", via="token"
    )
    with session_scope(engine) as session:
        if all(k.keyid != jwk["kid"] for k in repo.list_publisher_keys(session, DEMO_ACCREDITATION_BODY)):
            data = PublisherKeyCreate(keyid=jwk["kid"], org_id=DEMO_ACCREDITATION_BODY, public_jwk=jwk)
            repo.add_publisher_key(session, data, now=now)
        envelope = sign_accreditation(demo_accreditation(now), pem, DEMO_ACCREDITATION_BODY)
        done = submit(session, principal, envelope, now=now)
    return [f"{done.row.accreditation_id}@{done.row.version}"] if done.created else []


def publish_bundled(
    engine: Engine,
    private_pem: bytes,
    *,
    now: datetime,
    extra: Iterable[RulePack] = (),
    extra_folders: Iterable[Path] = (),
) -> list[str]:
    """Publish every bundled pack version not yet stored, and those of ``extra`` and of the pack files in
    ``extra_folders``, bases first, each in its own transaction. A version stored with the same digest is
    skipped unsigned, and a file's pack is loaded only when it is not (the folders' summaries, kept by the
    files' digests, say its reference and digest: with 500 packs stored, nothing is parsed at start-up);
    other content under a stored version is refused by :func:`publish`. ``extra`` packs must be the
    example body's (its key signs)."""
    principal = Principal(org_id=EXAMPLE_BODY, kind="standards-body", client_id="pcfreg-init", via="token")
    extra = list(extra)
    for pack in extra:
        _require_example_body(pack.id, pack.ref, pack.source)
    with session_scope(engine, write=False) as session:
        cols = (RulePackVersion.pack_id, RulePackVersion.version, RulePackVersion.digest)
        stored = {f"{i}@{v}": d for i, v, d in session.exec(select(*cols)).all()}
    candidates = [*_unstored(stored, extra_folders), *extra]
    published: list[str] = []
    for pack in _base_first(candidates):
        if pack.id.split("/", 1)[0] != EXAMPLE_BODY or stored.get(pack.ref) == pack.digest:
            continue
        envelope = sign_pack(pack.data, private_pem, EXAMPLE_BODY)
        with session_scope(engine) as session:
            outcome = publish(session, principal, envelope, now=now)
        if outcome.created:
            published.append(pack.ref)
    return published


def _require_example_body(pack_id: str, ref: str, source: str | None) -> None:
    if pack_id.split("/", 1)[0] != EXAMPLE_BODY:
        raise InputError(
            f"{source}: {ref} is not a pack of {EXAMPLE_BODY}, whose key this data directory holds; "
            "publish it with its publisher's key (POST /rulepacks)"
        )


def _unstored(stored: dict[str, str], extra_folders: Iterable[Path]) -> list[RulePack]:
    """The example body's bundled packs and the packs of ``extra_folders`` (each must be the example body's)
    that are not stored with their digest; a version defined twice is refused (:func:`catalog_summaries`)."""
    cache = PackCache.default()
    bundled = rulepacks_dir()
    out: list[RulePack] = []
    for s in catalog_summaries(extra_folders, cache):
        ref, source = f"{s['id']}@{s['version']}", Path(s["source"])
        if not source.is_relative_to(bundled):
            _require_example_body(s["id"], ref, s["source"])
        elif s["id"].split("/", 1)[0] != EXAMPLE_BODY:
            continue
        if stored.get(ref) != s["digest"]:
            out.append(load_pack_file(source, cache))
    return out


def _factor_publisher_key(engine: Engine, data_dir: Path, *, now: datetime) -> bytes:
    """The ``pcf-registry`` organisation (publisher of the bundled factor sets) and its signing key."""
    from registry.packs import load_private_key, public_jwk

    key_path = data_dir / "secrets" / f"{FACTORSET_PUBLISHER}.ed25519.pem"
    if not key_path.exists():
        write_private(key_path, generate_keypair(publisher=FACTORSET_PUBLISHER)[0])
    pem = key_path.read_bytes()
    jwk = public_jwk(load_private_key(pem).public_key(), publisher=FACTORSET_PUBLISHER)
    with session_scope(engine) as session:
        try:
            repo.get_organisation(session, FACTORSET_PUBLISHER)
        except NotFound:
            org = OrganisationCreate(id=FACTORSET_PUBLISHER, name=FACTORSET_PUBLISHER_NAME, kind=OrgKind.STANDARDS_BODY)
            repo.create_organisation(session, org, now=now)
        if all(k.keyid != jwk["kid"] for k in repo.list_publisher_keys(session, FACTORSET_PUBLISHER)):
            data = PublisherKeyCreate(keyid=jwk["kid"], org_id=FACTORSET_PUBLISHER, public_jwk=jwk)
            repo.add_publisher_key(session, data, now=now)
    return pem


def publish_bundled_factor_sets(engine: Engine, data_dir: Path, *, now: datetime) -> list[str]:
    """Sign and publish every bundled factor set not yet stored, GWP tables first, each in its own transaction."""
    from registry.factors import load_factor_set_file, sign_factor_set
    from registry.resources import factorsets_dir
    from registry.service.factors import publish as publish_set

    pem = _factor_publisher_key(engine, data_dir, now=now)
    principal = Principal(org_id=FACTORSET_PUBLISHER, kind="standards-body", client_id="pcfreg-init", via="token")
    sets = [load_factor_set_file(p) for p in sorted(factorsets_dir().glob("*/*.json"))]
    published: list[str] = []
    for fs in sorted(sets, key=lambda s: (s.kind != "gwp-table", s.ref)):
        envelope = sign_factor_set(fs, pem, FACTORSET_PUBLISHER)
        with session_scope(engine) as session:
            outcome = publish_set(session, principal, envelope, now=now)
        if outcome.created:
            published.append(fs.ref)
    return published
