"""The PACT host's use cases (issue 16): sharing validated declarations with partner clients, and
what a partner sees of them.

A partner is a *client*: a credential of the registry (any organisation's), which gets tokens at
``POST /auth/token``. An organisation shares one of its conformant validations with a client; the
validation's declaration is then served to that client (and nobody else) as a PACT v3
ProductFootprint, its current ``status``, and one more DataModelExtension
(:data:`CERTIFICATION_SCHEMA_ID`) naming the validation, the audits made of the declaration, their
recognitions and the labels issued on them with their current state and signed tokens, so that the
receiver can verify the certification offline against the registry's trust list.

Sharing a new version (its ``precedingPfIds`` name a footprint shared with the same client)
deprecates the old one and queues a ``PublishedEvent`` to that client (:mod:`.pact_events`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlmodel import Session

from registry.errors import InputError, NotPermitted
from registry.service import pact_events, pact_v2
from registry.service.pact_query import Criteria, footprint_keys, validity
from registry.service.principal import Principal
from registry.storage import pact_repo, repo
from registry.storage.errors import Conflict, NotFound
from registry.storage.models import PactFootprint, PactPartner, PactShare, Validation

CERTIFICATION_SCHEMA_ID = "https://pcf-registry.org/schemas/pact-certification-1.0.json"
EXTENSION_SPEC_VERSION = "2.0.0"  # the DataModelExtension format (PACT v3 DataModelExtension example)


class AccessDenied(NotPermitted):
    """The footprint exists but was not shared with this client (PACT: 403 AccessDenied)."""


def share(
    session: Session,
    principal: Principal,
    validation_id: str,
    client_id: str,
    *,
    now: datetime,
    source: str = "/3/events",
) -> PactShare:
    """Share the caller's conformant validation ``validation_id`` with the partner ``client_id``."""
    principal.require("certifier", "platform")
    validation = repo.get_validation(session, validation_id, org_id=principal.org_id)
    if not validation.conformant:
        raise InputError(f"validation {validation_id} is not conformant; only validated declarations are shared")
    pact_repo.require_client(session, client_id)
    footprint, doc = _footprint_of(session, validation, now)
    row = pact_repo.upsert_share(
        session,
        PactShare(
            client_id=client_id,
            pf_id=footprint.pf_id,
            owner_org=principal.org_id,
            active=True,
            shared_at=now,
            shared_by=principal.client_id,
        ),
    )
    _announce_new_version(session, footprint, doc, client_id, now, source)
    return row


def unshare(session: Session, principal: Principal, pf_id: str, client_id: str, *, now: datetime) -> PactShare:
    principal.require("certifier", "platform")
    row = pact_repo.get_share(session, client_id, pf_id)
    if row is None or row.owner_org != principal.org_id:
        raise NotFound(f"footprint {pf_id} is not shared with {client_id}")
    row.active, row.unshared_at, row.unshared_by = False, now, principal.client_id
    session.add(row)
    session.flush()
    return row


def list_shares(session: Session, principal: Principal, client_id: str | None = None) -> list[PactShare]:
    principal.require("certifier", "platform")
    return pact_repo.list_shares(session, principal.org_id, client_id=client_id)


def share_public(row: PactShare) -> dict[str, Any]:
    return {
        "client_id": row.client_id,
        "pf_id": row.pf_id,
        "owner_org": row.owner_org,
        "active": row.active,
        "shared_at": row.shared_at.isoformat(),
        "shared_by": row.shared_by,
        "unshared_at": row.unshared_at.isoformat() if row.unshared_at else None,
        "unshared_by": row.unshared_by,
    }


