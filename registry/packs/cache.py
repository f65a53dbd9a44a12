"""What is derived from a rule pack, kept on disk by digest: a pack is immutable once its bytes are known.

A pack file's parsed and checked content is keyed by the SHA-256 of its bytes; a compiled pack
(the generated Python source of its rule function and of its message templates) by the digests
of the packs its resolution folds in; the bytecode of that source by the source itself and the
interpreter's bytecode version. Every key also covers :data:`CACHE_FORMAT`, this program's
version, the rule pack schema and the source of the code that derives the entries (the parser,
the pack checks, the CEL compiler and its grammar), so neither an upgrade nor an edited checkout
ever reads an entry made by other code. An entry names its kind and key and is checked on load
(a bytecode entry also carries the SHA-256 of its payload); anything unreadable, foreign or
malformed counts as absent and is rebuilt. Entries are written to a temporary file in the same
folder and renamed over the target, so two processes writing the same entry leave one whole copy.
The cache is an optimisation only: when its folder cannot be written, every command works as
without it.

The bundled packs' entries are also shipped, read-only, in ``registry/_prebuilt`` (made by
``python -m registry.packs.prebuilt``): the user cache falls back to them, so even the first
command after installing parses and compiles no bundled pack. They are found by the same keys,
so an entry that does not fit this program's code and packs is never found. See
docs/adr/0015-pack-cache.md and docs/adr/0027-cold-start.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import tempfile
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

import orjson

from registry import __version__
from registry.resources import schemas_dir

CACHE_FORMAT = 4  # bump when the shape of an entry changes
CACHE_DIR_ENV = "PCFREG_CACHE_DIR"  # a folder, or empty to keep nothing on disk
_REGISTRY = Path(__file__).resolve().parent.parent
PREBUILT_DIR = _REGISTRY / "_prebuilt" / "packs"
_CODE_MAGIC = b"pcfreg-code\n"


def _deriving_sources() -> list[Path]:
    """The source files whose code makes what is cached: change one and every key changes."""
    packs = _REGISTRY / "packs"
    files = sorted((packs / "cel").rglob("*.py"))
    files += [packs / name for name in ("cache.py", "engine.py", "rulepack.py", "summaries.py")]
    files += [_REGISTRY / name for name in ("yamlpos.py", "yamlparse.py", "schemas.py")]
    spec = importlib.util.find_spec("celpy")  # finds the package without importing it
    if spec is not None and spec.submodule_search_locations:
        files.append(Path(next(iter(spec.submodule_search_locations))) / "cel.lark")  # the CEL grammar
    return files


@cache
def _salt() -> bytes:
    """What every key covers besides the pack: cache format, program version, rule pack schema, deriving code."""
    h = hashlib.sha256((schemas_dir() / "rulepack-1.0.json").read_bytes())
    for path in _deriving_sources():
        try:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            h.update(path.name.encode() + b"\0missing")
    return f"pcfreg-pack-cache/{CACHE_FORMAT}/{__version__}/".encode() + h.digest()


def content_key(*parts: bytes | str) -> str:
    """A hex SHA-256 over the salt and ``parts`` (each length-prefixed, so the split is unambiguous)."""
    h = hashlib.sha256(_salt())
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        h.update(len(raw).to_bytes(8, "big"))
        h.update(raw)
    return h.hexdigest()


class PackCache:
    """Entries ``<kind>/<key[:2]>/<key>.json`` (bytecode: ``.bin``) under ``root``; with ``fallback``, a
    read-only cache consulted for what ``root`` lacks (the prebuilt entries of the bundled packs)."""

    def __init__(self, root: Path, *, fallback: PackCache | None = None, read_only: bool = False) -> None:
        self.root = root
        self.fallback = fallback
        self.read_only = read_only

    @classmethod
    def default(cls) -> PackCache | None:
        """``$PCFREG_CACHE_DIR`` (empty: none), else the user cache folder's ``pcfreg/packs``; either
        falls back to the prebuilt entries of the bundled packs."""
        configured = os.environ.get(CACHE_DIR_ENV)
        if configured is not None:
            return cls(Path(configured), fallback=cls.prebuilt()) if configured else None
        from platformdirs import user_cache_dir

        return cls(Path(user_cache_dir("pcfreg", appauthor=False)) / "packs", fallback=cls.prebuilt())

    @classmethod
    def prebuilt(cls) -> PackCache | None:
        """The read-only entries shipped for the bundled packs, when this installation has them."""
        return cls(PREBUILT_DIR, read_only=True) if PREBUILT_DIR.is_dir() else None

    def _path(self, kind: str, key: str, suffix: str = ".json") -> Path:
        return self.root / kind / key[:2] / f"{key}{suffix}"

    def load(self, kind: str, key: str) -> Any | None:
        """The value stored for ``(kind, key)``, or None when absent, unreadable or not ours."""
        try:
            entry = orjson.loads(self._path(kind, key).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            entry = None
        if (
            not isinstance(entry, dict)
            or entry.get("format") != CACHE_FORMAT
            or entry.get("kind") != kind
            or entry.get("key") != key
        ):
            return self.fallback.load(kind, key) if self.fallback is not None else None
        return entry.get("value")

    def store(self, kind: str, key: str, value: Any) -> None:
        """Write the entry atomically (temporary file, then rename); a failure to write is ignored."""
        entry = {"format": CACHE_FORMAT, "kind": kind, "key": key, "value": value}
        try:
            data = orjson.dumps(entry)
        except TypeError:
            return  # a value JSON cannot hold: work on without the entry
        self._write(self._path(kind, key), data)

    def load_code(self, key: str) -> CodeType | None:
        """The bytecode stored under ``key`` (see :func:`code_key`), or None when absent or damaged."""
        try:
            raw = self._path("code", key, ".bin").read_bytes()
        except OSError:
            return None
        head = _CODE_MAGIC + key.encode()
        digest_end = len(head) + 32
        if not raw.startswith(head) or hashlib.sha256(raw[digest_end:]).digest() != raw[len(head) : digest_end]:
            return None
        try:
            code = marshal.loads(raw[digest_end:])
        except (ValueError, EOFError, TypeError):
            return None
        return code if isinstance(code, CodeType) else None

    def store_code(self, key: str, code: CodeType) -> None:
        """Keep ``code`` (marshalled, with the key and the payload's SHA-256 before it); failures are ignored."""
        payload = marshal.dumps(code)
        self._write(
            self._path("code", key, ".bin"), _CODE_MAGIC + key.encode() + hashlib.sha256(payload).digest() + payload
        )

    def _write(self, path: Path, data: bytes) -> None:
        if self.read_only:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a read-only or full disk: work on without the entry


def code_key(source: str, filename: str) -> str:
    """The key of the bytecode of ``source`` compiled as ``filename`` by this interpreter."""
    return content_key(b"code", importlib.util.MAGIC_NUMBER, filename, source)


__all__ = ["CACHE_DIR_ENV", "PREBUILT_DIR", "PackCache", "code_key", "content_key"]
