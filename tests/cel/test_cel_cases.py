"""Hand-written CEL cases: every operator, function and macro, with expected values or errors.

Where an expected value departs from cel-python, the comment cites the CEL spec
(https://github.com/google/cel-spec/blob/master/doc/langdef.md) or cel-go/cel-cpp.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cel_support import same

from registry.packs.cel import (
    GLOBALS,
    CelCompileError,
    CelEvalError,
    CelSyntaxError,
    CelUint,
    Env,
    compile_expression,
    compile_to_python,
)

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
ACT: dict[str, Any] = {
    "x": {
        "a": 1,
        "f": 2.5,
        "s": "hello",
        "t": True,
        "n": None,
        "b": [1, 2.5, "s"],
        "m": {"k": "v", "n": 2},
        "e": [],
        "big": 9223372036854775807,
        "neg": -9223372036854775808,
        "num": "12.5",
        "ts": "2026-01-01T00:00:00Z",
        "nested": {"a": {"b": {"c": 1}}},
    },
    "now": NOW,
    "u": CelUint(5),
}
PARAMS = {
    "cutOff": 5,
    "tol": 0.01,
    "reports": ["AR5", "AR6"],
    "nested": {"k": 1},
    "big": [1, 2, 3, 4, 5, 6],
    "pattern": "^AR[0-9]$",
    "units": ["kg", "l", "m3", "kWh", "MJ", "t"],
}
ENV = Env(frozenset({"x", "now", "u"}), {"params": PARAMS})


@dataclass(frozen=True)
class E:
    """Expected CelEvalError whose message contains the text."""

    text: str = ""


@dataclass(frozen=True)
class C:
    """Expected CelCompileError whose message contains the text."""

    text: str = ""


@dataclass(frozen=True)
class S:
    """Expected CelSyntaxError."""

    text: str = ""


def D(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


INF = math.inf
NAN = math.nan

CASES: list[tuple[str, Any]] = [
    # ---------------------------------------------------------------- literals
    ("1", 1),
    ("-1", -1),
    ("0x1F", 31),
    ("-0x10", -16),
    ("1u", CelUint(1)),
    ("0x10u", CelUint(16)),
    ("18446744073709551615u", CelUint(18446744073709551615)),
    ("18446744073709551616u", S("out of the uint64 range")),
    ("9223372036854775807", 9223372036854775807),
    ("-9223372036854775808", -9223372036854775808),
    ("9223372036854775808", S("out of the int64 range")),
    ("1.5", 1.5),
    ("1e3", 1000.0),
    (".5", 0.5),
    ("-2.5e-3", -0.0025),
    ("true", True),
    ("false", False),
    ("null", None),
    ('"abc"', "abc"),
    ("'abc'", "abc"),
    (r'"\a\b\f\n\r\t\v\\\?\"\'\`"', "\a\b\f\n\r\t\v\\?\"'`"),
    (r'"\x41\X42\101\u00e9\U0001F600"', "ABAé😀"),
    (r'"\ud83d\ude00"', "😀"),  # a surrogate pair combines (spec: BMP escapes)
    (r'"\ud800"', S("Unicode")),
    (r'"\z"', S("escape")),
    (r'"\400"', S("escape")),
    ('"abc', S()),
    (r"r'\n\d'", "\\n\\d"),
    (r"R'\\'", "\\\\"),
    ('"""a"b"""', 'a"b'),
    ("'''x''x'''", "x''x"),
    ('"""line1\nline2"""', "line1\nline2"),
    ('"é"', "é"),
    (r'b"\xff\101é"', b"\xffA\xc3\xa9"),
    (r'b"\377"', b"\xff"),
    (r'"\377"', "ÿ"),  # in strings octal and \x escapes are code points
    (r'b"\u00e9"', S("bytes")),
    (r"br'\x'", b"\\x"),
    ("[]", []),
    ("[1, 2.5, 'a', null]", [1, 2.5, "a", None]),
    ("{}", {}),
    ('{"a": 1, 2: "b", true: [1]}', C("mixes bool and numeric")),
    ('{"a": 1, 2: "b"}', {"a": 1, 2: "b"}),
    ('{"a": 1, "a": 2}', C("duplicate map key")),
    ("{1: 1, 1u: 2}", C("duplicate map key")),
    ("{1.5: 1}", C("unsupported map key type double")),
    ("{null: 1}", C("unsupported map key type")),
    ("{x.s: 1}", {"hello": 1}),
    ('{x.s: 1, "hello": 2}', E("duplicate map key")),
    ("{x.f: 1}", E("unsupported map key type double")),
    ('{"k": x.zz}', E("no such key: zz")),
    ("[x.zz, 1]", E("no such key")),
    # ---------------------------------------------------------------- arithmetic
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),
    ("7 / 2", 3),
    ("-7 / 2", -3),  # truncating division
    ("7 % 3", 1),
    ("-7 % 3", -1),  # remainder has the sign of the dividend
    ("7 % -3", 1),
    ("x.a / 0", E("division by zero")),
    ("x.a % 0", E("modulus by zero")),
    ("1 / 0", E("division by zero")),  # constant, stays a run-time error
    ("7.0 / 2.0", 3.5),
    ("1.0 / 0.0", INF),
    ("-1.0 / 0.0", -INF),
    ("0.0 / 0.0", NAN),
    ("x.f / 0.0", INF),
    ("0.1 + 0.2", 0.30000000000000004),
    ("x.f * 2.0", 5.0),
    ("-x.f", -2.5),
    ("5.5 % 2.0", C("no matching overload")),
    ("x.big + 1", E("overflow")),
    ("x.neg - 1", E("overflow")),
    ("x.big * 2", E("overflow")),
    ("-x.neg", E("overflow")),
    ("x.neg / -1", E("overflow")),
    ("x.neg % -1", E("overflow")),
    ("9223372036854775807 + 1", E("overflow")),
    ("-(-9223372036854775807 - 1)", E("overflow")),
    ("9223372036854775807 * -1", -9223372036854775807),
    ("1u + 2u", CelUint(3)),
    ("1u - 2u", E("overflow")),
    ("18446744073709551615u + 1u", E("overflow")),
    ("u * 2u", CelUint(10)),
    ("u / 2u", CelUint(2)),
    ("u % 2u", CelUint(1)),
    ("u / 0u", E("division by zero")),
    ("u % 0u", E("modulus by zero")),
    ("-u", E("no matching overload")),
    ("1u + 1", C("no matching overload")),  # no mixed-type arithmetic in CEL
    ("u + 1", E("no matching overload")),
    ("1 + 1.0", C("no matching overload")),
    ("x.a + x.f", E("no matching overload")),
    ("x.a + 1.0", E("no matching overload")),
    ("1 + true", C("no matching overload")),  # cel-python says 2; the spec has no such overload
    ("x.t + 1", E("no matching overload")),
    ('"a" * 2', C("no matching overload")),
    ('"a" + "b"', "ab"),
    ("x.s + '!'", "hello!"),
    ("x.s + 1", E("no matching overload")),
    ('b"ab" + b"c"', b"abc"),
    ("[1, 2] + [3]", [1, 2, 3]),
    ("x.b + [1]", [1, 2.5, "s", 1]),
    ("[0] + x.e", [0]),
    ("-x.s", E("no matching overload")),
    ("--1", 1),
    ("- -x.a", 1),
    # ---------------------------------------------------------------- equality
    ("1 == 1", True),
    ("1 == 1.0", True),  # heterogeneous numeric equality (cel-python: error)
    ("1u == 1", True),
    ("1u == 1.0", True),
    ("x.a == 1.0", True),
    ("x.f == 2.5", True),
    ("true == 1", False),  # bool is never equal to a number (cel-python: true)
    ("x.t == 1", False),
    ("x.a == x.t", False),
    ("x.t == true", True),
    ('"1" == 1', False),  # different types are unequal (cel-python: error)
    ("x.s == 1", False),
    ("x.a == 'x'", False),
    ("null == null", True),
    ("x.n == null", True),
    ("x.a == null", False),
    ("x.a != null", True),
    ("null == 1", False),
    ("0.0 / 0.0 == 0.0 / 0.0", False),  # NaN is unequal to everything
    ("0.0 / 0.0 != 0.0 / 0.0", True),
    ("[0.0 / 0.0] == [0.0 / 0.0]", False),
    ("[1, 2] == [1, 2]", True),
    ("[1] == [1.0]", True),
    ("[1, 'a'] == [1, 2]", False),
    ("[1, 2] == [1, 2, 3]", False),
    ('{"a": 1} == {"a": 1.0}', True),
    ('{"a": 1} == {"b": 1}', False),
    ('{"a": 1} != {"a": 2}', True),
    ('x.m == {"k": "v", "n": 2}', True),
    ("x.b == x.b", True),
    ("x == x", True),
    ("x.b == x.m", False),
    ('timestamp("2026-01-01T00:00:00Z") == timestamp("2026-01-01T01:00:00+01:00")', True),
    ('duration("1h") == duration("60m")', True),
    ("x.zz == 1", E("no such key")),
    # ---------------------------------------------------------------- ordering
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 2", True),
    ("2 >= 3", False),
    ("1 < 1.5", True),  # heterogeneous numeric ordering
    ("2u > 1", True),
    ("x.f > x.a", True),
    ("-1 < 1u", True),
    ('"abc" < "abd"', True),
    ('"a" < "B"', False),  # code point order
    ('b"a" < b"b"', True),
    ("false < true", True),
    ('timestamp("2026-01-01T00:00:00Z") < now', True),
    ('duration("1h") < duration("2h")', True),
    ("x.s < 1", E("no matching overload")),
    ('"a" < 1', C("no matching overload")),
    ("null < null", C("no matching overload")),
    ("[1] < [2]", C("no matching overload")),
    ("x.b < x.b", E("no matching overload")),
    ("x.t < x.a", E("no matching overload")),
    ("0.0 / 0.0 < 1.0", False),
    ("0.0 / 0.0 >= 1.0", False),
    # ---------------------------------------------------------------- in
    ("1 in [1, 2]", True),
    ("3 in [1, 2]", False),
    ("1 in [1.0]", True),
    ("true in [1]", False),
    ("x.t in [1]", False),
    ("x.a in [x.t, 1u]", True),
    ("'a' in ['b', 1, 'a']", True),
    ('"a" in {"a": 1}', True),
    ('"z" in x', False),
    ('"a" in x', True),
    ("x.a in {1: 'one'}", True),
    ("1.0 in {1: 'one'}", True),
    ("1.5 in {1: 'one'}", False),
    ("true in {1: 'one'}", False),
    ("'AR5' in params.reports", True),
    ("x.s in params.reports", False),
    ("x.a in params.reports", False),
    ("x.s in params.units", False),
    ("'kWh' in params.units", True),
    ("x.a in params.big", True),
    ("[1] in [[1], [2]]", True),
    ("x.a in x.s", E("no matching overload")),
    ("1 in 'abc'", C("no matching overload")),
    ("x.zz in [1]", E("no such key")),
    # ---------------------------------------------------------------- logic
    ("true && false", False),
    ("true || false", True),
    ("x.t && x.t", True),
    ("x.zz && false", False),  # error absorption, both orders
    ("false && x.zz", False),
    ("x.zz || true", True),
    ("true || x.zz", True),
    ("x.zz || false", E("no such key: zz")),
    ("false || x.zz", E("no such key: zz")),
    ("x.zz && true", E("no such key")),
    ("x.zz || x.yy", E("no such key")),
    ("x.a || true", True),  # a non-bool operand is an error, absorbed too
    ("x.a || false", E()),
    ("x.a && false", False),
    ("x.a && true", E()),
    ("x.zz || x.yy || true", True),
    ("x.zz || x.yy || false", E("no such key")),
    ("false || false || x.t", True),
    ("x.zz == 1 || x.a == 1", True),
    ("x.a == 1 && x.zz == 1", E("no such key")),
    ("x.a == 2 && x.zz == 1", False),
    ("(x.zz || true) && (x.yy || true)", True),
    ("(x.zz || false) && false", False),
    ("(x.zz || false) && true", E("no such key")),
    ("!has(x.zz) || x.zz > 0", True),
    ("!has(x.a) || x.a > 0", True),
    ("!has(x.a) || x.a > 5", False),
    ("has(x.a) && x.a == 1", True),
    ("(!has(x.a) || x.a > 0) && (!has(x.zz) || x.zz > 0)", True),
    ("(!has(x.a) || x.a > 5) && (!has(x.zz) || x.zz > 0)", False),
    ("!has(x.a.b) || true", True),
    ("!has(x.a.b) || false", E()),
    ("!true", False),
    ("!x.t", False),
    ("!!x.t", True),
    ("!x.a", E("no matching overload")),
    ("!x.zz", E("no such key")),
    ("!1", C("no matching overload")),
    ("1 || true", C("no matching overload")),
    # ---------------------------------------------------------------- conditional
    ("true ? 1 : 2", 1),
    ("false ? 1 : 2", 2),
    ("x.t ? 'y' : 'n'", "y"),
    ("x.a > 0 ? x.s : x.zz", "hello"),
    ("false ? x.zz : 2", 2),
    ("x.t ? 1 : x.zz", 1),
    ("x.a ? 1 : 2", E("expected bool")),
    ("x.zz ? 1 : 2", E("no such key")),
    ("1 ? 2 : 3", C("no matching overload")),
    ("x.t ? x.t ? 1 : 2 : 3", S("unexpected")),  # the middle operand is a ConditionalOr
    ("!x.t ? 1 : x.t ? 2 : 3", 2),
    # ---------------------------------------------------------------- select, index, has
    ("x.a", 1),
    ("x.zz", E("no such key: zz")),
    ("x.s.a", E("cannot select field 'a'")),
    ("x.n.a", E("cannot select field 'a'")),
    ("x.nested.a.b.c", 1),
    ("x.nested.a.zz.c", E("no such key: zz")),
    ('x["a"]', 1),
    ('x["z" + "z"]', E("no such key: zz")),
    ("x.b[0]", 1),
    ("x.b[1u]", 2.5),
    ("x.b[1.0]", 2.5),  # integral double index, as cel-cpp
    ("x.b[1.5]", E("no matching overload")),
    ("x.b[3]", E("index out of range")),
    ("x.b[-1]", E("index out of range")),  # cel-python returns the last element
    ("x.b['a']", E("no matching overload")),
    ('x.m["z"]', E("no such key: z")),
    ("x.m[1]", E("no such key: 1")),
    ("x.a[0]", E("no matching overload")),
    ("[1, 2][1]", 2),
    ('{"a": {"b": 1}}.a.b', 1),
    ('{1: "x"}[1]', "x"),
    ('{1: "x"}[1u]', "x"),
    ('{1: "x"}[1.0]', "x"),
    ('{true: "t"}[true]', "t"),
    ('{true: "t"}[1]', E("no such key")),  # bool and int keys never unify
    ('{1: "x"}[true]', E("no such key")),
    ("[1, 2]['a']", C("no matching overload")),
    ("has(x.a)", True),
    ("has(x.zz)", False),
    ("has(x.n)", True),
    ("has(x.nested.a.b)", True),
    ("has(x.nested.zz.b)", E("no such key: zz")),
    ("has(x.a.b)", E("has()")),
    ("has(x.n.b)", E("has()")),  # cel-python: false; spec: has() on a non-map is an error
    ('has({"a": 1}.a)', True),
    ("has(params.cutOff)", True),
    ("has(params.zz)", False),
    ("has(x)", C("has() requires a field selection")),
    ("has(x.a, x.b)", C("has() requires a field selection")),
    # ---------------------------------------------------------------- macros
    ("[1, 2, 3].all(i, i > 0)", True),
    ("[1, 2, 3].all(i, i > 1)", False),
    ("[].all(i, i > 0)", True),
    ("[1, 2, 3].exists(i, i == 2)", True),
    ("[].exists(i, true)", False),
    ("[1, 2, 3].exists_one(i, i > 2)", True),
    ("[1, 2, 3].exists_one(i, i > 1)", False),
    ("[1, 2].existsOne(i, i == 1)", True),
    ("[1, 2, 3].map(i, i * 2)", [2, 4, 6]),
    ("[1, 2, 3].map(i, i > 1, i * 10)", [20, 30]),
    ("[1, 2, 3].filter(i, i % 2 == 1)", [1, 3]),
    ('{"a": 1, "b": 2}.map(k, k)', ["a", "b"]),
    ('{"a": 1, "b": 2}.filter(k, k == "b")', ["b"]),
    ('{"a": 1}.all(k, k == "a")', True),
    ("x.m.exists(k, x.m[k] == 2)", True),
    ("x.m.map(k, x.m[k])", ["v", 2]),
    ("x.b.all(i, i == 1)", False),
    ("x.b.exists(i, i == 's')", True),
    ("x.e.all(i, false)", True),
    ("[0, 1].all(i, 1 / i > 0)", E("division by zero")),
    ("[0, 1].all(i, 1 / i > 5)", False),  # false dominates the error
    ("[1, 0].all(i, 1 / i > 5)", False),
    ("[0, 1].exists(i, 1 / i > 0)", True),  # true dominates the error
    ("[0, 1].exists(i, 1 / i > 5)", E("division by zero")),
    ("[0, 1].exists_one(i, 1 / i > 0)", E("division by zero")),
    ("[0, 1].map(i, 1 / i)", E("division by zero")),
    ("[0, 1].filter(i, 1 / i > 0)", E("division by zero")),
    ("[1, 2].filter(i, i)", C("no matching overload")),  # element type is known: int
    ("x.b.filter(i, i)", E("expected bool")),
    ("[true, 1].all(i, i)", E()),
    ("[false, 1].all(i, i)", False),
    ("[true, 1].exists(i, i)", True),
    ("x.a.all(i, true)", E("cannot iterate")),
    ("x.s.map(i, i)", E("cannot iterate")),
    ("[1, 2].all(x, x > 0)", True),  # the macro variable shadows the variable x
    ("[1, 2].map(x, x)", [1, 2]),
    ("[[1, 2], [3]].map(l, l.map(i, i * 2))", [[2, 4], [6]]),
    ("[1, 2].exists(i, [3, 4].exists(i, i == 4))", True),
    ("[1, 2].map(i, [10].map(j, i + j))", [[11], [12]]),
    ("[1, 2].all(i, x.a > 0)", True),
    ("x.b.filter(i, type(i) == double)", [2.5]),
    ("[1, 2, 3].map(i, i * 2).filter(j, j > 2)", [4, 6]),
    ("params.big.all(i, i > 0)", True),
    ("params.reports.exists(r, r == 'AR6')", True),
    ("[x.zz].all(i, true)", E("no such key")),
    ("(x.t || x.zz ? [1] : [2]).all(i, i == 1)", True),
    ("(x.zz || x.t ? [1] : [2]).map(i, i)", [1]),
    ("[1].all(1, true)", C("needs a variable name")),
    ("[1].map(i)", C("undeclared reference to 'i'")),
    ("[1].map(1)", C("undeclared reference to function 'map'")),
    ("[1].all(i, i)", C("no matching overload")),
    ("x.b.all(i, i)", E()),
    ("[1].all(i, 'a')", C("no matching overload")),
    # ---------------------------------------------------------------- size, conversions
    ('size("héllo")', 5),
    ('"abc".size()', 3),
    ('size(b"ab")', 2),
    ("size(x.b)", 3),
    ("x.b.size()", 3),
    ("size(x.m)", 2),
    ("size(x.e)", 0),
    ("size(x.a)", E("no matching overload")),
    ("size(1)", C("no matching overload")),
    ("size()", C("wrong number of arguments")),
    ('int("12")', 12),
    ('int("-3")', -3),
    ('int("+3")', 3),
    ('int("1_000")', E("cannot convert")),
    ('int(" 1")', E("cannot convert")),
    ('int("1.5")', E("cannot convert")),
    ('int("٣")', E("cannot convert")),
    ('int("9223372036854775808")', E("overflow")),
    ("int(2.9)", 2),
    ("int(-2.9)", -2),
    ("int(1e30)", E("out of the int64 range")),
    ("int(0.0 / 0.0)", E("out of the int64 range")),
    ("int(u)", 5),
    ("int(18446744073709551615u)", E("overflow")),
    ('int(timestamp("1970-01-01T00:01:00Z"))', 60),
    ('int(timestamp("1969-12-31T23:59:59.5Z"))', -1),
    ("int(x.t)", E("no matching overload")),
    ("int(true)", C("no matching overload")),
    ("uint(5)", CelUint(5)),
    ("uint(-1)", E("overflow")),
    ("uint(2.9)", CelUint(2)),
    ("uint(-0.5)", E("out of the uint64 range")),
    ('uint("7")', CelUint(7)),
    ('uint("-7")', E("cannot convert")),
    ('double("12.5")', 12.5),
    ('double("-3")', -3.0),
    ('double("1e3")', 1000.0),
    ('double(".5")', 0.5),
    ('double("5.")', 5.0),
    ('double("+1.5E-1")', 0.15),
    ('double("1_000")', E("cannot convert")),  # Python's float() would accept these
    ('double(" 1")', E("cannot convert")),
    ('double("1 ")', E("cannot convert")),
    ('double("١٢")', E("cannot convert")),
    ('double("abc")', E("cannot convert")),
    ('double("")', E("cannot convert")),
    ('double("0x10")', E("cannot convert")),
    ('double("NaN")', NAN),
    ('double("-Infinity")', -INF),
    ('double("1e400")', INF),
    ("double(3)", 3.0),
    ("double(u)", 5.0),
    ("double(x.num)", 12.5),
    ("double(x.f)", 2.5),
    ("double(x.t)", E("no matching overload")),
    ("double(x.n)", E("no matching overload")),
    ("string(1)", "1"),
    ("string(-5)", "-5"),
    ("string(u)", "5"),
    ("string(1.5)", "1.5"),
    ("string(1.0)", "1"),  # cel-go/cel-cpp format doubles like Go's %g (cel-python: "1.0")
    ("string(1e20)", "1e+20"),
    ("string(123456.0)", "123456"),
    ("string(1234567.0)", "1.234567e+06"),
    ("string(0.0001)", "0.0001"),
    ("string(0.00001)", "1e-05"),
    ("string(true)", "true"),  # cel-python: "True"
    ('string(b"abc")', "abc"),
    (r'string(b"\xff")', E("UTF-8")),
    ('string(timestamp("2026-01-01T00:00:00.5Z"))', "2026-01-01T00:00:00.5Z"),
    ('string(timestamp("2026-01-01T05:00:00+05:00"))', "2026-01-01T00:00:00Z"),
    ('string(duration("90m"))', "5400s"),
    ('string(duration("-1.5s"))', "-1.5s"),
    ("string(x.n)", E("no matching overload")),
    ("string(x.b)", E("no matching overload")),
    ("string(x.s)", "hello"),
    ('bytes("é")', b"\xc3\xa9"),
    ("bytes(x.a)", E("no matching overload")),
    ('bool("true")', True),
    ('bool("FALSE")', False),
    ('bool("t")', True),
    ('bool("yes")', E("cannot convert")),
    ("bool(x.t)", True),
    ("bool(1)", C("no matching overload")),  # cel-python: true
    ("bool(x.a)", E("no matching overload")),
    ("dyn(1) == 1.0", True),
    ("dyn(1) + 1.0", E("no matching overload")),
    ("dyn([1, 2]).all(i, i > 0)", True),
    ("1 in dyn([1])", True),
    ("1 in dyn(5)", E("no matching overload")),
    ('"a".matches(dyn("a"))', C("must be a constant string")),
    ("dyn(params).cutOff", 5),
    ("dyn(params).zz", E("no such key")),
    ("dyn(x.a)", 1),
    ("type(1) == int", True),
    ("type(1u) == uint", True),
    ("type(x.f) == double", True),
    ("type(x.s) == string", True),
    ("type(x.n) == null_type", True),
    ("type(x.b) == list", True),
    ("type(x.m) == map", True),
    ("type(x.t) == bool", True),
    ('type(b"") == bytes', True),
    ("type(now) == google.protobuf.Timestamp", True),
    ('type(duration("1s")) == google.protobuf.Duration', True),
    ("type(type(1)) == type", True),
    ("type(1) == string", False),
    ("type(x.a) == type(x.big)", True),
    ("type(x.zz)", E("no such key")),
    ("google.protobuf.Foo", C("undeclared reference to 'google.protobuf.Foo'")),
    # ---------------------------------------------------------------- timestamps & durations
    ('timestamp("2026-01-01T00:00:00Z")', D(2026, 1, 1)),
    ('timestamp("2026-01-01T01:00:00+01:00")', D(2026, 1, 1)),
    ('timestamp("2025-12-31T19:00:00-05:00")', D(2026, 1, 1)),
    ('timestamp("2026-01-01t00:00:00z")', D(2026, 1, 1)),
    ('timestamp("2026-01-01T00:00:00.123456789Z")', D(2026, 1, 1, 0, 0, 0, 123456)),
    ('timestamp("2026-01-01")', E("invalid timestamp")),
    ('timestamp("2026-01-01T00:00:00")', E("invalid timestamp")),
    ('timestamp("2026-01-01 00:00:00Z")', E("invalid timestamp")),
    ('timestamp("2026-02-30T00:00:00Z")', E("invalid timestamp")),
    ('timestamp("2026-01-01T24:00:00Z")', E("invalid timestamp")),
    ('timestamp("0001-01-01T00:00:00+01:00")', E("invalid timestamp")),
    ("timestamp(x.ts)", D(2026, 1, 1)),
    ("timestamp(x.f)", E("no matching overload")),
    ("timestamp(x.big)", E("out of range")),
    ("timestamp(0)", D(1970, 1, 1)),
    ("timestamp(1767225600)", D(2026, 1, 1)),
    ("timestamp(now) == now", True),
    ("now > timestamp('2020-01-01T00:00:00Z')", True),
    ('duration("3600s")', timedelta(hours=1)),
    ('duration("1h30m")', timedelta(minutes=90)),
    ('duration("-1.5h")', timedelta(minutes=-90)),
    ('duration("300ms")', timedelta(milliseconds=300)),
    ('duration("1.5us")', timedelta(microseconds=1)),
    ('duration("0")', timedelta(0)),
    ('duration("1d")', E("invalid duration")),
    ('duration("")', E("invalid duration")),
    ('duration("1")', E("invalid duration")),
    ('duration("1h-1m")', E("invalid duration")),
    ('duration("315576000001s")', E("out of range")),
    ('timestamp("2026-01-01T00:00:00Z") + duration("1h")', D(2026, 1, 1, 1)),
    ('duration("1h") + timestamp("2026-01-01T00:00:00Z")', D(2026, 1, 1, 1)),
    ('timestamp("2026-01-01T00:00:00Z") - timestamp("2025-01-01T00:00:00Z")', timedelta(days=365)),
    ('timestamp("2026-01-01T00:00:00Z") - duration("24h")', D(2025, 12, 31)),
    ('duration("1h") - duration("30m")', timedelta(minutes=30)),
    ('duration("1h") + duration("1m")', timedelta(minutes=61)),
    ('timestamp("9999-12-31T23:59:59Z") + duration("1s")', E("out of range")),
    ('timestamp("0001-01-01T00:00:00Z") - duration("1s")', E("out of range")),
    ("now + duration('1h') > now", True),
    ("now - timestamp(x.ts) > duration('24h')", True),
    ('timestamp("2026-01-01T00:00:00Z") + 1', C("no matching overload")),
    ("now + 1", E("no matching overload")),
    ('timestamp("2026-03-01T10:30:45.250Z").getFullYear()', 2026),
    ('timestamp("2026-03-01T10:30:45.250Z").getMonth()', 2),  # 0-based
    ('timestamp("2026-03-01T10:30:45.250Z").getDate()', 1),  # 1-based
    ('timestamp("2026-03-01T10:30:45.250Z").getDayOfMonth()', 0),  # 0-based
    ('timestamp("2026-03-01T10:30:45.250Z").getDayOfYear()', 59),  # 0-based
    ('timestamp("2026-03-01T10:30:45.250Z").getDayOfWeek()', 0),  # Sunday
    ('timestamp("2026-03-01T10:30:45.250Z").getHours()', 10),
    ('timestamp("2026-03-01T10:30:45.250Z").getMinutes()', 30),
    ('timestamp("2026-03-01T10:30:45.250Z").getSeconds()', 45),
    ('timestamp("2026-03-01T10:30:45.250Z").getMilliseconds()', 250),
    ('timestamp("2026-03-01T10:30:45Z").getHours("+05:30")', 16),
    ('timestamp("2026-03-01T10:30:45Z").getMinutes("+05:30")', 0),
    ('timestamp("2026-03-01T10:30:45Z").getDate("-11:00")', 28),
    ('timestamp("2026-03-01T10:30:45Z").getHours("UTC")', 10),
    ('timestamp("2026-03-01T10:30:45Z").getHours("Europe/Berlin")', C("IANA zone names")),
    ("now.getHours(x.s)", C("must be a constant string")),
    ("now.getFullYear()", 2026),
    ("now.getMonth()", 5),
    ("x.a.getHours()", E("no matching overload")),
    ('duration("1h30m").getHours()', 1),
    ('duration("1h30m").getMinutes()', 90),
    ('duration("90s").getSeconds()', 90),
    ('duration("61.5s").getMilliseconds()', 500),
    ('duration("-61.5s").getMilliseconds()', -500),
    ('duration("-1h30m").getHours()', -1),
    ('duration("1h").getFullYear()', C("no matching overload")),
    # ---------------------------------------------------------------- strings
    ('"abc".contains("b")', True),
    ('"abc".contains("")', True),
    ('"abc".startsWith("ab")', True),
    ('"abc".endsWith("bc")', True),
    ('x.s.contains("ell")', True),
    ('x.s.startsWith("x")', False),
    ('x.a.contains("1")', E("no matching overload")),
    ('"abc".contains(1)', C("no matching overload")),
    ('"abc".matches("^a.c$")', True),
    ('x.s.matches("^h.*o$")', True),
    ('x.s.matches("x")', False),
    ('matches(x.s, "l+")', True),
    ('"AR6".matches(params.pattern)', True),
    ('"é".matches("^.$")', True),  # RE2 matches code points
    (r'"a1".matches("\\d")', True),
    (r'"a١".matches("\\d")', False),  # RE2 \d is ASCII only
    ('"abc".matches(x.s)', C("must be a constant string")),
    ('"abc".matches("(")', C("invalid regular expression")),
    ('"abc".matches("(?<=a)b")', C("invalid regular expression")),  # no lookbehind in RE2
    ('x.a.matches("1")', E("no matching overload")),
    ('"ABC".lowerAscii()', "abc"),
    ('"Éa".upperAscii()', "ÉA"),
    (r'"  hi\t\n".trim()', "hi"),
    (r'"\u00a0hi\u2003".trim()', "hi"),
    ("x.a.trim()", E("no matching overload")),
    # ---------------------------------------------------------------- math extension
    ("math.greatest(1, 2.5, 2u)", 2.5),
    ("math.greatest([1, 5, 3])", 5),
    ("math.least(3, 1, 2)", 1),
    ("math.least([3.5])", 3.5),
    ("math.greatest(x.a)", 1),
    ("math.greatest([])", E("at least one")),
    ("math.greatest('a')", C("no matching overload")),
    ("math.greatest(x.b)", E("no matching overload")),
    ("math.greatest()", C("at least one argument")),
    ("math.abs(-5)", 5),
    ("math.abs(-2.5)", 2.5),
    ("math.abs(x.neg)", E("overflow")),
    ("math.abs(u)", CelUint(5)),
    ("math.abs(x.s)", E("no matching overload")),
    ("math.ceil(1.2)", 2.0),
    ("math.floor(-1.2)", -2.0),
    ("math.round(2.5)", 3.0),
    ("math.round(-2.5)", -3.0),
    ("math.round(0.49999999999999994)", 0.0),
    ("math.trunc(-2.7)", -2.0),
    ("math.ceil(1.0 / 0.0)", INF),
    ("math.isNaN(0.0 / 0.0)", True),
    ("math.isInf(1.0 / 0.0)", True),
    ("math.isFinite(1.0)", True),
    ("math.ceil(1)", C("no matching overload")),
    ("math.sqrt(4.0)", C("undeclared reference to function 'math.sqrt'")),
    # ---------------------------------------------------------------- registry extensions
    ("sum([1, 2, 3])", 6),
    ("sum([1, 2.5])", 3.5),
    ("sum([])", 0),
    ("sum([1u, 2u])", CelUint(3)),
    ("sum([1u, 2])", 3),
    ("sum([0.1, 0.2, 0.3])", 0.6000000000000001),  # left to right
    ("sum(x.b)", E("not a number")),
    ("sum([true])", E("not a number")),
    ("sum([9223372036854775807, 1])", E("overflow")),
    ("sum(x.m.map(k, 1))", 2),
    ("sum(x.a)", E("no matching overload")),
    ("sum(1)", C("no matching overload")),
    ('addYears(timestamp("2024-02-29T12:00:00Z"), 1)', D(2025, 2, 28, 12)),
    ('addYears(timestamp("2024-02-29T12:00:00Z"), 4)', D(2028, 2, 29, 12)),
    ('addYears(timestamp("2026-01-15T00:00:00Z"), -1)', D(2025, 1, 15)),
    ('timestamp("2026-01-15T00:00:00Z").addYears(2)', D(2028, 1, 15)),
    ("addYears(now, x.a)", D(2027, 6, 30, 12)),
    ('addYears(timestamp("9999-01-01T00:00:00Z"), 1)', E("out of range")),
    ("addYears(now, 1.5)", C("no matching overload")),
    ("addYears(now, x.f)", E("no matching overload")),
    ('isDecimal("12.5")', True),
    ('isDecimal("-3")', True),
    ('isDecimal("+0.25")', True),
    ('isDecimal("1e3")', False),
    ('decimalSum(["1.6", "0.0485", "0.0036"])', "1.6521"),
    ('decimalSum(["0.1", "0.2"])', "0.3"),
    ('decimalSum(["-0.5", "+0.25"])', "-0.25"),
    ("decimalSum([])", "0"),
    ('decimalSum(["1e3"])', E("not a decimal")),
    ("decimalSum([1])", E("not a decimal")),
    ('decimalDiff("1.7", "1.6521")', 0.0479),
    ('decimalDiff("0.3", decimalSum(["0.1", "0.2"]))', 0.0),
    ('decimalDiff("1.7", "x")', E("not a decimal")),
    ('halfUnit("1.7")', 0.05),
    ('halfUnit("42")', 0.5),
    ('halfUnit("0.00050")', 0.000005),
    ('halfUnit("-3.25")', 0.005),
    ('halfUnit("1.")', E("not a decimal")),
    ('isDecimal("1.")', False),
    ('isDecimal(".5")', False),
    ('isDecimal("١")', False),
    ('isDecimal(" 1")', False),
    ("isDecimal(x.num)", True),
    ("isDecimal(x.a)", E("no matching overload")),
    # ---------------------------------------------------------------- constants and names
    ("params.cutOff", 5),
    ("params.tol", 0.01),
    ("params.reports", ["AR5", "AR6"]),
    ("params.nested.k", 1),
    ("params.nested", {"k": 1}),
    ("params.cutOffPercnt", C("no such key 'cutOffPercnt' in params")),  # a typo in a pack
    ("true || params.cutOffPercnt > 1", C("no such key 'cutOffPercnt'")),  # even where unused
    ("false ? params.cutOffPercnt : 1", C("no such key 'cutOffPercnt'")),
    ("false && y", C("undeclared reference to 'y'")),
    ("true || x.zz", True),
    ("params.nested.zz", C("no such key 'zz' in params.nested")),
    ("params.cutOff.x", C("cannot select field")),
    ("has(params.cutOff.x)", C("has() cannot test a field")),
    ("has(params.nested.k)", True),
    ("has(params.nested.zz)", False),
    ("params['cutOff']", 5),
    ("params['zz']", E("no such key")),
    ("double(x.f) <= params.cutOff", True),
    ("double(x.num) <= params.cutOff", False),
    ("y", C("undeclared reference to 'y'")),
    ("y.z", C("undeclared reference to 'y.z'")),
    ("foo(1)", C("undeclared reference to function 'foo'")),
    ("x.foo()", C("undeclared reference to function 'foo'")),
    ("Foo{a: 1}", C("message construction")),
    (".x.a", 1),
    ("[1].map(x, .x.a)", [1]),  # a leading dot skips the macro variable
    ("1 +", S("unexpected end")),
    ("1 + * 2", S()),
    ("a.if", S("reserved")),
]


