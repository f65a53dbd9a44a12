"""Compile a CEL AST to a Python expression string.

Each AST node becomes a :class:`Code` (``code.py``): Python source plus what is statically
known about it (its CEL type, whether it can raise, its value if constant). Static knowledge is
what allows plain Python operators: ``double(x) <= 5`` compiles to ``_c_double(...) <= 5``
because both sides are known to be numbers, while ``x <= y`` on values of unknown type
compiles to the checked helper ``_c_le(x, y)``.

Error-absorbing ``&&``/``||`` need a way to catch an error inside an expression. The
compiler gives some nodes a *safe* form that returns the CelEvalError instead of
raising it (see ``control.py``).

One function per kind of node, in a table (``entry.py``): ``names`` (identifiers, ``a.b``,
``a[i]``), ``literals``, ``control`` (``?:``, ``||``, ``&&``, unary), ``operators``, ``calls``
(signatures in ``signatures.py``), ``macros``; ``context`` holds one compilation's state and
``verify`` checks the generated code against the security model.
"""

from registry.packs.cel.compiler.context import Env
from registry.packs.cel.compiler.entry import compile_expression, compile_to_python
from registry.packs.cel.compiler.verify import verify

__all__ = ["Env", "compile_expression", "compile_to_python", "verify"]
