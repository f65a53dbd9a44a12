"""Labels over HTTP, the parts the label routes share with each other and with ``pcfreg label``:
request bodies, the per-process cache of keys and status lists, a label's JSON, display names,
batch issuing and bulk verification.

The routes are in :mod:`registry.api.routes.labels` (issue, change, list, read, verify),
:mod:`registry.api.routes.label_pages` (consumer page, QR code, printable label) and
:mod:`registry.api.routes.trust` (trust list, status lists, key rotation). Every decision is in
:mod:`registry.service.labels` and :mod:`issuance`; this module translates.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from issuance import (
    Verification,
    VerifyStatus,
    label_url,
    normalize_gtin,
    offline_url,
    peek,
    token_from_b64url,
    token_from_text,
    token_to_b64url,
    verify,
)
from registry.api.deps import ServiceContext
from registry.errors import RegistryError
from registry.inputs import parse_json
from registry.service import labels as svc
from registry.storage import issuance as store
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.models import KeyState, Label, LabelState

MAX_VERIFY_ITEMS = 1000
_TRUST_TTL = 60.0  # seconds a worker reuses its view of the label keys


# ------------------------------------------------------------------ per-process caches


@dataclass
class LabelCache:
    settings: svc.IssuanceSettings
    _trust: tuple[float, Any, dict[str, KeyState]] | None = None
    _status: dict[tuple[str, int], tuple[int, float, bytes]] = field(default_factory=dict)

    def invalidate(self) -> None:
        self._trust = None

    def trust(self, ctx: ServiceContext) -> tuple[Any, dict[str, KeyState]]:
        """The registry's TrustList and key states, rebuilt at most every minute (or after a key change here)."""
        now = time.monotonic()
        if self._trust is None or self._trust[0] < now:
            with session_scope(ctx.engine, write=False) as s:
                trust = svc.trust_list(s, self.settings)
                states = {r.kid: KeyState(r.state) for r in store.signing_keys(s)}
            self._trust = (now + _TRUST_TTL, trust, states)
        return self._trust[1], self._trust[2]

    def status_token(self, ctx: ServiceContext, certifier: str, list_no: int) -> tuple[bytes, int]:
        """The signed list for its current version; re-signed when the version moves or half its ttl passed."""
        with session_scope(ctx.engine, write=False) as s:
            version = store.get_status_list(s, certifier, list_no).version
        cached = self._status.get((certifier, list_no))
        if cached is not None and cached[0] == version and cached[1] > time.monotonic():
            return cached[2], version
        with session_scope(ctx.engine, write=False) as s:
            token, version = svc.signed_status_list(s, self.settings, certifier, list_no, now=ctx.clock())
        self._status[(certifier, list_no)] = (version, time.monotonic() + self.settings.status_ttl / 2, token)
        return token, version


def label_cache(ctx: ServiceContext) -> LabelCache:
    """The context's label cache, made on first use; refused when the registry cannot sign labels."""
    if ctx.labels is None:
        if ctx.data_dir is None:
            raise RegistryError("this registry has no data directory, so it cannot sign labels")
        ctx.labels = LabelCache(svc.load_settings(ctx.data_dir))
    cache: LabelCache = ctx.labels
    return cache


# ------------------------------------------------------------------ request bodies
# (no docstrings on the models: pydantic would put them in the OpenAPI schemas as descriptions)


class IssueBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration: dict[str, Any]
    pack: str | None = Field(default=None, max_length=300)
    gtin: str | None = Field(default=None, max_length=14)
    batch: str | None = Field(default=None, max_length=20)
    audit_id: str | None = Field(default=None, max_length=36)
    scheme: str | None = Field(default=None, max_length=64)

    def to_request(self) -> svc.IssueRequest:
        return svc.IssueRequest(
            declaration=self.declaration,
            pack=self.pack,
            gtin=self.gtin,
            batch=self.batch,
            audit_id=self.audit_id,
            scheme=self.scheme,
        )


class VerifyItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str | None = Field(default=None, max_length=200)
    label_id: str | None = Field(default=None, max_length=64)
    token: str | None = Field(default=None, max_length=8192, description="base64url or base32 token, or a label URL")
    gtin: str | None = Field(default=None, max_length=14, description="the product the label was found on")


class VerifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[VerifyItem] = Field(min_length=1, max_length=MAX_VERIFY_ITEMS)


# ------------------------------------------------------------------ rendering


def label_json(label: Label, v: Verification, settings: svc.IssuanceSettings) -> dict[str, Any]:
    """A label as the API gives it: ids, URLs, token, state and its current verification."""
    return {
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
    }


def grading_basis(grading: Any) -> dict[str, str] | None:
    """A pack's ``grading.basis`` per language ({"en": ..., "zh": ...}), None when it gives none."""
    basis = grading.get("basis") if isinstance(grading, dict) else None
    if isinstance(basis, str):
        return {"en": basis, "zh": basis}
    if isinstance(basis, dict) and basis:
        first = next(iter(basis.values()))
        return {lang: str(basis.get(lang, basis.get("en", first))) for lang in ("en", "zh")}
    return None


def names_in(s: Any, ctx: ServiceContext, label: Label) -> dict[str, Any]:
    """Display names for a label: certifier, pack titles, scheme title, the pack's grades best first."""
    from registry.crosswalk import load_crosswalks

    org = repo.get_organisation(s, label.certifier_id)
    row = repo.get_pack_version(s, label.pack_id, label.pack_version)
    ref = f"{label.pack_id}@{label.pack_version}"
    grading = row.content.get("grading") or ctx.packs.catalog().resolve(ref).grading
    bands = grading["bands"] if isinstance(grading, dict) else [{"grade": b.grade} for b in grading.bands]
    schemes = load_crosswalks().schemes
    scheme = schemes.get(label.scheme)
    namespace, name = label.pack_id.split("/", 1)
    return {
        "certifier": org.name,
        "product": label.product_name,
        "pack": {
            "en": f"{row.title_en} ({ref})",
            "zh": f"{row.title_zh} ({ref})",
        },
        "scheme": scheme.title if scheme is not None else label.scheme,
        "pack_url": f"/v1/rulepacks/{namespace}/{name}/versions/{label.pack_version}",
        "grades": tuple(b["grade"] for b in bands),
        "grading_basis": grading_basis(_raw_grading(ctx, ref, row.content.get("grading"))),
    }


def _raw_grading(ctx: ServiceContext, ref: str, stored: Any) -> Any:
    """The grading block as written (with its basis): the stored pack's, else the nearest in its chain."""
    if isinstance(stored, dict):
        return stored
    catalog = ctx.packs.catalog()
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


# ------------------------------------------------------------------ bulk verification

# (item, its answer when already known, the label id to look up, the token bytes when a token was given)
_Parsed = tuple[VerifyItem, Verification | None, str | None, bytes | None]


def verify_items(ctx: ServiceContext, trust: Any, items: list[VerifyItem], now: datetime) -> list[dict[str, Any]]:
    """Ids are answered from the registry's records. A token that is byte for byte the one the registry
    issued under its id is answered the same way (the registry signed exactly those bytes); any other
    token is verified offline against the trust list, then the records' state of its label applied."""
    parsed = [_parse_item(item, now) for item in items]
    ids = [found_id for _, _, found_id, _ in parsed if found_id is not None]
    with session_scope(ctx.engine, write=False) as s:
        labels = store.get_labels(s, ids)
        states = {r.kid: KeyState(r.state) for r in store.signing_keys(s)} if labels else {}
    out = []
    for item, given, found_id, token in parsed:
        label = labels.get(found_id) if found_id else None
        result = given if given is not None else _verify_item(item, label, token, states, trust, now)
        out.append(_item_json(item.ref, result))
    return out


def _parse_item(item: VerifyItem, now: datetime) -> _Parsed:
    """What one item asks about; a malformed item is answered at once (``bad_item``)."""
    if (item.label_id is None) == (item.token is None):
        return item, _bad_item("give label_id or token", now), None, None
    if item.label_id is not None:
        return item, None, item.label_id.strip().upper(), None
    try:
        raw = token_bytes(item.token or "")
        if item.gtin is not None:
            normalize_gtin(item.gtin)
    except RegistryError as e:  # a malformed gtin or token text
        return item, _bad_item(e.message, now), None, None
    try:
        return item, None, peek(raw)[1].label_id, raw
    except RegistryError:
        return item, None, None, raw  # verify() says what is wrong with it


