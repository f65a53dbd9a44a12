"""``pcfreg orgs create --kind regulator --jurisdiction ...`` and migration 0007's backfill of regions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from registry import cli
from registry.service.supervision import create_regulator, jurisdiction_of
from registry.storage.db import downgrade, make_engine, migrate, session_scope
from registry.storage.settings import StorageSettings, database_url_for


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli.main, list(args))
    assert "Traceback" not in (result.output + (result.stderr or ""))
    return result


def test_the_operator_creates_a_regulator_with_its_jurisdiction(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    made = run("orgs", "create", "samr-gd", "--name", "SAMR Guangdong", "--kind", "regulator",
               "--jurisdiction", "cn-gd", "--jurisdiction", "CN-GZ", "--data-dir", data)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "created regulator samr-gd for CN-GD, CN-GZ" in made.stdout
    assert "samr-gd  regulator  SAMR Guangdong" in run("orgs", "list", "--data-dir", data).stdout
    engine = make_engine(database_url_for(StorageSettings(data_dir=Path(data))))
    with session_scope(engine, write=False) as s:
        assert jurisdiction_of(s, "samr-gd") == ("CN-GD", "CN-GZ")
    cred = run("credentials", "create", "--org", "samr-gd", "--data-dir", data)
    assert cred.exit_code == 0 and "client_secret" in cred.stdout


def test_a_regulator_needs_a_valid_jurisdiction_and_no_one_else_has_one(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    none = run("orgs", "create", "reg", "--name", "R", "--kind", "regulator", "--data-dir", data)
    assert none.exit_code == 2 and "jurisdiction" in none.stderr
    bad = run(
        "orgs", "create", "reg", "--name", "R", "--kind", "regulator", "--jurisdiction", "Mars", "--data-dir", data
    )
    assert bad.exit_code == 2 and "'Mars' is not an ISO 3166-1" in bad.stderr
    other = run("orgs", "create", "c", "--name", "C", "--kind", "certifier", "--jurisdiction", "CN", "--data-dir", data)
    assert other.exit_code == 2 and "only a regulator has a jurisdiction" in other.stderr
    assert run("orgs", "list", "--data-dir", data).stdout.strip() == ""  # nothing half-made


def test_migration_0007_gives_stored_records_their_region(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine, "0007_i12_finish_label_recalc")
    cn = json.dumps({"pcf": {"geographyCountry": "CN"}})
    gd = json.dumps({"pcf": {"geographyCountrySubdivision": "CN-GD", "geographyCountry": "CN"}})
    eu = json.dumps({"pcf": {"geographyRegionOrSubregion": "Europe"}})
    at = "2026-01-01 00:00:00.000000+00:00"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO organisation VALUES ('c', 'C', 'certifier', '{at}')"))
        for i, doc in enumerate((cn, gd, eu)):
            conn.execute(
                text(
                    "INSERT INTO validation (id, org_id, pack_id, pack_version, pack_digest, conformant, result,"
                    " declaration, declaration_digest, created_at) VALUES (:id, 'c', 'p', '1', 'd', 1, '{}', :doc,"
                    " 'd', :at)"
                ),
                {"id": f"v{i}", "doc": doc, "at": at},
            )
        conn.execute(
            text(
                "INSERT INTO audit (id, certifier_id, digest, record, declaration, declaration_digest, pack_id,"
                " pack_version, pack_digest, created_at) VALUES ('a', 'c', 'd', '{}', :doc, 'd', 'p', '1', 'd', :at)"
            ),
            {"doc": gd, "at": at},
        )
    migrate(engine)
    with engine.connect() as conn:
        regions: dict[str, str | None] = dict(conn.execute(text("SELECT id, region FROM validation")).tuples().all())
        audit = conn.execute(text("SELECT region FROM audit")).scalar_one()
    assert regions == {"v0": "CN", "v1": "CN-GD", "v2": None} and audit == "CN-GD"
    with session_scope(engine) as s:  # the widened CHECK takes a regulator, beside rows that point at orgs
        create_regulator(s, "reg", "R", ["CN"], now=datetime.now(UTC))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    downgrade(engine, "0007_i12_finish_label_recalc")  # regulators go, and the narrower CHECK is back
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM organisation")).scalars().all() == ["c"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(f"INSERT INTO organisation VALUES ('r', 'R', 'regulator', '{at}')"))


def test_each_kind_revision_keeps_the_kinds_of_the_others(tmp_path: Path) -> None:
    """0008 adds the regulator and 0011 the accreditation body to the same CHECK, each reading the kinds
    already there: up to the head both stand, and stepping down removes only each revision's own."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)

    def check() -> str:
        with engine.connect() as conn:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'organisation'")).scalar_one()
        return str(sql)

    assert "'admin', 'regulator', 'accreditation-body')" in check()
    downgrade(engine, "0010_i16_client_requests")
    assert "'admin', 'regulator')" in check()
    downgrade(engine, "0007_i12_finish_label_recalc")
    assert "'admin')" in check()
