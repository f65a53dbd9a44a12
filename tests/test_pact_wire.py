"""The 40 PACT v3 conformance cases and the 21 v2 ones against ``pcfreg serve --dev-cert`` over HTTPS
on loopback.

One server process per backend (SQLite, and PostgreSQL when reachable), seeded once before it starts:
three bundled examples validated by demo-certifier and shared with a partner client, an outsider
client that was shared nothing, and the partner's own PACT host: a small HTTPS receiver in this
process (``pact_fake_host``: discovery, token endpoint, ``/3/events`` recording what arrives), whose
certificate the server trusts through ``SSL_CERT_FILE``. The client is httpx over real TLS, trusting
the server's development certificate. The cases are those of ``tests/pact_conformance.py``, the same
list the in-process run uses.

Then the outbox sweeper: an event queued by another process while the server runs is delivered
without any PACT request; events queued while the server is down are delivered after it starts
again, with two workers, each exactly once.
"""

from __future__ import annotations

import os
import secrets
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from pact_conformance import PACKS, PUBLISHED, V2_CASE_IDS, V2_CASES, V3_CASE_IDS, V3_CASES, Target, wait_for
from pact_fake_host import CLIENT_ID, CLIENT_SECRET, FakeServer, HostState, serving, serving_registry

from registry.packs import Catalog, validate_document
from registry.service import pact_events, pact_host
from registry.service.bootstrap import IssuedSecret, init_data_dir
from registry.service.devcert import dev_certificate
from registry.service.labels import load_settings
from registry.service.operator import OPERATOR
from registry.storage import pact_repo, repo
from registry.storage.db import make_engine, session_scope
from registry.storage.models import CredentialCreate, CredentialKind, OrganisationCreate, OrgKind
from registry.storage.settings import StorageSettings, database_url_for

