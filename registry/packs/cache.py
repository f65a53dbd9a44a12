"""What is derived from a rule pack, kept on disk by digest: a pack is immutable once its bytes are known.

A pack file's parsed and checked content is keyed by the SHA-256 of its bytes; a compiled pack
(the generated Python source of its rule function and of its message templates) by the digests
of the packs its resolution folds in. Every key also covers :data:`CACHE_FORMAT`, this
program's version and the rule pack schema, so an upgrade never reads an entry made by another
version. An entry is JSON naming its kind and key, checked on load; anything unreadable,
foreign or malformed counts as absent and is rebuilt. Entries are written to a temporary file
in the same folder and renamed over the target, so two processes writing the same entry leave
one whole copy. The cache is an optimisation only: when its folder cannot be written, every
command works as without it. See docs/adr/0015-pack-cache.md.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from registry import __version__
from registry.resources import schemas_dir

CACHE_FORMAT = 3  # bump when the shape of an entry changes
CACHE_DIR_ENV = "PCFREG_CACHE_DIR"  # a folder, or empty to keep nothing on disk


@cache
def _salt() -> bytes:
    """What every key covers besides the pack: cache format, program version, rule pack schema."""
    schema = (schemas_dir() / "rulepack-1.0.json").read_bytes()
    return f"pcfreg-pack-cache/{CACHE_FORMAT}/{__version__}/".encode() + hashlib.sha256(schema).digest()


def content_key(*parts: bytes | str) -> str:
    """A hex SHA-256 over the salt and ``parts`` (each length-prefixed, so the split is unambiguous)."""
    h = hashlib.sha256(_salt())
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        h.update(len(raw).to_bytes(8, "big"))
        h.update(raw)
    return h.hexdigest()


class PackCache:
    """Entries ``<kind>/<key[:2]>/<key>.json`` under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def default(cls) -> PackCache | None:
        """``$PCFREG_CACHE_DIR`` (empty: none), else the user cache folder's ``pcfreg/packs``."""
        configured = os.environ.get(CACHE_DIR_ENV)
        if configured is not None:
            return cls(Path(configured)) if configured else None
        from platformdirs import user_cache_dir

        return cls(Path(user_cache_dir("pcfreg", appauthor=False)) / "packs")

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.json"

    def load(self, kind: str, key: str) -> Any | None:
        """The value stored for ``(kind, key)``, or None when absent, unreadable or not ours."""
        try:
            entry = orjson.loads(self._path(kind, key).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
            return None
        if entry.get("kind") != kind or entry.get("key") != key:
            return None
        return entry.get("value")

    def store(self, kind: str, key: str, value: Any) -> None:
        """Write the entry atomically (temporary file, then rename); a failure to write is ignored."""
        path = self._path(kind, key)
        entry = {"format": CACHE_FORMAT, "kind": kind, "key": key, "value": value}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(orjson.dumps(entry))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError):
            return  # a read-only or full disk, or a value JSON cannot hold: work on without the entry


__all__ = ["CACHE_DIR_ENV", "PackCache", "content_key"]
