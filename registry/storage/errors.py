"""Storage errors, split by fault like the rest of :mod:`registry.errors`.

:class:`NotFound` and :class:`Conflict` are the caller's fault (an unknown id, a
duplicate pack version, a status change that is not allowed);
:class:`StorageUnavailable` is upstream (the database cannot be reached or is
locked). A raw SQLAlchemy error never escapes on purpose: these wrap it with
``raise ... from``.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import InputError, RegistryError


@dataclass
class NotFound(InputError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    code: str = "not-found"


@dataclass
class Conflict(InputError):
    """The write clashes with what is stored: a duplicate key, a forbidden status change."""

    code: str = "conflict"


@dataclass
class StorageUnavailable(RegistryError):
    """The database could not be reached, or stayed locked past the busy timeout."""

    code: str = "storage-unavailable"
