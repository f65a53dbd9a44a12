"""GS1 Digital Link URIs for products: parse, validate and build ``https://HOST/01/{GTIN}[/22/..][/10/..][/21/..]``.

What is checked, and where each rule comes from (the table in docs/digital-link.md says more):

* the primary key is AI 01, the GTIN: 8, 12, 13 or 14 digits with the GS1 check digit, normalised to
  14 digits (``gtin-value = 14DIGIT / 13DIGIT / 12DIGIT / 8DIGIT`` in the GS1 Digital Link 1.2 ABNF
  grammar, gs1/digital-link.js ``grammar/GS1_Digital_Link_Grammar_1_2.abnf``; check digit as in
  :mod:`issuance.gtin`); another primary key (SSCC, GLN ...) is a GS1 key but not a product's, refused;
* the key qualifiers of a GTIN are 22 (consumer product variant), 10 (batch/lot) and 21 (serial), each
  at most once and in that order (``gtin-path = gtin-comp [cpv-comp] [lot-comp] [ser-comp]``), each
  1 to 20 characters of the GS1 AI encodable character set 82 (``1*20XCHAR``) once percent-decoded;
  the deprecated short names ``gtin``, ``cpv``, ``lot`` and ``ser`` are read as 01, 22, 10 and 21;
* anything before the primary key is the URI stem (a host and any path prefix, ``customURIstem``);
* the query string's GS1 data attributes (numeric keys) are parsed; the ones in :data:`ATTRIBUTE_FORMATS`
  are checked against their format, the others kept as given; ``linkType`` is kept; any other
  parameter is ignored (the standard lets a URI carry non-GS1 parameters). A key qualifier or a primary
  key in the query string is refused: it belongs in the path.

Errors are :class:`DigitalLinkError` data naming the segment (``/01``, ``/10``, ``?17`` ...) and a stable
``reason``. Everything here is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from issuance.errors import GtinError, IssuanceError
from issuance.gtin import normalize_gtin
from registry.errors import Location

# GS1 AI encodable character set 82 (GS1 General Specifications figure 7.11-1; the 1.2 ABNF's XCHAR,
# the regex [\x21-\x22\x25-\x2F\x30-\x3F\x41-\x5A\x5F\x61-\x7A] of gs1/GS1DigitalLinkToolkit.js)
CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
# characters a value keeps as they are in a built URI; the rest of set 82 is percent-encoded
# (the toolkit's percentEncode escapes exactly "#/%&+,!()*':;<=>?"; '"' is not a URI character either)
_PLAIN = frozenset("-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# RFC 3986 pchar without pct-encoded: unreserved / sub-delims / ":" / "@"
_PCHAR = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")
_HEX = re.compile(r"%([0-9A-Fa-f]{2})")

GTIN_AI = "01"
QUALIFIERS = ("22", "10", "21")  # the only order the grammar allows
QUALIFIER_NAMES = {"22": "consumer product variant", "10": "batch/lot", "21": "serial number"}
_SHORT_NAMES = {"gtin": "01", "cpv": "22", "lot": "10", "ser": "21"}
QUALIFIER_MAX = 20
# the other primary keys of the 1.2 grammar (and their short names): GS1 keys, but not a product's
OTHER_PRIMARY_KEYS = {
    "00": "SSCC", "sscc": "SSCC", "253": "GDTI", "gdti": "GDTI", "255": "GCN", "gcn": "GCN",
    "401": "GINC", "ginc": "GINC", "402": "GSIN", "gsin": "GSIN", "414": "GLN", "gln": "GLN",
    "417": "party GLN", "party": "party GLN", "8003": "GRAI", "grai": "GRAI", "8004": "GIAI",
    "giai": "GIAI", "8006": "ITIP", "itip": "ITIP", "8010": "CPID", "cpid": "CPID", "8013": "GMN",
    "gmn": "GMN", "8017": "GSRN (provider)", "gsrnp": "GSRN (provider)", "8018": "GSRN", "gsrn": "GSRN",
}  # fmt: skip

# Formats of the data attributes a product's URI most often carries, from the AI table of
# gs1/GS1DigitalLinkToolkit.js (src/GS1DigitalLinkToolkit.js, "format"): N6 a date YYMMDD or a
# measure; X..n up to n characters of set 82; N1 a digit 0 or 1 for the 4321-4323 flags (ABNF: BOOLEAN).
ATTRIBUTE_FORMATS: dict[str, str] = {
    "11": "N6", "12": "N6", "13": "N6", "15": "N6", "16": "N6", "17": "N6",
    "20": "N2", "30": "N..8", "240": "X..30", "241": "X..30", "242": "N..6", "243": "X..20",
    "250": "X..30", "251": "X..30", "4321": "B1", "4322": "B1", "4323": "B1", "7003": "N10",
}  # fmt: skip
_DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17"})


@dataclass
class DigitalLinkError(IssuanceError):
    """A URI that is not a product's GS1 Digital Link URI; ``segment`` names the part at fault
    (``/01``, ``/10``, ``?17``, ``scheme``, ``host``) and ``reason`` says what is wrong."""

    code: str = "digital-link-error"
    reason: str = "invalid"
    segment: str | None = None

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.segment is not None:
            out["segment"] = self.segment
        return out


def _error(message: str, reason: str, segment: str) -> DigitalLinkError:
    return DigitalLinkError(message, Location(pointer=segment), reason=reason, segment=segment)


@dataclass(frozen=True)
class DigitalLink:
    """A product's GS1 Digital Link URI: the stem (scheme, host, any path prefix), the GTIN as 14
    digits, its key qualifiers, the data attributes of the query string and its ``linkType``."""

    stem: str
    gtin: str
    cpv: str | None = None
    batch: str | None = None
    serial: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    link_type: str | None = None

    @property
    def qualifiers(self) -> tuple[tuple[str, str], ...]:
        pairs = (("22", self.cpv), ("10", self.batch), ("21", self.serial))
        return tuple((ai, value) for ai, value in pairs if value is not None)

    @property
    def path(self) -> str:
        """The canonical path: ``/01/`` and 14 digits, then the qualifiers in order, percent-encoded."""
        return f"/01/{self.gtin}" + "".join(f"/{ai}/{encode_value(v)}" for ai, v in self.qualifiers)

    @property
    def uri(self) -> str:
        """The canonical URI (stem and path; the query string is left out)."""
        return self.stem + self.path


def encode_value(value: str) -> str:
    """``value`` (set 82 characters) as a path segment: what is not a letter, digit, ``-``, ``.`` or
    ``_`` percent-encoded in upper-case hex."""
    return "".join(ch if ch in _PLAIN else f"%{ord(ch):02X}" for ch in value)


def _decode(raw: str, segment: str) -> str:
    """A path segment or query value percent-decoded; refused if it holds a character no URI may
    carry unencoded, or a ``%`` not followed by two hex digits."""
    for i, ch in enumerate(raw):
        if ch == "%":
            if not _HEX.match(raw, i):
                message = f"{segment}: '%' at position {i} is not followed by two hex digits"
                raise _error(message, "bad_percent", segment)
        elif ch not in _PCHAR:
            raise _error(
                f"{segment}: {ch!r} at position {i} must be percent-encoded in a URI", "bad_character", segment
            )
    data, last = bytearray(), 0
    for m in _HEX.finditer(raw):
        data += raw[last : m.start()].encode("ascii") + bytes([int(m.group(1), 16)])
        last = m.end()
    data += raw[last:].encode("ascii")
    return data.decode("utf-8", errors="replace")  # a character outside set 82 is refused by the caller


def _check_cset82(value: str, segment: str, what: str, max_len: int) -> str:
    if not value:
        raise _error(f"{segment}: the {what} is empty", "empty_value", segment)
    for i, ch in enumerate(value):
        if ch not in CSET82:
            raise _error(
                f"{segment}: the {what} has {ch!r} at position {i}, outside the GS1 AI encodable character set 82",
                "bad_character",
                segment,
            )
    if len(value) > max_len:
        raise _error(
            f"{segment}: the {what} has {len(value)} characters; at most {max_len} are allowed", "too_long", segment
        )
    return value


def _check_gtin(raw: str) -> str:
    value = _decode(raw, "/01")
    try:
        return normalize_gtin(value, field="01")
    except GtinError as e:
        message = e.message.replace("01 ", "the GTIN ", 1)
        raise _error(f"/01: {message}", e.reason, "/01") from e


def _check_attribute(ai: str, value: str) -> str:
    segment = f"?{ai}"
    fmt = ATTRIBUTE_FORMATS.get(ai)
    if fmt is None:
        return _check_cset82(value, segment, f"value of AI {ai}", 90)
    if fmt == "B1":
        if value not in ("0", "1"):
            raise _error(f"{segment}: AI {ai} is a flag, 0 or 1, not {value!r}", "bad_format", segment)
        return value
    kind, variable, limit = fmt[0], ".." in fmt, int(fmt.lstrip("NX."))
    if kind == "N":
        if not (value.isascii() and value.isdigit()) or (len(value) != limit if not variable else len(value) > limit):
            need = f"up to {limit}" if variable else f"exactly {limit}"
            raise _error(f"{segment}: AI {ai} takes {need} digits, not {value!r}", "bad_format", segment)
        if ai in _DATE_AIS and not (1 <= int(value[2:4]) <= 12 and 0 <= int(value[4:6]) <= 31):
            raise _error(f"{segment}: AI {ai} is a date YYMMDD; {value!r} is not one", "bad_date", segment)
        return value
    return _check_cset82(value, segment, f"value of AI {ai}", limit)


def _parse_query(query: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
    attributes: list[tuple[str, str]] = []
    link_type: str | None = None
    seen: set[str] = set()
    for part in query.split("&"):
        if not part:
            continue
        key, _, raw = part.partition("=")
        if key == "linkType":
            link_type = _decode(raw, "?linkType")
            continue
        if not (key.isascii() and key.isdigit()):
            continue  # not a GS1 data attribute: the standard lets other parameters through
        segment = f"?{key}"
        if key == GTIN_AI or key in QUALIFIERS or key in OTHER_PRIMARY_KEYS:
            raise _error(
                f"{segment}: AI {key} is a primary key or key qualifier; it belongs in the path, not the query",
                "key_in_query",
                segment,
            )
        if key in seen:
            raise _error(f"{segment}: AI {key} is given twice", "repeated_ai", segment)
        seen.add(key)
        attributes.append((key, _check_attribute(key, _decode(raw, segment))))
    return tuple(attributes), link_type


def parse_digital_link(uri: str) -> DigitalLink:
    """``uri`` as a product's GS1 Digital Link; :class:`DigitalLinkError` naming the segment otherwise."""
    if not isinstance(uri, str):
        raise _error(f"a Digital Link URI is text, not {type(uri).__name__}", "not_text", "uri")
    text = uri.strip()
    try:
        parts = urlsplit(text)
    except ValueError as e:
        raise _error(f"not a URI: {e}", "not_uri", "uri") from e
    if parts.scheme.lower() not in ("http", "https"):
        raise _error(f"a Digital Link URI starts with https:// (or http://), not {text[:40]!r}", "bad_scheme", "scheme")
    if not parts.netloc:
        raise _error("a Digital Link URI names a host", "no_host", "host")
    segments = parts.path.split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()  # one trailing slash is harmless
    qualifiers: dict[str, str] = {}
    order: list[str] = []
    i = len(segments)
    gtin: str | None = None
    while i >= 2:
        key, raw = segments[i - 2], segments[i - 1]
        ai = _SHORT_NAMES.get(key, key)
        if ai == GTIN_AI:
            gtin = _check_gtin(raw)
            i -= 2
            break
        if ai in QUALIFIERS:
            segment = f"/{ai}"
            if ai in qualifiers:
                raise _error(f"{segment}: the {QUALIFIER_NAMES[ai]} is given twice", "repeated_ai", segment)
            qualifiers[ai] = _check_cset82(_decode(raw, segment), segment, QUALIFIER_NAMES[ai], QUALIFIER_MAX)
            order.append(ai)
            i -= 2
            continue
        if key in OTHER_PRIMARY_KEYS:
            raise _error(
                f"/{key}: a {OTHER_PRIMARY_KEYS[key]} is not a product; only a GTIN (01) leads to a label here",
                "not_a_product",
                f"/{key}",
            )
        if qualifiers:
            raise _error(
                f"/{key}: {key!r} is not a key qualifier of a GTIN (22, 10, 21) nor the GTIN (01)",
                "unknown_ai",
                f"/{key}",
            )
        break
    if gtin is None:
        raise _error("the path has no GTIN: a product's Digital Link URI has /01/{GTIN}", "no_gtin", "/01")
    order.reverse()  # read right to left: now in the URI's order
    expected = [ai for ai in QUALIFIERS if ai in qualifiers]
    if order != expected:
        wrong = next(a for a, b in zip(order, expected, strict=True) if a != b)
        raise _error(
            f"/{wrong}: key qualifiers of a GTIN come in the order 22, 10, 21; this URI has " + ", ".join(order),
            "qualifier_order",
            f"/{wrong}",
        )
    prefix = "/".join(segments[:i])
    stem = f"{parts.scheme.lower()}://{parts.netloc.lower()}" + (f"/{prefix}" if prefix else "")
    attributes, link_type = _parse_query(parts.query)
    return DigitalLink(
        stem=stem,
        gtin=gtin,
        cpv=qualifiers.get("22"),
        batch=qualifiers.get("10"),
        serial=qualifiers.get("21"),
        attributes=attributes,
        link_type=link_type,
    )


def digital_link_uri(base_url: str, gtin: str, *, batch: str | None = None, serial: str | None = None) -> str:
    """The Digital Link URI of a product (and batch, serial) at ``base_url``; refused as
    :class:`DigitalLinkError` or :class:`GtinError` when a part is not valid."""
    link = DigitalLink(
        stem=base_url.rstrip("/"),
        gtin=normalize_gtin(gtin),
        batch=None if batch is None else _check_cset82(batch, "/10", "batch/lot", QUALIFIER_MAX),
        serial=None if serial is None else _check_cset82(serial, "/21", "serial number", QUALIFIER_MAX),
    )
    return link.uri


def is_digital_link(text: str) -> bool:
    """Whether ``text`` looks like a Digital Link URI (a path with ``/01/`` or ``/gtin/``), valid or not:
    a caller decides by this which parser's error to report."""
    try:
        path = urlsplit(text.strip()).path
    except ValueError:
        return False
    return "/01/" in path or "/gtin/" in path