PG_ADMIN = os.environ.get("PCFREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SWEEP_SECONDS = "1"  # the server's sweeper interval here (the default is 30 s)


def _pg_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as e:
        return f"PostgreSQL not reachable at 127.0.0.1:5432: {' '.join(str(e).split())}"
    return None


@dataclass
class WireReceiver:
    """The partner's PACT host: a real HTTPS server on loopback (tests/pact_fake_host.py)."""

    server: FakeServer

    @property
    def source(self) -> str:
        return self.server.base + "/3/events"

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.server.state.events

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        return wait_for(self.events, pred, timeout)


@dataclass
class Wire(Target):
    """The conformance target over the wire, and what it takes to restart the server."""

    data: Path
    database_url: str | None
    env: dict[str, str]
    stack: ExitStack
    receiver: WireReceiver

    def start(self, *options: str) -> None:
        base, _ = self.stack.enter_context(serving_registry(self.data, "--dev-cert", *options, env=self.env))
        trust = ssl.create_default_context(cafile=self.data / "tls" / "dev-cert.pem")
        # closed before the server stops (no idle TLS connection for its graceful shutdown to wait for)
        self.send = self.stack.enter_context(httpx.Client(verify=trust, timeout=20)).request
        self.base = base

    def stop(self) -> None:
        self.stack.close()
        self.stack = ExitStack()

    def engine(self) -> Any:
        return make_engine(database_url_for(StorageSettings(data_dir=self.data, database_url=self.database_url)))


def _org(engine: Any, org_id: str) -> IssuedSecret:
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        repo.create_organisation(s, OrganisationCreate(id=org_id, name=org_id, kind=OrgKind.PLATFORM), now=now)
        issued = repo.create_credential(s, CredentialCreate(org_id=org_id, kind=CredentialKind.CLIENT_SECRET), now=now)
    return IssuedSecret(org_id, "client-secret", issued.credential.client_id, issued.secret)


def _seed(data: Path, database_url: str | None, receiver: FakeServer) -> tuple[IssuedSecret, IssuedSecret, list[Any]]:
    """What the server serves, written before it starts: the partner and outsider clients, three shared
    footprints, and the partner's host (where answers go, with the credentials it gave the registry)."""
    now = datetime.now(UTC)
    settings = StorageSettings(data_dir=data, database_url=database_url)
    init_data_dir(settings, now=now)
    engine = make_engine(database_url_for(settings))
    partner, outsider = _org(engine, "partner-co"), _org(engine, "outsider-co")
    pfs = []
    catalog = Catalog.bundled()
    for pack in PACKS:
        example = catalog.resolve(pack).example
        assert example is not None
        result = validate_document(catalog, example, pack=None, now=now)
        assert result.conformant
        with session_scope(engine) as s:
            vid = repo.insert_validation(s, org_id="demo-certifier", result=result, declaration=example, now=now).id
            pact_host.share(s, pact_host.acting_for(s, "demo-certifier"), vid, partner.client_id, now=now)
        pfs.append(example)
    with session_scope(engine) as s:
        pact_host.set_partner(
            s,
            OPERATOR,
            partner.client_id,
            base_url=receiver.base,
            remote_client_id=CLIENT_ID,
            remote_client_secret=CLIENT_SECRET,
            master_key=load_settings(data).master_key,
            now=now,
        )
    engine.dispose()
    return partner, outsider, sorted(pfs, key=lambda p: p["id"])


def _database(stack: ExitStack, backend: str) -> str | None:
    if backend == "sqlite":
        return None
    reason = _pg_reason()
    if reason:
        pytest.skip(reason)
    name = f"pcfreg_wire_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    stack.callback(drop)
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def wire(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wire]:
    tmp = tmp_path_factory.mktemp(f"wire-{request.param}")
    with ExitStack() as outer:
        database_url = _database(outer, request.param)
        cert = dev_certificate(tmp / "receiver", now=datetime.now(UTC))
        receiver = outer.enter_context(serving(HostState(answer_requests=False), tls=(cert.cert_path, cert.key_path)))
        data = tmp / "data"
        partner, outsider, pfs = _seed(data, database_url, receiver)
        dev_certificate(
            data, now=datetime.now(UTC)
        )  # what `serve --dev-cert` will use: made now, so the client trusts it
        env = {"SSL_CERT_FILE": str(cert.cert_path), "PCFREG_PACT_SWEEP_SECONDS": SWEEP_SECONDS}
        if database_url:
            env["DATABASE_URL"] = database_url
        w = Wire(
            send=httpx.request,  # until started
            base="",
            partner=partner,
            outsider=outsider,
            receiver=WireReceiver(receiver),
            pfs=pfs,
            over_the_wire=True,
            data=data,
            database_url=database_url,
            env=env,
            stack=ExitStack(),
        )
        try:
            w.start()
            yield w
        finally:
            w.stop()


@pytest.mark.parametrize("case", [c for _, c in V3_CASES], ids=V3_CASE_IDS)
def test_v3_conformance_case_over_https(wire: Wire, case: Callable[[Target], None]) -> None:
    case(wire)


@pytest.mark.parametrize("case", [c for _, c in V2_CASES], ids=V2_CASE_IDS)
def test_v2_conformance_case_over_https(wire: Wire, case: Callable[[Target], None]) -> None:
    case(wire)


def _queue_published(wire: Wire, n: int) -> list[str]:
    """Queue ``n`` PublishedEvents to the partner as another process would (``pcfreg pact share`` of a new
    version): straight into the outbox, no request to the server."""
    engine = wire.engine()
    with session_scope(engine) as s:
        rows = [
            pact_events.queue_published(
                s,
                wire.partner.client_id,
                [wire.pfs[0]["id"]],
                owner="demo-certifier",
                now=datetime.now(UTC),
                source="x",
            )
            for _ in range(n)
        ]
    engine.dispose()
    return [r.event_id for r in rows]


def _has_id(event_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["id"] == event_id


def _outbox(wire: Wire, event_ids: list[str], timeout: float = 15.0) -> list[Any]:
    """The outbox rows of ``event_ids`` once none is pending (the attempt is recorded just after the POST)."""
    engine = wire.engine()
    deadline = time.monotonic() + timeout
    while True:
        with session_scope(engine, write=False) as s:
            rows = [r for r in pact_repo.events_for_owner(s, "demo-certifier", limit=1000) if r.event_id in event_ids]
        if all(r.state != "pending" for r in rows) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    engine.dispose()
    return rows


def test_sweeper_delivers_what_another_process_queued_without_a_request(wire: Wire) -> None:
    (event_id,) = _queue_published(wire, 1)
    got = wire.receiver.wait_for(lambda e: e["id"] == event_id)
    assert got["type"] == PUBLISHED and got["data"]["pfIds"] == [wire.pfs[0]["id"]]
    (row,) = _outbox(wire, [event_id])
    assert (row.state, row.attempts) == ("delivered", 1)


def test_events_queued_while_down_are_delivered_after_a_restart_once_each_with_two_workers(wire: Wire) -> None:
    wire.stop()
    event_ids = _queue_published(wire, 8)
    wire.start("--workers", "2")  # both workers' sweepers start at once, racing for the same rows
    for event_id in event_ids:  # no PACT request is made: only /readyz, which delivers nothing
        wire.receiver.wait_for(_has_id(event_id))
    time.sleep(3 * float(SWEEP_SECONDS))  # a few more sweeps of both workers: nothing is sent again
    arrived = [e["id"] for e in wire.receiver.events if e["id"] in event_ids]
    assert sorted(arrived) == sorted(event_ids)
    assert {(r.state, r.attempts) for r in _outbox(wire, event_ids)} == {("delivered", 1)}
    assert wire.get("/3/footprints").status_code == 200  # the restarted server serves as before
