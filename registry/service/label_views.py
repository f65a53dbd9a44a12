"""What ``pcfreg label`` and the label routes show of a label: its JSON, its display names, and a
token read from the forms people pass around (base64url, base32, an offline label URL)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from issuance import (
    Verification,
    digital_link_url,
    label_url,
    offline_url,
    token_from_b64url,
    token_from_text,
    token_to_b64url,
)
from registry.service import labels as svc
from registry.storage import repo
from registry.storage.models import Label, LabelState


def label_json(
    label: Label, v: Verification, settings: svc.IssuanceSettings, log: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A label as the API gives it: ids, URLs, token, state and its current verification; with ``log``
    (:func:`registry.service.tlog.label_log`), its entry in the transparency log and the inclusion proof."""
    out = {
        "id": label.id,
        "url": label_url(settings.base_url, label.id),
        "offline_url": offline_url(settings.base_url, label.id, label.token),
        "token": token_to_b64url(label.token),
        "audit_id": label.audit_id,
        "product_name": label.product_name,
        "state": LabelState(label.state).value,
        "state_reason": label.state_reason,
        "state_changed_at": label.state_changed_at.isoformat(),
        "verification": v.to_json(),
        # the recalculation the label rests on (no inventory lines); None: a declared figure, not recomputed
        "recalculation": label.recalculation,
        "qr": label.qr_kind or "url",
    }
    if label.qr_kind == "digital-link":
        out["digital_link"] = qr_data(label, settings.base_url)
    if log is not None:
        out["log"] = log
    return out


def qr_data(label: Label, base_url: str, kind: str | None = None) -> str:
    """What the label's QR code holds: ``kind`` (default: the kind the label records, else the short URL)
    is ``url`` (the short label URL), ``offline`` (with the token) or ``digital-link`` (the product's GS1
    Digital Link URI: GTIN and the label's batch, resolved by this registry to its current label)."""
    kind = kind or label.qr_kind or "url"
    if kind == "offline":
        return offline_url(base_url, label.id, label.token)
    if kind == "digital-link":
        batch = label.claims.get("batch")
        return digital_link_url(base_url, label.gtin, batch=batch if isinstance(batch, str) else None)
    return label_url(base_url, label.id)


def names_in(s: Any, packs: Any, label: Label, on: date | None = None) -> dict[str, Any]:
    """Display names for a label: certifier, pack titles, scheme title, the grades best first (the catalogue's
    for a catalogue grade, else the pack's; none for an ungraded label), and for a catalogue grade the
    transition rule as it stands ``on`` (default today). ``packs`` is the stored packs (with ``catalog()``)."""
    from registry.crosswalk import load_crosswalks

    org = repo.get_organisation(s, label.certifier_id)
    row = repo.get_pack_version(s, label.pack_id, label.pack_version)
    ref = f"{label.pack_id}@{label.pack_version}"
    grading = row.content.get("grading") or packs.catalog().resolve(ref).grading
    if grading is None:  # a pack without bands: an ungraded label (issue 13)
        bands: list[dict[str, Any]] = []
    else:
        bands = grading["bands"] if isinstance(grading, dict) else [{"grade": b.grade} for b in grading.bands]
    schemes = load_crosswalks().schemes
    scheme = schemes.get(label.scheme)
    namespace, name = label.pack_id.split("/", 1)
    grades = tuple(b["grade"] for b in bands)
    transition = regraded = withdrawn = None
    catalogue = getattr(label, "catalogue", None)
    if catalogue:
        from registry.service.catalogues import grading_of, withdrawal_of

        day = on or datetime.now(UTC).date()
        regrade = getattr(label, "regrade", None)  # the grade stands under the re-grade's version, if any
        ref, grade = (str(regrade["catalogue"]), str(regrade["grade"])) if regrade else (catalogue, label.grade)
        by_catalogue = grading_of(s, ref, grade, day)
        grades, transition = by_catalogue["grades"] or grades, by_catalogue["transition"]
        withdrawn = withdrawal_of(s, ref)  # the version the grade stands under (its re-grade's, else its own)
        if regrade:
            regraded = {"grade": grade, "catalogue": ref, "at": regrade["at"]}
    return {
        "certifier": org.name,
        "product": label.product_name,
        "pack": {
            "en": f"{row.title_en} ({ref})",
            "zh": f"{row.title_zh} ({ref})",
        },
        "pack_name": {"en": row.title_en, "zh": row.title_zh},  # the scheme's name as printed (issue 14)
        "scheme": scheme.title if scheme is not None else label.scheme,
        "pack_url": f"/v1/rulepacks/{namespace}/{name}/versions/{label.pack_version}",
        "grades": grades,
        "transition": transition,
        "regrade": regraded,  # {grade, catalogue, at} of a re-grade under a newer catalogue version (issue 13)
        "withdrawn": withdrawn,  # {reason, at} when the catalogue version that set the grade was withdrawn
        "grading_basis": grading_basis(_raw_grading(packs, ref, row.content.get("grading"))),
        "recomputed": recomputed_line(label.recalculation),
        "accreditation": accreditation_of(s, label),
    }


