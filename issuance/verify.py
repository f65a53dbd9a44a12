"""Offline verification of a label token: a fixed sequence of steps, no I/O, time passed in.

1. decode strictly                     -> invalid_signature / malformed
2. kid lookup in the trust list        -> unknown / unknown_kid (a key we do not know is no proven forgery)
3. signature, every candidate key      -> invalid_signature / bad_signature
4. key withdrawn (from withdrawn_from) -> invalid_signature / key_withdrawn
5. issuer and key usage period at iat  -> out_of_scope / issuer_mismatch, key_not_yet_in_use, key_usage_ended,
                                          exp_beyond_key_validity
6. scope: scheme and pack              -> out_of_scope / scheme_out_of_scope, pack_out_of_scope
6b. accreditation at iat (when the trust list carries the certifier's or requires one)
                                       -> out_of_scope / not_accredited, with ``accreditation``: the
                                          dimension lacked (accreditation, state, period, scheme, category)
7. time                                -> unknown / issued_in_future; expired / expired
8. status bit (list given for its URI) -> revoked, suspended, unknown / status_index_out_of_range,
                                          status_unrecognised; no list for its URI:
                                          valid_status_unknown / no_status_list, or with
                                          check_status=False (the user's choice) valid / status_unchecked
9. product: gtin given and different   -> out_of_scope / gtin_mismatch (a token replayed on another product)

The first failing step decides. ``claims`` is in the result from step 4 on (the signature held).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from issuance.errors import TokenError
from issuance.gtin import normalize_gtin
from issuance.keys import usage_refusal
from issuance.label_decode import DecodedLabel, decode_label, trusted_model
from issuance.model import LabelClaims, Verification, VerifyStatus
from issuance.status_list import Status, StatusList
from issuance.trust import TrustedKey, TrustList
from registry.accreditation import Subject, accreditation_gap, effective_at, effective_scopes

CLOCK_SKEW = timedelta(minutes=5)

_DETAIL = {
    "unknown_kid": "No key in the trust list has this label's key id; the trust list may be out of date.",
    "bad_signature": "The signature does not verify with any trusted key of this key id.",
    "key_withdrawn": "The key that signed this label has been withdrawn (for labels issued from then on).",
    "issuer_mismatch": "The label names another issuer than the certifier owning the key.",
    "key_not_yet_in_use": "The label was issued before its key's usage period began.",
    "key_usage_ended": "The label was issued after its key's usage period ended.",
    "exp_beyond_key_validity": "The label outlives the period in which its key can be verified.",
    "scheme_out_of_scope": "The key may not sign labels for this scheme.",
    "pack_out_of_scope": "The key may not sign labels graded under this rule pack.",
    "issued_in_future": "The label's issue time is in the future; check the clock.",
    "expired": "The label has expired.",
    "revoked": "The label has been revoked.",
    "suspended": "The label is suspended.",
    "status_index_out_of_range": "The label's status index is outside its status list.",
    "status_unrecognised": "The status list holds a value this verifier does not know.",
    "status_unchecked": "Revocation and suspension were not checked, as asked.",
    "no_status_list": "No status list for this label was given: it is unknown whether it was revoked or suspended.",
    "gtin_mismatch": "The label belongs to another product (GTIN).",
}


def _result(
    status: VerifyStatus,
    reason: str | None,
    now: datetime,
    decoded: DecodedLabel | None = None,
    claims: LabelClaims | None = None,
    detail: str | None = None,
) -> Verification:
    fields = {
        "status": status,
        "reason": reason,
        "detail": detail if detail is not None else _DETAIL.get(reason or ""),
        "label_id": decoded.claims.label_id if decoded else None,
        "kid": decoded.kid if decoded else None,
        "claims": claims,
        "checked_at": now,
        "accreditation": None,
    }
    return trusted_model(Verification, fields)


def _key_refusal(key: TrustedKey, claims: LabelClaims) -> str | None:
    """Steps 5 and 6: is this label within what the key was allowed to sign?"""
    if claims.issuer != key.certifier:
        return "issuer_mismatch"
    refusal = usage_refusal(key.usage_from, key.usage_until, claims.issued_at)
    if refusal is not None:
        return refusal
    if key.verify_until is not None and claims.expires_at > key.verify_until:
        return "exp_beyond_key_validity"
    return key.scope.refusal(scheme=claims.scheme, pack=claims.pack)


def _accreditation_refusal(
    trust: TrustList, key: TrustedKey, claims: LabelClaims, now: datetime, decoded: DecodedLabel
) -> Verification | None:
    """Step 6b: was the certifier accredited for this label's scheme (and pack) when it was issued? A refusal
    names the signing key's effective scope then (its scope narrowed by the accreditation: the key follows it)."""
    if not trust.checks_accreditation_of(claims.issuer):
        return None
    subject = Subject(claims.issuer, claims.scheme, claims.pack.split("@", 1)[0], claims.issued_at)
    gap = accreditation_gap(trust.accreditations, subject, offline=True)
    if gap is None:
        return None
    timeline = effective_scopes(key.scope.schemes, key.scope.categories, claims.issuer, trust.accreditations)
    scope = effective_at(timeline, claims.issued_at)
    key_scope: dict[str, Any] = {"kid": key.kid, "from": None, "schemes": [], "categories": [], "accreditations": []}
    if scope is not None:
        key_scope |= scope.to_json()
    allowed = ", ".join(key_scope["schemes"]) or "no scheme"
    since = f" since {key_scope['from']}" if key_scope["from"] else ""
    detail = f"{gap.message}; key {key.kid} could sign for {allowed}{since}"
    result = _result(VerifyStatus.OUT_OF_SCOPE, "not_accredited", now, decoded, claims, detail=detail)
    return result.model_copy(update={"accreditation": gap.to_json() | {"key_scope": key_scope}})


