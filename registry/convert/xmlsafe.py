"""Parsing untrusted XML: lxml with every external or expanding feature off, and limits.

* No entity expansion, no DTD loading, no network, no huge-tree mode.
* A document type declaration (``<!DOCTYPE ...>``) is refused outright, with or without
  entity declarations: ILCD data sets never carry one, and refusing is clearer than
  parsing around it (XXE, billion laughs, external DTDs, parameter entities). It is
  spotted in the prolog before libxml2 sees it (also a ``<!DOCTYPE`` inside a comment
  before the root, a harmless false alarm), and again on the parsed tree for encodings
  the prolog check cannot read.
* Limits on size (bytes) and element depth.

Every refusal and every parse error is an :class:`~registry.errors.InputError` naming
the source and, where known, the line and column. No lxml exception escapes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from lxml import etree

from registry.errors import InputError, Location
from registry.inputs import xml_as_utf8

__all__ = ["MAX_BYTES", "MAX_DEPTH", "clark", "line_of", "parse", "readable_path"]

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64

_POSITION = re.compile(r",? line \d+, column \d+.*$", re.DOTALL)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ELEMENT_START = re.compile(r"<[A-Za-z_:]")
_PROLOG_CHARS = 65536


def clark(namespace: str, local: str) -> str:
    """``{namespace}local``, the form lxml uses for qualified names."""
    return f"{{{namespace}}}{local}"


def line_of(element: etree._Element) -> int | None:
    """The element's line in the source (1-based), when lxml knows it."""
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def parse(
    data: bytes,
    *,
    source: str,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    expected_root: Collection[str] = (),
) -> etree._Element:
    """Parse ``data`` into an element tree, or raise :class:`InputError`.

    ``expected_root`` lists the accepted root elements as Clark names (``{ns}local``);
    empty means any.
    """
    if len(data) > max_bytes:
        raise InputError(f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes", Location(source))
    root = _parse_tree(xml_as_utf8(data, file=source), source, max_depth)
    if expected_root and root.tag not in expected_root:
        raise InputError(
            f"root element is {_describe(str(root.tag))}; expected {' or '.join(_describe(t) for t in expected_root)}",
            Location(source, line_of(root), 1),
        )
    return root


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _parse_tree(data: bytes, source: str, max_depth: int) -> etree._Element:
    """Parse (entities stay unexpanded, nothing is fetched), then refuse a DOCTYPE and deep nesting."""
    _refuse_doctype_early(data, source)
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line, column = _position(e, parser)
        raise InputError(f"not well-formed XML: {_reason(e)}", Location(source, line, column)) from e
    except (etree.LxmlError, ValueError, LookupError) as e:  # encodings, I/O layer of libxml2
        raise InputError(f"cannot parse XML: {e}", Location(source)) from e
    if root is None:
        raise InputError("not well-formed XML: no root element", Location(source, 1, 1))
    _refuse_doctype(root, source)
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise InputError(f"elements nested more than {max_depth} deep", Location(source, line_of(element)))
    return root


def _position(error: etree.XMLSyntaxError, parser: etree.XMLParser) -> tuple[int | None, int | None]:
    line, column = error.position if error.position else (0, 0)
    if not line:
        entries = [e for e in parser.error_log if e.line]
        if entries:
            line, column = entries[0].line, entries[0].column
    return line or None, column or None


def _prolog(data: bytes) -> str:
    """The start of the document as text, well enough to spot a DOCTYPE (UTF-16 by BOM, else bytewise)."""
    head = data[: _PROLOG_CHARS * 2]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head[:_PROLOG_CHARS].decode("latin-1")


def _refuse_doctype_early(data: bytes, source: str) -> None:
    """Refuse a DOCTYPE before the root element without parsing it (entity declarations never reach libxml2)."""
    prolog = _prolog(data)
    match = _DOCTYPE.search(prolog)
    root = _ELEMENT_START.search(prolog)
    if match and (root is None or match.start() < root.start()):
        line = prolog.count("\n", 0, match.start()) + 1
        column = match.start() - (prolog.rfind("\n", 0, match.start()) + 1) + 1
        raise InputError(_DOCTYPE_REFUSED, Location(source, line, column))


def _refuse_doctype(root: etree._Element, source: str) -> None:
    """The parsed document has a DOCTYPE the early check could not see (an unusual encoding)."""
    info = root.getroottree().docinfo
    if getattr(info, "doctype", "") or info.internalDTD is not None or info.externalDTD is not None:
        raise InputError(_DOCTYPE_REFUSED, Location(source, line_of(root)))


_DOCTYPE_REFUSED = (
    "document type declarations (<!DOCTYPE ...>) are refused: they can declare entities "
    "or pull in external files, and ILCD data sets do not use them"
)


def _reason(error: etree.XMLSyntaxError) -> str:
    text = str(error.msg if getattr(error, "msg", None) else error)
    return _POSITION.sub("", text).strip() or "syntax error"


def _describe(tag: str) -> str:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return f"<{local}> in namespace {namespace}"
    return f"<{tag}> in no namespace"


def readable_path(element: etree._Element, prefixes: Mapping[str, str]) -> str:
    """An XPath-like path from the root to ``element``, with the given prefixes.

    ``prefixes`` maps namespace URIs to prefixes ("" = unprefixed); unknown namespaces
    are written ``{uri}local``. A step gets a 1-based ``[n]`` only when siblings share its
    name.
    """
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        name = _step_name(str(node.tag), prefixes)
        if parent is not None:
            same = [c for c in parent.iterchildren(tag=node.tag)]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


def _step_name(tag: str, prefixes: Mapping[str, str]) -> str:
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    if namespace not in prefixes:
        return tag
    prefix = prefixes[namespace]
    return f"{prefix}:{local}" if prefix else local
