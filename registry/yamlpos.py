"""Load YAML (and JSON) as plain JSON data, remembering where each value sits.

Rule packs are authored by people; an error must name the file, line and key.
PyYAML's composer gives us nodes with marks; we build the data ourselves so we
can (a) map every JSON pointer to a line and column, (b) refuse duplicate keys
(PyYAML keeps the last silently), and (c) follow the YAML 1.2 core schema for
scalars: only true/false are booleans (``NO`` stays a string) and dates stay
strings (JSON has no date type).
"""

from __future__ import annotations

from typing import Any

Positions = dict[str, tuple[int, int]]


def dump_yaml(data: Any) -> str:
    """YAML that loads back (with :func:`load_with_positions`) to exactly ``data``."""
    from registry.yamlparse import dump_yaml as dump

    return dump(data)


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def load_with_positions(text: str, *, file: str | None = None) -> tuple[Any, Positions]:
    """Parse ``text``; return the data and a map JSON pointer -> (line, column), 1-based (PyYAML loads
    on first use: see :mod:`registry.yamlparse`)."""
    from registry.yamlparse import load_with_positions as load

    return load(text, file=file)


def position_of(positions: Positions, pointer: str) -> tuple[int | None, int | None]:
    """Line and column of ``pointer``, or of its nearest ancestor that has one."""
    p = pointer
    while True:
        if p in positions:
            return positions[p]
        if not p:
            return (None, None)
        p = p.rsplit("/", 1)[0]
