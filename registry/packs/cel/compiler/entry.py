"""Entry points: CEL source to a Python expression string, or to a function of an activation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler.calls import call
from registry.packs.cel.compiler.context import Context, Env, Handler
from registry.packs.cel.compiler.control import cond, logic, unary
from registry.packs.cel.compiler.literals import list_lit, lit, map_lit
from registry.packs.cel.compiler.names import ident, index, select
from registry.packs.cel.compiler.operators import binary
from registry.packs.cel.compiler.verify import verify
from registry.packs.cel.errors import CelCompileError, CelError, CelEvalError
from registry.packs.cel.runtime import GLOBALS

# One function per kind of node.
HANDLERS: Final[dict[type[S.Node], Handler]] = {
    S.Lit: lit,
    S.Ident: ident,
    S.Select: select,
    S.Index: index,
    S.Call: call,
    S.ListLit: list_lit,
    S.MapLit: map_lit,
    S.Cond: cond,
    S.Logic: logic,
    S.Unary: unary,
    S.Binary: binary,
}


def _compile(source: str, env: Env) -> tuple[str, frozenset[str]]:
    if not isinstance(source, str):
        raise TypeError("CEL source must be a str")
    node = S.parse(source)
    context = Context(env, HANDLERS)
    try:
        code = context.compile(node)
    except RecursionError:
        raise CelCompileError("expression is too deeply nested") from None
    src = code.src
    try:
        verify(src, env.variables)
        compile(src, "<cel>", "eval")
    except CelError:
        raise
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        raise CelCompileError("expression is too complex to compile") from None
    return src, frozenset(context.used)


def compile_to_python(source: str, env: Env) -> str:
    """Compile CEL source to a Python expression.

    Runtime variables appear as Python names of the same spelling; everything else is a
    ``_c_*`` name from :data:`GLOBALS`, a literal, or a local the expression binds itself
    (macro variables ``_c_v_*`` and temporaries ``_c_t<N>``, assigned with ``:=``).
    Evaluate it in a function scope whose parameters are the variables, with GLOBALS as
    the globals, e.g. ``eval("lambda pcf, now: " + src, GLOBALS)``.

    Raises CelSyntaxError on parse errors and CelCompileError for unknown names or
    functions, overloads that cannot match, missing keys of constant maps, non-constant
    or invalid regular expressions.
    """
    return _compile(source, env)[0]


def compile_expression(source: str, env: Env) -> Callable[[Mapping[str, Any]], Any]:
    """Compile once; return ``fn(activation) -> CEL value``. Only the variables the
    expression uses must be present in the activation."""
    src, used = _compile(source, env)
    names = sorted(used)
    fn = eval(f"lambda {', '.join(names)}: {src}", GLOBALS)

    if not names:

        def evaluate0(activation: Mapping[str, Any]) -> Any:
            return fn()

        return evaluate0

    if len(names) == 1:
        (only,) = names

        def evaluate1(activation: Mapping[str, Any]) -> Any:
            try:
                value = activation[only]
            except KeyError:
                raise CelEvalError(f"no value for variable '{only}'") from None
            return fn(value)

        return evaluate1

    def evaluate(activation: Mapping[str, Any]) -> Any:
        try:
            args = [activation[n] for n in names]
        except KeyError as e:
            raise CelEvalError(f"no value for variable '{e.args[0]}'") from None
        return fn(*args)

    return evaluate
