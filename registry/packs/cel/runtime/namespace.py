"""The namespace compiled CEL code is evaluated in: every helper under a ``_c_`` prefixed name,
the type identifiers, and no builtins.

Helpers are bound directly (``GLOBALS["_c_all"] is macros.all_``): generated code finds each with
one dictionary lookup."""

from __future__ import annotations

import math
import re
from typing import Any, Final

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.access import has, has_s, idx, in_, mkmap, nhas_s, sel, sel_s
from registry.packs.cel.runtime.accessors import (
    getDate,
    getDayOfMonth,
    getDayOfWeek,
    getDayOfYear,
    getFullYear,
    getHours,
    getMilliseconds,
    getMinutes,
    getMonth,
    getSeconds,
)
from registry.packs.cel.runtime.arith import add, div, fdiv, iadd, idiv, imod, imul, ineg, isub, mod, mul, neg, sub
from registry.packs.cel.runtime.compare import eq, ge, gt, le, lt, ne
from registry.packs.cel.runtime.conversions import (
    bool_,
    bytes_,
    double,
    duration,
    dyn,
    int_,
    mkdur,
    mkts,
    string,
    timestamp,
    typeof,
    uint,
)
from registry.packs.cel.runtime.extensions import (
    addYears,
    decimalDiff,
    decimalSum,
    halfUnit,
    isDecimal,
    stage,
    sum_,
)
from registry.packs.cel.runtime.logic import andn, b, not_, not_s, orn, try_
from registry.packs.cel.runtime.macros import all_, exists, exists_one, filter_, it, map3, map_, one
from registry.packs.cel.runtime.mathext import abs_, ceil, floor, greatest, isFinite, isInf, isNaN, least, round_, trunc
from registry.packs.cel.runtime.strings import (
    contains,
    endsWith,
    lowerAscii,
    matches,
    size,
    startsWith,
    trim,
    upperAscii,
)
from registry.packs.cel.values import DURATION_MAX_US, TYPES, CelUint, format_value

_HELPERS: Final[dict[str, Any]] = {
    # access
    "sel": sel,
    "sel_s": sel_s,
    "has": has,
    "has_s": has_s,
    "nhas_s": nhas_s,
    "idx": idx,
    "in": in_,
    "mkmap": mkmap,
    # logic
    "b": b,
    "not": not_,
    "not_s": not_s,
    "orn": orn,
    "andn": andn,
    "try": try_,
    # comparison
    "eq": eq,
    "ne": ne,
    "lt": lt,
    "le": le,
    "gt": gt,
    "ge": ge,
    # arithmetic
    "add": add,
    "sub": sub,
    "mul": mul,
    "div": div,
    "mod": mod,
    "neg": neg,
    "iadd": iadd,
    "isub": isub,
    "imul": imul,
    "idiv": idiv,
    "imod": imod,
    "ineg": ineg,
    "fdiv": fdiv,
    # conversions
    "int": int_,
    "uint": uint,
    "double": double,
    "string": string,
    "bytes": bytes_,
    "bool": bool_,
    "dyn": dyn,
    "typeof": typeof,
    "timestamp": timestamp,
    "duration": duration,
    "mkts": mkts,
    "mkdur": mkdur,
    "U": CelUint,
    # functions
    "size": size,
    "contains": contains,
    "startsWith": startsWith,
    "endsWith": endsWith,
    "matches": matches,
    "lowerAscii": lowerAscii,
    "upperAscii": upperAscii,
    "trim": trim,
    "getFullYear": getFullYear,
    "getMonth": getMonth,
    "getDate": getDate,
    "getDayOfMonth": getDayOfMonth,
    "getDayOfYear": getDayOfYear,
    "getDayOfWeek": getDayOfWeek,
    "getHours": getHours,
    "getMinutes": getMinutes,
    "getSeconds": getSeconds,
    "getMilliseconds": getMilliseconds,
    "greatest": greatest,
    "least": least,
    "abs": abs_,
    "ceil": ceil,
    "floor": floor,
    "trunc": trunc,
    "round": round_,
    "isNaN": isNaN,
    "isInf": isInf,
    "isFinite": isFinite,
    "sum": sum_,
    "stage": stage,
    "addYears": addYears,
    "isDecimal": isDecimal,
    "decimalSum": decimalSum,
    "decimalDiff": decimalDiff,
    "halfUnit": halfUnit,
    # macros
    "it": it,
    "all": all_,
    "exists": exists,
    "exists_one": exists_one,
    "one": one,
    "map": map_,
    "map3": map3,
    "filter": filter_,
    # Python builtins used by inlined fast paths (the generated code cannot name
    # builtins itself: __builtins__ is empty).
    "len": len,
    "pyall": all,
    "pyany": any,
    "pyabs": abs,
    # values
    "INF": math.inf,
    "NAN": math.nan,
    "CelEvalError": CelEvalError,
    "format": format_value,
}

TYPE_GLOBALS: Final[dict[str, str]] = {
    "int": "_c_T_int",
    "uint": "_c_T_uint",
    "double": "_c_T_double",
    "bool": "_c_T_bool",
    "string": "_c_T_string",
    "bytes": "_c_T_bytes",
    "list": "_c_T_list",
    "map": "_c_T_map",
    "null_type": "_c_T_null_type",
    "type": "_c_T_type",
    "google.protobuf.Timestamp": "_c_T_timestamp",
    "google.protobuf.Duration": "_c_T_duration",
}

GLOBALS: Final[dict[str, Any]] = {
    "__builtins__": {},
    **{"_c_" + name: fn for name, fn in _HELPERS.items()},
    **{glob: TYPES[name] for name, glob in TYPE_GLOBALS.items()},
}

# Names generated code binds itself: macro variables and temporaries. No helper may
# look like one of them.
LOCAL_NAME: Final = re.compile(r"_c_v_[A-Za-z0-9_]+|_c_t[0-9]+")
assert not any(LOCAL_NAME.fullmatch(k) for k in GLOBALS)
assert DURATION_MAX_US > 0
