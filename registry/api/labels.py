"""Labels over HTTP: issue and change (certifiers), verify in bulk (platforms), the consumer page,
QR codes and printable labels, the trust list and status lists (public, cacheable).

Routes translate only: every decision is in :mod:`registry.service.labels` and :mod:`issuance`.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal

import orjson
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from issuance import (
    LabelClaims,
    LabelPageView,
    Verification,
    VerifyStatus,
    label_url,
    normalize_gtin,
    offline_url,
    peek,
    pick_language,
    render_label_page,
    render_label_svg,
    render_qr,
    token_from_b64url,
    token_from_text,
    token_to_b64url,
    verify,
)
from registry.api.deps import BEARER, CtxDep, ORJSONResponse, PrincipalDep, ServiceContext
from registry.api.problems import NotFoundError
from registry.errors import RegistryError
from registry.inputs import parse_json
from registry.service import labels as svc
from registry.storage import issuance as store
from registry.storage import repo
from registry.storage.db import session_scope
from registry.storage.errors import NotFound
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


def _cache(ctx: ServiceContext) -> LabelCache:
    if ctx.labels is None:
        if ctx.data_dir is None:
            raise RegistryError("this registry has no data directory, so it cannot sign labels")
        ctx.labels = LabelCache(svc.load_settings(ctx.data_dir))
    cache: LabelCache = ctx.labels
    return cache


# ------------------------------------------------------------------ request bodies


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


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


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


def _label_json(label: Label, v: Verification, settings: svc.IssuanceSettings) -> dict[str, Any]:
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


def _item_json(ref: str | None, v: Verification) -> dict[str, Any]:
    out = v.to_json()
    if ref is not None:
        out["ref"] = ref
    return out


_BASE32_TEXT = re.compile(r"[A-Z2-7]+=*")


def _token_bytes(text: str) -> bytes:
    """A token given as base64url, as base32 (what QR codes carry), or as an offline label URL."""
    if "#" in text:  # an offline label URL: the token rides in the fragment, in base32
        return token_from_text(text.rsplit("#", 1)[1])
    if _BASE32_TEXT.fullmatch(text):
        return token_from_text(text)
    return token_from_b64url(text)


# ------------------------------------------------------------------ routes


def install(app: FastAPI) -> None:
    tags: list[str | Enum] = ["labels"]

    @app.post("/v1/labels", tags=tags, status_code=201, openapi_extra={"security": BEARER})
    async def issue(body: IssueBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
        """Issue a graded, signed label for a conformant declaration (certifiers)."""
        principal.require("certifier")
        cache = _cache(ctx)
        request = body.to_request()

        def run() -> dict[str, Any]:
            with session_scope(ctx.engine) as s:
                issued = svc.issue_label(
                    s, ctx.packs, cache.settings, certifier=principal.org_id, request=request, now=ctx.clock()
                )
                v = svc.stored_verification(issued.label, KeyState.ACTIVE, now=ctx.clock())
                return _label_json(issued.label, v, cache.settings)

        out = await run_in_threadpool(run)
        return ORJSONResponse(out, status_code=201, headers={"Location": f"/v1/labels/{out['id']}"})

    @app.post(
        "/v1/labels:batch",
        tags=tags,
        response_class=StreamingResponse,
        responses={200: {"content": {"application/jsonl": {"schema": {"type": "string"}}}}},
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/jsonl": {"schema": {"type": "string"}}}},
            "security": BEARER,
        },
    )
    async def issue_batch(request: Request, principal: PrincipalDep, ctx: CtxDep) -> StreamingResponse:
        """Issue many labels: JSON Lines in (each line a POST /v1/labels body), JSON Lines out, one result per
        non-blank line with its ``line``: the label, or ``{"line": n, "error": {...}}``. Lines are issued
        in transactions of up to 500; a refused line refuses only itself."""
        principal.require("certifier")
        cache = _cache(ctx)
        body = await request.body()

        async def results() -> AsyncIterator[bytes]:
            pending: list[tuple[int, svc.IssueRequest | bytes]] = []
            for number, raw in enumerate(body.splitlines(), start=1):
                pending.append((number, _batch_request(raw, number)))
                if len(pending) >= 500:
                    yield await run_in_threadpool(_issue_chunk, ctx, cache, principal.org_id, pending)
                    pending = []
            if pending:
                yield await run_in_threadpool(_issue_chunk, ctx, cache, principal.org_id, pending)

        return StreamingResponse(results(), media_type="application/jsonl")

    def _change(target: LabelState) -> Any:
        async def change(label_id: str, body: Reason, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
            principal.require("certifier")
            cache = _cache(ctx)

            def run() -> dict[str, Any]:
                with session_scope(ctx.engine) as s:
                    label = svc.change_label(
                        s,
                        certifier=principal.org_id,
                        label_id=label_id.upper(),
                        state=target,
                        reason=body.reason,
                        now=ctx.clock(),
                    )
                    key_state = KeyState(store.get_signing_key(s, label.kid).state)
                    return _label_json(
                        label, svc.stored_verification(label, key_state, now=ctx.clock()), cache.settings
                    )

            return await run_in_threadpool(run)

        return change

    for verb, target in (
        ("suspend", LabelState.SUSPENDED),
        ("reinstate", LabelState.VALID),
        ("revoke", LabelState.REVOKED),
    ):
        app.post(
            f"/v1/labels/{{label_id}}/{verb}", tags=tags, name=f"{verb}_label", openapi_extra={"security": BEARER}
        )(_change(target))

    @app.get("/v1/labels", tags=tags, openapi_extra={"security": BEARER})
    async def list_labels(
        principal: PrincipalDep,
        ctx: CtxDep,
        audit_id: Annotated[str | None, Query(max_length=36)] = None,
        gtin: Annotated[str | None, Query(max_length=14)] = None,
        state: LabelState | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> dict[str, Any]:
        """The caller's own labels (certifiers), newest first, by audit, GTIN or state."""
        principal.require("certifier")
        product = normalize_gtin(gtin) if gtin is not None else None

        def run() -> dict[str, Any]:
            with session_scope(ctx.engine, write=False) as s:
                rows = store.list_labels(
                    s, principal.org_id, audit_id=audit_id, gtin=product, state=state, limit=limit, offset=offset
                )
                items = [
                    {
                        "id": r.id,
                        "gtin": r.gtin,
                        "product_name": r.product_name,
                        "grade": r.grade,
                        "scheme": r.scheme,
                        "pack": f"{r.pack_id}@{r.pack_version}",
                        "state": LabelState(r.state).value,
                        "issued_at": r.issued_at.isoformat(),
                        "expires_at": r.expires_at.isoformat(),
                        "audit_id": r.audit_id,
                    }
                    for r in rows
                ]
                return {"items": items}

        return await run_in_threadpool(run)

    @app.get("/v1/labels/{label_id}", tags=tags)
    async def get_label(label_id: str, ctx: CtxDep) -> dict[str, Any]:
        """A label: its claims, current verification, token and URLs (public)."""
        cache = _cache(ctx)

        def run() -> dict[str, Any]:
            with session_scope(ctx.engine, write=False) as s:
                label = store.get_label(s, label_id.upper())
                key_state = KeyState(store.get_signing_key(s, label.kid).state)
                return _label_json(label, svc.stored_verification(label, key_state, now=ctx.clock()), cache.settings)

        try:
            return await run_in_threadpool(run)
        except NotFound as e:
            raise NotFoundError(e.message) from e

    @app.get(
        "/v1/labels/{label_id}/qr",
        tags=tags,
        responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
    )
    async def label_qr(
        label_id: str,
        ctx: CtxDep,
        kind: Literal["url", "offline"] = "url",
        format: Literal["svg", "png"] = "svg",
        scale: Annotated[int, Query(ge=1, le=40)] = 8,
    ) -> Response:
        """The label's QR code: its short URL (at most version 4-M), or with the token (offline, at most 13-M)."""
        label = await _label_or_404(ctx, label_id)
        base = _cache(ctx).settings.base_url
        data = label_url(base, label.id) if kind == "url" else offline_url(base, label.id, label.token)
        body = render_qr(data, kind=kind, fmt=format, scale=scale)
        media = "image/svg+xml" if format == "svg" else "image/png"
        return Response(body, media_type=media, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/v1/labels/{label_id}/label.svg", tags=tags, responses={200: {"content": {"image/svg+xml": {}}}})
    async def printable(
        label_id: str, ctx: CtxDep, lang: Literal["en", "zh"] = "en", kind: Literal["url", "offline"] = "url"
    ) -> Response:
        """A printable label: grade badge, value per declared unit, boundary, pack, certifier, validity, QR."""
        label = await _label_or_404(ctx, label_id)
        cache = _cache(ctx)
        names = await run_in_threadpool(_names, ctx, label)
        claims = LabelClaims.model_validate(label.claims)
        base = cache.settings.base_url
        qr_url = label_url(base, label.id) if kind == "url" else offline_url(base, label.id, label.token)
        svg = render_label_svg(
            claims,
            qr_url=qr_url,
            certifier_name=names["certifier"],
            pack_title=names["pack"][lang],
            lang=lang,
            grade_scale=names["grades"],
        )
        return Response(svg, media_type="image/svg+xml")

    async def consumer_page(label_id: str, request: Request, ctx: CtxDep, lang: str | None = None) -> HTMLResponse:
        _cache(ctx)  # refuses early when labels cannot be served
        chosen = lang if lang in ("en", "zh") else pick_language(request.headers.get("accept-language"))

        def run() -> tuple[Verification, dict[str, Any] | None]:
            with session_scope(ctx.engine, write=False) as s:
                try:
                    label: Label | None = store.get_label(s, label_id.upper())
                except NotFound:
                    label = None
                key_state = KeyState(store.get_signing_key(s, label.kid).state) if label else None
                v = svc.stored_verification(label, key_state, now=ctx.clock())
                return v, (_names_in(s, ctx, label) if label else None)

        v, names = await run_in_threadpool(run)
        view = LabelPageView(
            verification=v,
            product_name=names["product"] if names else None,
            certifier_name=names["certifier"] if names else None,
            pack_title=names["pack"][chosen] if names else None,
            scheme_title=names["scheme"] if names else None,
            status_checked_at=v.checked_at,
            rule_pack_url=names["pack_url"] if names else None,
            trust_list_url="/v1/trust-list",
            grade_scale=names["grades"] if names else tuple("ABCDEFG"),
        )
        html = render_label_page(view, lang=chosen)  # type: ignore[arg-type]
        status = 404 if v.status is VerifyStatus.UNKNOWN else 200
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store", "Vary": "Accept-Language"})

    for prefix in ("/l", "/L"):
        app.get(
            f"{prefix}/{{label_id}}",
            tags=["consumer"],
            response_class=HTMLResponse,
            name=f"page{prefix}",
            responses={404: {"description": "no such label: the page says so", "content": {"text/html": {}}}},
        )(consumer_page)

    @app.post("/v1/labels:verify", tags=tags, openapi_extra={"security": BEARER})
    async def verify_batch(body: VerifyBody, principal: PrincipalDep, ctx: CtxDep) -> Response:
        """Verify up to 1,000 labels (ids or tokens) in one call; one result per item, in order."""
        principal.require("platform", "certifier")
        cache = _cache(ctx)
        trust, _ = await run_in_threadpool(cache.trust, ctx)
        now = ctx.clock()
        results = await run_in_threadpool(_verify_items, ctx, trust, body.items, now)
        return ORJSONResponse({"checked_at": now.isoformat(), "results": results})

    @app.get(
        "/v1/trust-list",
        tags=["trust"],
        responses={200: {"description": "signed trust list (schemas/trust-list-1.0.json)"}},
    )
    async def get_trust_list(request: Request, ctx: CtxDep) -> Response:
        """Every label signing key with its certifier, scope and state, signed by the registry.

        Issued on the hour (valid a day from then), so the document - and its ETag, a digest of all
        of it - changes only when a key changes or the hour turns."""
        cache = _cache(ctx)
        on_the_hour = ctx.clock().replace(minute=0, second=0, microsecond=0)

        def run() -> dict[str, Any]:
            with session_scope(ctx.engine, write=False) as s:
                return svc.signed_trust_list(s, cache.settings, now=on_the_hour)

        doc = await run_in_threadpool(run)
        body = orjson.dumps(doc)
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    @app.get("/v1/trust-list/keys", tags=["trust"])
    async def get_registry_keys(ctx: CtxDep) -> Response:
        """The registry's key(s) that sign the trust list (a JWK set): pin it once, then check every
        trust list you fetch (``pcfreg label verify --registry-key``)."""
        return ORJSONResponse(
            svc.registry_keys(_cache(ctx).settings), headers={"Cache-Control": "public, max-age=3600"}
        )

    @app.get(
        "/v1/status/{certifier}/{list_no}",
        tags=["trust"],
        responses={200: {"content": {"application/statuslist+cwt": {}}}},
    )
    async def get_status_list(certifier: str, list_no: int, request: Request, ctx: CtxDep) -> Response:
        """A certifier's status list as a signed Status List Token (IETF Token Status List, 2 bits per label)."""
        cache = _cache(ctx)
        try:
            token, version = await run_in_threadpool(cache.status_token, ctx, certifier, list_no)
        except NotFound as e:
            raise NotFoundError(e.message) from e
        etag = f'"{certifier}-{list_no}-v{version}"'
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={cache.settings.status_ttl}"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(token, media_type="application/statuslist+cwt", headers=headers)

    @app.post(
        "/v1/certifiers/{certifier}/keys:rotate", tags=["trust"], status_code=201, openapi_extra={"security": BEARER}
    )
    async def rotate_key(certifier: str, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
        """A new signing key; the old ones verify only, until their last label expires."""
        principal.require("certifier").require_org(certifier)
        cache = _cache(ctx)

        def run() -> dict[str, Any]:
            with session_scope(ctx.engine) as s:
                new, retired = svc.rotate_signing_key(s, cache.settings, certifier, now=ctx.clock())
                return {"kid": new.kid, "retired": [{"kid": k.kid, "verify_until": k.verify_until} for k in retired]}

        out = await run_in_threadpool(run)
        cache.invalidate()
        return out


async def _label_or_404(ctx: ServiceContext, label_id: str) -> Label:
    def run() -> Label:
        with session_scope(ctx.engine, write=False) as s:
            return store.get_label(s, label_id.upper())

    try:
        return await run_in_threadpool(run)
    except NotFound as e:
        raise NotFoundError(e.message) from e


def _names(ctx: ServiceContext, label: Label) -> dict[str, Any]:
    with session_scope(ctx.engine, write=False) as s:
        return _names_in(s, ctx, label)


def _names_in(s: Any, ctx: ServiceContext, label: Label) -> dict[str, Any]:
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
    }


def _verify_items(ctx: ServiceContext, trust: Any, items: list[VerifyItem], now: datetime) -> list[dict[str, Any]]:
    """Ids are answered from the registry's records. A token that is byte for byte the one the registry
    issued under its id is answered the same way (the registry signed exactly those bytes); any other
    token is verified offline against the trust list, then the records' state of its label applied."""
    parsed: list[tuple[VerifyItem, Verification | None, str | None, bytes | None]] = []
    ids: list[str] = []
    for item in items:
        if (item.label_id is None) == (item.token is None):
            bad = Verification(
                status=VerifyStatus.UNKNOWN, reason="bad_item", detail="give label_id or token", checked_at=now
            )
            parsed.append((item, bad, None, None))
            continue
        if item.label_id is not None:
            lid = item.label_id.strip().upper()
            ids.append(lid)
            parsed.append((item, None, lid, None))
            continue
        try:
            raw = _token_bytes(item.token or "")
            if item.gtin is not None:
                normalize_gtin(item.gtin)
        except RegistryError as e:  # a malformed gtin or token text
            bad = Verification(status=VerifyStatus.UNKNOWN, reason="bad_item", detail=e.message, checked_at=now)
            parsed.append((item, bad, None, None))
            continue
        peeked: str | None = None
        try:
            peeked = peek(raw)[1].label_id
            ids.append(peeked)
        except RegistryError:
            pass  # verify() says what is wrong with it
        parsed.append((item, None, peeked, raw))
    with session_scope(ctx.engine, write=False) as s:
        labels = store.get_labels(s, ids)
        states = {r.kid: KeyState(r.state) for r in store.signing_keys(s)} if labels else {}
    out = []
    for item, given, found_id, token in parsed:
        label = labels.get(found_id) if found_id else None
        if given is not None:
            result = given
        elif token is None or (label is not None and label.token == token):
            result = svc.stored_verification(label, states.get(label.kid) if label else None, now=now)
            if item.gtin is not None and result.claims is not None and result.status is VerifyStatus.VALID:
                result = _check_gtin(result, item.gtin, now)
        else:
            result = svc.overlay_state(verify(token, trust=trust, status=None, now=now, gtin=item.gtin), label)
        out.append(_item_json(item.ref, result))
    return out


def _check_gtin(v: Verification, gtin: str, now: datetime) -> Verification:
    try:
        expected = normalize_gtin(gtin)
    except RegistryError as e:
        return Verification(status=VerifyStatus.UNKNOWN, reason="bad_item", detail=e.message, checked_at=now)
    if v.claims is not None and expected != v.claims.gtin:
        return v.model_copy(update={"status": VerifyStatus.OUT_OF_SCOPE, "reason": "gtin_mismatch"})
    return v


def _batch_request(raw: bytes, number: int) -> svc.IssueRequest | bytes:
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


def _issue_chunk(
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
        if isinstance(outcome, RegistryError):
            answers[number] = orjson.dumps({"line": number, "error": outcome.to_dict()}) + b"\n"
        else:
            c = outcome.claims
            item = {"line": number, "id": c.label_id, "grade": c.grade, "value": c.value, "url": outcome.url}
            item["token"] = token_to_b64url(outcome.token)
            answers[number] = orjson.dumps(item) + b"\n"
    return b"".join(r if isinstance(r, bytes) else answers[n] for n, r in pending)