def _status_refusal(
    claims: LabelClaims, status: Mapping[str, StatusList] | None, check_status: bool
) -> tuple[VerifyStatus, str] | None:
    """Step 8; None when the list says VALID; without a list, VALID_STATUS_UNKNOWN (or VALID when not asked)."""
    if not check_status:
        return VerifyStatus.VALID, "status_unchecked"
    status_list = status.get(claims.status_uri) if status is not None else None
    if status_list is None:
        return VerifyStatus.VALID_STATUS_UNKNOWN, "no_status_list"
    if claims.status_idx >= status_list.size:
        return VerifyStatus.UNKNOWN, "status_index_out_of_range"
    value = status_list.get(claims.status_idx)
    if value == Status.VALID:
        return None
    if value == Status.INVALID:
        return VerifyStatus.REVOKED, "revoked"
    if value == Status.SUSPENDED:
        return VerifyStatus.SUSPENDED, "suspended"
    return VerifyStatus.UNKNOWN, "status_unrecognised"


def verify(
    token: bytes,
    *,
    trust: TrustList,
    status: Mapping[str, StatusList] | None,
    now: datetime,
    gtin: str | None = None,
    check_status: bool = True,
) -> Verification:
    """Verify a label token offline. ``status`` maps status list URIs to verified lists
    (:func:`issuance.status_list.select_status_lists`); ``gtin`` is the product it was found on.
    A label whose status list is not in ``status`` is ``valid_status_unknown``, never ``valid``, unless
    ``check_status`` is False (the caller knows the label's state otherwise, or chose not to check).

    A ``gtin`` that is not a GTIN raises :class:`issuance.errors.GtinError` (the caller's input);
    nothing about the token ever raises.
    """
    expected_gtin = normalize_gtin(gtin) if gtin is not None else None
    signed = authenticate(token, trust, now)
    if isinstance(signed, Verification):
        return signed
    return judge(signed, trust=trust, status=status, now=now, gtin=expected_gtin, check_status=check_status)


class Signed(NamedTuple):
    """Steps 1-3 passed: the label taken apart and the trusted key whose signature holds over it. It depends
    on the token and the trust list only, so a verifier of many tokens may keep it (:mod:`issuance.bulk`)."""

    decoded: DecodedLabel
    key: TrustedKey


def authenticate(token: bytes, trust: TrustList, now: datetime) -> Signed | Verification:
    """Steps 1 to 3: the decoded label and the key that signed it, or the failing verification."""
    decoded = decode_step(token, trust, now)
    return decoded if isinstance(decoded, Verification) else signature_step(decoded, trust, now)


def decode_step(token: bytes, trust: TrustList, now: datetime) -> DecodedLabel | Verification:
    """Step 1: the label taken apart strictly, or ``invalid_signature`` / ``malformed``."""
    try:
        return decode_label(token, status_base=trust.status_base)
    except TokenError as e:
        return _result(VerifyStatus.INVALID_SIGNATURE, "malformed", now, detail=f"{e.reason}: {e.message}")


def signature_step(decoded: DecodedLabel, trust: TrustList, now: datetime) -> Signed | Verification:
    """Steps 2 and 3: the trusted key whose signature holds over the decoded label, or why none does."""
    candidates = trust.candidates(decoded.kid)
    if not candidates:
        return _result(VerifyStatus.UNKNOWN, "unknown_kid", now, decoded)
    sign1 = decoded.sign1
    for key in candidates:
        if sign1.verifies(key.public_key):
            return Signed(decoded, key)
    return _result(VerifyStatus.INVALID_SIGNATURE, "bad_signature", now, decoded)


def judge(
    signed: Signed,
    *,
    trust: TrustList,
    status: Mapping[str, StatusList] | None,
    now: datetime,
    gtin: str | None,
    check_status: bool,
) -> Verification:
    """Steps 4 to 9 over a label whose signature held; ``gtin`` already normalised (or None)."""
    decoded, key = signed
    claims = decoded.claims
    if key.refuses(claims.issued_at):
        return _result(VerifyStatus.INVALID_SIGNATURE, "key_withdrawn", now, decoded, claims)
    refusal = _key_refusal(key, claims)
    if refusal is not None:
        return _result(VerifyStatus.OUT_OF_SCOPE, refusal, now, decoded, claims)
    unaccredited = _accreditation_refusal(trust, key, claims, now, decoded)
    if unaccredited is not None:
        return unaccredited
    if claims.issued_at > now + CLOCK_SKEW:
        return _result(VerifyStatus.UNKNOWN, "issued_in_future", now, decoded, claims)
    if now >= claims.expires_at:
        return _result(VerifyStatus.EXPIRED, "expired", now, decoded, claims)
    verdict = _status_refusal(claims, status, check_status)
    if verdict is not None and verdict[0] not in (VerifyStatus.VALID, VerifyStatus.VALID_STATUS_UNKNOWN):
        return _result(verdict[0], verdict[1], now, decoded, claims)
    if gtin is not None and gtin != claims.gtin:
        return _result(VerifyStatus.OUT_OF_SCOPE, "gtin_mismatch", now, decoded, claims)
    if verdict is not None:
        return _result(verdict[0], verdict[1], now, decoded, claims)
    return _result(VerifyStatus.VALID, None, now, decoded, claims)
