"""Labels over storage, on SQLite and PostgreSQL: issue, verify offline, suspend, revoke, rotate, audits."""

from __future__ import annotations

import copy
import itertools
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from issuance import (
    KeyScope,
    StatusList,
    TrustList,
    VerifyStatus,
    parse_status_list_token,
    peek,
    verify,
)
from registry.errors import InputError, NotConformant, NotPermitted
from registry.packs.catalog import Catalog
from registry.packs.signing import TrustedKeys, public_jwk
from registry.service import labels as svc
from registry.storage import issuance as store
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import Conflict
from registry.storage.models import KeyState, Label, LabelState, OrganisationCreate, OrgKind

AL = "example-standards-body/aluminium-ingot"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
GTIN = "09506000134352"
SCOPE = KeyScope(schemes=("gb-t-24067", "pact-v3", "iso-14067"), categories=("example-standards-body/",))


@pytest.fixture
def ready(engine: Engine, settings: svc.IssuanceSettings) -> Engine:
    with session_scope(engine) as s:
        for org in ("demo-certifier", "other-certifier"):
            repo.create_organisation(s, OrganisationCreate(id=org, name=org, kind=OrgKind.CERTIFIER), now=NOW)
        svc.create_signing_key(s, settings, "demo-certifier", SCOPE, now=NOW)
        svc.create_signing_key(s, settings, "other-certifier", SCOPE, now=NOW)
    return engine


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.bundled()


@pytest.fixture(scope="module")
def example(catalog: Catalog) -> dict[str, Any]:
    ex = catalog.resolve(f"{AL}@1.0.0").example  # the labels asserted below name 1.0.0
    assert ex is not None
    return ex


_requests = itertools.count(1)


def _issue(engine: Engine, settings: svc.IssuanceSettings, catalog: Catalog, doc: Any, **kw: Any) -> svc.Issued:
    """A new label each call: a request id of its own, or it would be a repeat of the last request."""
    certifier = kw.pop("certifier", "demo-certifier")
    kw.setdefault("gtin", GTIN)
    kw.setdefault("key", f"request-{next(_requests)}")
    with session_scope(engine) as s:
        return svc.issue_label(
            s, catalog, settings, certifier=certifier, request=svc.IssueRequest(declaration=doc, **kw), now=NOW
        )


def _offline(engine: Engine, settings: svc.IssuanceSettings, token: bytes, at: datetime) -> Any:
    """Verify as a platform would: a signed trust list and a signed status list, checked, then the token."""
    with session_scope(engine, write=False) as s:
        doc = svc.signed_trust_list(s, settings, now=at)
        _, claims = peek(token, status_base=settings.status_base)
        list_no = int(claims.status_uri.rsplit("/", 1)[1])
        status_token, _ = svc.signed_status_list(s, settings, claims.issuer, list_no, now=at)
    registry_keys = TrustedKeys.from_json({"keys": [public_jwk(settings.registry_key.public_key())]})
    trust = TrustList.from_json(doc, now=at, registry_keys=registry_keys)
    lst = parse_status_list_token(status_token, trust, now=at, uri=claims.status_uri)
    return verify(token, trust=trust, status={claims.status_uri: lst}, now=at, gtin=GTIN)


