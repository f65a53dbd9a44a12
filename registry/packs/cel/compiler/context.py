"""What an expression may refer to (:class:`Env`), and the state of one compilation (:class:`Context`).

Each kind of AST node is compiled by a small function ``f(c, node) -> Code`` (in ``names``,
``literals``, ``control``, ``operators``, ``calls``, ``macros``); :meth:`Context.compile` finds it
in the table it was given, by the node's type.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler.code import Code, const_code
from registry.packs.cel.errors import CelCompileError, CelEvalError
from registry.packs.cel.runtime import GLOBALS
from registry.packs.cel.values import ConstantError, constant_to_cel

_IDENT: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Env:
    """What a CEL expression may refer to.

    ``variables`` are bound at evaluation time (they become Python names of the same
    spelling in the generated code); ``constants`` are JSON-like values bound at compile
    time and folded into the code.
    """

    variables: frozenset[str]
    constants: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", frozenset(self.variables))
        for name in self.variables:
            _check_name(name, "variable")
        for name in self.constants:
            _check_name(name, "constant")
            if name in self.variables:
                raise ValueError(f"{name!r} is declared both as a variable and a constant")


def _check_name(name: object, kind: str) -> None:
    if not isinstance(name, str) or not _IDENT.fullmatch(name) or keyword.iskeyword(name) or name in S.RESERVED:
        raise ValueError(
            f"invalid CEL {kind} name {name!r}: must match [A-Za-z][A-Za-z0-9_]* and not be "
            "a Python keyword or CEL reserved word"
        )


Handler = Callable[["Context", Any], Code]


class Context:
    """One compilation: the environment, macro variable scopes, temporaries, the variables used."""

    def __init__(self, env: Env, handlers: Mapping[type[S.Node], Handler]) -> None:
        self.env = env
        self.handlers = handlers
        self.scopes: list[dict[str, tuple[str, str]]] = []
        self.temps = 0
        self.used: set[str] = set()
        self.constants: dict[str, Any] = {}

    def compile(self, node: S.Node) -> Code:
        handler = self.handlers.get(type(node))
        if handler is None:  # pragma: no cover
            raise self.error(node, f"unsupported expression {type(node).__name__}")
        return handler(self, node)

    def error(self, node: S.Node, message: str) -> CelCompileError:
        return CelCompileError(message, node.line, node.column)

    def no_overload(self, node: S.Node, name: str, *codes: Code) -> CelCompileError:
        kinds = ", ".join(c.ty for c in codes)
        return self.error(node, f"no matching overload for '{name}' applied to ({kinds})")

    def temp(self) -> str:
        name = f"_c_t{self.temps}"
        self.temps += 1
        return name

    def fold(self, code: Code, node: S.Node) -> Code:
        """Evaluate a side-effect-free expression over constants now."""
        try:
            fn = eval("lambda: " + code.src, GLOBALS)
            value = fn()
        except CelEvalError:
            return code  # an error at run time, e.g. 1/0 guarded by `false && ...`
        return const_code(value)

    # names

    def resolve_local(self, name: str) -> tuple[str, str] | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def is_value_name(self, name: str) -> bool:
        return self.resolve_local(name) is not None or name in self.env.variables or name in self.env.constants

    def constant(self, name: str, node: S.Node) -> Any:
        if name not in self.constants:
            try:
                self.constants[name] = constant_to_cel(self.env.constants[name], name)
            except ConstantError as e:
                raise self.error(node, str(e)) from None
            except RecursionError:
                raise self.error(node, f"constant {name} is nested too deeply") from None
        return self.constants[name]

    def constant_path(self, node: S.Select) -> Code | None:
        """``params.a.b`` on a compile-time constant: look the path up in the raw value and
        convert only what is reached, so unrelated parts of a constant never matter."""
        parts: list[S.Select] = []
        head: S.Node = node
        while isinstance(head, S.Select):
            parts.append(head)
            head = head.operand
        if (
            not isinstance(head, S.Ident)
            or head.name not in self.env.constants
            or (not head.root and self.resolve_local(head.name) is not None)
        ):
            return None
        value, path = self._walk(self.env.constants[head.name], head.name, reversed(parts))
        try:
            return const_code(constant_to_cel(value, path))
        except ConstantError as e:
            raise self.error(node, str(e)) from None
        except RecursionError:
            raise self.error(node, f"constant {path} is nested too deeply") from None

    def _walk(self, value: Any, path: str, parts: Iterable[S.Select]) -> tuple[Any, str]:
        """Follow field selections into a raw constant; returns the value reached and its path."""
        for part in parts:
            if type(value) is not dict:
                raise self.error(part, f"cannot select field '{part.field}' from {path}, which is not a map")
            if part.field not in value:
                raise self.error(part, f"no such key '{part.field}' in {path}")
            value = value[part.field]
            path = f"{path}.{part.field}"
        return value, path


def dotted(node: S.Node) -> str | None:
    """``a.b.c`` as a qualified name, if the expression is only identifiers and dots."""
    parts: list[str] = []
    while isinstance(node, S.Select):
        parts.append(node.field)
        node = node.operand
    if isinstance(node, S.Ident):
        parts.append(node.name)
        return ".".join(reversed(parts))
    return None
