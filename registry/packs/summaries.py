"""A folder's pack summaries (what ``pcfreg packs list`` shows), kept in the pack cache by its files' digests.

Listing 500 packs from their cached entries still read and decoded every pack's whole data (about
30 KB of JSON each) to show a line per pack. A folder's summaries are one small entry instead,
keyed by the SHA-256 of each of its pack files' bytes and their names (hashing 15 MB of packs
costs about 10 ms): a file added, removed, renamed or changed gives another key, and the
summaries are made again from the packs (parsed or from their own cache entries) and stored.
Only ``cache.py`` and the standard library load on the way (no catalog, engine or schema checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeGuard

from registry.errors import Location, PackError
from registry.packs.cache import PackCache, content_key
from registry.resources import rulepacks_dir
from registry.semver import precedence

PACK_SUFFIXES = (".yaml", ".yml", ".json")
KIND = "summaries"
SHOWN = ("id", "version", "title", "status", "hs", "cpc", "extends", "abstract")  # RulePack.summary()
_FIELDS = (*SHOWN, "digest")


def pack_files(root: Path) -> list[Path]:
    """The pack files of a folder (and its subfolders), in name order."""
    return sorted(p for p in root.rglob("*") if p.suffix in PACK_SUFFIXES and p.is_file())


def folder_summaries(root: Path, cache: PackCache | None) -> list[dict[str, Any]]:
    """``RulePack.summary()`` of every pack in ``root``, each with its ``digest`` and ``source`` (the file),
    in file order."""
    files = pack_files(root)
    names = [p.relative_to(root).as_posix() for p in files]
    if cache is None:
        return _made(root, files, names, None)
    key = content_key(
        KIND.encode(), *(f"{n}\0{content_key(p.read_bytes())}" for n, p in zip(names, files, strict=True))
    )
    stored = cache.load(KIND, key)
    if _fits(stored, names):
        return [{**s, "source": str(root / name)} for s, name in zip(stored, names, strict=True)]
    made = _made(root, files, names, cache)
    cache.store(KIND, key, [{k: s[k] for k in _FIELDS} for s in made])
    return made


def summaries_key(root: Path, files: list[Path]) -> str:
    """The key of a folder's summaries: each file's name (relative to ``root``) and the digest of its bytes."""
    parts = (f"{path.relative_to(root).as_posix()}\0{content_key(path.read_bytes())}" for path in files)
    return content_key(KIND.encode(), *parts)


def _made(root: Path, files: list[Path], names: list[str], cache: PackCache | None) -> list[dict[str, Any]]:
    """The summaries from the packs themselves (a broken pack raises its error, as loading it would)."""
    from registry.packs.rulepack import load_pack_file

    out = []
    for path, name in zip(files, names, strict=True):
        pack = load_pack_file(path, cache)
        out.append({**pack.summary(), "digest": pack.digest, "source": str(root / name)})
    return out


def _fits(stored: Any, names: list[str]) -> TypeGuard[list[dict[str, Any]]]:
    return (
        isinstance(stored, list)
        and len(stored) == len(names)
        and all(isinstance(s, dict) and all(k in s for k in _FIELDS) for s in stored)
    )


def catalog_summaries(folders: Iterable[Path], cache: PackCache | None) -> list[dict[str, Any]]:
    """The summaries of the bundled packs and those of ``folders``, ordered as :meth:`Catalog.packs`
    (by id, then version precedence); a version defined twice is refused as :class:`Catalog` refuses it."""
    seen: dict[str, dict[str, Any]] = {}
    for folder in [rulepacks_dir(), *folders]:
        for s in folder_summaries(folder, cache):
            ref = f"{s['id']}@{s['version']}"
            if ref in seen:
                other = seen[ref]["source"]
                raise PackError(f"{ref} is defined twice (also in {other})", Location(s["source"]))
            seen[ref] = s
    return sorted(seen.values(), key=lambda s: (s["id"], precedence(s["version"])))


__all__ = ["KIND", "PACK_SUFFIXES", "SHOWN", "catalog_summaries", "folder_summaries", "pack_files", "summaries_key"]
