"""Storage fixtures: every test runs on SQLite and, when reachable, on PostgreSQL.

PostgreSQL runs are isolated: each test session creates its own databases
(``pcfreg_test_<random>_<n>``, ICU en-US collation when the server has ICU, so that
locale-dependent ordering would show) and drops them at the end.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import sql
from sqlalchemy import Engine, delete
from sqlalchemy.engine import make_url

from registry.service.labels import IssuanceSettings
from registry.storage.db import make_engine, migrate
from registry.storage.models import metadata

PG_ADMIN_URL = os.environ.get("PCFREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg = make_url(PG_ADMIN_URL)
PG_WHERE = f"{_pg.host}:{_pg.port or 5432}"


def _pg_admin() -> psycopg.Connection[Any]:
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


@functools.cache
def pg_unreachable_reason() -> str | None:
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
    except Exception as e:  # any failure means: skip, and say why
        return f"PostgreSQL not reachable at {PG_WHERE}: {' '.join(str(e).split())}"
    return None


class Backend:
    """Makes fresh, empty databases of one kind and removes them at the end."""

    def __init__(self, name: str, tmp: Path) -> None:
        self.name = name
        self._tmp = tmp
        self._token = secrets.token_hex(4)
        self._count = 0
        self._databases: list[str] = []
        self._engines: list[Engine] = []
        self._icu = True

    def new_engine(self) -> Engine:
        self._count += 1
        if self.name == "sqlite":
            url = f"sqlite:///{self._tmp / f'db{self._count}' / 'pcfreg.db'}"
        else:
            url = self._new_pg_database()
        engine = make_engine(url)
        self._engines.append(engine)
        return engine

    def _new_pg_database(self) -> str:
        name = f"pcfreg_test_{self._token}_{self._count}"
        with _pg_admin() as conn:
            ident = sql.Identifier(name)
            if self._icu:
                try:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'").format(
                            ident
                        )
                    )
                except psycopg.Error:
                    self._icu = False
            if not self._icu:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        self._databases.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def close(self) -> None:
        for engine in self._engines:
            engine.dispose()
        if self._databases:
            with _pg_admin() as conn:
                for name in self._databases:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    if request.param == "postgresql":
        reason = pg_unreachable_reason()
        if reason:
            pytest.skip(reason)
    b = Backend(request.param, tmp_path_factory.mktemp(request.param))
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def migrated_engine(backend: Backend) -> Engine:
    engine = backend.new_engine()
    migrate(engine)
    return engine


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated database, emptied after each test."""
    yield migrated_engine
    with migrated_engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def fresh_engine(backend: Backend) -> Engine:
    """A new, empty, never-migrated database."""
    return backend.new_engine()


@pytest.fixture
def settings() -> IssuanceSettings:
    """Label issuance settings: a public URL, a random master key and a new registry key."""
    return IssuanceSettings(
        public_url="https://labels.example.org", master_key=os.urandom(32), registry_key=Ed25519PrivateKey.generate()
    )
