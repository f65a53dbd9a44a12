"""``?:``, the error-absorbing ``||``/``&&``, ``!`` and unary ``-``.

``a || b`` compiles to::

    (True if (_c_t0 := <a, safe>) is True else
     (<b> if _c_t0 is False else _c_orn((_c_t0,), <b>)))

so ``b`` is only evaluated when ``a`` is not true, an error in ``a`` is absorbed when
``b`` is true, and neither a closure nor a helper call happens on the common path.
"""

from __future__ import annotations

from typing import Final

from registry.packs.cel import syntax as S
from registry.packs.cel.compiler import static_types as T
from registry.packs.cel.compiler.code import Code, compat, const_code
from registry.packs.cel.compiler.context import Context

_DUPLICATE_LIMIT: Final = 240  # longest operand source a logic tail may repeat


def cond(c: Context, node: S.Cond) -> Code:
    # Both branches are compiled even when the condition is constant, so that a typo
    # in the branch not taken is still reported.
    t = c.compile(node.cond)
    a = c.compile(node.then)
    b = c.compile(node.other)
    if t.is_const:
        if t.const is True:
            return a
        if t.const is False:
            return b
        raise c.no_overload(node, "_?_:_", t)
    if not compat(t.ty, T.BOOL):
        raise c.no_overload(node, "_?_:_", t)
    test = t.src if t.ty == T.BOOL else f"_c_b({t.src})"
    return Code(
        f"({a.src} if {test} else {b.src})",
        a.ty if a.ty == b.ty else T.DYN,
        t.fallible or t.ty != T.BOOL or a.fallible or b.fallible,
        walrus=a.walrus or b.walrus or t.walrus,
        elem=a.elem if a.elem == b.elem else T.DYN,
    )


def _operands(c: Context, node: S.Logic, decisive: bool) -> list[Code] | Code:
    """The operands that are not constant, or the constant result if constants decide it."""
    name = "_||_" if decisive else "_&&_"
    compiled = [(operand, c.compile(operand)) for operand in node.operands]  # all: typos
    for operand, code in compiled:
        if not compat(code.ty, T.BOOL):
            raise c.no_overload(operand, name, code)
    codes: list[Code] = []
    for _, code in compiled:
        if code.is_const:
            if code.const is decisive:
                return const_code(decisive)
            continue  # the neutral element
        codes.append(code)
    return codes if codes else const_code(not decisive)


def logic(c: Context, node: S.Logic) -> Code:
    is_or = node.op == "||"
    decisive = is_or  # the operand value that decides the result
    codes = _operands(c, node, decisive)
    if isinstance(codes, Code):
        return codes
    plain = [code for code in codes if code.ty == T.BOOL and not code.fallible]
    rest = [code for code in codes if code.ty != T.BOOL or code.fallible]
    parts = [code.src for code in plain]
    walrus = any(code.walrus for code in codes)
    if len(rest) == 1:
        parts.append(rest[0].src if rest[0].ty == T.BOOL else f"_c_b({rest[0].src})")
    elif rest:
        parts.append(logic_tail(c, decisive, rest))
        walrus = True
    src = parts[0] if len(parts) == 1 else "(" + (" or " if is_or else " and ").join(parts) + ")"
    return Code(src, T.BOOL, bool(rest), safe=None if rest else src, walrus=walrus)


def logic_tail(c: Context, decisive: bool, rest: list[Code]) -> str:
    """Python source for two or more fallible operands of an n-ary ``||``/``&&``.

    All but one operand become *guards*, evaluated in their safe form (value or
    error instance) and short-circuiting on the decisive value; the last operand is
    evaluated normally. Only when a guard produced an error (or a non-bool) does the
    helper run, to decide between the last operand's value and the error::

        (True if (t0 := G0) is True else
         (True if (t1 := G1) is True else
          (LAST if t0 is False and t1 is False else _c_orn((t0, t1), LAST))))
    """
    # The operand without a cheap safe form (if any) goes last: it needs none.
    k = next((i for i in range(len(rest) - 1, -1, -1) if rest[i].safe is None), len(rest) - 1)
    last = rest[k]
    guards = rest[:k] + rest[k + 1 :]
    word = "True" if decisive else "False"
    other = "False" if decisive else "True"
    temps = [c.temp() for _ in guards]
    helper = "_c_orn" if decisive else "_c_andn"
    all_neutral = " and ".join(f"{t} is {other}" for t in temps)
    slow = f"{helper}(({''.join(t + ', ' for t in temps)}), {last.src})"
    if len(last.src) <= _DUPLICATE_LIMIT:
        checked = last.src if last.ty == T.BOOL else f"_c_b({last.src})"
        src = f"({checked} if {all_neutral} else {slow})"
    else:
        src = slow
    for guard, t in zip(reversed(guards), reversed(temps), strict=True):
        g = guard.safe if guard.safe is not None else f"_c_try(lambda: {guard.src})"
        src = f"({word} if ({t} := {g}) is {word} else {src})"
    return src


def _not(c: Context, node: S.Unary, operand: Code) -> Code:
    if not compat(operand.ty, T.BOOL):
        raise c.no_overload(node, "!_", operand)
    if operand.ty == T.BOOL:
        code = Code(f"(not {operand.src})", T.BOOL, operand.fallible, walrus=operand.walrus)
    else:
        code = Code(f"_c_not({operand.src})", T.BOOL, True, walrus=operand.walrus)
    if operand.safe is not None:
        if operand.safe.startswith("_c_has_s("):
            code.safe = "_c_nhas_s(" + operand.safe[len("_c_has_s(") :]
        elif not code.fallible:
            code.safe = code.src
        else:
            code.safe = f"_c_not_s({operand.safe})"
    return code


def _negate(c: Context, node: S.Unary, operand: Code) -> Code:
    if operand.ty == T.INT:
        return Code(f"_c_ineg({operand.src})", T.INT, True, walrus=operand.walrus)
    if operand.ty == T.DOUBLE:
        return Code(f"(-{operand.src})", T.DOUBLE, operand.fallible, walrus=operand.walrus)
    if operand.ty == T.DYN:
        return Code(f"_c_neg({operand.src})", T.DYN, True, walrus=operand.walrus)
    raise c.no_overload(node, "-_", operand)


def unary(c: Context, node: S.Unary) -> Code:
    operand = c.compile(node.operand)
    code = _not(c, node, operand) if node.op == "!" else _negate(c, node, operand)
    if operand.is_const:
        return c.fold(code, node)
    return code
