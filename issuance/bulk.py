"""Offline verification in bulk: a :class:`Verifier` holds one trust list and its status lists and verifies
token after token in one process, with flat memory (issue 14).

    verifier = Verifier(trust, status, now=datetime.now(UTC))
    verifier.verify("HTTPS://REG.EXAMPLE/L/ID#TOKEN").status          # one label
    for out in verifier.verify_lines(open("labels.jsonl", "rb")):       # JSON Lines in, JSON Lines out
        sys.stdout.buffer.write(out)

What a line may hold: a token (base64url or base32), an offline label URL (the token in its ``#`` fragment),
a JSON string of either, or a JSON object ``{"token": ...}`` / ``{"url": ...}`` with optional ``gtin`` (the
product it was found on) and ``id`` (echoed back). A label URL without a token cannot be verified offline:
its result is ``unknown`` with reason ``no_token`` and the label id, so that the caller can ask online.

Each result line, in input order: ``line``, the caller's ``id`` if given, ``verdict`` (a
:class:`issuance.model.VerifyStatus` value, or ``unusable`` for a line that holds nothing to verify),
``label_id``, ``kid``, ``reasons`` (``[{"code", "message"}]``, empty when valid), ``label`` (the claims, when
the signature held) and ``checked_at``. A bad line is a result naming its line number, never an exception.

Speed: the signature is checked once per distinct token (a bounded cache of the tokens whose signature held and
their keys; decoding, time, status and product checks are redone for every line), keys are parsed once with the
trust list, status lists once. bench/labels_offline.py prints the rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import orjson

from issuance.cose import MAX_TOKEN_BYTES
from issuance.errors import IssuanceError, TokenError
from issuance.gtin import normalize_gtin
from issuance.label_decode import DecodedLabel
from issuance.model import Grading, LabelClaims, Verification, VerifyStatus
from issuance.status_list import StatusList
from issuance.token_text import base32_digits, token_from_b64url, token_from_digits
from issuance.trust import TrustedKey, TrustList
from issuance.verify import Signed, decode_step, judge, signature_step

UNUSABLE = "unusable"  # the verdict of a line that holds nothing to verify
CHUNK = 64  # lines verified together (Verifier.results)
DEFAULT_CACHE = 4096  # tokens whose signature held, with their key (about 300 bytes each): a bounded, flat memory

_LABEL_URL = re.compile(r"(?i)https?://[^/#\s]+(?:/[^#\s]*)?/l/([a-z2-7]{16})/?")
_LABEL_ID = re.compile(r"[A-Za-z2-7]{16}")
_MAX_TEXT = 2 * MAX_TOKEN_BYTES  # longer text is refused by either decoder with the same error
_JSON = orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE
# an enum member's value by a dict lookup: ``member.value`` runs enum's Python descriptor, about 1 us
_VERDICT = {status: status.value for status in VerifyStatus}
_GRADING = {grading: grading.value for grading in Grading}


class NotAToken(Exception):
    """The text is a label id or a label URL without its token (what the default QR code carries)."""

    def __init__(self, label_id: str, what: str) -> None:
        super().__init__(label_id)
        self.label_id = label_id
        self.what = what


def token_of(text: str) -> bytes:
    """The token bytes of base64url or base32 text or of an offline label URL; :class:`NotAToken` for a label
    id or URL without a token, :class:`issuance.errors.TokenError` for text that is no token at all."""
    text = text.strip()
    if "#" in text:  # an offline label URL: the token rides in the fragment, in base32
        fragment = text.rsplit("#", 1)[1]
        return token_from_digits(fragment, base32_digits(fragment))
    url = _LABEL_URL.fullmatch(text)
    if url is not None:
        raise NotAToken(url.group(1).upper(), "a label URL")
    if _LABEL_ID.fullmatch(text):
        raise NotAToken(text.upper(), "a label id")
    digits = base32_digits(text) if len(text) <= _MAX_TEXT else None  # [A-Z2-7]*, and what decoding it needs
    if text and digits is not None:
        return token_from_digits(text, digits)
    return token_from_b64url(text)


def _looks_base32(text: str) -> bool:
    """``[A-Z2-7]+``, as :func:`token_of` decides (without a pattern, which costs 3 us over 300 characters)."""
    return bool(text) and base32_digits(text) is not None


def claims_json(claims: LabelClaims) -> dict[str, Any]:
    """What ``claims.model_dump(mode="json")`` gives, without pydantic's serializer (4 times faster)."""
    out = dict(claims.__dict__)
    out["grading"] = _GRADING[claims.grading]
    return out