def _footprint_of(session: Session, validation: Validation, now: datetime) -> tuple[PactFootprint, dict[str, Any]]:
    """The served footprint of a validation (stored once, on first share), and its PACT v3 document."""
    from registry.convert import to_pact_v3
    from registry.findings import Severity

    conversion = to_pact_v3(validation.declaration, keep_extension=True)
    errors = [f for f in conversion.findings if f.severity == Severity.ERROR]
    if errors:
        listed = "; ".join(f"{f.path or '/'}: {f.message}" for f in errors[:5])
        raise InputError(f"validation {validation.id} is not a schema-valid PACT v3 footprint: {listed}")
    doc = conversion.document
    pf_id = str(doc["id"])
    existing = pact_repo.get_footprint(session, pf_id)
    if existing is not None:
        if existing.owner_org != validation.org_id or existing.declaration_digest != validation.declaration_digest:
            raise Conflict(
                f"footprint id {pf_id} is already served with other content; a changed footprint needs a new id "
                "naming the old one in precedingPfIds (PACT v3 lifecycle)"
            )
        return existing, doc
    start, end = validity(doc)
    row = PactFootprint(
        pf_id=pf_id,
        owner_org=validation.org_id,
        validation_id=validation.id,
        declaration_digest=validation.declaration_digest,
        served=served_prefix(doc),
        status=str(doc.get("status") or "Active"),
        valid_from=start,
        valid_until=end,
        created_at=now,
    )
    return pact_repo.add_footprint(session, row, footprint_keys(doc)), doc


def served_prefix(doc: dict[str, Any]) -> bytes:
    """The stored bytes of a footprint: its JSON without ``status``, ``extensions`` last and left open
    (``...,"extensions":[e1,e2``), so that serving appends the certification and the status only."""
    rest = {k: v for k, v in doc.items() if k not in ("status", "extensions")}
    exts = doc.get("extensions") or []
    head = orjson.dumps(rest)[:-1]
    head += (b"," if rest else b"") + b'"extensions":' + orjson.dumps(exts)[:-1]
    return head + (b"," if exts else b"")


def _announce_new_version(
    session: Session, footprint: PactFootprint, doc: dict[str, Any], client_id: str, now: datetime, source: str
) -> None:
    preceding = [p for p in doc.get("precedingPfIds") or [] if isinstance(p, str)]
    if not preceding:
        return
    pact_repo.deprecate(session, preceding, footprint.owner_org)
    had = pact_repo.clients_sharing(session, preceding).get(client_id)
    if had:
        pact_events.queue_published(
            session, client_id, [footprint.pf_id], owner=footprint.owner_org, now=now, source=source
        )


# ------------------------------------------------------------------ what a client sees


def page(session: Session, client_id: str, criteria: Criteria, *, after: str | None, limit: int) -> list[Any]:
    """Up to ``limit`` footprints shared with ``client_id`` matching ``criteria``, after the cursor's id."""
    if criteria.matches_nothing() or limit <= 0:
        return []
    return pact_repo.page_for_client(
        session,
        client_id,
        keys=criteria.keys,
        status=criteria.status,
        valid_on=criteria.valid_on,
        valid_after=criteria.valid_after,
        valid_before=criteria.valid_before,
        after=after,
        limit=limit,
    )


def get_for_client(session: Session, client_id: str, pf_id: str) -> PactFootprint:
    row = pact_repo.get_footprint(session, pf_id)
    if row is None:
        raise NotFound(f"no footprint with id {pf_id}")
    if not pact_repo.shared_with(session, client_id, pf_id):
        raise AccessDenied(f"footprint {pf_id} has not been shared with this client")
    return row


def served_bytes(session: Session, rows: Sequence[Any]) -> list[bytes]:
    """The ProductFootprints as served, as JSON bytes: the stored document, its current status, and the
    certification extension (spliced, never parsed: a page of 100 costs no JSON decoding)."""
    if not rows:
        return []
    certs = pact_repo.certification(session, sorted({r.declaration_digest for r in rows}))
    validations = {v.id: v for v in _validations(session, sorted({r.validation_id for r in rows}))}
    out = []
    exts: dict[tuple[str, str, str], bytes] = {}  # the same declaration shared twice: one extension
    for row in rows:
        key = (row.owner_org, row.validation_id, row.declaration_digest)
        if key not in exts:
            ext = _certification(row, validations.get(row.validation_id), certs.get(row.declaration_digest, {}))
            exts[key] = orjson.dumps(ext)
        out.append(bytes(row.served) + exts[key] + b'],"status":' + orjson.dumps(row.status) + b"}")
    return out


