"""QR codes for carbon labels: the short label URL, the offline URL, and their symbols.

* ``label_url`` is ``HTTPS://HOST/L/<ID>`` in upper case, so the whole string is in the QR
  alphanumeric set (5.5 bits a character) and fits version 3-4 at ECC M.
* ``offline_url`` appends the signed token as a ``#`` fragment of unpadded upper-case
  base32 (RFC 4648). A fragment is never sent to the server, so the page served for the
  plain URL needs no extra route; the symbol is encoded in three segments (alphanumeric
  URL, one byte-mode ``#``, alphanumeric token) so the token still costs 5.5 bits a character.
* ``digital_link_url`` is the product's GS1 Digital Link URI on this registry,
  ``HTTPS://HOST/01/<GTIN-14>[/10/<batch>][/21/<serial>]`` (issue 14; :mod:`issuance.digital_link`):
  scheme and host upper case, the values as they are (a batch's case is part of it), percent-encoded
  with upper-case hex; all QR alphanumeric when the values are digits and capitals.
* ``make_qr`` / ``render_qr`` use ECC level M without boosting and refuse a symbol above
  the budget: version 4 for a URL, 6 for a Digital Link URI (a batch and serial of up to 20
  characters each), version 13 for an offline URL.

Everything upper-cases the URL, which is harmless for scheme and host; a path prefix in
``base_url`` is upper-cased too, so the server must route ``/L/<ID>`` (and any prefix)
case-insensitively.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from issuance.digital_link import DigitalLinkError, digital_link_uri
from issuance.errors import IssuanceError
from registry.errors import Location

if TYPE_CHECKING:
    import segno  # loaded when a symbol is made: issuing a label only builds its URL

QRKind = Literal["url", "offline", "digital-link"]
QRFormat = Literal["svg", "png"]

ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
MAX_VERSION: dict[str, int] = {"url": 4, "offline": 13, "digital-link": 6}
ECC = "M"
_BASE32 = re.compile(r"[A-Z2-7]+")
_SEGMENT = re.compile(r"[A-Z0-9]+")
_RUNS = re.compile(r"[0-9A-Z $%*+\-./:]+|[^0-9A-Z $%*+\-./:]+")
_MIN_ALNUM_RUN = 8  # shorter alphanumeric runs between bytes are cheaper left in the byte segment

Matrix = tuple[tuple[bool, ...], ...]


@dataclass
class QRError(IssuanceError):
    """Unusable input for a QR code; ``reason`` is ``bad_<field>`` and the pointer names the field."""

    code: str = "qr-error"
    reason: str = "invalid"


@dataclass
class QRCapacityError(QRError):
    """The data needs a larger QR symbol than the budget for its kind allows (``needed_version`` if any fits)."""

    code: str = "qr-capacity"
    reason: str = "too_large"
    needed_version: int | None = None
    max_version: int = 0


def _bad(message: str, field: str) -> QRError:
    return QRError(message, Location(pointer=f"/{field}"), reason=f"bad_{field}")


def _check_alphanumeric(text: str, field: str) -> None:
    for i, ch in enumerate(text):
        if ch.upper() not in ALPHANUMERIC or not ch.isascii():
            raise _bad(f"{field} has {ch!r} at position {i}, outside the QR alphanumeric set (0-9 A-Z $%*+-./:)", field)


@lru_cache(maxsize=64)  # a registry has one base URL: checked once, not for every label (an error is not kept)
def _base(base_url: str) -> str:
    _check_alphanumeric(base_url.strip(), "base_url")
    try:
        parts = urlsplit(base_url.strip())
    except ValueError as e:
        raise _bad(f"base_url is not a URL: {e}", "base_url") from e
    if parts.scheme.lower() not in ("https", "http") or not parts.netloc:
        raise _bad(f"base_url must be an https:// (or http://) URL with a host, got {base_url!r}", "base_url")
    if " " in parts.netloc + parts.path:
        raise _bad("base_url must not contain spaces", "base_url")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}".upper()


def label_url(base_url: str, label_id: str) -> str:
    """The short label URL ``HTTPS://HOST/L/<ID>``, upper case, all QR alphanumeric."""
    lid = label_id.strip().upper()
    if not label_id.isascii() or not _SEGMENT.fullmatch(lid):
        raise _bad(f"label_id must be letters and digits only (one path segment), got {label_id!r}", "label_id")
    return f"{_base(base_url)}/L/{lid}"


def digital_link_url(base_url: str, gtin: str, *, batch: str | None = None, serial: str | None = None) -> str:
    """The product's GS1 Digital Link URI on this registry (``HTTPS://HOST/01/<GTIN-14>[/10/..][/21/..]``),
    scheme and host upper case like :func:`label_url`; refused (naming the part) when the GTIN, batch or
    serial is not valid in a Digital Link URI."""
    try:
        return digital_link_uri(_base(base_url), gtin, batch=batch, serial=serial)
    except DigitalLinkError as e:
        field = "batch" if e.segment == "/10" else "serial"
        raise _bad(f"{e.message} (a Digital Link URI cannot carry it)", field) from e


