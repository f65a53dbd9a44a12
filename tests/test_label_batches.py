"""Batch lines read as a stream under a per-line limit (issue 10): a line over the limit is never held
whole, and the lines around it are read as they are."""

from __future__ import annotations

import base64
import io
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from registry.service.label_batches import (
    CHUNK,
    GROWTH,
    BatchIssuer,
    LineSplitter,
    LineTooLong,
    Pending,
    batch_request,
    read_lines,
)


class _Endless(io.RawIOBase):
    """``head``, then ``size`` bytes of one line made up as they are read, then ``tail``: the big line
    never exists in memory, so any copy of it would show in the allocation peak."""

    def __init__(self, head: bytes, size: int, tail: bytes) -> None:
        self._parts: Iterator[bytes] = iter([head, *([b"x" * 65536] * (size // 65536)), tail])
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if not self._rest:
            self._rest = next(self._parts, b"")
        n = min(len(b), len(self._rest))
        b[:n], self._rest = self._rest[:n], self._rest[n:]
        return n


def test_a_5_mb_line_is_skipped_without_being_held() -> None:
    stream = io.BufferedReader(_Endless(b'{"a": 1}\n', 5 * 1024 * 1024, b'\n{"b": 2}\n\nlast'))
    tracemalloc.start()
    try:
        lines = list(read_lines(stream, 64 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == [(1, b'{"a": 1}'), (2, LineTooLong(5 * 1024 * 1024)), (3, b'{"b": 2}'), (4, b""), (5, b"last")]
    assert peak < 1024 * 1024  # the reader's pieces and the limit, never the 5 MB line


@pytest.mark.parametrize("cut", [1, 3, 7, 100])
def test_lines_cut_anywhere_come_out_whole(cut: int) -> None:
    data = b"ab\ncdef\n\n" + b"y" * 11 + b"\nz"
    splitter = LineSplitter(10)
    out = [line for i in range(0, len(data), cut) for line in splitter.feed(data[i : i + cut])]
    out += list(splitter.finish())
    assert out == [b"ab", b"cdef", b"", LineTooLong(11), b"z"]


def test_a_line_at_the_limit_is_read_and_one_byte_more_is_refused_by_its_number() -> None:
    assert list(read_lines(io.BytesIO(b"0123456789\n01234567890"), 10)) == [(1, b"0123456789"), (2, LineTooLong(11))]
    error = batch_request(LineTooLong(11), 2, limit=10)
    assert isinstance(error, bytes) and b'"line":2' in error and b"line-too-long" in error
    assert b"line 2 is longer than 10 bytes" in error


def test_the_line_limit_is_configured_by_its_variable(tmp_path: Path) -> None:
    from registry.errors import InputError
    from registry.service.labels import DEFAULT_BATCH_LINE_LIMIT, load_settings

    key = {"PCFREG_MASTER_KEY": base64.urlsafe_b64encode(bytes(32)).decode().rstrip("=")}
    assert load_settings(tmp_path, {**key}).batch_line_limit == DEFAULT_BATCH_LINE_LIMIT == 1 << 20
    assert load_settings(tmp_path, {**key, "PCFREG_BATCH_LINE_LIMIT": "65536"}).batch_line_limit == 65536
    for bad in ("1MiB", "12", "-5"):
        with pytest.raises(InputError, match="PCFREG_BATCH_LINE_LIMIT must be a number of bytes"):
            load_settings(tmp_path, {**key, "PCFREG_BATCH_LINE_LIMIT": bad})


class _Sizes(BatchIssuer):
    """Answers each transaction with its number of lines instead of issuing (and records them)."""

    def chunk(self, pending: list[tuple[int, Pending]]) -> bytes:
        return f"{len(pending)} ".encode()


def test_the_first_transaction_is_one_line_and_the_next_ones_grow_to_the_chunk() -> None:
    """Issue 15: the first result comes out after one line's transaction, not after a chunk's."""
    issuer = _Sizes(None, None, SimpleNamespace(batch_line_limit=100), "c", lambda: datetime.now(UTC))  # type: ignore[arg-type]
    lines = [(n, b"") for n in range(1, 1 + 1 + 8 + 64 + CHUNK + 7)]
    sizes = [int(out) for out in issuer.stream(lines)]
    assert sizes == [1, 8, 64, CHUNK, 7]
    assert sizes[:3] == [1, GROWTH, GROWTH**2]
