"""Column types that behave the same on SQLite and PostgreSQL.

* :class:`UTCDateTime` - ``timestamptz`` on PostgreSQL, text on SQLite; refuses naive
  values on the way in and always hands back aware UTC datetimes on the way out.
* :func:`json_type` - JSONB on PostgreSQL, JSON on SQLite; Python ``None`` is SQL NULL.
* :func:`sort_text` - text compared bytewise (``COLLATE "C"`` on PostgreSQL, SQLite's
  default BINARY), for sort keys and code prefixes whose order must not depend on a locale.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored; give a timezone")
        utc = value.astimezone(UTC)
        # SQLite keeps no offset: store the UTC wall clock, re-attach UTC when reading.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> TypeEngine[Any]:
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def sort_text() -> TypeEngine[str]:
    return String().with_variant(String(collation="C"), "postgresql")