def _verify_item(
    item: VerifyItem,
    label: Label | None,
    token: bytes | None,
    states: dict[str, KeyState],
    trust: Any,
    now: datetime,
) -> Verification:
    if token is None or (label is not None and label.token == token):
        result = svc.stored_verification(label, states.get(label.kid) if label else None, now=now)
        if item.gtin is not None and result.claims is not None and result.status is VerifyStatus.VALID:
            result = _check_gtin(result, item.gtin, now)
        return result
    result = verify(token, trust=trust, status=None, now=now, gtin=item.gtin, check_status=label is None)
    return svc.overlay_state(result, label)


def _check_gtin(v: Verification, gtin: str, now: datetime) -> Verification:
    try:
        expected = normalize_gtin(gtin)
    except RegistryError as e:
        return _bad_item(e.message, now)
    if v.claims is not None and expected != v.claims.gtin:
        return v.model_copy(update={"status": VerifyStatus.OUT_OF_SCOPE, "reason": "gtin_mismatch"})
    return v


def _bad_item(detail: str, now: datetime) -> Verification:
    return Verification(status=VerifyStatus.UNKNOWN, reason="bad_item", detail=detail, checked_at=now)


def _item_json(ref: str | None, v: Verification) -> dict[str, Any]:
    out = v.to_json()
    if ref is not None:
        out["ref"] = ref
    return out


# ------------------------------------------------------------------ batch issuing


def batch_request(raw: bytes, number: int) -> svc.IssueRequest | bytes:
    """One batch line as an issue request, or its error line (b"" for a blank line)."""
    if not raw.strip():
        return b""
    try:
        body = IssueBody.model_validate(parse_json(raw, line=number))
    except RegistryError as e:
        return orjson.dumps({"line": number, "error": e.to_dict()}) + b"\n"
    except ValidationError as e:
        first = e.errors()[0]
        where = "/" + "/".join(str(p) for p in first["loc"])
        error = {"code": "invalid-request", "message": f"{where}: {first['msg']}", "location": {"pointer": where}}
        return orjson.dumps({"line": number, "error": error}) + b"\n"
    return body.to_request()


def issue_chunk(
    ctx: ServiceContext, cache: LabelCache, certifier: str, pending: list[tuple[int, svc.IssueRequest | bytes]]
) -> bytes:
    """The result lines of a chunk, in input order: the requests issued in one transaction, the
    lines that were already answered (errors, blanks) passed through."""
    requests = [(n, r) for n, r in pending if isinstance(r, svc.IssueRequest)]
    answers: dict[int, bytes] = {}
    now = ctx.clock()
    try:
        with session_scope(ctx.engine) as s:
            outcomes = svc.issue_labels(
                s, ctx.packs, cache.settings, certifier=certifier, requests=[r for _, r in requests], now=now
            )
    except RegistryError as e:  # the chunk's transaction failed as a whole: nothing of it was stored
        outcomes = [e] * len(requests)
    for (number, _), outcome in zip(requests, outcomes, strict=True):
        answers[number] = _issued_line(number, outcome)
    return b"".join(r if isinstance(r, bytes) else answers[n] for n, r in pending)


def _issued_line(number: int, outcome: svc.Issued | RegistryError) -> bytes:
    """The result line of one issued request: the label's id, grade, value, URL and token, or the error."""
    if isinstance(outcome, RegistryError):
        return orjson.dumps({"line": number, "error": outcome.to_dict()}) + b"\n"
    c = outcome.claims
    item = {"line": number, "id": c.label_id, "grade": c.grade, "value": c.value, "url": outcome.url}
    item["token"] = token_to_b64url(outcome.token)
    return orjson.dumps(item) + b"\n"


# The names the ``pcfreg label`` commands (registry.commands.labels) import; they can move to the
# public names above when those commands are next edited.
_label_json = label_json
_names_in = names_in
_token_bytes = token_bytes
_batch_request = batch_request
_issue_chunk = issue_chunk
