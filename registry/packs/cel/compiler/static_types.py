"""Static types: CEL type names, plus :data:`DYN` for "unknown until run time".

Imported as ``T`` (``T.INT``, ``T.DYN``) by the modules that compile nodes.
"""

from __future__ import annotations

from typing import Final

DYN: Final = "dyn"
INT: Final = "int"
UINT: Final = "uint"
DOUBLE: Final = "double"
BOOL: Final = "bool"
STRING: Final = "string"
BYTES: Final = "bytes"
NULL: Final = "null_type"
LIST: Final = "list"
MAP: Final = "map"
TIMESTAMP: Final = "google.protobuf.Timestamp"
DURATION: Final = "google.protobuf.Duration"
TYPE: Final = "type"
NUMERIC: Final = frozenset({INT, UINT, DOUBLE})
