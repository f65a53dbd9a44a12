"""Derived pack data kept by digest (parsed packs, compiled plans), the C YAML loader, the code index."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from registry import yamlparse as yamlpos
from registry.errors import InputError, PackError
from registry.packs import catalog as catalog_module
from registry.packs import engine, rulepack
from registry.packs.cache import PackCache
from registry.packs.catalog import Catalog, _in_effect, _norm
from registry.packs.rulepack import RulePack, pack_from_data
from registry.resources import rulepacks_dir

NOW = datetime(2026, 6, 30, tzinfo=UTC)
AL = "example-standards-body/aluminium-ingot"


def _copy_bundled(tmp_path: Path) -> Path:
    root = tmp_path / "packs"
    for src in rulepacks_dir().rglob("*.yaml"):
        dest = root / src.relative_to(rulepacks_dir())
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())
    return root


def _entries(cache_root: Path, kind: str) -> list[Path]:
    return sorted((cache_root / kind).rglob("*.json"))


def _refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("not expected to run with a warm cache")


def test_a_warm_cache_loads_packs_without_parsing_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    cold = Catalog.from_directory(root, cache=cache)
    assert len(_entries(cache.root, "pack")) == len(cold.packs())
    monkeypatch.setattr(rulepack, "parse_pack", _refuse)
    warm = Catalog.from_directory(root, cache=cache)
    assert [(p.data, p.source) for p in warm.packs()] == [(p.data, p.source) for p in cold.packs()]
    for w, c in zip(warm.packs(), cold.packs(), strict=True):
        assert w.all_positions() == c.positions and c.positions  # loaded when first needed


def test_positions_are_parsed_again_when_their_entry_is_lost(tmp_path: Path) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    cold = Catalog.from_directory(root, cache=cache)
    for entry in _entries(cache.root, "positions"):
        entry.unlink()
    warm = Catalog.from_directory(root, cache=cache)
    assert [p.all_positions() for p in warm.packs()] == [p.positions for p in cold.packs()]


def test_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    Catalog.from_directory(root, cache=cache)
    path = root / "products" / "aluminium-ingot.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.0.1"), encoding="utf-8")
    assert Catalog.from_directory(root, cache=cache).get(f"{AL}@1.0.1").version == "1.0.1"


def test_a_warm_cache_loads_the_compiled_pack_without_compiling_cel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, core_example: dict[str, Any]
) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    example = Catalog.bundled().resolve(AL).example
    cold = Catalog.from_directory(root, cache=cache).compiled(AL).validate(example, now=NOW)
    assert len(_entries(cache.root, "compiled")) == 1
    monkeypatch.setattr(engine, "compile_plan", _refuse)
    warm = Catalog.from_directory(root, cache=cache).compiled(AL).validate(example, now=NOW)
    assert warm == cold
    broken = copy.deepcopy(core_example)
    broken["pcf"]["declaredUnitOfMeasurement"] = "liter"
    warm_bad = Catalog.from_directory(root, cache=cache).compiled(AL).validate(broken, now=NOW)
    monkeypatch.undo()
    assert warm_bad == Catalog.bundled().compiled(AL).validate(broken, now=NOW)


@pytest.mark.parametrize(
    "damage",
    [
        b"not json",
        b"{}",
        b'{"format": 2, "kind": "pack", "key": "other", "value": {}}',
        b"",
    ],
)
def test_a_damaged_entry_counts_as_absent(tmp_path: Path, damage: bytes) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    cold = Catalog.from_directory(root, cache=cache)
    for entry in _entries(cache.root, "pack"):
        entry.write_bytes(damage)
    warm = Catalog.from_directory(root, cache=cache)
    assert [p.data for p in warm.packs()] == [p.data for p in cold.packs()]


def test_an_entry_of_another_shape_counts_as_absent(tmp_path: Path) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    cold = Catalog.from_directory(root, cache=cache)
    for entry in _entries(cache.root, "pack"):
        cache.store("pack", entry.stem, {"data": {}, "positions": {}})  # e.g. written by an older layout
    warm = Catalog.from_directory(root, cache=cache)
    assert [p.data for p in warm.packs()] == [p.data for p in cold.packs()]


def test_a_kept_plan_that_does_not_load_is_compiled_again(tmp_path: Path) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    example = Catalog.bundled().resolve(AL).example
    expected = Catalog.from_directory(root, cache=cache).compiled(AL).validate(example, now=NOW)
    for bad in ({"source": "def _evaluate(:", "rules": []}, {"source": 3}, {"rules": [{"rule": 10_000}]}):
        for entry in _entries(cache.root, "compiled"):
            cache.store("compiled", entry.stem, bad)
        assert Catalog.from_directory(root, cache=cache).compiled(AL).validate(example, now=NOW) == expected


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    catalog = Catalog.from_directory(_copy_bundled(tmp_path), cache=PackCache(blocker / "cache"))
    assert catalog.compiled(AL).ref.id == AL


def test_entries_are_written_whole_by_rename(tmp_path: Path) -> None:
    cache = PackCache(tmp_path / "cache")
    cache.store("pack", "ab" * 32, {"x": 1})
    cache.store("pack", "ab" * 32, {"x": 2})  # a second writer replaces the file whole
    assert cache.load("pack", "ab" * 32) == {"x": 2}
    assert [p.name for p in (tmp_path / "cache" / "pack" / "ab").iterdir()] == ["ab" * 32 + ".json"]


def test_default_cache_folder_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCFREG_CACHE_DIR", str(tmp_path))
    found = PackCache.default()
    assert found is not None and found.root == tmp_path
    monkeypatch.setenv("PCFREG_CACHE_DIR", "")
    assert PackCache.default() is None


def test_a_bad_pack_is_reported_with_its_line_from_the_cache_too(tmp_path: Path) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    path = root / "products" / "aluminium-ingot.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("publisher:"))
    lines[at + 1] = "  id: someone-else"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(PackError) as caught:
            Catalog.from_directory(root, cache=cache)
        assert caught.value.problems[0].location.line == at + 2


def test_the_c_loader_gives_the_positions_of_the_python_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    assert yamlpos._CSafeLoader is not None  # PyYAML here is built with libyaml
    files = sorted(rulepacks_dir().rglob("*.yaml"))
    fast = [yamlpos.load_with_positions(p.read_text(encoding="utf-8")) for p in files]
    monkeypatch.setattr(yamlpos, "_CSafeLoader", None)
    assert fast == [yamlpos.load_with_positions(p.read_text(encoding="utf-8")) for p in files]


@pytest.mark.parametrize("text", ["a: 1\nb: [1, 2\n", "a: 1\n  b: 2\n", "a: 1\na: 2\n", "k: v: w\n"])
def test_the_c_loader_reports_yaml_errors_where_the_python_loader_does(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError) as fast:
        yamlpos.load_with_positions(text, file="x.yaml")
    monkeypatch.setattr(yamlpos, "_CSafeLoader", None)
    with pytest.raises(InputError) as slow:
        yamlpos.load_with_positions(text, file="x.yaml")
    assert (fast.value.location.line, fast.value.location.column) == (
        slow.value.location.line,
        slow.value.location.column,
    )


def _scan(catalog: Catalog, hs: list[str], cpc: list[str], now: datetime) -> list[str]:
    """Selection as it was before the index: every published product pack, scanned."""
    best: dict[str, RulePack] = {}
    for pack in catalog.packs():
        if pack.abstract or catalog.status_of(pack.ref) != "published" or not _in_effect(pack, now.date().isoformat()):
            continue
        scope = pack.data.get("scope", {})
        if any(_norm(c).startswith(_norm(s)) for s in scope.get("hs", []) for c in hs) or any(
            _norm(c).startswith(_norm(s)) for s in scope.get("cpc", []) for c in cpc
        ):
            best[pack.id] = pack
    return [p.ref for p in best.values()]


def test_the_code_index_selects_what_a_scan_of_every_pack_selects(catalog: Catalog) -> None:
    rng = random.Random(15)
    template = catalog.get(AL).data
    packs = list(catalog.packs())
    for i in range(60):
        data = copy.deepcopy(template)
        data["id"] = f"example-standards-body/generated-{i % 20}"
        data["version"] = f"1.{i // 20}.0"
        data["effective"] = {"from": rng.choice(["2024-01-01", "2026-01-01", "2027-01-01"])}
        data["status"] = rng.choice(["published", "published", "draft"])
        data["scope"]["hs"] = [rng.choice(["72", "7208", "7208.10", "8507", "85.07.60", "4011"])]
        data["scope"]["cpc"] = [rng.choice(["412", "41231", "4649", "36"])]
        packs.append(pack_from_data(data, source=f"generated-{i}.yaml"))
    big = Catalog(packs)
    codes = ["7208", "7208.10.00", "72", "8507 60", "85076000", "4011", "9999", "", "41231", "4649", "36111"]
    for _ in range(300):
        hs, cpc = rng.sample(codes, rng.randint(0, 2)), rng.sample(codes, rng.randint(0, 2))
        now = rng.choice([NOW, datetime(2027, 6, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)])
        assert [p.ref for p in big._by_codes(hs, cpc, now)] == _scan(big, hs, cpc, now), (hs, cpc, now)


def test_the_index_is_built_once_per_catalog(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Catalog(catalog.packs())
    built: list[int] = []
    real = catalog_module._CodeIndex

    def counting(packs: Any) -> Any:
        built.append(1)
        return real(packs)

    monkeypatch.setattr(catalog_module, "_CodeIndex", counting)
    for _ in range(5):
        fresh._by_codes(["7601"], [], NOW)
    assert built == [1]


def test_a_warm_cache_keeps_each_packs_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = _copy_bundled(tmp_path), PackCache(tmp_path / "cache")
    cold = [p.digest for p in Catalog.from_directory(root, cache=cache).packs()]
    monkeypatch.setattr(rulepack, "sha256_digest", _refuse)
    assert [p.digest for p in Catalog.from_directory(root, cache=cache).packs()] == cold
    for entry in _entries(cache.root, "pack"):  # an entry without its digest is one of another shape
        value = cache.load("pack", entry.stem)
        cache.store("pack", entry.stem, {"data": value["data"]})
    monkeypatch.undo()
    assert [p.digest for p in Catalog.from_directory(root, cache=cache).packs()] == cold
