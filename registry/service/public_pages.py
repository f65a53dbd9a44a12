"""What the consumer page and its human pages show beyond the label itself (issue 14): the grading scale
a label's grade sits on, scheme titles in both languages, where the label stands in the public log, a
rule pack's grading as people read it, and a certifier with its accreditations.

Plain functions over a Session and the stored packs (``packs.catalog()``); the pages are rendered in
:mod:`issuance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.errors import InputError
from registry.storage import repo
from registry.storage.errors import NotFound
from registry.storage.models import Label, OrgKind

LANGS = ("en", "zh")


def _both(value: Any, fallback: str) -> dict[str, str]:
    """``{"en": ..., "zh": ...}`` from a bilingual mapping (a missing language takes the other), else fallback."""
    if isinstance(value, Mapping) and value:
        first = str(next(iter(value.values())))
        return {lang: str(value.get(lang) or value.get("en") or first) for lang in LANGS}
    if isinstance(value, str) and value:
        return {lang: value for lang in LANGS}
    return {lang: fallback for lang in LANGS}


def scheme_titles(packs: Any, scheme_id: str) -> dict[str, str]:
    """A scheme's title per language: the crosswalk's (English), and in Chinese the zh title of the scheme's own
    pack (the packs carry both languages); the id when nothing names it."""
    from registry.crosswalk import load_crosswalks

    scheme = load_crosswalks().schemes.get(scheme_id)
    if scheme is None:
        return {lang: scheme_id for lang in LANGS}
    titles = {"en": scheme.title, "zh": scheme.title}
    for pack_id in scheme.packs:
        try:
            title = packs.catalog().get(pack_id).data.get("title")
        except InputError:
            continue
        if isinstance(title, Mapping) and title.get("zh"):
            titles["zh"] = str(title["zh"])
            break
    return titles


def _pack_grading(packs: Any, ref: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The grading block as written (nearest in the pack's ``extends`` chain) and the pack's own data."""
    catalog = packs.catalog()
    data = catalog.get(ref).data
    for pack_ref in reversed(catalog.resolve(ref).chain):
        grading = catalog.get(pack_ref).data.get("grading")
        if isinstance(grading, dict):
            return grading, data
    return None, data


def label_scale(s: Any, packs: Any, label: Label) -> dict[str, Any] | None:
    """The scale a label's grade sits on: ``bands`` [(grade, max)], ``category`` per language and whether it is
    ``illustrative``: the grading catalogue's category when the label names one, else the pack's own bands
    (the pack's title names the category). None for an ungraded label or one whose bands cannot be found."""
    if label.grade is None:
        return None
    catalogue = getattr(label, "catalogue", None)
    if catalogue:
        regrade = getattr(label, "regrade", None)  # a re-graded label sits on its re-grade's version's bands
        if regrade:
            return _catalogue_scale(s, str(regrade["catalogue"]), label.pack_id, str(regrade["grade"]))
        return _catalogue_scale(s, catalogue, label.pack_id, label.grade)
    grading, data = _pack_grading(packs, f"{label.pack_id}@{label.pack_version}")
    if not grading or not grading.get("bands"):
        return None
    bands = [(str(b["grade"]), None if b.get("max") is None else str(b["max"])) for b in grading["bands"]]
    return {"bands": bands, "category": _both(data.get("title"), label.pack_id), "illustrative": True}


def _catalogue_scale(s: Any, ref: str, pack_id: str, grade: str) -> dict[str, Any] | None:
    from registry.service.catalogues import row_catalogue
    from registry.storage import catalogues as store

    ident, _, version = ref.partition("@")
    row = store.find_version(s, ident, version)
    if row is None:
        return None
    categories = row_catalogue(row).categories
    by_pack = [c for c in categories if pack_id in c.data.get("match", {}).get("packs", [])]
    by_grade = [c for c in categories if grade in {b.grade for b in c.bands}]
    if not (by_pack or by_grade):
        return None
    chosen = (by_pack or by_grade)[0]
    bands = [(b.grade, None if b.max is None else str(b.max)) for b in chosen.bands]
    return {"bands": bands, "category": _both(chosen.data.get("title"), chosen.id), "illustrative": False}


