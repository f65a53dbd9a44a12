"""Accreditations in the registry: a body submits signed versions; issuing asks whether a label is covered.

Submitting checks, in order: the caller is an accreditation body acting for itself, the envelope is
signed by one of the body's registered keys, the document is valid, the certifier is a certifier,
and the version may follow the stored history (:func:`registry.accreditation.check_follows`). The
same version again is a no-op. A suspension, reduction, withdrawal or reinstatement then applies the
label policy of each scheme it touches (:mod:`registry.accreditation.policy`). Nothing here commits.

Whether issuing needs an accreditation: once any accreditation body exists in the registry (``pcfreg
init`` creates a demo one), or when the setting requires it (``PCFREG_REQUIRE_ACCREDITATION``), every
label needs an accreditation covering it; a registry without any body and without the setting issues
within its signing keys' scope alone (docs/adr/0019-accreditation.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from registry.accreditation import (
    Accreditation,
    Change,
    NotAccredited,
    Recorded,
    ScopeGap,
    Subject,
    accreditation_gap,
    assess,
    body_of,
    check_follows,
    parse_accreditation,
    policy_for,
    suspended_with_accreditation,
    suspension_reason,
    verify_signed,
)
from registry.accreditation import LabelPolicy as Policy
from registry.declarations import classification_codes
from registry.errors import InputError, Location, NotPermitted
from registry.service import label_history, tlog
from registry.service.principal import Principal
from registry.service.publisher_keys import trusted_keys
from registry.storage import accreditations as store
from registry.storage import repo
from registry.storage.models import AccreditationVersion, Label, LabelState, OrgKind

REQUIRE_ENV = "PCFREG_REQUIRE_ACCREDITATION"


def require_from_env(env: Mapping[str, str]) -> bool:
    """``PCFREG_REQUIRE_ACCREDITATION``: 1/true/yes requires accreditation even without any body."""
    text = env.get(REQUIRE_ENV, "").strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        return True
    raise InputError(f"{REQUIRE_ENV} must be 1 or 0 (true or false), not {text!r}", Location(pointer=REQUIRE_ENV))


# Parsed documents by digest: a stored version never changes, and parsing (its schema) costs more than
# the rest of the check on every label issued (bench/labels.py).
_PARSED: dict[str, Accreditation] = {}


def recorded(row: AccreditationVersion) -> Recorded:
    doc = _PARSED.get(row.digest)
    if doc is None:
        doc = parse_accreditation(row.content)
        if len(_PARSED) > 10_000:
            _PARSED.clear()
        _PARSED[row.digest] = doc
    return Recorded(doc, row.digest, row.recorded_at)


def history(session: Session, *, certifier: str | None = None) -> list[Recorded]:
    return [recorded(r) for r in store.versions(session, certifier_id=certifier)]


def certifier_history(session: Session, certifier: str) -> list[Recorded]:
    """:func:`history` of one certifier, reading only the row keys when every version was parsed before
    (what issuing asks for every transaction)."""
    keys = store.version_keys(session, certifier)
    unparsed = store.contents(session, [i for i, digest, _ in keys if digest not in _PARSED])
    out = []
    for row_id, digest, at in keys:
        doc = _PARSED.get(digest)
        if doc is None:
            doc = parse_accreditation(unparsed[row_id]) if row_id in unparsed else _parsed_again(session, row_id)
            if len(_PARSED) > 10_000:
                _PARSED.clear()
            _PARSED[digest] = doc
        out.append(Recorded(doc, digest, at))
    return out


def _parsed_again(session: Session, row_id: int) -> Accreditation:
    """A version parsed before whose parse was dropped since (the cache was full): read it again."""
    return parse_accreditation(store.contents(session, [row_id])[row_id])


def scheme_policies() -> dict[str, str | None]:
    """Each crosswalk scheme's stated label policy (None: it states none, the default applies)."""
    from registry.crosswalk import load_crosswalks

    return {sid: s.accreditation_policy for sid, s in load_crosswalks().schemes.items()}


@dataclass(frozen=True)
class Submitted:
    row: AccreditationVersion
    created: bool  # False: the same version was already stored
    labels: list[Label] = field(default_factory=list)  # labels suspended or reinstated by the scheme policy


def _body(session: Session, principal: Principal, envelope: Any) -> str:
    principal.require("accreditation-body")
    body = body_of(envelope)
    principal.require_org(body)
    if repo.get_organisation(session, body).kind != OrgKind.ACCREDITATION_BODY:
        raise NotPermitted(f"{body} is not an accreditation body; only one may sign accreditations")
    return body


def _certifier(session: Session, doc: Accreditation) -> None:
    org = repo.get_organisation(session, doc.certifier)
    if org.kind != OrgKind.CERTIFIER:
        raise InputError(
            f"{doc.certifier} is a {org.kind}, not a certifier", Location(pointer="/accreditation/certifier")
        )