class Verifier:
    """Verifies many labels against one trust list and one set of status lists, as of one instant.

    ``status`` maps status list URIs to verified lists (:func:`issuance.status_list.select_status_lists`);
    ``check_status=False`` verifies without them (valid, reason ``status_unchecked``). ``now`` is the instant
    of every verification (a verifier is made per batch; pass ``now`` to :meth:`verify` to change it).
    """

    def __init__(
        self,
        trust: TrustList,
        status: Mapping[str, StatusList] | None = None,
        *,
        now: datetime,
        check_status: bool = True,
        cache_size: int = DEFAULT_CACHE,
    ) -> None:
        self.trust = trust
        self.status = status
        self.now = now
        self.check_status = check_status
        # token -> the trusted key whose signature holds over it: that fact depends on the token's bytes and the
        # trust list only. Only a token seen again is kept decoded (``_repeated``): keeping every decoded label
        # made the garbage collector walk thousands of live objects, 6 us a line on a stream of distinct tokens,
        # where decoding again costs 15 us against 72 us for the signature (docs/adr/0033-bulk-verify-speed.md).
        self._signers: dict[bytes, TrustedKey] = {}
        self._repeated: dict[bytes, Signed] = {}
        self._cache_size = cache_size

    def verify(self, item: str | bytes, *, gtin: str | None = None, now: datetime | None = None) -> Verification:
        """One label: token bytes, or text (a token, an offline label URL). Text that is no token is
        ``invalid_signature`` / ``malformed``; a label id or URL without a token is ``unknown`` / ``no_token``.
        A ``gtin`` that is not a GTIN raises :class:`issuance.errors.GtinError`."""
        when = self.now if now is None else now
        expected = normalize_gtin(gtin) if gtin is not None else None
        if isinstance(item, str):
            try:
                item = token_of(item)
            except NotAToken as e:
                return _no_token(e, when)
            except TokenError as e:
                return _malformed(e, when)
        signed = self._authenticated(item, when)
        if isinstance(signed, Verification):
            return signed
        return judge(
            signed, trust=self.trust, status=self.status, now=when, gtin=expected, check_status=self.check_status
        )

    def verify_many(self, items: Iterable[str | bytes]) -> Iterator[Verification]:
        """:meth:`verify` of each item, in order, lazily."""
        for item in items:
            yield self.verify(item)

    def verify_lines(self, lines: Iterable[bytes], *, gtin: str | None = None, chunk: int = CHUNK) -> Iterator[bytes]:
        """One JSON result line (newline-terminated bytes) per non-blank input line, in order (see
        :meth:`results`)."""
        for out in self.results(lines, gtin=gtin, chunk=chunk):
            yield orjson.dumps(out, option=_JSON)

    def results(
        self, lines: Iterable[bytes], *, gtin: str | None = None, chunk: int = CHUNK
    ) -> Iterator[dict[str, Any]]:
        """The result object of each non-blank input line, in order; blank lines are skipped but counted, so
        ``line`` is the input's line number. ``gtin`` applies to lines that name none.

        Lines are taken ``chunk`` at a time: all are decoded, then all signatures checked in a row, then all
        judged (about 15% faster than line by line: the signature code keeps its tables in the CPU caches).
        A result comes out once its chunk is read; ``chunk=1`` answers each line at once (interactive use).
        """
        batch: list[tuple[int, bytes]] = []
        for number, raw in enumerate(lines, 1):
            text = raw.strip()
            if text:
                batch.append((number, text))
            if len(batch) >= chunk:
                yield from self._chunk(batch, gtin)
                batch = []
        if batch:
            yield from self._chunk(batch, gtin)

    def line_result(self, number: int, text: bytes, *, gtin: str | None = None) -> dict[str, Any]:
        """The result object of one input line (its number given; its bytes stripped)."""
        return next(iter(self._chunk([(number, text)], gtin)))

    def _chunk(self, batch: list[tuple[int, bytes]], gtin: str | None) -> list[dict[str, Any]]:
        jobs = [self._job(number, text, gtin) for number, text in batch]
        trust, now, repeated = self.trust, self.now, self._repeated
        for job in jobs:  # step 1 for every token not seen twice before
            if isinstance(job, _Job):
                job.stage = repeated.get(job.token) or decode_step(job.token, trust, now)
        for job in jobs:  # steps 2-3, in a row, for every token not seen before
            if isinstance(job, _Job) and isinstance(job.stage, DecodedLabel):
                job.stage = self._known(job.token, job.stage) or self._check(job.token, job.stage)
        return [job if isinstance(job, dict) else self._finish(job) for job in jobs]

    def _job(self, number: int, text: bytes, gtin: str | None) -> _Job | dict[str, Any]:
        """A line parsed: a job to verify, or its final result (unusable, not a token, malformed)."""
        try:
            item, line_gtin, ident = _parse_line(text)
            wanted = line_gtin if line_gtin is not None else gtin
            expected = normalize_gtin(wanted) if wanted is not None else None
        except _BadLine as e:
            return _unusable(number, "bad_line", e.args[0])
        except IssuanceError as e:  # a bad gtin
            return _unusable(number, e.reason, e.message)
        try:
            token = token_of(item)
        except NotAToken as e:
            return _numbered(_no_token(e, self.now), number, ident)
        except TokenError as e:
            return _numbered(_malformed(e, self.now), number, ident)
        return _Job(number, ident, expected, token)

    def _finish(self, job: _Job) -> dict[str, Any]:
        stage = job.stage
        if not isinstance(stage, Signed):
            assert isinstance(stage, Verification)
            return _numbered(stage, job.number, job.ident)
        result = judge(
            stage, trust=self.trust, status=self.status, now=self.now, gtin=job.gtin, check_status=self.check_status
        )
        return _numbered(result, job.number, job.ident)

    def _authenticated(self, token: bytes, now: datetime) -> Signed | Verification:
        signed = self._repeated.get(token)
        if signed is not None:
            return signed
        decoded = decode_step(token, self.trust, now)
        if isinstance(decoded, Verification):
            return decoded
        return self._known(token, decoded) or self._check(token, decoded, now)

    def _known(self, token: bytes, decoded: DecodedLabel) -> Signed | None:
        """The token's signature held before: kept decoded from now on (the stream repeats it)."""
        key = self._signers.get(token)
        if key is None:
            return None
        signed = Signed(decoded, key)
        _keep(self._repeated, token, signed, self._cache_size)
        return signed

    def _check(self, token: bytes, decoded: DecodedLabel, now: datetime | None = None) -> Signed | Verification:
        outcome = signature_step(decoded, self.trust, self.now if now is None else now)
        if isinstance(outcome, Signed):
            _keep(self._signers, token, outcome.key, self._cache_size)
        return outcome


