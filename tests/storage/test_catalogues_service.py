"""Grading catalogues in the registry (issue 13), on SQLite and PostgreSQL: ungraded labels, illustrative
grades and production mode, publishing a catalogue (authority, immutability), grading by the catalogue in
force, statistics and percentile drafts from the registry's own labels."""

from __future__ import annotations

import copy
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from issuance import KeyScope, peek
from registry.catalogues import Catalogue, CatalogueCheckFailed, sign_catalogue
from registry.errors import IllustrativeRefused, InputError, NotPermitted
from registry.packs.catalog import Catalog
from registry.packs.signing import generate_keypair, load_private_key
from registry.service import catalogues as cat_svc
from registry.service import labels as svc
from registry.service.packs import VersionConflict
from registry.service.principal import Principal
from registry.service.publisher_keys import register_public_jwk
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import OrganisationCreate, OrgKind

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "catalogues"))
from catalogue_support import AL, catalogue, fixed_category

BATTERY = "example-standards-body/ev-traction-battery"
BODY = "example-standards-body"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
GTIN = "09506000134352"
SCOPE = KeyScope(schemes=("gb-t-24067", "eu-battery", "pact-v3"), categories=("example-standards-body/",))
BODY_PRINCIPAL = Principal(BODY, "standards-body", "test", "token")


def _settings(production: bool = False) -> svc.IssuanceSettings:
    return svc.IssuanceSettings(
        public_url="https://labels.example.org",
        master_key=b"k" * 32,
        registry_key=Ed25519PrivateKey.generate(),
        production=production,
    )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.bundled()


@pytest.fixture
def ready(engine: Engine) -> tuple[Engine, Any]:
    settings = _settings()
    pem, jwk = generate_keypair(publisher=BODY)
    with session_scope(engine) as s:
        for org, kind in ((BODY, OrgKind.STANDARDS_BODY), ("cert", OrgKind.CERTIFIER), ("plat", OrgKind.PLATFORM)):
            repo.create_organisation(s, OrganisationCreate(id=org, name=org, kind=kind), now=NOW)
        svc.create_signing_key(s, settings, "cert", SCOPE, now=NOW)
        register_public_jwk(s, BODY, jwk, now=NOW)
    return engine, load_private_key(pem)


def _issue(engine: Engine, catalog: Catalog, declaration: Any, *, production: bool = False, **kw: Any) -> svc.Issued:
    settings = _settings(production)
    request = svc.IssueRequest(declaration=declaration, gtin=GTIN, **kw)
    with session_scope(engine) as s:
        return svc.issue_label(s, catalog, settings, certifier="cert", request=request, now=NOW)


def _example(catalog: Catalog, pack: str) -> dict[str, Any]:
    ex = catalog.resolve(pack).example
    assert ex is not None
    return copy.deepcopy(ex)


def _publish(engine: Engine, key: Any, doc: dict[str, Any], principal: Principal = BODY_PRINCIPAL) -> Any:
    envelope = sign_catalogue(Catalogue(doc), key, BODY)
    with session_scope(engine) as s:
        return cat_svc.publish(s, principal, envelope, now=NOW)


def test_a_pack_without_bands_issues_a_label_without_a_grade(ready: Any, catalog: Catalog) -> None:
    engine, _ = ready
    issued = _issue(engine, catalog, _example(catalog, BATTERY), production=True)  # production: nothing illustrative
    assert issued.claims.grade is None and issued.claims.grading.value == "ungraded"
    assert issued.columns["grade"] is None and issued.columns["claims"]["grading"] == "ungraded"
    assert peek(issued.token)[1].grade is None


def test_illustrative_grades_are_marked_and_refused_in_production(ready: Any, catalog: Catalog) -> None:
    engine, _ = ready
    issued = _issue(engine, catalog, _example(catalog, AL))
    assert issued.claims.grading.value == "illustrative" and issued.columns["catalogue"] is None
    example = _example(catalog, AL)
    example["id"] = "7b4e1d2c-3a5f-4c6e-8d9a-0b1c2d3e4f59"
    with pytest.raises(IllustrativeRefused, match="production") as e:
        _issue(engine, catalog, example, production=True)
    assert "illustrative" in e.value.message and AL in e.value.message


def test_the_catalogue_in_force_grades_the_label_and_is_recorded(ready: Any, catalog: Catalog) -> None:
    engine, key = ready
    outcome = _publish(engine, key, catalogue())
    assert outcome.created
    issued = _issue(engine, catalog, _example(catalog, AL), production=True)  # 14600 kg CO2e/t: band "2" (test data)
    ref = "example-standards-body/test-grades@1.0.0"
    assert (issued.claims.grade, issued.claims.catalogue, issued.claims.grading.value) == ("2", ref, "catalogue")
    assert issued.columns["catalogue"] == ref and peek(issued.token)[1].catalogue == ref


