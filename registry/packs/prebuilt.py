"""The cache entries of the bundled packs, prebuilt and shipped read-only in ``registry/_prebuilt/packs``.

Every command's user cache falls back to them (:meth:`PackCache.prebuilt`), so the first command
after installing neither parses nor compiles a bundled pack. They are ordinary entries, found by
the same keys (the pack files' bytes, the packs' digests, the deriving code's source, the program's
version): an entry that does not fit the installed code and packs is never found, and the command
falls back to parsing and compiling. Bytecode entries are left out (they belong to one interpreter).

Regenerate after changing a bundled pack, the rule pack schema, the version, or the parser, pack
checks or CEL compiler (``tests/test_pack_prebuilt.py`` fails until then)::

    python -m registry.packs.prebuilt
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from registry.packs.cache import PREBUILT_DIR, PackCache, content_key
from registry.packs.catalog import Catalog
from registry.packs.summaries import KIND, PACK_SUFFIXES, folder_summaries, pack_files, summaries_key
from registry.resources import rulepacks_dir


def build(root: Path = PREBUILT_DIR) -> list[Path]:
    """Write the entries of every bundled pack (parsed, positions, compiled) and of the bundled folder's
    summaries afresh under ``root``."""
    shutil.rmtree(root, ignore_errors=True)
    cache = PackCache(root)
    catalog = Catalog.bundled(cache=cache)
    for pack in catalog.packs():
        catalog.compiled(pack.ref)
    folder_summaries(rulepacks_dir(), cache)  # what pcfreg packs list and init read of the bundled folder
    shutil.rmtree(root / "code", ignore_errors=True)  # bytecode is the interpreter's own: not shipped
    return sorted(root.rglob("*.json"))


def expected_entries() -> set[str]:
    """The paths (relative to the prebuilt folder) of the entries the bundled packs need now."""
    catalog = Catalog.bundled()
    out: set[str] = set()
    for path in sorted(rulepacks_dir().rglob("*")):
        if path.suffix in PACK_SUFFIXES and path.is_file():
            key = content_key(path.read_bytes())
            out |= {f"{kind}/{key[:2]}/{key}.json" for kind in ("pack", "positions")}
    for pack in catalog.packs():
        chain = catalog.resolve(pack.ref).chain
        key = content_key(*(catalog.get(ref).digest for ref in chain))
        out.add(f"compiled/{key[:2]}/{key}.json")
    key = summaries_key(rulepacks_dir(), pack_files(rulepacks_dir()))
    out.add(f"{KIND}/{key[:2]}/{key}.json")
    return out


def main() -> int:
    written = build()
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} entries ({size / 1024:,.0f} KiB) to {PREBUILT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