def _keep(cache: dict[bytes, Any], token: bytes, value: Any, size: int) -> None:
    if len(cache) >= size:
        cache.clear()  # flat memory; a stream repeating tokens refills it at once
    cache[token] = value


class _Job:
    """One line on its way through a chunk: its token and how far it got (None, decoded, signed, refused)."""

    __slots__ = ("gtin", "ident", "number", "stage", "token")

    def __init__(self, number: int, ident: Any, gtin: str | None, token: bytes) -> None:
        self.number, self.ident, self.gtin, self.token = number, ident, gtin, token
        self.stage: DecodedLabel | Signed | Verification | None = None


def _numbered(result: Verification, number: int, ident: Any) -> dict[str, Any]:
    out = result_json(result)
    out["line"] = number
    if ident is not None:
        out["id"] = ident
    return out


def result_json(result: Verification) -> dict[str, Any]:
    """The JSON object of one verification in a bulk result line (without ``line`` and ``id``)."""
    out: dict[str, Any] = {
        "verdict": _VERDICT[result.status],
        "label_id": result.label_id,
        "kid": result.kid,
        "reasons": [] if result.reason is None else [{"code": result.reason, "message": result.detail or ""}],
    }
    if result.accreditation is not None:
        out["reasons"][0]["accreditation"] = result.accreditation
    if result.claims is not None:
        out["label"] = claims_json(result.claims)
    out["checked_at"] = result.checked_at
    return out


class _BadLine(Exception):
    pass


def _parse_line(text: bytes) -> tuple[str, str | None, Any]:
    """(token text or URL, gtin, caller's id) of one stripped input line."""
    first = text[:1]
    if first not in (b"{", b'"', b"["):
        try:
            return text.decode("ascii"), None, None
        except UnicodeDecodeError:
            raise _BadLine("the line is not a token, a label URL or JSON (non-ASCII text)") from None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise _BadLine(f"the line is not valid JSON: {e}") from None
    if isinstance(value, str):
        return value, None, None
    return _from_object(value)


def _from_object(value: Any) -> tuple[str, str | None, Any]:
    if not isinstance(value, dict):
        raise _BadLine("a JSON line must be a string or an object")
    given = [name for name in ("token", "url") if name in value]
    if len(given) != 1 or not isinstance(value[given[0]], str):
        raise _BadLine('a JSON object line needs exactly one of "token" or "url", a string')
    gtin = value.get("gtin")
    if gtin is not None and not isinstance(gtin, str):
        raise _BadLine('"gtin" must be a string of digits')
    return value[given[0]], gtin, value.get("id")


def _unusable(number: int, code: str, message: str) -> dict[str, Any]:
    return {"line": number, "verdict": UNUSABLE, "reasons": [{"code": code, "message": f"line {number}: {message}"}]}


def _no_token(e: NotAToken, now: datetime) -> Verification:
    detail = (
        f"this is {e.what} (label {e.label_id}) without the signed token, so it cannot be verified offline: "
        f"verify it online (POST /v1/labels:verify, or open /L/{e.label_id})"
    )
    return Verification(
        status=VerifyStatus.UNKNOWN, reason="no_token", detail=detail, label_id=e.label_id, checked_at=now
    )


def _malformed(e: TokenError, now: datetime) -> Verification:
    detail = f"{e.reason}: {e.message}"
    return Verification(status=VerifyStatus.INVALID_SIGNATURE, reason="malformed", detail=detail, checked_at=now)
