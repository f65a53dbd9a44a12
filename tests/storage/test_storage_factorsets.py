"""Factor sets in the registry: publish (signed, meta-checked), immutability, withdraw, dates, search, diff.

registry/service/factors.py over registry/storage/factorsets.py, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import importlib.util
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from storage_support import NOW, add_org

from registry.errors import InputError, NotPermitted
from registry.factors import MetaCheckFailed, factor_set_from_data, load_factor_set_file, sign_factor_set
from registry.packs import generate_keypair
from registry.resources import factorsets_dir
from registry.service import factors as service
from registry.service.packs import VersionConflict
from registry.service.principal import Principal
from registry.signed import BadSignature, SignatureError
from registry.storage import factorsets as store
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import FactorRow, FactorSetVersion, PackStatus, PublisherKeyCreate


def _factors_conftest() -> Any:
    path = Path(__file__).resolve().parent.parent / "factors" / "factor_support.py"
    spec = importlib.util.spec_from_file_location("factors_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


small_set_document = _factors_conftest().small_set_document

KEY, JWK = generate_keypair(publisher="test-body")
REG_KEY, REG_JWK = generate_keypair(publisher="pcf-registry")
BODY = Principal(org_id="test-body", kind="standards-body", client_id="c", via="token")
REGISTRY = Principal(org_id="pcf-registry", kind="standards-body", client_id="c", via="token")
AR6 = factorsets_dir() / "ipcc-ar6-gwp100" / "1.0.0.json"


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(small_set_document())
    doc.update(changes)
    return doc


def _envelope(doc: dict[str, Any], key: bytes = KEY, signer: str = "test-body") -> dict[str, Any]:
    return sign_factor_set(factor_set_from_data(doc), key, signer)


@pytest.fixture
def ready(engine: Engine) -> Engine:
    """Two publishers with keys, and the AR6 table the small set cites already published."""
    with session_scope(engine) as s:
        for org, jwk in (("test-body", JWK), ("pcf-registry", REG_JWK)):
            add_org(s, org)
            repo.add_publisher_key(s, PublisherKeyCreate(keyid=jwk["kid"], org_id=org, public_jwk=jwk), now=NOW)
    ar6 = sign_factor_set(load_factor_set_file(AR6), REG_KEY, "pcf-registry")
    with session_scope(engine) as s:
        assert service.publish(s, REGISTRY, ar6, now=NOW).created
    return engine


def _publish(engine: Engine, envelope: dict[str, Any], who: Principal = BODY) -> service.PublishOutcome:
    with session_scope(engine) as s:
        return service.publish(s, who, envelope, now=NOW)


def _count(engine: Engine) -> tuple[int, int]:
    with session_scope(engine, write=False) as s:
        versions = s.execute(select(func.count()).select_from(FactorSetVersion)).scalar_one()
        factors = s.execute(select(func.count()).select_from(FactorRow)).scalar_one()
    return versions, factors


def test_publish_stores_the_set_its_envelope_and_its_factors(ready: Engine) -> None:
    envelope = _envelope(_doc())
    outcome = _publish(ready, envelope)
    assert outcome.created and outcome.diff is None
    with session_scope(ready, write=False) as s:
        row = service.get_version(s, "test-body/fuels", "1.0.0")
        assert row.envelope == envelope and row.digest == envelope["digest"] and row.records == 2
        assert service.row_set(row).to_json() == _doc()
        _, factor = service.factor_of(s, "test-body/fuels", "1.0.0", "grid-north")
        assert factor["value"] == "0.6"
    assert _count(ready) == (2, 37 + 2)


def test_same_content_again_is_a_no_op_other_content_is_a_conflict(ready: Engine) -> None:
    _publish(ready, _envelope(_doc()))
    assert not _publish(ready, _envelope(_doc())).created
    changed = _doc()
    changed["records"][1]["value"] = "0.61"
    with pytest.raises(VersionConflict) as info:
        _publish(ready, _envelope(changed))
    assert info.value.stored_digest != info.value.digest
    with session_scope(ready, write=False) as s:
        assert service.row_set(service.get_version(s, "test-body/fuels", "1.0.0")).to_json() == _doc()


def test_a_set_failing_its_meta_check_is_never_published(ready: Engine) -> None:
    broken = _doc()
    broken["records"][0]["value"] = "0.3"  # no longer the gases times their GWP
    with pytest.raises(MetaCheckFailed) as info:
        _publish(ready, _envelope(broken))
    assert info.value.location.pointer == "/factorSet/records/0/value"
    assert "factorset.gwp.sum" in {f.rule_id for f in info.value.findings}
    assert info.value.to_dict()["findings"]
    assert _count(ready) == (1, 37)


def test_a_set_whose_licence_forbids_publication_is_never_published(ready: Engine) -> None:
    doc = _doc(licence={"name": "Private terms", "redistributable": False})
    with pytest.raises(MetaCheckFailed) as info:
        _publish(ready, _envelope(doc))
    assert [f.rule_id for f in info.value.findings] == ["factorset.licence.not-redistributable"]
    assert _count(ready) == (1, 37)


def test_a_set_citing_an_unpublished_gwp_table_is_refused(ready: Engine) -> None:
    with pytest.raises(MetaCheckFailed) as info:
        _publish(ready, _envelope(_doc(gwp="pcf-registry/ipcc-ar5-gwp100@1.0.0")))
    assert info.value.location.pointer == "/factorSet/gwp"


def test_signatures_and_rights_are_checked_before_anything_is_stored(ready: Engine) -> None:
    tampered = _envelope(_doc())
    tampered["signatures"][0]["sig"] = _envelope(_doc(), REG_KEY, "test-body")["signatures"][0]["sig"]
    with pytest.raises(SignatureError):
        _publish(ready, tampered)
    other, _ = generate_keypair()
    with pytest.raises(SignatureError):  # unknown key
        _publish(ready, _envelope(_doc(), other))
    with pytest.raises(NotPermitted):
        _publish(ready, _envelope(_doc()), REGISTRY.__class__("x", "certifier", "c", "token"))
    with pytest.raises(NotPermitted):
        _publish(ready, _envelope(_doc()), Principal("pcf-registry", "standards-body", "c", "token"))
    with pytest.raises(InputError) as info:
        _publish(ready, _envelope(_doc(status="draft")))
    assert info.value.location.pointer == "/factorSet/status"
    assert _count(ready) == (1, 37)
    assert not isinstance(BadSignature("x"), InputError)


def test_version_on_a_date_withdraw_with_reason_and_diff(ready: Engine) -> None:
    _publish(ready, _envelope(_doc(effective={"from": "2025-01-01", "until": "2026-01-01"})))
    v2 = _doc(version="1.1.0", effective={"from": "2026-01-01"})
    v2["records"][1]["value"] = "0.57"
    outcome = _publish(ready, _envelope(v2))
    assert outcome.diff is not None and outcome.diff.old == "test-body/fuels@1.0.0"
    assert [c.id for c in outcome.diff.changed] == ["grid-north"]
    with session_scope(ready, write=False) as s:
        assert service.version_on(s, "test-body/fuels", date(2025, 6, 1)).version == "1.0.0"
        assert service.version_on(s, "test-body/fuels", date(2026, 1, 1)).version == "1.1.0"
        with pytest.raises(NotFound):
            service.version_on(s, "test-body/fuels", date(2024, 12, 31))
        diff = service.diff_versions(s, "test-body/fuels", "1.0.0", "1.1.0")
        assert str(diff.changed[0].relative_change) == "-0.05"
    with session_scope(ready) as s:
        row = service.change_status(
            s, BODY, "test-body/fuels", "1.1.0", PackStatus.WITHDRAWN, reason="wrong grid figure", now=NOW
        )
        assert (row.status, row.status_reason) == (PackStatus.WITHDRAWN, "wrong grid figure")
    with session_scope(ready, write=False) as s:
        with pytest.raises(NotFound):
            service.version_on(s, "test-body/fuels", date(2026, 6, 1))
        library = service.stored_library(s)
    from registry.factors import FactorRefError

    with pytest.raises(FactorRefError) as info:
        library.resolve("test-body/fuels@1.1.0#grid-north", on=date(2026, 6, 1))
    assert info.value.reason == "withdrawn"
    with session_scope(ready) as s, pytest.raises(Conflict):
        service.change_status(s, BODY, "test-body/fuels", "1.1.0", PackStatus.PUBLISHED, reason="back", now=NOW)


def test_search_by_activity_region_classification_and_text(ready: Engine) -> None:
    doc = _doc()
    doc["records"][0]["classifications"] = {"hs": ["2711.21"], "cpc": ["12020"]}
    _publish(ready, _envelope(doc))

    def ids(**query: Any) -> list[str]:
        with session_scope(ready, write=False) as s:
            return [f.factor_id for f, _ in store.search_factors(s, store.FactorQuery(**query))]

    assert ids(activity="fuel") == ["gas-kwh"]
    assert ids(activity="fuel.natural-gas.combustion") == ["gas-kwh"]
    assert ids(activity="fuel.natural") == []
    assert ids(region="grid:test-north") == ["grid-north"]
    assert ids(code="hs:2711") == ids(code="hs:2711.21") == ["gas-kwh"]
    assert ids(code="cpc:9") == []
    assert ids(text="北部") == ["grid-north"]
    assert ids(text="NITROUS") == ["N2O"]
    assert len(ids(set_id="pcf-registry/ipcc-ar6-gwp100")) == 37
    with pytest.raises(InputError):
        ids(code="2711")


def test_bundled_sets_publish_through_init(engine: Engine, tmp_path: Path) -> None:
    from registry.service.bootstrap import publish_bundled_factor_sets

    first = publish_bundled_factor_sets(engine, tmp_path, now=NOW)
    assert first[:2] == ["pcf-registry/ipcc-ar5-gwp100@1.0.0", "pcf-registry/ipcc-ar6-gwp100@1.0.0"]
    assert "pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0" in first
    assert publish_bundled_factor_sets(engine, tmp_path, now=NOW) == []
    with session_scope(engine, write=False) as s:
        for path in sorted(factorsets_dir().glob("*/*.json")):
            fs = load_factor_set_file(path)
            row = service.get_version(s, fs.id, fs.version)
            assert row.digest == path.with_suffix(".digest").read_text().strip()