def _token_base32(token: bytes | str) -> str:
    if isinstance(token, bytes):
        if not token:
            raise _bad("token is empty", "token")
        return base64.b32encode(token).decode("ascii").rstrip("=")
    text = token.strip().upper().rstrip("=")
    if not _BASE32.fullmatch(text):
        raise _bad("token text must be RFC 4648 base32 (A-Z, 2-7, optional '=' padding)", "token")
    try:
        base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error as e:
        raise _bad(f"token text is not valid base32: {e}", "token") from e
    return text


def offline_url(base_url: str, label_id: str, token_text: bytes | str) -> str:
    """The label URL with the token as an upper-case base32 ``#`` fragment.

    ``token_text`` is the token's bytes, or its base32 text (any case, padding optional).
    """
    return f"{label_url(base_url, label_id)}#{_token_base32(token_text)}"


def segments(data: str) -> list[tuple[str, None]]:
    """Split ``data`` into segments for segno: long alphanumeric runs alone, the rest joined in byte mode.

    segno then picks each segment's mode (numeric, alphanumeric or byte) from its content.
    """
    joined: list[tuple[str, bool]] = []
    for match in _RUNS.finditer(data):
        run = match.group(0)
        alnum = run[0] in ALPHANUMERIC and (len(run) >= _MIN_ALNUM_RUN or len(run) == len(data))
        if joined and not alnum and not joined[-1][1]:
            joined[-1] = (joined[-1][0] + run, False)
        else:
            joined.append((run, alnum))
    return [(text, None) for text, _ in joined]


def _encode(data: str) -> segno.QRCode:
    import segno

    parts = segments(data)
    # segno's encoder takes a sequence of (content, mode) segments (segno.encoder.prepare_data),
    # though segno.make is typed for one str; a test decodes mixed-segment symbols to keep this honest.
    content: Any = parts[0][0] if len(parts) == 1 else parts
    try:
        return segno.make(content, error=ECC, boost_error=False, micro=False)
    except segno.DataOverflowError as e:
        raise QRCapacityError(
            f"{len(data)} characters do not fit any QR version at ECC {ECC}", Location(pointer="/data")
        ) from e


def make_qr(data: str, *, kind: QRKind = "url") -> segno.QRCode:
    """The QR symbol for ``data`` at ECC M (not boosted), refused when above the budget of ``kind``."""
    if kind not in MAX_VERSION:
        raise _bad(f"kind must be 'url', 'offline' or 'digital-link', got {kind!r}", "kind")
    if not data:
        raise _bad("nothing to encode: data is empty", "data")
    limit = MAX_VERSION[kind]
    try:
        qr = _encode(data)
    except QRCapacityError as e:
        e.max_version = limit
        raise
    version = int(qr.version)
    if version > limit:
        raise QRCapacityError(
            f"a {kind} QR code of {len(data)} characters needs version {version} at ECC {ECC}; "
            f"the limit is version {limit}",
            Location(pointer="/data"),
            needed_version=version,
            max_version=limit,
        )
    return qr


def matrix(qr: segno.QRCode) -> Matrix:
    """The module matrix without quiet zone: ``True`` is a dark module."""
    return tuple(tuple(bool(m) for m in row) for row in qr.matrix)


def module_path(modules: Sequence[Sequence[bool]], offset: int = 0) -> str:
    """SVG path data drawing each horizontal run of dark modules as one unit-high rectangle."""
    parts: list[str] = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start + offset} {y + offset}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def _svg(qr: segno.QRCode, scale: int, border: int) -> bytes:
    size = len(qr.matrix) + 2 * border
    px = size * scale
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{module_path(matrix(qr), border)}"/></svg>'
    ).encode()


def render_qr(data: str, *, kind: QRKind = "url", fmt: QRFormat = "svg", scale: int = 4, border: int = 4) -> bytes:
    """The QR symbol for ``data`` as SVG (one path, no raster) or PNG bytes.

    ``scale`` is pixels (PNG) or user units (SVG) per module, ``border`` the quiet zone in modules.
    """
    if not isinstance(scale, int) or scale < 1:
        raise _bad(f"scale must be a whole number of at least 1, got {scale!r}", "scale")
    if not isinstance(border, int) or border < 0:
        raise _bad(f"border must be a whole number of at least 0, got {border!r}", "border")
    qr = make_qr(data, kind=kind)
    if fmt == "svg":
        return _svg(qr, scale, border)
    if fmt == "png":
        out = io.BytesIO()
        qr.save(out, kind="png", scale=scale, border=border)
        return out.getvalue()
    raise _bad(f"fmt must be 'svg' or 'png', got {fmt!r}", "fmt")
