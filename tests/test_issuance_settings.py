"""Where the label service finds its keys and public address."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from registry.errors import InputError
from registry.packs.signing import generate_keypair, load_private_key, public_jwk
from registry.service.labels import REGISTRY_KEY_FILE, load_settings


def test_made_once_in_the_data_dir_and_kept(tmp_path: Path) -> None:
    first = load_settings(tmp_path, env={})
    again = load_settings(tmp_path, env={})
    assert first.master_key == again.master_key and len(first.master_key) == 32
    assert public_jwk(first.registry_key.public_key()) == public_jwk(again.registry_key.public_key())
    assert (tmp_path / REGISTRY_KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert first.public_url == "http://localhost:8000" and first.issuer == "localhost"


def test_from_the_environment(tmp_path: Path) -> None:
    pem, jwk = generate_keypair()
    key_file = tmp_path / "shared-registry.pem"
    key_file.write_bytes(pem)
    key_file.chmod(0o600)  # a secret file others may read is refused (issue 10)
    master = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    env = {
        "PCFREG_REGISTRY_KEY_FILE": str(key_file),
        "PCFREG_MASTER_KEY": master,
        "PCFREG_PUBLIC_URL": "https://labels.example.org",
    }
    settings = load_settings(tmp_path / "data", env=env)
    assert public_jwk(settings.registry_key.public_key())["kid"] == jwk["kid"]
    assert settings.status_base == "https://labels.example.org/v1/status" and settings.issuer == "labels.example.org"
    assert not (tmp_path / "data" / REGISTRY_KEY_FILE).exists()
    assert public_jwk(load_private_key(pem).public_key()) == public_jwk(settings.registry_key.public_key())


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PCFREG_REGISTRY_KEY_FILE": "/nonexistent/key.pem"}, "not a file"),
        ({"PCFREG_PUBLIC_URL": "ftp://x"}, "http"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_settings(tmp_path, env=env)


def test_production_mode_is_read_from_its_variable(tmp_path: Path) -> None:
    """Issue 13: PCFREG_MODE=production makes the registry refuse illustrative grades; anything but the two
    modes is refused by name."""
    key = {"PCFREG_MASTER_KEY": base64.urlsafe_b64encode(bytes(32)).decode().rstrip("=")}
    assert load_settings(tmp_path, key).production is False
    assert load_settings(tmp_path, {**key, "PCFREG_MODE": "production"}).production is True
    # production also requires every certifier to be accredited, with or without an accreditation body
    assert load_settings(tmp_path, {**key, "PCFREG_MODE": "production"}).require_accreditation is True
    assert load_settings(tmp_path, key).require_accreditation is False
    assert load_settings(tmp_path, {**key, "PCFREG_MODE": "Development"}).production is False
    with pytest.raises(InputError, match="PCFREG_MODE"):
        load_settings(tmp_path, {**key, "PCFREG_MODE": "prod"})
