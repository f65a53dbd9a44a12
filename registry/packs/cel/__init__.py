"""CEL (Common Expression Language) compiled to Python.

Rule packs carry checks written in CEL. :func:`compile_to_python` turns one expression
into a Python expression string (parsed once with cel-python's grammar); the string is
evaluated once with :data:`GLOBALS` as its namespace, and evaluating the result per
document parses nothing. See docs/adr/0002-cel-compiled-to-python.md.

>>> env = Env(frozenset({"pcf"}), {"params": {"cutOff": 5}})
>>> check = compile_expression("!has(pcf.x) || double(pcf.x) <= params.cutOff", env)
>>> check({"pcf": {"x": "4.5"}})
True
"""

from typing import TYPE_CHECKING

from registry.lazy import lazy_face
from registry.packs.cel.errors import CelCompileError, CelError, CelEvalError, CelSyntaxError
from registry.packs.cel.runtime import GLOBALS
from registry.packs.cel.values import CelType, CelUint

if TYPE_CHECKING:
    from registry.packs.cel.compiler import Env, compile_expression, compile_to_python

# The compiler (and the CEL grammar it parses with) loads only when a pack is compiled, not
# when a compiled pack is loaded from the cache.
__getattr__, __dir__ = lazy_face(
    __name__, {"Env": "compiler", "compile_expression": "compiler", "compile_to_python": "compiler"}
)

__all__ = [
    "GLOBALS",
    "CelCompileError",
    "CelError",
    "CelEvalError",
    "CelSyntaxError",
    "CelType",
    "CelUint",
    "Env",
    "compile_expression",
    "compile_to_python",
]
