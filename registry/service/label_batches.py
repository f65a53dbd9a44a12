"""Batch issuing, shared by ``POST /v1/labels:batch`` and ``pcfreg label issue FILE.jsonl``.

JSON Lines in, JSON Lines out, one result per non-blank line, in order: the label (marked
``"repeat": true`` when the request was issued before) or ``{"line": n, "error": {...}}``. Lines
are read as a stream, each at most ``settings.batch_line_limit`` bytes (a longer line is answered
with an error naming it, and never held whole in memory), and issued a transaction's worth at a
time, so memory stays flat whatever the size of the batch, and the first results come at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine

from issuance import token_to_b64url
from registry.errors import InputError, Location, RegistryError
from registry.inputs import parse_json
from registry.service import labels as svc
from registry.storage.db import session_scope

FIRST_CHUNK = 1  # lines in the first transaction: the first result comes out as soon as it can
GROWTH = 8  # each transaction after it takes this many times more lines than the one before, up to CHUNK
CHUNK = 500  # lines in each later transaction
READ_SIZE = 1 << 16  # bytes read from a file at a time


@dataclass(frozen=True)
class LineTooLong:
    """A line longer than the limit: only its length was kept."""

    size: int


Line = bytes | LineTooLong


class LineSplitter:
    """Splits a byte stream fed in pieces into lines of at most ``limit`` bytes (without the newline);
    a longer line is skipped as it arrives and comes out as :class:`LineTooLong`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._buf = bytearray()
        self._skipped = 0  # bytes of the line being skipped, 0 when not skipping

    def feed(self, piece: bytes) -> Iterator[Line]:
        start = 0
        while True:
            end = piece.find(b"\n", start)
            stop = len(piece) if end < 0 else end
            self._take(piece, start, stop)
            if end < 0:
                return
            yield self._line()
            start = end + 1

    def finish(self) -> Iterator[Line]:
        if self._buf or self._skipped:
            yield self._line()

    def _take(self, piece: bytes, start: int, stop: int) -> None:
        if self._skipped:
            self._skipped += stop - start
        elif len(self._buf) + stop - start > self.limit:
            self._skipped = len(self._buf) + stop - start
            self._buf = bytearray()
        else:
            self._buf += piece[start:stop]

    def _line(self) -> Line:
        if self._skipped:
            out: Line = LineTooLong(self._skipped)
            self._skipped = 0
            return out
        line = bytes(self._buf)
        self._buf.clear()
        return line


def read_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, Line]]:
    """The numbered lines of a binary stream, read a piece at a time (see :class:`LineSplitter`)."""
    splitter = LineSplitter(limit)
    number = 0
    while piece := stream.read(READ_SIZE):
        for line in splitter.feed(piece):
            number += 1
            yield number, line
    for line in splitter.finish():
        number += 1
        yield number, line


# --- a line as a request ----------------------------------------------------------------------
# (no docstring on the model: pydantic would put it in the OpenAPI schema as its description)


class IssueBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration: dict[str, Any]
    pack: str | None = Field(default=None, max_length=300)
    gtin: str | None = Field(default=None, max_length=14)
    batch: str | None = Field(default=None, max_length=20)
    qr: Literal["url", "digital-link"] | None = Field(
        default=None,
        description="the QR code the label carries: the short label URL (url, the default) or the product's GS1 "
        "Digital Link URI (digital-link: https://HOST/01/{GTIN}[/10/{batch}], resolved by this registry)",
    )
    audit_id: str | None = Field(default=None, max_length=36)
    scheme: str | None = Field(default=None, max_length=64)
    recalculation: str | None = Field(
        default=None,
        max_length=36,
        description="the stored recalculation (its validation id, from POST /v1/recalculations) the label rests on",
    )
    request_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the caller's id of this request: a repeat returns the label issued for it",
    )

    def to_request(self, key: str | None = None) -> svc.IssueRequest:
        return svc.IssueRequest(
            declaration=self.declaration,
            pack=self.pack,
            gtin=self.gtin,
            batch=self.batch,
            audit_id=self.audit_id,
            scheme=self.scheme,
            recalculation=self.recalculation,
            qr=self.qr,
            key=self.request_id if self.request_id is not None else key,
        )


