"""Literals: scalars, lists and maps (constant ones are folded into one Python literal)."""

from __future__ import annotations

from typing import Any

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler import static_types as T
from registry.packs.cel.compiler.code import Code, compat, const_code
from registry.packs.cel.compiler.context import Context
from registry.packs.cel.values import format_value, map_key_class


def lit(c: Context, node: S.Lit) -> Code:
    return const_code(node.value)


def list_lit(c: Context, node: S.ListLit) -> Code:
    items = [c.compile(i) for i in node.items]
    if all(i.is_const for i in items):
        return const_code(tuple(i.const for i in items))
    kinds = {i.ty for i in items}
    return Code(
        "[" + ", ".join(i.src for i in items) + "]",
        T.LIST,
        any(i.fallible for i in items),
        walrus=any(i.walrus for i in items),
        elem=kinds.pop() if len(kinds) == 1 else T.DYN,
    )


def _check_keys(c: Context, node: S.MapLit, entries: list[tuple[Code, Code, S.Node]]) -> None:
    """Key types CEL allows, no duplicate constant keys, not bool and numeric keys mixed."""
    seen: set[tuple[str, Any]] = set()
    kinds: set[str] = set()
    for key, _, knode in entries:
        if not compat(key.ty, T.STRING, T.INT, T.UINT, T.BOOL):
            raise c.error(knode, f"unsupported map key type {key.ty}")
        if key.is_const:
            identity = map_key_class(key.const)
            assert identity is not None
            if identity in seen:
                raise c.error(knode, f"duplicate map key {format_value(key.const)}")
            seen.add(identity)
            kinds.add(identity[0])
    if {"b", "n"} <= kinds:
        raise c.error(node, "unsupported map literal: mixes bool and numeric keys")


def map_lit(c: Context, node: S.MapLit) -> Code:
    entries = [(c.compile(k), c.compile(v), k) for k, v in node.entries]
    _check_keys(c, node, entries)
    walrus = any(k.walrus or v.walrus for k, v, _ in entries)
    fallible = any(k.fallible or v.fallible for k, v, _ in entries)
    if all(k.is_const for k, _, _ in entries):
        if all(v.is_const for _, v, _ in entries):
            return const_code({k.const: v.const for k, v, _ in entries})
        src = "{" + ", ".join(f"{k.src}: {v.src}" for k, v, _ in entries) + "}"
        return Code(src, T.MAP, fallible, walrus=walrus)
    args = ", ".join(f"{k.src}, {v.src}" for k, v, _ in entries)
    return Code(f"_c_mkmap({args})", T.MAP, True, walrus=walrus)
