"""The shipped entries of the bundled packs (registry/_prebuilt), the bytecode cache, and the keys' cover
of the code that derives what is cached (issue 15: a cold command parses and compiles no bundled pack)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from registry.packs import cache as cache_module
from registry.packs import engine, rulepack
from registry.packs.cache import PREBUILT_DIR, PackCache, code_key, content_key
from registry.packs.catalog import Catalog
from registry.packs.prebuilt import expected_entries
from registry.resources import rulepacks_dir

NOW = datetime(2026, 6, 30, tzinfo=UTC)
AL = "example-standards-body/aluminium-ingot"
REGENERATE = "the prebuilt entries are stale: run python -m registry.packs.prebuilt and commit registry/_prebuilt"


def _refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("not expected to run: the prebuilt entries should serve")


def _shipped() -> set[str]:
    return {str(p.relative_to(PREBUILT_DIR)) for p in PREBUILT_DIR.rglob("*") if p.is_file()}


def test_the_prebuilt_entries_are_those_of_the_bundled_packs_and_this_code() -> None:
    assert _shipped() == expected_entries(), REGENERATE


def test_a_prebuilt_compiled_entry_is_what_compiling_gives(tmp_path: Path) -> None:
    fresh = PackCache(tmp_path / "cache")
    catalog = Catalog.bundled(cache=fresh)
    catalog.compiled(AL)
    built = sorted((fresh.root / "compiled").rglob("*.json"))
    assert len(built) == 1
    assert built[0].read_bytes() == (PREBUILT_DIR / built[0].relative_to(fresh.root)).read_bytes()
    for kind in ("pack", "positions"):
        for entry in (fresh.root / kind).rglob("*.json"):
            assert entry.read_bytes() == (PREBUILT_DIR / entry.relative_to(fresh.root)).read_bytes()


def test_an_empty_user_cache_parses_and_compiles_no_bundled_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, core_example: dict[str, Any]
) -> None:
    expected = Catalog.bundled().compiled(AL).validate(core_example, now=NOW)
    parsed = [p.data for p in Catalog.bundled().packs()]
    monkeypatch.setattr(rulepack, "parse_pack", _refuse)
    monkeypatch.setattr(engine, "compile_plan", _refuse)
    user = PackCache(tmp_path / "cache", fallback=PackCache.prebuilt())
    catalog = Catalog.bundled(cache=user)
    assert catalog.compiled(AL).validate(core_example, now=NOW) == expected
    assert [p.data for p in catalog.packs()] == parsed
    assert not (user.root / "pack").exists() and not (user.root / "compiled").exists()  # read from the prebuilt
    assert len(list((user.root / "code").rglob("*.bin"))) == 1  # the bytecode is this interpreter's own: kept


def test_the_default_cache_falls_back_to_the_prebuilt_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCFREG_CACHE_DIR", str(tmp_path))
    found = PackCache.default()
    assert found is not None and found.fallback is not None and found.fallback.root == PREBUILT_DIR
    monkeypatch.setenv("PCFREG_CACHE_DIR", "")
    assert PackCache.default() is None  # no cache at all: every pack parsed and compiled


def _copy_prebuilt(tmp_path: Path) -> PackCache:
    root = tmp_path / "prebuilt"
    shutil.copytree(PREBUILT_DIR, root)
    return PackCache(root, read_only=True)


def test_a_damaged_prebuilt_entry_is_rebuilt_into_the_user_cache(tmp_path: Path, core_example: dict[str, Any]) -> None:
    expected = Catalog.bundled().compiled(AL).validate(core_example, now=NOW)
    prebuilt = _copy_prebuilt(tmp_path)
    for entry in [*(prebuilt.root / "compiled").rglob("*.json"), *(prebuilt.root / "pack").rglob("*.json")]:
        entry.write_bytes(entry.read_bytes()[:-40])  # cut short
    before = {p: p.read_bytes() for p in prebuilt.root.rglob("*.json")}
    user = PackCache(tmp_path / "cache", fallback=prebuilt)
    assert Catalog.bundled(cache=user).compiled(AL).validate(core_example, now=NOW) == expected
    assert len(list((user.root / "compiled").rglob("*.json"))) == 1
    assert len(list((user.root / "pack").rglob("*.json"))) == len(list(rulepacks_dir().rglob("*.yaml")))
    assert {p: p.read_bytes() for p in prebuilt.root.rglob("*.json")} == before  # read-only: never written


def test_a_user_entry_wins_over_the_prebuilt_one(tmp_path: Path) -> None:
    prebuilt = PackCache(tmp_path / "prebuilt")
    prebuilt.store("pack", "ab" * 32, {"from": "prebuilt"})
    user = PackCache(tmp_path / "cache", fallback=PackCache(prebuilt.root, read_only=True))
    assert user.load("pack", "ab" * 32) == {"from": "prebuilt"}
    user.store("pack", "ab" * 32, {"from": "user"})
    assert user.load("pack", "ab" * 32) == {"from": "user"}
    user.fallback.store("pack", "cd" * 32, {"x": 1})  # type: ignore[union-attr]
    assert not (prebuilt.root / "pack" / "cd").exists()


def test_keys_cover_the_code_that_derives_the_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "compiler.py"
    source.write_text("A = 1\n")
    real = cache_module._deriving_sources()
    monkeypatch.setattr(cache_module, "_deriving_sources", lambda: [*real, source])
    cache_module._salt.cache_clear()
    try:
        before = content_key(b"pack bytes")
        source.write_text("A = 2\n")
        cache_module._salt.cache_clear()
        assert content_key(b"pack bytes") != before
    finally:
        cache_module._salt.cache_clear()
    names = {p.name for p in real}
    assert {"entry.py", "cse.py", "engine.py", "rulepack.py", "yamlpos.py", "cel.lark"} <= names


def test_the_bytecode_of_a_compiled_pack_is_kept_and_checked(tmp_path: Path, core_example: dict[str, Any]) -> None:
    expected = Catalog.bundled().compiled(AL).validate(core_example, now=NOW)
    user = PackCache(tmp_path / "cache", fallback=PackCache.prebuilt())
    Catalog.bundled(cache=user).compiled(AL)
    (entry,) = (user.root / "code").rglob("*.bin")
    assert user.load_code(entry.stem) is not None
    raw = bytearray(entry.read_bytes())
    raw[-5] ^= 0xFF  # one flipped byte in the payload: its SHA-256 no longer fits
    entry.write_bytes(bytes(raw))
    assert user.load_code(entry.stem) is None
    assert Catalog.bundled(cache=user).compiled(AL).validate(core_example, now=NOW) == expected
    assert user.load_code(entry.stem) is not None  # compiled again and rewritten whole
    entry.write_bytes(b"pcfreg-code\n" + entry.stem.encode())  # truncated
    assert user.load_code(entry.stem) is None
    assert user.load_code("0" * 64) is None


def test_the_bytecode_key_covers_source_and_name() -> None:
    assert code_key("x = 1", "<pack a@1.0.0>") != code_key("x = 2", "<pack a@1.0.0>")
    assert code_key("x = 1", "<pack a@1.0.0>") != code_key("x = 1", "<pack a@1.0.1>")


def test_two_processes_filling_one_cache_leave_whole_entries(tmp_path: Path, core_example: dict[str, Any]) -> None:
    packs = tmp_path / "packs"
    shutil.copytree(rulepacks_dir(), packs)
    for path in packs.rglob("*.yaml"):  # other bytes than the bundled files: nothing prebuilt fits them
        path.write_text(path.read_text(encoding="utf-8") + "\n# a copy\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from registry.packs import Catalog, PackCache
        cache = PackCache(Path({str(tmp_path / "cache")!r}))
        for _ in range(3):
            Catalog.from_directory(Path({str(packs)!r}), cache=cache).compiled({AL!r})
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-2000:]
    cache = PackCache(tmp_path / "cache")
    assert not list(cache.root.rglob(".tmp-*"))
    for kind in ("pack", "positions", "compiled"):
        entries = list((cache.root / kind).rglob("*.json"))
        assert entries and all(cache.load(kind, e.stem) is not None for e in entries)
    (code,) = (cache.root / "code").rglob("*.bin")
    assert cache.load_code(code.stem) is not None
    expected = Catalog.bundled().compiled(AL).validate(core_example, now=NOW)
    assert Catalog.from_directory(packs, cache=cache).compiled(AL).validate(core_example, now=NOW) == expected
