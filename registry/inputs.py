"""Reading input: files or standard input as bytes, JSON with file, line and column in its errors, and
UTF-16 or UTF-32 text recognised (refused for JSON, read for XML that declares its encoding)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from registry.errors import InputError, Location


@dataclass(frozen=True, slots=True)
class WideEncoding:
    """Text in UTF-16 or UTF-32: ``name`` as people say it, the Python ``codec`` and the BOM's length."""

    name: str
    codec: str
    bom: int

    @property
    def order(self) -> str:
        return "little-endian" if self.codec.endswith("le") else "big-endian"


# Byte order marks, UTF-32 first (its little-endian mark starts like UTF-16's) [S: Unicode 15.0, section 23.8,
# table 23-4; XML 1.0 (Fifth Edition), appendix F.1].
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "UTF-32", "utf-32-le"),
    (b"\xfe\xff", "UTF-16", "utf-16-be"),
    (b"\xff\xfe", "UTF-16", "utf-16-le"),
)
# Without a mark: where the zero bytes fall among the first four, since JSON and XML begin with ASCII
# characters [S: RFC 4627, section 3; XML 1.0 (Fifth Edition), appendix F.1].
_ZEROS = {
    (True, True, True, False): ("UTF-32", "utf-32-be"),
    (False, True, True, True): ("UTF-32", "utf-32-le"),
    (True, False, True, False): ("UTF-16", "utf-16-be"),
    (False, True, False, True): ("UTF-16", "utf-16-le"),
    (True, False): ("UTF-16", "utf-16-be"),  # one character, two bytes
    (False, True): ("UTF-16", "utf-16-le"),
}


def wide_encoding(data: bytes) -> WideEncoding | None:
    """UTF-16 or UTF-32 by the byte order mark or the first bytes; None for UTF-8 and other byte-wide text."""
    for bom, name, codec in _BOMS:
        if data.startswith(bom):
            return WideEncoding(name, codec, len(bom))
    head = data[:4] if len(data) >= 4 else data[:2] if len(data) == 2 else b""
    found = _ZEROS.get(tuple(b == 0 for b in head))
    return WideEncoding(found[0], found[1], 0) if found else None


def _subject(file: str | None) -> str:
    return "the input" if file in (None, "-") else "the file"


def refuse_wide(data: bytes, *, what: str, file: str | None) -> None:
    """Refuse UTF-16 or UTF-32 ``data`` where ``what`` (JSON, ...) must be UTF-8, saying how to convert it."""
    wide = wide_encoding(data)
    if wide is not None:
        raise InputError(
            f"{_subject(file)} is {wide.name} ({wide.order}); {what} must be UTF-8: convert it "
            f"(e.g. iconv -f {wide.name}{wide.order[0].upper()}E -t UTF-8)",
            Location(file),
        )


_XML_DECLARATION = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")


def xml_as_utf8(data: bytes, *, file: str | None) -> bytes:
    """UTF-8 XML as it is; UTF-16 or UTF-32 XML whose declaration names that encoding, re-encoded as UTF-8
    (declaration changed to match, lines unchanged); any other UTF-16 or UTF-32 refused."""
    wide = wide_encoding(data)
    if wide is None:
        return data
    try:
        text = data[wide.bom :].decode(wide.codec)
    except UnicodeDecodeError as e:
        message = (
            f"not well-formed XML: {_subject(file)} starts as {wide.name} but is not valid {wide.name}: {e.reason}"
        )
        raise InputError(message, Location(file)) from e
    declared = _XML_DECLARATION.match(text)
    family = wide.name.replace("-", "")
    names = {family, family + ("LE" if wide.codec.endswith("le") else "BE")}
    if declared is None or declared.group(1).upper().replace("-", "").replace("_", "") not in names:
        said = "has no encoding declaration" if declared is None else f"declares encoding {declared.group(1)}"
        raise InputError(
            f"{_subject(file)} is {wide.name} ({wide.order}) but {said}; XML must be UTF-8 unless its "
            f'declaration names its encoding (<?xml version="1.0" encoding="{wide.name}"?>)',
            Location(file, 1, 1),
        )
    return (text[: declared.start(1)] + "UTF-8" + text[declared.end(1) :]).encode("utf-8")


def parse_json(data: bytes, *, file: str | None = None, line: int | None = None) -> Any:
    """Parse JSON (UTF-8, RFC 8259 section 8.1); errors carry file, line and column."""
    refuse_wide(data, what="JSON", file=file)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        ln, col = e.lineno, e.colno
        if line is not None:  # a JSON Lines record: report the record's line in the file
            ln = line
        reason = e.msg if hasattr(e, "msg") else str(e)
        raise InputError(f"invalid JSON: {reason}", Location(file, ln, col)) from e


def read_input(path: str, stdin: IO[bytes] | None = None, *, max_bytes: int | None = None) -> bytes:
    """The bytes of file ``path`` ('-': ``stdin``); with ``max_bytes``, a larger input is refused before it
    is read (a file by its size, standard input after ``max_bytes`` + 1 bytes)."""
    if path == "-":
        if stdin is None:
            raise InputError("no standard input", Location("-"))
        data = stdin.read() if max_bytes is None else stdin.read(max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:
            raise InputError(f"the input is over the limit of {max_bytes} bytes", Location("-"))
        return data
    try:
        if max_bytes is not None and (size := Path(path).stat().st_size) > max_bytes:
            raise InputError(f"file is {size} bytes, over the limit of {max_bytes} bytes", Location(path))
        return Path(path).read_bytes()
    except IsADirectoryError as e:
        raise InputError("is a directory, not a file", Location(path)) from e
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}", Location(path)) from e
