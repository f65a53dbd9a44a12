"""Where the database is: a SQLite file in the data dir unless ``DATABASE_URL`` says otherwise.

Nothing here runs at import time; callers build :class:`StorageSettings` and pass it on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from registry.errors import InputError

DATABASE_URL_ENV = "DATABASE_URL"
DATA_DIR_ENV = "PCFREG_DATA_DIR"
SQLITE_FILENAME = "pcfreg.db"
POSTGRES_DRIVER = "postgresql+psycopg"


class StorageSettings(BaseModel):
    """``database_url`` wins when given; otherwise see :func:`database_url_for`."""

    model_config = ConfigDict(frozen=True)

    data_dir: Path
    database_url: str | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, default_data_dir: Path | None = None
    ) -> StorageSettings:
        """``PCFREG_DATA_DIR`` (default ``./pcfreg-data``) and ``DATABASE_URL``, read when called."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get(DATA_DIR_ENV) or default_data_dir or Path("pcfreg-data"))
        return cls(data_dir=data_dir, database_url=env.get(DATABASE_URL_ENV) or None)


def database_url_for(settings: StorageSettings, environ: Mapping[str, str] | None = None) -> str:
    """The URL to connect to, normalised to a driver we ship.

    Precedence: ``settings.database_url``, then the ``DATABASE_URL`` environment
    variable, then ``sqlite:///<data_dir>/pcfreg.db``. ``postgresql://`` and
    ``postgres://`` become ``postgresql+psycopg://`` (psycopg 3).
    """
    env = os.environ if environ is None else environ
    raw = settings.database_url or env.get(DATABASE_URL_ENV)
    if raw:
        return normalise_url(raw)
    path = (settings.data_dir / SQLITE_FILENAME).resolve()
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def display_url(url: str) -> str:
    """``url`` as it may be shown or logged: its password, if any, masked as ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def normalise_url(raw: str) -> str:
    """Accept SQLite and PostgreSQL URLs; pin PostgreSQL to psycopg 3. Anything else is an InputError."""
    try:
        url = make_url(raw.strip())
    except ArgumentError as e:
        raise InputError(f"{DATABASE_URL_ENV} is not a database URL: {e}") from e
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        url = url.set(drivername=POSTGRES_DRIVER)
    elif backend == "sqlite" and driver in ("", "pysqlite"):
        pass
    else:
        shown = url.render_as_string(hide_password=True)
        raise InputError(
            f"unsupported database URL {shown!r}: use sqlite:///<path> or postgresql://user@host/db (psycopg 3)"
        )
    return url.render_as_string(hide_password=False)
