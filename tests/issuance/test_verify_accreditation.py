"""Offline verification says whether the certifier was accredited for a label's scheme on its issue date
(issue 13): the trust list carries every accreditation version with the time it came into force."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from test_token_fixtures import BASE, NOW, make_claims, make_key, signed_trust

from issuance.keys import KeyScope
from issuance.model import VerifyStatus
from issuance.token import sign_label
from issuance.trust import build_trust_list
from issuance.verify import verify
from registry.accreditation import Recorded, digest_of, parse_accreditation

DAY = timedelta(days=1)
SCOPE = KeyScope(schemes=("gb-t-24067", "iso-14067"), categories=("example-standards-body/",))
KEY, PRIVATE = make_key(5, scope=SCOPE, now=NOW - 10 * DAY)


def _version(version: int, change: str, state: str, schemes: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "format": "pcf-registry/accreditation/1.0",
        "id": "demo-accreditation-body/demo-certifier",
        "version": version,
        "certifier": "demo-certifier",
        "change": change,
        "state": state,
        "scope": {"schemes": schemes, "categories": ["example-standards-body/"], "regions": ["global"]},
        "valid_from": "2026-01-01",
        "valid_until": "2031-01-01",
    } | extra


def _history() -> list[Recorded]:
    """Granted a day before NOW for GB/T 24067 and ISO 14067, reduced to GB/T 24067 at NOW + 10 days,
    suspended at NOW + 20 days."""
    grant = parse_accreditation(_version(1, "grant", "active", ["gb-t-24067", "iso-14067"]))
    g = Recorded(grant, digest_of(grant), NOW - DAY)
    reduce = parse_accreditation(_version(2, "reduce", "active", ["gb-t-24067"], reason="narrowed", previous=g.digest))
    r = Recorded(reduce, digest_of(reduce), NOW + 10 * DAY)
    suspend = parse_accreditation(
        _version(3, "suspend", "suspended", ["gb-t-24067"], reason="complaint upheld", previous=r.digest)
    )
    return [g, r, Recorded(suspend, digest_of(suspend), NOW + 20 * DAY)]


def _trust(grants: list[Recorded], *, required: bool = True) -> Any:
    doc = build_trust_list(
        [KEY],
        now=NOW + 30 * DAY,
        issuer="pcf-registry",
        status_base=BASE,
        accreditations=grants,
        accreditation_required=required,
    )
    return signed_trust(doc)


def _verify(trust: Any, issued_at: Any, scheme: str = "gb-t-24067") -> Any:
    claims = make_claims(KEY.kid, issued_at=issued_at, scheme=scheme)
    return verify(sign_label(claims, PRIVATE), trust=trust, status=None, now=NOW + 30 * DAY, check_status=False)


def test_a_label_issued_while_accredited_stays_verifiable_after_a_suspension() -> None:
    trust = _trust(_history())
    assert _verify(trust, NOW).status is VerifyStatus.VALID
    assert _verify(trust, NOW + 15 * DAY).status is VerifyStatus.VALID


def test_the_issue_date_decides_scheme_and_state() -> None:
    trust = _trust(_history())
    before_reduction = _verify(trust, NOW + 5 * DAY, scheme="iso-14067")
    assert before_reduction.status is VerifyStatus.VALID
    after = _verify(trust, NOW + 12 * DAY, scheme="iso-14067")
    assert (after.status, after.reason) == (VerifyStatus.OUT_OF_SCOPE, "not_accredited")
    assert after.accreditation == {
        "dimension": "scheme",
        "certifier": "demo-certifier",
        "lacks": "iso-14067",
        "accreditation": "demo-accreditation-body/demo-certifier@2",
        "key_scope": {  # the key followed the reduction: from then on it may sign GB/T 24067 labels only
            "kid": KEY.kid,
            "from": _stamp(NOW + 10 * DAY),
            "schemes": ["gb-t-24067"],
            "categories": ["example-standards-body/"],
            "accreditations": ["demo-accreditation-body/demo-certifier@2"],
        },
    }
    assert f"key {KEY.kid} could sign for gb-t-24067 since" in (after.detail or "")
    assert "not accredited" in (after.detail or "") and after.to_json()["accreditation"]["dimension"] == "scheme"
    suspended = _verify(trust, NOW + 21 * DAY)
    assert suspended.reason == "not_accredited" and suspended.accreditation is not None
    assert suspended.accreditation["dimension"] == "state"
    assert suspended.accreditation["key_scope"]["schemes"] == []  # suspended: the key may sign nothing
    too_early = _verify(trust, NOW - 2 * DAY)
    assert too_early.accreditation is not None and too_early.accreditation["dimension"] == "accreditation"


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_trust_list_shows_each_keys_effective_scope_as_the_accreditation_changes() -> None:
    doc = build_trust_list(
        [KEY], now=NOW + 30 * DAY, issuer="pcf-registry", status_base=BASE, accreditations=_history()
    )
    (jwk,) = doc["keys"]
    assert jwk["scope"]["schemes"] == ["gb-t-24067", "iso-14067"]  # the key's own scope is kept as set
    assert [(s["from"], s["schemes"]) for s in jwk["effective_scope"]] == [
        (_stamp(NOW - DAY), ["gb-t-24067", "iso-14067"]),
        (_stamp(NOW + 10 * DAY), ["gb-t-24067"]),
        (_stamp(NOW + 20 * DAY), []),
    ]
    assert signed_trust(doc).accreditations  # the schema and the reader take the new member
    plain = build_trust_list([KEY], now=NOW + 30 * DAY, issuer="pcf-registry", status_base=BASE)
    assert "effective_scope" not in plain["keys"][0]  # no accreditation checked: nothing to follow


def test_a_key_namespace_narrows_to_the_accredited_packs() -> None:
    from registry.accreditation import effective_scopes

    grant = parse_accreditation(_version(1, "grant", "active", ["gb-t-24067"]) | {"scope": {
        "schemes": ["gb-t-24067"],
        "categories": ["example-standards-body/aluminium-ingot", "hs:7601"],
        "regions": ["global"],
    }})  # fmt: skip
    (scope,) = effective_scopes(
        ("gb-t-24067", "iso-14067"), ("example-standards-body/",), "demo-certifier", [Recorded(grant, "d", NOW)]
    )
    assert scope.schemes == ("gb-t-24067",)
    assert scope.categories == ("example-standards-body/aluminium-ingot", "example-standards-body/")


def test_required_or_not() -> None:
    # the registry requires accreditation: a certifier with none listed is not accredited
    none = _verify(_trust([]), NOW)
    assert none.reason == "not_accredited"
    # a registry without accreditation (no section, or required false and nothing listed): not checked
    assert _verify(_trust([], required=False), NOW).status is VerifyStatus.VALID
    plain = signed_trust(build_trust_list([KEY], now=NOW + 30 * DAY, issuer="pcf-registry", status_base=BASE))
    assert plain.accreditations == [] and _verify(plain, NOW).status is VerifyStatus.VALID
