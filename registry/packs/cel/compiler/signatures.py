"""What the compiler knows of functions and operators: signatures, overloads, helper names."""

from __future__ import annotations

from typing import Final

from registry.packs.cel.compiler import static_types as T

# Function signatures: name -> list of (parameter types, result type). The receiver,
# if any, is the first parameter.
Sig = list[tuple[tuple[str, ...], str]]
GLOBAL_FUNCS: Final[dict[str, Sig]] = {
    "size": [((T.STRING,), T.INT), ((T.BYTES,), T.INT), ((T.LIST,), T.INT), ((T.MAP,), T.INT)],
    "int": [((T.INT,), T.INT), ((T.UINT,), T.INT), ((T.DOUBLE,), T.INT), ((T.STRING,), T.INT), ((T.TIMESTAMP,), T.INT)],
    "uint": [((T.UINT,), T.UINT), ((T.INT,), T.UINT), ((T.DOUBLE,), T.UINT), ((T.STRING,), T.UINT)],
    "double": [((T.DOUBLE,), T.DOUBLE), ((T.INT,), T.DOUBLE), ((T.UINT,), T.DOUBLE), ((T.STRING,), T.DOUBLE)],
    "string": [
        ((T.STRING,), T.STRING), ((T.BOOL,), T.STRING), ((T.INT,), T.STRING), ((T.UINT,), T.STRING),
        ((T.DOUBLE,), T.STRING), ((T.BYTES,), T.STRING), ((T.TIMESTAMP,), T.STRING), ((T.DURATION,), T.STRING),
    ],
    "bytes": [((T.BYTES,), T.BYTES), ((T.STRING,), T.BYTES)],
    "bool": [((T.BOOL,), T.BOOL), ((T.STRING,), T.BOOL)],
    "timestamp": [((T.STRING,), T.TIMESTAMP), ((T.TIMESTAMP,), T.TIMESTAMP), ((T.INT,), T.TIMESTAMP)],
    "duration": [((T.STRING,), T.DURATION), ((T.DURATION,), T.DURATION)],
    "matches": [((T.STRING, T.STRING), T.BOOL)],
    "sum": [((T.LIST,), T.DYN)],
    "addYears": [((T.TIMESTAMP, T.INT), T.TIMESTAMP)],
    "isDecimal": [((T.STRING,), T.BOOL)],
    "decimalSum": [((T.LIST,), T.STRING)],
    "decimalDiff": [((T.STRING, T.STRING), T.DOUBLE)],
    "halfUnit": [((T.STRING,), T.DOUBLE)],
}  # fmt: skip
RECEIVER_FUNCS: Final[dict[str, Sig]] = {
    "size": [((T.STRING,), T.INT), ((T.BYTES,), T.INT), ((T.LIST,), T.INT), ((T.MAP,), T.INT)],
    "contains": [((T.STRING, T.STRING), T.BOOL)],
    "startsWith": [((T.STRING, T.STRING), T.BOOL)],
    "endsWith": [((T.STRING, T.STRING), T.BOOL)],
    "matches": [((T.STRING, T.STRING), T.BOOL)],
    "lowerAscii": [((T.STRING,), T.STRING)],
    "upperAscii": [((T.STRING,), T.STRING)],
    "trim": [((T.STRING,), T.STRING)],
    "addYears": [((T.TIMESTAMP, T.INT), T.TIMESTAMP)],
    "stage": [((T.MAP, T.STRING), T.DYN)],
}
CONVERSIONS: Final = frozenset({"int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration"})
TS_GETTERS: Final = frozenset({"getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfYear", "getDayOfWeek"})
TIME_GETTERS: Final = frozenset({"getHours", "getMinutes", "getSeconds", "getMilliseconds"})
MATH_FUNCS: Final[dict[str, Sig]] = {
    "abs": [((T.INT,), T.INT), ((T.UINT,), T.UINT), ((T.DOUBLE,), T.DOUBLE)],
    "ceil": [((T.DOUBLE,), T.DOUBLE)],
    "floor": [((T.DOUBLE,), T.DOUBLE)],
    "round": [((T.DOUBLE,), T.DOUBLE)],
    "trunc": [((T.DOUBLE,), T.DOUBLE)],
    "isNaN": [((T.DOUBLE,), T.BOOL)],
    "isInf": [((T.DOUBLE,), T.BOOL)],
    "isFinite": [((T.DOUBLE,), T.BOOL)],
}
MACROS: Final = {"all": (2,), "exists": (2,), "exists_one": (2,), "existsOne": (2,),
                 "map": (2, 3), "filter": (2,)}  # fmt: skip

# Arithmetic overloads: (op, left, right) -> result.
ARITH: Final[dict[tuple[str, str, str], str]] = {}
for _t in (T.INT, T.UINT, T.DOUBLE):
    for _op in "+-*/":
        ARITH[(_op, _t, _t)] = _t
ARITH[("%", T.INT, T.INT)] = T.INT
ARITH[("%", T.UINT, T.UINT)] = T.UINT
for _t in (T.STRING, T.BYTES, T.LIST, T.DURATION):
    ARITH[("+", _t, _t)] = _t
ARITH[("+", T.TIMESTAMP, T.DURATION)] = T.TIMESTAMP
ARITH[("+", T.DURATION, T.TIMESTAMP)] = T.TIMESTAMP
ARITH[("-", T.DURATION, T.DURATION)] = T.DURATION
ARITH[("-", T.TIMESTAMP, T.TIMESTAMP)] = T.DURATION
ARITH[("-", T.TIMESTAMP, T.DURATION)] = T.TIMESTAMP
ARITH_HELPER: Final = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}
INT_HELPER: Final = {"+": "iadd", "-": "isub", "*": "imul", "/": "idiv", "%": "imod"}
ORDERED: Final = frozenset({T.STRING, T.BYTES, T.BOOL, T.TIMESTAMP, T.DURATION})
CMP_HELPER: Final = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
OP_NAMES: Final = {
    "+": "_+_", "-": "_-_", "*": "_*_", "/": "_/_", "%": "_%_", "<": "_<_", "<=": "_<=_",
    ">": "_>_", ">=": "_>=_", "==": "_==_", "!=": "_!=_", "in": "@in",
}  # fmt: skip
