"""The YAML machinery behind :mod:`registry.yamlpos` (PyYAML, libyaml's parser when built with it).

A module of its own so that a command which reads no YAML (a pack from the cache) does not import
PyYAML; :mod:`registry.yamlpos` calls into it on first use.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from registry.errors import InputError, Location

Positions = dict[str, tuple[int, int]]  # as registry.yamlpos names it (which imports this module, not the reverse)


class _CoreLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema implicit types."""


_CoreLoader.yaml_implicit_resolvers = {}
_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml: the parser in C


class _CoreCLoader(_CSafeLoader or yaml.SafeLoader):  # type: ignore[misc]
    """:class:`_CoreLoader` over libyaml's parser (about 15 times faster); nodes keep their marks."""


_CoreCLoader.yaml_implicit_resolvers = _CoreLoader.yaml_implicit_resolvers  # the same table, filled below
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
        list("-+0123456789."),
    ),
]:
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class _CoreDumper(yaml.SafeDumper):
    """Quotes every string our YAML 1.2 loader would read as another type (e.g. "1e5")."""


_CoreDumper.yaml_implicit_resolvers = {}
for _first_char, _resolvers in _CoreLoader.yaml_implicit_resolvers.items():
    _CoreDumper.yaml_implicit_resolvers[_first_char] = list(_resolvers)
for _first_char, _resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items():
    _CoreDumper.yaml_implicit_resolvers.setdefault(_first_char, []).extend(_resolvers)


def dump_yaml(data: Any) -> str:
    """YAML that loads back (with :func:`load_with_positions`) to exactly ``data``."""
    return yaml.dump(data, Dumper=_CoreDumper, allow_unicode=True, sort_keys=False, width=100)


def load_with_positions(text: str, *, file: str | None = None) -> tuple[Any, Positions]:
    """Parse ``text``; return the data and a map JSON pointer -> (line, column), 1-based."""
    try:
        loader = _CoreCLoader(text) if _CSafeLoader is not None else _CoreLoader(text)
        try:
            node = loader.get_single_node()
            positions: Positions = {}
            data = _build(loader, node, "", positions, file) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise InputError(f"not valid YAML: {e.problem or e.context}", Location(file, line, column)) from e
    except yaml.YAMLError as e:
        raise InputError(f"not valid YAML: {e}", Location(file)) from e
    return data, positions


def _build(loader: yaml.SafeLoader, node: yaml.Node, pointer: str, pos: Positions, file: str | None) -> Any:
    pos[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _error("YAML merge keys (<<) are not supported", key_node, pointer, file)
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key) if isinstance(key, (int, float, bool)) else None
            if key is None:
                raise _error("mapping keys must be strings", key_node, pointer, file)
            child = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"  # RFC 6901 escaping
            if key in out:
                raise _error(f"duplicate key {key!r}", key_node, child, file)
            out[key] = _build(loader, value_node, child, pos, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, f"{pointer}/{i}", pos, file) for i, item in enumerate(node.value)]
    value = loader.construct_object(node)
    if isinstance(value, float) and not math.isfinite(value):
        raise _error("infinite or NaN numbers are not JSON", node, pointer, file)
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise _error(f"unsupported YAML value of type {type(value).__name__}", node, pointer, file)
    return value


def _error(message: str, node: yaml.Node, pointer: str, file: str | None) -> InputError:
    return InputError(message, Location(file, node.start_mark.line + 1, node.start_mark.column + 1, pointer))
