"""Binary operators: plain Python operators where static types make that exact, checked helpers elsewhere."""

from __future__ import annotations

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler import static_types as T
from registry.packs.cel.compiler.code import Code, compat
from registry.packs.cel.compiler.context import Context
from registry.packs.cel.compiler.signatures import ARITH, ARITH_HELPER, CMP_HELPER, INT_HELPER, OP_NAMES, ORDERED


def binary(c: Context, node: S.Binary) -> Code:
    a = c.compile(node.left)
    b = c.compile(node.right)
    op = node.op
    if op in ("==", "!="):
        code = equality(op, a, b)
    elif op in CMP_HELPER:
        code = ordering(c, node, op, a, b)
    elif op == "in":
        code = membership(c, node, a, b)
    else:
        code = arith(c, node, op, a, b)
    code.walrus = code.walrus or a.walrus or b.walrus
    if a.is_const and b.is_const:
        return c.fold(code, node)
    return code


def equality(op: str, a: Code, b: Code) -> Code:
    neg = op == "!="
    fallible = a.fallible or b.fallible
    if a.is_const and b.is_const:  # folded by the caller
        return Code(f"{'_c_ne' if neg else '_c_eq'}({a.src}, {b.src})", T.BOOL, True)
    if b.is_const and b.const is None:
        a, b = b, a
    if a.is_const and a.const is None:  # x == null
        return Code(f"({b.src} is {'not ' if neg else ''}None)", T.BOOL, b.fallible)
    if b.is_const and b.ty == T.BOOL:
        a, b = b, a
    if a.is_const and a.ty == T.BOOL:  # bools are singletons
        return Code(f"({b.src} is {'not ' if neg else ''}{a.src})", T.BOOL, b.fallible)
    pyop = "!=" if neg else "=="
    if a.ty == b.ty and a.ty in (T.STRING, T.BYTES, T.INT, T.DOUBLE, T.BOOL, T.TIMESTAMP, T.DURATION, T.TYPE):
        return Code(f"({a.src} {pyop} {b.src})", T.BOOL, fallible)
    if a.ty in T.NUMERIC and b.ty in T.NUMERIC:
        return Code(f"({a.src} {pyop} {b.src})", T.BOOL, fallible)
    if b.ty in (T.STRING, T.BYTES):
        a, b = b, a
    if a.ty in (T.STRING, T.BYTES) and b.ty == T.DYN:
        # str == x is False for every non-str CEL value, as CEL's heterogeneous
        # equality requires; same for bytes.
        return Code(f"({a.src} {pyop} {b.src})", T.BOOL, fallible)
    helper = "_c_ne" if neg else "_c_eq"
    return Code(f"{helper}({a.src}, {b.src})", T.BOOL, True)


def ordering(c: Context, node: S.Binary, op: str, a: Code, b: Code) -> Code:
    if a.ty in T.NUMERIC and b.ty in T.NUMERIC:
        return Code(f"({a.src} {op} {b.src})", T.BOOL, a.fallible or b.fallible)
    if a.ty == b.ty and a.ty in ORDERED:
        return Code(f"({a.src} {op} {b.src})", T.BOOL, a.fallible or b.fallible)
    orderable = T.NUMERIC | ORDERED
    if a.ty != T.DYN and b.ty != T.DYN:
        raise c.no_overload(node, OP_NAMES[op], a, b)
    if (a.ty != T.DYN and a.ty not in orderable) or (b.ty != T.DYN and b.ty not in orderable):
        raise c.no_overload(node, OP_NAMES[op], a, b)
    return Code(f"_c_{CMP_HELPER[op]}({a.src}, {b.src})", T.BOOL, True)


def membership(c: Context, node: S.Binary, a: Code, b: Code) -> Code:
    if not compat(b.ty, T.LIST, T.MAP):
        raise c.no_overload(node, "@in", a, b)
    if b.is_const and type(b.const) in (tuple, dict):
        keys = list(b.const)  # list elements or map keys
        if all(type(k) is str for k in keys):
            # `x in ("a", "b")` compares with ==, which is exact for str vs anything
            if a.ty == T.STRING and len(keys) > 4:
                container = "{" + ", ".join(repr(k) for k in keys) + "}"
            else:
                container = "(" + "".join(repr(k) + ", " for k in keys) + ")"
            return Code(f"({a.src} in {container})", T.BOOL, a.fallible)
    if a.ty == T.STRING and b.ty == T.LIST:
        return Code(f"({a.src} in {b.src})", T.BOOL, a.fallible or b.fallible)
    return Code(f"_c_in({a.src}, {b.src})", T.BOOL, True)


def _arith_static(c: Context, node: S.Binary, op: str, a: Code, b: Code) -> Code:
    """Both operand types known: the overload is decided now."""
    result = ARITH.get((op, a.ty, b.ty))
    if result is None:
        raise c.no_overload(node, OP_NAMES[op], a, b)
    fallible = a.fallible or b.fallible
    if a.ty == T.INT:
        return Code(f"_c_{INT_HELPER[op]}({a.src}, {b.src})", T.INT, True)
    if a.ty == T.DOUBLE:
        if op == "/":
            if b.is_const and b.const != 0:
                return Code(f"({a.src} / {b.src})", T.DOUBLE, fallible)
            return Code(f"_c_fdiv({a.src}, {b.src})", T.DOUBLE, fallible)
        return Code(f"({a.src} {op} {b.src})", T.DOUBLE, fallible)
    if a.ty in (T.STRING, T.BYTES) and op == "+":
        return Code(f"({a.src} + {b.src})", a.ty, fallible)
    if a.ty == T.LIST and op == "+":
        elem = a.elem if a.elem == b.elem else T.DYN
        return Code(f"[*{a.src}, *{b.src}]", T.LIST, fallible, elem=elem)
    return Code(f"_c_{ARITH_HELPER[op]}({a.src}, {b.src})", result, True)


def arith(c: Context, node: S.Binary, op: str, a: Code, b: Code) -> Code:
    if a.ty != T.DYN and b.ty != T.DYN:
        return _arith_static(c, node, op, a, b)
    known = b if a.ty == T.DYN else a
    results: set[str] = set()
    if known.ty != T.DYN:
        for (o, lt, rt), r in ARITH.items():
            if o == op and (lt == known.ty if known is a else rt == known.ty):
                results.add(r)
        if not results:
            raise c.no_overload(node, OP_NAMES[op], a, b)
    result = results.pop() if len(results) == 1 else T.DYN
    return Code(f"_c_{ARITH_HELPER[op]}({a.src}, {b.src})", result, True)