def log_line(s: Any, label_id: str) -> dict[str, int | None]:
    """The index of the label's issue entry in the public log and the log's current size (the latest
    checkpoint's); ``index`` None for a label issued before the log was kept."""
    from registry.storage import tlog as log_store

    entries = log_store.entries_about(s, label_id, "label.issue")
    size, _ = log_store.head(s)
    return {"index": entries[0].idx if entries else None, "size": size}


def pack_grading_page(packs: Any, pack_id: str, version: str) -> dict[str, Any]:
    """What a rule pack's grading page shows, per language: title, publisher, declared unit, metric, bands
    with their limits and meanings, basis and the pack's notice. NotFound for an unknown pack version."""
    ref = f"{pack_id}@{version}"
    try:
        grading, data = _pack_grading(packs, ref)
    except InputError as e:
        raise NotFound(f"no rule pack {ref}") from e
    unit = data.get("declaredUnit") or {}
    out: dict[str, Any] = {
        "pack_ref": ref,
        "title": _both(data.get("title"), pack_id),
        "publisher": _both((data.get("publisher") or {}).get("name"), pack_id.split("/", 1)[0]),
        "declared_unit": f"{unit.get('amount', '1')} {unit.get('unit', 'kilogram')}",
        "metric": (grading or {}).get("metric", "pcfExcludingBiogenicUptake"),
        "basis": _both(grading.get("basis"), "") if grading else {lang: "" for lang in LANGS},
        "notice": _both((data.get("provenance") or {}).get("notice"), ""),
        "bands": [],
    }
    for band in (grading or {}).get("bands") or []:
        meaning = _both(band.get("label"), "")
        out["bands"].append({"grade": str(band["grade"]), "max": band.get("max"), "meaning": meaning})
    return out


def _policy(packs: Any, scheme_id: str, stated: Mapping[str, str | None]) -> dict[str, Any]:
    from registry.accreditation import policy_for

    value = policy_for(scheme_id, stated).value
    return {"scheme": scheme_titles(packs, scheme_id), "policy": value, "is_default": not stated.get(scheme_id)}


def certifier_page(s: Any, packs: Any, org_id: str) -> dict[str, Any] | None:
    """A certifier's public facts: name, public contact (None: none published), each accreditation as it
    stands now (state, scope, validity) with scheme titles per language, and the label policy of each scheme in
    scope. None: no such certifier."""
    from registry.service.accreditations import scheme_policies
    from registry.service.contacts import contact_of
    from registry.storage import accreditations as store

    try:
        org = repo.get_organisation(s, org_id)
    except NotFound:
        return None
    if OrgKind(org.kind) is not OrgKind.CERTIFIER:
        return None
    latest: dict[str, Any] = {}
    for row in store.versions(s, certifier_id=org_id):
        if row.accreditation_id not in latest or row.version > latest[row.accreditation_id].version:
            latest[row.accreditation_id] = row
    stated = scheme_policies()
    lines, schemes = [], []
    for row in latest.values():
        scope = row.content.get("scope", {})
        schemes += [sid for sid in scope.get("schemes", []) if sid not in schemes]
        lines.append(
            {
                "ref": f"{row.accreditation_id}@{row.version}",
                "body_name": repo.get_organisation(s, row.body_id).name,
                "state": row.state,
                "since": row.recorded_at.date(),
                "valid_from": row.content.get("valid_from"),
                "valid_until": row.content.get("valid_until"),
                "schemes": [scheme_titles(packs, sid) for sid in scope.get("schemes", [])],
                "categories": list(scope.get("categories", [])),
                "regions": list(scope.get("regions", [])),
                "standard": row.content.get("standard"),
            }
        )
    policies = [_policy(packs, sid, stated) for sid in schemes]
    contact = contact_of(org)
    return {
        "org_id": org.id,
        "name": org.name,
        "contact": contact.to_json() if contact else None,
        "accreditations": lines,
        "policies": policies,
    }