def served(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The ProductFootprints as served, as objects (for events; the routes send :func:`served_bytes`)."""
    return [orjson.loads(b) for b in served_bytes(session, rows)]


def _validations(session: Session, ids: list[str]) -> list[Validation]:
    from sqlmodel import col, select

    return list(session.exec(select(Validation).where(col(Validation.id).in_(ids))))


def _certification(row: Any, validation: Validation | None, cert: dict[str, list[Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"declarationDigest": row.declaration_digest, "owner": row.owner_org}
    if validation is not None:
        data["validation"] = {
            "id": validation.id,
            "pack": f"{validation.pack_id}@{validation.pack_version}",
            "packDigest": validation.pack_digest,
            "conformant": validation.conformant,
            "validatedAt": validation.created_at.isoformat(),
        }
    data["audits"] = [_audit(a) for a in cert.get("audits", [])]
    data["recognitions"] = [
        {"id": r.id, "audit": r.audit_id, "certifier": r.certifier_id, "createdAt": r.created_at.isoformat()}
        for r in cert.get("recognitions", [])
    ]
    data["labels"] = [_label(lab) for lab in cert.get("labels", [])]
    return {"specVersion": EXTENSION_SPEC_VERSION, "dataSchema": CERTIFICATION_SCHEMA_ID, "data": data}


def _audit(a: Any) -> dict[str, Any]:
    out = {"id": a.id, "certifier": a.certifier_id, "digest": a.digest, "createdAt": a.created_at.isoformat()}
    out["state"] = "revoked" if a.revoked_at is not None else "valid"
    if a.revoked_at is not None:
        out["revokedAt"] = a.revoked_at.isoformat()
    return out


def _label(lab: Any) -> dict[str, Any]:
    return {
        "id": lab.id,
        "certifier": lab.certifier_id,
        "scheme": lab.scheme,
        "grade": lab.grade,
        "kid": lab.kid,
        "state": lab.state.value if hasattr(lab.state, "value") else str(lab.state),
        "stateChangedAt": lab.state_changed_at.isoformat(),
        "expiresAt": lab.expires_at.isoformat(),
        "statusList": {"list": lab.status_list, "index": lab.status_idx},
        "token": base64.urlsafe_b64encode(bytes(lab.token)).rstrip(b"=").decode(),
    }


# ------------------------------------------------------------------ events from partners

REQUEST_ANSWER_MAX = 1000  # footprints in one RequestFulfilledEvent (our bound, not PACT's)


def receive_event(
    session: Session, client_id: str, event: dict[str, Any], *, now: datetime, source: str = "/3/events"
) -> Any:
    """Record a checked event from ``client_id``; a RequestCreatedEvent queues its answer (the outbox)."""
    partner = pact_repo.get_partner(session, client_id)
    is_request = event["type"] in (pact_events.REQUEST_CREATED, pact_v2.REQUEST_CREATED)
    if is_request and partner is not None and not pact_events.source_matches(event["source"], partner.base_url):
        raise InputError(f"source {event['source'][:200]!r} does not name the host registered for this client")
    received = pact_events.record_received(session, client_id, event, now=now)
    if event["type"] == pact_events.REQUEST_CREATED:
        _answer_request(session, client_id, event, received, now, source)
    elif event["type"] == pact_v2.REQUEST_CREATED:
        _answer_request_v2(session, client_id, event, received, now, source)
    return received


def _answer_request(
    session: Session, client_id: str, event: dict[str, Any], received: Any, now: datetime, source: str
) -> None:
    from registry.service.pact_query import criteria_from_request

    criteria = criteria_from_request(event["data"])
    rows = page(session, client_id, criteria, after=None, limit=REQUEST_ANSWER_MAX)
    owners = sorted({r.owner_org for r in rows})
    if rows:
        data: dict[str, Any] = {"requestEventId": event["id"], "pfs": served(session, rows)}
        answer = pact_events.new_event(pact_events.REQUEST_FULFILLED, data, source=source, now=now)
    else:
        error = {"code": "NotFound", "message": "no footprint shared with this client matches the request"}
        answer = pact_events.new_event(
            pact_events.REQUEST_REJECTED, {"requestEventId": event["id"], "error": error}, source=source, now=now
        )
    pact_events.queue(session, client_id, answer, owners=owners, now=now, in_reply_to=event["id"])
    pact_repo.save_event(session, received, owners=owners)


def _answer_request_v2(
    session: Session, client_id: str, event: dict[str, Any], received: Any, now: datetime, source: str
) -> None:
    """A v2 request: the same footprints as v3 would match, as v2.3 documents (those v2.3 can express)."""
    criteria = pact_v2.criteria_from_fragment(event["data"])
    rows = page(session, client_id, criteria, after=None, limit=REQUEST_ANSWER_MAX)
    pfs = [doc for doc, _ in served_v2(session, rows) if doc is not None]
    owners = sorted({r.owner_org for r in rows})
    if pfs:
        data: dict[str, Any] = {"requestEventId": event["id"], "pfs": pfs}
        answer = pact_events.new_event(pact_v2.REQUEST_FULFILLED, data, source=source, now=now)
    else:
        message = "no footprint shared with this client matches the request (as a PACT v2.3 footprint)"
        error = {"code": pact_v2.NOT_FOUND_CODE, "message": message}
        data = {"requestEventId": event["id"], "error": error}
        answer = pact_events.new_event(pact_v2.REQUEST_REJECTED, data, source=source, now=now)
    pact_events.queue(session, client_id, answer, owners=owners, now=now, in_reply_to=event["id"])
    pact_repo.save_event(session, received, owners=owners)


def served_v2(session: Session, rows: Sequence[Any]) -> list[tuple[dict[str, Any] | None, str]]:
    """The footprints as served on ``/2/``: each the v2.3 document, or None and why v2.3 cannot express it."""
    return [pact_v2.as_v2(doc, CERTIFICATION_SCHEMA_ID) for doc in served(session, rows)]


# ------------------------------------------------------------------ partners' own hosts


def set_partner(
    session: Session,
    principal: Principal,
    client_id: str,
    *,
    base_url: str,
    remote_client_id: str,
    remote_client_secret: str,
    auth_base_url: str | None = None,
    master_key: bytes,
    now: datetime,
) -> PactPartner:
    """Where the partner behind ``client_id`` receives events, and the credentials it gave the registry.

    Only the organisation that holds the client credential (or the admin) says so.
    """
    cred = pact_repo.require_client(session, client_id)
    principal.require_org(cred.org_id)
    for name, url in (("base_url", base_url), ("auth_base_url", auth_base_url or base_url)):
        if not url.startswith("https://"):
            raise InputError(f"{name} must be an https:// URL (PACT is served over HTTPS only), not {url[:100]!r}")
    if not remote_client_id or not remote_client_secret:
        raise InputError("the partner's client id and secret are both needed to authenticate to its host")
    row = PactPartner(
        client_id=client_id,
        base_url=base_url.rstrip("/"),
        auth_base_url=(auth_base_url or base_url).rstrip("/"),
        remote_client_id=remote_client_id,
        remote_secret_sealed=pact_events.seal_secret(remote_client_secret, master_key, client_id),
        updated_at=now,
    )
    return pact_repo.put_partner(session, row)


def partner_public(row: PactPartner) -> dict[str, Any]:
    """Never the partner's secret."""
    return {
        "client_id": row.client_id,
        "base_url": row.base_url,
        "auth_base_url": row.auth_base_url,
        "remote_client_id": row.remote_client_id,
        "updated_at": row.updated_at.isoformat(),
    }


def events_for(session: Session, principal: Principal, limit: int = 200) -> list[Any]:
    """The events received from and sent to the partners of the caller's organisation, newest first."""
    principal.require("certifier", "platform")
    return pact_repo.events_for_owner(session, principal.org_id, limit=limit)


# ------------------------------------------------------------------ the operator at the data directory


def acting_for(session: Session, org_id: str) -> Principal:
    """The operator (``pcfreg pact ...``) acting as organisation ``org_id`` in its own role."""
    org = repo.get_organisation(session, org_id)
    return Principal(org_id=org.id, kind=org.kind.value, client_id="pcfreg-operator", via="cli")
