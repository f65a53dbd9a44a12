"""What ``pcfreg packs list`` shows, kept per folder by its files' digests (registry/packs/summaries.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from registry.errors import InputError, PackError
from registry.packs import rulepack
from registry.packs.cache import PackCache
from registry.packs.catalog import Catalog
from registry.packs.summaries import catalog_summaries, folder_summaries
from registry.resources import rulepacks_dir
from registry.yamlpos import dump_yaml, load_with_positions

TEMPLATE = "products/aluminium-ingot.yaml"


def _generated(folder: Path, count: int, *, start: int = 0) -> None:
    template, _ = load_with_positions((rulepacks_dir() / TEMPLATE).read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        data = dict(template)
        data["id"] = f"example-standards-body/generated-{i:04d}"
        data["title"] = {"en": f"Generated {i}", "zh": f"生成 {i}"}
        data["scope"] = {**template["scope"], "hs": [f"98{i:04d}"], "cpc": [f"9{i:04d}"]}
        (folder / f"generated-{i:04d}.yaml").write_text(dump_yaml(data), encoding="utf-8")


def _expected(folders: list[Path]) -> list[dict[str, Any]]:
    packs = Catalog.bundled().packs()
    for folder in folders:
        packs += Catalog.from_directory(folder).packs()
    return [{**p.summary(), "digest": p.digest, "source": p.source} for p in Catalog(packs).packs()]


def _refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("not expected to load a pack with the summaries stored")


def test_the_summaries_are_the_catalogs_in_its_order(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    _generated(extra, 3)
    cache = PackCache(tmp_path / "cache")
    assert catalog_summaries([extra], cache) == _expected([extra])
    assert catalog_summaries([extra], None) == _expected([extra])


def test_stored_summaries_are_read_without_loading_a_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "extra"
    _generated(extra, 3)
    cache = PackCache(tmp_path / "cache")
    first = catalog_summaries([extra], cache)
    monkeypatch.setattr(rulepack, "load_pack_file", _refuse)
    assert catalog_summaries([extra], cache) == first


def test_a_changed_added_or_removed_file_is_seen(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    _generated(extra, 2)
    cache = PackCache(tmp_path / "cache")
    folder_summaries(extra, cache)
    changed = extra / "generated-0000.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Generated 0", "Renamed 0"), encoding="utf-8")
    assert folder_summaries(extra, cache)[0]["title"]["en"] == "Renamed 0"
    _generated(extra, 1, start=7)
    assert [s["id"][-4:] for s in folder_summaries(extra, cache)] == ["0000", "0001", "0007"]
    (extra / "generated-0001.yaml").unlink()
    assert [s["id"][-4:] for s in folder_summaries(extra, cache)] == ["0000", "0007"]
    assert catalog_summaries([extra], cache) == _expected([extra])


def test_a_renamed_file_is_named_where_it_is_now(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    _generated(extra, 1)
    cache = PackCache(tmp_path / "cache")
    folder_summaries(extra, cache)
    (extra / "generated-0000.yaml").rename(extra / "moved.yaml")
    assert folder_summaries(extra, cache)[0]["source"] == str(extra / "moved.yaml")


def test_a_version_defined_twice_is_refused_as_the_catalog_refuses_it(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    _generated(one, 1)
    _generated(two, 1)
    cache = PackCache(tmp_path / "cache")
    with pytest.raises(PackError) as caught:
        catalog_summaries([one, two], cache)
    with pytest.raises(PackError) as expected:
        Catalog([*Catalog.from_directory(one).packs(), *Catalog.from_directory(two).packs()])
    assert str(caught.value) == str(expected.value)
    assert str(one / "generated-0000.yaml") in str(caught.value)


def test_a_broken_pack_is_reported_and_nothing_is_stored(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    _generated(extra, 1)
    (extra / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    cache = PackCache(tmp_path / "cache")
    with pytest.raises(InputError, match=r"broken\.yaml, line 2"):
        folder_summaries(extra, cache)
    assert not (cache.root / "summaries").exists()
