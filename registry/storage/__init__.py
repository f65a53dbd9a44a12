"""Storage: SQLite by default, PostgreSQL via ``DATABASE_URL``; schema changes only through Alembic.

* :mod:`.settings` - :class:`StorageSettings`, :func:`database_url_for`
* :mod:`.db` - :func:`make_engine`, :func:`migrate`, :func:`downgrade`, :func:`current_revision`,
  :func:`head_revision`, :func:`session_scope`, :func:`alembic_dir`
* :mod:`.models` - the tables, as SQLModel families
* :mod:`.repo` - repository functions over a session; callers own the transaction
* :mod:`.errors` - :class:`NotFound`, :class:`Conflict`, :class:`StorageUnavailable`

See docs/adr/0006-storage.md.
"""

from __future__ import annotations

from registry.storage.db import (
    alembic_dir,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    migrate,
    session_scope,
)
from registry.storage.errors import Conflict, NotFound, StorageUnavailable
from registry.storage.settings import StorageSettings, database_url_for

__all__ = [
    "Conflict",
    "NotFound",
    "StorageSettings",
    "StorageUnavailable",
    "alembic_dir",
    "current_revision",
    "database_url_for",
    "downgrade",
    "head_revision",
    "make_engine",
    "migrate",
    "session_scope",
]
