"""PACT v2.3 where it costs little (issue 16): the same shares served as v2.3 footprints, and v2 events.

* A footprint is served on ``/2/`` as the v2.3 document the converter makes of the v3 one served on
  ``/3/`` (:func:`registry.convert.to_pact_v2`, the inverse of the v2 -> v3 upgrade), with the same
  certification extension and current ``status``. A footprint that v2.3 cannot express (the converter
  reports a schema error, e.g. no ``productCategoryCpc``) is not served on ``/2/``: it is left out of
  lists and GetFootprint answers 404 ``NoSuchFootprint`` naming why.
* v2 events (``org.wbcsd.pathfinder.*.v1``, CloudEvents 1.0): :func:`check_event` refuses a malformed
  one naming the member; a ``ProductFootprintRequest.Created.v1`` is answered like a v3 request, its
  ``data.pf`` fragment matched by ``productIds`` and ``companyIds`` (other members are refused: 400),
  with ``Fulfilled.v1`` (v2.3 footprints) or ``Rejected.v1`` (``NoSuchFootprint``), POSTed to the
  partner's ``/2/events``.
* ``$filter`` (OData, optional in v2) is refused with 400 ``NotImplemented``, as the specification
  allows.

PACT v2.3 Technical Specifications section 8 (../shared/reference/pact.md sections 5 and 7.2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from registry.errors import InputError
from registry.service.pact_events import (
    check_cloudevent_attributes,
    check_pf_ids,
    check_rejected,
    check_request_id,
)
from registry.service.pact_query import Criteria, parse_criteria

PREFIX = "org.wbcsd.pathfinder."
PUBLISHED = PREFIX + "ProductFootprint.Published.v1"
REQUEST_CREATED = PREFIX + "ProductFootprintRequest.Created.v1"
REQUEST_FULFILLED = PREFIX + "ProductFootprintRequest.Fulfilled.v1"
REQUEST_REJECTED = PREFIX + "ProductFootprintRequest.Rejected.v1"
TYPES = (PUBLISHED, REQUEST_CREATED, REQUEST_FULFILLED, REQUEST_REJECTED)
# members of a request's data.pf fragment that select footprints, and the v3 criterion each becomes
FRAGMENT_CRITERIA = {"productIds": "productId", "companyIds": "companyId"}
NOT_FOUND_CODE = "NoSuchFootprint"  # v2 error codes: AccessDenied, BadRequest, NoSuchFootprint, ...


def is_v2(event_type: str) -> bool:
    return event_type.startswith(PREFIX)


def check_event(event: Any) -> dict[str, Any]:
    """A v2 CloudEvent as PACT v2.3 defines it, or an :class:`InputError` naming what is wrong."""
    check_cloudevent_attributes(event, TYPES)
    _CHECKS[event["type"]](event["data"])
    return dict(event)


def _check_created(data: Mapping[str, Any]) -> None:
    criteria_from_fragment(data)


def _check_fulfilled(data: Mapping[str, Any]) -> None:
    check_request_id(data)
    pfs = data.get("pfs")
    if not isinstance(pfs, list) or not all(isinstance(p, dict) for p in pfs):
        raise InputError("data.pfs must be an array of ProductFootprints")


_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    PUBLISHED: check_pf_ids,
    REQUEST_CREATED: _check_created,
    REQUEST_FULFILLED: _check_fulfilled,
    REQUEST_REJECTED: check_rejected,
}


def criteria_from_fragment(data: Mapping[str, Any]) -> Criteria:
    """The criteria of a v2 request: ``data.pf`` (a ProductFootprint fragment) by productIds and companyIds."""
    fragment = data.get("pf")
    if not isinstance(fragment, dict) or not fragment:
        raise InputError('data.pf must be a ProductFootprint fragment (an object), e.g. {"productIds": [...]}')
    params: list[tuple[str, str]] = []
    for member, value in fragment.items():
        criterion = FRAGMENT_CRITERIA.get(member)
        if criterion is None:
            supported = ", ".join(FRAGMENT_CRITERIA)
            raise InputError(f"data.pf.{member[:60]}: a request can select footprints by {supported} only")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise InputError(f"data.pf.{member} must be a non-empty array of strings")
        params += [(criterion, v) for v in value]
    return parse_criteria(params)


def refuse_filter(params: Sequence[tuple[str, str]]) -> None:
    """``$filter`` is optional in v2 and not implemented here: 400 NotImplemented (PACT v2.3 §8)."""
    if any(k == "$filter" for k, _ in params):
        raise FilterNotImplemented("$filter is not implemented by this host (optional in PACT v2); list without it")


class FilterNotImplemented(InputError):
    """PACT v2: a request for an optional feature the host does not offer (400 ``NotImplemented``)."""

    pact_code = "NotImplemented"


def as_v2(v3: dict[str, Any], certification_schema: str) -> tuple[dict[str, Any] | None, str]:
    """The v2.3 document of a served v3 footprint (its certification extension, the one whose
    ``dataSchema`` is ``certification_schema``, and its status kept), or None and why v2.3 cannot express it."""
    from registry.convert import to_pact_v2
    from registry.findings import Severity

    exts = v3.get("extensions") or []
    ours = [e for e in exts if isinstance(e, dict) and e.get("dataSchema") == certification_schema]
    rest = {**v3, "extensions": [e for e in exts if e not in ours]}
    try:
        conversion = to_pact_v2(rest, keep_extension=True)
    except InputError as e:
        return None, e.message
    errors = [f for f in conversion.findings if f.severity == Severity.ERROR]
    if errors:
        return None, "; ".join(f"{f.path or '/'}: {f.message}" for f in errors[:3])
    doc = dict(conversion.document)
    doc["status"] = v3.get("status", doc.get("status"))
    doc["extensions"] = [*(doc.get("extensions") or []), *ours]
    return doc, ""
