"""Secrets at rest and on screen (issue 10): no password printed, 0600 files, a long enough JWT secret."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from registry import cli
from registry.api.auth import TokenIssuer
from registry.errors import InputError
from registry.service.bootstrap import jwt_secret

PG = "postgresql://postgres@127.0.0.1:5432/test"
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_never_prints_the_database_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        with psycopg.connect(PG, autocommit=True, connect_timeout=3) as conn:
            dbname = f"pcfreg_secrets_{secrets.token_hex(4)}"
            conn.execute(f'CREATE DATABASE "{dbname}"')
    except psycopg.OperationalError as e:
        pytest.skip(f"PostgreSQL not reachable: {e}")
    password = "hunter2-" + secrets.token_hex(8)  # trust auth: accepted and ignored
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres:{password}@127.0.0.1:5432/{dbname}")
    try:
        result = CliRunner().invoke(cli.main, ["init", "--data-dir", str(tmp_path / "data")])
        assert result.exit_code == 0, result.output
        assert "initialised" in result.output and "***" in result.output
        assert password not in result.output and password not in (result.stderr or "")
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@posix_only
def test_init_creates_the_database_and_secrets_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PCFREG_JWT_SECRET", raising=False)
    old = os.umask(0o022)
    try:
        data = tmp_path / "data"
        assert CliRunner().invoke(cli.main, ["init", "--data-dir", str(data)]).exit_code == 0
        jwt_secret(data)
    finally:
        os.umask(old)
    assert _mode(data / "pcfreg.db") == 0o600
    for path in (data / "secrets").iterdir():
        assert _mode(path) == 0o600, path
    assert _mode(data / "secrets") == 0o700


@posix_only
def test_a_readable_secret_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PCFREG_JWT_SECRET", raising=False)
    jwt_secret(tmp_path)
    path = tmp_path / "secrets" / "jwt-secret"
    path.chmod(0o644)
    with pytest.raises(InputError, match=r"readable by others.*chmod 600"):
        jwt_secret(tmp_path)


@posix_only
def test_a_readable_database_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from registry.storage.db import make_engine, migrate

    db = tmp_path / "pcfreg.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    assert any("readable by others" in r.getMessage() and str(db) in r.getMessage() for r in caplog.records)


def test_a_short_jwt_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCFREG_JWT_SECRET", "x" * 31)
    with pytest.raises(InputError, match=r"PCFREG_JWT_SECRET.*31 bytes.*at least 32"):
        jwt_secret(tmp_path)
    with pytest.raises(InputError, match="at least 32"):
        TokenIssuer(b"short")
    monkeypatch.setenv("PCFREG_JWT_SECRET", "x" * 32)
    assert jwt_secret(tmp_path) == b"x" * 32