def _id(case: tuple[str, Any]) -> str:
    return case[0]


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case(case: tuple[str, Any]) -> None:
    source, expected = case
    if isinstance(expected, S):
        with pytest.raises(CelSyntaxError) as syn:
            compile_expression(source, ENV)
        assert expected.text in syn.value.message
        return
    if isinstance(expected, C):
        with pytest.raises(CelCompileError) as comp:
            compile_expression(source, ENV)
        assert expected.text in comp.value.message
        assert comp.value.line is not None and comp.value.column is not None
        return
    fn = compile_expression(source, ENV)
    if isinstance(expected, E):
        with pytest.raises(CelEvalError) as ev:
            fn(ACT)
        assert expected.text in ev.value.message
        return
    actual = fn(ACT)
    assert same(actual, expected), f"{source}: got {actual!r}, expected {expected!r}"


@pytest.mark.parametrize("case", [c for c in CASES if not isinstance(c[1], S | C)], ids=_id)
def test_case_via_compile_to_python(case: tuple[str, Any]) -> None:
    """The engine's way: the expression string as the body of a lambda over the variables."""
    source, expected = case
    src = compile_to_python(source, ENV)
    fn = eval(f"lambda x, now, u: {src}", GLOBALS)
    if isinstance(expected, E):
        with pytest.raises(CelEvalError):
            fn(ACT["x"], ACT["now"], ACT["u"])
    else:
        assert same(fn(ACT["x"], ACT["now"], ACT["u"]), expected)


