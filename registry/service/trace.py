"""What rests on what (issue 12): a label on a recalculation, a recalculation on its inventory's
factor sets and supplier declarations; and back down the chain, the dependents of a declaration or
of a factor set version.

* :func:`recalc_sources` - what a recalculation rests on, recorded when it is stored;
* :func:`dependents` - the caller's stored recalculations (and their declarations and labels) that
  rest on a declaration or a factor set version, following supplier declarations down the chain;
* :func:`trace` - label -> validation -> recalculation -> inventory lines -> factor or supplier.

Only what the caller may see: stored validations (and the inventories in them) are their
organisation's alone; labels are public, but a label's recalculation is followed only for its own
certifier. Plain dicts out: the API answers them as JSON and the CLI prints them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from registry.storage import issuance as store
from registry.storage import repo
from registry.storage.errors import NotFound
from registry.storage.models import Label, LabelState, Validation

MAX_DEPTH = 8  # supplier declarations followed down at most this many steps (a cycle stops earlier)
_LABEL_ID = re.compile(r"[A-Z2-7]{16}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def factor_set_source(ref: str) -> str:
    return f"factorset:{ref}"


def declaration_source(declaration_id: str) -> str:
    return f"declaration:{declaration_id}"


def recalc_sources(recalculation: Mapping[str, Any], inventory: Mapping[str, Any]) -> dict[str, str | None]:
    """What a recalculation rests on, ``{source: digest}``: each factor set version it used and each
    supplier declaration an inventory line cites (with the digest the line gives)."""
    out: dict[str, str | None] = {factor_set_source(ref): None for ref in recalculation.get("setsUsed") or ()}
    for line in inventory.get("lines") or ():
        sf = line.get("supplierFootprint") if isinstance(line, dict) else None
        if isinstance(sf, dict) and isinstance(sf.get("id"), str):
            out[declaration_source(sf["id"])] = sf.get("digest")
    return out


def record_sources(session: Session, row: Validation) -> None:
    """Record what a stored recalculation rests on (in the caller's transaction)."""
    recalc, inventory = row.result.get("recalculation"), row.result.get("inventory")
    if isinstance(recalc, dict) and isinstance(inventory, dict):
        repo.insert_recalc_sources(session, row.id, row.org_id, recalc_sources(recalc, inventory))


# --- dependents ---------------------------------------------------------------------------------


def _declaration_of(row: Validation) -> dict[str, Any]:
    pf = row.declaration if isinstance(row.declaration, dict) else {}
    return {"id": pf.get("id"), "digest": row.declaration_digest, "productName": pf.get("productNameCompany")}


def _label_brief(label: Label) -> dict[str, Any]:
    return {
        "id": label.id,
        "state": LabelState(label.state).value,
        "gtin": label.gtin,
        "pack": f"{label.pack_id}@{label.pack_version}",
        "recalculation": label.recalculation_id,
        "issued_at": label.issued_at.isoformat(),
    }


def dependents(session: Session, org_id: str, source: str) -> dict[str, Any]:
    """The caller's stored recalculations that rest on ``source`` (``declaration:<id>`` or
    ``factorset:<id>@<version>``), then those resting on the declarations recomputed there, and so on
    down the chain; the declarations recomputed and the caller's labels resting on any of them."""
    recalcs: list[dict[str, Any]] = []
    declarations: dict[str, dict[str, Any]] = {}
    seen_sources = {source}
    seen_validations: set[str] = set()
    frontier = [source]
    for depth in range(1, MAX_DEPTH + 1):
        cited = [c for c in repo.recalculations_citing(session, frontier, org_id=org_id)]
        fresh = {c.validation_id: c for c in cited if c.validation_id not in seen_validations}
        if not fresh:
            break
        rows = repo.validations_by_id(session, org_id, fresh.keys())
        frontier = []
        for vid in sorted(rows, key=lambda v: (rows[v].created_at, v)):
            row, via = rows[vid], fresh[vid]
            seen_validations.add(vid)
            decl = _declaration_of(row)
            recalcs.append(
                {
                    "id": vid,
                    "depth": depth,
                    "via": via.source,
                    "citedDigest": via.digest,
                    "declaration": decl,
                    "pack": f"{row.pack_id}@{row.pack_version}",
                    "conformant": row.conformant,
                    "created_at": row.created_at.isoformat(),
                }
            )
            if isinstance(decl["id"], str):
                declarations.setdefault(decl["digest"], decl)
                nxt = declaration_source(decl["id"])
                if nxt not in seen_sources:
                    seen_sources.add(nxt)
                    frontier.append(nxt)
        if not frontier:
            break
    labels = store.labels_resting_on(session, seen_validations, certifier_id=org_id)
    return {
        "of": source,
        "recalculations": recalcs,
        "declarations": list(declarations.values()),
        "labels": [_label_brief(label) for label in labels],
    }


# --- trace --------------------------------------------------------------------------------------


def _supplier(session: Session, org_id: str, sf: Mapping[str, Any]) -> dict[str, Any]:
    """What the registry holds of a cited supplier declaration: the caller's stored validations of it
    (by the digest the line cites) and its labels (public)."""
    digest = sf.get("digest")
    out: dict[str, Any] = {"id": sf.get("id"), "version": sf.get("version"), "digest": digest}
    if not isinstance(digest, str):
        return out
    stored = repo.validations_of_declarations(session, [digest], org_id=org_id)
    out["validations"] = [
        {"id": v.id, "pack": f"{v.pack_id}@{v.pack_version}", "conformant": v.conformant} for v in stored
    ]
    out["labels"] = [
        {"id": lb.id, "state": LabelState(lb.state).value} for lb in store.labels_of_declarations(session, [digest])
    ]
    return out


def _trace_validation(session: Session, org_id: str, row: Validation) -> dict[str, Any]:
    recalc = row.result.get("recalculation")
    inventory = row.result.get("inventory")
    out: dict[str, Any] = {
        "validation": {
            "id": row.id,
            "pack": f"{row.pack_id}@{row.pack_version}",
            "conformant": row.conformant,
            "created_at": row.created_at.isoformat(),
            "declaration": _declaration_of(row),
        },
        "recalculation": None,
    }
    if not isinstance(recalc, dict):
        return out
    raw_lines = inventory.get("lines") if isinstance(inventory, dict) else None
    by_id = {ln.get("id"): ln for ln in raw_lines or () if isinstance(ln, dict)}
    lines = []
    for line in recalc.get("lines") or ():
        entry: dict[str, Any] = {
            "id": line.get("id"),
            "stage": line.get("stage"),
            "quantity": line.get("quantity"),
            "unit": line.get("unit"),
            "kgCO2e": line.get("kgCO2e"),
        }
        sf = (by_id.get(line.get("id")) or {}).get("supplierFootprint")
        if isinstance(sf, dict):
            entry["supplier"] = _supplier(session, org_id, sf)
        else:
            entry["factor"] = line.get("factor")
        if "fallback" in line:
            entry["fallback"] = line["fallback"]
        lines.append(entry)
    out["recalculation"] = {
        "total": recalc.get("total"),
        "deviationPercent": (recalc.get("deviationPercent") or {}).get("total"),
        "inventoryDigest": recalc.get("inventoryDigest"),
        "factorSets": list(recalc.get("setsUsed") or ()),
        "lines": lines,
    }
    return out


def trace(session: Session, org_id: str, ident: str) -> dict[str, Any]:
    """The chain under a label id, a stored validation id or a declaration's PACT id, as far as
    ``org_id`` may see it. :class:`NotFound` when nothing of that id is visible."""
    if _LABEL_ID.fullmatch(ident.upper()):
        try:
            label = store.get_label(session, ident.upper())
        except NotFound:
            label = None
        if label is not None:
            return _trace_label(session, org_id, label)
    if _UUID.fullmatch(ident):
        try:
            row = repo.get_validation(session, ident, org_id=org_id)
        except NotFound:
            row = None
        if row is not None:
            return {"of": ident, "kind": "validation", "chains": [_trace_validation(session, org_id, row)]}
    rows = [r for r in repo.validations_of_declaration_id(session, ident, org_id=org_id)]
    if not rows:
        raise NotFound(f"no label, stored validation or declaration {ident!r} that you may see")
    with_recalc = [r for r in rows if isinstance(r.result.get("recalculation"), dict)] or rows[-1:]
    return {
        "of": ident,
        "kind": "declaration",
        "chains": [_trace_validation(session, org_id, r) for r in reversed(with_recalc)],  # newest first
    }


def _trace_label(session: Session, org_id: str, label: Label) -> dict[str, Any]:
    out: dict[str, Any] = {
        "of": label.id,
        "kind": "label",
        "label": _label_brief(label) | {"certifier": label.certifier_id, "record": label.recalculation},
        "chains": [],
    }
    if label.recalculation_id is None:
        out["note"] = "a declared figure, not recomputed"
    elif label.certifier_id != org_id:
        out["note"] = f"the recalculation behind it is {label.certifier_id}'s; only its summary is public"
    else:
        try:
            row = repo.get_validation(session, label.recalculation_id, org_id=org_id)
        except NotFound:
            out["note"] = f"recalculation {label.recalculation_id} is no longer stored"
        else:
            out["chains"].append(_trace_validation(session, org_id, row))
    return out


def render_text(result: Mapping[str, Any]) -> str:
    """The chain as indented lines: label -> validation -> recalculation -> lines -> sources."""
    out: list[str] = []
    label = result.get("label")
    if label is not None:
        out.append(f"label {label['id']} ({label['state']}, {label['pack']}, GTIN {label['gtin']})")
    if result.get("note"):
        out.append(f"  {result['note']}")
    for chain in result.get("chains") or ():
        v = chain["validation"]
        decl = v["declaration"]
        out.append(
            f"  validation {v['id']} ({v['pack']}, {'conformant' if v['conformant'] else 'not conformant'}) "
            f"of declaration {decl['id']} {decl['digest']}"
        )
        r = chain["recalculation"]
        if r is None:
            out.append("    no recalculation: a declared figure")
            continue
        out.append(
            f"    recalculation: total {r['total']} kg CO2e, deviation {r['deviationPercent']} %, "
            f"inventory {r['inventoryDigest']}"
        )
        for line in r["lines"]:
            head = (
                f"      line {line['id']} ({line['stage']}): {line['quantity']} {line['unit']} -> {line['kgCO2e']} kg"
            )
            if "supplier" in line:
                s = line["supplier"]
                out.append(f"{head} <- supplier declaration {s['id']} {s['digest']}")
                for sv in s.get("validations", ()):
                    verdict = "conformant" if sv["conformant"] else "not conformant"
                    out.append(f"        stored {sv['id']} ({sv['pack']}, {verdict})")
                for sl in s.get("labels", ()):
                    out.append(f"        label {sl['id']} ({sl['state']})")
                if not s.get("validations") and not s.get("labels"):
                    out.append("        not stored in this registry (for you)")
            else:
                out.append(f"{head} <- {line['factor']}")
    return "\n".join(out) + "\n"