def accreditation_of(s: Any, label: Label) -> dict[str, Any] | None:
    """The accreditation that covered the label when issued, as it stands now, and the label's scheme policy
    (None for a label issued where no accreditation was needed)."""
    from registry.accreditation import policy_for
    from registry.service.accreditations import scheme_policies
    from registry.storage import accreditations as accreditation_store

    if label.accreditation_id is None:
        return None
    row = accreditation_store.latest(s, label.accreditation_id)
    if row is None:
        return None
    stated = scheme_policies()
    return {
        "ref": f"{row.accreditation_id}@{row.version}",
        "body_name": repo.get_organisation(s, row.body_id).name,
        "state": row.state,
        "since": row.recorded_at,
        "policy": policy_for(label.scheme, stated).value,
        "policy_is_default": not stated.get(label.scheme),
    }


def recomputed_line(record: Any) -> tuple[tuple[str, ...], str | None] | None:
    """What the consumer page says of a label's recalculation: the factor sets and the deviation of
    the declared total as recorded, trailing zeros dropped (``0.4``, ``-1.25``); None for a declared
    figure that was not recomputed."""
    if not isinstance(record, dict):
        return None
    sets = tuple(str(s) for s in record.get("factorSets") or ())
    raw = record.get("deviationPercent")
    if raw is None:
        return sets, None
    try:
        q = Decimal(str(raw))  # as the recalculation rounded it (three places)
    except InvalidOperation:
        return sets, None
    if not q.is_finite():
        return sets, None
    shown = format(q.copy_abs() if q.is_zero() else q, "f")
    return sets, shown.rstrip("0").rstrip(".") if "." in shown else shown


def grading_basis(grading: Any) -> dict[str, str] | None:
    """A pack's ``grading.basis`` per language ({"en": ..., "zh": ...}), None when it gives none."""
    basis = grading.get("basis") if isinstance(grading, dict) else None
    if isinstance(basis, str):
        return {"en": basis, "zh": basis}
    if isinstance(basis, dict) and basis:
        first = next(iter(basis.values()))
        return {lang: str(basis.get(lang, basis.get("en", first))) for lang in ("en", "zh")}
    return None


def _raw_grading(packs: Any, ref: str, stored: Any) -> Any:
    """The grading block as written (with its basis): the stored pack's, else the nearest in its chain."""
    if isinstance(stored, dict):
        return stored
    catalog = packs.catalog()
    for pack_ref in reversed(catalog.resolve(ref).chain):
        grading = catalog.get(pack_ref).data.get("grading")
        if isinstance(grading, dict):
            return grading
    return None


_BASE32_TEXT = re.compile(r"[A-Z2-7]+=*")


def token_bytes(text: str) -> bytes:
    """A token given as base64url, as base32 (what QR codes carry), or as an offline label URL."""
    if "#" in text:  # an offline label URL: the token rides in the fragment, in base32
        return token_from_text(text.rsplit("#", 1)[1])
    if _BASE32_TEXT.fullmatch(text):
        return token_from_text(text)
    return token_from_b64url(text)