def test_a_catalogue_not_yet_in_force_does_not_grade(ready: Any, catalog: Catalog) -> None:
    engine, key = ready
    _publish(engine, key, catalogue(effective={"from": "2026-07-01"}))
    assert _issue(engine, catalog, _example(catalog, AL)).claims.grading.value == "illustrative"


def test_a_published_version_never_changes(ready: Any) -> None:
    engine, key = ready
    _publish(engine, key, catalogue())
    assert not _publish(engine, key, catalogue()).created  # the same content: a no-op
    changed = catalogue()
    changed["categories"][0]["basis"]["bands"][0]["max"] = "4000"
    with pytest.raises(VersionConflict):
        _publish(engine, key, changed)


def test_only_an_authority_publishes_and_never_a_failing_catalogue(ready: Any) -> None:
    engine, key = ready
    with pytest.raises(NotPermitted):
        _publish(engine, key, catalogue(), Principal("plat", "platform", "t", "token"))
    regulator_role = catalogue(publisher={"id": BODY, "name": {"en": "B", "zh": "B"}, "role": "regulator"})
    with pytest.raises(NotPermitted, match="regulator"):  # a standards body is no regulator
        _publish(engine, key, regulator_role)
    broken = catalogue(effective={"from": "2026-01-01", "until": "2025-01-01"})
    with pytest.raises(CatalogueCheckFailed):
        _publish(engine, key, broken)
    with session_scope(engine, write=False) as s:
        assert cat_svc.list_versions(s) == []


def _labels_from(engine: Engine, catalog: Catalog, companies: int, labels: int) -> None:
    for i in range(labels):
        example = _example(catalog, AL)
        example["id"] = f"7b4e1d2c-3a5f-4c6e-8d9a-{i:012d}"
        example["companyIds"] = [f"urn:test:company-{i % companies}"]
        _issue(engine, catalog, example)


@pytest.mark.parametrize(("companies", "labels", "published"), [(5, 10, True), (4, 10, False), (5, 9, False)])
def test_statistics_and_percentiles_from_the_registrys_labels(
    ready: Any, catalog: Catalog, companies: int, labels: int, published: bool
) -> None:
    engine, _ = ready
    _labels_from(engine, catalog, companies, labels)
    template = catalogue(fixed_category())
    template["categories"][0]["basis"] = {
        "kind": "percentiles",
        "cutoff": "2026-06-30",
        "bands": [{"grade": "A", "percentile": "50"}, {"grade": "B"}],
    }
    with session_scope(engine, write=False) as s:
        stats = cat_svc.statistics(s, AL)
        assert stats["published"] is published
        if published:
            draft, findings = cat_svc.compute(s, template)
            basis = draft["categories"][0]["basis"]
            assert basis["population"] == {"labels": labels, "companies": companies} and findings == ()
            assert stats["labels"] == labels and basis["bands"][0]["max"] == stats["percentiles"]["50"]
        else:
            with pytest.raises(Exception, match="at least 5 companies and 10 labels"):
                cat_svc.compute(s, template)


def test_a_catalogue_per_another_declared_unit_refuses_rather_than_misgrades(ready: Any, catalog: Catalog) -> None:
    """The aluminium example is per 1000 kilogram; bands per 1 kilogram would grade it 1,000 times wrong."""
    engine, key = ready
    _publish(engine, key, catalogue(fixed_category(declaredUnit={"amount": "1", "unit": "kilogram"})))
    with pytest.raises(InputError, match="per 1 kilogram, but the declaration is per 1000 kilogram") as e:
        _issue(engine, catalog, _example(catalog, AL))
    assert e.value.location is not None and e.value.location.pointer == "/pcf/declaredUnitAmount"


def _log(engine: Engine) -> list[dict[str, Any]]:
    """The transparency log's entries, oldest first (issue 13: every publish and issue is logged)."""
    import json

    from sqlmodel import select

    from registry.storage.models import TlogEntry

    with session_scope(engine, write=False) as s:
        return [json.loads(row.data) for row in s.exec(select(TlogEntry).order_by(TlogEntry.idx)).all()]


def test_catalogue_publishes_and_the_labels_it_grades_are_logged(ready: Any, catalog: Catalog) -> None:
    engine, key = ready
    ungraded = _issue(engine, catalog, _example(catalog, BATTERY))
    outcome = _publish(engine, key, catalogue())
    graded = _issue(engine, catalog, _example(catalog, AL))
    ref = "example-standards-body/test-grades@1.0.0"
    entries = {(e["kind"], e.get("label_id") or e.get("ref")): e for e in _log(engine)}
    assert entries[("catalogue.publish", ref)]["digest"] == outcome.row.digest
    issue = entries[("label.issue", graded.claims.label_id)]
    assert (issue["grade"], issue["catalogue"]) == ("2", ref)
    plain = entries[("label.issue", ungraded.claims.label_id)]
    assert plain["grade"] is None and "catalogue" not in plain