def test_issue_grade_sign_and_verify(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    issued = _issue(ready, settings, catalog, example)
    value = Decimal(example["pcf"]["pcfExcludingBiogenicUptake"])
    bands = catalog.resolve(AL).grading
    assert bands is not None
    expected = next(b.grade for b in bands.bands if b.max is None or value <= Decimal(b.max))
    assert issued.claims.grade == expected and issued.label.grade == expected
    assert issued.claims.value == example["pcf"]["pcfExcludingBiogenicUptake"]
    assert issued.claims.scheme == "gb-t-24067" and issued.claims.pack == f"{AL}@1.0.0"
    assert issued.claims.expires_at == datetime(2028, 12, 31, tzinfo=UTC)  # the declaration's validityPeriodEnd
    more = [_issue(ready, settings, catalog, example).token for _ in range(8)]
    assert max(len(t) for t in [issued.token, *more]) <= 250  # random status indexes: the size varies a little
    assert issued.url == f"HTTPS://LABELS.EXAMPLE.ORG/L/{issued.claims.label_id}"
    result = _offline(ready, settings, issued.token, NOW + timedelta(days=1))
    assert result.status is VerifyStatus.VALID and result.claims == issued.claims
    with session_scope(ready, write=False) as s:
        assert svc.verify_ids(s, [issued.claims.label_id], now=NOW)[issued.claims.label_id].status is VerifyStatus.VALID


def test_suspend_reinstate_revoke_show_in_the_next_status_list(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    issued = _issue(ready, settings, catalog, example)
    lid = issued.claims.label_id
    later = NOW + timedelta(hours=1)

    def versions() -> int:
        with session_scope(ready, write=False) as s:
            return svc.status_list_of(s, "demo-certifier", issued.label.status_list)[1]

    v0 = versions()
    for state, expected in (
        (LabelState.SUSPENDED, VerifyStatus.SUSPENDED),
        (LabelState.VALID, VerifyStatus.VALID),
        (LabelState.REVOKED, VerifyStatus.REVOKED),
    ):
        with session_scope(ready) as s:
            svc.change_label(s, certifier="demo-certifier", label_id=lid, state=state, reason="test", now=later)
        assert _offline(ready, settings, issued.token, later).status is expected
        with session_scope(ready, write=False) as s:
            assert svc.verify_ids(s, [lid], now=later)[lid].status is expected
    assert versions() == v0 + 3
    with session_scope(ready) as s, pytest.raises(Conflict, match="cannot become valid"):
        svc.change_label(s, certifier="demo-certifier", label_id=lid, state=LabelState.VALID, reason=None, now=later)
    with session_scope(ready) as s, pytest.raises(NotPermitted):
        svc.change_label(s, certifier="other-certifier", label_id=lid, state=LabelState.REVOKED, reason="x", now=later)


def test_refusals_store_nothing(ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any) -> None:
    bad = copy.deepcopy(example)
    bad["pcf"]["ipccCharacterizationFactors"] = ["AR4"]
    with pytest.raises(NotConformant) as e:
        _issue(ready, settings, catalog, bad)
    assert e.value.findings and all(f["severity"] == "error" for f in e.value.findings)
    with pytest.raises(InputError, match="check digit"):
        _issue(ready, settings, catalog, example, gtin="09506000134353")
    with pytest.raises(InputError, match="needs the product's GTIN"):
        _issue(ready, settings, catalog, example, gtin=None)
    with pytest.raises(InputError, match="needs an audit"):
        _issue(ready, settings, catalog, example, scheme="pact-v3")
    with pytest.raises(NotPermitted, match="no signing key"):
        _issue(ready, settings, catalog, example, pack=f"{AL}@1.0.0", certifier="nobody")
    with session_scope(ready, write=False) as s:
        assert s.exec(select(func.count()).select_from(Label)).one() == 0


def test_one_audit_many_labels_revoked_together(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    pack = catalog.compiled(f"{AL}@1.0.0").ref
    with session_scope(ready) as s:
        audit = store.insert_audit(
            s, certifier_id="demo-certifier", record={"evidence": "x"}, declaration=example, pack=pack, now=NOW
        )
        store.insert_recognition(
            s, audit=audit, result={"schemes": [{"scheme": "pact-v3", "status": "recognised"}]}, now=NOW
        )
    first = _issue(ready, settings, catalog, example, audit_id=audit.id)
    second = _issue(ready, settings, catalog, example, audit_id=audit.id, scheme="pact-v3")
    assert first.claims.audit == second.claims.audit == audit.digest.split(":")[1][:16]
    with pytest.raises(InputError, match="recognises it without gaps"):
        _issue(ready, settings, catalog, example, audit_id=audit.id, scheme="iso-14067")
    other = copy.deepcopy(example)
    other["productDescription"] = "another product"
    with pytest.raises(InputError, match="not the one audit"):
        _issue(ready, settings, catalog, other, audit_id=audit.id)
    with session_scope(ready) as s, pytest.raises(NotPermitted):
        store.revoke_audit(s, store.get_audit(s, audit.id), by="other-certifier", reason="no")
    with session_scope(ready) as s:
        revoked = store.revoke_audit(s, store.get_audit(s, audit.id), by="demo-certifier", reason="evidence withdrawn")
    assert {r.id for r in revoked} == {first.claims.label_id, second.claims.label_id}
    for issued in (first, second):
        assert _offline(ready, settings, issued.token, NOW).status is VerifyStatus.REVOKED
    with pytest.raises(Conflict, match="revoked"):
        _issue(ready, settings, catalog, example, audit_id=audit.id)


def test_rotation_keeps_old_labels_verifiable(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    old = _issue(ready, settings, catalog, example)
    later = NOW + timedelta(days=30)
    with session_scope(ready) as s:
        new, retired = svc.rotate_signing_key(s, settings, "demo-certifier", now=later)
    assert [k.kid for k in retired] == [old.claims.kid]
    assert retired[0].state.value == "verify-only" and retired[0].verify_until == old.claims.expires_at
    assert _offline(ready, settings, old.token, later).status is VerifyStatus.VALID
    with session_scope(ready) as s:
        fresh = svc.issue_label(
            s,
            catalog,
            settings,
            certifier="demo-certifier",
            request=svc.IssueRequest(declaration=example, gtin=GTIN, key="after-rotation"),
            now=later,
        )
    assert fresh.claims.kid == new.kid != old.claims.kid
    with session_scope(ready) as s:
        svc.withdraw_signing_key(s, "demo-certifier", old.claims.kid, now=later)
        assert store.get_signing_key(s, old.claims.kid).state == KeyState.WITHDRAWN
    assert _offline(ready, settings, old.token, later).reason == "key_withdrawn"
    with session_scope(ready, write=False) as s:
        got = svc.verify_ids(s, [old.claims.label_id, fresh.claims.label_id, "AAAAAAAAAAAAAAAA"], now=later)
    assert [v.status for v in got.values()] == [
        VerifyStatus.INVALID_SIGNATURE,
        VerifyStatus.VALID,
        VerifyStatus.UNKNOWN,
    ]


def test_status_list_has_the_minimum_size(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    issued = _issue(ready, settings, catalog, example)
    with session_scope(ready, write=False) as s:
        lst, _ = svc.status_list_of(s, "demo-certifier", issued.label.status_list)
    assert isinstance(lst, StatusList) and lst.size >= 131_072


def test_label_expiry_defaults_and_refusals() -> None:
    from registry.service.labels import _expiry

    now = datetime(2026, 6, 30, tzinfo=UTC)
    explicit = {"validityPeriodEnd": "2027-01-01T00:00:00Z", "pcf": {"referencePeriodEnd": "2025-01-01T00:00:00Z"}}
    assert _expiry(explicit, now) == datetime(2027, 1, 1, tzinfo=UTC)
    leap = {"pcf": {"referencePeriodEnd": "2024-02-29T00:00:00Z"}}
    assert _expiry(leap, now) == datetime(2027, 2, 28, tzinfo=UTC)  # three years on, no 29 February
    with pytest.raises(InputError, match="validity ended on 2026-01-01") as e:
        _expiry({"validityPeriodEnd": "2026-01-01T00:00:00Z"}, now)
    assert e.value.location is not None and e.value.location.pointer == "/validityPeriodEnd"
    with pytest.raises(InputError, match="no validity end"):
        _expiry({"pcf": {}}, now)
    with pytest.raises(InputError, match="RFC 3339") as bad:
        _expiry({"pcf": {"referencePeriodEnd": "yesterday"}}, now)
    assert bad.value.location is not None and bad.value.location.pointer == "/pcf/referencePeriodEnd"


def test_withdrawal_refuses_labels_from_the_given_time(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    """A key compromised at a known time: labels it signed before still verify, those after do not,
    in the registry and offline from the next trust list (issue 10)."""
    before = _issue(ready, settings, catalog, example)
    compromised = NOW + timedelta(hours=1)
    with session_scope(ready) as s:
        after = svc.issue_label(
            s,
            catalog,
            settings,
            certifier="demo-certifier",
            request=svc.IssueRequest(declaration=example, gtin=GTIN),
            now=compromised + timedelta(minutes=5),
        )
    later = NOW + timedelta(days=1)
    kid = before.claims.kid
    with session_scope(ready) as s, pytest.raises(InputError, match="future"):
        svc.withdraw_signing_key(s, "demo-certifier", kid, now=later, refuse_from=later + timedelta(seconds=1))
    with session_scope(ready) as s:
        svc.rotate_signing_key(s, settings, "demo-certifier", now=later)  # a new key signs status lists from now
        svc.withdraw_signing_key(s, "demo-certifier", kid, now=later, refuse_from=compromised)
        # withdrawing again from a later time cannot narrow what is refused
        again = svc.withdraw_signing_key(s, "demo-certifier", kid, now=later, refuse_from=later)
        assert again.withdrawn_from == compromised
        doc = svc.signed_trust_list(s, settings, now=later)
    listed = next(k for k in doc["keys"] if k["kid"] == kid)
    assert listed["state"] == "withdrawn" and listed["withdrawn_from"] == "2026-06-30T13:00:00Z"
    assert _offline(ready, settings, before.token, later).status is VerifyStatus.VALID
    refused = _offline(ready, settings, after.token, later)
    assert refused.status is VerifyStatus.INVALID_SIGNATURE and refused.reason == "key_withdrawn"
    with session_scope(ready, write=False) as s:
        got = svc.verify_ids(s, [before.claims.label_id, after.claims.label_id], now=later)
    assert [v.status for v in got.values()] == [VerifyStatus.VALID, VerifyStatus.INVALID_SIGNATURE]
    with session_scope(ready) as s:  # withdrawn from the beginning: every label refused
        svc.withdraw_signing_key(s, "demo-certifier", kid, now=later)
    assert _offline(ready, settings, before.token, later).reason == "key_withdrawn"


def test_status_indexes_come_from_the_newest_list_until_it_is_full_enough(ready: Engine) -> None:
    """The common case counts the newest list up with one UPDATE ... RETURNING; a list without room for all
    that are wanted gives what it has left and a new list the rest (each list filled to STATUS_LIST_FILL)."""
    from sqlalchemy import update
    from sqlmodel import col

    from registry.storage.models import StatusListRow

    rng = itertools.count()

    def rand(n: int) -> bytes:
        return next(rng).to_bytes(n, "big")

    cap = int(store.STATUS_LIST_SIZE * store.STATUS_LIST_FILL)

    def used(s: Any, list_no: int) -> int:  # read afresh (the session's identity map may hold an older row)
        s.expire_all()
        return store.get_status_list(s, "other-certifier", list_no).used

    with session_scope(ready) as s:
        first = store.allocate_status_indexes(s, "other-certifier", 3, rng=rand, now=NOW)  # no list yet: list 0 made
        assert [no for no, _ in first] == [0, 0, 0] and len(set(first)) == 3
        again = store.allocate_status_indexes(s, "other-certifier", 2, rng=rand, now=NOW)  # room: list 0 counted up
        assert [no for no, _ in again] == [0, 0] and not set(again) & set(first)
        assert used(s, 0) == 5
        s.execute(
            update(StatusListRow).where(col(StatusListRow.certifier_id) == "other-certifier").values(used=cap - 2)
        )  # two entries left before list 0 is full enough
        mixed = store.allocate_status_indexes(s, "other-certifier", 5, rng=rand, now=NOW)
        assert sorted(no for no, _ in mixed) == [0, 0, 1, 1, 1]
        assert used(s, 0) == cap
        assert used(s, 1) == 3
        later = store.allocate_status_indexes(
            s, "other-certifier", 4, rng=rand, now=NOW
        )  # the newest list (1) gives them
        assert [no for no, _ in later] == [1, 1, 1, 1]
        assert used(s, 1) == 7 and used(s, 0) == cap


def test_status_indexes_taken_by_labels_are_never_given_again(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    """The taken indexes among a round's candidates are found with one query (on PostgreSQL one index probe
    per candidate, whatever its statistics say) and drawn again."""
    script: list[int] = []

    def rng(n: int) -> bytes:  # status indexes (4 bytes) from the script, label ids at random
        return script.pop(0).to_bytes(4, "big") if n == 4 else os.urandom(n)

    script[:] = [5, 9, 12]
    with session_scope(ready) as s:
        requests = [svc.IssueRequest(declaration=example, gtin=GTIN, key=f"taken-{i}") for i in range(3)]
        first = svc.issue_labels(s, catalog, settings, certifier="demo-certifier", requests=requests, now=NOW, rng=rng)
    assert sorted(o.claims.status_idx for o in first if isinstance(o, svc.Issued)) == [5, 9, 12]
    script[:] = [9, 5, 7, 12, 30]  # two taken, then one free and one taken, then one free
    with session_scope(ready) as s:
        slots = store.allocate_status_indexes(s, "demo-certifier", 2, rng=rng, now=NOW)
    assert sorted(slots) == [(0, 7), (0, 30)] and script == []


def test_labels_by_request_key_finds_repeats_through_the_unique_index(
    ready: Engine, settings: svc.IssuanceSettings, catalog: Catalog, example: Any
) -> None:
    """The repeat check of every issuing group reads labels by request key; on PostgreSQL it must probe the
    unique (certifier, request key) index whatever the statistics say (a table never analysed made its
    planner scan all the certifier's labels: 120-180 ms a group at 100k labels)."""
    issued = [_issue(ready, settings, catalog, example) for _ in range(3)]
    keys = [str(i.columns["request_key"]) for i in issued]
    with session_scope(ready, write=False) as s:
        found = store.labels_by_request_key(s, "demo-certifier", [*keys, "sha256:" + "0" * 64])
        assert {k: v.id for k, v in found.items()} == {k: i.label.id for k, i in zip(keys, issued, strict=True)}
        assert store.labels_by_request_key(s, "other-certifier", keys) == {}
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            stmt = store._BY_REQUEST_KEY_BY_DIALECT["postgresql"]
            compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            params = {"certifier": "demo-certifier", "keys": keys}
            plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.construct_params(params)).scalars())
            assert "ux_label_certifier_id_request_key" in plan, plan
