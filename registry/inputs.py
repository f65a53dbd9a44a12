"""Reading input: files or standard input as bytes, JSON with file, line and column in its errors."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import orjson

from registry.errors import InputError, Location


def parse_json(data: bytes, *, file: str | None = None, line: int | None = None) -> Any:
    """Parse JSON; errors carry file, line and column."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        ln, col = e.lineno, e.colno
        if line is not None:  # a JSON Lines record: report the record's line in the file
            ln = line
        reason = e.msg if hasattr(e, "msg") else str(e)
        raise InputError(f"invalid JSON: {reason}", Location(file, ln, col)) from e


def read_input(path: str, stdin: IO[bytes] | None = None) -> bytes:
    if path == "-":
        if stdin is None:
            raise InputError("no standard input", Location("-"))
        return stdin.read()
    try:
        return Path(path).read_bytes()
    except IsADirectoryError as e:
        raise InputError("is a directory, not a file", Location(path)) from e
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}", Location(path)) from e
