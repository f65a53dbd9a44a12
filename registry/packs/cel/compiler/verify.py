"""The check of generated code against the security model (ADR 0002), independent of how it was made.

Only our operators, literals, declared variables, helper names and locals the code binds itself;
no attribute access, no subscripts, no builtins. One small check per kind of node.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, Final

from registry.packs.cel.errors import CelCompileError
from registry.packs.cel.runtime import GLOBALS, LOCAL_NAME

_ALLOWED_NODES: Final = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.BinOp,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE,
    ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.IfExp, ast.Call, ast.Name,
    ast.Load, ast.Store, ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.Set, ast.Lambda,
    ast.arguments, ast.arg, ast.ListComp, ast.GeneratorExp, ast.comprehension,
    ast.NamedExpr, ast.Starred,
)  # fmt: skip
_CONSTANT_TYPES: Final = (str, int, float, bool, type(None), bytes)
_HELPER_NAMES: Final = frozenset(k for k in GLOBALS if k.startswith("_c_"))


def _name(n: ast.Name, variables: frozenset[str]) -> None:
    ok = n.id in _HELPER_NAMES or n.id in variables or LOCAL_NAME.fullmatch(n.id) is not None
    if not ok or n.id.startswith("__"):
        raise CelCompileError(f"internal error: generated code names {n.id!r}")
    if isinstance(n.ctx, ast.Store) and not LOCAL_NAME.fullmatch(n.id):
        raise CelCompileError(f"internal error: generated code assigns {n.id!r}")


def _call(n: ast.Call, variables: frozenset[str]) -> None:
    if not isinstance(n.func, ast.Name) or n.func.id not in _HELPER_NAMES or n.keywords:
        raise CelCompileError("internal error: generated code calls a non-helper")


def _constant(n: ast.Constant, variables: frozenset[str]) -> None:
    if type(n.value) not in _CONSTANT_TYPES:
        raise CelCompileError("internal error: generated code has an odd constant")


def _arguments(n: ast.arguments, variables: frozenset[str]) -> None:
    if n.posonlyargs or n.vararg or n.kwonlyargs or n.kwarg or n.defaults:
        raise CelCompileError("internal error: generated lambda has odd arguments")
    for a in n.args:
        if not LOCAL_NAME.fullmatch(a.arg):
            raise CelCompileError("internal error: generated lambda argument name")


def _dict(n: ast.Dict, variables: frozenset[str]) -> None:
    if any(k is None for k in n.keys):
        raise CelCompileError("internal error: generated dict unpacking")


def _comprehension(n: ast.comprehension, variables: frozenset[str]) -> None:
    if n.is_async:
        raise CelCompileError("internal error: async comprehension")  # pragma: no cover


def _named_expr(n: ast.NamedExpr, variables: frozenset[str]) -> None:
    target = n.target
    if not isinstance(target, ast.Name) or not LOCAL_NAME.fullmatch(target.id):
        raise CelCompileError("internal error: generated assignment target")


_CHECKS: Final[dict[type[ast.AST], Callable[[Any, frozenset[str]], None]]] = {
    ast.Name: _name,
    ast.Call: _call,
    ast.Constant: _constant,
    ast.arguments: _arguments,
    ast.Dict: _dict,
    ast.comprehension: _comprehension,
    ast.NamedExpr: _named_expr,
}


def verify(src: str, variables: frozenset[str]) -> None:
    """Check generated code against the security model: only our operators, literals,
    declared variables, helper names and locals we bind; no attribute access, no
    subscripts, no builtins. Raises CelCompileError (an internal error) on violation."""
    tree = ast.parse(src, mode="eval")
    starred_ok = {id(e) for n in ast.walk(tree) if isinstance(n, ast.List) for e in n.elts}
    for n in ast.walk(tree):
        if isinstance(n, ast.Starred) and id(n) not in starred_ok:
            raise CelCompileError("internal error: generated argument unpacking")
        if not isinstance(n, _ALLOWED_NODES):
            raise CelCompileError(f"internal error: generated code uses {type(n).__name__}")
        check = _CHECKS.get(type(n))
        if check is not None:
            check(n, variables)
