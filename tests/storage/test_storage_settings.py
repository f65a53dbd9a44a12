from __future__ import annotations

from pathlib import Path

import pytest

from registry.errors import InputError
from registry.storage.settings import StorageSettings, database_url_for, normalise_url


def test_default_is_sqlite_file_in_data_dir(tmp_path: Path) -> None:
    url = database_url_for(StorageSettings(data_dir=tmp_path), environ={})
    assert url == f"sqlite:///{tmp_path.resolve()}/pcfreg.db"


def test_env_database_url_postgresql_gets_psycopg3(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql://reg:pw@db.example:5432/reg"}
    assert database_url_for(StorageSettings(data_dir=tmp_path), environ=env) == (
        "postgresql+psycopg://reg:pw@db.example:5432/reg"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////var/lib/pcfreg/x.db", "sqlite:////var/lib/pcfreg/x.db"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


@pytest.mark.parametrize("raw", ["mysql://u:secret@h/d", "postgresql+psycopg2://u@h/d", "not a url"])
def test_unsupported_url_is_input_error_without_password(raw: str) -> None:
    with pytest.raises(InputError) as info:
        normalise_url(raw)
    assert "secret" not in str(info.value)


def test_explicit_setting_wins_over_env(tmp_path: Path) -> None:
    settings = StorageSettings(data_dir=tmp_path, database_url="postgresql://a@h/explicit")
    env = {"DATABASE_URL": "postgresql://a@h/from-env"}
    assert database_url_for(settings, environ=env).endswith("/explicit")


def test_from_env(tmp_path: Path) -> None:
    settings = StorageSettings.from_env({"PCFREG_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@h/d"})
    assert settings.data_dir == tmp_path
    assert database_url_for(settings, environ={}) == "postgresql+psycopg://u@h/d"
    assert StorageSettings.from_env({}, default_data_dir=tmp_path).database_url is None
