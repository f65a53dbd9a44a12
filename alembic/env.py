"""Alembic environment for pcf-registry. No alembic.ini: configured in code.

Programmatic use (``registry.storage.db.migrate``) passes a live connection in
``config.attributes["connection"]``; it runs inside the caller's transaction. Without one
(a developer running Alembic by hand) the URL comes from ``DATABASE_URL``, never from an
ini file.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from registry.storage.db import make_engine
from registry.storage.models import metadata
from registry.storage.settings import DATABASE_URL_ENV, normalise_url

config = context.config
target_metadata = metadata


def _url_from_env() -> str:
    raw = os.environ.get(DATABASE_URL_ENV)
    if not raw:
        raise RuntimeError(
            f"no connection given and {DATABASE_URL_ENV} is not set; "
            "use registry.storage.db.migrate(engine) or set DATABASE_URL"
        )
    return normalise_url(raw)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url_from_env(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(_url_from_env())
    try:
        with engine.begin() as conn:
            _configure(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
