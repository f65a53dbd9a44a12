"""Labels over HTTP, the parts the label routes share: request bodies, the per-process cache of keys
and status lists, and bulk verification. What they share with ``pcfreg label`` (a label's JSON,
display names, reading tokens, batch issuing) is in :mod:`registry.service.label_views` and
:mod:`registry.service.label_batches`.

The routes are in :mod:`registry.api.routes.labels` (issue, change, list, read, verify),
:mod:`registry.api.routes.label_pages` (consumer page, QR code, printable label) and
:mod:`registry.api.routes.trust` (trust list, status lists, key rotation). Every decision is in
:mod:`registry.service.labels` and :mod:`issuance`; this module translates.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from issuance import (
    DigitalLink,
    Verification,
    VerifyStatus,
    is_digital_link,
    label_url,
    normalize_gtin,
    parse_digital_link,
    peek,
    token_from_text,
    verify,
)
from registry.api.deps import ServiceContext
from registry.errors import InputError, RegistryError
from registry.service import label_views, resolver
from registry.service import labels as svc
from registry.service.label_batches import IssueBody
from registry.service.label_views import grading_basis, label_json, token_bytes
from registry.service.label_writer import LabelWriter, group_max_from
from registry.storage import issuance as store
from registry.storage.db import session_scope
from registry.storage.models import KeyState, Label

__all__ = [
    "IssueBody",
    "LabelCache",
    "VerifyBody",
    "grading_basis",
    "label_cache",
    "label_json",
    "label_writer",
    "names_in",
    "verify_items",
]

MAX_VERIFY_ITEMS = 1000
_TRUST_TTL = 60.0  # seconds a worker reuses its view of the label keys


# ------------------------------------------------------------------ per-process caches


@dataclass
class LabelCache:
    settings: svc.IssuanceSettings
    writer: LabelWriter | None = None  # group commit of POST /v1/labels, made on first use
    _trust: tuple[float, Any, dict[str, svc.KeyStanding]] | None = None
    _status: dict[tuple[str, int], tuple[int, float, bytes]] = field(default_factory=dict)

    def invalidate(self) -> None:
        self._trust = None

    def trust(self, ctx: ServiceContext) -> tuple[Any, dict[str, svc.KeyStanding]]:
        """The registry's TrustList and key states, rebuilt at most every minute (or after a key change here)."""
        now = time.monotonic()
        if self._trust is None or self._trust[0] < now:
            with session_scope(ctx.engine, write=False) as s:
                trust = svc.trust_list(s, self.settings)
                states = {r.kid: svc.standing_of(r) for r in store.signing_keys(s)}
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


def label_writer(ctx: ServiceContext) -> LabelWriter:
    """The context's label writer (group commit of single issues), made on first use."""
    cache = label_cache(ctx)
    if cache.writer is None:
        group_max = group_max_from(os.environ)
        cache.writer = LabelWriter(ctx.engine, ctx.packs, lambda: cache.settings, ctx.clock, max_batch=group_max)
    return cache.writer


async def issue_one(ctx: ServiceContext, certifier: str, request: svc.IssueRequest) -> tuple[dict[str, Any], bool]:
    """``POST /v1/labels``: the label issued for ``request`` (or issued for it before) as the answer's body,
    and whether it is a repeat. Issued by the context's group-committing writer; raises the refusal."""
    settings = label_cache(ctx).settings

    def finish(s: Session, issued: svc.Issued) -> tuple[dict[str, Any], bool]:
        """The answer, made once the label has committed (issues are group-committed)."""
        key_state = svc.standing_of(store.get_signing_key(s, issued.label.kid)) if issued.repeat else KeyState.ACTIVE
        v = svc.stored_verification(issued.label, key_state, now=ctx.clock(), claims=issued.claims)
        return label_json(issued.label, v, settings) | {"repeat": issued.repeat}, issued.repeat

    out: tuple[dict[str, Any], bool] = await label_writer(ctx).issue(certifier, request, finish)
    return out


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


def names_in(s: Any, ctx: ServiceContext, label: Label) -> dict[str, Any]:
    """Display names for a label (see :func:`registry.service.label_views.names_in`)."""
    return label_views.names_in(s, ctx.packs, label, ctx.clock().date())


class VerifyItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str | None = Field(default=None, max_length=200)
    label_id: str | None = Field(default=None, max_length=64)
    token: str | None = Field(
        default=None,
        max_length=8192,
        description="base64url or base32 token, a label URL of this registry (short or offline), or a GS1 "
        "Digital Link URI (https://HOST/01/{GTIN}[/10/{batch}][/21/{serial}]: the product's current label)",
    )
    gtin: str | None = Field(default=None, max_length=14, description="the product the label was found on")


class VerifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[VerifyItem] = Field(min_length=1, max_length=MAX_VERIFY_ITEMS)


# ------------------------------------------------------------------ content negotiation and label URLs


def label_linkset(base_url: str, label_id: str) -> dict[str, Any]:
    """The label URL's links as an RFC 9264 linkset (section 4.2, JSON): its data (``describedby``,
    a registered link relation) and its page in each language (``alternate``, with ``hreflang``)."""
    url = label_url(base_url, label_id)
    root = url[: url.rindex("/L/")]
    page = [{"href": f"{url}?lang={lang}", "type": "text/html", "hreflang": [lang]} for lang in ("en", "zh")]
    data = [{"href": f"{root}/v1/labels/{label_id}", "type": "application/json"}]
    return {"linkset": [{"anchor": url, "describedby": data, "alternate": page}]}


