"""The accreditation document, its history rules and the scope check (pure: no storage, time passed in)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from registry.accreditation import (
    AccreditationError,
    Change,
    Dimension,
    Recorded,
    Subject,
    TransitionRefused,
    accreditation_gap,
    check_follows,
    digest_of,
    parse_accreditation,
    sign_accreditation,
    verify_signed,
)
from registry.packs import generate_keypair
from registry.signed import BadSignature, WrongSigner

T0 = datetime(2026, 7, 1, tzinfo=UTC)
LATER = datetime(2026, 9, 1, tzinfo=UTC)


def doc(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "format": "pcf-registry/accreditation/1.0",
        "id": "cnas-demo/acc-1",
        "version": 1,
        "certifier": "demo-certifier",
        "change": "grant",
        "state": "active",
        "scope": {
            "schemes": ["gb-t-24067", "iso-14067"],
            "categories": ["example-standards-body/aluminium-ingot", "hs:4011"],
            "regions": ["CN"],
        },
        "valid_from": "2026-01-01",
        "valid_until": "2029-01-01",
    }
    return base | changes


def rec(data: dict[str, Any], at: datetime = T0) -> Recorded:
    a = parse_accreditation(data)
    return Recorded(a, digest_of(a), at)


def subject(**changes: Any) -> Subject:
    base: dict[str, Any] = dict(
        certifier="demo-certifier",
        scheme="gb-t-24067",
        pack_id="example-standards-body/aluminium-ingot",
        at=LATER,
        regions=("CN",),
    )
    return Subject(**(base | changes))


def test_a_grant_reads_and_every_problem_has_its_pointer() -> None:
    assert parse_accreditation(doc()).scope.regions == ("CN",)
    with pytest.raises(AccreditationError) as e:
        parse_accreditation(doc(scope={"schemes": [], "categories": ["HS 40"], "regions": ["china"]}))
    pointers = {p.location.pointer for p in e.value.problems}
    assert {"/scope/schemes", "/scope/categories/0", "/scope/regions/0"} <= pointers


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"valid_until": "2025-01-01"}, "/valid_until"),
        ({"state": "suspended"}, "/state"),
        ({"version": 2, "change": "suspend", "state": "suspended", "previous": "sha256:" + "0" * 64}, "/reason"),
        ({"version": 2}, "/change"),
        ({"previous": "sha256:" + "0" * 64}, "/previous"),
    ],
)
def test_rules_the_schema_cannot_say(changes: dict[str, Any], pointer: str) -> None:
    with pytest.raises(AccreditationError) as e:
        parse_accreditation(doc(**changes))
    assert pointer in {p.location.pointer for p in e.value.problems}


def test_inside_scope_is_no_gap_and_each_dimension_is_named() -> None:
    history = [rec(doc())]
    assert accreditation_gap(history, subject()) is None
    # a tyre under HS 4011.10, made in a Chinese province, through its HS code
    tyre = subject(pack_id="other/tyre", hs=("4011.10",), regions=("CN-GD",))
    assert accreditation_gap(history, tyre) is None
    cases = {
        Dimension.SCHEME: subject(scheme="pef"),
        Dimension.CATEGORY: subject(pack_id="example-standards-body/hot-rolled-steel"),
        Dimension.REGION: subject(regions=("DE",)),
        Dimension.PERIOD: subject(at=datetime(2029, 1, 1, tzinfo=UTC)),
        Dimension.ACCREDITATION: subject(at=datetime(2026, 6, 30, tzinfo=UTC)),  # before it was recorded
    }
    for dimension, s in cases.items():
        gap = accreditation_gap(history, s)
        assert gap is not None and gap.dimension is dimension, dimension
    no_region = accreditation_gap(history, subject(regions=()))
    assert no_region is not None and no_region.dimension is Dimension.REGION
    other = accreditation_gap(history, subject(certifier="other-certifier"))
    assert other is not None and other.dimension is Dimension.ACCREDITATION


def test_the_version_in_force_at_the_issue_time_decides() -> None:
    grant = rec(doc())
    a1 = grant.accreditation
    suspended = doc(version=2, change="suspend", state="suspended", reason="audit findings", previous=grant.digest)
    history = [grant, rec(suspended, at=LATER)]
    assert accreditation_gap(history, subject(at=datetime(2026, 8, 1, tzinfo=UTC))) is None
    gap = accreditation_gap(history, subject(at=LATER))
    assert gap is not None and gap.dimension is Dimension.STATE and gap.accreditation == "cnas-demo/acc-1@2"
    assert a1.holds_on(date(2026, 1, 1)) and not a1.holds_on(date(2029, 1, 1))


def test_offline_checks_what_a_token_tells() -> None:
    history = [rec(doc())]
    # offline: no product codes and no region in a token; the HS category cannot be judged, so it is not refused
    assert accreditation_gap(history, subject(pack_id="other/tyre", regions=()), offline=True) is None
    gap = accreditation_gap(history, subject(scheme="pef", regions=()), offline=True)
    assert gap is not None and gap.dimension is Dimension.SCHEME
    packs_only = [
        rec(doc(scope={"schemes": ["gb-t-24067"], "categories": ["example-standards-body/"], "regions": ["CN"]}))
    ]
    gap = accreditation_gap(packs_only, subject(pack_id="other/tyre", regions=()), offline=True)
    assert gap is not None and gap.dimension is Dimension.CATEGORY


def _next(before: Recorded, **changes: Any) -> dict[str, Any]:
    return doc(version=before.accreditation.version + 1, previous=before.digest) | changes


def test_history_only_narrows_pauses_or_ends() -> None:
    grant = rec(doc())
    check_follows(None, grant.accreditation)
    narrower = {"schemes": ["gb-t-24067"], "categories": ["hs:401110"], "regions": ["CN-GD"]}
    reduce = _next(grant, change="reduce", reason="scope narrowed", scope=narrower)
    check_follows(grant, parse_accreditation(reduce))
    refused = {
        "version": _next(grant, change="reduce", reason="x", version=3),
        "previous": _next(grant, change="reduce", reason="x", previous="sha256:" + "1" * 64),
        "scope": _next(grant, change="reduce", reason="x", scope=doc()["scope"] | {"regions": ["global"]}),
        "valid_until": _next(grant, change="reduce", reason="x", valid_until="2030-01-01"),
        "change": _next(grant, change="reinstate"),  # nothing to reinstate: it is active
        "certifier": _next(grant, change="reduce", reason="x", certifier="other-certifier"),
    }
    for member, data in refused.items():
        with pytest.raises(TransitionRefused) as e:
            check_follows(grant, parse_accreditation(data), base="/accreditation")
        assert e.value.location.pointer == f"/accreditation/{member}", member
    with pytest.raises(TransitionRefused):
        check_follows(None, parse_accreditation(_next(grant, change="reduce", reason="x")))
    withdrawn = rec(_next(grant, change="withdraw", state="withdrawn", reason="fraud"))
    with pytest.raises(TransitionRefused):
        check_follows(withdrawn, parse_accreditation(_next(withdrawn, change="reinstate")))
    suspended = rec(_next(grant, change="suspend", state="suspended", reason="x"))
    check_follows(suspended, parse_accreditation(_next(suspended, change="reinstate")))
    assert Change.REINSTATE.value == "reinstate"


def test_signed_by_the_body_only() -> None:
    pem, jwk = generate_keypair(publisher="cnas-demo")
    envelope = sign_accreditation(doc(), pem, "cnas-demo")
    accreditation, verified = verify_signed(envelope, {"keys": [jwk]})
    assert accreditation.body == "cnas-demo" and verified.digest == digest_of(accreditation)
    with pytest.raises(WrongSigner):
        sign_accreditation(doc(), pem, "someone-else")
    tampered = envelope | {"accreditation": envelope["accreditation"] | {"certifier": "other-certifier"}}
    tampered["digest"] = digest_of(parse_accreditation(tampered["accreditation"]))
    with pytest.raises(BadSignature):
        verify_signed(tampered, {"keys": [jwk]})
