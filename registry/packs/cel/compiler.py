"""Compile a CEL AST to a Python expression string.

Each AST node becomes a :class:`Code`: Python source plus what is statically known about
it (its CEL type, whether it can raise, its value if constant). Static knowledge is what
allows plain Python operators: ``double(x) <= 5`` compiles to ``_c_double(...) <= 5``
because both sides are known to be numbers, while ``x <= y`` on values of unknown type
compiles to the checked helper ``_c_le(x, y)``.

Error-absorbing ``&&``/``||`` need a way to catch an error inside an expression. The
compiler gives some nodes a *safe* form that returns the CelEvalError instead of
raising it, then emits, for ``a || b``::

    (True if (_c_t0 := <a, safe>) is True else
     (<b> if _c_t0 is False else _c_orn((_c_t0,), <b>)))

so ``b`` is only evaluated when ``a`` is not true, an error in ``a`` is absorbed when
``b`` is true, and neither a closure nor a helper call happens on the common path.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from registry.packs.cel import syntax as S
from registry.packs.cel.errors import CelCompileError, CelError, CelEvalError
from registry.packs.cel.runtime import GLOBALS, LOCAL_NAME, TYPE_GLOBALS, compile_regex
from registry.packs.cel.values import (
    TYPES,
    CelType,
    CelUint,
    ConstantError,
    constant_to_cel,
    duration_to_us,
    format_value,
    map_key_class,
    timestamp_to_us,
    type_name,
)

# Static types (CEL type names, plus DYN for "unknown until run time").
DYN: Final = "dyn"
INT: Final = "int"
UINT: Final = "uint"
DOUBLE: Final = "double"
BOOL: Final = "bool"
STRING: Final = "string"
BYTES: Final = "bytes"
NULL: Final = "null_type"
LIST: Final = "list"
MAP: Final = "map"
TIMESTAMP: Final = "google.protobuf.Timestamp"
DURATION: Final = "google.protobuf.Duration"
TYPE: Final = "type"
NUMERIC: Final = frozenset({INT, UINT, DOUBLE})

_IDENT: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NOCONST: Final = object()


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


@dataclass(slots=True)
class Code:
    src: str
    ty: str = DYN
    fallible: bool = True
    const: Any = _NOCONST
    safe: str | None = None  # never raises: the value or a CelEvalError instance
    walrus: bool = False  # contains an assignment expression
    elem: str = DYN  # element type when ty is LIST

    @property
    def is_const(self) -> bool:
        return self.const is not _NOCONST


def literal(value: Any) -> str:
    """Python source for a CEL value. Only repr() of str/int/float/bool/None/bytes and
    references to runtime helpers; never text taken from the CEL source as code."""
    t = type(value)
    if value is None or t is bool:
        return repr(value)
    if t is int:
        return repr(value) if value >= 0 else f"({value!r})"
    if t is float:
        if math.isnan(value):
            return "_c_NAN"
        if math.isinf(value):
            return "_c_INF" if value > 0 else "(-_c_INF)"
        text = repr(value)
        return f"({text})" if text.startswith("-") else text
    if t is str or t is bytes:
        return repr(value)
    if t is CelUint:
        return f"_c_U({int(value)!r})"
    if t is list or t is tuple:
        if not value:
            return "()"
        return "(" + ", ".join(literal(v) for v in value) + ",)"
    if t is dict:
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if t is datetime:
        return f"_c_mkts({timestamp_to_us(value)!r})"
    if t is timedelta:
        return f"_c_mkdur({duration_to_us(value)!r})"
    if t is CelType:
        return TYPE_GLOBALS[value.name]
    raise TypeError(f"cannot emit a literal of type {t.__name__}")  # pragma: no cover


def const_code(value: Any) -> Code:
    ty = type_name(value)
    elem = DYN
    if ty == LIST and value:
        kinds = {type_name(v) for v in value}
        if len(kinds) == 1:
            elem = kinds.pop()
    return Code(literal(value), ty, False, value, literal(value), False, elem)


def _compat(static: str, *allowed: str) -> bool:
    return static == DYN or static in allowed


# Function signatures: name -> list of (parameter types, result type). The receiver,
# if any, is the first parameter.
_Sig = list[tuple[tuple[str, ...], str]]
_GLOBAL_FUNCS: Final[dict[str, _Sig]] = {
    "size": [((STRING,), INT), ((BYTES,), INT), ((LIST,), INT), ((MAP,), INT)],
    "int": [((INT,), INT), ((UINT,), INT), ((DOUBLE,), INT), ((STRING,), INT), ((TIMESTAMP,), INT)],
    "uint": [((UINT,), UINT), ((INT,), UINT), ((DOUBLE,), UINT), ((STRING,), UINT)],
    "double": [((DOUBLE,), DOUBLE), ((INT,), DOUBLE), ((UINT,), DOUBLE), ((STRING,), DOUBLE)],
    "string": [
        ((STRING,), STRING), ((BOOL,), STRING), ((INT,), STRING), ((UINT,), STRING),
        ((DOUBLE,), STRING), ((BYTES,), STRING), ((TIMESTAMP,), STRING), ((DURATION,), STRING),
    ],
    "bytes": [((BYTES,), BYTES), ((STRING,), BYTES)],
    "bool": [((BOOL,), BOOL), ((STRING,), BOOL)],
    "timestamp": [((STRING,), TIMESTAMP), ((TIMESTAMP,), TIMESTAMP), ((INT,), TIMESTAMP)],
    "duration": [((STRING,), DURATION), ((DURATION,), DURATION)],
    "matches": [((STRING, STRING), BOOL)],
    "sum": [((LIST,), DYN)],
    "addYears": [((TIMESTAMP, INT), TIMESTAMP)],
    "isDecimal": [((STRING,), BOOL)],
}  # fmt: skip
_RECEIVER_FUNCS: Final[dict[str, _Sig]] = {
    "size": [((STRING,), INT), ((BYTES,), INT), ((LIST,), INT), ((MAP,), INT)],
    "contains": [((STRING, STRING), BOOL)],
    "startsWith": [((STRING, STRING), BOOL)],
    "endsWith": [((STRING, STRING), BOOL)],
    "matches": [((STRING, STRING), BOOL)],
    "lowerAscii": [((STRING,), STRING)],
    "upperAscii": [((STRING,), STRING)],
    "trim": [((STRING,), STRING)],
    "addYears": [((TIMESTAMP, INT), TIMESTAMP)],
}
_TS_GETTERS: Final = frozenset({"getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfYear", "getDayOfWeek"})
_TIME_GETTERS: Final = frozenset({"getHours", "getMinutes", "getSeconds", "getMilliseconds"})
_MATH_FUNCS: Final[dict[str, _Sig]] = {
    "abs": [((INT,), INT), ((UINT,), UINT), ((DOUBLE,), DOUBLE)],
    "ceil": [((DOUBLE,), DOUBLE)],
    "floor": [((DOUBLE,), DOUBLE)],
    "round": [((DOUBLE,), DOUBLE)],
    "trunc": [((DOUBLE,), DOUBLE)],
    "isNaN": [((DOUBLE,), BOOL)],
    "isInf": [((DOUBLE,), BOOL)],
    "isFinite": [((DOUBLE,), BOOL)],
}
_MACROS: Final = {"all": (2,), "exists": (2,), "exists_one": (2,), "existsOne": (2,),
                  "map": (2, 3), "filter": (2,)}  # fmt: skip

# Arithmetic overloads: (op, left, right) -> result.
_ARITH: Final[dict[tuple[str, str, str], str]] = {}
for _t in (INT, UINT, DOUBLE):
    for _op in "+-*/":
        _ARITH[(_op, _t, _t)] = _t
_ARITH[("%", INT, INT)] = INT
_ARITH[("%", UINT, UINT)] = UINT
for _t in (STRING, BYTES, LIST, DURATION):
    _ARITH[("+", _t, _t)] = _t
_ARITH[("+", TIMESTAMP, DURATION)] = TIMESTAMP
_ARITH[("+", DURATION, TIMESTAMP)] = TIMESTAMP
_ARITH[("-", DURATION, DURATION)] = DURATION
_ARITH[("-", TIMESTAMP, TIMESTAMP)] = DURATION
_ARITH[("-", TIMESTAMP, DURATION)] = TIMESTAMP
_ARITH_HELPER: Final = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}
_INT_HELPER: Final = {"+": "iadd", "-": "isub", "*": "imul", "/": "idiv", "%": "imod"}
_ORDERED: Final = frozenset({STRING, BYTES, BOOL, TIMESTAMP, DURATION})
_CMP_HELPER: Final = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_OP_NAMES: Final = {
    "+": "_+_", "-": "_-_", "*": "_*_", "/": "_/_", "%": "_%_", "<": "_<_", "<=": "_<=_",
    ">": "_>_", ">=": "_>=_", "==": "_==_", "!=": "_!=_", "in": "@in",
}  # fmt: skip
_DUPLICATE_LIMIT: Final = 240  # longest operand source a logic tail may repeat
_TZ_OFFSET: Final = re.compile(r"([+-])([0-9]{2}):([0-9]{2})")


class _Compiler:
    def __init__(self, env: Env) -> None:
        self.env = env
        self.scopes: list[dict[str, tuple[str, str]]] = []
        self.temps = 0
        self.used: set[str] = set()
        self.constants: dict[str, Any] = {}

    # ------------------------------------------------------------------ helpers

    def error(self, node: S.Node, message: str) -> CelCompileError:
        return CelCompileError(message, node.line, node.column)

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

    def no_overload(self, node: S.Node, name: str, *codes: Code) -> CelCompileError:
        kinds = ", ".join(c.ty for c in codes)
        return self.error(node, f"no matching overload for '{name}' applied to ({kinds})")

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

    # ------------------------------------------------------------------ dispatch

    def compile(self, node: S.Node) -> Code:
        if isinstance(node, S.Lit):
            return const_code(node.value)
        if isinstance(node, S.Ident):
            return self.ident(node)
        if isinstance(node, S.Select):
            return self.select(node)
        if isinstance(node, S.Index):
            return self.index(node)
        if isinstance(node, S.Call):
            return self.call(node)
        if isinstance(node, S.ListLit):
            return self.list_lit(node)
        if isinstance(node, S.MapLit):
            return self.map_lit(node)
        if isinstance(node, S.Cond):
            return self.cond(node)
        if isinstance(node, S.Logic):
            return self.logic(node)
        if isinstance(node, S.Unary):
            return self.unary(node)
        if isinstance(node, S.Binary):
            return self.binary(node)
        raise self.error(node, f"unsupported expression {type(node).__name__}")  # pragma: no cover

    # ------------------------------------------------------------------ names

    def ident(self, node: S.Ident) -> Code:
        name = node.name
        if not node.root:
            local = self.resolve_local(name)
            if local is not None:
                pyname, ty = local
                return Code(pyname, ty, False, safe=pyname)
        if name in self.env.variables:
            self.used.add(name)
            return Code(name, DYN, False, safe=name)
        if name in self.env.constants:
            return const_code(self.constant(name, node))
        if name in TYPE_GLOBALS:
            return const_code(TYPES[name])
        raise self.error(node, f"undeclared reference to '{name}'")

    def dotted(self, node: S.Node) -> str | None:
        """``a.b.c`` as a qualified name, if the expression is only identifiers and dots."""
        parts: list[str] = []
        while isinstance(node, S.Select):
            parts.append(node.field)
            node = node.operand
        if isinstance(node, S.Ident):
            parts.append(node.name)
            return ".".join(reversed(parts))
        return None

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
        value = self.env.constants[head.name]
        path = head.name
        for part in reversed(parts):
            if type(value) is not dict:
                raise self.error(part, f"cannot select field '{part.field}' from {path}, which is not a map")
            if part.field not in value:
                raise self.error(part, f"no such key '{part.field}' in {path}")
            value = value[part.field]
            path = f"{path}.{part.field}"
        try:
            return const_code(constant_to_cel(value, path))
        except ConstantError as e:
            raise self.error(node, str(e)) from None
        except RecursionError:
            raise self.error(node, f"constant {path} is nested too deeply") from None

    def select(self, node: S.Select) -> Code:
        qualified = self.dotted(node)
        if qualified is not None:
            head = qualified.split(".", 1)[0]
            if not self.is_value_name(head):
                if qualified in TYPE_GLOBALS:
                    return const_code(TYPES[qualified])
                head_node: S.Node = node
                while isinstance(head_node, S.Select):
                    head_node = head_node.operand
                raise self.error(head_node, f"undeclared reference to '{qualified}'")
            found = self.constant_path(node)
            if found is not None:
                return found
        operand = self.compile(node.operand)
        key = node.field
        if operand.is_const:
            value = operand.const
            if type(value) is not dict:
                raise self.error(node, f"cannot select field '{key}' from a constant of type {operand.ty}")
            if key not in value:
                name = self.dotted(node.operand) or "constant map"
                raise self.error(node, f"no such key '{key}' in {name}")
            return const_code(value[key])
        if not _compat(operand.ty, MAP):
            raise self.error(node, f"cannot select field '{key}' from a value of type {operand.ty}")
        safe = f"_c_sel_s({operand.safe}, {key!r})" if operand.safe is not None else None
        return Code(f"_c_sel({operand.src}, {key!r})", DYN, True, safe=safe, walrus=operand.walrus)

    def index(self, node: S.Index) -> Code:
        operand = self.compile(node.operand)
        key = self.compile(node.index)
        if not _compat(operand.ty, LIST, MAP):
            raise self.no_overload(node, "_[_]", operand, key)
        if operand.ty == LIST and not _compat(key.ty, INT, UINT, DOUBLE):
            raise self.no_overload(node, "_[_]", operand, key)
        code = Code(
            f"_c_idx({operand.src}, {key.src})",
            operand.elem if operand.ty == LIST else DYN,
            True,
            walrus=operand.walrus or key.walrus,
        )
        if operand.is_const and key.is_const:
            return self.fold(code, node)
        return code

    # ------------------------------------------------------------------ literals

    def list_lit(self, node: S.ListLit) -> Code:
        items = [self.compile(i) for i in node.items]
        if all(i.is_const for i in items):
            return const_code(tuple(i.const for i in items))
        kinds = {i.ty for i in items}
        return Code(
            "[" + ", ".join(i.src for i in items) + "]",
            LIST,
            any(i.fallible for i in items),
            walrus=any(i.walrus for i in items),
            elem=kinds.pop() if len(kinds) == 1 else DYN,
        )

    def map_lit(self, node: S.MapLit) -> Code:
        entries = [(self.compile(k), self.compile(v), k) for k, v in node.entries]
        seen: set[tuple[str, Any]] = set()
        kinds: set[str] = set()
        for key, _, knode in entries:
            if not _compat(key.ty, STRING, INT, UINT, BOOL):
                raise self.error(knode, f"unsupported map key type {key.ty}")
            if key.is_const:
                identity = map_key_class(key.const)
                assert identity is not None
                if identity in seen:
                    raise self.error(knode, f"duplicate map key {format_value(key.const)}")
                seen.add(identity)
                kinds.add(identity[0])
        if {"b", "n"} <= kinds:
            raise self.error(node, "unsupported map literal: mixes bool and numeric keys")
        walrus = any(k.walrus or v.walrus for k, v, _ in entries)
        fallible = any(k.fallible or v.fallible for k, v, _ in entries)
        if all(k.is_const for k, _, _ in entries):
            if all(v.is_const for _, v, _ in entries):
                return const_code({k.const: v.const for k, v, _ in entries})
            src = "{" + ", ".join(f"{k.src}: {v.src}" for k, v, _ in entries) + "}"
            return Code(src, MAP, fallible, walrus=walrus)
        args = ", ".join(f"{k.src}, {v.src}" for k, v, _ in entries)
        return Code(f"_c_mkmap({args})", MAP, True, walrus=walrus)

    # ------------------------------------------------------------------ control

    def cond(self, node: S.Cond) -> Code:
        # Both branches are compiled even when the condition is constant, so that a typo
        # in the branch not taken is still reported.
        c = self.compile(node.cond)
        a = self.compile(node.then)
        b = self.compile(node.other)
        if c.is_const:
            if c.const is True:
                return a
            if c.const is False:
                return b
            raise self.no_overload(node, "_?_:_", c)
        if not _compat(c.ty, BOOL):
            raise self.no_overload(node, "_?_:_", c)
        test = c.src if c.ty == BOOL else f"_c_b({c.src})"
        return Code(
            f"({a.src} if {test} else {b.src})",
            a.ty if a.ty == b.ty else DYN,
            c.fallible or c.ty != BOOL or a.fallible or b.fallible,
            walrus=a.walrus or b.walrus or c.walrus,
            elem=a.elem if a.elem == b.elem else DYN,
        )

    def logic(self, node: S.Logic) -> Code:
        is_or = node.op == "||"
        decisive = is_or  # the operand value that decides the result
        name = "_||_" if is_or else "_&&_"
        codes: list[Code] = []
        compiled = [(operand, self.compile(operand)) for operand in node.operands]  # all: typos
        for operand, c in compiled:
            if not _compat(c.ty, BOOL):
                raise self.no_overload(operand, name, c)
        for _, c in compiled:
            if c.is_const:
                if c.const is decisive:
                    return const_code(decisive)
                continue  # the neutral element
            codes.append(c)
        if not codes:
            return const_code(not decisive)
        plain = [c for c in codes if c.ty == BOOL and not c.fallible]
        rest = [c for c in codes if c.ty != BOOL or c.fallible]
        parts = [c.src for c in plain]
        walrus = any(c.walrus for c in codes)
        if rest:
            if len(rest) == 1:
                parts.append(rest[0].src if rest[0].ty == BOOL else f"_c_b({rest[0].src})")
            else:
                parts.append(self.logic_tail(decisive, rest))
                walrus = walrus or len(rest) > 1
        src = parts[0] if len(parts) == 1 else "(" + (" or " if is_or else " and ").join(parts) + ")"
        safe = None
        if not rest:
            safe = src
        return Code(src, BOOL, bool(rest), safe=safe, walrus=walrus)

    def logic_tail(self, decisive: bool, rest: list[Code]) -> str:
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
        temps = [self.temp() for _ in guards]
        helper = "_c_orn" if decisive else "_c_andn"
        all_neutral = " and ".join(f"{t} is {other}" for t in temps)
        slow = f"{helper}(({''.join(t + ', ' for t in temps)}), {last.src})"
        if len(last.src) <= _DUPLICATE_LIMIT:
            checked = last.src if last.ty == BOOL else f"_c_b({last.src})"
            src = f"({checked} if {all_neutral} else {slow})"
        else:
            src = slow
        for guard, t in zip(reversed(guards), reversed(temps), strict=True):
            g = guard.safe if guard.safe is not None else f"_c_try(lambda: {guard.src})"
            src = f"({word} if ({t} := {g}) is {word} else {src})"
        return src

    def unary(self, node: S.Unary) -> Code:
        c = self.compile(node.operand)
        if node.op == "!":
            if not _compat(c.ty, BOOL):
                raise self.no_overload(node, "!_", c)
            if c.ty == BOOL:
                code = Code(f"(not {c.src})", BOOL, c.fallible, walrus=c.walrus)
            else:
                code = Code(f"_c_not({c.src})", BOOL, True, walrus=c.walrus)
            if c.safe is not None:
                if c.safe.startswith("_c_has_s("):
                    code.safe = "_c_nhas_s(" + c.safe[len("_c_has_s(") :]
                elif not code.fallible:
                    code.safe = code.src
                else:
                    code.safe = f"_c_not_s({c.safe})"
        else:
            if c.ty == INT:
                code = Code(f"_c_ineg({c.src})", INT, True, walrus=c.walrus)
            elif c.ty == DOUBLE:
                code = Code(f"(-{c.src})", DOUBLE, c.fallible, walrus=c.walrus)
            elif c.ty == DYN:
                code = Code(f"_c_neg({c.src})", DYN, True, walrus=c.walrus)
            else:
                raise self.no_overload(node, "-_", c)
        if c.is_const:
            return self.fold(code, node)
        return code

    # ------------------------------------------------------------------ operators

    def binary(self, node: S.Binary) -> Code:
        a = self.compile(node.left)
        b = self.compile(node.right)
        op = node.op
        if op in ("==", "!="):
            code = self.equality(op, a, b)
        elif op in _CMP_HELPER:
            code = self.ordering(node, op, a, b)
        elif op == "in":
            code = self.membership(node, a, b)
        else:
            code = self.arith(node, op, a, b)
        code.walrus = code.walrus or a.walrus or b.walrus
        if a.is_const and b.is_const:
            return self.fold(code, node)
        return code

    def equality(self, op: str, a: Code, b: Code) -> Code:
        neg = op == "!="
        fallible = a.fallible or b.fallible
        if a.is_const and b.is_const:  # folded by the caller
            return Code(f"{'_c_ne' if neg else '_c_eq'}({a.src}, {b.src})", BOOL, True)
        if b.is_const and b.const is None:
            a, b = b, a
        if a.is_const and a.const is None:  # x == null
            return Code(f"({b.src} is {'not ' if neg else ''}None)", BOOL, b.fallible)
        if b.is_const and b.ty == BOOL:
            a, b = b, a
        if a.is_const and a.ty == BOOL:  # bools are singletons
            return Code(f"({b.src} is {'not ' if neg else ''}{a.src})", BOOL, b.fallible)
        pyop = "!=" if neg else "=="
        if a.ty == b.ty and a.ty in (STRING, BYTES, INT, DOUBLE, BOOL, TIMESTAMP, DURATION, TYPE):
            return Code(f"({a.src} {pyop} {b.src})", BOOL, fallible)
        if a.ty in NUMERIC and b.ty in NUMERIC:
            return Code(f"({a.src} {pyop} {b.src})", BOOL, fallible)
        if b.ty in (STRING, BYTES):
            a, b = b, a
        if a.ty in (STRING, BYTES) and b.ty == DYN:
            # str == x is False for every non-str CEL value, as CEL's heterogeneous
            # equality requires; same for bytes.
            return Code(f"({a.src} {pyop} {b.src})", BOOL, fallible)
        helper = "_c_ne" if neg else "_c_eq"
        return Code(f"{helper}({a.src}, {b.src})", BOOL, True)

    def ordering(self, node: S.Binary, op: str, a: Code, b: Code) -> Code:
        if a.ty in NUMERIC and b.ty in NUMERIC:
            return Code(f"({a.src} {op} {b.src})", BOOL, a.fallible or b.fallible)
        if a.ty == b.ty and a.ty in _ORDERED:
            return Code(f"({a.src} {op} {b.src})", BOOL, a.fallible or b.fallible)
        orderable = NUMERIC | _ORDERED
        if a.ty != DYN and b.ty != DYN:
            raise self.no_overload(node, _OP_NAMES[op], a, b)
        if (a.ty != DYN and a.ty not in orderable) or (b.ty != DYN and b.ty not in orderable):
            raise self.no_overload(node, _OP_NAMES[op], a, b)
        return Code(f"_c_{_CMP_HELPER[op]}({a.src}, {b.src})", BOOL, True)

    def membership(self, node: S.Binary, a: Code, b: Code) -> Code:
        if not _compat(b.ty, LIST, MAP):
            raise self.no_overload(node, "@in", a, b)
        if b.is_const and type(b.const) in (tuple, dict):
            keys = list(b.const)  # list elements or map keys
            if all(type(k) is str for k in keys):
                # `x in ("a", "b")` compares with ==, which is exact for str vs anything
                if a.ty == STRING and len(keys) > 4:
                    container = "{" + ", ".join(repr(k) for k in keys) + "}"
                else:
                    container = "(" + "".join(repr(k) + ", " for k in keys) + ")"
                return Code(f"({a.src} in {container})", BOOL, a.fallible)
        if a.ty == STRING and b.ty == LIST:
            return Code(f"({a.src} in {b.src})", BOOL, a.fallible or b.fallible)
        return Code(f"_c_in({a.src}, {b.src})", BOOL, True)

    def arith(self, node: S.Binary, op: str, a: Code, b: Code) -> Code:
        name = _OP_NAMES[op]
        fallible = a.fallible or b.fallible
        if a.ty != DYN and b.ty != DYN:
            result = _ARITH.get((op, a.ty, b.ty))
            if result is None:
                raise self.no_overload(node, name, a, b)
            if a.ty == INT:
                return Code(f"_c_{_INT_HELPER[op]}({a.src}, {b.src})", INT, True)
            if a.ty == DOUBLE:
                if op == "/":
                    if b.is_const and b.const != 0:
                        return Code(f"({a.src} / {b.src})", DOUBLE, fallible)
                    return Code(f"_c_fdiv({a.src}, {b.src})", DOUBLE, fallible)
                return Code(f"({a.src} {op} {b.src})", DOUBLE, fallible)
            if a.ty in (STRING, BYTES) and op == "+":
                return Code(f"({a.src} + {b.src})", a.ty, fallible)
            if a.ty == LIST and op == "+":
                elem = a.elem if a.elem == b.elem else DYN
                return Code(f"[*{a.src}, *{b.src}]", LIST, fallible, elem=elem)
            return Code(f"_c_{_ARITH_HELPER[op]}({a.src}, {b.src})", result, True)
        known = b if a.ty == DYN else a
        results: set[str] = set()
        if known.ty != DYN:
            for (o, lt, rt), r in _ARITH.items():
                if o == op and (lt == known.ty if known is a else rt == known.ty):
                    results.add(r)
            if not results:
                raise self.no_overload(node, name, a, b)
        result = results.pop() if len(results) == 1 else DYN
        return Code(f"_c_{_ARITH_HELPER[op]}({a.src}, {b.src})", result, True)

    # ------------------------------------------------------------------ calls

    def call(self, node: S.Call) -> Code:
        name = node.name
        target = node.target
        if target is None:
            if name == "has":
                return self.has(node)
            if name in _GLOBAL_FUNCS:
                args = [self.compile(a) for a in node.args]
                return self.function(node, name, args, _GLOBAL_FUNCS[name])
            if name in ("dyn", "type"):
                if len(node.args) != 1:
                    raise self.error(node, f"{name}() takes exactly one argument")
                arg = self.compile(node.args[0])
                if name == "dyn":  # erases the static type, so it also stops constant folding
                    return Code(arg.src, DYN, arg.fallible, _NOCONST, arg.safe, arg.walrus)
                code = Code(f"_c_typeof({arg.src})", TYPE, True, walrus=arg.walrus)
                if arg.ty != DYN:
                    return const_code(TYPES[arg.ty]) if not arg.fallible else code
                return self.fold(code, node) if arg.is_const else code
            raise self.error(node, f"undeclared reference to function '{name}'")
        if name in _MACROS and len(node.args) in _MACROS[name]:
            if isinstance(node.args[0], S.Ident) and not node.args[0].root:
                return self.macro(node, target)
            raise self.error(node.args[0], f"{name}() macro needs a variable name first")
        qualified = self.dotted(target)
        if qualified is not None and not self.is_value_name(qualified.split(".", 1)[0]):
            return self.namespaced(node, f"{qualified}.{name}")
        receiver = self.compile(target)
        args = [receiver, *(self.compile(a) for a in node.args)]
        if name in _RECEIVER_FUNCS:
            return self.function(node, name, args, _RECEIVER_FUNCS[name])
        if name in _TS_GETTERS or name in _TIME_GETTERS:
            return self.time_getter(node, name, args)
        raise self.error(node, f"undeclared reference to function '{name}'")

    def has(self, node: S.Call) -> Code:
        if len(node.args) != 1 or not isinstance(node.args[0], S.Select):
            raise self.error(node, "has() requires a field selection such as has(a.b)")
        sel = node.args[0]
        operand = self.constant_path(sel.operand) if isinstance(sel.operand, S.Select) else None
        if operand is None:
            operand = self.compile(sel.operand)
        key = sel.field
        if operand.is_const:
            if type(operand.const) is not dict:
                raise self.error(node, f"has() cannot test a field of a constant {operand.ty}")
            return const_code(key in operand.const)
        if operand.ty == MAP:
            return Code(f"({key!r} in {operand.src})", BOOL, operand.fallible, walrus=operand.walrus)
        if operand.ty != DYN:
            raise self.error(node, f"has() cannot test a field of a value of type {operand.ty}")
        safe = f"_c_has_s({operand.safe}, {key!r})" if operand.safe is not None else None
        return Code(f"_c_has({operand.src}, {key!r})", BOOL, True, safe=safe, walrus=operand.walrus)

    def signature(self, node: S.Node, name: str, args: list[Code], sigs: _Sig) -> str:
        matching = [
            result
            for params, result in sigs
            if len(params) == len(args) and all(_compat(a.ty, p) for a, p in zip(args, params, strict=True))
        ]
        if not matching:
            if not any(len(p) == len(args) for p, _ in sigs):
                raise self.error(node, f"wrong number of arguments for '{name}'")
            raise self.no_overload(node, name, *args)
        return matching[0] if len(set(matching)) == 1 else DYN

    def function(self, node: S.Call, name: str, args: list[Code], sigs: _Sig) -> Code:
        result = self.signature(node, name, args, sigs)
        walrus = any(a.walrus for a in args)
        fallible = any(a.fallible for a in args)
        srcs = [a.src for a in args]
        a0 = args[0]
        code: Code | None = None
        if name == "matches":
            pattern = args[1]
            if not pattern.is_const or type(pattern.const) is not str:
                raise self.error(node, "the pattern of matches() must be a constant string")
            try:
                compile_regex(pattern.const)
            except ValueError as e:
                raise self.error(node, f"invalid regular expression: {e}") from None
            code = Code(f"_c_matches({srcs[0]}, {srcs[1]})", BOOL, True)
        elif name == "size" and a0.ty != DYN:
            code = Code(f"_c_len({srcs[0]})", INT, fallible)
        elif name in ("int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration"):
            if a0.ty == result:
                return a0  # conversion to its own type is the identity
        elif name == "contains" and a0.ty == STRING and args[1].ty == STRING:
            code = Code(f"({srcs[1]} in {srcs[0]})", BOOL, fallible)
        if code is None:
            helper = {"sum": "_c_sum"}.get(name, f"_c_{name}")
            code = Code(f"{helper}({', '.join(srcs)})", result, True)
        code.walrus = code.walrus or walrus
        if all(a.is_const for a in args):
            return self.fold(code, node)
        return code

    def time_getter(self, node: S.Call, name: str, args: list[Code]) -> Code:
        receiver = args[0]
        allowed = (TIMESTAMP,) if name in _TS_GETTERS else (TIMESTAMP, DURATION)
        if not _compat(receiver.ty, *allowed) or len(args) > 2:
            raise self.no_overload(node, name, *args)
        srcs = [receiver.src]
        if len(args) == 2:
            if receiver.ty == DURATION:
                raise self.no_overload(node, name, *args)
            tz = args[1]
            if not tz.is_const or type(tz.const) is not str:
                raise self.error(node, f"the time zone argument of {name}() must be a constant string")
            srcs.append(repr(self.tz_offset(node, tz.const)))
        code = Code(f"_c_{name}({', '.join(srcs)})", INT, True, walrus=receiver.walrus)
        if receiver.is_const:
            return self.fold(code, node)
        return code

    def tz_offset(self, node: S.Node, tz: str) -> int:
        if tz in ("UTC", "Z", "Etc/UTC", "GMT"):
            return 0
        m = _TZ_OFFSET.fullmatch(tz)
        if m is None or int(m.group(2)) > 23 or int(m.group(3)) > 59:
            raise self.error(
                node,
                f"unsupported time zone {tz!r}: use 'UTC' or a fixed offset like '+01:00' "
                "(IANA zone names are not supported)",
            )
        minutes = int(m.group(2)) * 60 + int(m.group(3))
        return -minutes if m.group(1) == "-" else minutes

    def namespaced(self, node: S.Call, name: str) -> Code:
        args = [self.compile(a) for a in node.args]
        walrus = any(a.walrus for a in args)
        if name in ("math.greatest", "math.least"):
            if not args:
                raise self.error(node, f"{name}() needs at least one argument")
            if len(args) == 1:
                if not _compat(args[0].ty, LIST, INT, UINT, DOUBLE):
                    raise self.no_overload(node, name, *args)
            elif not all(_compat(a.ty, INT, UINT, DOUBLE) for a in args):
                raise self.no_overload(node, name, *args)
            kinds = {a.ty for a in args}
            ty = kinds.pop() if len(kinds) == 1 and len(args) > 1 else DYN
            if len(args) == 1 and args[0].ty in NUMERIC:
                ty = args[0].ty
            helper = "_c_greatest" if name == "math.greatest" else "_c_least"
            code = Code(f"{helper}({', '.join(a.src for a in args)})", ty, True, walrus=walrus)
        elif name.startswith("math.") and name[5:] in _MATH_FUNCS:
            short = name[5:]
            result = self.signature(node, name, args, _MATH_FUNCS[short])
            if short == "abs" and args[0].ty == DOUBLE:
                code = Code(f"_c_pyabs({args[0].src})", DOUBLE, args[0].fallible, walrus=walrus)
            else:
                code = Code(f"_c_{short}({args[0].src})", result, True, walrus=walrus)
        else:
            raise self.error(node, f"undeclared reference to function '{name}'")
        if args and all(a.is_const for a in args):
            return self.fold(code, node)
        return code

    # ------------------------------------------------------------------ macros

    def macro(self, node: S.Call, target: S.Node) -> Code:
        name = "exists_one" if node.name == "existsOne" else node.name
        rng = self.compile(target)
        if not _compat(rng.ty, LIST, MAP):
            raise self.error(node, f"{name}() cannot iterate over a value of type {rng.ty}")
        var_node = node.args[0]
        assert isinstance(var_node, S.Ident)
        var = "_c_v_" + var_node.name
        elem = rng.elem if rng.ty == LIST else DYN
        self.scopes.append({var_node.name: (var, elem)})
        try:
            bodies = [self.compile(a) for a in node.args[1:]]
        finally:
            self.scopes.pop()
        walrus = rng.walrus or any(c.walrus for c in bodies)
        iterable = rng.src if rng.ty in (LIST, MAP) else f"_c_it({rng.src})"
        # A comprehension's iterable may not contain `:=`; use the helper form then.
        comprehension = not rng.walrus
        body = bodies[-1]
        if name in ("all", "exists", "exists_one") or len(bodies) == 2 or name == "filter":
            pred = bodies[0]
            if not _compat(pred.ty, BOOL):
                raise self.no_overload(node.args[1], name, pred)
        if name in ("all", "exists"):
            pred = bodies[0]
            if comprehension and pred.ty == BOOL and not pred.fallible:
                fn = "_c_pyall" if name == "all" else "_c_pyany"
                src = f"{fn}({pred.src} for {var} in {iterable})"
                return Code(src, BOOL, rng.fallible or rng.ty == DYN, walrus=walrus)
            return Code(f"_c_{name}({rng.src}, lambda {var}: {pred.src})", BOOL, True, walrus=walrus)
        if name == "exists_one":
            pred = bodies[0]
            if comprehension:
                p = pred.src if pred.ty == BOOL else f"_c_b({pred.src})"
                return Code(f"_c_one([{p} for {var} in {iterable}])", BOOL, True, walrus=walrus)
            return Code(f"_c_exists_one({rng.src}, lambda {var}: {pred.src})", BOOL, True, walrus=walrus)
        if name == "filter":
            pred = bodies[0]
            p = pred.src if pred.ty == BOOL else f"_c_b({pred.src})"
            if comprehension:
                src = f"[{var} for {var} in {iterable} if {p}]"
                fallible = rng.fallible or rng.ty == DYN or pred.fallible or pred.ty != BOOL
                return Code(src, LIST, fallible, walrus=walrus, elem=elem)
            return Code(f"_c_filter({rng.src}, lambda {var}: {pred.src})", LIST, True,
                        walrus=walrus, elem=elem)  # fmt: skip
        # map
        if len(bodies) == 2:
            pred = bodies[0]
            p = pred.src if pred.ty == BOOL else f"_c_b({pred.src})"
            if comprehension:
                src = f"[{body.src} for {var} in {iterable} if {p}]"
                return Code(src, LIST, True, walrus=walrus, elem=body.ty)
            return Code(f"_c_map3({rng.src}, lambda {var}: {pred.src}, lambda {var}: {body.src})",
                        LIST, True, walrus=walrus, elem=body.ty)  # fmt: skip
        if comprehension:
            fallible = rng.fallible or rng.ty == DYN or body.fallible
            src = f"[{body.src} for {var} in {iterable}]"
            return Code(src, LIST, fallible, walrus=walrus, elem=body.ty)
        return Code(f"_c_map({rng.src}, lambda {var}: {body.src})", LIST, True,
                    walrus=walrus, elem=body.ty)  # fmt: skip


# --------------------------------------------------------------------------- verification

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
        if isinstance(n, ast.Name):
            ok = n.id in _HELPER_NAMES or n.id in variables or LOCAL_NAME.fullmatch(n.id) is not None
            if not ok or n.id.startswith("__"):
                raise CelCompileError(f"internal error: generated code names {n.id!r}")
            if isinstance(n.ctx, ast.Store) and not LOCAL_NAME.fullmatch(n.id):
                raise CelCompileError(f"internal error: generated code assigns {n.id!r}")
        elif isinstance(n, ast.Call):
            if not isinstance(n.func, ast.Name) or n.func.id not in _HELPER_NAMES or n.keywords:
                raise CelCompileError("internal error: generated code calls a non-helper")
        elif isinstance(n, ast.Constant):
            if type(n.value) not in _CONSTANT_TYPES:
                raise CelCompileError("internal error: generated code has an odd constant")
        elif isinstance(n, ast.arguments):
            if n.posonlyargs or n.vararg or n.kwonlyargs or n.kwarg or n.defaults:
                raise CelCompileError("internal error: generated lambda has odd arguments")
            for a in n.args:
                if not LOCAL_NAME.fullmatch(a.arg):
                    raise CelCompileError("internal error: generated lambda argument name")
        elif isinstance(n, ast.Dict) and any(k is None for k in n.keys):
            raise CelCompileError("internal error: generated dict unpacking")
        elif isinstance(n, ast.comprehension) and n.is_async:
            raise CelCompileError("internal error: async comprehension")  # pragma: no cover
        elif isinstance(n, ast.NamedExpr):
            target = n.target
            if not isinstance(target, ast.Name) or not LOCAL_NAME.fullmatch(target.id):
                raise CelCompileError("internal error: generated assignment target")


# --------------------------------------------------------------------------- entry points


def _compile(source: str, env: Env) -> tuple[str, frozenset[str]]:
    if not isinstance(source, str):
        raise TypeError("CEL source must be a str")
    node = S.parse(source)
    compiler = _Compiler(env)
    try:
        code = compiler.compile(node)
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
    return src, frozenset(compiler.used)


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