def preferred_type(accept: str | None, offered: tuple[str, ...]) -> str:
    """The media type of ``offered`` that an ``Accept`` header (RFC 9110 section 12.5.1) prefers most;
    on a tie, or with no header, the first offered. Wildcards match; ``q=0`` refuses."""
    best, best_q = offered[0], -1.0
    ranges = [_media_range(part) for part in (accept or "*/*").split(",")[:64] if part.strip()]
    for media in offered:
        q = max((rq for pattern, rq in ranges if _matches(pattern, media)), default=0.0)
        if q > best_q and q > 0:
            best, best_q = media, q
    return best


def _media_range(part: str) -> tuple[str, float]:
    media, *params = (p.strip() for p in part.split(";"))
    q = 1.0
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                q = min(max(float(value), 0.0), 1.0)
            except ValueError:
                q = 0.0
    return media.lower(), q


def _matches(pattern: str, media: str) -> bool:
    kind = media.split("/", 1)[0]
    return pattern in ("*/*", f"{kind}/*", media)


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
_LABEL_URL_PARTS = re.compile(r"(?P<base>.+)/[Ll]/(?P<id>[A-Za-z0-9]+)/?(?:#(?P<token>.*))?")


def reference_in(text: str, base_url: str) -> tuple[str | None, bytes | None]:
    """What a verify item's ``token`` names: (label id, None) for the short label URL a default QR code
    carries, (None, token bytes) for a token or an offline label URL. A URL must be a label URL of this
    registry (``base_url``, scheme and host in any case); anything else is refused, saying what it is."""
    if not _URL.fullmatch(text):
        try:
            return None, token_bytes(text)
        except RegistryError as e:
            raise InputError(f"token is neither a token nor a label URL: {e.message}") from e
    parts = _LABEL_URL_PARTS.fullmatch(text)
    if parts is None or label_url(base_url, parts["id"]).lower() != f"{parts['base']}/L/{parts['id']}".lower():
        raise InputError(f"{text[:120]} is not a label URL of this registry ({label_url(base_url, 'ID')})")
    if parts["token"] is None:
        return parts["id"].upper(), None
    return None, token_from_text(parts["token"])


# ------------------------------------------------------------------ bulk verification

# (item, its answer when already known, the label id to look up, the token bytes when a token was given,
# the Digital Link URI whose current label answers)
_Parsed = tuple[VerifyItem, Verification | None, str | None, bytes | None, DigitalLink | None]


def verify_items(ctx: ServiceContext, trust: Any, items: list[VerifyItem], now: datetime) -> list[dict[str, Any]]:
    """Ids are answered from the registry's records. A token that is byte for byte the one the registry
    issued under its id is answered the same way (the registry signed exactly those bytes); any other
    token is verified offline against the trust list, then the records' state of its label applied."""
    base_url = label_cache(ctx).settings.base_url
    parsed = [_parse_item(item, base_url, now) for item in items]
    ids = [found_id for _, _, found_id, _, _ in parsed if found_id is not None]
    with session_scope(ctx.engine, write=False) as s:
        if any(link is not None for *_, link in parsed):
            standings = resolver.key_standings(s)
            seen: dict[tuple[str, str | None], Label | None] = {}
            parsed = [_resolved(s, p, now, standings, seen) for p in parsed]
            ids = [found_id for _, _, found_id, _, _ in parsed if found_id is not None]
        labels = store.get_labels(s, ids)
        states = {r.kid: svc.standing_of(r) for r in store.signing_keys(s)} if labels else {}
    out = []
    for item, given, found_id, token, _ in parsed:
        label = labels.get(found_id) if found_id else None
        result = given if given is not None else _verify_item(item, label, token, states, trust, now)
        out.append(_item_json(item.ref, result))
    return out


def _parse_item(item: VerifyItem, base_url: str, now: datetime) -> _Parsed:
    """What one item asks about; a malformed item is answered at once (``bad_item``)."""
    if (item.label_id is None) == (item.token is None):
        return item, _bad_item("give label_id or token", now), None, None, None
    if item.label_id is not None:
        return item, None, item.label_id.strip().upper(), None, None
    text = (item.token or "").strip()
    try:
        if item.gtin is not None:
            normalize_gtin(item.gtin)
        if _URL.fullmatch(text) and is_digital_link(text):  # resolved to its current label in verify_items
            return item, None, None, None, parse_digital_link(text)
        found_id, raw = reference_in(text, base_url)
    except RegistryError as e:  # a malformed gtin, token text or URL (a Digital Link's error names its segment)
        return item, _bad_item(e.message, now), None, None, None
    if raw is None:  # the short label URL: answered as its label id is
        return item, None, found_id, None, None
    try:
        return item, None, peek(raw)[1].label_id, raw, None
    except RegistryError:
        return item, None, None, raw, None  # verify() says what is wrong with it


def _resolved(
    s: Any, parsed: _Parsed, now: datetime, standings: Any, seen: dict[tuple[str, str | None], Label | None]
) -> _Parsed:
    """A Digital Link item as the id of the label it resolves to (registry.service.resolver: the
    product's current label); ``unknown`` when the GTIN (and batch) has none. Any host: a GTIN is global.
    ``seen`` keeps the answer for each GTIN and batch already resolved in this call."""
    item, _, _, _, link = parsed
    if link is None:
        return parsed
    key = (link.gtin, link.batch)
    if key not in seen:
        seen[key] = resolver.resolve(s, link, now=now, standings=standings).default
    default = seen[key]
    if default is None:
        what = f"GTIN {link.gtin}" + (f" batch {link.batch}" if link.batch is not None else "")
        v = Verification(
            status=VerifyStatus.UNKNOWN, reason="unknown_product", detail=f"no label for {what}", checked_at=now
        )
        return item, v, None, None, None
    return item, None, default.id, None, None


def _verify_item(
    item: VerifyItem,
    label: Label | None,
    token: bytes | None,
    states: dict[str, svc.KeyStanding],
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