def submit(
    session: Session,
    principal: Principal,
    envelope: Any,
    *,
    now: datetime,
    policies: Mapping[str, str | None] | None = None,
) -> Submitted:
    """Store one signed accreditation version (see the module's doc for the checks), then apply the label
    policy of the schemes it touches. ``policies`` maps scheme ids to their policy (default: the crosswalks')."""
    body = _body(session, principal, envelope)
    doc, verified = verify_signed(envelope, trusted_keys(session, body))
    _certifier(session, doc)
    last = store.latest(session, doc.id)
    if last is not None and last.version == doc.version and last.digest == verified.digest:
        return Submitted(last, created=False)
    check_follows(recorded(last) if last is not None else None, doc, base="/accreditation")
    row = store.add_version(
        session,
        AccreditationVersion(
            accreditation_id=doc.id,
            version=doc.version,
            body_id=body,
            certifier_id=doc.certifier,
            change=doc.change.value,
            state=doc.state.value,
            digest=verified.digest,
            content=verified.data,
            envelope=envelope,
            recorded_at=now,
        ),
    )
    fields = {
        "ref": f"{doc.id}@{doc.version}",
        "body": body,
        "certifier": doc.certifier,
        "change": doc.change.value,
        "state": doc.state.value,
        "digest": verified.digest,
    }
    tlog.append_event(session, "accreditation.version", fields, now)
    changed = [] if doc.change is Change.GRANT else _apply_policy(session, doc, now, policies or scheme_policies())
    return Submitted(row, created=True, labels=changed)


def _apply_policy(
    session: Session, doc: Accreditation, now: datetime, policies: Mapping[str, str | None]
) -> list[Label]:
    """Under schemes whose policy says so: suspend the labels this accreditation covered when issued and
    its new version no longer covers; reinstate those it suspended that it covers again."""
    schemes = [s for s in doc.scope.schemes if policy_for(s, policies) is Policy.LABELS_SUSPENDED_WITH_CERTIFIER]
    if not schemes:
        return []
    now_in_force = [Recorded(doc, "", now)]
    changed: list[Label] = []
    reason = suspension_reason(doc.ref, doc.change.value, doc.reason)
    for label in store.labels_of(session, doc.certifier, schemes, LabelState.VALID, accreditation_id=doc.id):
        if _uncovered(now_in_force, label, now):
            changed.append(_set(session, label, LabelState.SUSPENDED, reason, now, by=doc.body))
    for label in store.labels_of(session, doc.certifier, schemes, LabelState.SUSPENDED, accreditation_id=doc.id):
        if suspended_with_accreditation(label.state_reason) and not _uncovered(now_in_force, label, now):
            changed.append(_set(session, label, LabelState.VALID, None, now, by=doc.body))
    return changed


def _set(session: Session, label: Label, state: LabelState, reason: str | None, now: datetime, *, by: str) -> Label:
    certifier, body = label.certifier_id, by  # the body's change moves the certifier's label
    return label_history.change_state(session, label, state, certifier=certifier, by=body, reason=reason, now=now)


def _uncovered(held: list[Recorded], label: Label, now: datetime) -> bool:
    """Whether ``held`` no longer covers the label in what its record tells (scheme, pack, now)."""
    subject = Subject(label.certifier_id, label.scheme, label.pack_id, now)
    return accreditation_gap(held, subject, offline=True) is not None


# --- issuing ------------------------------------------------------------------------------------


def _regions(v3: Mapping[str, Any]) -> tuple[str, ...]:
    pcf = v3.get("pcf")
    if not isinstance(pcf, Mapping):
        return ()
    found = [pcf.get(k) for k in ("geographyCountrySubdivision", "geographyCountry", "geographyRegionOrSubregion")]
    return tuple(x for x in found if isinstance(x, str) and x)[:1]


def accreditation_required(session: Session, setting: bool) -> bool:
    """Whether every label needs an accreditation here: by the setting, or because an accreditation body exists."""
    return setting or store.has_accreditation_body(session)


Gate = Callable[[str, str, Mapping[str, Any], Any, datetime], "NotAccredited | str | None"]


def issuing_gate(session: Session, certifier: str, *, required: bool) -> Gate:
    """What issuing asks per label: the id of the accreditation that covers it, None when none is needed,
    or the refusal (a :class:`NotAccredited`, naming what the label lacks).

    The certifier's history is read once per call of this function, so a batch reads it once."""
    held = certifier_history(session, certifier)
    if not held and not accreditation_required(session, required):  # a version implies a body: no query then
        return lambda *_: None

    def gate(scheme: str, pack_id: str, v3: Mapping[str, Any], declaration: Any, now: datetime) -> NotAccredited | str:
        hs, cpc = classification_codes(declaration)
        subject = Subject(certifier, scheme, pack_id, now, tuple(hs), tuple(cpc), _regions(v3))
        found = assess(held, subject)
        return NotAccredited.of(found) if isinstance(found, ScopeGap) else found.accreditation.id

    return gate


# --- views --------------------------------------------------------------------------------------


def version_json(row: AccreditationVersion) -> dict[str, Any]:
    return {
        "id": row.accreditation_id,
        "version": row.version,
        "body": row.body_id,
        "certifier": row.certifier_id,
        "change": row.change,
        "state": row.state,
        "digest": row.digest,
        "recorded_at": row.recorded_at.isoformat(),
        "accreditation": row.content,
        "envelope": row.envelope,
    }
