"""Function calls: ``has()``, global and receiver functions, timestamp accessors, ``math.*``.

A call's overload is checked against its signature (``signatures.py``); a few functions
compile to plain Python where the static types allow (``size`` to ``len``, ``contains`` to ``in``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler import static_types as T
from registry.packs.cel.compiler.code import NOCONST, Code, compat, const_code
from registry.packs.cel.compiler.context import Context, dotted
from registry.packs.cel.compiler.macros import macro
from registry.packs.cel.compiler.signatures import (
    CONVERSIONS,
    GLOBAL_FUNCS,
    MACROS,
    MATH_FUNCS,
    RECEIVER_FUNCS,
    TIME_GETTERS,
    TS_GETTERS,
    Sig,
)
from registry.packs.cel.runtime import compile_regex
from registry.packs.cel.values import TYPES

_TZ_OFFSET: Final = re.compile(r"([+-])([0-9]{2}):([0-9]{2})")


def call(c: Context, node: S.Call) -> Code:
    if node.target is None:
        return _global_call(c, node)
    return _receiver_call(c, node, node.target)


def _global_call(c: Context, node: S.Call) -> Code:
    name = node.name
    if name == "has":
        return has(c, node)
    if name in GLOBAL_FUNCS:
        args = [c.compile(a) for a in node.args]
        return function(c, node, name, args, GLOBAL_FUNCS[name])
    if name in ("dyn", "type"):
        return _dyn_or_type(c, node, name)
    raise c.error(node, f"undeclared reference to function '{name}'")


def _dyn_or_type(c: Context, node: S.Call, name: str) -> Code:
    if len(node.args) != 1:
        raise c.error(node, f"{name}() takes exactly one argument")
    arg = c.compile(node.args[0])
    if name == "dyn":  # erases the static type, so it also stops constant folding
        return Code(arg.src, T.DYN, arg.fallible, NOCONST, arg.safe, arg.walrus)
    code = Code(f"_c_typeof({arg.src})", T.TYPE, True, walrus=arg.walrus)
    if arg.ty != T.DYN:
        return const_code(TYPES[arg.ty]) if not arg.fallible else code
    return c.fold(code, node) if arg.is_const else code


def _receiver_call(c: Context, node: S.Call, target: S.Node) -> Code:
    name = node.name
    if name in MACROS and len(node.args) in MACROS[name]:
        if isinstance(node.args[0], S.Ident) and not node.args[0].root:
            return macro(c, node, target)
        raise c.error(node.args[0], f"{name}() macro needs a variable name first")
    qualified = dotted(target)
    if qualified is not None and not c.is_value_name(qualified.split(".", 1)[0]):
        return namespaced(c, node, f"{qualified}.{name}")
    receiver = c.compile(target)
    args = [receiver, *(c.compile(a) for a in node.args)]
    if name in RECEIVER_FUNCS:
        return function(c, node, name, args, RECEIVER_FUNCS[name])
    if name in TS_GETTERS or name in TIME_GETTERS:
        return time_getter(c, node, name, args)
    raise c.error(node, f"undeclared reference to function '{name}'")


def has(c: Context, node: S.Call) -> Code:
    if len(node.args) != 1 or not isinstance(node.args[0], S.Select):
        raise c.error(node, "has() requires a field selection such as has(a.b)")
    sel = node.args[0]
    operand = c.constant_path(sel.operand) if isinstance(sel.operand, S.Select) else None
    if operand is None:
        operand = c.compile(sel.operand)
    key = sel.field
    if operand.is_const:
        if type(operand.const) is not dict:
            raise c.error(node, f"has() cannot test a field of a constant {operand.ty}")
        return const_code(key in operand.const)
    if operand.ty == T.MAP:
        return Code(f"({key!r} in {operand.src})", T.BOOL, operand.fallible, walrus=operand.walrus)
    if operand.ty != T.DYN:
        raise c.error(node, f"has() cannot test a field of a value of type {operand.ty}")
    safe = f"_c_has_s({operand.safe}, {key!r})" if operand.safe is not None else None
    return Code(f"_c_has({operand.src}, {key!r})", T.BOOL, True, safe=safe, walrus=operand.walrus)


def signature(c: Context, node: S.Node, name: str, args: list[Code], sigs: Sig) -> str:
    matching = [
        result
        for params, result in sigs
        if len(params) == len(args) and all(compat(a.ty, p) for a, p in zip(args, params, strict=True))
    ]
    if not matching:
        if not any(len(p) == len(args) for p, _ in sigs):
            raise c.error(node, f"wrong number of arguments for '{name}'")
        raise c.no_overload(node, name, *args)
    return matching[0] if len(set(matching)) == 1 else T.DYN


# Functions with a form of their own; None falls back to the helper call.


def _matches(c: Context, node: S.Call, args: list[Code]) -> Code | None:
    pattern = args[1]
    if not pattern.is_const or type(pattern.const) is not str:
        raise c.error(node, "the pattern of matches() must be a constant string")
    try:
        compile_regex(pattern.const)
    except ValueError as e:
        raise c.error(node, f"invalid regular expression: {e}") from None
    return Code(f"_c_matches({args[0].src}, {args[1].src})", T.BOOL, True)


def _size(c: Context, node: S.Call, args: list[Code]) -> Code | None:
    if args[0].ty == T.DYN:
        return None
    return Code(f"_c_len({args[0].src})", T.INT, any(a.fallible for a in args))


def _contains(c: Context, node: S.Call, args: list[Code]) -> Code | None:
    if args[0].ty != T.STRING or args[1].ty != T.STRING:
        return None
    return Code(f"({args[1].src} in {args[0].src})", T.BOOL, any(a.fallible for a in args))


_SPECIAL_FORMS: Final[dict[str, Callable[[Context, S.Call, list[Code]], Code | None]]] = {
    "matches": _matches,
    "size": _size,
    "contains": _contains,
}


def function(c: Context, node: S.Call, name: str, args: list[Code], sigs: Sig) -> Code:
    result = signature(c, node, name, args, sigs)
    if name in CONVERSIONS and args[0].ty == result:
        return args[0]  # conversion to its own type is the identity
    special = _SPECIAL_FORMS.get(name)
    code = special(c, node, args) if special is not None else None
    if code is None:
        code = Code(f"_c_{name}({', '.join(a.src for a in args)})", result, True)
    code.walrus = code.walrus or any(a.walrus for a in args)
    if all(a.is_const for a in args):
        return c.fold(code, node)
    return code


def time_getter(c: Context, node: S.Call, name: str, args: list[Code]) -> Code:
    receiver = args[0]
    allowed = (T.TIMESTAMP,) if name in TS_GETTERS else (T.TIMESTAMP, T.DURATION)
    if not compat(receiver.ty, *allowed) or len(args) > 2:
        raise c.no_overload(node, name, *args)
    srcs = [receiver.src]
    if len(args) == 2:
        if receiver.ty == T.DURATION:
            raise c.no_overload(node, name, *args)
        tz = args[1]
        if not tz.is_const or type(tz.const) is not str:
            raise c.error(node, f"the time zone argument of {name}() must be a constant string")
        srcs.append(repr(tz_offset(c, node, tz.const)))
    code = Code(f"_c_{name}({', '.join(srcs)})", T.INT, True, walrus=receiver.walrus)
    if receiver.is_const:
        return c.fold(code, node)
    return code


def tz_offset(c: Context, node: S.Node, tz: str) -> int:
    if tz in ("UTC", "Z", "Etc/UTC", "GMT"):
        return 0
    m = _TZ_OFFSET.fullmatch(tz)
    if m is None or int(m.group(2)) > 23 or int(m.group(3)) > 59:
        raise c.error(
            node,
            f"unsupported time zone {tz!r}: use 'UTC' or a fixed offset like '+01:00' "
            "(IANA zone names are not supported)",
        )
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return -minutes if m.group(1) == "-" else minutes


def _extremum(c: Context, node: S.Call, name: str, args: list[Code]) -> Code:
    """``math.greatest`` / ``math.least``: numbers, or one list of numbers."""
    if not args:
        raise c.error(node, f"{name}() needs at least one argument")
    if len(args) == 1:
        if not compat(args[0].ty, T.LIST, T.INT, T.UINT, T.DOUBLE):
            raise c.no_overload(node, name, *args)
    elif not all(compat(a.ty, T.INT, T.UINT, T.DOUBLE) for a in args):
        raise c.no_overload(node, name, *args)
    kinds = {a.ty for a in args}
    ty = kinds.pop() if len(kinds) == 1 and len(args) > 1 else T.DYN
    if len(args) == 1 and args[0].ty in T.NUMERIC:
        ty = args[0].ty
    helper = "_c_greatest" if name == "math.greatest" else "_c_least"
    return Code(f"{helper}({', '.join(a.src for a in args)})", ty, True)


def _math_function(c: Context, node: S.Call, name: str, args: list[Code]) -> Code:
    short = name[5:]
    result = signature(c, node, name, args, MATH_FUNCS[short])
    if short == "abs" and args[0].ty == T.DOUBLE:
        return Code(f"_c_pyabs({args[0].src})", T.DOUBLE, args[0].fallible)
    return Code(f"_c_{short}({args[0].src})", result, True)


def namespaced(c: Context, node: S.Call, name: str) -> Code:
    args = [c.compile(a) for a in node.args]
    if name in ("math.greatest", "math.least"):
        code = _extremum(c, node, name, args)
    elif name.startswith("math.") and name[5:] in MATH_FUNCS:
        code = _math_function(c, node, name, args)
    else:
        raise c.error(node, f"undeclared reference to function '{name}'")
    code.walrus = any(a.walrus for a in args)
    if args and all(a.is_const for a in args):
        return c.fold(code, node)
    return code