Pending = svc.IssueRequest | bytes  # a request to issue, or its answer already (an error line, b"" for blank)


def batch_request(raw: Line, number: int, *, limit: int, key_prefix: str | None = None) -> Pending:
    """One batch line as an issue request, or its error line (b"" for a blank line). With
    ``key_prefix`` (a batch's Idempotency-Key), a line without a request_id gets ``prefix#line``."""
    if isinstance(raw, LineTooLong):
        error = InputError(
            f"line {number} is longer than {limit:,} bytes ({raw.size:,}), the limit of a batch line "
            f"({svc.BATCH_LINE_LIMIT_ENV}); it was not read",
            Location(line=number),
            code="line-too-long",
        )
        return _error_line(number, error.to_dict())
    if not raw.strip():
        return b""
    try:
        body = IssueBody.model_validate(parse_json(raw, line=number))
    except RegistryError as e:
        return _error_line(number, e.to_dict())
    except ValidationError as e:
        first = e.errors()[0]
        where = "/" + "/".join(str(p) for p in first["loc"])
        invalid = {"code": "invalid-request", "message": f"{where}: {first['msg']}", "location": {"pointer": where}}
        return _error_line(number, invalid)
    return body.to_request(f"{key_prefix}#{number}" if key_prefix is not None else None)


def _error_line(number: int, error: dict[str, Any]) -> bytes:
    return orjson.dumps({"line": number, "error": error}) + b"\n"


# --- issuing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchIssuer:
    """Where and as whom a batch is issued."""

    engine: Engine
    packs: svc.Packs
    settings: svc.IssuanceSettings
    certifier: str
    clock: Callable[[], datetime]

    def chunk(self, pending: list[tuple[int, Pending]]) -> bytes:
        """The result lines of a chunk, in input order: the requests issued in one transaction, the
        lines already answered (errors, blanks) passed through."""
        requests = [(n, r) for n, r in pending if isinstance(r, svc.IssueRequest)]
        outcomes: list[svc.Issued | RegistryError] = []
        if requests:
            try:
                with session_scope(self.engine) as s:
                    outcomes = svc.issue_labels(
                        s,
                        self.packs,
                        self.settings,
                        certifier=self.certifier,
                        requests=[r for _, r in requests],
                        now=self.clock(),
                    )
            except RegistryError as e:  # the chunk's transaction failed as a whole: nothing of it was stored
                outcomes = [e] * len(requests)
        answers = {number: issued_line(number, o) for (number, _), o in zip(requests, outcomes, strict=True)}
        return b"".join(r if isinstance(r, bytes) else answers[n] for n, r in pending)

    def stream(self, lines: Iterable[tuple[int, Line]], *, key_prefix: str | None = None) -> Iterator[bytes]:
        """The result lines of a whole batch, a transaction's worth at a time: the first of one line,
        each next one larger (1, 8, 64, 500, 500, ...), so the first answers come out early and the
        later transactions amortise their commit and log writes."""
        limit = self.settings.batch_line_limit
        pending: list[tuple[int, Pending]] = []
        size = FIRST_CHUNK
        for number, raw in lines:
            pending.append((number, batch_request(raw, number, limit=limit, key_prefix=key_prefix)))
            if len(pending) >= size:
                yield self.chunk(pending)
                pending, size = [], min(size * GROWTH, CHUNK)
        if pending:
            yield self.chunk(pending)


def issued_line(number: int, outcome: svc.Issued | RegistryError) -> bytes:
    """The result line of one request: the label's id, grade, value, URL, token and whether it is a
    repeat, or the error."""
    if isinstance(outcome, RegistryError):
        return _error_line(number, outcome.to_dict())
    c = outcome.claims
    item = {"line": number, "id": c.label_id, "grade": c.grade, "value": c.value, "url": outcome.url}
    item["token"] = token_to_b64url(outcome.token)
    item["repeat"] = outcome.repeat
    return orjson.dumps(item) + b"\n"