def test_missing_variable_is_an_eval_error() -> None:
    fn = compile_expression("x.a == 1", ENV)
    with pytest.raises(CelEvalError, match="no value for variable 'x'"):
        fn({})
    both = compile_expression("x.a == 1 && now > now", ENV)
    with pytest.raises(CelEvalError, match="no value for variable"):
        both({"x": {}})
    # variables the expression does not use need not be bound
    assert compile_expression("1 + 1", ENV)({}) == 2


def test_constants_are_inlined() -> None:
    src = compile_to_python("double(x.f) <= params.cutOff", ENV)
    assert "params" not in src
    assert src.endswith("<= 5)")


def test_env_validation() -> None:
    with pytest.raises(ValueError, match="invalid CEL variable name"):
        Env(frozenset({"_x"}))
    with pytest.raises(ValueError, match="invalid CEL variable name"):
        Env(frozenset({"lambda"}))
    with pytest.raises(ValueError, match="invalid CEL variable name"):
        Env(frozenset({"in"}))
    with pytest.raises(ValueError, match="both"):
        Env(frozenset({"a"}), {"a": 1})
    with pytest.raises(ValueError, match="invalid CEL constant name"):
        Env(frozenset(), {"a-b": 1})


def test_unsupported_constant_is_a_compile_error() -> None:
    env = Env(frozenset(), {"p": {"when": object(), "ok": 1, "huge": 2**70}})
    assert compile_expression("p.ok", env)({}) == 1
    with pytest.raises(CelCompileError, match="unsupported type"):
        compile_to_python("p.when", env)
    with pytest.raises(CelCompileError, match="int64"):
        compile_to_python("p.huge", env)
    with pytest.raises(CelCompileError, match="unsupported type"):
        compile_to_python("p", env)
