"""Grading catalogues in the registry (issue 13): publish (signed by an authority, meta-checked, immutable),
read, diff, compute a percentile draft from the registry's own labels, pick the catalogue that grades a
label, and category statistics above the disclosure floor.

Publishing follows the packs' path: the envelope is checked against the keys registered for the
catalogue's namespace; the namespace organisation must be an authority for the role the catalogue states
(:func:`registry.catalogues.publisher_may_grade`); a stored ``id@version`` never changes (the same content
again is a no-op, other content a :class:`VersionConflict`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from registry.catalogues import (
    Catalogue,
    CatalogueCheckFailed,
    GradedLabel,
    Observation,
    Outcome,
    RegradeStep,
    catalogue_from_data,
    category_statistics,
    check_catalogue,
    compute_draft,
    diff_catalogues,
    grading_standing,
    plan_regrades,
    publisher_may_grade,
    transition_of,
    verify_signed_catalogue,
)
from registry.errors import InputError, Location, NotPermitted
from registry.findings import Finding, Severity
from registry.service import statuses, tlog
from registry.service.packs import VersionConflict
from registry.service.principal import Principal
from registry.service.publisher_keys import trusted_keys
from registry.storage import catalogues as store
from registry.storage.models import CatalogueVersion, Label, PackStatus
from registry.storage.repo import get_organisation


@dataclass(frozen=True)
class PublishOutcome:
    row: CatalogueVersion
    created: bool
    findings: tuple[Finding, ...] = ()


def row_catalogue(row: CatalogueVersion) -> Catalogue:
    return Catalogue(row.content)


def namespace_of(envelope: Any) -> str:
    document = envelope.get("catalogue") if isinstance(envelope, dict) else None
    ident = document.get("id") if isinstance(document, dict) else None
    if not isinstance(ident, str) or "/" not in ident:
        raise InputError("the envelope has no grading catalogue with an id", Location(pointer="/catalogue/id"))
    return ident.split("/", 1)[0]


def meta_check(catalogue: Catalogue) -> tuple[Finding, ...]:
    """The meta check; :class:`CatalogueCheckFailed` when it finds an error."""
    findings = check_catalogue(catalogue)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise CatalogueCheckFailed(
            f"{catalogue.ref} fails its meta check ({len(errors)} error(s)): {errors[0].path}: {errors[0].message}",
            Location(pointer="/catalogue" + errors[0].path),
            findings=findings,
        )
    return tuple(findings)


def _require_authority(session: Session, catalogue: Catalogue) -> None:
    org = get_organisation(session, catalogue.namespace)
    role = str(catalogue.data["publisher"]["role"])
    kind = org.kind.value if hasattr(org.kind, "value") else str(org.kind)
    if not publisher_may_grade(kind, role):
        raise NotPermitted(
            f"{catalogue.namespace} is a {kind} organisation and may not publish a grading catalogue as {role}: "
            "a scheme owner (standards body) or a regulator sets grades"
        )


def publish(session: Session, principal: Principal, envelope: Any, *, now: datetime) -> PublishOutcome:
    """Check and store a signed catalogue; nothing is stored when anything fails."""
    principal.require("publisher", "regulator")
    namespace = namespace_of(envelope)
    principal.require_org(namespace)
    verified = verify_signed_catalogue(envelope, trusted_keys(session, namespace))
    catalogue = verified.catalogue
    _require_authority(session, catalogue)
    existing = store.find_version(session, catalogue.id, catalogue.version)
    if existing is not None:
        if existing.digest == verified.digest:
            return PublishOutcome(existing, created=False)
        raise VersionConflict.of(catalogue.ref, existing.digest, verified.digest)
    findings = meta_check(catalogue)
    row = store.insert_version(session, catalogue.to_json(), envelope, verified.digest, now=now)
    fields = {"ref": catalogue.ref, "digest": verified.digest, "status": "published"}
    tlog.append_event(session, "catalogue.publish", fields, now)
    return PublishOutcome(row, created=True, findings=findings)


def change_status(
    session: Session,
    principal: Principal,
    catalogue_id: str,
    version: str,
    status: PackStatus,
    *,
    reason: str,
    now: datetime,
) -> CatalogueVersion:
    """Deprecate or withdraw a version, for its owner (the namespace's authority), with a reason, logged. A
    deprecated version still grades labels while in force; a withdrawn one grades no new label (labels it
    graded keep the grade their token signs, and their record shows the withdrawal)."""
    return statuses.change_status(
        session,
        principal,
        catalogue_id,
        version,
        status,
        reason=reason,
        now=now,
        roles=("publisher", "regulator"),
        get=store.get_version,
        move=store.set_status,
        log_kind="catalogue.status",
    )


def version_json(row: CatalogueVersion) -> dict[str, Any]:
    """What a listing shows of a stored version."""
    content = row.content
    return {
        "ref": f"{row.catalogue_id}@{row.version}",
        "id": row.catalogue_id,
        "version": row.version,
        "status": row.status.value if hasattr(row.status, "value") else str(row.status),
        "title": content["title"],
        "publisher": content["publisher"],
        "effective": content["effective"],
        "transition": content["transition"],
        "digest": row.digest,
        "categories": [c["id"] for c in content["categories"]],
        "status_reason": row.status_reason,
        "status_changed_at": row.status_changed_at.isoformat() if row.status_changed_at else None,
    }


def list_versions(session: Session, catalogue_id: str | None = None) -> list[CatalogueVersion]:
    return store.list_versions(session, catalogue_id)


def get_version(session: Session, catalogue_id: str, version: str | None = None) -> CatalogueVersion:
    """One version, or the highest stored one when ``version`` is None."""
    if version is not None:
        return store.get_version(session, catalogue_id, version)
    rows = store.list_versions(session, catalogue_id)
    if not rows:
        return store.get_version(session, catalogue_id, "latest")  # NotFound, naming the catalogue
    from registry.semver import precedence

    return max(rows, key=lambda r: precedence(r.version))


def diff_versions(session: Session, catalogue_id: str, old: str, new: str) -> list[dict[str, Any]]:
    return diff_catalogues(
        row_catalogue(get_version(session, catalogue_id, old)), row_catalogue(get_version(session, catalogue_id, new))
    )


# Catalogues by (row id, digest): a stored version never changes, so one read and parsed before is reused
# (issuing asks for every transaction); which versions apply is read from the database each time.
_BY_ROW: dict[tuple[int, str], Catalogue] = {}


def published_catalogues(session: Session, on: date) -> list[Catalogue]:
    """The catalogues published and effective on ``on``, read and parsed once: a batch of labels issued
    at one time is graded against this list (:func:`registry.catalogues.catalogue_in_force`)."""
    keys = store.published_keys(session, on)
    if len(_BY_ROW) > 10_000:
        _BY_ROW.clear()
    missing = [row_id for row_id, digest in keys if (row_id, digest) not in _BY_ROW]
    if missing:
        for row_id, row in store.versions_by_id(session, missing).items():
            _BY_ROW[(row_id, row.digest)] = row_catalogue(row)
    return [_BY_ROW[key] for key in keys]


def grading_of(session: Session, ref: str, grade: str | None, on: date) -> dict[str, Any]:
    """What the consumer page shows of a label's catalogue grade: the catalogue's grades best first (for the
    badge's colour) and the transition rule as it stands on ``on`` (None while the version is current)."""
    ident, _, version = ref.partition("@")
    row = store.find_version(session, ident, version)
    if row is None:
        return {"grades": (), "transition": None}
    catalogue = row_catalogue(row)
    scale = next(
        (tuple(b.grade for b in c.bands) for c in catalogue.categories if grade in {b.grade for b in c.bands}), ()
    )
    later = applicable_catalogues(session, ident)
    return {"grades": scale, "transition": transition_of(ref, later, on)}


def applicable_catalogues(session: Session, catalogue_id: str | None = None) -> list[Catalogue]:
    """Every stored version but the withdrawn ones: what transitions and re-grades are judged against."""
    rows = store.list_versions(session, catalogue_id)
    return [row_catalogue(r) for r in rows if PackStatus(r.status) is not PackStatus.WITHDRAWN]


def _withdrawn(session: Session, catalogue_id: str) -> dict[str, dict[str, Any]]:
    return {
        f"{r.catalogue_id}@{r.version}": {
            "reason": r.status_reason,
            "at": r.status_changed_at.isoformat() if r.status_changed_at else None,
        }
        for r in store.list_versions(session, catalogue_id)
        if PackStatus(r.status) is PackStatus.WITHDRAWN
    }


def withdrawal_of(session: Session, ref: str) -> dict[str, Any] | None:
    """``{reason, at}`` when the catalogue version ``ref`` (``<id>@<version>``) was withdrawn, else None."""
    return _withdrawn(session, ref.partition("@")[0]).get(ref)


def standing_of(session: Session, label: Label, on: date) -> dict[str, Any] | None:
    """Where a catalogue-graded label's grade stands on ``on`` (registry.catalogues.grading_standing): current,
    re-graded, kept, re-grade due or outdated, and whether its catalogue version was withdrawn."""
    if label.catalogue is None:
        return None
    ident = label.catalogue.partition("@")[0]
    standing = grading_standing(
        label.catalogue, label.regrade, applicable_catalogues(session, ident), on, withdrawn=_withdrawn(session, ident)
    )
    if standing is not None and standing["grade"] is None:
        standing["grade"] = label.grade
    return standing


@dataclass(frozen=True)
class RegradeReport:
    catalogue: str
    on: date
    applied: bool
    steps: tuple[RegradeStep, ...]

    def to_json(self) -> dict[str, Any]:
        regraded = sum(1 for s in self.steps if s.outcome is Outcome.REGRADE)
        return {
            "catalogue": self.catalogue,
            "on": self.on.isoformat(),
            "applied": self.applied,
            "regrade": regraded,
            "cannot_regrade": len(self.steps) - regraded,
            "steps": [s.to_json() for s in self.steps],
        }


def _graded(session: Session, rows: Sequence[Label], catalogues: Sequence[Catalogue]) -> list[GradedLabel]:
    """What a re-grade reads of each label; product codes from a stored validation of its declaration, read
    only when a category matches by HS code."""
    from registry.declarations import classification_codes

    by_hs = any("hs" in c.data["match"] for cat in catalogues for c in cat.categories)
    digests = [r.declaration_digest for r in rows if r.declaration_digest] if by_hs else []
    declarations = store.declarations_of(session, digests)
    out = []
    for r in rows:
        declaration = declarations.get(r.declaration_digest or "")
        hs = tuple(classification_codes(declaration)[0]) if declaration is not None else ()
        ref, grade = (r.regrade["catalogue"], r.regrade["grade"]) if r.regrade else (r.catalogue, r.grade)
        claims = r.claims
        out.append(
            GradedLabel(
                r.id,
                r.certifier_id,
                r.pack_id,
                r.region,
                hs,
                str(claims["value"]),
                str(claims["declared_unit"]),
                str(ref),
                str(grade),
            )
        )
    return out


def regrade(
    session: Session, principal: Principal, catalogue_id: str, *, now: datetime, apply: bool = False
) -> RegradeReport:
    """The catalogue's owner enforces its transition rule "re-grade by D": each standing label graded under an
    earlier version gets its grade under the version now in force, recorded on the label (the token's own grade
    stays what it signs), logged (``label.regrade``) and kept in its history. Without ``apply``, nothing is
    written: the report says what would change. A label the current version cannot grade from its record is
    reported and left as it is (after D it shows as outdated)."""
    from registry.service import label_history
    from registry.storage.models import LabelEventKind

    principal.require("publisher", "regulator")
    principal.require_org(catalogue_id.split("/", 1)[0])
    get_version(session, catalogue_id)  # NotFound for an unknown catalogue
    catalogues = applicable_catalogues(session, catalogue_id)
    rows = store.graded_labels(session, catalogue_id, now=now)
    steps = plan_regrades(_graded(session, rows, catalogues), catalogues, now.date())
    if apply:
        by_id = {r.id: r for r in rows}
        for step in steps:
            if step.outcome is not Outcome.REGRADE:
                continue
            label = by_id[step.label_id]
            fields: dict[str, Any] = {"label_id": label.id, "certifier": label.certifier_id}
            fields |= {"catalogue": step.current, "grade": step.grade, "previous": step.previous}
            index = tlog.append_event(session, "label.regrade", fields, now)
            previous = {"catalogue": step.previous, "grade": step.previous_grade}
            recorded: dict[str, Any] = {"catalogue": step.current, "grade": step.grade, "at": now.isoformat()}
            label.regrade = recorded | {"previous": previous, "by": principal.org_id, "tlog_index": index}
            session.add(label)
            reason = f"transition rule of {step.current}: re-grade by {step.by.isoformat()}"
            detail = {"catalogue": step.current, "grade": step.grade, "previous": previous}
            label_history.record(
                session,
                label,
                LabelEventKind.REGRADED,
                by=principal.org_id,
                reason=reason,
                at=now,
                tlog_index=index,
                detail=detail,
            )
    return RegradeReport(catalogue_id, now.date(), apply, tuple(steps))


def observations(session: Session, pack_ids: Sequence[str], *, until: date | None = None) -> list[Observation]:
    """The registry's own valid labels under ``pack_ids``, issued up to the end of ``until`` (UTC)."""
    end = datetime.combine(until, time.max, tzinfo=UTC) if until is not None else None
    rows = store.label_figures(session, pack_ids, until=end)
    return [Observation(company, Decimal(value), issued.date()) for company, value, issued in rows]


def _source(session: Session) -> Any:
    def source(match: Mapping[str, Any], cutoff: date) -> Iterable[Observation]:
        if set(match) != {"packs"}:
            raise InputError(
                "a percentile category is computed from the labels of its packs: its match may name packs only "
                "(labels do not record HS codes or regions)",
                Location(pointer="/categories"),
            )
        return observations(session, match["packs"], until=cutoff)

    return source


def compute(session: Session, template: Any) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """The draft of a percentile catalogue, its limits computed from this registry's labels and frozen, and
    the meta check's findings; the draft is schema-checked and must pass the meta check."""
    if not isinstance(template, dict) or not isinstance(template.get("categories"), list):
        raise InputError("a catalogue template is a JSON object with categories", Location(pointer="/categories"))
    try:
        draft = compute_draft(template, _source(session))
    except (KeyError, TypeError, ValueError, ArithmeticError) as e:
        raise InputError(f"the template is not a catalogue document: {e!r} is missing or wrong") from e
    catalogue = catalogue_from_data(draft)
    findings = check_catalogue(catalogue)
    return draft, tuple(findings)


def statistics(session: Session, pack_id: str) -> dict[str, Any]:
    """Category statistics of a pack's labels, or ``published: false`` below the floor."""
    return category_statistics(pack_id, observations(session, [pack_id]))
