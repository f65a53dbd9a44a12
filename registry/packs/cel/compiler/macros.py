"""Comprehension macros: ``all``, ``exists``, ``exists_one``, ``map`` (2 and 3 arguments), ``filter``.

Each becomes a Python comprehension when it can (the iterable may not contain ``:=``), else a
call of its runtime helper with a lambda. The macro variable is renamed ``_c_v_<name>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler import static_types as T
from registry.packs.cel.compiler.code import Code, compat
from registry.packs.cel.compiler.context import Context


@dataclass(frozen=True)
class _Parts:
    """A macro call compiled: its range, variable and bodies (predicate first, if any)."""

    name: str
    rng: Code
    var: str
    bodies: list[Code]
    elem: str  # the variable's static type
    walrus: bool

    @property
    def iterable(self) -> str:
        return self.rng.src if self.rng.ty in (T.LIST, T.MAP) else f"_c_it({self.rng.src})"

    @property
    def comprehension(self) -> bool:
        """A comprehension's iterable may not contain ``:=``; the helper form is used then."""
        return not self.rng.walrus

    @property
    def checked_pred(self) -> str:
        pred = self.bodies[0]
        return pred.src if pred.ty == T.BOOL else f"_c_b({pred.src})"


def _all_exists(m: _Parts) -> Code:
    pred, rng, var = m.bodies[0], m.rng, m.var
    if m.comprehension and pred.ty == T.BOOL and not pred.fallible:
        fn = "_c_pyall" if m.name == "all" else "_c_pyany"
        src = f"{fn}({pred.src} for {var} in {m.iterable})"
        return Code(src, T.BOOL, rng.fallible or rng.ty == T.DYN, walrus=m.walrus)
    return Code(f"_c_{m.name}({rng.src}, lambda {var}: {pred.src})", T.BOOL, True, walrus=m.walrus)


def _exists_one(m: _Parts) -> Code:
    if m.comprehension:
        return Code(f"_c_one([{m.checked_pred} for {m.var} in {m.iterable}])", T.BOOL, True, walrus=m.walrus)
    return Code(f"_c_exists_one({m.rng.src}, lambda {m.var}: {m.bodies[0].src})", T.BOOL, True, walrus=m.walrus)


def _filter(m: _Parts) -> Code:
    pred, rng, var = m.bodies[0], m.rng, m.var
    if m.comprehension:
        src = f"[{var} for {var} in {m.iterable} if {m.checked_pred}]"
        fallible = rng.fallible or rng.ty == T.DYN or pred.fallible or pred.ty != T.BOOL
        return Code(src, T.LIST, fallible, walrus=m.walrus, elem=m.elem)
    return Code(f"_c_filter({rng.src}, lambda {var}: {pred.src})", T.LIST, True, walrus=m.walrus, elem=m.elem)


def _map(m: _Parts) -> Code:
    body, rng, var = m.bodies[-1], m.rng, m.var
    if len(m.bodies) == 2:
        if m.comprehension:
            src = f"[{body.src} for {var} in {m.iterable} if {m.checked_pred}]"
            return Code(src, T.LIST, True, walrus=m.walrus, elem=body.ty)
        src = f"_c_map3({rng.src}, lambda {var}: {m.bodies[0].src}, lambda {var}: {body.src})"
        return Code(src, T.LIST, True, walrus=m.walrus, elem=body.ty)
    if m.comprehension:
        fallible = rng.fallible or rng.ty == T.DYN or body.fallible
        return Code(f"[{body.src} for {var} in {m.iterable}]", T.LIST, fallible, walrus=m.walrus, elem=body.ty)
    return Code(f"_c_map({rng.src}, lambda {var}: {body.src})", T.LIST, True, walrus=m.walrus, elem=body.ty)


_FORMS: Final[dict[str, Callable[[_Parts], Code]]] = {
    "all": _all_exists,
    "exists": _all_exists,
    "exists_one": _exists_one,
    "filter": _filter,
    "map": _map,
}


def _bodies(c: Context, node: S.Call, name: str, var: str, elem: str) -> list[Code]:
    """The macro's arguments after the variable ``name``, compiled with it in scope as ``var``."""
    c.scopes.append({name: (var, elem)})
    try:
        return [c.compile(a) for a in node.args[1:]]
    finally:
        c.scopes.pop()


def macro(c: Context, node: S.Call, target: S.Node) -> Code:
    name = "exists_one" if node.name == "existsOne" else node.name
    rng = c.compile(target)
    if not compat(rng.ty, T.LIST, T.MAP):
        raise c.error(node, f"{name}() cannot iterate over a value of type {rng.ty}")
    var_node = node.args[0]
    assert isinstance(var_node, S.Ident)
    var = "_c_v_" + var_node.name
    elem = rng.elem if rng.ty == T.LIST else T.DYN
    bodies = _bodies(c, node, var_node.name, var, elem)
    has_predicate = name in ("all", "exists", "exists_one", "filter") or len(bodies) == 2
    if has_predicate and not compat(bodies[0].ty, T.BOOL):
        raise c.no_overload(node.args[1], name, bodies[0])
    walrus = rng.walrus or any(b.walrus for b in bodies)
    return _FORMS[name](_Parts(name, rng, var, bodies, elem, walrus))
