"""Identifiers, member selection ``a.b`` and indexing ``a[i]``."""

from __future__ import annotations

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler import static_types as T
from registry.packs.cel.compiler.code import Code, compat, const_code
from registry.packs.cel.compiler.context import Context, dotted
from registry.packs.cel.runtime import TYPE_GLOBALS
from registry.packs.cel.values import TYPES


def ident(c: Context, node: S.Ident) -> Code:
    name = node.name
    if not node.root:
        local = c.resolve_local(name)
        if local is not None:
            pyname, ty = local
            return Code(pyname, ty, False, safe=pyname)
    if name in c.env.variables:
        c.used.add(name)
        return Code(name, T.DYN, False, safe=name)
    if name in c.env.constants:
        return const_code(c.constant(name, node))
    if name in TYPE_GLOBALS:
        return const_code(TYPES[name])
    raise c.error(node, f"undeclared reference to '{name}'")


def _qualified(c: Context, node: S.Select, qualified: str) -> Code | None:
    """``a.b.c`` made of names only: a type name, a path into a constant, or None (a variable's field)."""
    head = qualified.split(".", 1)[0]
    if not c.is_value_name(head):
        if qualified in TYPE_GLOBALS:
            return const_code(TYPES[qualified])
        head_node: S.Node = node
        while isinstance(head_node, S.Select):
            head_node = head_node.operand
        raise c.error(head_node, f"undeclared reference to '{qualified}'")
    return c.constant_path(node)


def select(c: Context, node: S.Select) -> Code:
    qualified = dotted(node)
    if qualified is not None:
        found = _qualified(c, node, qualified)
        if found is not None:
            return found
    operand = c.compile(node.operand)
    key = node.field
    if operand.is_const:
        value = operand.const
        if type(value) is not dict:
            raise c.error(node, f"cannot select field '{key}' from a constant of type {operand.ty}")
        if key not in value:
            name = dotted(node.operand) or "constant map"
            raise c.error(node, f"no such key '{key}' in {name}")
        return const_code(value[key])
    if not compat(operand.ty, T.MAP):
        raise c.error(node, f"cannot select field '{key}' from a value of type {operand.ty}")
    safe = f"_c_sel_s({operand.safe}, {key!r})" if operand.safe is not None else None
    return Code(f"_c_sel({operand.src}, {key!r})", T.DYN, True, safe=safe, walrus=operand.walrus)


def index(c: Context, node: S.Index) -> Code:
    operand = c.compile(node.operand)
    key = c.compile(node.index)
    if not compat(operand.ty, T.LIST, T.MAP):
        raise c.no_overload(node, "_[_]", operand, key)
    if operand.ty == T.LIST and not compat(key.ty, T.INT, T.UINT, T.DOUBLE):
        raise c.no_overload(node, "_[_]", operand, key)
    code = Code(
        f"_c_idx({operand.src}, {key.src})",
        operand.elem if operand.ty == T.LIST else T.DYN,
        True,
        walrus=operand.walrus or key.walrus,
    )
    if operand.is_const and key.is_const:
        return c.fold(code, node)
    return code
