"""Secret files at rest: created owner-only (0600, in a 0700 folder); one readable by others is refused.

On POSIX only; elsewhere the platform's own access control applies.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from registry.errors import InputError, Location

PRIVATE_MODE = 0o600
# RFC 7518 section 3.2: "A key of the same size as the hash output (for instance, 256 bits for
# "HS256") or larger MUST be used with this algorithm."
MIN_JWT_SECRET_BYTES = 32
PRIVATE_DIR_MODE = 0o700


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) readable and writable by its owner only, and write ``data``."""
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def loose_mode(path: Path) -> int | None:
    """The mode of ``path`` when group or others may access it (POSIX), else None."""
    if os.name != "posix":
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    return mode if mode & (stat.S_IRWXG | stat.S_IRWXO) else None


def read_private(path: Path, what: str) -> bytes:
    """The bytes of a secret file; :class:`InputError` when group or others may read it."""
    mode = loose_mode(path)
    if mode is not None:
        raise InputError(f"{what} {path} is readable by others (mode {mode:o}); chmod 600 it", Location(str(path)))
    return path.read_bytes()
