"""Runtime helpers called by compiled CEL code, and the namespace it is evaluated in.

Every helper is exported into :data:`GLOBALS` under a ``_c_`` prefixed name. Helpers
accept any Python value and raise only :class:`CelEvalError`; that is what lets the
compiler promise that generated code raises nothing else.

Helpers whose name ends in ``_s`` are *safe* variants used by the compiler for
error-absorbing ``&&``/``||``: instead of raising they *return* the
:class:`CelEvalError` instance.

One module per family of helpers: ``access`` (selection, ``has``, indexing, ``in``), ``logic``,
``compare``, ``arith``, ``conversions``, ``strings``, ``accessors`` (timestamp and duration
parts), ``mathext``, ``extensions`` (the registry's own functions), ``macros``; ``base`` holds
what they share and ``namespace`` builds :data:`GLOBALS`.
"""

from registry.packs.cel.runtime.access import in_, sel
from registry.packs.cel.runtime.conversions import double, double_memo
from registry.packs.cel.runtime.macros import exists, exists_eq
from registry.packs.cel.runtime.namespace import GLOBALS, LOCAL_NAME, TYPE_GLOBALS
from registry.packs.cel.runtime.strings import compile_regex

__all__ = [
    "GLOBALS",
    "LOCAL_NAME",
    "TYPE_GLOBALS",
    "compile_regex",
    "double",
    "double_memo",
    "exists",
    "exists_eq",
    "in_",
    "sel",
]
