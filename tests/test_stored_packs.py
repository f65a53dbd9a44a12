"""The packs a registry process reads from its database (registry/service/packs.py StoredPacks), and
publishing the bundled and --packs-dir packs at start-up by their folders' summaries (bootstrap)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from registry.errors import InputError
from registry.packs import Catalog
from registry.service import bootstrap
from registry.service.packs import StoredPacks
from registry.storage.db import make_engine, session_scope
from registry.storage.models import RulePackVersion
from registry.storage.settings import StorageSettings, database_url_for
from registry.yamlpos import dump_yaml

NOW = datetime(2026, 6, 30, tzinfo=UTC)
AL = "example-standards-body/aluminium-ingot"


def _pack_file(folder: Path, pack_id: str, hs: str) -> Path:
    data = copy.deepcopy(Catalog.bundled().get(AL).data)
    data["id"] = pack_id
    data["publisher"]["id"] = pack_id.split("/", 1)[0]
    data["scope"]["hs"], data["scope"]["cpc"] = [hs], [f"9{hs[-4:]}"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pack_id.rsplit('/', 1)[1]}.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StorageSettings:
    for name in ("DATABASE_URL", "PCFREG_DATA_DIR", "PCFREG_PACKS_DIR"):
        monkeypatch.delenv(name, raising=False)
    return StorageSettings(data_dir=tmp_path / "data")


def _stored(engine: object) -> dict[str, tuple[dict[str, object], str]]:
    with session_scope(engine, write=False) as s:  # type: ignore[arg-type]
        rows = s.exec(select(RulePackVersion)).all()
        return {f"{r.pack_id}@{r.version}": (r.content, r.status.value) for r in rows}


def _seen(catalog: Catalog) -> dict[str, tuple[dict[str, object], str]]:
    return {p.ref: (p.data, catalog.status_of(p.ref)) for p in catalog.packs()}


def test_stored_packs_are_every_row_and_new_rows_are_read_on_refresh(settings: StorageSettings, tmp_path: Path) -> None:
    bootstrap.init_data_dir(settings, now=NOW)
    engine = make_engine(database_url_for(settings))
    packs = StoredPacks(engine, ttl=0)
    assert _seen(packs.catalog()) == _stored(engine)
    extra = _pack_file(tmp_path / "extra", "example-standards-body/stored-one", "980011").parent
    key = (settings.data_dir / "secrets").glob("example-standards-body*.pem")
    added = bootstrap.publish_bundled(engine, next(iter(key)).read_bytes(), now=NOW, extra_folders=[extra])
    assert [ref.split("@")[0] for ref in added] == ["example-standards-body/stored-one"]
    again = packs.catalog()
    assert _seen(again) == _stored(engine)
    assert str(again.get("example-standards-body/stored-one").source).startswith("registry:")


def test_init_publishes_only_what_is_not_stored_and_refuses_a_foreign_pack(
    settings: StorageSettings, tmp_path: Path
) -> None:
    extra = tmp_path / "extra"
    _pack_file(extra, "example-standards-body/stored-two", "980012")
    first = bootstrap.init_data_dir(settings, now=NOW, extra_folders=[extra])
    assert any(ref.startswith("example-standards-body/stored-two@") for ref in first.published)
    assert bootstrap.init_data_dir(settings, now=NOW, extra_folders=[extra]).published == []
    foreign = _pack_file(tmp_path / "foreign", "someone-else/ingot", "980013")
    with pytest.raises(InputError, match=r"someone-else/ingot@.* is not a pack of example-standards-body") as caught:
        bootstrap.init_data_dir(settings, now=NOW, extra_folders=[foreign.parent])
    assert str(foreign) in str(caught.value)


def test_a_pack_compiled_for_a_batch_is_refused_once_it_is_withdrawn(settings: StorageSettings) -> None:
    """The compiled pack is kept per catalog for the labels of a batch; a status moved in the database
    builds a new catalog, and the kept answer is not given from the old one."""
    from registry.storage.models import PackStatus

    bootstrap.init_data_dir(settings, now=NOW)
    engine = make_engine(database_url_for(settings))
    packs = StoredPacks(engine, ttl=0)
    first = packs.compiled(AL, on=NOW.date())
    assert packs.compiled(AL, on=NOW.date()) is first  # kept
    with session_scope(engine) as s:
        for row in s.exec(select(RulePackVersion).where(RulePackVersion.pack_id == AL)).all():
            row.status = PackStatus.WITHDRAWN
            s.add(row)
    with pytest.raises(InputError, match="withdrawn"):
        packs.compiled(AL, on=NOW.date())
